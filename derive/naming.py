"""Symbols in the seed's notation, with their LaTeX and Python names.

Every quantity of a network has one SymPy symbol (a :class:`Symbol`), whose
``name`` is also the Python variable that generated code uses for it, and one
LaTeX form, which ``sympy.latex``, ``sympy.pretty`` and Jupyter show too:

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
drop the layer index when there is a single hidden layer of several units (the
seed's s_1, s_2).
The bias input is the number 1 appended to each layer's input.

Every symbol also has its :class:`derive.parts.Parts` (base, subscript,
superscript, each index a tuple of tokens), from which its LaTeX is built and
which the MathML printer and the SVG diagram lay out in their own way.
:meth:`Naming.general` makes the symbols with letter indices that the prose
uses for any unit, such as w^{(j)}_{ik}.
"""

from __future__ import annotations

from functools import cached_property

import sympy as sp
from sympy.core.symbol import Str
from sympy.printing.pretty.stringpict import prettyForm

from derive.parts import OPERATORS, Index, Parts, Token, layer, letter, written


class _Written:
    """What SymPy's own printers call on a symbol that knows its :class:`Parts`."""

    __slots__ = ()

    parts: Parts

    def _latex(self, printer) -> str:
        return self.parts.latex()

    def _pretty(self, printer) -> prettyForm:
        text = self.parts.unicode() if printer._use_unicode else None
        return printer._print_Symbol(self) if text is None else prettyForm(text)


class Symbol(_Written, sp.Symbol):
    r"""A network's symbol, which SymPy's own printers write in the seed's notation.

    ``str`` gives its Python name, ``sympy.latex`` (hence Jupyter) its LaTeX and
    ``sympy.pretty`` its Unicode:

    >>> s = Symbol("delta2_1", Parts("delta", (1,), layer(2)), real=True)
    >>> s, sp.latex(s * (1 - s)), sp.pretty(s * (1 - s))
    (delta2_1, '\\delta^{(2)}_{1} \\left(1 - \\delta^{(2)}_{1}\\right)', 'δ⁽²⁾₁⋅(1 - δ⁽²⁾₁)')

    The parts belong to its identity: one name is written differently in networks
    of other shapes (``s1_2`` is s_{2} beside one hidden layer, s^{(1)}_{2} beside
    more), and SymPy's caches must not hand one network's symbol to another.
    """

    # The class keeps SymPy's name: Basic.compare and sort_key order symbols by
    # class name, so sums and products order these as they ordered plain symbols.
    __slots__ = ("parts",)

    def __new__(cls, name: str, parts: Parts, **assumptions):
        cls._sanitize(assumptions, cls)
        # uncached, as Dummy's: SymPy's symbol cache ignores the parts
        symbol = sp.Symbol.__xnew__(cls, name, **assumptions)
        symbol.parts = parts
        return symbol

    def __getnewargs_ex__(self):
        return (self.name, self.parts), self._assumptions_orig

    def _hashable_content(self):
        return super()._hashable_content() + (self.parts,)


class MatrixSymbol(_Written, sp.MatrixSymbol):
    r"""A layer's vector or weight matrix, written in the seed's notation as :class:`Symbol` is.

    Its parts are its fourth argument, so that SymPy rebuilds it whole and tells
    apart two networks' ``s1`` (s^{(1)} of a hidden layer, f of an output layer).

    >>> n = sp.Symbol("n1", integer=True, positive=True)
    >>> delta = MatrixSymbol("delta1", n, 1, Parts("delta", (), layer(1)))
    >>> delta.T, sp.latex(delta.T)
    (delta1.T, '\\left(\\delta^{(1)}\\right)^{T}')
    """

    # named as SymPy's, for the ordering of sums and products (see Symbol)
    def __new__(cls, name: str | Str, rows, cols, parts: Parts | sp.Tuple):
        rows, cols = (sp.Integer(n) if isinstance(n, int) else n for n in (rows, cols))
        cls._check_dim(rows)
        cls._check_dim(cols)
        name = Str(name) if isinstance(name, str) else name
        if isinstance(parts, Parts):  # SymPy's arguments are its own objects
            base, sub, sup, accent = parts[:4]
            parts = sp.Tuple(Str(base), _stored(sub), _stored(sup), Str(accent))
        return sp.Basic.__new__(cls, name, rows, cols, parts)

    @property
    def parts(self) -> Parts:
        base, sub, sup, accent = self.args[3]
        return Parts(base.name, _restored(sub), _restored(sup), accent.name)


