r"""The derivation as Markdown for GitHub and Jupyter: maths in ``$$`` blocks.

:func:`markdown` writes the blocks of :func:`derive.explain.account.account`: the
maths is the LaTeX of :class:`derive.explain.latex.BackpropPrinter` (``$...$`` inline,
one ``$$`` block of ``aligned`` rows per group of equations, labels as
``(delta-1)`` beside their rows), the forward pass is a Markdown table, and a
:class:`derive.train.Training` run adds a table of ε and the final outputs.
Prose from a spec is escaped so that it stays text.

Examples
--------
>>> from derive import Derivation, seed
>>> text = markdown(Derivation(seed()))
>>> print(text.splitlines()[0])
# The seed: a 2-2-1 sigmoid network learning XNOR
"""

from __future__ import annotations

from derive.derivation import Derivation
from derive.explain import account, blocks
from derive.explain.latex import BackpropPrinter, aligned_lines
from derive.explain.notation import cadence, loss_text, number

#: Characters that Markdown could read as markup; each is written with a backslash.
_MARKUP = set("\\`*_[]<>#|$~&")


def escape(text: str) -> str:
    r"""Text that Markdown shows as it is: one line, markup characters escaped.

    Examples
    --------
    >>> print(escape("a *b* <i>c</i> $x$ | y"))
    a \*b\* \<i\>c\</i\> \$x\$ \| y
    >>> print(escape("- not a list"))
    \- not a list
    """
    text = "".join(ch if ch.isprintable() else " " for ch in " ".join(text.splitlines()))
    text = "".join("\\" + ch if ch in _MARKUP else ch for ch in text)
    if text[:1] in ("-", "+", "="):
        text = "\\" + text  # would start a list or underline a heading
    digits = len(text) - len(text.lstrip("0123456789"))
    if digits and text[digits : digits + 1] in (".", ")"):
        text = text[:digits] + "\\" + text[digits:]  # would start a numbered list
    return text


def inline(printer: BackpropPrinter, parts) -> str:
    return "".join(escape(p) if isinstance(p, str) else f"${printer.doprint(p)}$" for p in parts)


def display_lines(printer: BackpropPrinter, rows) -> list[str]:
    return ["$$", *aligned_lines(printer, rows), "$$"]


def _table(printer: BackpropPrinter, table: blocks.Table) -> list[str]:
    lines = [escape(table.caption), ""] if table.caption else []
    for n, columns in enumerate(table.parts()):
        heads = (table.header[c] for c in columns)
        header = "| " + " | ".join(escape(h) if isinstance(h, str) else f"${printer.doprint(h)}$" for h in heads)
        rows = [
            "| " + " | ".join(printer.doprint(blocks.Numbers(row[c])) for c in columns) + " |"
            for row in table.rows
        ]
        lines += ([""] if n else []) + [header + " |", "|" + "---:|" * len(columns), *rows]
    return lines


def _training(run, digits: int) -> list[str]:
    lines = [
        "## Training",
        "",
        escape(
            f"{run.epochs} epochs of {run.updates} with c = {number(run.c, 6)}, from {run.start},"
            " with the generated update."
        ),
        "",
        "| epoch | $\\varepsilon$ (summed over the data set) |",
        "|---:|---:|",
    ]
    lines += [f"| {e} | {loss_text(float(run.losses[e]))} |" for e in cadence(run.epochs)]
    lines += ["", "The outputs after training, for every data row:", "", "| x | y | f |", "|---|---|---|"]
    for x, y, f in zip(run.inputs, run.targets, run.outputs):
        cells = ("(" + ", ".join(number(float(v), digits) for v in values) + ")" for values in (x, y, f))
        lines.append("| " + " | ".join(cells) + " |")
    matched = run.matches()
    if matched is not None:
        lines += ["", f"Rounded to 0 or 1, f equals y on {matched} of {len(run.inputs)} rows."]
    return lines


class _Writer(blocks.Writer):
    """The blocks as lines of Markdown, appended to ``lines``: where a blank line goes
    depends on the line before and on the block before.
    """

    format = "Markdown"

    def __init__(self, printer: BackpropPrinter):
        self.printer = printer
        self.lines: list[str] = []
        self.previous = None

    def _write_Section(self, block) -> None:
        title = f"## {escape(block.title)}"
        self.lines += ["", title, ""] if self.lines[-1] else [title, ""]
        if block.lead:
            self.lines.append(escape(block.lead))

    def _write_Paragraph(self, block) -> None:
        if isinstance(self.previous, blocks.Equations | blocks.Table):
            self.lines.append("")
        self.lines.append(inline(self.printer, block.parts))

    def _write_Break(self, block) -> None:
        if self.lines[-1] != "":
            self.lines.append("")

    def _write_Equations(self, block) -> None:
        self.lines += ["", *display_lines(self.printer, block.rows)]

    def _write_Table(self, block) -> None:
        if self.lines[-1] != "":
            self.lines.append("")
        self.lines += _table(self.printer, block)


def markdown(derivation: Derivation, digits: int = 3, training=None) -> str:
    """The whole derivation as Markdown.

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the worked example's numbers.
    training : derive.train.Training, optional
        A training run to add as a section.
    """
    net = derivation.network
    writer = _Writer(BackpropPrinter(derivation.names, digits=digits))
    writer.lines.append(f"# {escape(net.title or f'Backpropagation, {net.layers_text}')}")
    for block in account.account(derivation, digits):
        writer.write(block)
        writer.previous = block
    lines = writer.lines
    if training is not None:
        lines += ["", *_training(training, digits)]
    return "\n".join(lines).rstrip("\n") + "\n"
