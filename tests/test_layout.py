"""What a reader sees fits: the PDF's lines stay within the page, the report's within the window,
and the diagram's labels do not overlap.

Each network of NETWORKS is the one of a command line (``derive --latex --standalone ...``
and ``derive --html ...``), compiled by pdflatex and rendered by headless Chromium at a
1200 px wide window, once per network.  The registry's table (every hidden activation ×
loss with weights drawn, custom expressions, the example specs) and its exercise sheets
are compiled in one document each, and rendered on one page each.
"""

import functools
import itertools
import re
from pathlib import Path

import pytest

from derive import Network
from derive.cli import main
from derive.exercise import draw
from derive.explain import sheet
from derive.explain.html import body, report
from derive.explain.latex import explain, standalone
from tests.render import compile_latex, measured
from tests.test_architectures import HIDDEN, LOSSES, MISH
from tests.test_worked_example import CASES, CUSTOM, derivation

ROOT = Path(__file__).resolve().parent.parent

NETWORKS = {
    "seed": [],
    "classifier": ["--spec", str(ROOT / "derive" / "networks" / "classifier.toml")],
    "binary_cross_entropy": ["--loss", "binary_cross_entropy"],
    "softsign": ["--activation", "x/(1+abs(x))"],
    "x_over_sqrt": ["--activation", "x/sqrt(1+x**2)"],
    "3-4-4-2": ["--layers", "3-4-4-2"],
    "swish_softsign": ["--layers", "2-3-1", "--activation", "x*sigmoid(x)", "--output-activation", "x/(1 + abs(x))"],
    "mish": ["--layers", "2-3-2", "--activation", MISH, "--output-activation", "sigmoid"],
}

#: The most an overfull line may stick out, in pt: less than a letter.
OVERFULL_PT = 5.0


