"""The activation registry, one row per entry: slope in terms of the output, and values."""

import math

import pytest
import sympy as sp

from codegen import runtime
from derive import activations
from derive.activations import derivative, get, sigmoid

g = sp.Symbol("g", real=True)
s = sp.Symbol("s", real=True)


def logistic(x):
    return 1 / (1 + math.exp(-x))


# name, ∂s/∂g written with s (or g where the output cannot say it), s(g) in floats
ROWS = [
    ("sigmoid", s * (1 - s), logistic),
    ("tanh", 1 - s**2, math.tanh),
    ("relu", sp.Heaviside(g, 0), lambda x: max(x, 0.0)),
    ("softplus", sigmoid(g), lambda x: math.log1p(math.exp(x))),
    ("linear", sp.S.One, lambda x: x),
]
NAMES = [row[0] for row in ROWS]
POINTS = [-2.5, -0.3, 0.7, 3.1]


def test_every_elementwise_registry_entry_has_a_row():
    elementwise = {
        name for name, a in activations.ACTIVATIONS.items() if getattr(a, "elementwise", True)
    }
    assert elementwise == set(NAMES)


@pytest.mark.parametrize("name, slope, formula", ROWS, ids=NAMES)
def test_slope_in_terms_of_the_output(name, slope, formula):
    got = derivative(get(name), g, s)
    assert got == slope or sp.simplify(got - slope) == 0, got
    assert not got.has(sp.exp)


@pytest.mark.parametrize("name, slope, formula", ROWS, ids=NAMES)
def test_values_match_a_float_formula(name, slope, formula):
    apply = get(name).apply
    for x in POINTS:
        want = formula(x)
        # A Float argument evaluates at once; a Rational one through evalf.
        assert abs(float(sp.N(apply(sp.Float(x, 30)), 30)) - want) < 1e-12, x
        assert abs(float(apply(sp.Rational(str(x))).evalf(30)) - want) < 1e-12, x


@pytest.mark.parametrize("name, slope, formula", ROWS, ids=NAMES)
def test_slope_matches_finite_differences(name, slope, formula):
    apply = get(name).apply
    h = 1e-6
    for x in POINTS:
        value = apply(sp.Float(x, 30))
        at = slope.xreplace({s: value, g: sp.Float(x, 30)}).evalf(30)
        numeric = (formula(x + h) - formula(x - h)) / (2 * h)
        assert abs(float(at) - numeric) < 1e-6, x


def test_sigmoid_of_0_is_one_half():
    assert sigmoid(0) == sp.Rational(1, 2)
    assert sigmoid(sp.S.Zero) is sp.S.Half
    assert get("sigmoid").apply(sp.Integer(0)) == sp.Rational(1, 2)


def test_sigmoid_stays_symbolic_and_evaluates_with_evalf():
    assert isinstance(sigmoid(g), sigmoid)
    assert isinstance(sigmoid(sp.Integer(1)), sigmoid)
    assert abs(float(sigmoid(sp.Integer(1)).evalf(30)) - logistic(1.0)) < 1e-15
    assert sp.diff(sigmoid(g), g) == sigmoid(g) * (1 - sigmoid(g))


def test_relu_slope_is_0_at_0():
    assert derivative(get("relu"), g, s).subs(g, 0) == 0


def test_unknown_activation_is_a_value_error_listing_the_known_ones():
    with pytest.raises(ValueError) as error:
        get("sigmoidal")
    message = str(error.value)
    assert "'sigmoidal'" in message
    for name in activations.ACTIVATIONS:
        assert name in message


@pytest.mark.parametrize("name", [n for n, a in activations.ACTIVATIONS.items() if a.elementwise])
def test_stable_forms_equal_what_they_stand_for(name):
    entry = get(name)
    for x in [*POINTS, -40.0, 40.0]:
        at = sp.Float(x, 50)
        out = entry.apply(at).evalf(50)
        if entry.complement is not None:
            assert abs(entry.complement(at).evalf(50) - (1 - out)) < 1e-45, x
        if entry.log is not None:
            assert abs(entry.log(at).evalf(50) - sp.log(out)) < 1e-40, x
    # the registry's own forms, where the generated code needs one
    assert (entry.complement is None) == (entry.log is None) == (name != "sigmoid")


def test_a_layer_wide_entry_names_its_runtime_helpers():
    softmax = get("softmax")
    for helper in (softmax.array, softmax.complement, softmax.log):
        assert callable(getattr(runtime, helper)), helper


def test_kinks_are_where_the_slope_jumps():
    for entry in activations.ACTIVATIONS.values():
        for kink in entry.kinks:
            slope = sp.diff(entry.apply(g), g)
            left, right = (slope.subs(g, kink + side).evalf() for side in (-1e-9, 1e-9))
            assert left != right, entry.name
    assert get("relu").kinks == (0.0,)
