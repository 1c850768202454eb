"""Generated modules: derivatives, batches, dtypes, stability, errors and the files themselves."""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import re
import subprocess
import sys
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from codegen import render, write
from derive import Derivation, Network, losses, seed
from tests.numeric import finite_differences
from tests.symbolic import all_weights, expanded_loss, random_point

ROOT = Path(__file__).resolve().parent.parent
SEED_COMMAND = "derive --regenerate DIR  (DIR: the folder of this module)"
SEED_SOURCE = "derive/networks/xnor.toml (built-in seed)"
ACTIVATIONS = ("sigmoid", "tanh", "relu", "softplus", "linear")


def network(layers: str, activations, loss: str = "squared_error") -> Network:
    sizes = tuple(int(n) for n in layers.split("-"))
    if isinstance(activations, str):
        activations = (activations,) * (len(sizes) - 1)
    return Network(sizes, tuple(activations), loss)


def random_network(seed: int) -> Network:
    """Depth 1 to 4, widths 1 to 7, any activation; cross entropy only after a sigmoid."""
    rng = random.Random(seed)
    depth = rng.randint(1, 4)
    sizes = tuple(rng.randint(1, 7) for _ in range(depth + 1))
    activations = tuple(rng.choice(ACTIVATIONS) for _ in range(depth))
    losses = ["squared_error", "half_squared_error"]
    if activations[-1] == "sigmoid":
        losses.append("binary_cross_entropy")
    return Network(sizes, activations, rng.choice(losses))


def random_arrays(net: Network, rng: np.random.Generator, batch: int | None, dtype=np.float64):
    sizes = net.sizes
    weights = [rng.uniform(-1.5, 1.5, size=shape).astype(dtype) for shape in net.weight_shapes]
    lead = () if batch is None else (batch,)
    x = rng.uniform(-2, 2, size=lead + (sizes[0],)).astype(dtype)
    y = rng.uniform(0.05, 0.95, size=lead + (sizes[-1],))
    if losses.get(net.loss).one_hot:
        y /= y.sum(axis=-1, keepdims=True)  # a class distribution
    return weights, x, y.astype(dtype)


def relative_error(got, expected) -> float:
    got = np.concatenate([g.ravel() for g in got])
    expected = np.concatenate([e.ravel() for e in expected])
    return np.max(np.abs(got - expected)) / max(np.max(np.abs(expected)), 1e-300)


# -- derivatives ------------------------------------------------------------

# Fixed seeds whose networks between them have every depth, activation and loss.
RANDOM_SEEDS = (0, 1, 3, 5, 7, 11, 12, 19)


def test_random_networks_cover_depths_activations_and_losses():
    nets = [random_network(s) for s in RANDOM_SEEDS]
    assert {net.depth for net in nets} == {1, 2, 3, 4}
    assert {n for net in nets for n in net.sizes} <= set(range(1, 8))
    assert {a for net in nets for a in net.activations} == set(ACTIVATIONS)
    assert {net.loss for net in nets} == {
        "squared_error",
        "half_squared_error",
        "binary_cross_entropy",
    }


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
@pytest.mark.parametrize("batch", [None, 3])
def test_gradients_match_finite_differences(build, seed, batch):
    net = random_network(seed)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(seed), batch)
    got = module.gradients(weights, x, y)
    assert [g.shape for g in got] == list(net.weight_shapes)
    assert relative_error(got, finite_differences(module, weights, x, y)) <= 1e-6


#: Custom activations whose slopes print as quotients, reciprocal powers and constants
#: (log 2 and e², which math computes: xp.log takes arrays).
CUSTOM = [
    "1/(1 + x**2)", "exp(-x**2)", "2*x - 3", "x/(2*(1 + x**2))", "x**2/2 - x", "x*sigmoid(x)", "2**x",
    "exp(2)*x/4", "x**3*(2 - sin(2))",
]

ROWS = [
    *(pytest.param("3-4-2", a, "squared_error", id=a) for a in ACTIVATIONS),
    *(pytest.param("3-4-2", (a, "sigmoid"), "squared_error", id=a) for a in CUSTOM),
    pytest.param("3-4-2", "sigmoid", "binary_cross_entropy", id="sigmoid-bce"),
    pytest.param("3-4-3", ("tanh", "softmax"), "softmax_cross_entropy", id="softmax"),
]


