"""The derivation as one self-contained HTML page: MathML, SVG and no scripts.

:func:`report` writes the blocks of :func:`derive.explain.account.account` with the
maths as MathML (:class:`derive.explain.mathml.BackpropMathMLPrinter`), after an SVG
diagram of the network with its weights, and ends with the blocks of
:func:`derive.explain.training.section` (the training curve and the outputs) of a
:class:`derive.train.Training` run when one is given.  The page needs no
network access: the CSS is inline, the figures are inline SVG, the maths is
MathML that browsers render natively, and there is no JavaScript.  All text
from a spec (titles, notes, activation names) is escaped.

Examples
--------
>>> from derive import Derivation, seed
>>> page = report(Derivation(seed()))
>>> page.startswith("<!DOCTYPE html>") and "<script" not in page
True
"""

from __future__ import annotations

import re
from html import escape

from derive.derivation import Derivation
from derive.explain import account, blocks
from derive.explain.figures import diagram_caption, network_diagram, training_curve
from derive.explain.mathml import MINUS, RELATIONS, BackpropMathMLPrinter
from derive.explain.phrases import activation_named
from derive.explain.training import section as training_section
from derive.version import __version__

#: The page around the report: only the report page has it.
PAGE_STYLE = """
body { color: #1b1b1b; background: #fff; max-width: 58rem; margin: 2rem auto; padding: 0 1.2rem; }
"""

#: The report's own look, every selector under .backprop-derive so that a notebook's
#: page keeps its style; strong enough (a class and an element more than JupyterLab's
#: ``.jp-RenderedHTMLCommon table/tr/td`` rules) that the notebook's zebra stripes,
#: smaller table type and centred cells do not reach the equations.
STYLE = """
.backprop-derive { font-family: Georgia, 'DejaVu Serif', serif; line-height: 1.55; }
.backprop-derive h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
.backprop-derive h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.backprop-derive p.meta { color: #555; margin-top: 0; }
.backprop-derive math { font-size: 1.1em;
       font-family: 'Latin Modern Math', 'STIX Two Math', 'Cambria Math', 'DejaVu Math TeX Gyre', math; }
.backprop-derive figure { margin: 1.2rem 0; overflow-x: auto; }
.backprop-derive figcaption { color: #555; font-size: 0.92rem; }
.backprop-derive .equations { overflow-x: auto; overflow-y: hidden; padding: 0.15rem 0; margin: 0.5rem 0 0.8rem; }
.backprop-derive .equations table { border-collapse: collapse; border: none; margin: 0; table-layout: auto;
       font-size: inherit; color: inherit; }
.backprop-derive .equations tr:nth-child(n) { background: transparent; border: none; }
.backprop-derive .equations tr:nth-child(n) td { padding: 0.25rem 0.2rem; vertical-align: middle;
       border: none; line-height: inherit; }
.backprop-derive .equations tr:nth-child(n) td.left { text-align: right; }
.backprop-derive .equations tr:nth-child(n) td.right { text-align: left; }
.backprop-derive .equations tr:nth-child(n) td.label { color: #777; font-size: 0.85rem; padding-left: 1.5rem;
       white-space: nowrap; }
.backprop-derive table.numbers { border-collapse: collapse; border: none; margin: 0.8rem 0; table-layout: auto;
       font-size: inherit; color: inherit; font-variant-numeric: tabular-nums; }
.backprop-derive table.numbers tr:nth-child(n) { background: transparent; }
.backprop-derive table.numbers tr:nth-child(n) th,
.backprop-derive table.numbers tr:nth-child(n) td { padding: 0.2rem 0.6rem; text-align: right; border: none;
       line-height: inherit; }
.backprop-derive table.numbers thead tr:nth-child(n) { border-bottom: 1.5px solid #444; }
.backprop-derive table.numbers tbody tr:nth-child(even) { background: #f6f6f6; }
.backprop-derive .scroll { overflow-x: auto; }
.backprop-derive .word { white-space: nowrap; }
"""


