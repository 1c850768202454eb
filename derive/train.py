"""Train a network on its spec's data set with the generated update.

The update is the one :mod:`codegen` generates for the network: its module is
rendered, written to a temporary directory and imported as a user would import
it, and its ``update(weights, x, y, c)`` is applied per sample (the seed's: one
update per data row, the rows in order) or per batch (one update for the whole
data set, the sum of the per-sample updates).  ε, summed over the data set, is
recorded before the first epoch and after every epoch.

Examples
--------
>>> from derive import seed
>>> run = train(seed(), epochs=3)
>>> [round(float(e), 4) for e in run.losses]
[1.3406, 1.2411, 1.1369, 1.0483]
"""

from __future__ import annotations

import importlib.util
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from derive.network import Network

#: Epochs of a run when none are asked for.
DEFAULT_EPOCHS = 5000
#: At most this many epochs, so a typing slip cannot run for hours.
MAX_EPOCHS = 10_000_000
#: Seed of the random initial weights of a spec without weights.
RANDOM_SEED = 0


@dataclass(frozen=True)
class Training:
    """What a training run did and where it ended.

    ``losses[e]`` is ε over the data set after ``e`` epochs (``losses[0]``
    before any update); ``outputs`` holds the final f of every data row.
    """

    network: Network
    epochs: int
    c: float
    batch: bool
    start: str
    losses: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    outputs: np.ndarray
    weights: list
    seconds: float

    @property
    def updates(self) -> str:
        """How the weights were updated, in words."""
        if self.batch:
            return "batch updates (one per epoch, summed over the data set)"
        return "per-sample updates (one per data row, the rows in order)"

    def matches(self) -> int | None:
        """Data rows whose outputs round to their targets; None unless every target is 0 or 1.

        One output: f rounded to 0 or 1 equals y.  Several outputs: every f
        rounds to its y (for one-hot targets, the largest f is the class).
        """
        if not np.isin(self.targets, (0.0, 1.0)).all():
            return None
        return int(np.all(np.round(self.outputs) == self.targets, axis=1).sum())


def load_module(network: Network):
    """The generated numpy module of the network, imported from a temporary file."""
    from codegen import generate

    text = generate.render(network, "derive --train", f"the network {network.name!r}")
    with tempfile.TemporaryDirectory(prefix="derive-train-") as folder:
        path = Path(folder) / f"{network.name}.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"derive_train_{network.name}", path)
        module = importlib.util.module_from_spec(spec)
        dont_write = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        try:
            spec.loader.exec_module(module)
        finally:
            sys.dont_write_bytecode = dont_write
    return module


def initial_weights(network: Network) -> tuple[list, str]:
    """The spec's weights as arrays, or small random ones (seeded) if it has none."""
    if network.weights is not None:
        return [np.array(w, dtype=float) for w in network.weights], "the spec's weights"
    rng = np.random.default_rng(RANDOM_SEED)
    weights = [rng.normal(0.0, 1.0 / math.sqrt(cols), (rows, cols)) for rows, cols in network.weight_shapes]
    return weights, f"random weights (the spec has none; normal, seed {RANDOM_SEED})"


def default_c(network: Network) -> float:
    """The spec's worked-example c, else 1."""
    return network.example.c if network.example is not None else 1.0


def check(network: Network, epochs: int, c: float) -> None:
    """A ValueError naming the problem if the network cannot be trained so."""
    if not network.data:
        raise ValueError(
            "--train: the network has no data set; give a spec with a [data] table (x and y rows)"
        )
    if not 0 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"--epochs: expected 0 to {MAX_EPOCHS}, got {epochs}")
    if not (math.isfinite(c) and c > 0):
        raise ValueError(f"--c: expected a positive number, got {c}")


def train(
    network: Network,
    epochs: int = DEFAULT_EPOCHS,
    c: float | None = None,
    batch: bool = False,
    progress=None,
) -> Training:
    """Train the network on its data set with its generated update.

    Parameters
    ----------
    network : Network
        A network whose spec has a data set; its weights, or seeded random
        ones, are the start.
    epochs : int
        Passes over the data set.
    c : float, optional
        The seed's update constant (default: the spec's example c, else 1).
    batch : bool
        One update per epoch over the whole data set instead of one per row.
    progress : callable, optional
        Called as ``progress(epoch, loss)`` after every epoch.
    """
    c = default_c(network) if c is None else float(c)
    check(network, epochs, c)
    module = load_module(network)
    inputs = np.array([x for x, _ in network.data], dtype=float)
    targets = np.array([y for _, y in network.data], dtype=float)
    weights, start = initial_weights(network)
    losses = np.empty(epochs + 1)
    losses[0] = module.loss(weights, inputs, targets)
    began = time.perf_counter()
    with np.errstate(all="ignore"):  # a diverging run shows as inf or nan in ε
        for epoch in range(1, epochs + 1):
            if batch:
                weights = module.update(weights, inputs, targets, c)
            else:
                for x, y in zip(inputs, targets):
                    weights = module.update(weights, x, y, c)
            losses[epoch] = module.loss(weights, inputs, targets)
            if progress is not None:
                progress(epoch, losses[epoch])
        outputs = module.forward(weights, inputs)[-1]
    return Training(
        network=network,
        epochs=epochs,
        c=c,
        batch=batch,
        start=start,
        losses=losses,
        inputs=inputs,
        targets=targets,
        outputs=outputs,
        weights=weights,
        seconds=time.perf_counter() - began,
    )


def cadence(epochs: int, lines: int = 10) -> list[int]:
    """The epochs to report: 0, about ``lines`` evenly spaced ones, and the last.

    Examples
    --------
    >>> cadence(5000)
    [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]
    >>> cadence(7)
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    step = max(1, _round_step(epochs / lines))
    shown = list(range(0, epochs + 1, step))
    if shown[-1] != epochs:
        shown.append(epochs)
    return shown


def _round_step(step: float) -> int:
    """The smallest step of 1, 2 or 5 times a power of ten that is at least ``step``."""
    if step <= 1:
        return 1
    power = 10 ** math.floor(math.log10(step))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= step)


def number(value: float, digits: int) -> str:
    """A number for the report: rounded to ``digits`` decimals (inf and nan as such)."""
    if not math.isfinite(value):
        return str(value)
    from derive.latex import decimals

    return decimals(value, digits)


def report(run: Training, digits: int = 3) -> str:
    """The text ``derive --train`` prints: the run, ε at a cadence, the final outputs.

    Examples
    --------
    >>> from derive import seed
    >>> print(report(train(seed(), epochs=2)))  # doctest: +ELLIPSIS
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


def loss_text(value: float) -> str:
    return f"{value:.7f}" if math.isfinite(value) else str(value)


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
