"""The training run as text: what ``derive --train`` prints, and its progress bar.

The run itself is :func:`derive.train.train`'s; :func:`derive.cli.trained`
runs it with the module codegen writes.
"""

from __future__ import annotations

import sys
import time

from derive.explain.notation import cadence, loss_text, number
from derive.train import Training


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
    lines = [
        (f"Training {net.name} ({net.layers_text}) on its {rows} data row{'s' * (rows != 1)}"
        f" from {run.start}:"),
        f"{run.epochs} epoch{'s' * (run.epochs != 1)} of {run.updates}, c = {number(run.c, 6)}.",
        "",
    ]
    width = max(5, len(str(run.epochs)))
    lines.append(f"{'epoch':>{width + 1}}  ε (summed over the data set)")
    for epoch in cadence(run.epochs):
        lines.append(f"{epoch:>{width + 1}}  {loss_text(run.losses[epoch])}")
    lines.append("")
    table = [("x", "y", "f")]
    for x, y, f in zip(run.inputs, run.targets, run.outputs):
        table.append(tuple(_vector(v, digits) for v in (x, y, f)))
    widths = [max(len(row[k]) for row in table) for k in range(3)]
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    matched = run.matches()
    if matched is not None:
        lines.append("")
        lines.append(f"Rounded to 0 or 1, f equals y on {matched} of {rows} rows.")
    return "\n".join(lines) + "\n"


def _vector(values, digits: int) -> str:
    return "(" + ", ".join(number(float(v), digits) for v in values) + ")"


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
