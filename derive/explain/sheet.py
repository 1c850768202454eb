"""Exercise sheets, their solutions and keys, in LaTeX, Markdown and HTML.

A sheet is laid out once as blocks of :mod:`derive.explain.blocks` (sections,
paragraphs, equation rows) and printed by the existing writers, so the
notation is the derivation's own.  :func:`sheet_blocks` gives one exercise's
problem; :func:`solution_blocks` its worked solution: the forward pass, then
the worked example of :func:`derive.explain.account.account`, the very rows that
``derive --latex --spec`` prints for the exercise's spec; :func:`key_blocks`
the answers of every version, compactly.  :func:`latex`, :func:`markdown` and
:func:`html` write a list of exercises as one document.

Examples
--------
>>> from derive.exercise import draw
>>> from derive.network import seed
>>> text = latex(draw(seed(), 7), solutions=True, standalone=True)
>>> text.startswith(r"\\documentclass") and r"\\section*{Solution}" in text
True
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape

import sympy as sp

from derive import losses
from derive.derivation import Derivation
from derive.explain import account as blocks
from derive.explain import html as html_writer
from derive.explain import latex as latex_writer
from derive.explain import markdown as markdown_writer
from derive.explain.blocks import (
    Break,
    Equations,
    Listed,
    Numbers,
    Paragraph,
    Row,
    Section,
    equal,
    product,
)
from derive.explain.mathml import BackpropMathMLPrinter
from derive.explain.notation import with_numbers
from derive.explain.phrases import activation_named
from derive.network import Network


@dataclass(frozen=True)
class PageBreak:
    """A new page (LaTeX), a rule (Markdown and HTML): between versions and before the key."""


def _number(value: float) -> sp.Expr:
    """A drawn number exactly as written: 2, not 2.000."""
    return sp.Integer(int(value)) if float(value).is_integer() else sp.Float(value)


def _vector(values) -> Numbers:
    return Numbers(Listed(tuple(_number(v) for v in values)))


def sheet_blocks(d: Derivation, heading: str = "") -> list:
    """The problem: the network, its weights, the input, the target, c, and what to compute."""
    network = d.network
    n, ex, L = d.names, network.example, d.depth
    general = n.general
    rows = [
        Row(n.vector("W", j), sp.Matrix([[_number(w) for w in row] for row in matrix]))
        for j, matrix in enumerate(network.weights, start=1)
    ]
    named = [activation_named(d.activation(j)) for j in range(1, L + 1)]
    if len(set(network.activations)) == 1:
        acts = ("activation ", named[0], " in every layer")
    else:
        acts = ("activations ", *(
            part for j, name in enumerate(named, start=1)
            for part in ([", "] if j > 1 else []) + [name, f" (layer {j})"]
        ))
    out = [
        Section(heading or "The problem"),
        Paragraph((
            f"A {network.layers_text} network: ",
            *acts,
            (f"; the loss is the {losses.get(network.loss).title}."
             " Each layer's input ends with a constant 1 for the bias, so the weights of layer "),
            general("j"),
            " form a matrix with one row per unit and the bias weight last:",
        )),
        Equations(tuple(rows)),
        Paragraph((
            "One step of backpropagation for the input ",
            equal(general("x"), _vector(ex.x)),
            " with target ",
            equal(general("y"), _vector(ex.y)),
            " and ",
            equal(n.rate, Numbers(_number(ex.c))),
            ", with the rules:",
        )),
        blocks.summary(d),
        Paragraph(("Compute, to 3 decimals, each from your rounded numbers before it:",)),
        Break(together=True),
        Paragraph(("1. the forward pass, ",
                   *_listing(n.vector(q, j) for j in range(1, L + 1) for q in ("g", "s")), ";")),
        Break(together=True),
        Paragraph(("2. every delta, from the output back: ",
                   *_listing(n.vector("delta", j) for j in range(L, 0, -1)), ";")),
        Break(together=True),
        Paragraph(("3. the updated weights ",
                   *_listing(n.vector("W", j) for j in range(L, 0, -1)), ".")),
        Break(),
        Paragraph((
            "To have them marked by the grader, name them " + ", ".join(_answer_names(L))
            + " (W as updated) in an answers file.",
        )),
    ]
    return out


def _listing(symbols) -> list:
    symbols = list(symbols)
    out = []
    for k, s in enumerate(symbols):
        out.append(s)
        if k < len(symbols) - 1:
            out.append(", ")
    return out


def _answer_names(depth: int) -> list[str]:
    names = []
    for j in range(1, depth + 1):
        names += [f"g{j}", "f" if j == depth else f"s{j}"]
    names += [f"delta{j}" for j in range(depth, 0, -1)]
    return names + [f"W{j}" for j in range(depth, 0, -1)]


def solution_blocks(d: Derivation) -> list:
    """The worked solution: the forward pass with numbers, then the account's worked example."""
    network = d.network
    n, ex = d.names, network.example
    step = d.step(ex.x, ex.y, network.weights, ex.c)
    v = step.values
    rows = []
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            weights = Listed(tuple(_number(w) for w in network.weights[j - 1][i - 1]))
            inputs = Listed(tuple(v.get(x, x) for x in d.inputs(j)))
            g = n.preactivation(j, i)
            shown = product(weights, inputs, joint="cdot")
            rows.append(Row(g, equal(Numbers(shown), Numbers(v[g]))))
        for i in d.units(j):
            unit = with_numbers(d.output(j, i), v)
            rows.append(Row(n.output(j, i), equal(Numbers(unit), Numbers(v[n.output(j, i)]))))
    out = [
        Section("Solution"),
        Paragraph(("The forward pass, every number at full precision and shown to 3 decimals:",)),
        Equations(tuple(rows)),
    ]
    account = blocks.account(d)
    start = next(
        k for k, b in enumerate(account) if isinstance(b, Section) and b.title == "A worked example"
    )
    return out + account[start + 1 :]


