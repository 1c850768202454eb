"""Proof, not faith: the chain-rule result equals SymPy's direct derivative of ε.

For every weight w of a network, the derivation's ∂ε/∂w = −κ δ_i X_k is turned
into an expression of x, y and the weights alone (each δ symbol replaced by its
expression, back to front, then each s, f and g by its expanded forward value)
and compared with ``sp.diff`` of the fully expanded ε.  Two methods:

* exact — ``sp.simplify(chain_rule - direct) == 0``; used where it is fast:
  the seed (2-2-1), 2-3-1 and 2-2-2 (the last takes a few seconds);
* random points — the difference vanishes (|value| < 1e-40) at three random
  points of x, y and the weights, evaluated to 50 significant digits; used for
  3-4-4-2 (where simplify takes minutes), as a second view of 2-2-2, and for the
  table of activations × losses on 2-2-1 and 2-3-2.

The δ forms are checked exactly as SymPy expressions, and the vector form
(``Derivation.layer_rule``) is checked element by element against the per-unit
δ, exactly and at a random point.
"""

import random

import numpy as np
import pytest
import sympy as sp

from derive import Derivation, Network, seed
from derive.activations import sigmoid
from tests.symbolic import all_weights, expanded_loss, expanded_outputs, random_point

DIGITS = 50
TOLERANCE = sp.Float("1e-40")
POINTS = 3


# -- helpers ---------------------------------------------------------------------


def network(layers: str, activation: str = "sigmoid", loss: str = "squared_error") -> Network:
    """A network of the given sizes; the seed for ``"seed"``.

    With binary cross entropy the output layer is a sigmoid (f in (0, 1)) and
    ``activation`` is used on the hidden layers only.
    """
    if layers == "seed":
        return seed()
    sizes = tuple(int(n) for n in layers.split("-"))
    acts = [activation] * (len(sizes) - 1)
    if loss == "binary_cross_entropy":
        acts[-1] = "sigmoid"
    return Network(sizes, tuple(acts), loss=loss, name="net_" + layers.replace("-", "_"))


def unit_deltas(d: Derivation) -> dict:
    """Every δ symbol mapped to its expression in s, f, g, y and w (no δ left)."""
    n = d.names
    full = {}
    for j in range(d.depth, 0, -1):
        for i in d.units(j):
            full[n.delta(j, i)] = d.delta(j, i).xreplace(full)
    return full


def expanded_forward(d: Derivation) -> dict:
    """Every output and pre-activation symbol mapped to its expression in x and w."""
    outputs = expanded_outputs(d)
    n = d.names
    forward = dict(outputs)
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            forward[n.preactivation(j, i)] = d.preactivation(j, i).xreplace(outputs)
    return forward


def gradient_differences(d: Derivation, gradient=None):
    """(j, i, k, chain-rule ∂ε/∂w − sp.diff(ε, w)) for every weight, in x, y and w."""
    gradient = gradient or d.gradient
    deltas, forward = unit_deltas(d), expanded_forward(d)
    eps = expanded_loss(d)
    for j, i, k, w in all_weights(d):
        chain = gradient(j, i, k).xreplace(deltas).xreplace(forward)
        yield j, i, k, chain - sp.diff(eps, w)


def vanishes_at_random_points(expr: sp.Expr, points) -> list:
    """The points (as values) where ``expr`` does not vanish to 50 digits."""
    bad = []
    for point in points:
        value = expr.xreplace(point).evalf(DIGITS)
        assert value.is_number, value
        if not abs(value) < TOLERANCE:
            bad.append(value)
    return bad


def points(d: Derivation, seed_value: int = 2024) -> list:
    """Three reproducible random points of x, y and the weights, 50 digits each."""
    rng = random.Random(seed_value)
    return [random_point(d, rng, digits=DIGITS) for _ in range(POINTS)]


# -- every weight: exact --------------------------------------------------------


@pytest.mark.parametrize("layers", ["seed", "2-3-1", "2-2-2"])
def test_every_weight_gradient_exact_by_simplify(layers):
    """Exact method: sp.simplify(chain rule − direct derivative) == 0 for every weight."""
    d = Derivation(network(layers))
    checked = 0
    for j, i, k, difference in gradient_differences(d):
        assert sp.simplify(difference) == 0, (j, i, k)
        checked += 1
    assert checked == sum(r * c for r, c in d.network.weight_shapes)


# -- every weight: random points ------------------------------------------------


@pytest.mark.parametrize("layers", ["3-4-4-2", "2-2-2"])
def test_every_weight_gradient_at_random_points(layers):
    """Random-point method: the difference is below 1e-40 at 3 points, 50 digits."""
    d = Derivation(network(layers))
    at = points(d)
    checked = 0
    for j, i, k, difference in gradient_differences(d):
        assert vanishes_at_random_points(difference, at) == [], (j, i, k)
        checked += 1
    assert checked == sum(r * c for r, c in d.network.weight_shapes)