def _stored(index: Index) -> sp.Tuple:
    # Str, not sympify: a string token is a name, never an expression to parse
    return sp.Tuple(*(sp.Integer(t) if isinstance(t, int) else Str(t) for t in index))


def _restored(stored: sp.Tuple) -> Index:
    return tuple(int(t) if isinstance(t, sp.Integer) else t.name for t in stored)


def _index(i: int, k: int) -> Index:
    # w_{11} reads well; w_{1,12} needs the comma to be unambiguous.
    return (i, ",", k) if i >= 10 or k >= 10 else (i, k)


def _checked(index: Index | Token) -> Index:
    """An index given to :meth:`Naming.general`; a lone token is an index of one."""
    index = index if isinstance(index, tuple) else (index,)
    for token in index:
        if not (isinstance(token, int) or letter(token) or token in OPERATORS):
            raise ValueError(f"{token!r} is not a number, a letter or one of {sorted(OPERATORS)}")
    return index


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
        self._parts: dict[sp.Basic, Parts] = {}
        self._symbols: dict[tuple, sp.Symbol] = {}

    def _symbol(self, key: tuple, name: str, parts: Parts, **assumptions) -> sp.Symbol:
        symbol = self._symbols.get(key)
        if symbol is None:
            symbol = Symbol(name, parts, real=True, **assumptions)
            self._symbols[key] = symbol
            self._parts[symbol] = parts
            self._latex[symbol] = parts.latex()
        return symbol

    def _unit(self, j: int, i: int) -> Index:
        return () if self.sizes[j] == 1 else (i,)

    def input(self, k: int) -> sp.Symbol:
        """x_k, the k-th network input."""
        return self._symbol(("x", k), f"x{k}", Parts("x", (k,)))

    def target(self, i: int) -> sp.Symbol:
        """y_i, the target of output unit i."""
        u = self._unit(self.depth, i)
        return self._symbol(("y", i), f"y{written(u)}", Parts("y", u))

    def weight(self, j: int, i: int, k: int) -> sp.Symbol:
        """w^{(j)}_{ik}: layer j, from input k (k = n_{j-1} + 1 is the bias) to unit i."""
        return self._symbol(("w", j, i, k), f"w{j}_{i}_{k}", Parts("w", _index(i, k), layer(j)))

    def weight_row(self, j: int, i: int) -> sp.Symbol:
        """W^{(j)}_i, the weights of unit i of layer j (one row of W^{(j)})."""
        return self._symbol(("W", j, i), f"W{j}_{i}", Parts("W", self._unit(j, i), layer(j)))

    def preactivation(self, j: int, i: int) -> sp.Symbol:
        """g^{(j)}_i = (W^{(j)} X^{(j-1)})_i."""
        return self._symbol(("g", j, i), f"g{j}_{i}", Parts("g", self._unit(j, i), layer(j)))

    def output(self, j: int, i: int) -> sp.Symbol:
        """s^{(j)}_i: x_i for j = 0, f_i for the last layer."""
        if j == 0:
            return self.input(i)
        u = self._unit(j, i)
        if j == self.depth:
            return self._symbol(("f", i), f"f{written(u)}", Parts("f", u))
        # Beside one hidden layer its units need no layer index (the seed's s_1, s_2),
        # unless the layer's one unit drops its own: then it is s^{(1)}, as its vector.
        sup = () if self.depth == 2 and u else layer(j)
        return self._symbol(("s", j, i), f"s{j}_{i}", Parts("s", u, sup))

    def delta(self, j: int, i: int) -> sp.Symbol:
        """δ^{(j)}_i, with ∂ε/∂g^{(j)}_i = −κ δ^{(j)}_i."""
        u = self._unit(j, i)
        return self._symbol(("delta", j, i), f"delta{j}_{i}", Parts("delta", u, layer(j)))

    @cached_property
    def rate(self) -> sp.Symbol:
        """c, the seed's positive update constant."""
        return self._symbol(("c",), "c", Parts("c"), positive=True)

    @cached_property
    def learning_rate(self) -> sp.Symbol:
        """η, the learning rate of plain gradient descent."""
        return self._symbol(("eta",), "eta", Parts("eta"), positive=True)

    @cached_property
    def epsilon(self) -> sp.Symbol:
        """ε, the loss."""
        return self._symbol(("eps",), "eps", Parts("varepsilon"))

    def general(
        self, base: str, sub: Index | Token = (), sup: Index | Token = (), accent: str = ""
    ) -> sp.Symbol:
        r"""A symbol with letter indices, as the prose writes any unit: w^{(j)}_{ik}, s_i, κ.

        ``sub`` and ``sup`` are indices, or a lone token for an index of one.

        Examples
        --------
        >>> from derive.parts import shifted
        >>> n = Naming((2, 2, 1))
        >>> n.latex(n.general("delta", "k", layer("j", 1))), n.latex(n.general("W", accent="bar"))
        ('\\delta^{(j+1)}_k', '\\bar W')
        >>> w, n_below = n.general("w", ("i", "k"), layer("j")), n.general("n", shifted("j", -1))
        >>> n.latex(w), n.latex(n_below)
        ('w^{(j)}_{ik}', 'n_{j-1}')
        """
        sub, sup = _checked(sub), _checked(sup)
        # The leading underscore keeps these apart from the network's own symbols.
        name = f"_{accent}{base}_{written(sub)}^{written(sup)}"
        parts = Parts(base, sub, sup, accent, general=True)
        return self._symbol(("general", base, sub, sup, accent), name, parts)

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
        sup = layer(j)
        shapes = {
            "X": (n + 1, 1, Parts("X", (), sup)),
            "g": (n, 1, Parts("g", (), sup)),
            "s": (n, 1, Parts("f") if last else Parts("x") if j == 0 else Parts("s", (), sup)),
            "delta": (n, 1, Parts("delta", (), sup)),
            "y": (n, 1, Parts("y")),
            "W": (n, m + 1, Parts("W", (), sup)),
            "Wbar": (n, m, Parts("W", (), sup, accent="bar")),
        }
        rows, cols, parts = shapes[kind]
        key = ("vector", kind, j)
        symbol = self._symbols.get(key)
        if symbol is None:
            symbol = MatrixSymbol(f"{kind}{j}", rows, cols, parts)
            self._symbols[key] = symbol
            self._parts[symbol] = parts
            self._latex[symbol] = parts.latex()
        return symbol

    def latex(self, symbol: sp.Basic) -> str | None:
        """The LaTeX form of one of this network's symbols, else ``None``."""
        return self._latex.get(symbol)

    def parts(self, symbol: sp.Basic) -> Parts | None:
        """How one of this network's symbols is written, else ``None``.

        Examples
        --------
        >>> n = Naming((2, 2, 1))
        >>> n.parts(n.weight(1, 2, 3))
        Parts(base='w', sub=(2, 3), sup=('(', 1, ')'), accent='', general=False)
        """
        return self._parts.get(symbol)


