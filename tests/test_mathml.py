"""The MathML printer (derive.explain.mathml): exact strings, as SymPy's own printer tests do."""

import pytest
import sympy as sp
from sympy.matrices.expressions import HadamardPower

from derive import Derivation, Network, seed
from derive.activations import relu, sigmoid, softplus
from derive.explain.blocks import Partial
from derive.explain.latex import BackpropPrinter
from derive.explain.mathml import BackpropMathMLPrinter
from derive.parts import layer, shifted

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


POWERED = (
    '<mrow><msup><mi>{}</mi><mn>2</mn></msup><mo>&#8289;</mo><mrow><mo stretchy="false">(</mo><mi>g</mi>'
    '<mo stretchy="false">)</mo></mrow></mrow>'
)
BARS = "<mrow><mo>|</mo><mi>g</mi><mo>|</mo></mrow>"


@pytest.mark.parametrize(
    "expr, mathml, latex",
    [
        (sp.tanh(G) ** 2, POWERED.format("tanh"), r"\tanh^{2}{\left(g \right)}"),
        (sigmoid(G) ** 2, POWERED.format("&#963;"), r"\sigma^{2}\left(g\right)"),
        (sp.cos(G) ** 2, POWERED.format("cos"), r"\cos^{2}{\left(g \right)}"),
        (sp.log(G) ** 2, f"<msup>{APPLIED.format('log')}<mn>2</mn></msup>", r"\log{\left(g \right)}^{2}"),
        (sp.Abs(G) ** 2, f"<msup>{BARS}<mn>2</mn></msup>", r"\left|{g}\right|^{2}"),
    ],
)
def test_a_power_of_a_function_sits_where_the_latex_puts_it(printer, expr, mathml, latex):
    """tanh²(g) on the page as in the PDF, not (tanh(g))²; log(g)² and |g|² as there too."""
    assert printer.doprint(expr) == mathml
    assert BackpropPrinter(printer.names).doprint(expr) == latex


def test_a_power_of_a_name_with_a_superscript_is_bracketed_as_in_the_latex():
    """(g₁⁽¹⁾)² and (s⁽¹⁾)^⊙2 on the page as in the PDF, where g₁^{(1) 2} reads as one superscript;
    s₁², f² and f^⊙2, whose names have none, bare in both."""
    deep = Derivation(Network((2, 3, 3, 1), ("tanh", "tanh", "sigmoid"))).names
    shallow = Derivation(seed()).names
    cases = [
        (deep, deep.preactivation(1, 1) ** 2, True),
        (deep, deep.output(2, 1) ** 2, True),
        (deep, HadamardPower(deep.vector("s", 1), 2), True),
        (shallow, shallow.output(1, 1) ** 2, False),
        (shallow, shallow.output(2, 1) ** 2, False),
        (shallow, HadamardPower(shallow.vector("s", 2), 2), False),
    ]
    for names, power, bracketed in cases:
        base = BackpropMathMLPrinter(names).doprint(power.args[0])
        if bracketed:
            base = f'<mrow><mo stretchy="false">(</mo>{base}<mo stretchy="false">)</mo></mrow>'
        assert BackpropMathMLPrinter(names).doprint(power).startswith(f"<msup>{base}<m")
        assert BackpropPrinter(names).doprint(power).startswith(r"\left(") == bracketed
    # inside an activation's slope, where the vector stands in for the unit's g
    d = Derivation(Network((2, 2, 1), ("1/(1 + x**2)", "sigmoid")))
    g = BackpropMathMLPrinter(d.names).doprint(d.names.vector("g", 1))
    assert f'<msup><mrow><mo stretchy="false">(</mo>{g}<mo stretchy="false">)</mo></mrow><mn>2</mn></msup>' in (
        BackpropMathMLPrinter(d.names).doprint(d.layer_rule(1))
    )


def test_a_named_function_after_a_factor_has_texs_thin_space(printer):
    """g tanh(g), as TeX sets g\\tanh(g); none before σ, a letter as g is, nor at the start."""
    thin = '<mspace width="0.167em"/>'
    tanh = APPLIED.format("tanh")
    assert printer.doprint(G * sp.tanh(G)) == f"<mrow><mi>g</mi><mo>&InvisibleTimes;</mo>{thin}{tanh}</mrow>"
    assert thin not in printer.doprint(G * sigmoid(G)) + printer.doprint(sp.tanh(G) + 1)


