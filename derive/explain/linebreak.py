"""Equation rows and tables that fit the page, in every output format.

The account's blocks are printed as LaTeX, MathML and Markdown alike, so long
rows are broken here, in the blocks: a row too wide for a line becomes a first
row and continuation rows (``left`` empty, ``relation`` the operator the line
starts with).  A chain a = b = c breaks before a relation, a sum before a
term, a product before a factor (· or ⊙ starts the next line), a bracketed sum
too wide for a line of its own before a term, its brackets on its first and
last lines, and a long vector between its numbers; the short rows are left as
they are.  A forward table too wide for the page is
split into panels of columns, each with the sample's number.

Widths are estimated in ems on the MathML layout of the maths (the printer's
element tree, never its text): digits and letters half an em, operators with
their spacing, scripts at 70%.  The narrowest format sets the line:
an 11 pt LaTeX article is 360 pt, 32.7 em, wide (the report's column at a
1200 px window is about 52 em).

Examples
--------
>>> from derive import Derivation, load_spec
>>> from derive.explain.account import account
>>> from derive.explain.blocks import Equations
>>> d = Derivation(load_spec("derive/networks/classifier.toml"))
>>> rows = [b for b in account(d) if isinstance(b, Equations)][-1].rows
>>> [row.relation for row in rows[:4]]
['=', '+', '', '=']
"""

from __future__ import annotations

import re
from itertools import pairwise

import sympy as sp

from derive.explain import blocks
from derive.explain.notation import flat_factors, parenthesized_in_hadamard, unevaluated
from derive.layerwise import negated

#: The width of a line in ems: a little under an 11 pt article's 360 pt (32.7 em), and well
#: under the standalone document's 400 pt (36.4 em), for the estimate's error.
LINE_WIDTH = 31.5
#: The width of a table's panel in ems, with each column's padding (LaTeX's columns
#: are measured as accurately as its numbers, so closer to the page).
TABLE_WIDTH = 33.0
#: The padding of a table's column in ems (LaTeX's 2 \tabcolsep, the report's 1.2rem).
COLUMN_PADDING = 1.1
#: What a continuation line starts with, in ems: the indent and the operator with its spacing.
LEADS = {"=": 1.3, "<-": 1.6, "+": 2.3, "-": 2.3, "cdot": 2.0, "odot": 2.3, "": 3.0}

_WIDE = {"\u2212": 0.78, "+": 0.78, "=": 0.78, "\u2190": 1.0, "\u00b7": 0.28, "\u2202": 0.56}
#: Function application and invisible times: no width (a thin space before a named function is an mspace).
_INVISIBLE = ("\u2061", "\u2062", "&ApplyFunction;", "&InvisibleTimes;")
_OPERATOR_SPACE = 0.5  # a binary operator's or relation's spacing, both sides together
_ENTITY = re.compile(r"&#?\w+;")


def width(element) -> float:
    """The estimated width in ems of a MathML element of the printer."""
    tag = element.tagName
    children = [c for c in element.childNodes if c.nodeType == c.ELEMENT_NODE]
    text = "".join(c.data for c in element.childNodes if c.nodeType == c.TEXT_NODE)
    if tag in ("mn", "mi", "mtext"):
        text = _ENTITY.sub("e", text)  # an entity, &#948; (δ), is one letter
        return sum(0.28 if ch in ".,\u00a0" else 0.5 for ch in text)
    if tag == "mo":
        if text in _INVISIBLE:
            return 0.0
        if text in "(),[]":
            # LaTeX's \left( ... \right) adds a thin space where it meets a neighbour
            return 0.45 if text != "," else 0.28 + 0.17
        return _WIDE.get(text, 0.6) + (_OPERATOR_SPACE if text not in "\u2202/" else 0.0)
    if tag == "mspace":
        return float(element.getAttribute("width").removesuffix("em") or 0)
    if tag in ("msub", "msup", "msubsup"):
        base, *scripts = children
        return width(base) + 0.7 * max(width(s) for s in scripts) + 0.05
    if tag in ("mfrac", "munder", "mover"):
        return max(width(c) for c in children) + 0.2
    total = sum(width(c) for c in children)
    if children and children[0].tagName == "mo" and len(children) > 1:
        total -= _OPERATOR_SPACE if _text(children[0]) in ("\u2212", "+") else 0.0  # a sign, not an operator
    return total


