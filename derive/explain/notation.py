"""What every writer of the explanation shares: the printers' notation and numbers.

:class:`Notation` is the part of the LaTeX and MathML printers that knows the
network's names, the decimals shown and the order of a sum's terms;
:func:`decimals` and :func:`number` format the worked example's and the
training run's numbers; :func:`cadence` picks the epochs a report shows.

Examples
--------
>>> decimals(-0.14802, 3), number(float("inf"), 3)
('-0.148', 'inf')
"""

from __future__ import annotations

import math

import sympy as sp
from sympy.matrices.expressions import HadamardProduct

from derive import naming

#: Sums longer than this show their first terms, a ⋯ and the last term.
MAX_TERMS_SHOWN = 5


class Notation:
    """What the LaTeX and MathML printers share: the network's names, the
    decimals of numbers, and the order of a sum's terms.

    Parameters
    ----------
    names : derive.naming.Naming
        The network's symbols and their printed forms.
    digits : int
        Decimals shown for floating-point numbers.
    numeric : bool
        Print products with explicit multiplication signs and in the given
        order, for formulas with numbers substituted.
    """

    def __init__(self, names: naming.Naming, digits: int = 3, numeric: bool = False):
        super().__init__()
        self.names = names
        self.digits = digits
        self.numeric = numeric

    # sums lead with a positive term: y - f, 1 - s
    def _as_ordered_terms(self, expr, order=None):
        if unevaluated(expr) or isinstance(expr, sp.MatAdd) or self.numeric:
            # written in a chosen order, or with numbers in (by with_numbers, in the
            # order of its formula, which SymPy's equality cannot tell apart): keep it
            return list(expr.args)
        # Inside a product kept as written, whose order "none" is for its own
        # factors, a sum is ordered as everywhere else: |g| + 1, not 1 + |g|.
        return naming.positive_first(expr.as_ordered_terms())

    def _parenthesized_after_sign(self, term) -> bool:
        """Whether a term after a + or − is written in parentheses: a sum, or a negative number.

        With numbers in, 0 − (−0.998); a negative product needs none, its
        negative number being in parentheses already, 1 − (−0.3) · 0.2, or
        above a fraction bar.
        """
        return term.is_Add or (self.numeric and term.is_Number and term.is_negative)

    def _numeric_fraction(self, expr) -> tuple[list, list]:
        """The factors of a product with numbers, above and below the line.

        A factor b^(−e) goes below the line as b^e, so that 0/0.655 reads as a
        fraction rather than as 0 · 0.655 · (−1).  ``expr`` is a product, or a
        single power with a negative exponent.
        """
        above, below = [], []
        for f in flat_factors(expr) if expr.is_Mul else [expr]:
            if f.is_Pow and f.exp.is_number and f.exp.is_negative:
                below.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            else:
                above.append(f)
        return above, below

    def _led_by_number(self, product) -> tuple | None:
        """A product that a number leads, as (that number, the rest), where SymPy writes it otherwise.

        A fraction leads as the unit's slope, 3/2 δ w and 3/2 W̄ᵀδ, where SymPy
        writes (3 δ w)/2 and (3/2) W̄ᵀδ; a minus sign leads −(δ w + δ w) with
        brackets sized as everywhere else; a number leads a ⊙ bare, 2 g ⊙ v, not
        2 (g ⊙ v).  Else None: SymPy writes 2 δ w, −2 δ Xᵀ and, in a product with
        dots, (−1) · (y − f) · 1 as these.
        """
        matrix = isinstance(product, sp.MatMul)
        first, *factors = product.args if matrix else flat_factors(product)
        if not (factors and first.is_number and first != 1):
            return None
        if len(factors) == 1:
            rest = factors[0]
        else:
            rest = sp.MatMul(*factors) if matrix else sp.Mul(*factors, evaluate=False)
        if matrix:  # a constant, log 2, leads a ⊙ as a number does
            led = (first.is_Rational and first.q != 1) or isinstance(rest, HadamardProduct)
        else:
            led = first.is_Rational and (first.q != 1 or first == -1) and not number_follows(product)
        return (first, rest) if led else None

    def _print_Numbers(self, node):
        numeric, self.numeric = self.numeric, True
        try:
            return self._print(node.of)
        finally:
            self.numeric = numeric


def decimals(value: float, digits: int) -> str:
    """A number rounded to ``digits`` decimals, without trailing zeros.

    Examples
    --------
    >>> decimals(-0.14802, 3), decimals(2.0, 3), decimals(-0.0001, 3)
    ('-0.148', '2', '0')
    """
    value = round(value, digits)
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_numbers(expr: sp.Expr, values: dict) -> sp.Expr:
    """expr with the values substituted, unevaluated, each sum's terms in printed order.

    Left to SymPy, a sum with numbers in keeps its terms in the order it stores
    them, which differs from unit to unit: |−0.076| + 1 in one row, 1 + |−1.384|
    in the next.
    """

    def written(e):
        if e.is_Atom:
            return values.get(e, e)
        terms = naming.positive_first(e.as_ordered_terms()) if e.is_Add and not unevaluated(e) else e.args
        return e.func(*(written(t) for t in terms))

    with sp.evaluate(False):
        return written(expr)


def unevaluated(expr) -> bool:
    """Whether a sum or product was built unevaluated, to be shown as written."""
    return isinstance(expr, sp.Add | sp.Mul) and expr.func(*expr.args) != expr


def parenthesized_in_hadamard(factor) -> bool:
    """Whether a factor of ⊙ is written in parentheses: a sum, a matrix product, or negative."""
    return isinstance(factor, sp.MatAdd | sp.MatMul) or factor.could_extract_minus_sign()


def flat_factors(expr):
    """The factors of an unevaluated product in order, a −1 merged into the next number."""
    out = []
    for a in expr.args:
        if a.is_Mul and unevaluated(a):
            out.extend(flat_factors(a))
        elif a.is_Mul and sp.fraction(a, exact=True)[1] == 1:
            # a product within, in the order SymPy prints it everywhere else
            out.extend(a.as_ordered_factors())
        else:
            # a quotient stays one fraction, 1/(2√g), as it prints alone
            out.append(a)
    merged = []
    for f in out:
        if merged and merged[-1] == -1 and f.is_Number:
            merged[-1] = -f
        else:
            merged.append(f)
    return merged


def number_follows(expr) -> bool:
    """Whether an unevaluated product has a number after its first factor.

    Beside the factor before it, the number would read as part of it,
    ``(y - f) 1``: such a product is written with dots, ``(y - f) · 1``.
    """
    return any(f.is_Number for f in flat_factors(expr)[1:])


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


#: From this size on, a training report writes a number as 1.234e+09 (a diverging run's ε).
LARGE = 1e7


def number(value: float, digits: int) -> str:
    """A number for the training report: rounded to ``digits`` decimals, a large one in
    scientific notation, inf and nan as such."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}e}" if abs(value) >= LARGE else decimals(value, digits)


def loss_text(value: float) -> str:
    """ε in the training report's table: 7 decimals, a large one in scientific notation."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.7e}" if abs(value) >= LARGE else f"{value:.7f}"
