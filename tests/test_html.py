"""The HTML report: MathML from the printer, the SVG figures, and a real browser's rendering."""

import os
import re
from html import escape

import numpy as np
import pytest
import sympy as sp

from derive import Derivation, Network, load_spec, seed
from derive.cli import main, trained
from derive.explain.figures import network_diagram, training_curve
from derive.explain.html import body, report
from derive.explain.mathml import BackpropMathMLPrinter
from derive.explain.phrases import activation_named
from tests.render import find_chromium, measured, png_pixels, run_chromium

MINUS = "&#8722;"
OPEN, CLOSE = '<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>'


@pytest.fixture(scope="module")
def seed_derivation():
    return Derivation(seed())


@pytest.fixture(scope="module")
def seed_page(seed_derivation):
    return report(seed_derivation, training=trained(seed(), epochs=300))


@pytest.fixture
def printer(seed_derivation):
    return BackpropMathMLPrinter(seed_derivation.names)


# -- the MathML printer, exact strings ----------------------------------------------


def test_symbols_are_laid_out_from_their_parts(seed_derivation, printer):
    n = seed_derivation.names
    assert printer.doprint(n.output(1, 2)) == "<msub><mi>s</mi><mn>2</mn></msub>"
    assert printer.doprint(n.output(2, 1)) == "<mi>f</mi>"
    assert printer.doprint(n.delta(1, 1)) == (
        f"<msubsup><mi>&#948;</mi><mn>1</mn><mrow>{OPEN}<mn>1</mn>{CLOSE}</mrow></msubsup>"
    )
    assert printer.doprint(n.vector("Wbar", 2)) == (
        '<msup><mover accent="true"><mi>W</mi><mo>&#8254;</mo></mover>'
        f"<mrow>{OPEN}<mn>2</mn>{CLOSE}</mrow></msup>"
    )


def test_the_output_delta_is_y_minus_f_times_f_times_one_minus_f(seed_derivation, printer):
    factors = sp.Mul(*seed_derivation.delta_factors(2, 1), evaluate=False)
    assert printer.doprint(factors) == (
        f"<mrow><mrow>{OPEN}<mrow><mi>y</mi><mo>{MINUS}</mo><mi>f</mi></mrow>{CLOSE}</mrow>"
        f"<mi>f</mi><mrow>{OPEN}<mrow><mn>1</mn><mo>{MINUS}</mo><mi>f</mi></mrow>{CLOSE}</mrow></mrow>"
    )


def test_sigmoid_hadamard_and_transpose(seed_derivation, printer):
    assert printer.doprint(seed_derivation.output(2, 1)).startswith(
        "<mrow><mi>&#963;</mi><mo>&#8289;</mo>"
    )
    rule = printer.doprint(seed_derivation.layer_rule(1))
    assert rule.count("<mo>&#8857;</mo>") == 2  # s ⊙ (1 − s) ⊙ (W̄ᵀ δ)
    assert "<mn>&#120783;</mn>" in rule  # the bold 1 of the all-ones vector
    assert "<mi>T</mi></msup>" in rule


def test_function_arguments_and_bars_are_plain_mo_not_mfenced(printer):
    # SymPy 1.13 prints these with <mfenced>, 1.14 with <mo>: the printer's own, on either.
    g = sp.Symbol("g", real=True)
    apply = "<mo>&#8289;</mo>"  # the invisible function application, as after tanh and σ
    assert printer.doprint(sp.Function("sign")(g)) == f"<mrow><mi>sign</mi>{apply}<mrow>{OPEN}<mi>g</mi>{CLOSE}</mrow></mrow>"
    assert printer.doprint(sp.Abs(g)) == "<mrow><mo>|</mo><mi>g</mi><mo>|</mo></mrow>"
    assert printer.doprint(sp.Max(g, 0)) == (
        f"<mrow><mo>max</mo><mrow>{OPEN}<mn>0</mn><mo>,</mo><mi>g</mi>{CLOSE}</mrow></mrow>"
    )


def test_numbers_print_to_the_requested_decimals(seed_derivation):
    three = BackpropMathMLPrinter(seed_derivation.names, digits=3, numeric=True)
    assert three.doprint(sp.Float("-0.14802027708913307")) == f"<mrow><mo>{MINUS}</mo><mn>0.148</mn></mrow>"
    assert three.doprint(sp.Float(2.0)) == "<mn>2</mn>"
    product = sp.Mul(sp.Float(0.881), sp.Float(-0.148), evaluate=False)
    assert three.doprint(product) == (
        f"<mrow><mn>0.881</mn><mo>&#183;</mo><mrow>{OPEN}<mrow><mo>{MINUS}</mo><mn>0.148</mn></mrow>"
        f"{CLOSE}</mrow></mrow>"
    )


# -- the page ------------------------------------------------------------------------


