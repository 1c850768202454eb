"""Backprop exercises: a problem drawn from a seed, with numbers a student can work with.

:func:`draw` takes a network's architecture (sizes, activations, loss) and
draws the rest of a worked example: the weights, an input, a target and the
update constant c, reproducibly from a seed.  The numbers are kept easy to
work by hand:

* weights are integers from −3 to 3, inputs 0 or 1 (at least one 1), targets
  0 or 1 (one-hot for a loss that needs a class distribution), c is 1 or 0.5;
* a draw is rejected where a unit saturates (an output outside its
  activation's ``unsaturated`` range: 0.05 to 0.95 for a logistic unit, ±0.95
  for tanh, at least 0.01 for relu) or where a δ is
  below 0.01 in size (so none rounds to 0.000 at 3 decimals, and each carries
  at least two digits into the updates, enough to tell a slip from rounding)
  or above 20 (its update would take the weights far from numbers worked by
  hand); the outputs are kept between −2 and 3, near the targets, so that a
  linear output's δ = y − f is not −90.

Every number is computed by :meth:`derive.derivation.Derivation.step`, so an
exercise's solution is the worked example that ``derive --latex --spec``
prints for the spec :func:`to_toml` writes.

Examples
--------
>>> from derive.network import seed
>>> first, = draw(seed(), 7)
>>> first.example.c in (0.5, 1.0), first.weights == draw(seed(), 7)[0].weights
(True, True)
"""

from __future__ import annotations

import dataclasses
import json
import math
import random

import sympy as sp

from derive import activations, losses
from derive.derivation import Derivation
from derive.network import Example, Network

#: Weights are drawn from these integers.
WEIGHTS = range(-3, 4)
#: Update constants a student can multiply by in their head.
RATES = (1.0, 0.5)
#: The smallest size of a δ: at 3 decimals it keeps two digits.
MIN_DELTA = 0.01
#: The largest size of a δ: the updated weights stay near the drawn ones.
MAX_DELTA = 20.0
#: Where the outputs are drawn: near the targets 0 and 1 (a linear output could be 40).
OUTPUTS = (-2.0, 3.0)
#: Draws of one layer's weights before the whole problem is drawn again.
LAYER_TRIES = 400
#: Problems drawn before giving up (a network that cannot have nice numbers).
MAX_TRIES = 200
#: The largest network an exercise is drawn for: a sheet is worked by hand.
MAX_WEIGHTS = 60
#: How far off its range a unit must be, judged in floats, to be turned away unchecked.
MARGIN = 1e-6


class ExerciseError(ValueError):
    """A network for which no exercise with nice numbers can be drawn."""


def draw(template: Network, seed: int, count: int = 1) -> list[Network]:
    """``count`` exercises for the template's architecture, reproducible from ``seed``.

    Each is the template's network with drawn ``weights`` and ``example``, no
    data set, and a name and title that say which seed and version it is.
    The first of ``count`` versions is the exercise of ``count = 1``.

    Parameters
    ----------
    template : Network
        Sizes, activations and loss; its weights and examples are not used.
    seed : int
        The same seed gives the same exercises, byte for byte.
    count : int
        Number of versions.
    """
    weights = sum(rows * cols for rows, cols in template.weight_shapes)
    if weights > MAX_WEIGHTS:
        raise ExerciseError(
            f"--exercise: {template.layers_text} has {weights} weights; an exercise is worked by"
            f" hand and has at most {MAX_WEIGHTS}"
        )
    bare = dataclasses.replace(template, weights=None, example=None, data=(), title="")
    derivation = Derivation(bare)
    rng = random.Random(seed)
    out = []
    for version in range(1, count + 1):
        weights, example = _problem(derivation, rng)
        name = f"exercise_{seed}" + (f"_{version}" if count > 1 else "")
        title = f"Exercise {seed}" + (f", version {version}" if count > 1 else "")
        out.append(
            dataclasses.replace(bare, name=name, title=title, weights=weights, example=example)
        )
    return out


def _problem(d: Derivation, rng: random.Random):
    net = d.network
    loss = losses.get(net.loss)
    for _ in range(MAX_TRIES):
        x = [float(rng.choice((0, 1))) for _ in range(net.sizes[0])]
        if not any(x):
            x[rng.randrange(len(x))] = 1.0
        n_out = net.sizes[-1]
        if loss.one_hot:
            hot = rng.randrange(n_out)
            y = tuple(float(i == hot) for i in range(n_out))
        else:
            y = tuple(float(rng.choice((0, 1))) for _ in range(n_out))
        c = rng.choice(RATES)
        weights = _weights(d, rng, tuple(x))
        if weights is None:
            continue
        step = d.step(x, y, weights, c)
        deltas = [step.values[d.names.delta(j, i)] for j in range(1, d.depth + 1) for i in d.units(j)]
        if all(MIN_DELTA <= abs(float(v)) <= MAX_DELTA for v in deltas):
            return weights, Example(x=tuple(x), y=y, c=c)
    raise ExerciseError(
        f"--exercise: no nice numbers found for {net.summary} in {MAX_TRIES} draws"
        f" (every unit off its flat tails, every δ from {MIN_DELTA} to {MAX_DELTA:g} in size)"
    )


