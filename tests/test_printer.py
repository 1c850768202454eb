"""The printers of generated code: exact strings, one test per construct."""

import math

import pytest
import sympy as sp
from sympy.matrices.expressions import HadamardProduct

from codegen.module import ModuleCode, vector_names
from codegen.printer import ArrayPrinter, Helper, LayerFunction, ScalarPrinter, Total
from derive import Derivation, Network, seed
from derive.activations import relu, sigmoid, softplus

g, f, y = sp.symbols("g1 f y", real=True)
D = Derivation(seed())


def code(expr, d=D):
    return ArrayPrinter(vector_names(d)).doprint(expr)


def test_preactivation_adds_the_bias_column_without_building_x():
    assert code(D.preactivation_rule(1)) == "x @ W1[:, :-1].T + W1[:, -1]"
    assert code(D.preactivation_rule(2)) == "s1 @ W2[:, :-1].T + W2[:, -1]"


def test_outputs_call_the_stable_helpers():
    printer = ArrayPrinter(vector_names(D))
    assert printer.doprint(D.output_rule(2)) == "sigmoid(g2)"
    assert printer.helpers == {"sigmoid"}


def test_the_seeds_deltas_in_the_explanations_order():
    assert code(D.layer_rule(2)) == "(y - f) * f * (1 - f)"
    assert code(D.layer_rule(1)) == "s1 * (1 - s1) * (delta2 @ W2[:, :-1])"


def test_gradient_and_update_sum_over_the_samples():
    # −κ and c scale δ, before the products sum over the samples
    assert code(D.gradient_rule(1)) == "outer(-2 * delta1, x)"
    assert code(D.update_rule(2)) == "W2 + outer(c * delta2, s1)"


@pytest.mark.parametrize(
    "activation, output, slope",
    [
        ("tanh", "xp.tanh(g1)", "(1 - s1**2) * (delta2 @ W2[:, :-1])"),
        ("relu", "xp.maximum(g1, 0)", "step(g1) * (delta2 @ W2[:, :-1])"),
        ("softplus", "softplus(g1)", "sigmoid(g1) * (delta2 @ W2[:, :-1])"),
        ("linear", "g1", "delta2 @ W2[:, :-1]"),
        ("2*x - 3", "2 * g1 - 3", "2 * (delta2 @ W2[:, :-1])"),
        ("3*x/2", "3 * g1 / 2", "3/2 * (delta2 @ W2[:, :-1])"),
        ("-x", "-g1", "-(delta2 @ W2[:, :-1])"),
        # a constant by math, whose functions take Python numbers
        ("2**x", "2**g1", "log(2) * s1 * (delta2 @ W2[:, :-1])"),
        ("2**(-x)", "2**(-g1)", "-log(2) * s1 * (delta2 @ W2[:, :-1])"),
        ("x**3*(2 - sin(2))", "g1**3 * (2 - sin(2))", "(6 - 3 * sin(2)) * g1**2 * (delta2 @ W2[:, :-1])"),
        ("sqrt(2)*x", "sqrt(2) * g1", "sqrt(2) * (delta2 @ W2[:, :-1])"),
        ("x*sigmoid(x)", "g1 * sigmoid(g1)", "(g1 * (1 - sigmoid(g1)) * sigmoid(g1) + sigmoid(g1)) * (delta2 @ W2[:, :-1])"),
        ("x**2/2 - x", "g1**2 / 2 - g1", "(g1 - 1) * (delta2 @ W2[:, :-1])"),
        # a negative slope's sign leads the line, as it leads the LaTeX's −2g/(g² + 1)² ⊙ (W̄ᵀδ)
        ("1/(1 + x**2)", "1 / (g1**2 + 1)", "-2 * g1 / (g1**2 + 1)**2 * (delta2 @ W2[:, :-1])"),
        ("cos(x)", "xp.cos(g1)", "-xp.sin(g1) * (delta2 @ W2[:, :-1])"),
        # a quotient with its number, and the factors and terms in the order of the unit's formula
        ("sqrt(x)", "xp.sqrt(g1)", "1 / (2 * xp.sqrt(g1)) * (delta2 @ W2[:, :-1])"),
        ("x*cos(x)", "g1 * xp.cos(g1)", "(xp.cos(g1) - g1 * xp.sin(g1)) * (delta2 @ W2[:, :-1])"),
        ("tanh(x)**3", "xp.tanh(g1)**3", "(3 - 3 * xp.tanh(g1)**2) * xp.tanh(g1)**2 * (delta2 @ W2[:, :-1])"),
        (
            "x/(1 + abs(x))",
            "g1 / (xp.abs(g1) + 1)",
            (
                "(1 / (xp.abs(g1) + 1) - g1 * xp.sign(g1) / (xp.abs(g1) + 1)**2)"
                " * (delta2 @ W2[:, :-1])"
            ),
        ),
    ],
)
def test_each_hidden_activation_and_its_slope(activation, output, slope):
    d = Derivation(Network((2, 3, 1), (activation, "sigmoid")))
    assert code(d.output_rule(1), d) == output
    assert code(d.layer_rule(1), d) == slope


