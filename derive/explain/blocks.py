r"""The layout of the explanation, the same for every output format.

Blocks
------
:class:`Section`, :class:`Paragraph` (prose and inline maths),
:class:`Break` (a paragraph break), :class:`Equations` (rows of
:class:`Row`) and :class:`Table` (the forward pass over a data set); a
training run adds :class:`Run` (how it ran), :class:`Losses` (ε per epoch)
and :class:`Outputs` (the outputs it ends with).

Maths
-----
Everything mathematical is a SymPy expression of the network's symbols
(:mod:`derive.naming`), or one of the small layout nodes below that arrange
expressions: :class:`Partial` (∂a/∂b), :class:`Product` (factors side by
side, with a thin space or a ·), :class:`Terms` (a sum written as given),
:class:`Negative`, :class:`Relation` (a = b = c, W ← …), :class:`SumOver`,
:class:`Operator`, :class:`Where`, :class:`Listed` (a vector of numbers),
:class:`Ratio`, :class:`Dots` and :class:`Numbers` (print the numbers inside
to the chosen decimals).  Each printer has a ``_print_<Node>`` method for
each; nothing is ever parsed back from printed text.  Prose is plain text,
escaped by each writer for its format.

Examples
--------
>>> import sympy as sp
>>> equal(sp.Symbol("a"), 1).ops
('=',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------------------
# Layout nodes of the maths


@dataclass(frozen=True)
class Partial:
    """∂of/∂wrt: a fraction, or ``∂of / ∂wrt`` when ``inline``; d for ``ordinary``."""

    of: Any
    wrt: Any
    inline: bool = False
    ordinary: bool = False

    @property
    def compound(self) -> bool:
        """Whether ``of`` is a sum, product or power, written after the operator: d/dg (of).

        Above a fraction bar, a fraction such as g/(|g| + 1) would be unreadable.
        """
        return any(getattr(self.of, flag, False) for flag in ("is_Add", "is_Mul", "is_Pow"))


@dataclass(frozen=True)
class Product:
    """Factors side by side, in the given order.

    ``joint`` is ``"space"``, ``"thin"`` (a thin space, for chains of
    derivatives and κ δ), ``"none"`` (2η), ``"cdot"`` (a ·, with negative
    numbers and sums in parentheses) or ``"odot"`` (a ⊙, as a broken
    elementwise product's line continues).
    """

    factors: tuple
    joint: str = "space"


@dataclass(frozen=True)
class Terms:
    """A sum written as given: ``a + b``, with :class:`Negative` terms as ``- b``.

    In parentheses where ``parens``; a bracketed sum broken over lines is several
    ``Terms``, the first of which ``closes`` not and the next ``opens`` not, each
    with the ``whole`` sum, whose height its brackets take.
    """

    terms: tuple
    parens: bool = False
    opens: bool = True
    closes: bool = True
    whole: Any = None


@dataclass(frozen=True)
class Negative:
    """A minus sign before its operand, as in −κ or −2 δ."""

    of: Any


@dataclass(frozen=True)
class Relation:
    """``sides[0] ops[0] sides[1] ...``; an op is ``"="`` or ``"<-"`` (←)."""

    sides: tuple
    ops: tuple


@dataclass(frozen=True)
class SumOver:
    """Σ over an index letter of a body."""

    index: str
    body: Any


@dataclass(frozen=True)
class Operator:
    """A named operator applied to a vector, e.g. softmax(g)."""

    name: str
    arg: Any


@dataclass(frozen=True)
class Where:
    """``expr`` followed by "with lhs = rhs"."""

    expr: Any
    lhs: Any
    rhs: Any


@dataclass(frozen=True)
class Listed:
    """Items separated by commas, in parentheses unless ``parens`` is false.

    A vector broken over lines is several ``Listed``: the first ``closes``
    not (it ends with a comma), the next ``opens`` not.
    """

    items: tuple
    parens: bool = True
    opens: bool = True
    closes: bool = True


@dataclass(frozen=True)
class Ratio:
    """``num / den`` written on one line."""

    num: Any
    den: Any


@dataclass(frozen=True)
class Dots:
    """⋮ (``vertical``) for left-out rows, ⋯ for left-out terms."""

    vertical: bool = True


@dataclass(frozen=True)
class Numbers:
    """Maths with numbers substituted: numbers to the chosen decimals, products with ·."""

    of: Any


def equal(*sides) -> Relation:
    """``a = b = ...``."""
    return Relation(tuple(sides), ("=",) * (len(sides) - 1))


def assign(*sides) -> Relation:
    """``a ← b = ...``: the first relation an update arrow, the rest equalities."""
    return Relation(tuple(sides), ("<-",) + ("=",) * (len(sides) - 2))


def product(*factors, joint: str = "space") -> Product:
    return Product(tuple(factors), joint)


# ---------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class Section:
    """A section heading; ``lead`` is prose that runs on from it, ``anchor`` its link target."""

    title: str
    lead: str = ""
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """One line of prose: plain strings and inline maths."""

    parts: tuple


@dataclass(frozen=True)
class Break:
    """The end of a paragraph (a blank line in LaTeX and Markdown).

    ``together``: a page may not end there, as between a list's lead and its
    items, which a page break would leave apart.
    """

    together: bool = False


@dataclass(frozen=True)
class Row:
    """One equation ``left relation right``, with an optional label such as ``eq:delta-1``.

    ``relation`` is ``"="`` or ``"<-"``; a row without ``right`` holds only
    its left side (a ⋮).  A row that continues the one above (see
    :mod:`derive.explain.linebreak`) has no ``left``, and its ``relation`` is what its
    line starts with: ``"="``, ``"<-"``, an operator ``"+"``, ``"-"`` or
    ``"cdot"``, or ``""`` for the rest of a vector.
    """

    left: Any
    right: Any = None
    label: str | None = None
    relation: str = "="


@dataclass(frozen=True)
class Equations:
    """Aligned equations, one :class:`Row` each.

    ``together``: the rows stay on one page where they fit on one, as a
    version's answers in a key; rows that fill more than a page still break.
    """

    rows: tuple
    together: bool = False


@dataclass(frozen=True)
class Table:
    """A table with maths headings (or words) and rows of numbers, under a caption.

    ``panels`` splits a table too wide for the page into tables of the given
    column indices, printed one after the other; empty, the table is whole.
    """

    header: tuple
    rows: tuple
    caption: str = ""
    panels: tuple = ()

    def parts(self) -> list[tuple[int, ...]]:
        """The column indices of each panel, the whole table when it is one."""
        return [tuple(p) for p in self.panels] or [tuple(range(len(self.header)))]


@dataclass(frozen=True)
class Run:
    """How a training run ran, in a sentence (``how``), and how ε changed (``change``)."""

    how: str
    change: str


@dataclass(frozen=True)
class Losses:
    """ε after each epoch (``values``), the epochs a table lists (``shown``), a ``note`` on ε."""

    values: tuple
    shown: tuple
    note: str


@dataclass(frozen=True)
class Outputs:
    """A table of plain-text cells under a caption: a training run's outputs for every data row."""

    header: tuple
    rows: tuple
    caption: str = ""


def paragraph(*parts) -> Paragraph:
    return Paragraph(tuple(parts))


def equations(rows) -> Equations:
    return Equations(tuple(rows))


class Writer:
    """Writes blocks in one format, by the block's type, as SymPy's printers print
    expressions: a block ``Section`` goes to ``_write_Section``.
    """

    #: The format's name, for the error on a block it has no method for.
    format = "text"

    def write(self, block):
        method = getattr(self, f"_write_{type(block).__name__}", None)
        if method is None:
            raise TypeError(f"no {self.format} for {block!r}")
        return method(block)
