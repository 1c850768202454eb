"""Every hidden activation × loss: derived, proved, explained, generated and checked numerically.

One row per architecture (hidden activation, loss, output activation, sizes).
For each row the chain-rule gradient −κ δ X equals SymPy's direct derivative of
the expanded ε at random points to 50 digits (the method of ``test_proofs.py``),
the generated module's ``gradients`` match five-point finite differences of its
``loss``, and the LaTeX explanation states the δ and κ.
"""

from __future__ import annotations

import ast
import functools
import itertools
import random
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from derive import Derivation, Network, activations
from derive.cli import main
from derive.explain.latex import BackpropPrinter, explain
from derive.network import SpecError, from_table
from tests.numeric import finite_differences
from tests.symbolic import all_weights, expanded_loss, expanded_outputs, random_point

SOFTSIGN = "x/(1 + abs(x))"
MISH = "x*tanh(log(1+exp(x)))"
HIDDEN = ["sigmoid", "tanh", "relu", "softplus", "linear", SOFTSIGN, MISH]
SHORT = {SOFTSIGN: "softsign", MISH: "mish"}

# loss, output activation, layer sizes, κ
LOSSES = [
    ("squared_error", "sigmoid", "2-3-2", 2),
    ("squared_error", "tanh", "2-3-2", 2),
    ("squared_error", "linear", "2-3-2", 2),
    ("half_squared_error", "sigmoid", "2-3-2", 1),
    ("binary_cross_entropy", "sigmoid", "2-3-2", 1),
    ("softmax_cross_entropy", "softmax", "3-2-3", 1),
]

COMBINATIONS = [
    pytest.param(
        hidden, loss, output, layers, kappa, id=f"{SHORT.get(hidden, hidden)}-{loss}-{output}"
    )
    for hidden, (loss, output, layers, kappa) in itertools.product(HIDDEN, LOSSES)
]

DIGITS = 50
TOLERANCE = sp.Float("1e-40")


@functools.cache
def network(hidden: str, loss: str, output: str, layers: str) -> Network:
    sizes = tuple(int(n) for n in layers.split("-"))
    return Network(sizes, (hidden, output), loss, name="net")


@functools.cache
def derivation(hidden: str, loss: str, output: str, layers: str) -> Derivation:
    """One derivation per architecture, shared by the tests of this file."""
    return Derivation(network(hidden, loss, output, layers))


def test_the_table_covers_every_hidden_activation_and_loss():
    elementwise = {name for name, a in activations.ACTIVATIONS.items() if a.elementwise}
    assert elementwise < set(HIDDEN)
    assert {row[0] for row in LOSSES} == {
        "squared_error",
        "half_squared_error",
        "binary_cross_entropy",
        "softmax_cross_entropy",
    }
    assert len(COMBINATIONS) == 7 * 6


# -- (a) proof: chain rule = direct derivative ----------------------------------


def chain_rule_substitutions(d: Derivation) -> tuple[dict, dict]:
    """δ symbols in terms of s, f, g, y, w (back to front); s, f, g in terms of x and w."""
    n = d.names
    deltas: dict = {}
    for j in range(d.depth, 0, -1):
        for i in d.units(j):
            deltas[n.delta(j, i)] = d.delta(j, i).xreplace(deltas)
    outputs = expanded_outputs(d)
    forward = dict(outputs)
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            forward[n.preactivation(j, i)] = d.preactivation(j, i).xreplace(outputs)
    return deltas, forward


def proof_points(d: Derivation, count: int = 2) -> list[dict]:
    """Random points to 50 digits; one-hot targets (a different class each) where the loss needs them."""
    rng = random.Random(f"{d.network.activations}-{d.network.loss}")
    points = [random_point(d, rng, digits=DIGITS) for _ in range(count)]
    if d.loss.one_hot:
        targets = [d.names.target(i) for i in d.units(d.depth)]
        for p, point in enumerate(points):
            point.update({t: sp.Integer(int(i == p % len(targets))) for i, t in enumerate(targets)})
    return points