def test_layer_functions_and_the_loss():
    d = Derivation(Network((2, 3), ("softmax",), "softmax_cross_entropy"))
    n = d.names
    precise = HadamardProduct(n.vector("y", 1), LayerFunction("softmax_complement", n.vector("g", 1)))
    assert code(precise, d) == "y * softmax_complement(g1)"
    assert code(LayerFunction("softmax", n.vector("g", 1)), d) == "softmax(g1)"
    assert code(Total(-y * Helper(sp.Symbol("log_softmax"), g)), d) == "xp.sum(-y * log_softmax(g1))"
    assert code(Total((y - f) ** 2)) == "xp.sum((y - f)**2)"
    assert code(Total((y - f) ** 2 / 2)) == "xp.sum((y - f)**2 / 2)"


def test_products_and_quotients_are_spaced_and_keep_exponentials_whole():
    assert code(-2 * g * sp.exp(-g**2)) == "-2 * g1 * xp.exp(-g1**2)"
    assert code(g / (1 + sp.Abs(g)) ** 2) == "g1 / (xp.abs(g1) + 1)**2"
    assert code((1 + sp.Abs(g)) ** -2) == "1 / (xp.abs(g1) + 1)**2"
    assert code(g / (2 * y)) == "g1 / (2 * y)"
    assert code(sp.Pow(g * y, -1, evaluate=False)) == "1 / (g1 * y)"


def test_the_losses_logs_of_a_sigmoid_stay_finite_and_their_signs_cancel():
    d = Derivation(Network((2, 1), ("sigmoid",), "binary_cross_entropy"))
    assert ModuleCode(d.network).loss.code == "xp.sum(y * softplus(-g1) + (1 - y) * softplus(g1))"
    assert code(sp.log(f)) == "xp.log(f)"


def test_relu_slope_must_be_zero_at_zero():
    with pytest.raises(ValueError, match="0 at 0"):
        code(sp.Heaviside(g))


def test_scalar_forms_never_overflow_and_keep_nan():
    printer = ScalarPrinter()
    assert printer.doprint(sigmoid(g)) == "(1 / (1 + exp(-g1)) if g1 >= 0 else exp(g1) / (1 + exp(g1)))"
    assert printer.doprint(softplus(g)) == "(g1 + log1p(exp(-g1)) if g1 > 0 else log1p(exp(g1)))"
    assert printer.doprint(relu(g)) == "(0.0 if g1 < 0 else g1)"
    assert printer.doprint(sp.Heaviside(g, 0)) == "(1.0 if g1 > 0 else 0.0 if g1 <= 0 else g1)"
    assert printer.imports() == [("math", ("exp", "log1p"))]


@pytest.mark.parametrize(
    "constant, printed, value",
    [
        (sigmoid(1), "(1 / (1 + exp(-1)))", 1 / (1 + math.exp(-1))),
        (sigmoid(-2), "(exp(-2) / (1 + exp(-2)))", 1 / (1 + math.exp(2))),
        (sigmoid(sp.sqrt(2) - 2), "(exp(sqrt(2) - 2) / (1 + exp(sqrt(2) - 2)))", 1 / (1 + math.exp(2 - math.sqrt(2)))),
        (softplus(1), "(1 + log1p(exp(-1)))", math.log1p(math.e)),
        (softplus(-3), "(log1p(exp(-3)))", math.log1p(math.exp(-3))),
    ],
)
def test_a_constants_stable_form_is_the_branch_its_sign_picks(constant, printed, value):
    """sigmoid(1) is 1 / (1 + exp(-1)), not a choice between two forms on whether 1 >= 0."""
    printer = ScalarPrinter()
    assert printer.doprint(constant) == printed
    names = {name: getattr(math, name) for _, names in printer.imports() for name in names}
    assert eval(printed, {"__builtins__": {}}, names) == pytest.approx(value, rel=1e-15)


def test_scalar_products_keep_the_order_of_their_factors():
    s, delta, w = sp.symbols("s1_1 delta2_1 w2_1_1", real=True)
    product = sp.Mul(s, 1 - s, delta, w, evaluate=False)
    assert ScalarPrinter().doprint(product) == "s1_1 * (1 - s1_1) * delta2_1 * w2_1_1"
