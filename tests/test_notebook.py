"""A notebook run by a real kernel: what Jupyter receives for a Derivation and its expressions."""

import re
import sys
from pathlib import Path

import pytest

# CI installs them with the test extra: pip install -e '.[test]'
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from jupyter_client.kernelspec import KernelSpecManager  # nbclient depends on it
from jupyter_client.manager import AsyncKernelManager

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    "import sys\nprint(sys.executable)",
    "from derive import Derivation, seed\nd = Derivation(seed())",
    "d",
    "d.delta(1, 1)",  # IPython shows SymPy's own _repr_latex_
    # SymPy's formatters, as a notebook sets them up
    "import sympy\nsympy.init_printing(use_latex='mathjax')\nd.delta(1, 1)",
    # √g has no slope at g = 0, where these numbers put the hidden unit
    (
        "from derive.network import from_table\n"
        "Derivation(from_table({'layers': [1, 1, 1], 'activation': ['sqrt(x)', 'sigmoid'],"
        " 'weights': [[[1, 0]], [[2, -2]]], 'example': {'x': [0], 'y': [1], 'c': 1}}))"
    ),
]

DELTA = r"\delta^{(2)} s_{1} w^{(2)}_{11} \left(1 - s_{1}\right)"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Each cell's outputs, from a python3 kernel on this interpreter with its own empty dirs."""
    home = tmp_path_factory.mktemp("jupyter")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    # No kernel dirs: "python3" is ipykernel's own spec, which runs sys.executable.
    manager = AsyncKernelManager(
        kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[])
    )
    with pytest.MonkeyPatch.context() as env:
        # neither the user's Jupyter and IPython configuration nor their home is read or written
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            env.setenv(name, str(home / name.lower()))
        env.setenv("JUPYTER_PLATFORM_DIRS", "1")
        client = nbclient.NotebookClient(
            notebook, km=manager, timeout=60, resources={"metadata": {"path": str(ROOT)}}
        )
        client.execute()
    return [cell.outputs for cell in notebook.cells]


def _data(outputs, cell: int) -> dict:
    (result,) = [o for o in outputs[cell] if o.output_type == "execute_result"]
    return result.data


def test_the_kernel_runs_this_interpreter(outputs):
    (stream,) = outputs[0]
    assert stream.text.strip() == sys.executable


def test_notebook_plain_view_is_the_readable_repr(outputs):
    data = _data(outputs, 2)
    assert data["text/plain"] == "Derivation(xnor 2-2-1: sigmoid → sigmoid, squared_error)"


def test_notebook_latex_view_holds_the_layer_rules(outputs):
    latex = _data(outputs, 2)["text/latex"]
    assert latex.startswith("$$\n\\begin{aligned}")
    assert r"\delta^{(1)} &= s^{(1)} \odot \left(\mathbf{1} - s^{(1)}\right)" in latex


@pytest.mark.parametrize("cell", [3, 4], ids=["repr_latex", "init_printing"])
def test_notebook_expressions_show_the_tools_notation(outputs, cell):
    data = _data(outputs, cell)
    assert data["text/latex"] == rf"$\displaystyle {DELTA}$"
    assert r"\delta_{2 1}" not in data["text/latex"]


def test_notebook_expressions_plain_text(outputs):
    assert _data(outputs, 3)["text/plain"] == "delta2_1*s1_1*w2_1_1*(1 - s1_1)"
    assert _data(outputs, 4)["text/plain"] == "δ⁽²⁾⋅s₁⋅w⁽²⁾₁₁⋅(1 - s₁)"  # SymPy's pretty printer


def test_notebook_html_view_is_the_report(outputs):
    html = _data(outputs, 2)["text/html"]
    assert "<math" in html and "<svg" in html
    assert r"\delta" not in html  # MathML, not LaTeX


def _selectors(css: str) -> list[str]:
    """Every selector of a style sheet's rules, comma lists split."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    rules = re.findall(r"([^{}]+)\{[^{}]*\}", css)
    return [s.strip() for rule in rules for s in rule.split(",")]


def test_notebook_html_brings_scoped_style(outputs):
    """The report in a notebook brings its look along, and touches nothing of the notebook's."""
    html = _data(outputs, 2)["text/html"]
    assert html.startswith('<div class="backprop-derive">') and html.rstrip().endswith("</div>")
    (style,) = re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    selectors = _selectors(style)
    assert len(selectors) > 5
    outside = [s for s in selectors if not re.match(r"\.backprop-derive(?![\w-])", s)]
    assert outside == []


def test_a_worked_example_with_no_finite_number_is_shown_with_its_reason(outputs):
    """Where the command line stops (exit 2), a notebook shows the derivation, its worked example's
    section saying which number is not finite, and no traceback."""
    assert [o.output_type for o in outputs[5]] == ["execute_result"]
    html = _data(outputs, 5)["text/html"]
    assert html.count("<h2") >= 5  # the whole derivation
    section = html[html.index("A worked example</h2>"):]
    assert re.search(r"inputs <math><msup><mi>&#948;</mi>.*</math> is infinite, as", section)  # √g's slope at 0
    assert "as an activation, its slope or the loss is undefined there" in section