def _math(printer: BackpropMathMLPrinter, expr, display: bool = False) -> str:
    attribute = ' displaystyle="true"' if display else ""
    return f"<math{attribute}>{printer.doprint(expr)}</math>"


def inline(printer: BackpropMathMLPrinter, parts) -> str:
    """Prose and inline maths; a formula keeps what touches it (its comma, its brackets) on its line.

    A browser may break a line after any formula, even before a comma, so each
    word that holds a formula and more (``<math>…</math>;``) is one unbreakable
    span: lines break at the prose's spaces only.
    """
    words, word = [], []  # the pieces of each word, a formula's marked True
    for part in parts:
        if not isinstance(part, str):
            word.append((_math(printer, part), True))
            continue
        for piece in re.split(r"(\s+)", part):
            if piece.isspace():
                words += [word, [(piece, False)]]
                word = []
            elif piece:
                word.append((escape(piece), False))
    out = []
    for pieces in [*words, word]:
        text = "".join(piece for piece, _ in pieces)
        formula = len(pieces) > 1 and any(is_math for _, is_math in pieces)
        out.append(f'<span class="word">{text}</span>' if formula else text)
    return "".join(out)


#: What a continuation row starts with (see derive.explain.linebreak): an indent and its operator.
_CONTINUATIONS = {"+": "+", "-": MINUS, "cdot": "\u00b7", "odot": "\u2299", "": ""}


def _relation(op: str) -> str:
    """The MathML that starts the right side of an equation row: = or ←, or a
    continuation's indent and operator (+, −, ·, or none for the rest of a vector)."""
    if op in RELATIONS:
        return "<mo>" + RELATIONS[op].encode("ascii", "xmlcharrefreplace").decode() + "</mo>"
    indent = '<mspace width="1em"/>' if op else '<mspace width="3em"/>'
    sign = _CONTINUATIONS[op].encode("ascii", "xmlcharrefreplace").decode()
    return indent + (f"<mo>{sign}</mo>" if sign else "")


def display_lines(printer: BackpropMathMLPrinter, rows) -> list[str]:
    out = ['<div class="equations"><table>']
    for row in rows:
        label = row.label or ""
        anchor = f' id="{escape(label.replace(":", "-"))}"' if label else ""
        left = _math(printer, row.left, display=True) if row.left is not None else ""
        right = ""
        if row.right is not None:
            right = f'<math displaystyle="true">{_relation(row.relation)}{printer.doprint(row.right)}</math>'
        shown = f"({escape(label.tag)})" if label else ""
        out.append(
            f'<tr{anchor}><td class="left">{left}</td><td class="right">{right}</td>'
            f'<td class="label">{shown}</td></tr>'
        )
    out.append("</table></div>")
    return out


def _table(printer: BackpropMathMLPrinter, table: blocks.Table) -> list[str]:
    out = [f"<p>{escape(table.caption)}</p>"] if table.caption else []
    for columns in table.parts():
        heads = (table.header[c] for c in columns)
        head = "".join(f"<th>{escape(h) if isinstance(h, str) else _math(printer, h)}</th>" for h in heads)
        out += ['<div class="scroll"><table class="numbers forward">', f"<thead><tr>{head}</tr></thead><tbody>"]
        for row in table.rows:
            cells = "".join(f"<td>{_math(printer, blocks.Numbers(row[c]))}</td>" for c in columns)
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table></div>")
    return out


def account_html(derivation: Derivation, digits: int = 3, training=None, strict: bool = True) -> str:
    """The account's blocks as HTML with MathML, and a training run's when one is given.

    The page heads it with the network's title (:func:`body`).  ``strict`` as in
    :func:`derive.explain.account.account`.
    """
    writer = _Writer(BackpropMathMLPrinter(derivation.names, digits=digits))
    written = account.account(derivation, digits, titled=True, strict=strict)
    if training is not None:
        written = [*written, *training_section(training, digits)]
    return "\n".join(line for block in written for line in writer.write(block))


