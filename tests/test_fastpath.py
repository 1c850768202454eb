"""The fast paths of generated modules: floats for one sample, the in-place update, their printers."""

from __future__ import annotations

import importlib.util
import itertools
import re
import tracemalloc
import warnings

import numpy as np
import pytest
import sympy as sp

from codegen.generate import ModuleCode, render, write
from codegen.inplace import Program
from codegen.printer import ArrayPrinter, ScalarPrinter
from codegen.scalar import SCALAR_WEIGHTS, ScalarCode, Unsupported
from derive import Derivation, Network, seed
from derive.activations import relu, sigmoid, softplus
from tests.test_codegen import network, random_arrays

FUNCTIONS = ("forward", "loss", "deltas", "gradients", "update")
_counter = itertools.count()


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Render a network's module into a temporary directory and import it."""
    directory = tmp_path_factory.mktemp("fastpath")

    def build(net: Network):
        path = directory / f"net_{next(_counter)}.py"
        write(render(net, "derive --layers " + net.layers_text, "test"), path)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return build

ROWS = [
    pytest.param("2-2-1", "sigmoid", "squared_error", id="seed"),
    pytest.param("3-4-2", "tanh", "half_squared_error", id="tanh"),
    pytest.param("3-4-2", "relu", "squared_error", id="relu"),
    pytest.param("3-4-2", "softplus", "squared_error", id="softplus"),
    pytest.param("3-4-2", "linear", "squared_error", id="linear"),
    pytest.param("3-4-2", "x/(1 + abs(x))", "squared_error", id="custom"),
    pytest.param("2-3-2", ("tanh", "sigmoid"), "binary_cross_entropy", id="sigmoid-bce"),
    pytest.param("1-2-2-1", ("softplus", "relu", "sigmoid"), "squared_error", id="deep"),
]


def call(module, function, weights, x, y, c=0.7):
    if function == "forward":
        return module.forward(weights, x)
    if function == "update":
        return module.update(weights, x, y, c)
    return getattr(module, function)(weights, x, y)


def array_path(module, function, weights, x, y):
    """The same call through the array path: a batch of one sample, unbatched again."""
    result = call(module, function, weights, x[np.newaxis], y[np.newaxis])
    if function in ("forward", "deltas"):
        return [r[0] for r in result]
    return result


def no_arrays(monkeypatch, module):
    """Make the array path fail, so that a passing call proves the float path answered."""

    def fail(*args):
        raise AssertionError("the array path was taken")

    monkeypatch.setattr(module, "_arrays", fail)


# -- the float path gives the array path's numbers ------------------------------


@pytest.mark.parametrize("layers, activation, loss", ROWS)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_float_path_equals_array_path(build, monkeypatch, layers, activation, loss, function):
    module = build(network(layers, activation, loss))
    rng = np.random.default_rng(len(layers) + len(function))
    weights, x, y = random_arrays(module_network(module), rng, batch=None)
    expected = array_path(module, function, weights, x, y)
    no_arrays(monkeypatch, module)
    got = call(module, function, weights, x, y)
    if function == "loss":
        assert type(got) is np.float64
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
        return
    assert [g.shape for g in got] == [e.shape for e in expected]
    assert all(g.dtype == np.float64 for g in got)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)