def _text(element) -> str:
    return "".join(c.data for c in element.childNodes if c.nodeType == c.TEXT_NODE)


class Measure:
    """Widths of the account's maths for one network, through its MathML printer."""

    def __init__(self, names, digits: int):
        from derive.explain.mathml import BackpropMathMLPrinter

        self.printer = BackpropMathMLPrinter(names, digits=digits)

    def __call__(self, node) -> float:
        if node is None:
            return 0.0
        if isinstance(node, str):  # prose, such as a table's heading
            return 0.5 * len(node)
        return width(self.printer._print(node))


# ---------------------------------------------------------------------------
# Rows


def fit_rows(rows, measure: Measure) -> tuple:
    """The rows of an equation block, each too wide for a line broken into several."""
    left = max(measure(row.left) for row in rows)
    room = LINE_WIDTH - left
    out = []
    for row in rows:
        if row.right is None or LEADS[row.relation] + measure(row.right) <= room:
            out.append(row)
            continue
        lines = _lines(_pieces(row.relation, row.right), room, measure)
        (op, first), *rest = lines
        out.append(blocks.Row(row.left, first, row.label, op))
        out += [blocks.Row(None, piece, relation=op) for op, piece in rest]
    return tuple(out)


def _pieces(op: str, node) -> list[tuple[str, object]]:
    """A relation chain's sides, each with the relation before it."""
    if isinstance(node, blocks.Relation):
        return [(op, node.sides[0])] + list(zip(node.ops, node.sides[1:]))
    return [(op, node)]


def _lines(pieces, room: float, measure: Measure) -> list[tuple[str, object]]:
    """Pieces gathered into lines that fit ``room``; one too wide alone is broken further."""
    lines: list[tuple[str, list]] = []
    joinable = False  # whether the last line may take the next piece
    for op, node in pieces:
        if joinable:
            first_op, sides = lines[-1]
            if LEADS[first_op] + measure(_chain(sides + [(op, node)])) <= room:
                sides.append((op, node))
                continue
        if LEADS[op] + measure(node) <= room:
            lines.append((op, [(op, node)]))
            joinable = True
        else:
            lines += [(o, [(o, n)]) for o, n in _broken(op, node, room, measure)]
            joinable = False
    return [(op, _chain(sides)) for op, sides in lines]


def _chain(sides):
    """``a = b ...`` from its sides, each with the relation before it."""
    if len(sides) == 1:
        return sides[0][1]
    return blocks.Relation(tuple(s for _, s in sides), tuple(o for o, _ in sides[1:]))


def _broken(op: str, node, room: float, measure: Measure) -> list[tuple[str, object]]:
    """One side too wide for a line, as lines: a sum by terms, a product by factors, a vector by numbers."""
    inner = node.of if isinstance(node, blocks.Numbers) else node
    wrap = blocks.Numbers if isinstance(node, blocks.Numbers) else (lambda x: x)
    if isinstance(inner, blocks.Terms):
        parts = []
        for n, term in enumerate(inner.terms):
            negative = isinstance(term, blocks.Negative)
            shown = term.of if negative else term
            if n == 0:
                parts.append((op, wrap(term)))
            else:
                parts.append(("-" if negative else "+", wrap(shown)))
        lines = []
        for part_op, part in parts:
            if LEADS[part_op] + measure(part) <= room:
                lines.append((part_op, part))
            else:
                lines += _broken(part_op, part, room, measure)
        return lines
    factors = _factors(inner, numeric=isinstance(node, blocks.Numbers))
    if factors is not None and isinstance(factors[-1], blocks.Listed):
        return _listed(op, factors[:-1], factors[-1], room, measure, wrap)
    if isinstance(inner, blocks.Listed):
        return _listed(op, [], inner, room, measure, wrap)
    if factors is not None and len(factors) > 1:
        return _balanced(op, factors, room, measure, lambda fs: wrap(blocks.Product(tuple(fs), "cdot")))
    symbolic = _symbolic_factors(node)
    if symbolic is not None:
        factors, lead = symbolic
        lines = _balanced(op, factors, room, measure, lambda fs: _sub_product(fs, lead), lead)
        return _joined([_bracketed_lines(*line, room, measure) for line in lines], lead, room, measure)
    return [(op, node)]  # nothing to break at: it stays one line


