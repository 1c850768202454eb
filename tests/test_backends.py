"""One generated file on every array library: the seed's numbers, gradients, dtypes, extremes, errors."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from derive import losses
from tests.backends import BACKENDS
from tests.numeric import finite_differences
from tests.test_codegen import ACTIVATIONS, network, random_arrays, relative_error

SEED_WEIGHTS = [np.array([[2.0, -2.0, 0.0], [1.0, 3.0, -1.0]]), np.array([[3.0, -2.0, -1.0]])]


@pytest.fixture(params=BACKENDS, ids=lambda b: b.name)
def backend(request):
    request.param.load()
    return request.param


def on(backend, weights, *arrays):
    """Weights and data in the library; dask data is chunked by rows, its weights stay numpy."""
    if backend.name == "dask":
        moved = list(weights)
    else:
        moved = [backend.array(w) for w in weights]
    return (moved, *(backend.array(a) for a in arrays))


def test_the_seeds_worked_example(backend):
    from generated import xnor

    weights, x, y = on(backend, SEED_WEIGHTS, np.array([1.0, 0.0]), np.array([0.0]))
    W1, W2 = xnor.update(weights, x, y, 1.0)
    assert backend.owns(W1) and backend.owns(W2)
    np.testing.assert_allclose(backend.numpy(W2), [[2.8696242, -2.0740101, -1.1480203]], atol=1e-7)
    np.testing.assert_allclose(
        backend.numpy(W1), [[1.9533765, -2, -0.0466235], [1.0740101, 3, -0.9259899]], atol=1e-7
    )
    delta1, delta2 = xnor.deltas(weights, x, y)
    np.testing.assert_allclose(backend.numpy(delta2), [-0.1480203], atol=1e-7)
    np.testing.assert_allclose(backend.numpy(delta1), [-0.0466235, 0.0740101], atol=1e-7)
    assert float(backend.numpy(xnor.loss(weights, x, y))) == pytest.approx(0.65529**2, abs=2e-5)
    _, f = xnor.forward(weights, x)
    assert backend.owns(f) and backend.numpy(f)[0] == pytest.approx(0.65529, abs=1e-5)


@pytest.mark.parametrize(
    "layers, activation, loss",
    [
        ("3-4-2", ("tanh", "sigmoid"), "squared_error"),
        ("2-3-2", ("relu", "sigmoid"), "binary_cross_entropy"),
        ("3-4-3", ("softplus", "softmax"), "softmax_cross_entropy"),
    ],
)
def test_gradients_match_finite_differences(build, backend, layers, activation, loss):
    net = network(layers, activation, loss)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(3), batch=4)
    got = [backend.numpy(g) for g in module.gradients(*on(backend, weights, x, y))]
    assert relative_error(got, finite_differences(module, weights, x, y)) <= 1e-6


def test_a_batch_is_the_sum_of_its_samples(build, backend):
    net = network("3-4-2", "sigmoid")
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(5), batch=4)
    batched = [backend.numpy(w) for w in module.update(*on(backend, weights, x, y), 0.5)]
    summed = [w.copy() for w in weights]
    for xb, yb in zip(x, y):
        for j, new in enumerate(module.update(*on(backend, weights, xb, yb), 0.5)):
            summed[j] += backend.numpy(new) - weights[j]
    for b, s in zip(batched, summed):
        np.testing.assert_allclose(b, s, rtol=1e-12, atol=1e-12)


def test_float32_in_float32_out(build, backend):
    net = network("3-4-2", "tanh")
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(1), batch=3, dtype=np.float32)
    args = on(backend, [w.astype(np.float32) for w in weights], x, y)
    results = [
        *module.forward(*args[:2]),
        *module.deltas(*args),
        *module.gradients(*args),
        *module.update(*args, 0.1),
        module.loss(*args),
    ]
    assert all(backend.owns(r) for r in results)
    assert {backend.dtype(r) for r in results} == {np.dtype(np.float32)}


@pytest.mark.parametrize("activation, loss", [
    ("sigmoid", "squared_error"), ("softplus", "squared_error"), ("relu", "squared_error"),
    ("sigmoid", "binary_cross_entropy"), (("tanh", "softmax"), "softmax_cross_entropy"),
])  # fmt: skip
def test_extreme_preactivations_are_finite_and_silent(build, backend, activation, loss):
    module = build(network("2-3-2", activation, loss))
    weights = [
        np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
        np.array([[1.0, -1.0, 0.5, 0.0], [-1.0, 1.0, 0.0, 0.0]]),
    ]
    x = np.array([[1e4, 0.0], [-1e4, 3.0], [0.0, 0.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    args = on(backend, weights, x, y)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        results = [
            *module.forward(*args[:2]),
            module.loss(*args),
            *module.deltas(*args),
            *module.update(*args),
        ]
        arrays = [backend.numpy(r) for r in results]
    assert all(np.isfinite(a).all() for a in arrays)


def test_nan_in_gives_nan_out(backend):
    from generated import xnor

    weights, x, y = on(backend, SEED_WEIGHTS, np.array([np.nan, 0.0]), np.array([1.0]))
    with np.errstate(invalid="ignore"):
        assert np.isnan(backend.numpy(xnor.forward(weights, x)[-1])).all()
        assert np.isnan(backend.numpy(xnor.update(weights, x, y)[0])[:, 0]).all()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda w, x, y: ([w[0].T, w[1]], x, y), "expected shape (2, 3) (units, inputs + bias), got (3, 2)"),
        (lambda w, x, y: (w[:1], x, y), "expected 2 matrices (one per layer), got 1"),
        (lambda w, x, y: (w, x[:, :1], y), "x: expected shape (2,) or (B, 2), got (4, 1)"),
        (lambda w, x, y: (w, x, y[:2, ...]), "y: expected shape (4, 1) to match x of shape (4, 2), got (2, 1)"),
    ],
)
def test_wrong_shapes_are_named(backend, change, message):
    from generated import xnor

    args = change(*on(backend, SEED_WEIGHTS, np.ones((4, 2)), np.ones((4, 1))))
    with pytest.raises(ValueError, match=re.escape(message)):
        xnor.gradients(*args)


def test_numpy_weights_with_data_of_another_library(backend):
    from generated import xnor

    _, x, y = on(backend, [], np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.0], [1.0]]))
    expected = xnor.update(SEED_WEIGHTS, np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.0], [1.0]]))
    for got, e in zip(xnor.update(SEED_WEIGHTS, x, y), expected):
        assert backend.owns(got)
        np.testing.assert_allclose(backend.numpy(got), e, rtol=1e-14)


def test_lists_become_numpy():
    from generated import xnor

    new = xnor.update([w.tolist() for w in SEED_WEIGHTS], [[1, 0]], [[0]], 1.0)
    assert all(type(w) is np.ndarray and w.dtype == np.float64 for w in new)
    np.testing.assert_allclose(new[1], [[2.8696242, -2.0740101, -1.1480203]], atol=1e-7)


# -- every activation and loss under array_api_strict, which allows nothing non-standard ------

STRICT_ROWS = [
    *(pytest.param("3-4-2", (a, "sigmoid"), "squared_error", id=a) for a in ACTIVATIONS),
    *(pytest.param("3-4-2", ("tanh", a), "half_squared_error", id=f"out-{a}") for a in ACTIVATIONS),
    pytest.param("3-4-2", ("x/(1 + abs(x))", "sigmoid"), "squared_error", id="custom"),
    # constants, log 2 and √2: Python numbers, which the standard's functions do not take
    pytest.param("3-4-2", ("2**x", "sqrt(2)*x"), "half_squared_error", id="constants"),
    pytest.param("3-4-2", ("tanh", "sigmoid"), "binary_cross_entropy", id="bce"),
    pytest.param("3-4-3", ("relu", "softmax"), "softmax_cross_entropy", id="softmax"),
]


@pytest.mark.parametrize("layers, activation, loss", STRICT_ROWS)
def test_every_activation_and_loss_runs_under_array_api_strict(build, layers, activation, loss):
    strict = pytest.importorskip("array_api_strict", reason="array_api_strict is not installed")
    net = network(layers, activation, loss)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(11), batch=3)
    args = ([strict.asarray(w) for w in weights], strict.asarray(x), strict.asarray(y))
    for name in ("deltas", "gradients", "update"):
        got = getattr(module, name)(*args)
        expected = getattr(module, name)(weights, x, y)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(np.asarray(g), e, rtol=1e-13, atol=1e-15)
    assert float(module.loss(*args)) == pytest.approx(module.loss(weights, x, y), rel=1e-13)
    assert len(module.forward(args[0], args[1])) == net.depth


# -- jax.jit ------------------------------------------------------------------------


def test_jax_jit_compiles_update_and_gradients():
    jax = pytest.importorskip("jax", reason="jax is not installed")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    from generated import classifier

    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(8, 5)), rng.normal(size=(3, 9))]
    x = rng.normal(size=(6, 4))
    y = np.eye(3)[rng.integers(0, 3, 6)]
    args = ([jnp.asarray(w) for w in weights], jnp.asarray(x), jnp.asarray(y))
    new = jax.jit(classifier.update)(*args, 0.1)
    for got, expected in zip(new, classifier.update(weights, x, y, 0.1)):
        assert isinstance(got, jax.Array)
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12)
    # and the generated gradient is jax's own
    grads = jax.jit(classifier.gradients)(*args)
    auto = jax.grad(lambda w: classifier.loss(w, *args[1:]))(args[0])
    for g, a in zip(grads, auto):
        np.testing.assert_allclose(np.asarray(g), np.asarray(a), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_jax_jit_update_compiles_to_jax_grads_program(build, dtype):
    """Under jax.jit the module's update compiles to no more steps than jax.grad's."""
    jax = pytest.importorskip("jax", reason="jax is not installed")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    module = build(network("784-128-10", "sigmoid"))
    rng = np.random.default_rng(1)
    weights = [rng.normal(0, 0.05, (n, m + 1)).astype(dtype) for n, m in [(128, 784), (10, 128)]]
    x, y = rng.random((256, 784), dtype), rng.random((256, 10), dtype)
    args = [jnp.asarray(w) for w in weights], jnp.asarray(x), jnp.asarray(y)

    def by_grad(weights, x, y):
        gradients = jax.grad(lambda w: module.loss(w, x, y))(weights)
        return [w - 0.05 * g for w, g in zip(weights, gradients)]

    def instructions(f, *args):
        entry = jax.jit(f).lower(*args).compile().as_text().split("ENTRY", 1)[1]
        return [op for op in re.findall(r"= \S+ ([a-z-]+)\(", entry) if op not in ("parameter", "constant")]

    ours = instructions(module.update, *args, 0.1)
    # The product and the bias column, padded with zeros, fuse into the update: no concatenate
    # (a copy of the gradient's size) and no more steps than jax.grad takes to the same update.
    assert "concatenate" not in ours and "pad" not in ours
    assert len(ours) <= len(instructions(by_grad, *args))


def test_torch_gradients_are_autograds():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    from generated import xnor_tanh

    rng = np.random.default_rng(2)
    weights = [torch.asarray(rng.normal(size=s), requires_grad=True) for s in [(2, 3), (1, 3)]]
    x, y = torch.asarray(rng.normal(size=(5, 2))), torch.asarray(rng.normal(size=(5, 1)))
    xnor_tanh.loss(weights, x, y).backward()
    with torch.no_grad():
        grads = xnor_tanh.gradients(weights, x, y)
    for g, w in zip(grads, weights):
        torch.testing.assert_close(g, w.grad, rtol=1e-12, atol=1e-14)


# -- softmax: precise where f is near 1, unmoved by a shift of the logits ----------------


def softmax_layer(module, logits, target, backend):
    """δ and ε of a 1-3 softmax layer whose logits are its biases (x = 0)."""
    weights = [np.array([[0.0, g] for g in logits])]
    args = on(backend, weights, np.array([[0.0]]), np.array([target]))
    (delta,) = module.deltas(*args)
    return backend.numpy(delta)[0], float(backend.numpy(module.loss(*args)))


@pytest.fixture
def softmax_module(build):
    return build(network("1-3", "softmax", "softmax_cross_entropy"))


@pytest.mark.parametrize("top", [0.0, 1000.0])
def test_softmax_delta_keeps_its_digits_where_f_is_near_1(softmax_module, backend, top):
    delta, eps = softmax_layer(softmax_module, [top, top - 20, top - 40], [1.0, 0.0, 0.0], backend)
    rest = math.exp(-20) + math.exp(-40)
    assert delta[0] == pytest.approx(2.0611536224e-09, rel=1e-10)
    assert delta[0] == pytest.approx(rest / (1 + rest), rel=1e-12)  # δ₁ = 1 − f₁
    assert delta[1] == pytest.approx(-math.exp(-20) / (1 + rest), rel=1e-12)
    assert eps == pytest.approx(math.log1p(rest), rel=1e-12)


@pytest.mark.parametrize("g", [20.0, 40.0, 700.0])
def test_sigmoid_delta_of_binary_cross_entropy_keeps_its_digits_where_f_is_near_1(build, backend, g):
    """δ = y − f at y = 1 is 1 − σ(g) = σ(−g): e^{−g}/(1 + e^{−g}), not 1 − 1 = 0."""
    module = build(network("1-1", "sigmoid", "binary_cross_entropy"))
    args = on(backend, [np.array([[0.0, g]])], np.array([[0.0], [0.0]]), np.array([[1.0], [0.0]]))
    (delta,) = module.deltas(*args)
    delta = backend.numpy(delta)[:, 0]
    assert delta[0] == pytest.approx(math.exp(-g) / (1 + math.exp(-g)), rel=1e-14, abs=0)
    assert delta[1] == pytest.approx(-1 / (1 + math.exp(-g)), rel=1e-15)  # y = 0: −f


def test_softmax_of_zero_logits(softmax_module, backend):
    delta, eps = softmax_layer(softmax_module, [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], backend)
    np.testing.assert_allclose(delta, [2 / 3, -1 / 3, -1 / 3], rtol=1e-15)
    assert eps == pytest.approx(math.log(3), rel=1e-15)
    tied, _ = softmax_layer(softmax_module, [5.0, 5.0, -30.0], [0.0, 1.0, 0.0], backend)
    np.testing.assert_allclose(tied, [-0.5, 0.5, 0.0], atol=1e-13)


@pytest.mark.parametrize("shift", [1000.0, -1000.0])
def test_shifting_every_logit_moves_nothing(softmax_module, backend, shift):
    rng = np.random.default_rng(8)
    for _ in range(5):
        logits = rng.normal(0, 10, 3)
        target = np.eye(3)[rng.integers(0, 3)]
        delta, eps = softmax_layer(softmax_module, logits, target, backend)
        moved, moved_eps = softmax_layer(softmax_module, logits + shift, target, backend)
        np.testing.assert_allclose(moved, delta, rtol=1e-9, atol=1e-9 * np.abs(delta).max())
        assert moved_eps == pytest.approx(eps, rel=1e-9)


def test_one_hot_targets_of_the_classifier_sum_to_one():
    assert losses.get("softmax_cross_entropy").one_hot


def test_sigmoid_and_softmax_against_a_long_double_reference(build):
    g = np.concatenate([np.linspace(-740, 740, 297), [-1e4, -30.5, -1e-8, 0.0, 1e-8, 30.5, 1e4]])
    sigmoid_layer = build(network("1-1", "sigmoid"))
    (f,) = sigmoid_layer.forward([np.array([[1.0, 0.0]])], g[:, None])
    wide = g.astype(np.longdouble)
    expected = np.exp(-np.logaddexp(np.longdouble(0), -wide))
    np.testing.assert_allclose(f[:, 0], expected.astype(np.float64), rtol=4e-16, atol=0)
    softmax_layer = build(network("1-3", "softmax", "softmax_cross_entropy"))
    logits = np.array([[700.0, 0.0, -700.0], [-50.0, -50.5, -51.0], [1e4, 1e4 - 30, 0.0]])
    for row in logits:
        weights = [np.column_stack([np.zeros(3), row])]
        (f,) = softmax_layer.forward(weights, np.array([0.0]))
        shifted = row.astype(np.longdouble) - row.max()
        expected = np.exp(shifted) / np.exp(shifted).sum()
        np.testing.assert_allclose(f, expected.astype(np.float64), rtol=4e-16, atol=0)