@pytest.mark.parametrize("layers, activation, loss", ROWS)
def test_each_activation_and_loss_against_finite_differences(build, layers, activation, loss):
    net = network(layers, activation, loss)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(7), batch=5)
    got = module.gradients(weights, x, y)
    assert relative_error(got, finite_differences(module, weights, x, y)) <= 1e-6


@pytest.mark.parametrize(
    "net",
    [
        network("2-2-1", "sigmoid"),
        network("2-2-2", ("tanh", "sigmoid"), "binary_cross_entropy"),
        network("1-2-2", ("softplus", "linear"), "half_squared_error"),
        network("2-3-1", ("relu", "tanh")),
        network("1-1-1-1", ("sigmoid", "softplus", "tanh")),
        network("2-2-3", ("sigmoid", "softmax"), "softmax_cross_entropy"),
    ],
    ids=lambda net: f"{net.layers_text}-{'-'.join(net.activations)}-{net.loss}",
)
def test_gradients_match_sympy_direct_derivative(build, net):
    d = Derivation(net)
    point = random_point(d, random.Random(net.layers_text), digits=40)
    if d.loss.one_hot:
        targets = [d.names.target(i) for i in d.units(d.depth)]
        total = sum(point[t] for t in targets)
        point.update({t: point[t] / total for t in targets})
    eps = expanded_loss(d)
    n = d.names
    weights = [np.empty(shape) for shape in net.weight_shapes]
    expected = [np.empty(shape) for shape in net.weight_shapes]
    for j, i, k, w in all_weights(d):
        weights[j - 1][i - 1, k - 1] = float(point[w])
        expected[j - 1][i - 1, k - 1] = float(sp.diff(eps, w).xreplace(point).evalf(30))
    x = np.array([float(point[n.input(k)]) for k in d.units(0)])
    y = np.array([float(point[n.target(i)]) for i in d.units(d.depth)])
    got = build(net).gradients(weights, x, y)
    assert relative_error(got, expected) <= 1e-12


# -- batches, dtypes, inputs ------------------------------------------------


@pytest.mark.parametrize("seed", [1, 4])
def test_batch_is_the_sum_of_samples(build, seed):
    net = random_network(seed)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(seed), batch=4)
    updated = module.update(weights, x, y, c=0.5)
    each = [module.update(weights, xb, yb, c=0.5) for xb, yb in zip(x, y)]
    for j, w in enumerate(weights):
        summed = w + sum(u[j] - w for u in each)
        np.testing.assert_allclose(updated[j], summed, rtol=1e-12, atol=1e-12)
    assert module.loss(weights, x, y) == pytest.approx(
        sum(module.loss(weights, xb, yb) for xb, yb in zip(x, y)), rel=1e-12
    )
    batched = module.deltas(weights, x, y)
    for b in range(len(x)):
        for j, delta in enumerate(module.deltas(weights, x[b], y[b])):
            np.testing.assert_allclose(batched[j][b], delta, rtol=1e-14)


def test_shapes_of_single_and_batched_results(build):
    net = network("3-4-2", "tanh")
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(0), batch=None)
    assert [a.shape for a in module.forward(weights, x)] == [(4,), (2,)]
    assert [a.shape for a in module.deltas(weights, x, y)] == [(4,), (2,)]
    assert np.ndim(module.loss(weights, x, y)) == 0
    xs, ys = np.stack([x, x]), np.stack([y, y])
    assert [a.shape for a in module.forward(weights, xs)] == [(2, 4), (2, 2)]
    assert [a.shape for a in module.deltas(weights, xs, ys)] == [(2, 4), (2, 2)]
    assert [a.shape for a in module.update(weights, xs, ys)] == [(4, 4), (2, 5)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dtype_is_preserved(build, dtype, activation):
    net = network("3-4-2", activation)
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(3), batch=2, dtype=dtype)
    results = [
        *module.forward(weights, x),
        *module.deltas(weights, x, y),
        *module.gradients(weights, x, y),
        *module.update(weights, x, y, c=0.1),
        module.loss(weights, x, y),
    ]
    assert {r.dtype for r in results} == {np.dtype(dtype)}