def _symbolic_factors(node):
    """A symbolic product's factors as printed, and what a line of them continues with.

    A product with a denominator prints as a fraction, and one with a minus sign
    leads with it: neither is broken.
    """
    if isinstance(node, sp.HadamardProduct):
        return list(node.args), "odot"
    if isinstance(node, sp.Mul) and not node.could_extract_minus_sign() and sp.fraction(node)[1] == 1:
        return (list(node.args) if unevaluated(node) else node.as_ordered_factors()), "cdot"
    return None


def _sub_product(factors, lead):
    """Some of a symbolic product's factors, written as the product writes them."""
    if len(factors) > 1:
        return sp.HadamardProduct(*factors) if lead == "odot" else sp.Mul(*factors, evaluate=False)
    # a lone factor in the brackets the whole product gives it
    (factor,) = factors
    bracketed = parenthesized_in_hadamard(factor) if lead == "odot" else factor.is_Add
    return blocks.Terms((factor,), parens=True) if bracketed else factor


def _bracketed_lines(op, node, room, measure) -> list[tuple[str, object]]:
    """A line that is a bracketed sum too wide for it, broken before each term; else the line."""
    if LEADS[op] + measure(node) <= room or not isinstance(node, blocks.Terms):
        return [(op, node)]
    (total,) = node.terms
    if isinstance(total, sp.MatAdd):
        terms = list(total.args)
    elif isinstance(total, sp.Add):
        terms = measure.printer._as_ordered_terms(total)
    else:
        return [(op, node)]
    lines = []
    for n, term in enumerate(terms):
        negative = n > 0 and term.could_extract_minus_sign()
        shown = blocks.Terms(
            (negated(term) if negative else term,), True, opens=n == 0, closes=n == len(terms) - 1, whole=total
        )
        lines.append((op if n == 0 else "-" if negative else "+", shown))
    return lines


def _joined(groups, lead: str, room: float, measure: Measure) -> list[tuple[str, object]]:
    """A product's lines, each broken bracketed sum's first or last line joined to the factor beside it.

    Joined only where both fit on one line, e.g. ``+ b) ⊙ (W̄ᵀ δ)``.
    """
    out = list(groups[0])
    for before, group in pairwise(groups):
        (_, node), rest = group[0], group[1:]
        last_op, last = out[-1]
        joined = blocks.Product((last, node), lead)
        if (len(before) > 1 or rest) and LEADS[last_op] + measure(joined) <= room:
            out[-1], group = (last_op, joined), rest
        out += group
    return out


def _balanced(op, factors, room, measure, make, lead="cdot") -> list[tuple[str, object]]:
    """A product's factors over the fewest lines, the lines as even as those allow.

    Filling each line in turn would leave a lone short factor on the last
    line, such as ``· (−1)`` under a long slope; of the breaks into the fewest
    lines, the one with the least sum of squared room to spare is taken.  A
    factor too wide for a line alone takes a line of its own.  ``make`` writes
    a line's factors; each line after the first starts with ``lead``.
    """

    def line(start, end):
        return (op if start == 0 else lead), make(factors[start:end])

    def spare(start, end):
        lead, node = line(start, end)
        left = room - LEADS[lead] - measure(node)
        return max(left, 0.0) if left >= 0 or end - start == 1 else None

    n = len(factors)
    # best[start]: (lines, cost, end of the first line) for factors[start:], the fewest lines first
    best: list[tuple[int, float, int]] = [(0, 0.0, n)] * (n + 1)
    for start in range(n - 1, -1, -1):
        options = []
        for end in range(start + 1, n + 1):
            left = spare(start, end)
            if left is None:
                break  # a longer line fits no better
            count, cost, _ = best[end]
            options.append((count + 1, cost + left**2, end))
        best[start] = min(options)
    lines, start = [], 0
    while start < n:
        end = best[start][2]
        lines.append(line(start, end))
        start = end
    return lines