def module_network(module) -> Network:
    return Network(module.LAYERS, module.ACTIVATIONS, module.LOSS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_float32_in_float32_out(build, monkeypatch, function):
    module = build(network("3-4-2", "sigmoid"))
    weights, x, y = random_arrays(
        module_network(module), np.random.default_rng(1), batch=None, dtype=np.float32
    )
    expected = array_path(module, function, weights, x, y)
    no_arrays(monkeypatch, module)
    got = call(module, function, weights, x, y)
    if function == "loss":
        assert type(got) is np.float32
        assert got == pytest.approx(expected, rel=1e-5)
        return
    assert all(g.dtype == np.float32 for g in got)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_the_seeds_worked_example_on_floats(monkeypatch):
    from generated import xnor

    weights = [np.array([[2.0, -2.0, 0.0], [1.0, 3.0, -1.0]]), np.array([[3.0, -2.0, -1.0]])]
    no_arrays(monkeypatch, xnor)
    W1, W2 = xnor.update(weights, np.array([1.0, 0.0]), np.array([0.0]), c=1.0)
    np.testing.assert_allclose(W2, [[2.8696242, -2.0740101, -1.1480203]], rtol=0, atol=1e-7)
    np.testing.assert_allclose(
        W1, [[1.9533765, -2, -0.0466235], [1.0740101, 3, -0.9259899]], rtol=0, atol=1e-7
    )


def test_float_path_results_are_new_writable_arrays(build, monkeypatch):
    module = build(network("2-3-1", "tanh"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(2), batch=None)
    before = [w.copy() for w in weights], x.copy(), y.copy()
    no_arrays(monkeypatch, module)
    new = module.update(weights, x, y, 0.5)
    for w, old in zip(weights, before[0]):
        np.testing.assert_array_equal(w, old)
    np.testing.assert_array_equal(x, before[1])
    np.testing.assert_array_equal(y, before[2])
    assert all(n.flags.writeable and n.flags.c_contiguous for n in new)
    assert not any(np.shares_memory(n, w) for n in new for w in weights)


# -- the float path is stable and falls back where it must ----------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "activation, loss",
    [
        ("sigmoid", "squared_error"),
        ("softplus", "squared_error"),
        ("relu", "squared_error"),
        ("tanh", "squared_error"),
        ("sigmoid", "binary_cross_entropy"),
    ],
)
def test_float_path_is_finite_and_silent_at_extremes(build, monkeypatch, activation, loss, dtype):
    module = build(network("2-2-2", activation, loss))
    weights = [
        np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]], dtype=dtype),
        np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]], dtype=dtype),
    ]
    y = np.array([1.0, 0.0], dtype=dtype)
    no_arrays(monkeypatch, module)
    for value in (1e4, -1e4, 0.0):
        x = np.array([value, 0.0], dtype=dtype)
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            results = [
                *module.forward(weights, x),
                module.loss(weights, x, y),
                *module.deltas(weights, x, y),
                *module.gradients(weights, x, y),
                *module.update(weights, x, y),
            ]
        assert all(np.all(np.isfinite(r)) for r in results), value
        assert all(r.dtype == dtype for r in results)


def test_saturated_cross_entropy_on_floats_is_exact(build, monkeypatch):
    module = build(network("1-1", "sigmoid", "binary_cross_entropy"))
    weights = [np.array([[1.0, 0.0]])]
    no_arrays(monkeypatch, module)
    assert module.loss(weights, np.array([-1e4]), np.array([1.0])) == 1e4
    assert module.loss(weights, np.array([1e4]), np.array([0.0])) == 1e4


def test_nan_stays_nan_on_floats(build, monkeypatch):
    module = build(network("2-2-1", ("relu", "sigmoid")))
    weights = [np.full((2, 3), 0.1), np.full((1, 3), 0.1)]
    x, y = np.array([np.nan, 0.0]), np.array([1.0])
    no_arrays(monkeypatch, module)
    assert np.isnan(module.forward(weights, x)[-1]).all()
    assert np.isnan(module.loss(weights, x, y))
    assert np.isnan(module.update(weights, x, y)[0][:, :-1]).all()


def test_math_errors_fall_back_to_numpy(build):
    # e^{g} overflows math.exp at g = 1000; the array path answers, with numpy's inf.
    module = build(network("1-1", "exp(x)"))
    weights = [np.array([[1.0, 0.0]])]
    with np.errstate(over="ignore"):
        assert module.forward(weights, np.array([1000.0]))[-1].tolist() == [np.inf]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda w, x, y: (w, x[np.newaxis], y[np.newaxis]), id="a batch"),
        pytest.param(lambda w, x, y: ([v.tolist() for v in w], x, y), id="lists"),
        pytest.param(lambda w, x, y: (w, x.astype(np.float32), y), id="mixed dtypes"),
        pytest.param(lambda w, x, y: (w, x.astype(int), y), id="integers"),
        pytest.param(lambda w, x, y: (iter(w), x, y), id="an iterator"),
    ],
)
def test_other_arguments_take_the_array_path_with_the_same_results(build, change):
    module = build(network("2-2-1", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(3), batch=None)
    x = np.round(x)  # exact as integers too
    args = change(weights, x, y)
    got = module.update(*args, c=0.5)
    expected = module.update(weights, x, y, c=0.5)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.squeeze(g), np.squeeze(e), rtol=1e-6)


