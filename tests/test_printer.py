"""The NumPy printer of generated code: exact strings, one test per construct."""

import sympy as sp

from codegen.printer import Affine, ArrayPrinter, Backprop, Outer, Total
from derive.activations import relu, sigmoid, softplus

g, s, x, y, f = sp.symbols("g s1 x y f", real=True)
W, delta = sp.symbols("W2 delta2", real=True)


def code(expr):
    return ArrayPrinter().doprint(expr)


def test_sigmoid_is_printed_without_overflow():
    assert code(sigmoid(g)) == "np.exp(-np.logaddexp(0, -g))"


def test_sigmoid_of_a_sum_negates_the_whole_argument():
    assert code(sigmoid(g + x)) == "np.exp(-np.logaddexp(0, -g - x))"


def test_relu():
    assert code(relu(g)) == "np.maximum(g, 0)"


def test_softplus():
    assert code(softplus(g)) == "np.logaddexp(0, g)"


def test_heaviside_keeps_its_value_at_zero():
    assert code(sp.Heaviside(g, 0)) == "np.heaviside(g, 0)"
    assert code(sp.Heaviside(g)) == "np.heaviside(g, 1/2)"


def test_tanh_and_its_slope():
    assert code(sp.tanh(g)) == "np.tanh(g)"
    assert code(1 - s**2) == "1 - s1**2"


def test_affine_layer():
    assert code(Affine(x, W)) == "x @ W2[:, :-1].T + W2[:, -1]"


def test_backprop_sum_is_parenthesized_inside_a_product():
    assert code((1 - s**2) * Backprop(delta, W)) == "(1 - s1**2)*(delta2 @ W2[:, :-1])"


def test_outer_product_with_bias_column():
    assert code(-2 * Outer(delta, s)) == ("-2*np.column_stack((delta2.T @ s1, delta2.sum(axis=0)))")


def test_total():
    assert code(Total((y - f) ** 2)) == "np.sum((-f + y)**2)"


def test_imports_are_collected_and_aliased():
    printer = ArrayPrinter()
    printer.doprint(sp.log(f) + sp.Max(g, 0))
    assert printer.import_lines() == ["import functools", "import numpy as np"]


def test_plain_notation_for_docstrings():
    assert sp.sstr(Affine(x, W)) == "W2·(x, 1)"
    assert sp.sstr(Total(-(y * sp.log(f)))) == "Σ (-y*log(f))"
