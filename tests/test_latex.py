"""The LaTeX printer (exact strings) and the explanation (content and compilation)."""

import itertools
import re
from pathlib import Path

import pytest
import sympy as sp

from derive import Derivation, Network, seed
from derive.activations import sigmoid
from derive.explain.blocks import Partial
from derive.explain.latex import BackpropPrinter, document, escape, explain
from derive.explain.mathml import BackpropMathMLPrinter
from derive.explain.notation import with_numbers
from derive.network import from_table, load_spec

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_derivation():
    return Derivation(seed())


@pytest.fixture(scope="module")
def seed_latex(seed_derivation):
    return explain(seed_derivation)


@pytest.fixture
def printer(seed_derivation):
    return BackpropPrinter(seed_derivation.names)


# -- the printer, exact strings ------------------------------------------------


def test_symbols_print_in_the_seeds_notation(seed_derivation, printer):
    n = seed_derivation.names
    assert printer.doprint(n.weight(1, 2, 3)) == "w^{(1)}_{23}"
    assert printer.doprint(n.output(1, 2)) == "s_{2}"
    assert printer.doprint(n.output(2, 1)) == "f"
    assert printer.doprint(n.delta(2, 1)) == r"\delta^{(2)}"
    assert printer.doprint(n.delta(1, 1)) == r"\delta^{(1)}_{1}"


def test_sums_lead_with_a_positive_term(seed_derivation, printer):
    n = seed_derivation.names
    y, f = n.target(1), n.output(2, 1)
    assert printer.doprint(y - f) == "y - f"
    assert printer.doprint(1 - f) == "1 - f"


def test_output_delta_prints_as_people_learn_it(seed_derivation, printer):
    factors = sp.Mul(*seed_derivation.delta_factors(2, 1), evaluate=False)
    assert printer.doprint(factors) == r"\left(y - f\right) f \left(1 - f\right)"


def test_a_number_after_a_factor_is_dotted(printer):
    """A linear output's δ: (y − f) · 1, not (y − f) 1, which reads as one factor."""
    d = Derivation(Network.from_layers("2-2-1").varied(("sigmoid", "linear"), "squared_error"))
    p = printer.__class__(d.names)
    assert p.doprint(sp.Mul(*d.delta_factors(2, 1), evaluate=False)) == r"\left(y - f\right) \cdot 1"
    chain = sp.Mul(-2, *d.delta_factors(2, 1), d.weight_slope(2, 1, 1), evaluate=False)
    assert p.doprint(chain) == r"\left(-2\right) \cdot \left(y - f\right) \cdot 1 \cdot s_{1}"
    # without a number inside, a product keeps its juxtaposed factors
    seed_factors = sp.Mul(*Derivation(seed()).delta_factors(2, 1), evaluate=False)
    assert r"\cdot" not in printer.doprint(seed_factors)


def test_hidden_delta_prints_slope_then_sum(printer):
    d = Derivation(Network.from_layers("2-2-2"))
    text = printer.__class__(d.names).doprint(sp.Mul(*d.delta_factors(1, 1), evaluate=False))
    assert text == (
        r"s_{1} \left(1 - s_{1}\right) \left(\delta^{(2)}_{1} w^{(2)}_{11}"
        r" + \delta^{(2)}_{2} w^{(2)}_{21}\right)"
    )


def test_sigmoid_and_vector_forms(seed_derivation, printer):
    g = sp.Symbol("g")
    assert printer.doprint(seed_derivation.output(2, 1)) == r"\sigma\left(g^{(2)}\right)"
    assert printer.doprint(seed_derivation.layer_rule(1)) == (
        r"s^{(1)} \odot \left(\mathbf{1} - s^{(1)}\right) \odot "
        r"\left(\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}\right)"
    )
    assert printer.doprint(seed_derivation.update_rule(2)) == (
        r"W^{(2)} + c \delta^{(2)} \left(X^{(1)}\right)^{T}"
    )
    assert "sigma" in printer.doprint(sp.diff(seed_derivation.output(1, 1).func(g), g))


def test_numbers_print_to_the_requested_decimals(seed_derivation):
    n = seed_derivation.names
    three = BackpropPrinter(n, digits=3, numeric=True)
    seven = BackpropPrinter(n, digits=7, numeric=True)
    x = sp.Float("-0.14802027708913307")
    assert three.doprint(x) == "-0.148"
    assert seven.doprint(x) == "-0.1480203"
    assert three.doprint(sp.Float(2.0)) == "2"
    assert three.doprint(sp.Float(-0.0001)) == "0"