def test_e_is_written_as_in_the_pdf(printer):
    """e^g in italic, as LaTeX's e^{g}: not SymPy's &ExponentialE;, a double-struck ⅇ on the page."""
    assert printer.doprint(sp.exp(G)) == "<msup><mi>e</mi><mi>g</mi></msup>"
    assert printer.doprint(sp.E) == "<mi>e</mi>"
    assert BackpropPrinter(printer.names).doprint(sp.exp(G)) == "e^{g}"


def test_the_seeds_output_delta_leads_each_difference_with_its_positive_term(printer):
    text = printer.doprint(Derivation(seed()).delta(2, 1))
    assert "<mrow><mn>1</mn><mo>&#8722;</mo><mi>f</mi></mrow>" in text
    assert "<mrow><mi>y</mi><mo>&#8722;</mo><mi>f</mi></mrow>" in text


def test_a_number_after_a_factor_is_dotted():
    """A linear output's δ: (y − f) · 1, not (y − f) 1, which reads as one factor."""
    d = Derivation(Network.from_layers("2-2-1").varied(("sigmoid", "linear"), "squared_error"))
    text = BackpropMathMLPrinter(d.names).doprint(sp.Mul(*d.delta_factors(2, 1), evaluate=False))
    assert text.endswith("<mo>&#183;</mo><mn>1</mn></mrow>")
    assert text.count("&#183;") == 1


OPEN, CLOSE = '<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>'


def test_an_index_prints_token_by_token():
    n = Derivation(Network.from_layers("12-3-2")).names
    printer = BackpropMathMLPrinter(n)
    layer_1 = f"<mrow>{OPEN}<mn>1</mn>{CLOSE}</mrow>"
    # w^{(1)}_{1,12}: the comma is an operator between two numbers
    assert printer.doprint(n.weight(1, 1, 12)) == (
        f"<msubsup><mi>w</mi><mrow><mn>1</mn><mo>,</mo><mn>12</mn></mrow>{layer_1}</msubsup>"
    )
    # w^{(1)}_{23}: two indices side by side are one run of digits, as the seed writes them
    assert (
        printer.doprint(n.weight(1, 2, 3)) == f"<msubsup><mi>w</mi><mn>23</mn>{layer_1}</msubsup>"
    )
    # letter indices are identifiers, the minus of j-1 a true minus
    assert printer.doprint(n.general("X", "k", layer("j", -1))) == (
        f"<msubsup><mi>X</mi><mi>k</mi><mrow>{OPEN}<mi>j</mi><mo>&#8722;</mo><mn>1</mn>{CLOSE}"
        "</mrow></msubsup>"
    )
    assert printer.doprint(n.general("w", ("i", "k"), layer("j"))) == (
        f"<msubsup><mi>w</mi><mrow><mi>i</mi><mi>k</mi></mrow><mrow>{OPEN}<mi>j</mi>{CLOSE}"
        "</mrow></msubsup>"
    )
    assert printer.doprint(n.general("n", shifted("j", 1))) == (
        "<msub><mi>n</mi><mrow><mi>j</mi><mo>+</mo><mn>1</mn></mrow></msub>"
    )


def test_the_derivative_of_a_sum_product_or_power_is_written_after_the_operator(printer):
    """d/dg (g/(|g| + 1)): the fraction's numerator holds d alone, the expression follows in brackets."""
    d = '<mrow><mi>d</mi><mspace width="0.1em"/></mrow>'
    text = printer.doprint(Partial(G / (sp.Abs(G) + 1), G, ordinary=True))
    assert text.startswith(f"<mrow><mfrac>{d}<mrow>{d}<mi>g</mi></mrow></mfrac>")
    assert text.endswith('<mo stretchy="true">)</mo></mrow></mrow>')
    applied = printer.doprint(Partial(sigmoid(G), G, ordinary=True))
    assert applied == f"<mfrac><mrow>{d}{APPLIED.format('&#963;')}</mrow><mrow>{d}<mi>g</mi></mrow></mfrac>"
