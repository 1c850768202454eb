r"""The derivation as Markdown for GitHub and Jupyter: maths in ``$$`` blocks.

:func:`markdown` writes the blocks of :func:`derive.explain.account.account`: the
maths is the LaTeX of :class:`derive.explain.latex.BackpropPrinter` (``$...$`` inline,
one ``$$`` block of ``aligned`` rows per group of equations, labels as
``(delta-1)`` beside their rows), the forward pass is a Markdown table, and a
:class:`derive.train.Training` run adds the blocks of
:func:`derive.explain.training.section`: a table of ε and the final outputs.
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
from derive.explain.notation import loss_text
from derive.explain.training import section as training_section

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
        # without a blank line, a line after a table would be read as one more row
        displayed = blocks.Equations | blocks.Table | blocks.Losses | blocks.Outputs
        if isinstance(self.previous, displayed):
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

    def _write_Run(self, block) -> None:
        self.lines.append(escape(f"{block.how}."))  # the table below shows how ε changed

    def _write_Losses(self, block) -> None:
        if self.lines[-1] != "":
            self.lines.append("")
        self.lines += [f"| epoch | $\\varepsilon$ ({escape(block.note)}) |", "|---:|---:|"]
        self.lines += [f"| {e} | {loss_text(block.values[e])} |" for e in block.shown]

    def _write_Outputs(self, block) -> None:
        if self.lines[-1] != "":
            self.lines.append("")
        if block.caption:
            self.lines += [escape(block.caption), ""]
        rows = [block.header, *block.rows]
        lines = ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
        self.lines += [lines[0], "|" + "---|" * len(block.header), *lines[1:]]


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
    written = account.account(derivation, digits, titled=True)
    if training is not None:
        written = [*written, *training_section(training, digits)]
    for block in written:
        writer.write(block)
        writer.previous = block
    return "\n".join(writer.lines).rstrip("\n") + "\n"