def test_a_term_after_a_sign_is_bracketed_only_where_it_starts_with_its_own(seed_derivation):
    """0 − (−0.3), but 1 − (−0.3) · 0.2 and a − (−0.3)/b without brackets round the whole term."""
    from derive.explain.mathml import BackpropMathMLPrinter

    latex = BackpropPrinter(seed_derivation.names, digits=3, numeric=True)
    mathml = BackpropMathMLPrinter(seed_derivation.names, digits=3, numeric=True)
    x, y = sp.symbols("x y")
    values = {x: sp.Float(-0.3), y: sp.Float(0.2)}
    softsign_slope = 1 / (sp.Abs(x) + 1) - x * sp.sign(x) / (sp.Abs(x) + 1) ** 2
    assert [latex.doprint(with_numbers(e, values)) for e in (1 - x, 1 - x * y, softsign_slope)] == [
        r"1 - \left(-0.3\right)",
        r"1 - \left(-0.3\right) \cdot 0.2",
        (
            r"\frac{1}{\left|{-0.3}\right| + 1} - \frac{\left(-0.3\right) \cdot \operatorname{sign}{\left(-0.3 \right)}}"
            r"{\left(\left|{-0.3}\right| + 1\right)^{2}}"
        ),
    ]
    minus, opened = "<mo>&#8722;</mo>", '<mo stretchy="false">(</mo>'
    bracketed_after_minus = [
        minus + "<mrow>" + opened in mathml.doprint(with_numbers(e, values)) for e in (1 - x, 1 - x * y, softsign_slope)
    ]
    assert bracketed_after_minus == [True, False, False]
    # a sum's first term as it stands, in both formats: (-0.3) · 0.2 + 1, not -0.3 · 0.2 + 1
    first = with_numbers(x * y + 1, values)
    assert latex.doprint(first) == r"\left(-0.3\right) \cdot 0.2 + 1"
    assert mathml.doprint(first).startswith("<mrow><mrow><mrow>" + opened + "<mrow>" + minus + "<mn>0.3</mn>")


def test_escape_makes_text_safe():
    assert escape(r"a_b & 100% {x} $y$ #1 ~ ^ \cmd") == (
        r"a\_b \& 100\% \{x\} \$y\$ \#1 \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{}cmd"
    )
    assert escape("caf\u00e9") == "caf?"


# -- the explanation ------------------------------------------------------------


def test_explanation_shows_the_chain_rule_and_the_factor_2(seed_latex):
    assert r"\frac{\partial \varepsilon}{\partial f} &= - 2 \left(y - f\right)" in seed_latex
    assert r"\frac{\partial f}{\partial g^{(2)}} &= f \left(1 - f\right)" in seed_latex
    assert r"\delta^{(2)} &= \left(y - f\right) f \left(1 - f\right)" in seed_latex
    assert r"\delta^{(1)}_{1} &= s_{1} \left(1 - s_{1}\right) \delta^{(2)} w^{(2)}_{11}" in seed_latex
    assert r"- 2 \delta^{(1)} \left(X^{(0)}\right)^{T}" in seed_latex
    assert r"$c = 2\eta$" in seed_latex
    # the sigmoid's derivative in terms of its output, never through exp(-g)/(1+exp(-g))^2
    assert r"\frac{d \sigma\left(g\right)}{d g} &= s \left(1 - s\right)" in seed_latex
    assert "e^{- g}\\right)^{2}" not in seed_latex


def test_explanation_never_states_the_seeds_shortcut_as_an_equality(seed_latex):
    # -d(eps)/dW = (y - f) f (1 - f) X drops the factor 2; it must not appear as an equation.
    shortcut = re.compile(r"-\s*\\frac\{\\partial \\varepsilon\}\{\\partial W[^}]*\}\s*&?=\s*\\left\(y")
    assert not shortcut.search(seed_latex)


def test_explanation_labels_every_layer_equation(seed_latex):
    for label in ["g-1", "s-1", "g-2", "s-2", "loss", "delta-2", "delta-1",
                  "gradient-1", "gradient-2", "update-1", "update-2"]:
        assert rf"\label{{eq:{label}}}" in seed_latex


