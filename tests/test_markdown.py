"""The Markdown explanation: $$ blocks of the LaTeX printer, a Markdown table, escaped prose."""

import re

import pytest

from derive import Derivation, Network, seed
from derive.cli import main, trained
from derive.explain.latex import explain
from derive.explain.markdown import escape, markdown


@pytest.fixture(scope="module")
def seed_markdown():
    return markdown(Derivation(seed()), training=trained(seed(), epochs=100))


def _blocks(text: str) -> list[str]:
    return re.findall(r"^\$\$\n(.*?)\n\$\$$", text, re.DOTALL | re.MULTILINE)


def test_equations_are_aligned_latex_in_dollar_blocks(seed_markdown):
    blocks = _blocks(seed_markdown)
    assert len(blocks) == explain(Derivation(seed())).count(r"\begin{align}") == 18
    assert all(b.startswith(r"\begin{aligned}") and b.endswith(r"\end{aligned}") for b in blocks)
    assert (
        r"\delta^{(2)} &= \left(y - f\right) f \left(1 - f\right)" in seed_markdown
    )
    assert (
        r"\delta^{(1)} &= s^{(1)} \odot \left(\mathbf{1} - s^{(1)}\right) \odot "
        r"\left(\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}\right) \qquad \text{(delta-1)}"
        in seed_markdown
    )
    assert r"\label" not in seed_markdown and r"\tag" not in seed_markdown  # MathJax-safe
    assert r"$\partial \varepsilon / \partial g^{(2)} = -2\,\delta^{(2)}$" in seed_markdown


def test_worked_example_numbers(seed_markdown):
    assert r"\left(0 - 0.655\right) \cdot 0.655 \cdot \left(1 - 0.655\right) = -0.148" in seed_markdown
    assert r"\left(-0.148\right) \cdot 3 = -0.047" in seed_markdown
    assert r"= 0.074" in seed_markdown
    assert "= (2.87, -2.074, -1.148)" in seed_markdown


def test_forward_table_is_a_markdown_table(seed_markdown):
    lines = seed_markdown.splitlines()
    start = lines.index("| $x_{1}$ | $x_{2}$ | $g^{(1)}_{1}$ | $s_{1}$ | $g^{(1)}_{2}$ | $s_{2}$ | $g^{(2)}$ | $f$ | $y$ |")
    assert lines[start + 1] == "|" + "---:|" * 9
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[start + 2 : start + 6]]
    assert [row[7] for row in rows] == ["0.491", "0.083", "0.655", "0.197"]
    assert rows[0] == ["0", "0", "0", "0.5", "-1", "0.269", "-0.038", "0.491", "1"]
    assert lines[start - 1] == "" and lines[start + 6] == ""  # a table needs blank lines around it


def test_sections_and_training(seed_markdown):
    headings = [line for line in seed_markdown.splitlines() if line.startswith("#")]
    assert headings == [
        "# The seed: a 2-2-1 sigmoid network learning XNOR",
        "## The network",
        "## The forward pass",
        "## The loss",
        "## The output layer (layer 2)",
        "## Hidden layer 1",
        "## Gradient and update",
        "## A worked example",
        "## Training",
    ]
    assert "| 0 | 1.3406448 |" in seed_markdown
    assert "| (1, 1) | (1) | (" in seed_markdown
    assert "\n\n\n" not in seed_markdown


def test_prose_from_a_spec_is_escaped():
    assert escape("a *b* <i>c</i> $x$ | _y_ [z](u) `v` # w") == (
        r"a \*b\* \<i\>c\</i\> \$x\$ \| \_y\_ \[z\](u) \`v\` \# w"
    )
    assert escape("- a list?") == r"\- a list?"
    assert escape("1. a list?") == r"1\. a list?"
    assert escape("two\nlines\x00") == "two lines "
    net = seed()
    hostile = Network(**{**net.__dict__, "title": "<script>alert(1)</script> $x$ *b*"})
    text = markdown(Derivation(hostile))
    assert text.splitlines()[0] == r"# \<script\>alert(1)\</script\> \$x\$ \*b\*"
    assert "<script>" not in text


def test_markdown_from_the_command_line(capsys):
    assert main(["--markdown", "--epochs", "10"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("# The seed")
    assert "10 epochs of per-sample updates" in out
    assert main(["--markdown", "--layers", "3-4-4-2"]) == 0
    out = capsys.readouterr().out
    assert "## Hidden layer 2" in out and "## Training" not in out