def test_the_checks_reject_a_gradient_without_its_factor_kappa():
    """Both methods can fail: the seed's gradient without its factor 2 is refuted."""
    d = Derivation(seed())

    def wrong(j, i, k):
        return d.gradient(j, i, k) / 2

    at = points(d)
    for j, i, k, difference in gradient_differences(d, gradient=wrong):
        assert sp.simplify(difference) != 0, (j, i, k)
        assert len(vanishes_at_random_points(difference, at)) == POINTS, (j, i, k)


# -- every registered activation × loss: random points ------------------------

ACTIVATIONS = ["sigmoid", "tanh", "relu", "softplus", "linear"]
LOSSES = ["squared_error", "half_squared_error", "binary_cross_entropy"]


@pytest.mark.parametrize("layers", ["2-2-1", "2-3-2"])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_weight_gradient_at_random_points_per_activation_and_loss(activation, loss, layers):
    """Random-point method over the registry (binary cross entropy: sigmoid output).

    relu is not differentiable at 0; random points never hit a pre-activation of 0.
    """
    d = Derivation(network(layers, activation, loss))
    at = points(d, seed_value=7)
    for j, i, k, difference in gradient_differences(d):
        assert vanishes_at_random_points(difference, at) == [], (j, i, k)


# -- the δ forms, exactly -------------------------------------------------------


@pytest.mark.parametrize("layers", ["seed", "2-2-2", "3-4-4-2"])
@pytest.mark.parametrize("loss", ["squared_error", "half_squared_error"])
def test_output_delta_is_y_minus_f_times_f_one_minus_f(layers, loss):
    """Exact: δ_i^{(L)} − (y_i − f_i) f_i (1 − f_i) expands to 0, for κ = 2 and κ = 1."""
    net = network(layers, loss=loss)
    d = Derivation(net)
    n, L = d.names, d.depth
    for i in d.units(L):
        y, f = n.target(i), n.output(L, i)
        assert sp.expand(d.delta(L, i) - (y - f) * f * (1 - f)) == 0


def test_output_delta_of_cross_entropy_after_sigmoid_cancels_to_y_minus_f():
    """Exact: with binary cross entropy the f(1 − f) cancels and δ is y − f itself."""
    d = Derivation(network("2-3-2", "sigmoid", "binary_cross_entropy"))
    n = d.names
    for i in d.units(2):
        assert d.delta(2, i) == n.target(i) - n.output(2, i)
    assert d.delta_cancels()


@pytest.mark.parametrize("layers", ["3-4-4-2", "2-3-2", "seed"])
def test_hidden_delta_is_slope_times_one_term_per_next_layer_unit(layers):
    """Exact: δ_i^{(j)} = s_i(1 − s_i) Σ_k δ_k^{(j+1)} w_ki^{(j+1)}, n_{j+1} terms."""
    d = Derivation(network(layers))
    n = d.names
    for j in range(1, d.depth):
        for i in d.units(j):
            s = n.output(j, i)
            terms = [n.delta(j + 1, k) * n.weight(j + 1, k, i) for k in d.units(j + 1)]
            expected = s * (1 - s) * sp.Add(*terms)
            assert sp.expand(d.delta(j, i) - expected) == 0
            slope, backprop_sum = d.delta_factors(j, i)
            assert slope == s * (1 - s)
            assert set(sp.Add.make_args(backprop_sum)) == set(terms)
            assert len(sp.Add.make_args(backprop_sum)) == d.sizes[j + 1]
            sums = [
                a for a in sp.Mul.make_args(d.delta(j, i)) if a.is_Add and a.has(n.delta(j + 1, 1))
            ]
            if d.sizes[j + 1] > 1:
                assert len(sums) == 1 and len(sums[0].args) == d.sizes[j + 1]


def test_sigmoid_slope_is_s_one_minus_s_without_exp():
    """Exact: ∂s/∂g comes out as s(1 − s), with no exp and no sigmoid in it."""
    d = Derivation(seed())
    n = d.names
    for j, i in [(1, 1), (1, 2), (2, 1)]:
        slope = d.activation_slope(j, i)
        s = n.output(j, i)
        assert slope == s * (1 - s)
        assert not slope.has(sp.exp)
        assert not slope.has(sigmoid)


# -- the vector form ----------------------------------------------------------


def concrete_sizes(d: Derivation) -> dict:
    """The symbolic layer sizes n_j of the vector form mapped to this network's sizes."""
    return {d.names.vector("g", m).shape[0]: size for m, size in enumerate(d.sizes)}


def explicit_layer_rule(d: Derivation, j: int) -> sp.Matrix:
    """``layer_rule(j)`` as an explicit column of entries like s1[0, 0]."""
    return d.layer_rule(j).xreplace(concrete_sizes(d)).as_explicit()