def test_update_leaves_its_inputs_untouched(build):
    net = network("2-3-1", "sigmoid")
    module = build(net)
    weights, x, y = random_arrays(net, np.random.default_rng(5), batch=3)
    before = [w.copy() for w in weights], x.copy(), y.copy()
    updated = module.update(weights, x, y, c=2.0)
    module.gradients(weights, x, y)
    for w, old in zip(weights, before[0]):
        np.testing.assert_array_equal(w, old)
    np.testing.assert_array_equal(x, before[1])
    np.testing.assert_array_equal(y, before[2])
    assert not any(np.shares_memory(u, w) for u in updated for w in weights)
    assert not np.allclose(updated[0], weights[0])


# -- numerical stability ----------------------------------------------------


EXTREME_ROWS = [
    *(pytest.param(a, "squared_error", id=a) for a in ACTIVATIONS),
    pytest.param("sigmoid", "binary_cross_entropy", id="sigmoid-bce"),
    pytest.param(("tanh", "softmax"), "softmax_cross_entropy", id="softmax"),
]


@pytest.mark.parametrize("c", [1e-3, 1, np.float64(1e-3)], ids=["float", "int", "numpy-float64"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_update_scales_the_new_sum_in_place(build, dtype, c):
    """Whatever c is, the update holds no second array the size of W⁽¹⁾ to scale it."""
    module = build(network("784-128-10", "sigmoid"))
    rng = np.random.default_rng(5)
    weights = [rng.normal(0, 0.05, (n, m + 1)).astype(dtype) for n, m in [(128, 784), (10, 128)]]
    x, y = rng.random((64, 784), dtype), rng.random((64, 10), dtype)
    module.update(weights, x, y, c)
    tracemalloc.start()
    try:
        new = module.update(weights, x, y, c)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [w.dtype for w in new] == [dtype, dtype]
    activations = 64 * (128 + 10) * np.dtype(dtype).itemsize  # every layer's output
    # The new weights and a few activations; a copy of W⁽¹⁾ (0.4 MB in float32) would not fit.
    assert peak <= sum(w.nbytes for w in new) + 3 * activations


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation, loss", EXTREME_ROWS)
def test_extreme_preactivations_raise_no_warning(build, activation, loss, dtype):
    net = network("2-3-2", activation, loss)
    module = build(net)
    # Pre-activations of the first layer are exactly ±1e4 and 0, of the second up to ±2e4.
    weights = [
        np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=dtype),
        np.array([[1.0, -1.0, 0.5, 0.0], [-1.0, 1.0, 0.0, 0.0]], dtype=dtype),
    ]
    x = np.array([[1e4, 0.0], [-1e4, 3.0], [0.0, 0.0]], dtype=dtype)
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        results = [
            *module.forward(weights, x),
            module.loss(weights, x, y),
            *module.deltas(weights, x, y),
            *module.gradients(weights, x, y),
            *module.update(weights, x, y),
        ]
    assert all(np.all(np.isfinite(r)) for r in results)
    assert all(r.dtype == dtype for r in results)


def test_cross_entropy_of_a_saturated_sigmoid_is_finite_and_exact(build):
    module = build(network("1-1", "sigmoid", "binary_cross_entropy"))
    weights = [np.array([[1.0, 0.0]])]
    # f = σ(−1e4) rounds to 0, yet ε = −log σ(−1e4) = log(1 + e^{1e4}) ≈ 1e4.
    assert module.loss(weights, np.array([-1e4]), np.array([1.0])) == 1e4
    assert module.loss(weights, np.array([1e4]), np.array([0.0])) == 1e4
    assert module.loss(weights, np.array([0.0]), np.array([1.0])) == pytest.approx(np.log(2))


def test_cross_entropy_of_a_saturated_softmax_is_finite_and_exact(build):
    module = build(network("1-2", "softmax", "softmax_cross_entropy"))
    weights = [np.array([[1.0, 0.0], [-1.0, 0.0]])]
    f = module.forward(weights, np.array([1e4]))[-1]
    assert f.tolist() == [1.0, 0.0]
    assert module.loss(weights, np.array([1e4]), np.array([0.0, 1.0])) == 2e4
    assert module.loss(weights, np.array([0.0]), np.array([0.5, 0.5])) == pytest.approx(np.log(2))


def test_sigmoid_saturates_exactly(build):
    module = build(network("1-1", "sigmoid"))
    f = module.forward([np.array([[1.0, 0.0]])], np.array([[-1e4], [0.0], [1e4]]))[-1]
    assert f.ravel().tolist() == [0.0, 0.5, 1.0]


def test_relu_slope_is_zero_at_zero(build):
    module = build(network("1-1-1", ("relu", "linear")))
    weights = [np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])]
    assert module.deltas(weights, np.array([0.0]), np.array([1.0]))[0].tolist() == [0.0]
    assert module.deltas(weights, np.array([1e-300]), np.array([1.0]))[0].tolist() == [1.0]


