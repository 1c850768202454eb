"""The update of one sample of a small network, on Python floats, unit by unit.

For one sample of a small network numpy's cost per call dwarfs the
arithmetic: the seed's update is a few dozen multiplications.  So a module
of a network of at most :data:`SCALAR_WEIGHTS` weights, with activations
from the registry, carries one more function, ``_update_floats``, written
from the derivation's per-unit expressions as the seed computes them by
hand::

    g1_1 = w1_1_1 * x1 + w1_1_2 * x2 + w1_1_3  # (eq:g-1)
    s1_1 = (1 / (1 + exp(-g1_1)) if g1_1 >= 0 else exp(g1_1) / (1 + exp(g1_1)))  # (eq:s-1)
    ...
    delta1_1 = s1_1 * (1 - s1_1) * delta2_1 * w2_1_1  # (eq:delta-1)

Examples
--------
>>> from derive import Derivation, seed
>>> code = ScalarUpdate.of(Derivation(seed()))
>>> [line.code for line in code.lines if line.name == "delta1_1"]
['s1_1 * (1 - s1_1) * delta2_1 * w2_1_1']
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from codegen.printer import Line, ScalarPrinter
from derive import activations
from derive.derivation import Derivation
from derive.naming import label

#: The most weights a network may have for its module to carry the float update.
SCALAR_WEIGHTS = 64
#: The activations printed for floats in forms that raise nothing (custom ones may overflow).
FLOAT_ACTIVATIONS = frozenset(a.name for a in activations.ACTIVATIONS.values() if a.floats)


@dataclass(frozen=True)
class ScalarUpdate:
    """The printed float update of one sample: unpacking targets, steps, new weights."""

    weight_targets: tuple[str, ...]
    x_shape: str
    y_shape: str
    x_target: str
    y_target: str
    lines: tuple[Line, ...]
    results: tuple[tuple[tuple[str, ...], ...], ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]  # (module, names), e.g. ("math", ("exp",))

    @classmethod
    def of(cls, d: Derivation) -> ScalarUpdate | None:
        """The float update of the network, or None where it gets none."""
        weights = sum(rows * cols for rows, cols in d.network.weight_shapes)
        if weights > SCALAR_WEIGHTS or not set(d.network.activations) <= FLOAT_ACTIVATIONS:
            return None
        printer = ScalarPrinter()
        n, L = d.names, d.depth
        lines = []
        for j in range(1, L + 1):
            for i in d.units(j):
                lines.append(Line(str(n.preactivation(j, i)), printer.doprint(d.preactivation(j, i)), label("g", j)))
            for i in d.units(j):
                lines.append(Line(str(n.output(j, i)), printer.doprint(d.output(j, i)), label("s", j)))
        for j in range(L, 0, -1):
            for i in d.units(j):
                cancels = j == L and d.delta_cancels(i)
                # the seed's factors in its order, less a slope of 1 (a linear unit's)
                factors = [a for f in d.delta_factors(j, i) for a in sp.Mul.make_args(f) if a != 1]
                delta = d.delta(j, i) if cancels else sp.Mul(*factors, evaluate=False)
                lines.append(Line(str(n.delta(j, i)), printer.doprint(delta), label("delta", j)))
        # w + c δ X in the seed's order: printed as built
        in_order = ScalarPrinter({"order": "none"})
        results = []
        for j in range(1, L + 1):
            inputs = d.inputs(j)
            rows = []
            for i in d.units(j):
                step = [n.rate, n.delta(j, i)]
                row = []
                for k, x in enumerate(inputs, start=1):
                    # w + c δ X, as the seed writes it
                    change = sp.Mul(*step, *([x] if x != 1 else []), evaluate=False)
                    row.append(in_order.doprint(sp.Add(n.weight(j, i, k), change, evaluate=False)))
                rows.append(tuple(row))
            results.append(tuple(rows))
        targets = tuple(
            printer.doprint(sp.Tuple(*(sp.Tuple(*(n.weight(j, i, k) for k in range(1, len(d.inputs(j)) + 1)))
                                      for i in d.units(j))))
            for j in range(1, L + 1)
        )
        return cls(
            weight_targets=targets,
            x_shape=repr((d.sizes[0],)),
            y_shape=repr((d.sizes[L],)),
            x_target=printer.doprint(sp.Tuple(*(n.input(k) for k in d.units(0)))),
            y_target=printer.doprint(sp.Tuple(*(n.target(i) for i in d.units(L)))),
            lines=tuple(lines),
            results=tuple(results),
            imports=tuple(printer.imports()),
        )
