"""The training run as blocks, the plain text ``derive --train`` prints, and its progress bar.

:func:`section` lays out a run once, as the blocks of :mod:`derive.explain.blocks`;
:func:`report` writes them as plain text (:class:`TextWriter`), and the HTML and
Markdown writers write the same blocks in their reports.  The run itself is :func:`derive.train.train`'s;
:func:`derive.cli.trained` runs it with the module codegen writes.
"""

from __future__ import annotations

import math
import sys
import time

from derive.explain import blocks
from derive.explain.notation import cadence, loss_text, number
from derive.train import Training


def section(run: Training, digits: int = 3) -> list:
    """The run's Training section as blocks: how it ran, ε per epoch, the outputs, the matches.

    Examples
    --------
    >>> from derive import seed
    >>> from derive.cli import trained
    >>> [type(b).__name__ for b in section(trained(seed(), epochs=2))]
    ['Section', 'Run', 'Losses', 'Outputs', 'Paragraph']
    """
    rows = len(run.inputs)
    first, last = (number(float(run.losses[k]), 4) for k in (0, -1))
    out = [
        blocks.Section("Training", anchor="training"),
        blocks.Run(
            f"{run.epochs} epoch{'s' * (run.epochs != 1)} of {run.updates} with c = {number(run.c, 6)}, from {run.start},"
            " with the generated update",
            f"ε over the data set went from {first} to {last}",
        ),
        *_breakdown(run.losses),
        blocks.Losses(
            tuple(float(v) for v in run.losses), tuple(cadence(run.epochs)),
            "summed over the data set",
        ),
        blocks.Outputs(
            ("x", "y", "f"),
            tuple(
                tuple(_vector(v, digits) for v in (x, y, f))
                for x, y, f in zip(run.inputs, run.targets, run.outputs)
            ),
            "The outputs after training, for every data row:",
        ),
    ]
    matched = run.matches()
    if matched is not None:
        out.append(blocks.paragraph(f"Rounded to 0 or 1, f equals y on {matched} of {rows} rows."))
    return out


#: ε this many times its start (or 1) before it broke down: the run diverged.
DIVERGED = 1e6
_UNDEFINED = "its activation or its slope is undefined (such as the square root or the log of a negative g)"


def _breakdown(losses) -> list:
    """A paragraph on where ε stopped being a finite number, if it did, and the likely why."""
    epoch = next((e for e, v in enumerate(losses) if not math.isfinite(v)), None)
    if epoch is None:
        return []
    if epoch == 0:
        why = f"for some data row, the starting weights take a unit where {_UNDEFINED}"
        return [blocks.paragraph(f"ε is {losses[0]} before any update: {why}.")]
    last = losses[epoch - 1]
    if math.isinf(losses[epoch]) or last >= DIVERGED * max(losses[0], 1.0):
        why = "the updates diverged; a smaller c may help"
    else:
        why = f"an update took a unit where {_UNDEFINED}"
    return [
        blocks.paragraph(
            f"ε became {losses[epoch]} at epoch {epoch}, after {number(last, 4)} at epoch {epoch - 1}: {why}."
        )
    ]


def report(run: Training, digits: int = 3) -> str:
    """The text ``derive --train`` prints: the run, ε at a cadence, the final outputs.

    Examples
    --------
    >>> from derive import seed
    >>> from derive.cli import trained
    >>> print(report(trained(seed(), epochs=2)))  # doctest: +ELLIPSIS
    Training xnor (2-2-1) on its 4 data rows from the spec's weights:
    2 epochs of per-sample updates (one per data row, the rows in order), c = 1.
    <BLANKLINE>
     epoch  ε (summed over the data set)
         0  1.3406448
         1  1.2410854
         2  1.1368736
    <BLANKLINE>
    x       y    f
    (0, 0)  (1)  (0.594)
    (0, 1)  (0)  (0.128)
    (1, 0)  (0)  (0.718)
    (1, 1)  (1)  (0.336)
    <BLANKLINE>
    Rounded to 0 or 1, f equals y on 2 of 4 rows.
    <BLANKLINE>
    """
    net = run.network
    rows = len(run.inputs)
    # On a terminal the run is all there is: this heading says what ran instead of
    # the section's title and sentence.
    heading = [
        (f"Training {net.name} ({net.layers_text}) on its {rows} data row{'s' * (rows != 1)}"
        f" from {run.start}:"),
        f"{run.epochs} epoch{'s' * (run.epochs != 1)} of {run.updates}, c = {number(run.c, 6)}.",
    ]
    writer = TextWriter()
    written = [heading, *(writer.write(block) for block in section(run, digits))]
    return "\n\n".join("\n".join(lines) for lines in written if lines) + "\n"


def _vector(values, digits: int) -> str:
    return "(" + ", ".join(number(float(v), digits) for v in values) + ")"


class TextWriter(blocks.Writer):
    """A training run's blocks as lines of plain text, each block a paragraph of its own."""

    def _write_Section(self, block) -> list[str]:
        return []  # the report's heading names the run

    def _write_Run(self, block) -> list[str]:
        return []  # the report's heading says how it ran; its table shows how ε changed

    def _write_Paragraph(self, block) -> list[str]:
        return ["".join(block.parts)]  # prose only: plain text has no maths

    def _write_Losses(self, block) -> list[str]:
        width = max(5, len(str(block.shown[-1]))) + 1
        lines = [f"{'epoch':>{width}}  ε ({block.note})"]
        return lines + [f"{e:>{width}}  {loss_text(block.values[e])}" for e in block.shown]

    def _write_Outputs(self, block) -> list[str]:
        # The header says what the rows are; a terminal's report needs no caption.
        table = [block.header, *block.rows]
        widths = [max(len(row[k]) for row in table) for k in range(len(block.header))]
        return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]


class Progress:
    """A one-line progress bar on a terminal, shown once a run takes longer than a second.

    Nothing is written unless the stream is a terminal; the line is redrawn
    at most ten times a second and erased by :meth:`close`.
    """

    def __init__(self, total: int, stream=None, clock=time.monotonic, delay: float = 1.0):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.began = clock()
        self.delay = delay
        self.drawn = 0.0
        self.shown = False
        self.live = total > 0 and bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, epoch: int, loss: float) -> None:
        if not self.live:
            return
        now = self.clock()
        if now - self.began < self.delay or (now - self.drawn < 0.1 and epoch < self.total):
            return
        self.drawn = now
        done = int(30 * epoch / self.total)
        bar = "#" * done + "-" * (30 - done)
        self.stream.write(f"\r[{bar}] epoch {epoch}/{self.total}  ε = {loss_text(loss)}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()
            self.shown = False
