"""Symbols in the seed's notation, with their LaTeX and Python names.

Every quantity of a network has one SymPy symbol, whose ``name`` is also the
Python variable that generated code uses for it, and one LaTeX form:

============  ============  ===========================  ======================
quantity      Python name   LaTeX                        meaning
============  ============  ===========================  ======================
input         ``x1``        x_{1}                        network input k
target        ``y1``        y_{1}                        target of output i
weight        ``w1_2_3``    w^{(1)}_{23}                 layer 1, unit 2, input 3
pre-act.      ``g1_2``      g^{(1)}_{2}                  g = W·X of a unit
output        ``s1_2``      s_{2} or s^{(1)}_{2}         s = σ(g) of a hidden unit
output        ``f1``        f_{1}                        s of the last layer
delta         ``delta2_1``  \\delta^{(2)}_{1}             the unit's δ
============  ============  ===========================  ======================

Indices count from 1, as in the seed.  A layer with a single unit drops the
unit index from g, s, f, y and δ (the seed's f, y and δ^{(2)}); hidden outputs
drop the layer index when there is a single hidden layer (the seed's s_1, s_2).
The bias input is the number 1 appended to each layer's input.
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp


def _index(*indices: int) -> str:
    # w_{11} reads well; w_{1,12} needs the comma to be unambiguous.
    sep = "," if any(i >= 10 for i in indices) else ""
    return sep.join(map(str, indices))


class Naming:
    """The symbols of one network.

    Parameters
    ----------
    sizes : tuple of int
        Layer sizes (n0, ..., nL).

    Examples
    --------
    >>> n = Naming((2, 2, 1))
    >>> n.weight(1, 2, 3), n.latex(n.weight(1, 2, 3))
    (w1_2_3, 'w^{(1)}_{23}')
    >>> n.output(2, 1), n.output(1, 2), n.latex(n.output(1, 2))
    (f, s1_2, 's_{2}')
    """

    def __init__(self, sizes: tuple[int, ...]):
        self.sizes = tuple(sizes)
        self.depth = len(sizes) - 1
        self._latex: dict[sp.Basic, str] = {}
        self._symbols: dict[tuple, sp.Symbol] = {}

    def _symbol(self, key: tuple, name: str, latex: str, **assumptions) -> sp.Symbol:
        symbol = self._symbols.get(key)
        if symbol is None:
            symbol = sp.Symbol(name, real=True, **assumptions)
            self._symbols[key] = symbol
            self._latex[symbol] = latex
        return symbol

    def _unit(self, j: int, i: int) -> str:
        return "" if self.sizes[j] == 1 else str(i)

    def input(self, k: int) -> sp.Symbol:
        """x_k, the k-th network input."""
        return self._symbol(("x", k), f"x{k}", f"x_{{{k}}}")

    def target(self, i: int) -> sp.Symbol:
        """y_i, the target of output unit i."""
        u = self._unit(self.depth, i)
        return self._symbol(("y", i), f"y{u}", f"y_{{{u}}}" if u else "y")

    def weight(self, j: int, i: int, k: int) -> sp.Symbol:
        """w^{(j)}_{ik}: layer j, from input k (k = n_{j-1} + 1 is the bias) to unit i."""
        return self._symbol(("w", j, i, k), f"w{j}_{i}_{k}", f"w^{{({j})}}_{{{_index(i, k)}}}")

    def preactivation(self, j: int, i: int) -> sp.Symbol:
        """g^{(j)}_i = (W^{(j)} X^{(j-1)})_i."""
        u = self._unit(j, i)
        return self._symbol(("g", j, i), f"g{j}_{i}", f"g^{{({j})}}" + (f"_{{{u}}}" if u else ""))

    def output(self, j: int, i: int) -> sp.Symbol:
        """s^{(j)}_i: x_i for j = 0, f_i for the last layer."""
        if j == 0:
            return self.input(i)
        u = self._unit(j, i)
        if j == self.depth:
            return self._symbol(("f", i), f"f{u}", f"f_{{{u}}}" if u else "f")
        layer = "" if self.depth == 2 else f"^{{({j})}}"
        return self._symbol(("s", j, i), f"s{j}_{i}", f"s{layer}_{{{i}}}")

    def delta(self, j: int, i: int) -> sp.Symbol:
        """δ^{(j)}_i, with ∂ε/∂g^{(j)}_i = −κ δ^{(j)}_i."""
        u = self._unit(j, i)
        return self._symbol(
            ("delta", j, i), f"delta{j}_{i}", rf"\delta^{{({j})}}" + (f"_{{{u}}}" if u else "")
        )

    @cached_property
    def rate(self) -> sp.Symbol:
        """c, the seed's positive update constant."""
        return self._symbol(("c",), "c", "c", positive=True)

    @cached_property
    def learning_rate(self) -> sp.Symbol:
        """η, the learning rate of plain gradient descent."""
        return self._symbol(("eta",), "eta", r"\eta", positive=True)

    def vector(self, kind: str, j: int) -> sp.MatrixSymbol:
        """A layer's quantity as a column vector (or matrix for weights).

        ``kind`` is one of ``"X"`` (layer input with its 1), ``"g"``, ``"s"``,
        ``"delta"``, ``"y"``, ``"W"`` and ``"Wbar"`` (weights without the bias column).
        """
        # Symbolic sizes: the vector form holds for any width, and a 1-unit
        # layer does not collapse its vectors into scalars.
        n = sp.Symbol(f"n{j}", integer=True, positive=True)
        m = sp.Symbol(f"n{j - 1}", integer=True, positive=True)
        last = j == self.depth
        shapes = {
            "X": (n + 1, 1, rf"X^{{({j})}}"),
            "g": (n, 1, rf"g^{{({j})}}"),
            "s": (n, 1, "f" if last else ("x" if j == 0 else rf"s^{{({j})}}")),
            "delta": (n, 1, rf"\delta^{{({j})}}"),
            "y": (n, 1, "y"),
            "W": (n, m + 1, rf"W^{{({j})}}"),
            "Wbar": (n, m, rf"\bar{{W}}^{{({j})}}"),
        }
        rows, cols, latex = shapes[kind]
        key = ("vector", kind, j)
        symbol = self._symbols.get(key)
        if symbol is None:
            symbol = sp.MatrixSymbol(f"{kind}{j}", rows, cols)
            self._symbols[key] = symbol
            self._latex[symbol] = latex
        return symbol

    def latex(self, symbol: sp.Basic) -> str | None:
        """The LaTeX form of one of this network's symbols, else ``None``."""
        return self._latex.get(symbol)


def label(kind: str, j: int | None = None) -> str:
    r"""The ``\label`` of an equation of the explanation, which generated code cites.

    ``kind`` is one of ``"g"`` (pre-activation of layer j), ``"s"`` (its
    output), ``"loss"``, ``"delta"`` (δ of layer j), ``"gradient"`` and
    ``"update"`` (of layer j's weights).

    Examples
    --------
    >>> label("delta", 2), label("loss")
    ('eq:delta-2', 'eq:loss')
    """
    if kind not in {"g", "s", "loss", "delta", "gradient", "update"}:
        raise ValueError(f"no equation kind {kind!r}")
    return f"eq:{kind}" if j is None else f"eq:{kind}-{j}"