def test_worked_example_numbers_are_computed(seed_latex):
    # the seed's numbers, at 3 decimals, from the derived expressions
    assert (
        r"\delta^{(2)} &= \left(0 - 0.655\right) \cdot 0.655 \cdot \left(1 - 0.655\right) = -0.148"
        in seed_latex
    )
    assert r"\left(-0.148\right) \cdot 3 = -0.047" in seed_latex
    assert r"\left(-0.148\right) \cdot \left(-2\right) = 0.074" in seed_latex
    assert "= (2.87, -2.074, -1.148)" in seed_latex
    assert "= (1.953, -2, -0.047)" in seed_latex
    assert "= (1.074, 3, -0.926)" in seed_latex
    # the forward table: f for the four XNOR rows
    for f in ["0.491", "0.083", "0.655", "0.197"]:
        assert f"${f}$ &" in seed_latex
    # the seed's slip is named
    assert "(1 - 0.655)" in seed_latex and "slip" in seed_latex


def test_digits_gives_full_precision(seed_derivation):
    text = explain(seed_derivation, digits=7)
    assert "= -0.1480203" in text
    assert "= (2.8696242, -2.0740101, -1.1480203)" in text
    assert "= (1.9533765, -2, -0.0466235)" in text
    assert "= (1.0740101, 3, -0.9259899)" in text


def test_worked_example_follows_the_weights():
    """Change a weight and the numbers change: nothing is typed in."""
    net = seed()
    weights = (((2.0, -2.0, 0.0), (1.0, 3.0, -1.0)), ((1.0, -2.0, -1.0),))
    text = explain(Derivation(Network(**{**net.__dict__, "weights": weights})))
    assert "= -0.148" not in text
    assert r"\left(-0.148\right) \cdot 3" not in text
    assert "= (2.87, -2.074, -1.148)" not in text


def test_a_row_and_its_continuation_share_a_page():
    """A row broken to fit the page ends in \\\\* (no page break) before its continuation."""
    text = explain(Derivation(load_spec(ROOT / "derive" / "networks" / "classifier.toml")))
    lines = [line.strip() for body in re.findall(r"\\begin\{align\}(.*?)\\end\{align\}", text, re.DOTALL)
             for line in body.strip().split("\n")]
    pairs = list(itertools.pairwise(lines))
    continued = [a for a, b in pairs if b.startswith("&")]
    assert len(continued) > 5
    assert all(a.endswith(r"\\*") for a in continued)
    assert not any(a.endswith(r"\\*") for a, b in pairs if not b.startswith("&"))


def test_wide_layers_show_a_representative_unit():
    text = explain(Derivation(Network.from_layers("8-16-16-4")))
    assert r"\vdots" in text
    assert r"\delta^{(1)}_{16}" in text
    assert r"\delta^{(1)}_{7}" not in text  # not every unit
    assert r"\cdots" in text  # long sums are cut
    assert r"\label{eq:delta-1}" in text and r"\label{eq:delta-3}" in text


def test_title_is_escaped():
    net = seed()
    text = document(Derivation(Network(**{**net.__dict__, "title": r"50% \input{/etc/passwd}"})))
    assert r"\input{/etc/passwd}" not in text
    assert r"50\% \textbackslash{}input\{/etc/passwd\}" in text


def test_the_derivative_of_a_sum_product_or_power_is_written_after_the_operator(printer):
    """d/dg (g/(|g| + 1)), not a fraction above a fraction bar; one function's value stays on top."""
    g = sp.Symbol("g")
    assert printer.doprint(Partial(g / (sp.Abs(g) + 1), g, ordinary=True)) == (
        r"\frac{d}{d g} \left(\frac{g}{\left|{g}\right| + 1}\right)"
    )
    assert printer.doprint(Partial(g * sigmoid(g), g, inline=True, ordinary=True)) == (
        r"d\left(g \sigma\left(g\right)\right) / d g"
    )
    assert printer.doprint(Partial(sigmoid(g), g, ordinary=True)) == r"\frac{d \sigma\left(g\right)}{d g}"