def _rows(page: str, table_class: str) -> list[list[str]]:
    table = re.search(rf'<table class="numbers {table_class}">(.*?)</table>', page, re.DOTALL).group(1)
    body_ = table.split("<tbody>")[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body_)]


def _number(cell: str) -> str:
    """The number a table cell's MathML shows, with a minus sign as '-'."""
    return "".join(re.findall(r"<mn>([^<]*)</mn>", cell)) if MINUS not in cell else (
        "-" + "".join(re.findall(r"<mn>([^<]*)</mn>", cell))
    )


def test_page_holds_the_delta_equations_as_mathml(seed_page):
    assert seed_page.count("<math") > 80
    assert (
        f"<mrow>{OPEN}<mrow><mi>y</mi><mo>{MINUS}</mo><mi>f</mi></mrow>{CLOSE}</mrow>"
        f"<mi>f</mi><mrow>{OPEN}<mrow><mn>1</mn><mo>{MINUS}</mo><mi>f</mi></mrow>{CLOSE}</mrow>"
        in seed_page
    )
    for label in ["g-1", "s-2", "loss", "delta-2", "delta-1", "gradient-1", "update-2"]:
        assert f'<tr id="eq-{label}">' in seed_page and f"({label})</td>" in seed_page
    assert "\\" not in seed_page.split("<body>")[1]  # no LaTeX left in the page


def test_forward_table_has_the_seeds_outputs(seed_page):
    rows = _rows(seed_page, "forward")
    assert len(rows) == 4
    assert [_number(row[7]) for row in rows] == ["0.491", "0.083", "0.655", "0.197"]
    assert [_number(row[8]) for row in rows] == ["1", "0", "0", "1"]


def test_worked_example_step_by_step(seed_page):
    negative = f"<mrow><mo>{MINUS}</mo><mn>%s</mn></mrow>"
    assert negative % "0.148" in seed_page
    assert negative % "0.047" in seed_page
    assert "<mn>0.074</mn>" in seed_page
    assert "<mn>2.87</mn>" in seed_page and negative % "2.074" in seed_page
    assert "slip" in seed_page


def _edges(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<g class="edge" data-weight="(\w+)">.*?<text class="weight"[^>]*>([^<]*)</text>', svg)


def test_diagram_has_one_edge_per_weight_labelled_with_its_value(seed_derivation):
    svg = network_diagram(seed_derivation)
    edges = _edges(svg)
    assert [name for name, _ in edges] == [
        "w1_1_1", "w1_1_2", "w1_1_3", "w1_2_1", "w1_2_2", "w1_2_3", "w2_1_1", "w2_1_2", "w2_1_3",
    ]
    assert [label for _, label in edges] == ["2", "−2", "0", "1", "3", "−1", "3", "−2", "−1"]
    assert svg.count('<g class="bias">') == 2  # x3 = 1 and s3 = 1
    assert svg.count('<g class="unit">') == 5


def test_wide_networks_draw_a_subset_and_say_so():
    d = Derivation(Network.from_layers("20-30-30-10"))
    svg = network_diagram(d)
    assert svg.count('<g class="unit">') == 5 * 4
    assert svg.count('<g class="edge"') == 3 * 5 * 6 and 'class="weight"' not in svg
    assert "\u22ee" in svg
    page = body(d)
    assert "Layers wider than 8 units show their first 3 and last two units" in page
    assert "the weights are not labelled" in page


def test_diagram_without_weights_names_them():
    svg = network_diagram(Derivation(Network.from_layers("2-1")))
    assert 'data-weight="w1_1_3"' in svg and ">w<tspan" in svg


def test_training_curve_is_a_polyline_with_axes():
    run = trained(seed(), epochs=50)
    svg = training_curve(run.losses)
    points = re.search(r'<polyline class="loss"[^>]*points="([^"]*)"', svg).group(1).split()
    assert len(points) == 51
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] < ys[-1]  # ε falls, so the line goes down the page (y grows)
    assert ">epoch</text>" in svg and ">\u03b5</text>" in svg


def test_a_diverging_run_leaves_gaps_not_errors():
    svg = training_curve(np.array([1.0, 2.0, np.inf, np.nan, 3.0]))
    assert svg.count('<polyline class="loss"') == 2


def test_page_is_self_contained(seed_page):
    lower = seed_page.lower()
    for needle in ["<script", "<link", "src=", "@import", "url(", "<iframe", "javascript:"]:
        assert needle not in lower
    assert re.findall(r"https?://[^\"' ]*", seed_page) == ["http://www.w3.org/2000/svg"] * 2
    assert seed_page.count("<svg") == 2
    assert '<h2 id="training">Training</h2>' in seed_page


HOSTILE = '</title><script>alert("x")</script><img src=x onerror=alert(1)> & <b>'