# -- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda w, x, y: (w[:1], x, y), "expected 2 matrices (one per layer), got 1"),
        (lambda w, x, y: (w + w[:1], x, y), "expected 2 matrices (one per layer), got 3"),
        (
            lambda w, x, y: ([w[0].T, w[1]], x, y),
            "expected shape (3, 4) (units, inputs + bias), got (4, 3)",
        ),
        (
            lambda w, x, y: ([w[0], w[1][:, :-1]], x, y),
            "expected shape (1, 4) (units, inputs + bias), got (1, 3)",
        ),
        (lambda w, x, y: (w, x[:, :2], y), "x: expected shape (3,) or (B, 3), got (2, 2)"),
        (lambda w, x, y: (w, x[None], y), "x: expected shape (3,) or (B, 3), got (1, 2, 3)"),
        (
            lambda w, x, y: (w, x, y[:1]),
            "y: expected shape (2, 1) to match x of shape (2, 3), got (1, 1)",
        ),
        (
            lambda w, x, y: (w, x[0], y),
            "y: expected shape (1,) to match x of shape (3,), got (2, 1)",
        ),
        (lambda w, x, y: (w, x[0], 0.0), "y: expected shape (1,) to match x of shape (3,), got ()"),
    ],
)
@pytest.mark.parametrize("function", ["loss", "deltas", "gradients", "update"])
def test_wrong_shapes_raise_value_error_naming_them(build, change, message, function):
    net = network("3-3-1", "sigmoid")
    module = build(net)
    args = change(*random_arrays(net, np.random.default_rng(0), batch=2))
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(module, function)(*args)


def test_forward_checks_shapes_too(build):
    module = build(network("3-3-1", "sigmoid"))
    with pytest.raises(ValueError, match=re.escape("x: expected shape (3,) or (B, 3), got (4,)")):
        module.forward([np.zeros((3, 4)), np.zeros((1, 4))], np.zeros(4))


# -- the module files -------------------------------------------------------


def test_committed_seed_module_is_up_to_date():
    committed = (ROOT / "generated" / "xnor.py").read_bytes()
    assert committed == render(seed(), SEED_COMMAND, SEED_SOURCE, {"seed": True}).encode(), (
        "generated/xnor.py is stale: regenerate it with `derive --regenerate generated`"
    )


def test_header():
    lines = render(seed(), SEED_COMMAND, SEED_SOURCE, {"seed": True}).splitlines()
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
    from derive import __version__

    assert f"backprop-derive {__version__}" in header
    assert "DO NOT EDIT" in header
    assert "layers 2-2-1, activations sigmoid, sigmoid, loss squared_error" in header
    assert SEED_SOURCE in header
    assert f"# Regenerate with: {SEED_COMMAND}" in lines
    assert '# Recipe: {seed = true, generator = "0.1.0"}' in lines