def test_a_sum_is_written_in_one_order_in_every_row():
    """|g| + 1 in the slope, the δ rows and the worked example alike, whatever order SymPy keeps."""
    net = from_table({
        "layers": [2, 3, 2, 1],
        "activation": ["x*sigmoid(x)", "x/(1 + abs(x))", "linear"],
        "loss": "half_squared_error",
        "weights": [
            [[0.5, -1, 0.25], [1, 0.5, -0.5], [-1, 2, 0]],
            [[1, -1, 0.5, 0], [0.5, 0.5, -1, 1]],
            [[2, -1, 0.5]],
        ],
        "example": {"x": [1, 2], "y": [0.5], "c": 0.5},
    })  # fmt: skip
    text = explain(Derivation(net))
    assert r"1 + \left|" not in text
    for unit in ("g^{(2)}_{1}", "g^{(2)}_{2}", "-0.076", "-1.384"):
        assert rf"\frac{{1}}{{\left|{{{unit}}}\right| + 1}}" in text, unit
    # swish's slope g (1 - σ(g)) σ(g) + σ(g) keeps its order when g is negative
    assert r"\delta^{(1)}_{1} &= \left(\left(-1.25\right) \cdot \left(1 - \sigma" in text


def test_a_product_inside_a_product_kept_as_written_is_ordered_as_it_prints_alone():
    """tanh³'s hidden δ starts with its slope exactly as the slope's own row prints it.

    SymPy keeps (3 − 3 tanh² g) tanh² g with tanh² first, and prints it the other way
    round; δ, kept as written, printed the slope in the stored order.
    """
    d = Derivation(Network((2, 2, 1), ("tanh(x)**3", "sigmoid")))
    slope, delta = d.activation_slope(1, 1), sp.Mul(*d.delta_factors(1, 1), evaluate=False)
    latex = BackpropPrinter(d.names)
    assert latex.doprint(slope).startswith(r"\left(3 - 3 \tanh^{2}")
    assert latex.doprint(delta).startswith(latex.doprint(slope) + " ")
    mathml = BackpropMathMLPrinter(d.names)
    shown = lambda expr: re.sub(r"<[^>]+>|&InvisibleTimes;", "", mathml.doprint(expr))
    assert shown(delta).startswith(shown(slope))
    numbers = {**{d.names.preactivation(1, i): sp.Float(-3) for i in (1, 2)}, d.names.delta(2, 1): sp.Float(0.5)}
    row = BackpropPrinter(d.names, numeric=True).doprint(with_numbers(delta, numbers))
    assert row.startswith(r"\left(3 - 3 \cdot \tanh^{2}{\left(-3 \right)}\right) \cdot \tanh^{2}{\left(-3 \right)}")


#: The slope at the head of the vector δ of layer 1: as the unit rows write it, a quotient whole
#: with its number, the terms and the factors in the same order.
VECTOR_SLOPES = {
    "sqrt(x)": r"\frac{1}{2 \sqrt{g^{(1)}}}",
    "log(1 + x**2)/3": r"\frac{2 g^{(1)}}{3 \left(\left(g^{(1)}\right)^{2} + 1\right)}",
    "-x/(1 + x**2)": (
        r"\left(\frac{2 \left(g^{(1)}\right)^{2}}{\left(\left(g^{(1)}\right)^{2} + 1\right)^{2}}"
        r" - \frac{1}{\left(g^{(1)}\right)^{2} + 1}\right)"
    ),
    "x*cos(x)": r"\left(\cos{\left(g^{(1)} \right)} - g^{(1)} \odot \sin{\left(g^{(1)} \right)}\right)",
    "tanh(x)**3": (
        r"\left(3 \mathbf{1} - 3 \left(\tanh{\left(g^{(1)} \right)}\right)^{\odot 2}\right)"
        r" \odot \left(\tanh{\left(g^{(1)} \right)}\right)^{\odot 2}"
    ),
}