def key_blocks(derivations: list[Derivation]) -> list[tuple[Derivation, object]]:
    """The answers of every version: the forward pass, every δ and the new weights, to 3 decimals."""
    out = [(derivations[0], Section("Key"))]
    for number, d in enumerate(derivations, start=1):
        network = d.network
        n, ex = d.names, network.example
        step = d.step(ex.x, ex.y, network.weights, ex.c)
        v = step.values
        rows = []
        for j in range(1, d.depth + 1):
            for kind, symbol in (("g", n.preactivation), ("s", n.output)):
                values = Listed(tuple(v[symbol(j, i)] for i in d.units(j)))
                rows.append(Row(n.vector(kind, j), Numbers(values)))
        for j in range(d.depth, 0, -1):
            rows.append(Row(n.vector("delta", j), Numbers(Listed(tuple(v[n.delta(j, i)] for i in d.units(j))))))
        for j in range(d.depth, 0, -1):
            for i in d.units(j):
                rows.append(Row(n.weight_row(j, i), Numbers(Listed(step.updated[j - 1][i - 1])), relation="<-"))
        out += [(d, Paragraph((f"Version {number} ({network.title}):",))), (d, Equations(tuple(rows), together=True))]
    return out


def document_blocks(networks: list[Network], solutions: bool = False) -> list[tuple[Derivation, object]]:
    """Every block of a document of one exercise or several versions, with its derivation.

    A block's symbols belong to its derivation's names, which print them.
    """
    out = []
    derivations = [Derivation(network) for network in networks]
    versions = len(networks) > 1
    for number, d in enumerate(derivations, start=1):
        if number > 1:
            out.append((d, PageBreak()))
        heading = f"Version {number}" if versions else ""
        out += [(d, b) for b in sheet_blocks(d, heading)]
        if solutions and not versions:
            out += [(d, b) for b in solution_blocks(d)]
    if versions:
        out += [(derivations[0], PageBreak()), *key_blocks(derivations)]
        if solutions:
            for number, d in enumerate(derivations, start=1):
                out += [(d, PageBreak()), (d, Section(f"Solution of version {number}"))]
                out += [(d, b) for b in solution_blocks(d)[1:]]
    return out


# -- the writers -----------------------------------------------------------------


def _title(networks: list[Network]) -> str:
    first = networks[0]
    if len(networks) == 1:
        return f"Backpropagation: {first.title}"
    return f"Backpropagation: {first.title.split(',')[0]}, {len(networks)} versions and a key"


def latex(networks: list[Network], solutions: bool = False, standalone: bool = False) -> str:
    """The exercises as LaTeX (amsmath); ``standalone`` makes a document for pdflatex."""
    lines: list[str] = []
    for d, block in document_blocks(networks, solutions):
        if isinstance(block, PageBreak):
            lines.append(r"\clearpage")
            continue
        printer = latex_writer.BackpropPrinter(d.names, digits=3)
        lines += latex_writer.LatexWriter(printer).write(block)
    body = "\n".join(lines) + "\n"
    if not standalone:
        return body
    return latex_writer.standalone(_title(networks), body)


def markdown(networks: list[Network], solutions: bool = False) -> str:
    """The exercises as Markdown with ``$$`` maths (GitHub, Jupyter)."""
    lines = [f"# {markdown_writer.escape(_title(networks))}"]
    for d, block in document_blocks(networks, solutions):
        printer = latex_writer.BackpropPrinter(d.names, digits=3)
        if isinstance(block, PageBreak):
            lines += ["", "---"]
        elif isinstance(block, Section):
            lines += ["", f"## {markdown_writer.escape(block.title)}"]
        elif isinstance(block, Paragraph):
            lines += ["", markdown_writer.inline(printer, block.parts)]
        elif isinstance(block, Equations):
            lines += ["", *markdown_writer.display_lines(printer, block.rows)]
    return "\n".join(lines).rstrip("\n") + "\n"


def html(networks: list[Network], solutions: bool = False) -> str:
    """The exercises as one self-contained HTML page with MathML."""
    title = _title(networks)
    parts = [f"<h1>{html_escape(title)}</h1>"]
    for d, block in document_blocks(networks, solutions):
        printer = BackpropMathMLPrinter(d.names, digits=3)
        if isinstance(block, PageBreak):
            parts.append("<hr>")
        elif isinstance(block, Section):
            parts.append(f"<h2>{html_escape(block.title)}</h2>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{html_writer.inline(printer, block.parts)}</p>")
        elif isinstance(block, Equations):
            parts += html_writer.display_lines(printer, block.rows)
    return page(title, "\n".join(parts))


def page(title: str, body: str) -> str:
    """A complete HTML page around ``body`` (HTML) in the report's style; ``title`` is plain text."""
    styled = f'<div class="backprop-derive"><style>{html_writer.STYLE}{_STYLE}</style>'
    return html_writer.page(title, f"{styled}\n{body}\n</div>")


_STYLE = """
.backprop-derive table.marks { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
.backprop-derive table.marks th, .backprop-derive table.marks td { padding: 0.25rem 0.7rem;
       border-bottom: 1px solid #ddd; text-align: left; }
.backprop-derive table.marks td.wrong { color: #a00; font-weight: bold; white-space: nowrap; }
.backprop-derive table.marks td.ok { color: #060; white-space: nowrap; }
"""
