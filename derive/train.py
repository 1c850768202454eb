"""Train a network on its spec's data set with the generated update.

The update is the one :mod:`codegen` generates for the network (the command
line renders it; :func:`load_module` writes it to a temporary directory and
imports it as a user would), and its ``update(weights, x, y, c)`` is applied per sample (the seed's: one
update per data row, the rows in order) or per batch (one update for the whole
data set, the sum of the per-sample updates).  ε, summed over the data set, is
recorded before the first epoch and after every epoch.

Examples
--------
>>> from codegen import render
>>> from derive import seed
>>> module = load_module(render(seed(), "derive --train", "the seed"), "xnor")
>>> run = train(seed(), module, epochs=3)
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


def load_module(text: str, name: str):
    """A generated module's source ``text``, imported from a temporary file ``name.py``."""
    with tempfile.TemporaryDirectory(prefix="derive-train-") as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"derive_train_{name}", path)
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
    module,
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
    module : module
        The network's generated module (:func:`load_module`); its
        ``update``, ``loss`` and ``forward`` are used.
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
    inputs = np.array([x for x, _ in network.data], dtype=float)
    targets = np.array([y for _, y in network.data], dtype=float)
    weights, start = initial_weights(network)
    losses = np.empty(epochs + 1)
    began = time.perf_counter()
    with np.errstate(all="ignore"):  # a run that breaks down shows as inf or nan in ε
        losses[0] = module.loss(weights, inputs, targets)
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