@pytest.mark.parametrize("hidden, loss, output, layers, kappa", COMBINATIONS)
def test_chain_rule_gradient_equals_direct_derivative(hidden, loss, output, layers, kappa):
    d = derivation(hidden, loss, output, layers)
    deltas, forward = chain_rule_substitutions(d)
    eps = expanded_loss(d)
    points = proof_points(d)
    largest = sp.S.Zero
    for j, i, k, w in all_weights(d):
        chain = d.gradient(j, i, k).xreplace(deltas).xreplace(forward)
        direct = sp.diff(eps, w)
        for point in points:
            difference = (chain - direct).xreplace(point).evalf(DIGITS)
            assert difference.is_number, (j, i, k, difference)
            assert abs(difference) < TOLERANCE, (j, i, k, difference)
            largest = max(largest, abs(direct.xreplace(point).evalf(DIGITS)))
    assert largest > 1e-3  # the gradients compared are not all zero


# -- (b) the generated module against finite differences ----------------------



def random_arrays(net: Network, rng: np.random.Generator, batch: int | None):
    """Weights, x and y in float64; one-hot targets for a one-hot loss."""
    weights = [rng.uniform(-1.5, 1.5, size=shape) for shape in net.weight_shapes]
    lead = () if batch is None else (batch,)
    x = rng.uniform(-2, 2, size=lead + (net.sizes[0],))
    n = net.sizes[-1]
    if net.loss == "softmax_cross_entropy":
        y = np.eye(n)[rng.integers(n, size=lead)]
    else:
        y = rng.uniform(0.05, 0.95, size=lead + (n,))
    return weights, x, y


@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("hidden, loss, output, layers, kappa", COMBINATIONS)
def test_generated_gradients_match_finite_differences(
    build, hidden, loss, output, layers, kappa, batch
):
    net = network(hidden, loss, output, layers)
    module = build(net)
    assert module.KAPPA == kappa
    weights, x, y = random_arrays(
        net, np.random.default_rng([HIDDEN.index(hidden), batch or 1]), batch
    )
    got = module.gradients(weights, x, y)
    expected = finite_differences(module, weights, x, y)
    assert [g.shape for g in got] == list(net.weight_shapes)
    got, expected = (
        np.concatenate([g.ravel() for g in got]),
        np.concatenate([e.ravel() for e in expected]),
    )
    scale = np.max(np.abs(expected))
    assert scale > 1e-3
    assert np.max(np.abs(got - expected)) / scale <= 1e-6