@pytest.mark.parametrize("activation", VECTOR_SLOPES)
def test_a_layers_delta_writes_its_slope_as_the_unit_rows_do(activation):
    """1/(2√g) ⊙ (W̄ᵀδ), not ((1/2) 1/√g) ⊙ (W̄ᵀδ); cos g − g ⊙ sin g, not −sin g ⊙ g + cos g."""
    d = Derivation(Network((2, 2, 1), (activation, "sigmoid")))
    latex = BackpropPrinter(d.names)
    vector = latex.doprint(d.layer_rule(1))
    assert vector == VECTOR_SLOPES[activation] + r" \odot \left(\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}\right)"
    if "odot 2" not in vector:  # no power, which the two forms write apart: the unit's own text
        unit = latex.doprint(d.activation_slope(1, 1)).replace("g^{(1)}_{1}", "g^{(1)}")
        assert VECTOR_SLOPES[activation].replace(r" \odot ", " ").removeprefix(r"\left(").removesuffix(r"\right)") == unit
    mathml = BackpropMathMLPrinter(d.names).doprint(d.layer_rule(1))
    assert not re.search(r"<mfrac><mn>\d+</mn><mn>\d+</mn></mfrac>", mathml)  # no number cut off the quotient


#: Slopes that are numbers, as a layer's δ and a unit's write them ahead of the rest.
CONSTANT_SLOPES = {"3*x/2": r"\frac{3}{2} ", "-x/2": r"- \frac{1}{2} ", "2*x": "2 ", "-x": "- "}


@pytest.mark.parametrize("activation", CONSTANT_SLOPES)
def test_a_constant_slope_leads_the_layers_delta_as_it_leads_each_units(activation):
    """δ = 3/2 W̄ᵀδ and δ₁ = 3/2 (δ₁ w₁₁ + δ₂ w₂₁), not ((3/2) 𝟏) ⊙ (W̄ᵀδ) and (3 (⋯))/2."""
    d = Derivation(Network((2, 3, 2), (activation, "sigmoid")))
    latex, number = BackpropPrinter(d.names), CONSTANT_SLOPES[activation]
    unit = sp.Mul(*d.delta_factors(1, 1), evaluate=False)
    assert latex.doprint(d.layer_rule(1)) == number + r"\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}"
    assert latex.doprint(unit) == (
        number + r"\left(\delta^{(2)}_{1} w^{(2)}_{11} + \delta^{(2)}_{2} w^{(2)}_{21}\right)"
    )
    for form in (d.layer_rule(1), unit):
        mathml = BackpropMathMLPrinter(d.names).doprint(form)
        assert "&#120783;" not in mathml and "&#8857;" not in mathml  # no all-ones vector 𝟏, no ⊙
        assert ("<mfrac>" in mathml) == ("frac" in number)
        assert '<mo stretchy="false">(</mo><mfrac>' not in mathml  # the bar groups a fraction
        # and a thin space sets it apart from the factor after it, as TeX sets \frac{3}{2} \delta
        assert ("</mfrac><mspace width=\"0.167em\"/>" in mathml) == ("frac" in number)


@pytest.mark.parametrize(
    "activation, constant",
    [
        ("2**x", r"\log{\left(2 \right)} s^{(1)}"),
        ("x**3*(2 - sin(2))", r"\left(6 - 3 \sin{\left(2 \right)}\right) \left(g^{(1)}\right)^{\odot 2}"),
    ],
)
def test_a_constant_in_a_slope_leads_the_layers_delta_as_a_number_does(activation, constant):
    """2^x: its slope 2^g log 2 = s log 2, lifted to the layer as log 2 times s ⊙ (W̄ᵀδ); a
    constant sum in brackets."""
    d = Derivation(Network((2, 2, 1), (activation, "sigmoid")))
    assert BackpropPrinter(d.names).doprint(d.layer_rule(1)) == (
        constant + r" \odot \left(\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}\right)"
    )


@pytest.mark.parametrize("activation", ["sqrt(x)", "log(1 + x**2)/3", "-sqrt(x)/2"])
def test_a_units_delta_keeps_a_quotient_slope_whole_in_mathml(activation):
    """δ = 1/(2√g) δ w on the HTML page as in the PDF, not (1/2) 1/√g δ w."""
    d = Derivation(Network((2, 2, 1), (activation, "sigmoid")))
    delta = sp.Mul(*d.delta_factors(1, 1), evaluate=False)
    slope = BackpropMathMLPrinter(d.names).doprint(d.activation_slope(1, 1))
    assert BackpropMathMLPrinter(d.names).doprint(delta).startswith(f"<mrow>{slope}<msup><mi>&#948;")
    assert BackpropPrinter(d.names).doprint(delta).startswith(BackpropPrinter(d.names).doprint(d.activation_slope(1, 1)) + r" \delta")