def elements_to_units(d: Derivation, j: int) -> dict:
    """Each vector element of layer j's rule mapped to its per-unit symbol."""
    n, L = d.names, d.depth
    sizes = concrete_sizes(d)

    def vec(kind, m):
        return n.vector(kind, m).xreplace(sizes)

    out = {}
    for i in d.units(j):
        out[vec("s", j)[i - 1, 0]] = n.output(j, i)
        out[vec("g", j)[i - 1, 0]] = n.preactivation(j, i)
        if j == L:
            out[vec("y", j)[i - 1, 0]] = n.target(i)
    if j < L:
        for k in d.units(j + 1):
            out[vec("delta", j + 1)[k - 1, 0]] = n.delta(j + 1, k)
            for i in d.units(j):
                out[vec("Wbar", j + 1)[k - 1, i - 1]] = n.weight(j + 1, k, i)
    return out


def forward_and_deltas(d: Derivation, point: dict) -> dict:
    """Per-unit numbers: g, s and δ of every unit at ``point`` (50 digits)."""
    n = d.names
    values = dict(point)
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            g = d.preactivation(j, i).xreplace(values).evalf(DIGITS)
            values[n.preactivation(j, i)] = g
            s = d.output(j, i).xreplace({n.preactivation(j, i): g})
            values[n.output(j, i)] = s.evalf(DIGITS)
    for j in range(d.depth, 0, -1):
        for i in d.units(j):
            values[n.delta(j, i)] = d.delta(j, i).xreplace(values).evalf(DIGITS)
    return values


def test_layer_rule_matches_unit_deltas_3_4_4_2_exactly():
    """Exact: each element of δ^{(j)} = s ⊙ (1 − s) ⊙ W̄ᵀδ (and the output's) is the unit's δ."""
    d = Derivation(network("3-4-4-2"))
    for j in range(1, d.depth + 1):
        column = explicit_layer_rule(d, j).xreplace(elements_to_units(d, j))
        assert column.shape == (d.sizes[j], 1)
        for i in d.units(j):
            assert sp.expand(column[i - 1, 0] - d.delta(j, i)) == 0, (j, i)


def test_layer_rule_matches_unit_deltas_3_4_4_2_at_a_random_point():
    """Random point: the vector form, filled with per-unit numbers, gives the per-unit δ."""
    d = Derivation(network("3-4-4-2"))
    n = d.names
    values = forward_and_deltas(d, points(d)[0])
    for j in range(1, d.depth + 1):
        column = explicit_layer_rule(d, j).xreplace(elements_to_units(d, j)).xreplace(values)
        for i in d.units(j):
            unit = values[n.delta(j, i)]
            assert abs(column[i - 1, 0].evalf(DIGITS) - unit) < TOLERANCE, (j, i)
            assert abs(unit) > sp.Float("1e-6")  # a real number, not a vanishing one
    # The same hidden layers in numpy: s ⊙ (1 − s) ⊙ W̄ᵀδ from the per-unit numbers.
    for j in range(1, d.depth):
        s = np.array([float(values[n.output(j, i)]) for i in d.units(j)])
        wbar = np.array(
            [[float(values[n.weight(j + 1, k, i)]) for i in d.units(j)] for k in d.units(j + 1)]
        )
        delta_next = np.array([float(values[n.delta(j + 1, k)]) for k in d.units(j + 1)])
        unit = np.array([float(values[n.delta(j, i)]) for i in d.units(j)])
        np.testing.assert_allclose(s * (1 - s) * (wbar.T @ delta_next), unit, rtol=1e-12)


def assert_layer_rule_matches_unit_deltas(d: Derivation) -> None:
    for j in range(1, d.depth + 1):
        column = explicit_layer_rule(d, j).xreplace(elements_to_units(d, j))
        for i in d.units(j):
            assert sp.cancel(column[i - 1, 0] - d.delta(j, i)) == 0, (j, i)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_layer_rule_matches_unit_deltas_per_activation(activation):
    """Exact (sp.cancel): the vector form of each layer of 2-3-2, element by element.

    The vector form must be indexable like any SymPy matrix expression
    (``as_explicit``), whatever the activation's slope looks like.
    """
    assert_layer_rule_matches_unit_deltas(Derivation(network("2-3-2", activation)))


@pytest.mark.parametrize("loss", LOSSES)
def test_layer_rule_matches_unit_deltas_per_loss(loss):
    """Exact (sp.cancel): as above, sigmoid 2-3-2, for each loss's output δ."""
    assert_layer_rule_matches_unit_deltas(Derivation(network("2-3-2", "sigmoid", loss)))


@pytest.mark.parametrize("activation", ["3*x/2", "-x", "2*x - 1", "exp(2)*x", "2**x", "2**(-x)"])
def test_layer_rule_of_a_constant_slope_matches_unit_deltas(activation):
    """Exact: a number times W̄ᵀδ (and times y − f), each layer of 2-3-2 element by element;
    a constant, e² or the log 2 of 2^g log 2, as a number."""
    assert_layer_rule_matches_unit_deltas(Derivation(network("2-3-2", activation)))