class LayerArrays:
    """The symbols of generated code, one per layer array, named as its variable.

    Layer j's output is ``x`` (j = 0), ``s1``, ``s2``, ... and ``f`` (j = L);
    its pre-activation is ``g{j}``, its δ ``delta{j}`` and its weights ``W{j}``.
    """

    def __init__(self, depth: int):
        self.depth = depth
        self.target = self._symbol("y")

    @staticmethod
    def _symbol(name: str) -> sp.Symbol:
        return sp.Symbol(name, real=True)

    def output(self, j: int) -> sp.Symbol:
        if j == 0:
            return self._symbol("x")
        return self._symbol("f" if j == self.depth else f"s{j}")

    def preactivation(self, j: int) -> sp.Symbol:
        return self._symbol(f"g{j}")

    def delta(self, j: int) -> sp.Symbol:
        return self._symbol(f"delta{j}")

    def scaled_delta(self, j: int) -> sp.Symbol:
        """c·δ of layer j, which the update computes in δ's place."""
        return self._symbol(f"c_delta{j}")

    def weights(self, j: int) -> sp.Symbol:
        return self._symbol(f"W{j}")


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
    return Label(kind if j is None else f"{kind}-{j}")


class Label(str):
    """An equation's label, ``eq:<tag>``; ``tag`` is the name shown beside the equation.

    Examples
    --------
    >>> label("delta", 2).tag
    'delta-2'
    """

    tag: str

    def __new__(cls, tag: str):
        self = super().__new__(cls, f"eq:{tag}")
        self.tag = tag
        return self


def positive_first(terms) -> list:
    """A sum's terms in the order the notation writes them: positive ones first, y − f, 1 − s.

    The explanation and the generated code write every sum so; each group
    keeps the order given.

    Examples
    --------
    >>> y, f, g = sp.symbols("y f g")
    >>> positive_first((y - f).as_ordered_terms()), positive_first((sp.Abs(g) + 1).as_ordered_terms())
    ([y, -f], [Abs(g), 1])
    """
    return [t for t in terms if not t.could_extract_minus_sign()] + [
        t for t in terms if t.could_extract_minus_sign()
    ]
