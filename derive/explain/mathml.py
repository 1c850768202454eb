"""The derivation as MathML: SymPy's presentation printer in the seed's notation.

:class:`BackpropMathMLPrinter` is to SymPy's ``MathMLPresentationPrinter``
what :class:`derive.explain.latex.BackpropPrinter` is to its ``LatexPrinter``: symbols
are laid out from their :class:`derive.parts.Parts` (w with subscript 23 and
superscript (1)), the sigmoid prints as σ, elementwise products as ⊙, sums lead
with a positive term, products built in a chosen order keep it, numbers print
to a fixed number of decimals, and the layout nodes of :mod:`derive.explain.account`
become fractions, relations and vectors.  Browsers render the result natively
(MathML Core); no script or web font is needed.

Examples
--------
>>> from derive import Derivation, seed
>>> d = Derivation(seed())
>>> BackpropMathMLPrinter(d.names).doprint(d.names.weight(1, 2, 3))
'<msubsup><mi>w</mi><mn>23</mn><mrow><mo stretchy="false">(</mo><mn>1</mn><mo stretchy="false">)</mo></mrow></msubsup>'
"""

from __future__ import annotations

from itertools import groupby, pairwise

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from derive import activations, naming
from derive.explain import blocks
from derive.explain.mathml_elements import MINUS, Elements
from derive.explain.notation import (
    MAX_TERMS_SHOWN,
    Notation,
    decimals,
    flat_factors,
    number_follows,
    parenthesized_in_hadamard,
    unevaluated,
)
from derive.layerwise import negated
from derive.parts import OPERATORS, Index, Parts

#: 𝟏, the bold one of 1[g > 0] and of the all-ones vector (MathML Core has no bold mn).
BOLD_ONE = "\U0001d7cf"
#: The relations of an equation row, as its <mo>.
RELATIONS = {"=": "=", "<-": "\u2190"}