def _factors(node, numeric: bool):
    """The factors of a product written with ·, else ``None``.

    Only numbers' products are written with a · between every factor; a
    symbolic product may print as a fraction, and is not broken.
    """
    if isinstance(node, blocks.Product) and node.joint == "cdot":
        return list(node.factors)
    if numeric and isinstance(node, sp.Mul):
        return flat_factors(node)
    return None


def _listed(op, factors, listed, room, measure, wrap) -> list[tuple[str, object]]:
    """``factors · (items)`` with the items over as few lines as they need, evenly."""

    def line(n, start, end):
        chunk = _chunk(listed, start, end)
        shown = blocks.Product(tuple(factors + [chunk]), "cdot") if n == 0 and factors else chunk
        return (op if n == 0 else ""), wrap(shown)

    def fits(lead_node):
        lead, node = lead_node
        return LEADS[lead] + measure(node) <= room

    items = listed.items
    # the fewest lines, filling each in turn; then as many items on each of that many lines
    count, start = 0, 0
    while start < len(items):
        end = start + 1
        while end < len(items) and fits(line(count, start, end + 1)):
            end += 1
        count, start = count + 1, end
    per = -(-len(items) // count)
    even = [line(n, start, min(start + per, len(items))) for n, start in enumerate(range(0, len(items), per))]
    if all(fits(x) for x in even):
        return even
    lines, start = [], 0
    while start < len(items):
        end = start + 1
        while end < len(items) and fits(line(len(lines), start, end + 1)):
            end += 1
        lines.append(line(len(lines), start, end))
        start = end
    return lines


def _chunk(listed, start: int, end: int):
    return blocks.Listed(
        listed.items[start:end], listed.parens, opens=start == 0, closes=end == len(listed.items)
    )


# ---------------------------------------------------------------------------
# Tables


def fit_table(table, groups, sample, measure: Measure) -> tuple:
    """A table split into panels of column groups that fit the page, or as it is.

    ``groups`` partitions the column indices into runs that belong together
    (the inputs, a layer, the outputs with their targets); a group too wide
    for a panel is split by its columns.  When split, every panel starts with
    the column ``sample`` (the sample's number), added as the first column.
    """
    widths = [
        max([measure(table.header[c])] + [measure(blocks.Numbers(row[c])) for row in table.rows]) + COLUMN_PADDING
        for c in range(len(table.header))
    ]
    if sum(widths) <= TABLE_WIDTH:
        return table
    number = max(measure(sp.Integer(len(table.rows))), measure(sample)) + COLUMN_PADDING

    def fits(columns):
        return number + sum(widths[c] for c in columns) <= TABLE_WIDTH

    panels: list[list[int]] = []
    joinable = False  # whether the last panel may take the next group
    for group in groups:
        if fits(group):
            if joinable and fits(panels[-1] + list(group)):
                panels[-1] += list(group)
            else:
                panels.append(list(group))
            joinable = True
            continue
        # a group too wide alone goes in panels of its own, filled column by column
        current: list[int] = []
        for c in group:
            if current and not fits(current + [c]):
                panels.append(current)
                current = []
            current.append(c)
        panels.append(current)
        joinable = False
    header = (sample,) + tuple(table.header)
    rows = tuple((sp.Integer(n),) + tuple(row) for n, row in enumerate(table.rows, start=1))
    shifted = tuple((0,) + tuple(c + 1 for c in panel) for panel in panels)
    return blocks.Table(header, rows, table.caption, shifted)