def _weights(d: Derivation, rng: random.Random, x: tuple[float, ...]):
    """Weights drawn layer by layer, each layer redrawn until no unit saturates."""
    n = d.names
    values = {n.input(k): sp.Float(v) for k, v in enumerate(x, start=1)}
    matrices = []
    for j in range(1, d.depth + 1):
        rows, cols = d.network.weight_shapes[j - 1]
        far_off = _screen(d, j, values)
        for _ in range(LAYER_TRIES):
            matrix = tuple(
                tuple(float(rng.choice(WEIGHTS)) for _ in range(cols)) for _ in range(rows)
            )
            outputs = None if far_off(matrix) else _layer(d, j, matrix, values)
            if outputs is not None:
                break
        else:
            return None
        values.update(outputs)
        matrices.append(matrix)
    return tuple(matrices)


def _layer(d: Derivation, j: int, matrix, values: dict):
    """The layer's g and s for the given weights; None where a unit saturates."""
    low, high = _range(d, j)
    n = d.names
    known = dict(values)
    for i, row in enumerate(matrix, start=1):
        for k, w in enumerate(row, start=1):
            known[n.weight(j, i, k)] = sp.Float(w)
    out = {}
    for i in d.units(j):
        out[n.preactivation(j, i)] = d.preactivation(j, i).xreplace(known).evalf(15)
    known.update(out)
    for i in d.units(j):
        s = d.output(j, i).xreplace(known).evalf(15)
        if not (s.is_Number and s.is_finite) or not low <= float(s) <= high:
            return None
        out[n.output(j, i)] = s
    known.update(out)
    # and a finite slope there, which sqrt lacks at 0: no δ could be worked out through it
    for i in d.units(j):
        slope = d.activation_slope(j, i).xreplace(known).evalf(15)
        if not (slope.is_Number and slope.is_finite):
            return None
    # a unit on a kink has its slope by a convention (relu's 0 at 0), not by working it out
    kinks = d.activation(j).kinks
    if any(float(out[n.preactivation(j, i)]) in kinks for i in d.units(j)):
        return None
    return out


def _range(d: Derivation, j: int) -> tuple[float, float]:
    """Where the layer's outputs must lie: off the activation's flat tails (the
    registry's unsaturated range) and, for the output layer, near the targets,
    where δ = y − f is small whatever the activation."""
    low, high = d.activation(j).unsaturated or (-math.inf, math.inf)
    if j == d.depth:
        low, high = max(low, OUTPUTS[0]), min(high, OUTPUTS[1])
    return low, high


def _screen(d: Derivation, j: int, values: dict):
    """A quick test of the layer's draws: whether a unit is far off its range, in floats.

    Most draws of a layer are turned away (of a relu output layer, thousands for
    one kept), and :func:`_layer`'s exact check in SymPy takes about 0.3 ms a
    draw; g summed in floats and the activation unit by unit take a sixth of that.
    A unit less than :data:`MARGIN` off its range is left to the exact check, so
    the two turn away the same draws: g in floats is off the exact g by rounding
    alone, and a registry activation's slope is at most 1.  A custom
    activation's slope has no bound, so its layers get the exact check alone.
    """
    low, high = _range(d, j)
    if d.activation(j).name not in activations.ACTIVATIONS or (low, high) == (-math.inf, math.inf):
        return lambda matrix: False  # nothing to screen: no bound on the slope, or on the outputs
    inputs = [float(values.get(X, X)) for X in d.inputs(j)]
    g = [d.names.preactivation(j, i) for i in d.units(j)]
    outputs = [d.output(j, i) for i in d.units(j)]
    elementwise = d.activation(j).elementwise

    def far_off(matrix) -> bool:
        sums = [math.fsum(w * X for w, X in zip(row, inputs)) for row in matrix]
        known = {} if elementwise else {g_k: sp.Float(v) for g_k, v in zip(g, sums)}
        for g_i, v, s in zip(g, sums, outputs):
            # a unit's own g is all its output needs, unless the layer's activation is softmax
            s = s.xreplace({g_i: sp.Float(v)} if elementwise else known).evalf(15)
            if s.is_Number and s.is_finite and not low - MARGIN <= float(s) <= high + MARGIN:
                return True
        return False

    return far_off


def number(value: float) -> str:
    """A drawn number as a student writes it: ``2``, ``-3``, ``0.5``.

    Examples
    --------
    >>> number(2.0), number(-0.0), number(0.5)
    ('2', '0', '0.5')
    """
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def to_toml(network: Network, comment: str = "") -> str:
    """The exercise as a spec file: ``derive --latex --spec`` prints its solution.

    Parameters
    ----------
    network : Network
        An exercise (weights and example).
    comment : str
        A line for the head of the file, e.g. the command that drew it.
    """

    def vector(values) -> str:
        return "[" + ", ".join(number(v) for v in values) + "]"

    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [
        "# A backprop exercise: derive --latex --spec FILE prints its solution,",
        "# derive --grade marks a student's answers to it (spec = \"FILE\").",
        f"name = {json.dumps(network.name)}",
        f"title = {json.dumps(network.title, ensure_ascii=True)}",
        f"layers = [{', '.join(map(str, network.sizes))}]",
        f"activation = [{', '.join(json.dumps(a, ensure_ascii=True) for a in network.activations)}]",
        f"loss = {json.dumps(network.loss)}",
        "",
        "# weights[j] is layer j+1's matrix: one row per unit, the bias weight last.",
        "weights = [",
    ]
    for matrix in network.weights:
        lines.append("    [" + ", ".join(vector(row) for row in matrix) + "],")
    example = network.example
    lines += [
        "]",
        "",
        "[example]",
        f"x = {vector(example.x)}",
        f"y = {vector(example.y)}",
        f"c = {number(example.c)}",
        "",
    ]
    return "\n".join(lines)