def test_hostile_text_is_escaped():
    net = seed()
    example = net.example.__class__(**{**net.example.__dict__, "note": HOSTILE})
    hostile = Network(**{**net.__dict__, "title": HOSTILE, "example": example})
    page = report(Derivation(hostile))
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;") == 3  # title, h1, note


@pytest.mark.parametrize("typed", ["x/(1 + abs(x))", "x*sigmoid(x)", "tanh(x)**2 + x"])
def test_a_custom_activation_is_written_as_maths_never_as_typed(typed):
    d = Derivation(Network((2, 2, 1), (typed, "sigmoid"), name="custom"))
    page = report(d)
    assert typed not in page and escape(typed) not in page
    assert "<title>" in page and "layer 1: custom" in page and "layer 2: sigmoid" in page
    maths = BackpropMathMLPrinter(d.names).doprint(activation_named(d.activation(1)))
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)
    # the comma that touches the formula keeps to its line
    assert meta.startswith(f'Layers 2-2-1; activations <span class="word"><math>{maths}</math>,</span> sigmoid; loss')


# -- the command line -------------------------------------------------------------------


def test_html_writes_one_page(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["--html", str(out), "--epochs", "40"]) == 0
    _, err = capsys.readouterr()
    assert err.strip() == f"wrote {out}"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "40 epochs of per-sample updates" in page
    assert sorted(os.listdir(tmp_path)) == ["report.html"]  # no temporary file left
    assert main(["--html", str(out), "--layers", "3-2"]) == 0  # overwrites; no data, no training
    assert "Training" not in out.read_text(encoding="utf-8")


def test_html_refuses_what_it_cannot_write(tmp_path, capsys):
    assert main(["--html", str(tmp_path / "no" / "such" / "dir.html")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--html: cannot write" in err
    assert main(["--html", str(tmp_path / "r.html"), "--epochs", "-1"]) == 2
    assert os.listdir(tmp_path) == []


def test_notebook_reprs(seed_derivation):
    html = seed_derivation._repr_html_()
    assert html.startswith('<div class="backprop-derive"><style>') and html.endswith("</div>")
    assert "<h1>" in html and "<math" in html and "<svg" in html
    # every rule of the style is scoped to the wrapper, so the notebook keeps its own
    style = html.split("<style>")[1].split("</style>")[0]
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", style) for s in rule.split(",")]
    assert len(selectors) > 20 and all(s.startswith(".backprop-derive") for s in selectors), selectors
    latex = seed_derivation._repr_latex_()
    assert latex.startswith("$$\n\\begin{aligned}") and latex.endswith("\\end{aligned}\n$$")
    assert r"\delta^{(1)} &= s^{(1)} \odot" in latex and r"&\leftarrow" in latex


def test_every_example_network_renders():
    for spec in ["xnor_tanh", "classifier"]:
        page = report(Derivation(load_spec(f"derive/networks/{spec}.toml")))
        assert "<math" in page and "\\" not in page.split("<body>")[1]


# -- a real browser ---------------------------------------------------------------------

#: Added to a copy of the page (the report itself has no script): element sizes into the DOM.
MEASURE = """
const found = {};
for (const tag of ["math", "mfrac", "msubsup", "mi", "svg"]) {
  found[tag] = Array.from(document.getElementsByTagName(tag), e => {
    const r = e.getBoundingClientRect();
    return [r.width, r.height];
  });
}
"""


def test_the_report_renders_in_a_browser(tmp_path, seed_page):
    chromium = find_chromium()
    page = tmp_path / "report.html"
    page.write_text(seed_page, encoding="utf-8")

    # a screenshot of the page as it is: not blank
    shot = tmp_path / "report.png"
    run = run_chromium(chromium, tmp_path, f"--screenshot={shot}", "--window-size=900,1200", page.as_uri())
    assert shot.exists(), run.stderr[-2000:]
    pixels = png_pixels(shot.read_bytes())
    assert pixels.shape == (1200, 900, 3)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    inked = np.any(pixels < 200, axis=2).mean()
    assert len(colours) > 100, len(colours)
    assert 0.02 < inked < 0.6, inked

    # the sizes the browser gave the MathML and the SVG
    sizes = measured(seed_page, MEASURE, tmp_path, window="800,600")  # Chromium's own
    assert len(sizes["math"]) == seed_page.count("<math")
    assert all(w > 0 and h > 0 for w, h in sizes["math"]), sizes["math"]
    assert len(sizes["svg"]) == 2 and all(w >= 300 and h >= 200 for w, h in sizes["svg"])
    # laid out as mathematics: a fraction stands taller than a letter, w has its indices
    letter = float(np.median([h for _, h in sizes["mi"]]))
    assert sizes["mfrac"] and min(h for _, h in sizes["mfrac"]) > 1.5 * letter
    assert all(w > 0 and h > letter for w, h in sizes["msubsup"])