class BackpropMathMLPrinter(Notation, Elements):
    """Presentation MathML in the seed's notation.

    Parameters
    ----------
    names : derive.naming.Naming
        The network's symbols and how each is written.
    digits : int
        Decimals shown for floating-point numbers.
    numeric : bool
        Print products with an explicit · and in the given order, for
        formulas with numbers substituted.
    """

    def __init__(self, names: naming.Naming, digits: int = 3, numeric: bool = False):
        super().__init__(names, digits, numeric)
        self._stand_ins: dict[sp.Basic, sp.Basic] = {}

    # -- max, min and |u| ------------------------------------------------------
    def _print_Max(self, expr, exp=None):
        name = self._raised(self._mo(str(expr.func).lower()), exp)
        return self._row(name, self._arguments(*sorted(expr.args, key=sp.default_sort_key)))

    _print_Min = _print_Max

    def _print_Abs(self, expr, exp=None):
        return self._raised(self._row(self._mo("|"), self._print(expr.args[0]), self._mo("|")), exp)

    # -- symbols ------------------------------------------------------------
    def _print_Symbol(self, sym, style="plain"):
        if sym in self._stand_ins:
            return self._print(self._stand_ins[sym])
        parts = self.names.parts(sym)
        if parts is None:
            return super()._print_Symbol(sym, style)
        return self.parts(parts)

    _print_Dummy = _print_Symbol

    def _print_MatrixSymbol(self, sym):
        parts = self.names.parts(sym)
        return self.parts(parts) if parts is not None else super()._print_MatrixSymbol(sym)

    def parts(self, parts: Parts):
        """The element of a symbol written as ``parts``: msub, msup or msubsup of its base."""
        base = self._element("mi", text=parts.text)
        if parts.accent == "bar":
            base = self._element("mover", base, self._mo("\u203e"), accent="true")
        sub, sup = parts.sub, parts.sup
        if sub and sup:
            return self._element("msubsup", base, self._index(sub), self._index(sup))
        if sub:
            return self._element("msub", base, self._index(sub))
        if sup:
            return self._element("msup", base, self._index(sup))
        return base

    def _index(self, index: Index):
        """An index token by token, e.g. ``layer("j", -1)``, ``(2, 3)``, ``(1, ",", 12)``."""
        items = []
        for numbers, run in groupby(index, key=lambda token: isinstance(token, int)):
            if numbers:
                # numbers side by side are one run of digits, w_{23}, as the seed writes them
                items.append(self._element("mn", text="".join(map(str, run))))
                continue
            for token in run:
                if token in ("(", ")"):
                    items.append(self._mo(token, stretchy="false"))
                elif token in OPERATORS:
                    items.append(self._mo(MINUS if token == "-" else token))
                else:
                    items.append(self._element("mi", text=token))
        return items[0] if len(items) == 1 else self._row(*items)

    # -- numbers ------------------------------------------------------------
    def _print_Exp1(self, expr):
        # e in italic, as the PDF writes it: SymPy's &ExponentialE; shows a double-struck ⅇ
        return self._element("mi", text="e")

    def _print_Float(self, expr):
        return self._number(decimals(float(expr), self.digits))

    def _print_Rational(self, expr):
        if self.numeric:
            return self._print_Float(expr)
        if expr.q == 1:
            return self._number(str(expr.p))
        return super()._print_Rational(expr)

    _print_Integer = _print_Rational

    def _print_int(self, p):
        return self._number(str(p))

    # -- sums and products ----------------------------------------------------
    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        if len(terms) > MAX_TERMS_SHOWN:
            terms = terms[:2] + [None] + terms[-1:]  # ..., a ⋯ and the last term
        row = self._row()
        for n, term in enumerate(terms):
            if term is None:
                row.appendChild(self._mo("+"))
                row.appendChild(self._mo("\u22ef"))
                continue
            if n == 0 and self.numeric:  # with numbers in, the first as it stands: (-0.759) · 1
                row.appendChild(self._print(term))
                continue
            negative = term.could_extract_minus_sign()
            if n or negative:
                row.appendChild(self._mo(MINUS if negative else "+"))
            term = negated(term) if negative else term
            shown = self._print(term)
            row.appendChild(self._parens(shown) if self._parenthesized_after_sign(term) else shown)
        return row

    def _print_Mul(self, expr):
        if self.numeric:
            above, below = self._numeric_fraction(expr)
            if not below:
                return self._dotted(above)
            return self._element("mfrac", self._fraction_side(above), self._fraction_side(below))
        if not unevaluated(expr):
            if expr.could_extract_minus_sign():
                return self._row(self._mo(MINUS), self._print(-expr))
            return self._spaced(super()._print_Mul(expr))
        # a product written in a chosen order, e.g. (y - f) f (1 - f): keep it
        row, dots, first = self._row(), number_follows(expr), True
        for factor in flat_factors(expr):
            if factor == -1:
                row.appendChild(self._mo(MINUS))
                continue
            if dots and not first:
                row.appendChild(self._mo("\u00b7"))
            if factor.is_Number and factor < 0:
                row.appendChild(self._mo(MINUS))
                factor = -factor
            # a quotient, 1/(2√g), grouped by its bar as in LaTeX: bracketed only when negative
            quotient = factor.is_Rational or (factor.is_Mul and (first or not factor.could_extract_minus_sign()))
            shown = self._print(factor) if quotient else self.parenthesize(factor, PRECEDENCE["Mul"])
            row.appendChild(shown)
            first = False
        return self._spaced(row)

    def _spaced(self, row):
        """A product's row with TeX's thin spaces: before a named function, g tanh(g) not gtanh(g),
        and on each side of a fraction, 3/2 δ w, as TeX sets a fraction apart from its neighbours."""
        kids = list(row.childNodes)
        for before, factor in pairwise(kids):
            tags = {before.tagName, factor.tagName}
            if _applies_a_name(factor) or ("mfrac" in tags and "mo" not in tags):
                row.insertBefore(self._element("mspace", width="0.167em"), factor)
        return row

    def _dotted(self, factors):
        row = self._row()
        for n, factor in enumerate(factors):
            if n:
                row.appendChild(self._mo("\u00b7"))
            row.appendChild(self._factor(factor))
        return row

    def _fraction_side(self, factors):
        """One side of a fraction: factors joined by ·, a lone one bare (the bar groups it)."""
        if not factors:
            return self._number("1")
        if len(factors) == 1 and not factors[0].could_extract_minus_sign():
            return self._print(factors[0])
        return self._dotted(factors)

    def _print_MatMul(self, expr):
        if expr.could_extract_minus_sign():
            return self._row(self._mo(MINUS), self._print(negated(expr)))
        led = self._led_by_number(expr)  # 3/2 W̄ᵀδ, 2 g ⊙ v: the number unbracketed, as in LaTeX
        return super()._print_MatMul(expr) if led is None else self._spaced(self._row(*map(self._factor, led)))

    def _factor(self, factor):
        """A factor of a product with numbers: in parentheses when a sum or negative."""
        if isinstance(factor, sp.Basic) and (factor.is_Add or factor.could_extract_minus_sign()):
            return self._parens(self._print(factor))
        return self._print(factor)

    def parenthesize(self, item, level, strict=False):
        if isinstance(item, sp.Basic) and item.is_Add:
            return self._parens(self._print(item))
        return super().parenthesize(item, level, strict)

    def _print_Pow(self, expr):
        if expr.exp.is_Integer and expr.exp > 0:
            base = expr.base
            if base.is_Function:  # tanh²(g), |g|², log(g)²: where the LaTeX printer puts the power
                return self._print(base, exp=self._print(expr.exp))
            return self._power(base, self._print(expr.exp))
        return super()._print_Pow(expr)

    def _power(self, base, exp):
        """base to the power exp, the base bracketed as LaTeX brackets it: g², f^⊙2, but
        (g^{(1)})² and (tanh g)^⊙2, whose power would read as part of the superscript or argument."""
        parts = self.names.parts(self._stand_ins.get(base, base))
        bare = not parts.sup if parts is not None else base.is_Symbol or (base.is_Number and base >= 0)
        shown = self._print(base)
        return self._element("msup", shown if bare else self._parens(shown), exp)

    # -- activations ----------------------------------------------------------
    def _apply(self, name: str, argument, exp=None):
        function = self._raised(self._element("mi", text=name), exp)
        return self._row(function, self._mo("\u2061"), self._parens(self._print(argument)))

    def _print_Function(self, expr, exp=None):
        # an activation by the MathML name its registry entry gives; any other function
        # with its arguments in brackets that do not stretch, as _arguments writes them
        entry = activations.of_function(expr.func)
        if entry is not None and not entry.elementwise:
            return self._raised(self._layer_wide(entry.mathml, *expr.args), exp)
        if entry is not None and entry.mathml is not None:
            return self._apply(entry.mathml, expr.args[0], exp)
        name = self._raised(self._element("mi", text=self.mathml_tag(expr)), exp)
        return self._row(name, self._mo("\u2061"), self._arguments(*expr.args))

    def _layer_wide(self, name: str, i, *gs):
        # unit i of softmax(g_1, ..., g_n): the index as a subscript, not an argument
        arguments = self._parens(self._row(*self._commas(gs)))
        applied = self._row(self._element("mi", text=name), self._mo("\u2061"), arguments)
        return self._element("msub", applied, self._print(i))

    def _print_log(self, expr, exp=None):
        return self._raised(self._apply("log", expr.args[0]), exp)

    def _indicator(self, *condition):
        one = self._element("mn", text=BOLD_ONE)
        bracket = {"stretchy": "false"}
        return self._row(one, self._mo("[", **bracket), *condition, self._mo("]", **bracket))

    def _print_Heaviside(self, expr, exp=None):
        zero = self._element("mn", text="0")
        return self._raised(self._indicator(self._print(expr.args[0]), self._mo("&gt;"), zero), exp)

    def _print_KroneckerDelta(self, expr, exp=None):
        i, k = (self._print(a) for a in expr.args)
        return self._raised(self._indicator(i, self._mo("="), k), exp)

    # -- vector forms -----------------------------------------------------------
    def _print_HadamardProduct(self, expr):
        row = self._row()
        for n, factor in enumerate(expr.args):
            if n:
                row.appendChild(self._mo("\u2299"))
            shown = self._print(factor)
            row.appendChild(self._parens(shown) if parenthesized_in_hadamard(factor) else shown)
        return row

    def _print_HadamardPower(self, expr):
        return self._power(expr.base, self._row(self._mo("\u2299"), self._print(expr.exp)))

    def _print_OneMatrix(self, expr):
        return self._element("mn", text=BOLD_ONE)

    def _print_Elementwise(self, expr):
        function, vector = expr.args
        (variable,) = function.variables
        stand_in = sp.Dummy("v", real=True)
        self._stand_ins[stand_in] = vector
        try:
            return self._print(function.expr.xreplace({variable: stand_in}))
        finally:
            del self._stand_ins[stand_in]

    def _print_Transpose(self, expr):
        return self._element("msup", self._parens(self._print(expr.arg)), self._element("mi", text="T"))

    # -- layout nodes of derive.explain.account ----------------------------------------
    def _print_Partial(self, node):
        def d(x=None):
            if node.ordinary:
                mark = self._row(self._element("mi", text="d"), self._element("mspace", width="0.1em"))
            else:
                mark = self._mo("\u2202", rspace="0")
            return mark if x is None else self._row(mark, self._print(x))

        if node.compound:  # d/dg (of)
            of = self._parens(self._print(node.of))
            if node.inline:
                return self._row(d(), of, self._mo("/"), d(node.wrt))
            return self._row(self._element("mfrac", d(), d(node.wrt)), of)
        if node.inline:
            return self._row(d(node.of), self._mo("/"), d(node.wrt))
        return self._element("mfrac", d(node.of), d(node.wrt))

    def _print_Product(self, node):
        if node.joint == "cdot":
            return self._dotted(node.factors)
        row = self._row()
        for n, factor in enumerate(node.factors):
            if n and node.joint == "thin":
                row.appendChild(self._element("mspace", width="0.167em"))
            elif n and node.joint == "odot":
                row.appendChild(self._mo("\u2299"))
            row.appendChild(self._print(factor))
        return row

    def _print_Terms(self, node):
        row = self._row()
        for n, term in enumerate(node.terms):
            negative = isinstance(term, blocks.Negative)
            if n or negative:
                row.appendChild(self._mo(MINUS if negative else "+"))
            row.appendChild(self._print(term.of if negative else term))
        return self._bracketed(row, node)

    def _print_Negative(self, node):
        return self._row(self._mo(MINUS), self._print(node.of))

    def _print_Relation(self, node):
        row = self._row(self._print(node.sides[0]))
        for op, side in zip(node.ops, node.sides[1:]):
            row.appendChild(self._mo(RELATIONS[op]))
            row.appendChild(self._print(side))
        return row

    def _print_SumOver(self, node):
        sigma = self._element("munder", self._mo("\u2211"), self._element("mi", text=node.index))
        return self._row(sigma, self._print(node.body))

    def _print_Operator(self, node):
        return self._apply(node.name, node.arg)

    def _print_Where(self, node):
        with_ = (self._element("mspace", width="1em"), self._element("mtext", text="with\u00a0"))
        return self._row(self._print(node.expr), *with_, self._print(node.lhs), self._mo("="), self._print(node.rhs))

    def _print_Listed(self, node):
        row = self._row(*self._commas(node.items, separator="true"))
        if not node.closes:
            row.appendChild(self._mo(",", separator="true"))
        return self._bracketed(row, node)

    def _bracketed(self, row, node):
        """A vector's or a sum's row in its brackets; one line of several has only its own."""
        if not node.parens:
            return row
        if node.opens and node.closes:
            return self._parens(row)
        return self._row(*[self._l_paren()] * node.opens, row, *[self._r_paren()] * node.closes)

    def _print_Ratio(self, node):
        return self._row(self._print(node.num), self._mo("/"), self._print(node.den))

    def _print_Dots(self, node):
        return self._mo("\u22ee" if node.vertical else "\u22ef")


def _applies_a_name(node) -> bool:
    """Whether node is f(u) or f(u)ⁿ, f a name of several letters (tanh, log; not σ)."""
    if node.tagName == "msup":
        node = node.firstChild
    kids = node.childNodes if node.tagName == "mrow" else []
    if len(kids) < 2 or kids[1].tagName != "mo" or kids[1].firstChild.data != "\u2061":
        return False
    name = kids[0].firstChild if kids[0].tagName == "msup" else kids[0]
    return name.tagName == "mi" and len(name.firstChild.data) > 1