class _Writer(blocks.Writer):
    """The blocks as lines of HTML with MathML."""

    format = "HTML"

    def __init__(self, printer: BackpropMathMLPrinter):
        self.printer = printer

    def _write_Section(self, block) -> list[str]:
        lead = [f"<p>{escape(block.lead)}</p>"] if block.lead else []
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return [f"<h2{anchor}>{escape(block.title)}</h2>", *lead]

    def _write_Paragraph(self, block) -> list[str]:
        return [f"<p>{inline(self.printer, block.parts)}</p>"]

    def _write_Break(self, block) -> list[str]:
        return []  # paragraphs are apart already

    def _write_Equations(self, block) -> list[str]:
        return display_lines(self.printer, block.rows)

    def _write_Table(self, block) -> list[str]:
        return _table(self.printer, block)

    def _write_Run(self, block) -> list[str]:
        # A curve shows the trend, not the numbers: the sentence gives ε before and after.
        return [f"<p>{escape(f'{block.how}: {block.change}.')}</p>"]

    def _write_Losses(self, block) -> list[str]:
        caption = escape(f"\u03b5, {block.note}, after each epoch.")
        return [f"<figure>{training_curve(block.values)}<figcaption>{caption}</figcaption></figure>"]

    def _write_Outputs(self, block) -> list[str]:
        out = [f"<p>{escape(block.caption)}</p>"] if block.caption else []
        head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
        out += ['<div class="scroll"><table class="numbers outputs">',
                f"<thead><tr>{head}</tr></thead><tbody>"]
        out += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows]
        return [*out, "</tbody></table></div>"]


def summary_html(derivation: Derivation) -> str:
    """The key equations (δ, gradients, updates) as an HTML table of MathML."""
    printer = BackpropMathMLPrinter(derivation.names)
    return "\n".join(display_lines(printer, account.summary(derivation).rows))


def body(derivation: Derivation, digits: int = 3, training=None, strict: bool = True) -> str:
    """The report's content: heading, network diagram, the account and the training run.

    One ``<div class="backprop-derive">`` that brings its own ``<style>``, all of
    it scoped to that class, so that it looks the same in a notebook as on the page.
    ``strict`` as in :func:`derive.explain.account.account`.
    """
    net = derivation.network
    title = net.title or f"Backpropagation, {net.layers_text}"
    named = [activation_named(derivation.activation(j)) for j in range(1, derivation.depth + 1)]
    meta = (
        f"Layers {net.layers_text}; activations ",
        *(part for j, name in enumerate(named) for part in ([", "] if j else []) + [name]),
        f"; loss {derivation.loss.title}. Derived by the chain rule in SymPy with backprop-derive {__version__}.",
    )
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{inline(BackpropMathMLPrinter(derivation.names), meta)}</p>',
        (f"<figure>{network_diagram(derivation, digits)}"
        f"<figcaption>{escape(diagram_caption(derivation))}</figcaption></figure>"),
        account_html(derivation, digits, training, strict),
    ]
    return "\n".join([f'<div class="backprop-derive"><style>{STYLE}</style>', *parts, "</div>"])


def report(derivation: Derivation, digits: int = 3, training=None) -> str:
    """The complete page: one HTML file that opens offline in any browser.

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the worked example's numbers and the diagram's weights.
    training : derive.train.Training, optional
        A training run to plot.
    """
    net = derivation.network
    return page(net.title or f"Backpropagation, {net.layers_text}", body(derivation, digits, training))


def page(title: str, body: str) -> str:
    """A complete HTML page: the title (plain text, escaped here) and the body (HTML)."""
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{PAGE_STYLE}</style>",
    ]
    return "\n".join(
        ["<!DOCTYPE html>", '<html lang="en">', "<head>", *head, "</head>", "<body>", body,
         "</body>", "</html>", ""]
    )
