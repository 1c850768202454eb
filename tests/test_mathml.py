"""The MathML printer (derive.explain.mathml): exact strings, as SymPy's own printer tests do."""

import pytest
import sympy as sp

from derive import Derivation, seed
from derive.activations import relu, sigmoid, softplus
from derive.explain.mathml import BackpropMathMLPrinter

G = sp.Symbol("g")
APPLIED = (
    '<mrow><mi>{}</mi><mo>&#8289;</mo><mrow><mo stretchy="false">(</mo><mi>g</mi>'
    '<mo stretchy="false">)</mo></mrow></mrow>'
)


@pytest.fixture(scope="module")
def printer():
    return BackpropMathMLPrinter(Derivation(seed()).names)


@pytest.mark.parametrize(
    "expr, name",
    [(sigmoid(G), "&#963;"), (softplus(G), "softplus"), (relu(G), "relu"), (sp.tanh(G), "tanh")],
)
def test_an_activation_prints_by_its_registry_name(printer, expr, name):
    assert printer.doprint(expr) == APPLIED.format(name)


def test_other_functions_print_as_sympy_prints_them(printer):
    assert printer.doprint(sp.exp(G)) == "<msup><mi>&ExponentialE;</mi><mi>g</mi></msup>"


def test_the_seeds_output_delta_leads_each_difference_with_its_positive_term(printer):
    text = printer.doprint(Derivation(seed()).delta(2, 1))
    assert "<mrow><mn>1</mn><mo>&#8722;</mo><mi>f</mi></mrow>" in text
    assert "<mrow><mi>y</mi><mo>&#8722;</mo><mi>f</mi></mrow>" in text