@pytest.mark.parametrize("function", ["loss", "deltas", "gradients", "update"])
def test_wrong_shapes_still_name_them(build, function):
    module = build(network("3-3-1", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(0), batch=None)
    with pytest.raises(ValueError, match=re.escape("y: expected shape (1,) to match x")):
        getattr(module, function)(weights, x, np.zeros(2))
    with pytest.raises(ValueError, match=re.escape("expected 2 matrices (one per layer), got 1")):
        getattr(module, function)(weights[:1], x, y)


def test_a_numpy_array_as_c_is_not_taken_for_a_number(build):
    module = build(network("2-2-1", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(4), batch=None)
    got = module.update(weights, x, y, c=np.array([0.5]))
    assert [g.shape for g in got] == [(2, 3), (1, 3)]


# -- which networks get a float path --------------------------------------------


def test_softmax_has_no_float_path_and_still_works(build):
    net = network("2-3-3", ("tanh", "softmax"), "softmax_cross_entropy")
    with pytest.raises(Unsupported, match="layer-wide"):
        ScalarCode(Derivation(net))
    module = build(net)
    assert not hasattr(module, "_update_floats")
    weights, x, y = random_arrays(net, np.random.default_rng(5), batch=None)
    assert [w.shape for w in module.update(weights, x, y)] == [(3, 3), (3, 4)]


def test_size_bound():
    assert ScalarCode(Derivation(Network.from_layers("3-7-4")))  # 28 + 32 = 60 weights
    big = Network.from_layers("8-7-1")  # 63 + 8 = 71 weights
    with pytest.raises(Unsupported, match=f"up to {SCALAR_WEIGHTS}"):
        ScalarCode(Derivation(big))
    assert "_update_floats" not in render(big, "derive --layers 8-7-1", "t")


def test_shared_subexpressions_are_computed_once_before_their_first_use():
    text = render(seed(), "derive --out generated/xnor.py", "seed")
    body = text[text.index("def _update_floats") :]
    lines = [line.strip() for line in body.splitlines()]
    assert "t2 = c*delta1_1  # (eq:update-1)" in lines
    assert lines.index("delta1_1 = delta2_1*t0*(1 - s1_1)  # (eq:delta-1)") < lines.index(
        "t2 = c*delta1_1  # (eq:update-1)"
    )
    assert body.count("c*delta1_1") == 1


def test_every_float_line_cites_its_equation():
    text = render(network("2-3-1", ("relu", "sigmoid")), "derive --layers 2-3-1", "t")
    body = text[text.index("def _forward_floats") : text.index("def _add_outer")]
    for line in body.splitlines():
        match = re.match(r"^        (\w+) = (?!weights)(.*)$", line)
        if match and match.group(1) not in ("dtype", "pack") and "tolist()" not in line:
            assert re.search(r"  # \(eq:[\w-]+\)$", line), line


# -- the in-place update ----------------------------------------------------------


@pytest.mark.parametrize("batch", [None, 5])
def test_update_in_place_equals_update(build, batch):
    module = build(network("3-4-2", "tanh"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(6), batch=batch)
    expected = module.update(weights, x, y, c=0.3)
    ids = [id(w) for w in weights]
    returned = module.update_(weights, x, y, c=0.3)
    assert [id(w) for w in returned] == ids
    for w, e in zip(weights, expected):
        np.testing.assert_allclose(w, e, rtol=1e-12, atol=1e-12)


def test_update_in_place_in_many_blocks(build):
    # A layer wider than delta: the product is added a few rows at a time.
    module = build(network("40-6-1", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(7), batch=3)
    expected = module.update(weights, x, y, c=0.3)
    module.update_(weights, x, y, c=0.3)
    for w, e in zip(weights, expected):
        np.testing.assert_allclose(w, e, rtol=1e-12, atol=1e-12)


def test_update_in_place_needs_writable_float_arrays(build):
    module = build(network("2-2-1", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(8), batch=None)
    with pytest.raises(ValueError, match=re.escape("weights[1] (layer 2): update_ writes in place")):
        module.update_([weights[0], weights[1].tolist()], x, y)
    weights[0].flags.writeable = False
    with pytest.raises(ValueError, match=re.escape("weights[0] (layer 1): update_ needs a writable")):
        module.update_(weights, x, y)


def test_update_in_place_allocates_nothing_the_size_of_the_weights(build):
    module = build(network("300-8-2", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(9), batch=4)
    module.update_(weights, x, y)  # warm up
    tracemalloc.start()
    try:
        module.update_(weights, x, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < weights[0].nbytes / 2


# -- the printers ------------------------------------------------------------------

g = sp.Symbol("g", real=True)


def scalar(expr):
    return ScalarPrinter().doprint(expr)


def test_scalar_sigmoid_takes_the_branch_without_overflow():
    assert scalar(sigmoid(g)) == "(1/(1 + exp(-g)) if g >= 0 else exp(g)/(1 + exp(g)))"


def test_scalar_softplus_and_log_sigmoid():
    assert scalar(softplus(g)) == "(g + log1p(exp(-g)) if g > 0 else log1p(exp(g)))"
    assert scalar(sp.log(1 - sigmoid(g))) == "-(g + log1p(exp(-g)) if g > 0 else log1p(exp(g)))"


def test_scalar_relu_and_its_slope_keep_nan():
    assert scalar(relu(g)) == "(0.0 if g < 0 else g)"
    assert scalar(sp.Heaviside(g, 0)) == "(1.0 if g > 0 else 0.0 if g <= 0 else g)"


@pytest.mark.parametrize("activation", ["sigmoid", "softplus", "relu", "tanh"])
def test_float_forms_evaluate_like_numpy(build, activation):
    module = build(network("1-1-1", (activation, "linear")))
    weights = [np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])]
    y = np.array([0.0])
    values = [-1e4, -745.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1e4, np.nan]
    with np.errstate(invalid="ignore"):
        batch = [module.deltas(weights, np.array([[v]]), np.array([y]))[0][0] for v in values]
        single = [module.deltas(weights, np.array([v]), y)[0] for v in values]
        np.testing.assert_allclose(single, batch, rtol=1e-14, equal_nan=True)
        batch = [module.forward(weights, np.array([[v]]))[0][0] for v in values]
        single = [module.forward(weights, np.array([v]))[0] for v in values]
        np.testing.assert_allclose(single, batch, rtol=1e-14, equal_nan=True)


def test_split_sigmoid_for_arrays():
    assert ArrayPrinter({"sigmoid": "split"}).doprint(sigmoid(g)) == (
        "np.exp(np.minimum(g, 0))/(1 + np.exp(-np.abs(g)))"
    )
    values = np.array([-1e4, -745.0, -30.0, 0.0, 30.0, 1e4])
    with np.errstate(all="raise", under="ignore"):
        split = np.exp(np.minimum(values, 0)) / (1 + np.exp(-np.abs(values)))
    np.testing.assert_allclose(split, np.exp(-np.logaddexp(0, -values)), rtol=1e-14)


def test_module_code_prints_updates_through_add_outer():
    code = ModuleCode(seed())
    assert [line.code for line in code.updates] == [
        "_add_outer(W1, c_delta1, x)",
        "_add_outer(W2, c_delta2, s1)",
    ]
    assert code.updates_in_place[0].code == "_add_outer(W1, c_delta1, x, out=W1)"
    assert code.updates[0].formula == "W1_new = W1 + c_delta1·(x, 1)ᵀ"
    assert [line.formula for line in code.scaled_deltas] == [
        "c_delta2 = c*f*(1 - f)*(-f + y)",
        "c_delta1 = s1*(1 - s1)*(Σ_k c_delta2_k·W2_ki)",
    ]


# -- the batch path of update and update_: arrays reused in place ------------------

x_, y_, c_, s_ = sp.symbols("x y c s", real=True)


def program_lines(shapes, steps, owned=frozenset(), reads=()):
    program = Program(ArrayPrinter({"sigmoid": "split"}), shapes, owned=owned)
    for name, expr in steps:
        program.define(sp.Symbol(name), expr, f"eq:{name}")
    for code, names in reads:
        program.read(code, names, "eq:read")
    return [code for code, _ in program.lines()]


def test_a_sigmoid_takes_its_preactivations_place():
    assert program_lines(
        {"g": ("B", 3)}, [("s", sigmoid(sp.Symbol("g", real=True)))], owned={"g"},
        reads=[("print(s)", ["s"])],
    ) == [
        "tmp1 = np.abs(g)",
        "np.negative(tmp1, out=tmp1)",
        "np.exp(tmp1, out=tmp1)",
        "s = np.greater_equal(g, 0, out=g)",
        "np.maximum(s, tmp1, out=s)",
        "tmp1 += 1",
        "s /= tmp1",
        "del tmp1",
        "print(s)",
    ]


def test_an_array_still_read_is_not_overwritten():
    # g is read after s: s needs arrays of its own, and a comparison's boolean array
    # never receives a float result.
    g = sp.Symbol("g", real=True)
    assert program_lines(
        {"g": ("B", 3)}, [("s", sigmoid(g))], owned={"g"}, reads=[("print(s, g)", ["s", "g"])],
    ) == [
        "tmp1 = np.abs(g)",
        "np.negative(tmp1, out=tmp1)",
        "np.exp(tmp1, out=tmp1)",
        "tmp2 = np.greater_equal(g, 0)",
        "s = np.maximum(tmp2, tmp1)",
        "del tmp2",
        "tmp1 += 1",
        "s /= tmp1",
        "del tmp1",
        "print(s, g)",
    ]


def test_inputs_are_read_never_written():
    f = sp.Symbol("f", real=True)
    lines = program_lines(
        {"f": ("B", 2), "y": ("B", 2)}, [("d", c_ * f * (1 - f) * (y_ - f))], owned={"f"},
        reads=[("print(d)", ["d"])],
    )
    assert lines == [
        "d = 1 - f",
        "d *= f",
        "tmp1 = np.subtract(y, f, out=f)",
        "d *= tmp1",
        "del f, tmp1",
        "d *= c",
        "print(d)",
    ]
    assert not any("out=y" in line for line in lines)


def test_numbers_divisions_and_what_has_no_elementwise_form():
    g, a = sp.symbols("g a", real=True)
    lines = program_lines(
        {"g": ("B", 2)},
        [("a", -g / 2 + sp.Rational(3, 2)), ("b", sp.sign(a) / a**3)],
        owned={"g"},
        reads=[("print(b)", ["b"])],
    )
    assert lines == [
        "a = np.multiply(g, 1/2, out=g)",
        "np.subtract(3/2, a, out=a)",
        "b = np.sign(a)",
        "tmp1 = a**3",  # printed whole, by the array printer
        "del a, g",
        "b /= tmp1",
        "del tmp1",
        "print(b)",
    ]


def test_a_second_name_for_an_array():
    g = sp.Symbol("g", real=True)
    assert program_lines(
        {"g": ("B", 2), "y": ("B", 2)}, [("f", g), ("d", y_ - sp.Symbol("f", real=True))],
        owned={"g"}, reads=[("print(d)", ["d"])],
    ) == ["f = g", "d = np.subtract(y, f, out=f)", "print(d)"]


UPDATE_ROWS = [
    *ROWS,
    pytest.param("3-4-3", ("tanh", "softmax"), "softmax_cross_entropy", id="softmax"),
    pytest.param("2-3-2", ("x*sigmoid(x)", "linear"), "half_squared_error", id="swish"),
    pytest.param("2-3-3-2", ("sin(x)", "sqrt(1 + x**2)", "sigmoid"), "squared_error", id="custom"),
]


@pytest.mark.parametrize("blas", [True, False], ids=["blas", "blocks"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layers, activation, loss", UPDATE_ROWS)
def test_update_and_update_in_place_are_gradient_descent(build, layers, activation, loss, dtype,
                                                        blas, monkeypatch):
    module = build(network(layers, activation, loss))
    if not blas:
        monkeypatch.setattr(module, "_GEMM", {})
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(11), batch=6,
                                  dtype=dtype)
    expected = [
        w - 0.4 / module.KAPPA * g for w, g in zip(weights, module.gradients(weights, x, y))
    ]
    before = [w.copy() for w in weights]
    new = module.update(weights, x, y, 0.4)
    for w, b in zip(weights, before):
        np.testing.assert_array_equal(w, b)
    module.update_(weights, x, y, 0.4)
    tolerance = 1e-12 if dtype == np.float64 else 2e-5
    for w, n, e in zip(weights, new, expected):
        assert w.dtype == n.dtype == dtype
        np.testing.assert_allclose(n, e, rtol=tolerance, atol=tolerance)
        np.testing.assert_allclose(w, e, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda w: [np.asfortranarray(v) for v in w], id="Fortran order"),
        pytest.param(lambda w: [np.repeat(v, 2, axis=1)[:, ::2] for v in w], id="strided"),
        pytest.param(lambda w: [v.astype(np.float32) for v in w], id="float32 weights"),
        pytest.param(lambda w: [v.astype(">f8") for v in w], id="big-endian"),
    ],
)
def test_update_in_place_of_any_layout_equals_update(build, change):
    module = build(network("5-4-3", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(12), batch=7)
    weights = change(weights)
    expected = module.update(weights, x, y, c=0.3)
    module.update_(weights, x, y, c=0.3)
    for w, e in zip(weights, expected):
        np.testing.assert_allclose(w, e, rtol=1e-6, atol=1e-6)


def test_the_blas_product_refuses_what_it_cannot_add():
    from generated import xnor

    rng = np.random.default_rng(13)
    weights, delta, inputs = rng.random((4, 6)), rng.random((5, 4)), rng.random((5, 5))
    product = weights[:, :-1]
    expected = product + delta.T @ inputs
    if not xnor._gemm_add(product, delta, inputs):
        pytest.skip("numpy's BLAS is not one the generated modules can call")
    np.testing.assert_allclose(product, expected, rtol=1e-14)
    before = weights.copy()
    for args in [
        (product, delta.astype(np.float32), inputs),  # two dtypes
        (product, delta, np.asfortranarray(inputs)),  # columns not contiguous
        (product, delta, inputs[::-1]),  # rows backwards
        (product, delta, weights[:, :5].T[:5]),  # overlaps the product
        (product.astype(np.float16), delta, inputs),  # no BLAS for it
    ]:
        assert xnor._gemm_add(*args) is False
    np.testing.assert_array_equal(weights, before)


def test_wrong_weight_shapes_on_the_float_path_take_the_array_path_and_are_named(build):
    module = build(network("2-2-1", "sigmoid"))
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(14), batch=None)
    for wrong, shape in [(weights[0].T, "(3, 2)"), (weights[0][..., np.newaxis], "(2, 3, 1)")]:
        message = f"expected shape (2, 3) (units, inputs + bias), got {shape}"
        with pytest.raises(ValueError, match=re.escape(message)):
            module.update([wrong, weights[1]], x, y)


def peak_of(function, *args) -> int:
    function(*args)  # warm up
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("blas", [True, False], ids=["blas", "blocks"])
def test_update_memory_stays_within_the_benchmarks_budgets(build, blas, monkeypatch):
    # The budgets of bench/run.py's memory section, on a smaller network.
    module = build(network("300-64-32", "sigmoid"))
    if not blas:
        monkeypatch.setattr(module, "_GEMM", {})
    weights, x, y = random_arrays(module_network(module), np.random.default_rng(15), batch=64)
    activations = 64 * (64 + 32) * 8
    weight_bytes = sum(w.nbytes for w in weights)
    assert peak_of(module.update, weights, x, y) <= weight_bytes + 3 * activations
    assert peak_of(module.update_, [w.copy() for w in weights], x, y) <= 2 * activations


def test_every_statement_of_the_batch_update_cites_its_equation():
    text = render(network("2-3-3-1", ("relu", "tanh", "sigmoid")), "derive --layers 2-3-3-1", "t")
    for function in ("def update(", "def update_("):
        body = text[text.index(function) :]
        body = body[body.index('"""', body.index('"""') + 3) + 3 : body.index("\n    return ")]
        statements = [line.strip() for line in body.splitlines() if line.startswith("    ")]
        statements = [s for s in statements if not s.startswith(("result", "if result", "return"))]
        labelled = [s for s in statements if re.search(r"  # \(eq:[\w-]+\)$", s)]
        rest = [s for s in statements if s not in labelled]
        assert len(labelled) > 20
        assert all(
            s.startswith(("del ", "weights = list(", "_check_writable(", "(W1, W2, W3), x, y",
                          "x, y = _promoted("))
            for s in rest
        ), rest
