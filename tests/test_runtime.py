"""codegen.runtime: the helpers generated modules carry, tested where they are written."""

import math
import tracemalloc

import numpy as np
import pytest

from codegen import runtime
from codegen.render import runtime_source


def test_sigmoid_has_no_positive_exponent():
    g = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with np.errstate(over="raise"):
        got = runtime.sigmoid(g)
    assert got.tolist() == pytest.approx([0.0, 1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-1)), 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_on_numpy_gives_the_bits_of_the_standards_form(dtype):
    """numpy's 1 where g ≥ 0 is its comparison, other libraries' is copysign: one sigmoid."""
    xp = pytest.importorskip("array_api_strict", reason="array_api_strict is not installed")
    g = np.concatenate([np.linspace(-800, 800, 3201), [-0.0, 1e-30, -1e-30, np.inf, -np.inf, np.nan]])
    g = g.astype(dtype)
    on_numpy = runtime.sigmoid(g)
    assert type(on_numpy) is np.ndarray and on_numpy.dtype == dtype
    np.testing.assert_array_equal(on_numpy, np.asarray(runtime.sigmoid(xp.asarray(g))), strict=True)


def test_softplus_never_overflows():
    with np.errstate(over="raise"):
        got = runtime.softplus(np.array([-1000.0, 0.0, 1000.0]))
    assert got.tolist() == pytest.approx([0.0, math.log(2), 1000.0])


def test_step_is_relus_slope_and_keeps_nan():
    got = runtime.step(np.array([-1.0, 0.0, 2.0, np.nan]))
    assert got[:3].tolist() == [0.0, 0.0, 1.0] and math.isnan(got[3])


def test_softmax_rows_and_their_logs_and_complements():
    g = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    f = runtime.softmax(g)
    assert f.sum(axis=-1).tolist() == pytest.approx([1.0, 1.0])
    assert f[0].tolist() == pytest.approx([1.0, 0.0, 0.0])
    e = np.exp([1.0, 2.0, 3.0])
    assert runtime.log_softmax(g)[1].tolist() == pytest.approx(np.log(e / e.sum()).tolist())
    # 1 − f where f is near 1 keeps its digits: e^{-40} rather than 0
    near = runtime.softmax_complement(np.array([[40.0, 0.0]]))
    assert near[0, 0] == pytest.approx(math.exp(-40), rel=1e-12)


def test_outer_sums_delta_times_inputs_and_bias():
    delta = np.array([[1.0, 2.0], [3.0, 4.0]])
    inputs = np.array([[1.0], [10.0]])
    assert runtime.outer(delta, inputs).tolist() == [[31.0, 4.0], [42.0, 6.0]]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_outer_writes_numpys_product_into_its_result(dtype):
    """On numpy the product goes straight into the result: one weight-sized array, not two."""
    rng = np.random.default_rng(0)
    delta, inputs = rng.normal(size=(64, 96)).astype(dtype), rng.normal(size=(64, 300)).astype(dtype)
    runtime.outer(delta, inputs)
    tracemalloc.start()
    try:
        got = runtime.outer(delta, inputs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got.dtype == dtype and got.shape == (96, 301) and got.flags.c_contiguous
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(got[:, :-1], delta.T @ inputs, rtol=10 * eps)
    # the bias column Σ δ, within the rounding bound of a sum of 64 terms
    exact = delta.astype(np.longdouble).sum(axis=0)
    assert np.all(np.abs(got[:, -1] - exact) <= 64 * eps * np.abs(delta).sum(axis=0))
    assert got.nbytes <= peak < 1.1 * got.nbytes  # concat held the product and its copy: 2x


def test_arrays_checks_shapes_against_the_modules_layers(monkeypatch):
    monkeypatch.setattr(runtime, "LAYERS", (2, 1))
    _, weights, x, y, single = runtime._arrays([[[1, 2, 3]]], [0.5, 0.5], [1.0])
    assert single and x.shape == (1, 2) and y.shape == (1, 1) and weights[0].dtype == np.float64
    with pytest.raises(ValueError, match=r"weights\[0\] \(layer 1\): expected shape \(1, 3\)"):
        runtime._arrays([np.zeros((1, 2))], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"x: expected shape \(2,\)"):
        runtime._arrays([np.zeros((1, 3))], [0.5])


def test_a_module_gets_what_its_lines_call_and_what_those_call():
    source = runtime_source(["log_softmax"])
    defined = [line.split("(")[0][4:] for line in source.splitlines() if line.startswith("def ")]
    assert defined == ["_arrays", "_like", "_per_sample", "outer", "_rest", "log_softmax"]
    with pytest.raises(ValueError, match="no helper tanh_"):
        runtime_source(["tanh_"])
