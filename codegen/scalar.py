"""Straight-line float code for one sample of a small network.

For one sample of a small network, numpy's per-call cost dwarfs the
arithmetic: an update of the seed is a few dozen multiplications.  So a
generated module also carries, for networks of at most :data:`SCALAR_WEIGHTS`
weights, each function written out on Python floats, one unit at a time, from
the derivation's own per-unit expressions::

    g1_1 = w1_1_1*x1 + w1_1_2*x2 + w1_1_3  # (eq:g-1)
    s1_1 = (1/(1 + exp(-g1_1)) if g1_1 >= 0 else exp(g1_1)/(1 + exp(g1_1)))  # (eq:s-1)
    ...
    t0 = c*delta1_1  # (eq:update-1)

Named quantities keep their symbols' names (``g1_1``, ``s1_1``, ``delta2``);
what several of them share is found by SymPy's ``cse`` and computed once, as
``t0``, ``t1``, ..., just before its first use and under that use's label.
Everything is printed by :class:`codegen.printer.ScalarPrinter`.

A network whose expressions the printer cannot write for floats (a
softmax layer, which needs the whole layer at once) gets no scalar code:
:class:`ScalarCode` raises :class:`Unsupported` and the module keeps its array
path alone.

Examples
--------
>>> from derive import Derivation, seed
>>> code = ScalarCode(Derivation(seed()))
>>> [f"{line.name} = {line.code}" for line in code.functions["update"].lines][-3:]
['t2 = c*delta1_1', 't3 = c*delta1_2', 't4 = c*delta2_1']
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from codegen.printer import ScalarPrinter
from derive.activations import sigmoid, softplus
from derive.derivation import Derivation
from derive.naming import label

#: The most weights a network may have for its module to carry scalar code.
SCALAR_WEIGHTS = 64


def _stable_log(u: sp.Expr) -> sp.Expr:
    """log u, with log σ(g) as −softplus(−g) and log(1 − σ(g)) as −softplus(g)."""
    if isinstance(u, sigmoid):
        return -softplus(-u.args[0])
    if isinstance(1 - u, sigmoid):
        return -softplus((1 - u).args[0])
    return sp.log(u)


class Unsupported(ValueError):
    """A network that gets no scalar code, with the reason."""


@dataclass(frozen=True)
class Step:
    """One assignment of scalar code: ``name = code  # (label)``."""

    name: str
    code: str
    label: str


@dataclass(frozen=True)
class Result:
    """An array a scalar function returns: its name, shape and entries, printed row by row."""

    name: str
    shape: tuple[int, ...]
    rows: tuple[tuple[str, ...], ...]
    label: str

    @property
    def size(self) -> int:
        return sum(len(row) for row in self.rows)


@dataclass(frozen=True)
class Function:
    """The scalar code of one public function: its steps and its results.

    ``value`` is the printed name of a scalar result (the loss), else None.
    """

    lines: tuple[Step, ...]
    results: tuple[Result, ...]
    value: str | None = None