def test_every_network_of_the_registry_keeps_within_the_pdf_margins(tmp_path):
    """Every hidden activation × loss with weights drawn, custom expressions and the example
    specs (the table of tests/test_worked_example.py), in one document, a page each."""
    parts = []
    for case in CASES:
        d = derivation(case.values[0])
        parts += [rf"\typeout{{NETWORK {case.id}}}", r"\clearpage", explain(d, 3, titled=True)]
    run, log = compile_latex(standalone("Every network", "\n".join(parts)), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert _overfull(log) == {}
    assert len(re.findall(r"^NETWORK ", log, re.MULTILINE)) == len(CASES) > 50


def _overfull(log: str) -> dict[str, list[float]]:
    """The lines more than OVERFULL_PT too wide, by the network whose NETWORK line the log printed before them."""
    overfull, network = {}, None
    for line in log.splitlines():
        network = line.removeprefix("NETWORK ") if line.startswith("NETWORK ") else network
        found = re.match(r"Overfull \\hbox \(([\d.]+)pt too wide\)", line)
        if found and float(found.group(1)) > OVERFULL_PT:
            overfull.setdefault(network, []).append(float(found.group(1)))
    return overfull


@functools.cache
def _exercises() -> dict[str, list[Network]]:
    """Two versions of an exercise for every hidden activation × loss and custom expression."""
    drawn = {}
    for hidden, (loss, output, layers, _) in itertools.product(HIDDEN + CUSTOM, LOSSES):
        template = Network(tuple(int(n) for n in layers.split("-")), (hidden, output), loss, name="exercise")
        drawn[f"{hidden}, {loss}, {output}"] = draw(template, 5, 2)
    return drawn


def test_every_exercise_sheet_of_the_registry_keeps_within_the_pdf_margins(tmp_path):
    """The sheets with their key and solutions, in one document."""
    parts = []
    for name, versions in _exercises().items():
        parts += [rf"\typeout{{NETWORK {name}}}", r"\clearpage", sheet.latex(versions, solutions=True)]
    run, log = compile_latex(standalone("Every exercise", "\n".join(parts)), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert _overfull(log) == {}
    assert len(re.findall(r"^NETWORK ", log, re.MULTILINE)) == len(HIDDEN + CUSTOM) * len(LOSSES)


def test_every_exercise_sheet_of_the_registry_fits_a_1200_px_window(tmp_path):
    """The same sheets' HTML on one page: nothing scrolls sideways."""
    first, *rest = (sheet.html(versions, solutions=True) for versions in _exercises().values())
    start = '<div class="backprop-derive">'
    bodies = [page[page.index(start) : page.rindex("</body>")] for page in rest]
    layout = _layout(first.replace("</body>", "\n".join(bodies) + "\n</body>"), tmp_path)
    assert layout["page"] <= layout["window"] == 1200
    assert layout["wide"] == []


@pytest.mark.parametrize("network", NETWORKS)
def test_the_pdf_keeps_within_its_margins(network, tmp_path, capsys):
    assert main(["--latex", "--standalone", *NETWORKS[network]]) == 0
    text = capsys.readouterr().out
    run, log = compile_latex(text, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "derivation.pdf").stat().st_size > 10_000
    assert "Undefined control sequence" not in log
    overfull = [float(pt) for pt in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(overfull, default=0.0) <= OVERFULL_PT, re.findall(r"Overfull \\hbox.*", log)
    assert "Overfull \\vbox" not in log


#: Added to a copy of the page: what scrolls sideways, and the boxes of the figures' texts.
MEASURE = """
const found = {window: window.innerWidth, page: document.documentElement.scrollWidth, wide: [], texts: [], kinds: [],
             cut: []};
for (const e of document.querySelectorAll("body *")) {
  if (e.closest("svg") || e.closest("math")) continue;  // their boxes are measured as a whole
  const over = e.scrollWidth - e.clientWidth;
  if (e.clientWidth > 0 && over > 1) found.wide.push([e.tagName + "." + e.className, over]);
}
for (const svg of document.querySelectorAll("svg")) {
  const r = svg.getBoundingClientRect();
  if (r.right > window.innerWidth) found.wide.push(["svg." + svg.getAttribute("class"), r.right - window.innerWidth]);
  found.kinds.push(svg.getAttribute("class"));
  found.texts.push(Array.from(svg.querySelectorAll("text"), t => {
    const b = t.getBoundingClientRect();
    if (b.left < r.left || b.right > r.right || b.top < r.top || b.bottom > r.bottom) found.cut.push(t.textContent);
    return [t.textContent, b.left, b.top, b.right, b.bottom];
  }));
}
const notebook = document.getElementById("notebook");
if (notebook) {
  const style = e => getComputedStyle(e);
  found.notebook = {
    rows: Array.from(notebook.querySelectorAll(".equations tr"), r => style(r).backgroundColor),
    table_math: Array.from(notebook.querySelectorAll(".equations math"), m => style(m).fontSize),
    prose_math: Array.from(notebook.querySelectorAll("p math"), m => style(m).fontSize),
    left: Array.from(notebook.querySelectorAll(".equations td.left"), d => style(d).textAlign),
    right: Array.from(notebook.querySelectorAll(".equations td.right"), d => style(d).textAlign),
  };
}
"""

#: JupyterLab's rules for rendered HTML that reach a table of equations (its rendermime CSS).
JUPYTERLAB = """<style>
.jp-RenderedHTMLCommon { font-size: 14px; line-height: 1.28; }
.jp-RenderedHTMLCommon table { border-collapse: collapse; border-spacing: 0; border: none; color: #000;
  font-size: 12px; table-layout: fixed; margin-left: auto; margin-bottom: 1em; margin-right: auto; }
.jp-RenderedHTMLCommon thead { border-bottom: 1px solid #616161; vertical-align: bottom; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon tr {
  vertical-align: middle; padding: 0.5em; line-height: normal; white-space: normal; max-width: none;
  border: none; }
.jp-RenderedHTMLCommon td, th { text-align: right; }
.jp-RenderedHTMLCommon th { font-weight: bold; }
.jp-RenderedHTMLCommon tbody tr:nth-child(odd) { background: #fff; }
.jp-RenderedHTMLCommon tbody tr:nth-child(even) { background: #f5f5f5; }
.jp-RenderedHTMLCommon tbody tr:hover { background: rgba(66, 165, 245, 0.2); }
</style>"""


#: The least room between two labels of the diagram, in px.
LABEL_GAP = 1.0


def _worst_overlap(boxes) -> float:
    """How far the two closest text boxes overlap, in px: the smaller of the overlap's
    width and height; negative, it is the room between them."""
    worst = -float("inf")
    for n, (_, l0, t0, r0, b0) in enumerate(boxes):
        for _, l1, t1, r1, b1 in boxes[n + 1 :]:
            worst = max(worst, min(min(r0, r1) - max(l0, l1), min(b0, b1) - max(t0, t1)))
    return worst


def _layout(page: str, tmp_path) -> dict:
    """What :data:`MEASURE` finds on the page in Chromium at a 1200 px wide window."""
    return measured(page, MEASURE, tmp_path)


def test_every_network_of_the_registrys_report_fits_and_its_labels_keep_apart(tmp_path):
    """The reports of the same table of networks as the PDF's, on one page."""
    first, *rest = (derivation(case.values[0]) for case in CASES)
    page = report(first).replace("</body>", "\n".join(body(d) for d in rest) + "\n</body>")
    layout = _layout(page, tmp_path)
    assert layout["page"] <= layout["window"] == 1200
    assert layout["wide"] == [] and layout["cut"] == []
    diagrams = [texts for kind, texts in zip(layout["kinds"], layout["texts"]) if kind == "network"]
    assert len(diagrams) == len(CASES)
    assert all(_worst_overlap(texts) <= -LABEL_GAP for texts in diagrams)


@pytest.mark.parametrize("network", [*NETWORKS, "784-128-10"])
def test_the_report_fits_a_1200_px_window_and_its_labels_keep_apart(network, tmp_path, capsys):
    out = tmp_path / "report.html"
    args = NETWORKS.get(network, ["--layers", network])
    assert main(["--html", str(out), *args, "--epochs", "200"]) == 0
    capsys.readouterr()
    page = out.read_text(encoding="utf-8")
    if network == "seed":
        # the notebook's view of the same derivation, under JupyterLab's table rules
        from derive import Derivation, seed

        notebook = f'{JUPYTERLAB}<div class="jp-RenderedHTMLCommon" id="notebook">{Derivation(seed())._repr_html_()}</div>'
        page = page.replace("</body>", notebook + "</body>")
    layout = _layout(page, tmp_path)
    assert layout["page"] <= layout["window"] == 1200
    assert layout["wide"] == []  # nothing scrolls sideways
    assert layout["cut"] == []  # no text runs off its figure
    diagram, *curve = layout["texts"]
    assert len(diagram) > 10 and all(r - l > 0 for _, l, _, r, _ in diagram)
    assert _worst_overlap(diagram) <= -LABEL_GAP, diagram
    assert all(_worst_overlap(texts) <= 0.0 for texts in curve)
    if network == "seed":
        shown = layout["notebook"]
        assert shown["rows"] and set(shown["rows"]) == {"rgba(0, 0, 0, 0)"}  # no stripes
        assert set(shown["table_math"]) == set(shown["prose_math"])  # the maths not shrunk
        assert set(shown["left"]) == {"right"} and set(shown["right"]) == {"left"}


#: Added to a copy of the page: each character that touches an inline formula (a comma, a
#: bracket) and sits on another line than the formula.
TOUCHING = """
const found = [];
for (const m of document.querySelectorAll("p math")) {
  for (const [node, i] of [[m.nextSibling, 0], [m.previousSibling, -1]]) {
    if (!node || node.nodeType !== Node.TEXT_NODE || !node.textContent) continue;
    const at = i < 0 ? node.textContent.length - 1 : 0;
    if (/\\s/.test(node.textContent[at])) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    const c = range.getBoundingClientRect(), b = m.getBoundingClientRect();
    const middle = (c.top + c.bottom) / 2;
    if (middle < b.top || middle > b.bottom) found.push([node.textContent[at], m.textContent]);
  }
}
"""


def test_a_formula_keeps_the_punctuation_that_touches_it_on_its_line(tmp_path, capsys):
    """The report of a trained network and an exercise sheet's solution, their prose laid out
    in columns from 300 to 700 px wide: a line breaks at a space, never between an inline
    formula and its comma or bracket."""
    out = tmp_path / "report.html"
    assert main(["--html", str(out), *NETWORKS["classifier"], "--epochs", "20"]) == 0
    capsys.readouterr()
    exercise = Network((2, 3, 2), ("relu", "sigmoid"), "squared_error", name="exercise")
    pages = [out.read_text(encoding="utf-8"), sheet.html(draw(exercise, 5, 2), solutions=True)]
    start = '<div class="backprop-derive">'
    content = "".join(page[page.index(start) : page.rindex("</body>")] for page in pages)
    columns = "".join(f'<div style="width: {width}px">{content}</div>' for width in range(300, 700, 9))
    page = pages[0].replace(pages[0][pages[0].index(start) : pages[0].rindex("</body>")], columns)
    assert content.count("<p>") > 20 and measured(page, TOUCHING, tmp_path) == []