def test_every_named_quantity_cites_its_equation():
    text = render(network("2-3-3-1", ("relu", "tanh", "sigmoid")), "derive --layers 2-3-3-1", "t")
    for name, label in [
        ("g1", "g-1"), ("s1", "s-1"), ("g3", "g-3"), ("f", "s-3"),
        ("delta3", "delta-3"), ("delta1", "delta-1"),
        ("dW2", "gradient-2"), ("W3_new", "update-3"),
    ]:  # fmt: skip
        assert re.search(rf"^    {name} = .*  # \(eq:{label}\)$", text, re.MULTILINE), name
    assert re.search(r"^    return xp\.sum\(.*\)  # \(eq:loss\)$", text, re.MULTILINE)
    assert "    delta1 = step(g1) * (delta2 @ W2[:, :-1])  # (eq:delta-1)\n" in text
    assert "    delta2 = (1 - s2**2) * (delta3 @ W3[:, :-1])  # (eq:delta-2)\n" in text
    assert "with κ = 2" in text


@pytest.mark.parametrize("layers, activation, loss, complement", [
    ("2-3-1", ("tanh", "sigmoid"), "binary_cross_entropy", "sigmoid(-g2)"),
    ("2-3-3", ("relu", "softmax"), "softmax_cross_entropy", "softmax_complement(g2)"),
])  # fmt: skip
def test_an_output_delta_written_otherwise_says_it_is_y_minus_f(layers, activation, loss, complement):
    text = render(network(layers, activation, loss), f"derive --layers {layers}", "t")
    line = f"    delta2 = y * {complement} - (1 - y) * f  # (eq:delta-2): y - f, 1 - f as {complement}"
    assert f"{line}, precise near f = 1\n" in text


def test_render_is_deterministic_across_processes():
    net = network("3-4-2-2", ("softplus", "relu", "sigmoid"), "binary_cross_entropy")
    first = render(net, "derive --layers 3-4-2-2", "--layers 3-4-2-2")
    assert render(net, "derive --layers 3-4-2-2", "--layers 3-4-2-2") == first
    script = (
        "import sys\n"
        "from codegen import render\n"
        "from derive import Network\n"
        "net = Network((3, 4, 2, 2), ('softplus', 'relu', 'sigmoid'), 'binary_cross_entropy')\n"
        "sys.stdout.write(render(net, 'derive --layers 3-4-2-2', '--layers 3-4-2-2'))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    other = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout == first


def test_importing_a_generated_module_imports_no_sympy_jinja2_or_derive(build, tmp_path):
    path = tmp_path / "net.py"
    write(render(network("2-3-1", ("relu", "softplus")), "derive --layers 2-3-1", "t"), path)
    script = (
        "import importlib.util, sys\n"
        "import generated.xnor\n"
        f"spec = importlib.util.spec_from_file_location('net', {str(path)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(sorted(m for m in ('sympy', 'jinja2', 'derive', 'codegen') if m in sys.modules))\n"
        "print('numpy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True"]


def test_generated_code_passes_ruff(tmp_path):
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e .[test])")
    paths = [ROOT / "generated" / "xnor.py"]
    for k, (layers, activations, loss) in enumerate(
        [
            ("1-1", "linear", "half_squared_error"),
            ("3-4-2-2", ("softplus", "relu", "sigmoid"), "binary_cross_entropy"),
            ("2-3-3-1", ("tanh", "relu", "softplus"), "squared_error"),
        ]
    ):
        paths.append(tmp_path / f"net{k}.py")
        write(
            render(network(layers, activations, loss), f"derive --layers {layers}", "t"), paths[-1]
        )
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- render's arguments --------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    ["python -m derive --out x.py", "", "derive --out 'x.py", "derive --out x.py\nimport os"],
)
def test_render_rejects_a_command_that_cannot_be_read_back(command):
    with pytest.raises(ValueError, match="command"):
        render(seed(), command, SEED_SOURCE)


def test_title_and_source_stay_in_comments():
    net = Network((1, 1), ("sigmoid",), title='evil\n"""\nimport os\x00', name="n")
    text = render(net, "derive --spec n.toml", "n.toml\nimport os")
    compile(text, "n.py", "exec")
    assert "\nimport os" not in text
    assert '# evil """ import os\n' in text