class ScalarCode:
    """The printed scalar code of one network's public functions.

    Parameters
    ----------
    d : Derivation

    Raises
    ------
    Unsupported
        When the network has more than :data:`SCALAR_WEIGHTS` weights or an
        expression the scalar printer cannot write.
    """

    def __init__(self, d: Derivation):
        network = d.network
        weights = sum(rows * cols for rows, cols in network.weight_shapes)
        if weights > SCALAR_WEIGHTS:
            raise Unsupported(f"{weights} weights (scalar code up to {SCALAR_WEIGHTS})")
        if not all(d.activation(j).elementwise for j in range(1, d.depth + 1)):
            raise Unsupported("a layer-wide activation needs the whole layer at once")
        self.d = d
        self.printer = ScalarPrinter()
        n = d.names
        L = d.depth
        self.rate = n.rate
        # Every named quantity, in the order code computes them.
        self._steps: list[tuple[sp.Symbol, sp.Expr, str]] = []
        for j in range(1, L + 1):
            for i in d.units(j):
                self._steps.append((n.preactivation(j, i), d.preactivation(j, i), label("g", j)))
            for i in d.units(j):
                self._steps.append((n.output(j, i), d.output(j, i), label("s", j)))
        for j in range(L, 0, -1):
            for i in d.units(j):
                self._steps.append((n.delta(j, i), d.delta(j, i), label("delta", j)))
        try:
            self.weight_targets = [
                self._print(sp.Tuple(*(sp.Tuple(*row) for row in self._weights(j))))
                for j in range(1, L + 1)
            ]
            self.x_target = self._print(sp.Tuple(*(n.input(k) for k in d.units(0))))
            self.y_target = self._print(sp.Tuple(*(n.target(i) for i in d.units(L))))
            self.functions = {
                "forward": self._function(
                    [self._gather(n.output, j, label("s", j)) for j in range(1, L + 1)]
                ),
                "loss": self._loss(),
                "deltas": self._function(
                    [self._gather(n.delta, j, label("delta", j)) for j in range(1, L + 1)]
                ),
                "gradients": self._function(
                    [self._matrix(f"dW{j}", d.gradient, j, "gradient") for j in range(1, L + 1)]
                ),
                "update": self._function(
                    [self._matrix(f"W{j}_new", d.update, j, "update") for j in range(1, L + 1)]
                ),
            }
        except PrintMethodNotImplementedError as error:
            raise Unsupported(str(error).splitlines()[0]) from None
        self.imports = self.printer.import_lines()
        #: The sizes of every array the functions return.
        self.sizes = sorted({r.size for f in self.functions.values() for r in f.results})

    def _print(self, expr: sp.Basic) -> str:
        return self.printer.doprint(expr)

    def _weights(self, j: int) -> list[list[sp.Symbol]]:
        d = self.d
        return [
            [d.names.weight(j, i, k) for k in range(1, d.sizes[j - 1] + 2)] for i in d.units(j)
        ]

    def _gather(self, symbol, j: int, eq: str) -> tuple:
        """A layer's named quantities (outputs or deltas) as an array ``layer{j}``."""
        units = self.d.units(j)
        return (f"layer{j}", (len(units),), [sp.Tuple(*(symbol(j, i) for i in units))], eq)

    def _matrix(self, name: str, entry, j: int, kind: str) -> tuple:
        """A matrix shaped like layer j's weights, of ``entry(j, i, k)``."""
        d = self.d
        inputs = range(1, d.sizes[j - 1] + 2)
        rows = [sp.Tuple(*(entry(j, i, k) for k in inputs)) for i in d.units(j)]
        return (name, (len(rows), len(inputs)), rows, label(kind, j))

    def _loss(self) -> Function:
        d = self.d
        n = d.names
        L = d.depth
        terms = []
        for i in d.units(L):
            f, f_of_g = n.output(L, i), d.output(L, i)
            term = d.loss.term(n.target(i), f)
            # log f read as the log of f's function of g, rewritten (before cse can
            # take σ(g) apart from its log) to a form finite where f rounds to 0 or 1.
            term = term.replace(
                lambda e, f=f: isinstance(e, sp.log) and e.has(f),
                lambda e, f=f, f_of_g=f_of_g: _stable_log(e.args[0].xreplace({f: f_of_g})),
            )
            terms.append(term)
        eps = sp.Symbol("eps", real=True)
        return self._function([], (eps, sp.Add(*terms), label("loss")))

    def _function(self, results: list[tuple], value=None) -> Function:
        """Steps for the results: the named quantities they need, with what they share once."""
        exprs = [row for _, _, rows, _ in results for row in rows]
        if value is not None:
            exprs.append(value[1])
        # The named quantities the results need, found backwards through the steps.
        needed = set().union(*(e.free_symbols for e in exprs))
        steps = []
        for symbol, expr, eq in reversed(self._steps):
            if symbol in needed:
                steps.append((symbol, expr, eq))
                needed |= expr.free_symbols
        steps.reverse()
        # Each expression's label: its step's, its result's.
        labels = [eq for _, _, eq in steps]
        for _, _, rows, eq in results:
            labels.extend([eq] * len(rows))
        if value is not None:
            labels.append(value[2])
        common, reduced = sp.cse(
            [expr for _, expr, _ in steps] + exprs,
            symbols=sp.numbered_symbols("t", real=True),
        )
        # Each shared subexpression goes just before its first use, under that use's label.
        shared = {symbol for symbol, _ in common}
        first_use: dict[sp.Symbol, int] = {}
        for position, expr in enumerate(reduced):
            for symbol in expr.free_symbols & shared:
                first_use.setdefault(symbol, position)
        for symbol, expr in reversed(common):  # users come after what they use
            for used in expr.free_symbols & shared:
                first_use[used] = min(first_use.get(used, first_use[symbol]), first_use[symbol])
        before: dict[int, list[tuple[sp.Symbol, sp.Expr]]] = {}
        for symbol, expr in common:
            before.setdefault(first_use[symbol], []).append((symbol, expr))
        lines: list[Step] = []
        for position, expr in enumerate(reduced):
            for symbol, subexpr in before.get(position, []):
                lines.append(Step(str(symbol), self._print(subexpr), labels[position]))
            if position < len(steps):
                lines.append(Step(str(steps[position][0]), self._print(expr), labels[position]))
        rest = iter(reduced[len(steps) :])
        printed = []
        for name, shape, rows, eq in results:
            entries = tuple(tuple(self._print(e) for e in next(rest).args) for _ in rows)
            printed.append(Result(name, shape, entries, eq))
        if value is None:
            return Function(tuple(lines), tuple(printed))
        lines.append(Step(str(value[0]), self._print(next(rest)), value[2]))
        return Function(tuple(lines), tuple(printed), value=str(value[0]))