def as_written_by_hand(source: str) -> list[str]:
    """What a person writing the module would not write: an operator without a space
    on each side (``**`` aside), a factor 1, ``* -x``, ``-(-x)``, or brackets around
    a whole right-hand side."""
    faults = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        text = ast.get_source_segment(source, node)
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Pow):
            between = source_between(source, node.left, node.right)
            if not re.fullmatch(r"\)* \S{1,2} \(*", between):
                faults.append(f"spacing {between!r} in {text}")
            if isinstance(node.op, ast.Mult) and any(
                isinstance(o, ast.Constant) and o.value == 1 for o in (node.left, node.right)
            ):
                faults.append(f"a factor 1 in {text}")
            if isinstance(node.op, ast.Mult) and isinstance(node.right, ast.UnaryOp):
                faults.append(f"* - in {text}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.UnaryOp):
            faults.append(f"a double sign in {text}")
        if isinstance(node, ast.Assign) and not isinstance(node.value, (ast.IfExp, ast.Tuple)):
            right = ast.get_source_segment(source, node.value, padded=False)
            line = source.splitlines()[node.lineno - 1]
            if f"= ({right})" in line:
                faults.append(f"brackets around {right}")
    return faults


def source_between(source: str, left: ast.AST, right: ast.AST) -> str:
    """The text between two operands (ast's offsets count the bytes of UTF-8)."""
    lines = [line.encode() for line in source.splitlines()]
    if left.end_lineno == right.lineno:
        return lines[right.lineno - 1][left.end_col_offset : right.col_offset].decode()
    text = b"\n".join(lines[left.end_lineno - 1 : right.lineno])
    return text[left.end_col_offset : len(text) - len(lines[right.lineno - 1]) + right.col_offset].decode()


@pytest.mark.parametrize("hidden, loss, output, layers, kappa", COMBINATIONS)
def test_generated_module_reads_as_if_written_by_hand(build, hidden, loss, output, layers, kappa):
    module = build(network(hidden, loss, output, layers))
    source = Path(module.__file__).read_text()
    assert "# (eq:delta-1)" in source
    assert as_written_by_hand(source) == []


def test_the_hand_written_check_finds_each_fault():
    for fault in ["a = b*c", "a = b * 1", "a = b * -c", "a = -(-b)", "a = (b @ c)", "a = b/ c"]:
        assert as_written_by_hand(fault), fault
    assert as_written_by_hand("a = (b - c) * d / (e * f)\nb = -c**2 + (1 if d else 0)") == []
    assert as_written_by_hand("a = ('δ' + b) * c") == []
    assert as_written_by_hand("a = ('δ' + b)*c")


# -- (c) the LaTeX explanation ------------------------------------------------


@pytest.mark.parametrize("hidden, loss, output, layers, kappa", COMBINATIONS)
def test_explanation_states_the_deltas_and_kappa(hidden, loss, output, layers, kappa):
    text = explain(derivation(hidden, loss, output, layers))
    assert r"\label{eq:delta-1}" in text
    assert r"\label{eq:delta-2}" in text
    assert rf"$\kappa = {kappa}$" in text
    assert rf"\kappa = {3 - kappa}$" not in text
    if hidden in SHORT:
        # shown as the maths it was read as, in g, not as the text typed in x
        d = derivation(hidden, loss, output, layers)
        shown = BackpropPrinter(d.names).doprint(d.activation(1).apply(sp.Symbol("g", real=True)))
        assert f"applies the custom activation ${shown}$ to each unit" in text
        assert hidden not in text


# -- the output δ of the cross entropies ----------------------------------------

BCE_DELTA_ROW = (
    r"  \delta^{(2)} &= \left(\frac{y}{f} - \frac{1 - y}{1 - f}\right) f \left(1 - f\right)"
    r" = y - f \notag"
)


def test_latex_of_binary_cross_entropy_shows_the_cancellation(capsys):
    assert main(["--latex", "--loss", "binary_cross_entropy"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert BCE_DELTA_ROW in lines
    assert (
        r"The activation's slope cancels against the loss's: the output $\delta$ is just $y - f$."
        in lines
    )
    assert r"  \delta^{(2)} &= y - f \label{eq:delta-2}\tag{delta-2}" in lines


def test_latex_of_squared_error_claims_no_cancellation(capsys):
    assert main(["--latex"]) == 0
    out, _ = capsys.readouterr()
    assert "cancels" not in out
    assert r"\delta^{(2)} &= \left(y - f\right) f \left(1 - f\right) \notag" in out


@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: SHORT.get(h, h))
def test_softmax_cross_entropy_output_delta_is_y_minus_f(hidden):
    d = derivation(hidden, "softmax_cross_entropy", "softmax", "3-2-3")
    n, L = d.names, d.depth
    for k in d.units(L):
        assert d.delta(L, k) == n.target(k) - n.output(L, k)


def test_softmax_jacobian_in_terms_of_the_outputs():
    d = derivation("tanh", "softmax_cross_entropy", "softmax", "3-2-3")
    n, L = d.names, d.depth
    f = [None] + [n.output(L, i) for i in d.units(L)]
    for i, k in itertools.product(d.units(L), repeat=2):
        expected = f[i] * (1 - f[i]) if i == k else -f[i] * f[k]
        got = d.jacobian(L, i, k)
        assert got == expected, (i, k, got)
    assert d.activation_slope(L, 2) == f[2] * (1 - f[2])


def test_softmax_jacobian_matches_finite_differences():
    d = derivation("sigmoid", "softmax_cross_entropy", "softmax", "3-2-3")
    n, L = d.names, d.depth
    g0 = [0.3, -1.2, 2.0]

    def softmax(g):
        e = np.exp(np.array(g) - max(g))
        return e / e.sum()

    f = softmax(g0)
    values = {n.output(L, i): f[i - 1] for i in d.units(L)}
    h = 1e-6
    for k in d.units(L):
        up, down = list(g0), list(g0)
        up[k - 1] += h
        down[k - 1] -= h
        column = (softmax(up) - softmax(down)) / (2 * h)
        for i in d.units(L):
            assert abs(float(d.jacobian(L, i, k).xreplace(values)) - column[i - 1]) < 1e-9


# -- pairings a spec must not make ---------------------------------------------

DATA = {"x": [[0.0, 1.0]], "y": [[1.0, 0.0, 0.0]]}
WEIGHTS = [[[0.1, 0.2, 0.3]] * 2, [[0.1, 0.2, 0.3]] * 3]

# spec fields beyond layers = [2, 2, 3], the field the error must name, words in it
BAD_PAIRINGS = [
    (
        {"activation": ["softmax", "softmax"], "loss": "softmax_cross_entropy"},
        "activation",
        "softmax is for the output layer only, not layer 1",
    ),
    (
        {"activation": ["tanh", "softmax"], "loss": "squared_error"},
        "activation",
        "softmax on the output layer needs the loss softmax_cross_entropy, got squared_error",
    ),
    (
        {"activation": ["sigmoid", "tanh"], "loss": "binary_cross_entropy"},
        "loss",
        "binary_cross_entropy needs the output activation sigmoid, got tanh",
    ),
    (
        {"activation": ["sigmoid", "sigmoid"], "loss": "softmax_cross_entropy"},
        "loss",
        "softmax_cross_entropy needs the output activation softmax, got sigmoid",
    ),
    (
        {
            "activation": ["tanh", "softmax"],
            "loss": "softmax_cross_entropy",
            "data": {"x": [[0.0, 1.0]], "y": [[1.0, 1.0, 0.0]]},
        },
        "data.y",
        "class distribution",
    ),
    (
        {
            "activation": ["tanh", "softmax"],
            "loss": "softmax_cross_entropy",
            "data": {"x": [[0.0, 1.0]], "y": [[1.5, -0.5, 0.0]]},
        },
        "data.y",
        "non-negative",
    ),
    (
        {
            "activation": ["tanh", "softmax"],
            "loss": "softmax_cross_entropy",
            "weights": WEIGHTS,
            "example": {"x": [0.0, 1.0], "y": [0.0, 0.0, 0.0]},
        },
        "example.y",
        "summing to 1",
    ),
]


@pytest.mark.parametrize("fields, field, words", BAD_PAIRINGS)
def test_bad_pairings_are_spec_errors_naming_the_field(fields, field, words):
    with pytest.raises(SpecError) as error:
        from_table({"layers": [2, 2, 3], **fields})
    message = str(error.value)
    assert message.startswith(f"{field}: "), message
    assert words in message


def test_a_good_softmax_spec_is_accepted():
    net = from_table(
        {
            "layers": [2, 2, 3],
            "activation": ["tanh", "softmax"],
            "loss": "softmax_cross_entropy",
            "data": DATA,
            "weights": WEIGHTS,
            "example": {"x": [0.0, 1.0], "y": [0.0, 1.0, 0.0]},
        }
    )
    assert net.activations == ("tanh", "softmax")


# -- extreme pre-activations in generated modules -------------------------------

REGISTRY_HIDDEN = ["sigmoid", "tanh", "relu", "softplus", "linear"]
EXTREME = [
    pytest.param(hidden, output, loss, id=f"{hidden}-{output}-{loss}")
    for hidden in REGISTRY_HIDDEN
    for output, loss in [
        ("sigmoid", "squared_error"),
        (hidden, "half_squared_error"),
        ("sigmoid", "binary_cross_entropy"),
        ("softmax", "softmax_cross_entropy"),
    ]
]


def extreme_arrays(dtype):
    """2-3-2 arrays: layer 1's pre-activations are exactly ±1e4 and 0, layer 2's up to ±2e4."""
    weights = [
        np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=dtype),
        np.array([[1.0, -1.0, 0.5, 0.0], [-1.0, 1.0, 0.0, 0.0]], dtype=dtype),
    ]
    x = np.array([[1e4, 0.0], [-1e4, 3.0], [0.0, 0.0]], dtype=dtype)
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=dtype)
    return weights, x, y


def run_everything(module, weights, x, y) -> list:
    return [
        *module.forward(weights, x),
        module.loss(weights, x, y),
        *module.deltas(weights, x, y),
        *module.gradients(weights, x, y),
        *module.update(weights, x, y),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden, output, loss", EXTREME)
def test_extreme_preactivations_raise_no_warning_and_give_no_nan(
    build, hidden, output, loss, dtype
):
    module = build(Network((2, 3, 2), (hidden, output), loss, name="net"))
    weights, x, y = extreme_arrays(dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        results = run_everything(module, weights, x, y)
    assert all(np.all(np.isfinite(r)) for r in results)
    assert all(np.asarray(r).dtype == dtype for r in results)


def test_extreme_rows_cover_the_registry():
    used = {a for param in EXTREME for a in param.values[:2]}
    assert used == set(activations.ACTIVATIONS)
    assert {param.values[2] for param in EXTREME} == {row[0] for row in LOSSES}
