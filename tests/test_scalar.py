"""The float update of one sample of a small network: the array path's numbers, unit by unit."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from codegen import render
from codegen.scalar import SCALAR_WEIGHTS, ScalarUpdate
from derive import Derivation, Network, seed
from tests.test_codegen import network, random_arrays

ROWS = [
    pytest.param("2-2-1", "sigmoid", "squared_error", id="seed"),
    pytest.param("3-4-2", "tanh", "half_squared_error", id="tanh"),
    pytest.param("3-4-2", "relu", "squared_error", id="relu"),
    pytest.param("3-4-2", "softplus", "squared_error", id="softplus"),
    pytest.param("3-4-2", "linear", "squared_error", id="linear"),
    pytest.param("2-3-2", ("tanh", "sigmoid"), "binary_cross_entropy", id="sigmoid-bce"),
    pytest.param("1-2-2-1", ("softplus", "relu", "sigmoid"), "squared_error", id="deep"),
    # every matrix 3 columns wide: the new weights are one matrix, each layer's rows a view
    pytest.param("2-2-2-1", ("tanh", "softplus", "sigmoid"), "squared_error", id="deep-square"),
]


def no_arrays(monkeypatch, module):
    """Make the array path fail, so that a passing call proves the float path answered."""

    def fail(*args):
        raise AssertionError("the array path was taken")

    monkeypatch.setattr(module, "_arrays", fail)


def array_path(module, weights, x, y, c):
    """The same update through the array path: a batch of one sample."""
    return module.update(weights, x[np.newaxis], y[np.newaxis], c)


@pytest.mark.parametrize("layers, activation, loss", ROWS)
@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_float_path_equals_array_path(build, monkeypatch, layers, activation, loss, dtype, tolerance):
    net = network(layers, activation, loss)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(len(layers)), batch=None, dtype=dtype)
    expected = array_path(module, weights, x, y, 0.7)
    no_arrays(monkeypatch, module)
    got = module.update(weights, x, y, 0.7)
    assert [g.shape for g in got] == [e.shape for e in expected]
    assert all(type(g) is np.ndarray and g.dtype == dtype for g in got)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=tolerance, atol=tolerance)


def test_the_seeds_worked_example_on_floats(monkeypatch):
    from generated import xnor

    weights = [np.array([[2.0, -2.0, 0.0], [1.0, 3.0, -1.0]]), np.array([[3.0, -2.0, -1.0]])]
    no_arrays(monkeypatch, xnor)
    W1, W2 = xnor.update(weights, np.array([1.0, 0.0]), np.array([0.0]), c=1.0)
    np.testing.assert_allclose(W2, [[2.8696242, -2.0740101, -1.1480203]], rtol=0, atol=1e-7)
    np.testing.assert_allclose(
        W1, [[1.9533765, -2, -0.0466235], [1.0740101, 3, -0.9259899]], rtol=0, atol=1e-7
    )


def test_float_path_leaves_the_weights_untouched(build, monkeypatch):
    net = network("2-2-1", "sigmoid")
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(2), batch=None)
    before = [w.copy() for w in weights]
    no_arrays(monkeypatch, module)
    new = module.update(weights, x, y, 1.0)
    for w, old, n in zip(weights, before, new):
        np.testing.assert_array_equal(w, old)
        assert not np.shares_memory(w, n) and n.flags.writeable


@pytest.mark.parametrize("activation, loss", [
    ("sigmoid", "squared_error"), ("softplus", "squared_error"), ("tanh", "squared_error"),
    ("relu", "squared_error"), ("sigmoid", "binary_cross_entropy"),
])  # fmt: skip
def test_float_path_is_finite_and_silent_at_extremes(build, monkeypatch, activation, loss):
    net = network("2-2-1", activation, loss)
    module = build(net)
    weights = [np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]), np.array([[1.0, -1.0, 0.0]])]
    no_arrays(monkeypatch, module)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x1 in (1e4, -1e4, 0.0):
            new = module.update(weights, np.array([x1, 0.0]), np.array([1.0]), 1.0)
            assert all(np.isfinite(w).all() for w in new)


def test_nan_stays_nan_on_floats(build, monkeypatch):
    module = build(network("2-2-1", "relu"))
    weights = [np.full((2, 3), 0.5), np.full((1, 3), 0.5)]
    no_arrays(monkeypatch, module)
    new = module.update(weights, np.array([np.nan, 0.0]), np.array([1.0]), 1.0)
    assert np.isnan(new[0][:, 0]).all() and np.isnan(new[1]).any()


@pytest.mark.parametrize(
    "change",
    [
        lambda w, x, y, c: (w, x.tolist(), y, c),  # a list
        lambda w, x, y, c: (w, x, y.astype(np.float32), c),  # mixed dtypes
        lambda w, x, y, c: (w, x, y, np.float64(c)),  # c not a Python number
        lambda w, x, y, c: (tuple(w), x[np.newaxis], y[np.newaxis], c),  # a batch
    ],
)
def test_other_arguments_take_the_array_path_with_the_same_results(build, change):
    net = network("2-2-1", "sigmoid")
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(4), batch=None)
    expected = module.update(weights, x, y, 0.5)
    for got, e in zip(module.update(*change(weights, x, y, 0.5)), expected):
        np.testing.assert_allclose(np.reshape(got, e.shape), e, rtol=1e-6)


def test_wrong_shapes_on_floats_are_named():
    from generated import xnor

    weights = [np.zeros((2, 3)), np.zeros((1, 4))]
    with pytest.raises(ValueError, match=re.escape("expected shape (1, 3) (units, inputs + bias), got (1, 4)")):
        xnor.update(weights, np.zeros(2), np.zeros(1))


def test_only_small_networks_of_registry_activations_get_floats():
    assert ScalarUpdate.of(Derivation(seed())) is not None
    wide = Network((8, 8, 1), ("sigmoid", "sigmoid"))  # 81 weights
    assert sum(r * c for r, c in wide.weight_shapes) > SCALAR_WEIGHTS
    assert ScalarUpdate.of(Derivation(wide)) is None
    assert ScalarUpdate.of(Derivation(network("2-2-1", "x/(1 + abs(x))"))) is None
    assert ScalarUpdate.of(Derivation(network("2-3", "softmax", "softmax_cross_entropy"))) is None


def test_the_seeds_float_update_reads_like_its_hand_computation():
    text = render(seed(), "derive --out generated/xnor.py", "the seed")
    for line in [
        "    g1_1 = w1_1_1 * x1 + w1_1_2 * x2 + w1_1_3  # (eq:g-1)\n",
        "    delta2_1 = (y - f) * f * (1 - f)  # (eq:delta-2)\n",
        "    delta1_1 = s1_1 * (1 - s1_1) * delta2_1 * w2_1_1  # (eq:delta-1)\n",
        "    delta1_2 = s1_2 * (1 - s1_2) * delta2_1 * w2_1_2  # (eq:delta-1)\n",
    ]:
        assert line in text, line
    assert "w2_1_1 + c * delta2_1 * s1_1, w2_1_2 + c * delta2_1 * s1_2, w2_1_3 + c * delta2_1" in text
    for gone in ("struct", "ctypes", "cse", "t0 =", "except", "return None", "def update_("):
        assert gone not in text, gone
