"""The printers of generated code: the derivation's vector forms as array code, and floats.

:class:`ArrayPrinter` prints the derivation's matrix expressions
(:meth:`~derive.derivation.Derivation.layer_rule` and its siblings) as code
of the Python array API standard, for a batch of samples with one row per
sample, so that a column vector v of the derivation is an array of shape
(B, n) and Aᵀv is ``v @ A``:

=================================  ========================================
expression                         printed
=================================  ========================================
W⁽ʲ⁾ X⁽ʲ⁻¹⁾                        ``s1 @ W2[:, :-1].T + W2[:, -1]``
(W̄⁽ʲ⁺¹⁾)ᵀ δ⁽ʲ⁺¹⁾                   ``delta2 @ W2[:, :-1]``
c δ⁽ʲ⁾ (X⁽ʲ⁻¹⁾)ᵀ                   ``outer(c * delta1, x)``: summed over samples
a ⊙ b, a + b, a^⊙2, 1              ``a * b``, ``a + b``, ``a**2``, ``1``
=================================  ========================================

Functions of the standard are printed as ``xp.<name>`` (``xp`` being the
namespace of the inputs), and the project's activations as calls of the
module's own few helpers, each in a form that never overflows:
``sigmoid``, ``softplus``, ``step`` (relu's slope), ``softmax``,
``log_softmax`` and ``softmax_complement`` (1 − softmax, precise where f is
near 1).  The helpers a printed line calls are collected in ``helpers``,
for the template to define them.  A constant of a formula, the log 2 of
2^g log 2, is a Python number, which the standard's functions do not take:
it is computed by ``math``, whose imports ``constants.imports()`` lists.

:class:`ScalarPrinter` prints per-unit expressions for Python floats and
the ``math`` module, for the one-sample update of a small network.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import MatMul, OneMatrix, Transpose
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from derive import activations, naming
from derive.layerwise import Elementwise, negated


@dataclass(frozen=True)
class Line:
    """One printed assignment of generated code: ``name = code  # (label)``."""

    name: str
    code: str
    label: str
    note: str = ""  # what the line computes, where it is written otherwise than explained


class LayerFunction(sp.MatrixExpr):
    """A function of a whole layer's pre-activations: ``LayerFunction("softmax", g)``.

    ``softmax`` (each row), ``log_softmax`` and ``softmax_complement`` (1 − softmax).
    """

    def __new__(cls, name: str, vector: sp.MatrixExpr):
        return sp.Basic.__new__(cls, sp.Symbol(name), vector)

    @property
    def shape(self):
        return self.args[1].shape


class Helper(sp.Function):
    """A runtime helper applied to a layer's array: ``Helper(Symbol("log_softmax"), g)``."""

    nargs = 2


class Total(sp.Function):
    """The sum of every element of an array: over units and samples."""

    nargs = 1


class _AsWritten:
    """Code as a person writes it: sums led by a positive term, products spaced.

    Sums lead as the explanation writes them (y − f, 1 − s); products and
    quotients are spaced as the layer lines are (g1 * sigmoid(g1), x / 2).
    """

    def _as_ordered_terms(self, expr, order=None):
        return naming.positive_first(super()._as_ordered_terms(expr, order=order))

    def _print_Mul(self, expr):
        # A quotient written with `/`: g1 * sigmoid(g1), (y - f)**2 / 2.  (exact:
        # e^{-g} stays e^{-g}, never 1/e^{g}, which overflows.)
        if expr.could_extract_minus_sign():
            return "-" + self.parenthesize(-expr, PRECEDENCE["Mul"], strict=True)
        numer, denom = sp.fraction(expr, exact=True)
        factors = numer.as_ordered_factors()
        text = " * ".join(self.parenthesize(a, PRECEDENCE["Mul"], strict=True) for a in factors)
        if denom == 1:
            return text
        return f"{text} / {self.parenthesize(denom, PRECEDENCE['Mul'])}"

    def _print_not_supported(self, expr):
        # e.g. re(g**sqrt(3)) in the slope of |g^√3|, complex where g < 0: SymPy's own
        # error would be a traceback; this one the command line reports
        raise ValueError(f"{expr} has no form in generated code, which computes with real numbers")

    def _print_Pow(self, expr, rational=False):
        # 1 / a**2 for SymPy's a**(-2), as _print_Mul writes its quotients
        if expr.exp.is_Number and expr.exp < 0:
            return f"1 / {self.parenthesize(1 / expr, PRECEDENCE['Mul'])}"
        return super()._print_Pow(expr, rational)


class ArrayPrinter(_AsWritten, PythonCodePrinter):
    """The derivation's vector forms as array-API code for a batch of rows.

    Parameters
    ----------
    arrays : dict
        The code name of each of the derivation's vectors (``Naming.vector``),
        e.g. ``{s^{(1)}: "s1", W̄^{(2)}: "W2[:, :-1]"}``.

    Examples
    --------
    >>> from derive import Derivation, seed
    >>> from codegen.module import vector_names
    >>> d = Derivation(seed())
    >>> printer = ArrayPrinter(vector_names(d))
    >>> printer.doprint(d.layer_rule(1))
    's1 * (1 - s1) * (delta2 @ W2[:, :-1])'
    """

    def __init__(self, arrays: dict[sp.Basic, str]):
        super().__init__({"fully_qualified_modules": False, "standard": "python3"})
        self.arrays = dict(arrays)
        self.helpers: set[str] = set()
        # A constant, log 2 in the slope 2^g log 2 of 2^x, is a Python number that xp.log,
        # which takes arrays, cannot compute: math does, and these are its imports.
        self.constants = ScalarPrinter()

    def _print(self, expr, **kwargs):
        if isinstance(expr, sp.Expr) and not expr.is_Matrix and expr.is_number and not expr.is_Atom:
            return self.constants.doprint(expr)
        return super()._print(expr, **kwargs)

    def _module_format(self, fqn, register=True):
        # math.exp, math.pi, ... are xp.exp, xp.pi: the standard has the same names.
        module, _, name = fqn.rpartition(".")
        return f"xp.{name}" if module in ("math", "cmath") else name

    def _helper(self, name: str, *args: sp.Basic) -> str:
        self.helpers.add(name)
        return f"{name}({', '.join(self._print(a) for a in args)})"

    # -- the layer's vectors ---------------------------------------------
    def _print_MatrixSymbol(self, expr):
        return self.arrays[expr]

    def _print_Symbol(self, expr):
        return self.arrays.get(expr, expr.name)

    def _print_OneMatrix(self, expr):
        return "1"

    def _print_MatAdd(self, expr):
        # y - f, 1 - s, W + c δ Xᵀ: the weights and the positive terms first
        terms = sorted(
            expr.args,
            key=lambda t: (t.could_extract_minus_sign(), not isinstance(t, sp.MatrixSymbol)),
        )
        text = self._print(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                text += f" - {self.parenthesize(negated(term), PRECEDENCE['Add'], strict=True)}"
            else:
                text += f" + {self._print(term)}"
        return text

    def _print_HadamardProduct(self, expr):
        return " * ".join(self._factor(f) for f in expr.args)

    def _factor(self, expr) -> str:
        """expr as a factor of ``*``: bracketed if a sum, or an ``@`` (which binds as ``*`` does)."""
        matrices = expr.as_coeff_matrices()[1] if isinstance(expr, MatMul) else ()
        if len(matrices) > 1 and not isinstance(matrices[-1], Transpose):
            return f"({self._print(expr)})"
        if isinstance(expr, Elementwise):  # bracketed as the scalar expression it applies
            expr = self._applied(expr)
        return self.parenthesize(expr, PRECEDENCE["Mul"], strict=True)

    def _applied(self, expr: Elementwise) -> sp.Expr:
        """The scalar expression of an elementwise function, of its vector's array name."""
        function, vector = expr.args
        return function(sp.Symbol(self.arrays[vector], real=True))

    def _print_HadamardPower(self, expr):
        base, exp = expr.args
        return f"{self.parenthesize(base, PRECEDENCE['Pow'], strict=True)}**{self._print(exp)}"

    def _print_Elementwise(self, expr):
        return self._print(self._applied(expr))

    def _print_LayerFunction(self, expr):
        return self._helper(expr.args[0].name, expr.args[1])

    def _print_MatMul(self, expr):
        coeff, factors = expr.as_coeff_matrices()
        if len(factors) == 2 and isinstance(factors[1], Transpose):
            # c δ Xᵀ of one sample, summed over the samples: the layer's gradient shape.  Its
            # coefficient (c, −κ) scales δ, B × n_j numbers, before the products: that is one
            # array fewer of the weights' size where a library has no in-place temporaries (torch).
            delta, inputs = factors[0], self._input(factors[1].arg)
            return self._helper("outer", delta if coeff == 1 else coeff * delta, inputs)
        if coeff != 1:
            rest = MatMul(*factors) if len(factors) > 1 else factors[0]
            sign, coeff = ("-", -coeff) if coeff.is_negative else ("", coeff)
            # a constant sum, 2 − sin 2, in brackets: (2 - sin(2)) * g1**2
            number = self.parenthesize(coeff, PRECEDENCE["Mul"], strict=True)
            if isinstance(rest, OneMatrix):  # a number, e.g. a constant slope
                return sign + number
            scaled = self._factor(rest)
            return sign + (scaled if coeff == 1 else f"{number} * {scaled}")
        a, b = factors
        if isinstance(a, Transpose):
            # (W̄ᵀ δ)ᵀ = δᵀ W̄ for a row of δ
            return f"{self._print(b)} @ {self._print(a.arg)}"
        # W X with X = (s, 1): the bias column added, X never built
        w, s = self._print(a), self._input(b)
        return f"{s} @ {w}[:, :-1].T + {w}[:, -1]"

    def _input(self, bias_vector: sp.MatrixSymbol) -> sp.Symbol:
        """The array whose rows, with a 1 appended, are the layer input X."""
        return sp.Symbol(self.arrays[bias_vector], real=True)

    def _print_Helper(self, expr):
        return self._helper(expr.args[0].name, expr.args[1])

    def _print_Total(self, expr):
        return f"xp.sum({self._print(expr.args[0])})"

    # -- activations ------------------------------------------------------
    def _print_Function(self, expr):
        # an activation by the runtime helper its registry entry names, else SymPy's own form
        entry = activations.of_function(expr.func)
        if entry is not None and entry.elementwise and entry.array is not None:
            return self._helper(entry.array, expr.args[0])
        return super()._print_Function(expr)

    def _print_relu(self, expr):
        return f"xp.maximum({self._print(expr.args[0])}, 0)"

    def _print_Heaviside(self, expr):
        if len(expr.args) == 1 or expr.args[1] != 0:
            raise ValueError(f"no array form for {expr}: relu's slope is taken as 0 at 0")
        return self._helper("step", expr.args[0])

    def _print_Abs(self, expr):
        return f"xp.abs({self._print(expr.args[0])})"

    def _print_sign(self, expr):
        return f"xp.sign({self._print(expr.args[0])})"


class ScalarPrinter(_AsWritten, PythonCodePrinter):
    """SymPy's Python printer for floats, with the project's activations in stable forms.

    Functions of ``math`` are printed by their bare names and collected in
    ``module_imports`` (:meth:`imports` lists them by module).
    Each form keeps a NaN a NaN and never asks ``math.exp`` for e^{g} with
    g > 0, where it could overflow.  Products are printed in the order of their factors.

    Examples
    --------
    >>> g = sp.Symbol("g", real=True)
    >>> printer = ScalarPrinter()
    >>> from derive.activations import sigmoid
    >>> printer.doprint(sigmoid(g))
    '(1 / (1 + exp(-g)) if g >= 0 else exp(g) / (1 + exp(g)))'
    >>> printer.imports()
    [('math', ('exp',))]
    """

    def __init__(self, settings=None):
        super().__init__({"fully_qualified_modules": False, **(settings or {})})

    def imports(self) -> list[tuple[str, tuple[str, ...]]]:
        """The modules of the printed code and the names taken from each, sorted."""
        return [(module, tuple(sorted(names))) for module, names in sorted(self.module_imports.items())]

    def _print_Mul(self, expr):
        # A product built unevaluated (s1_1 * (1 - s1_1) * delta2 * w2_1_1) keeps its order.
        if not any(a.is_Number or (a.is_Pow and a.exp.is_negative) for a in expr.args):
            return " * ".join(self.parenthesize(a, PRECEDENCE["Mul"], strict=False) for a in expr.args)
        return super()._print_Mul(expr)

    def _math(self, name: str) -> str:
        return self._module_format("math." + name)

    def _branches(self, arg, relation: str, positive: str, other: str) -> str:
        """``(positive if g >= 0 else other)`` (or ``>``), or the branch that a number's sign picks."""
        if arg.is_number and arg.is_comparable:  # a constant's, sigmoid(1): 1 / (1 + exp(-1))
            return f"({positive if sp.Rel(arg, 0, relation) else other})"
        return f"({positive} if {self._print(arg)} {relation} 0 else {other})"

    def _print_sigmoid(self, expr):
        arg = expr.args[0]
        g, minus_g, exp = self._print(arg), self._print(-arg), self._math("exp")
        return self._branches(arg, ">=", f"1 / (1 + {exp}({minus_g}))", f"{exp}({g}) / (1 + {exp}({g}))")

    def _print_softplus(self, expr):
        arg = expr.args[0]
        g, minus_g, exp, log1p = self._print(arg), self._print(-arg), self._math("exp"), self._math("log1p")
        return self._branches(arg, ">", f"{g} + {log1p}({exp}({minus_g}))", f"{log1p}({exp}({g}))")

    def _print_relu(self, expr):
        g = self._print(expr.args[0])
        return f"(0.0 if {g} < 0 else {g})"

    def _print_Heaviside(self, expr):
        # The last branch is reached by NaN alone, which stays NaN.
        g = self._print(expr.args[0])
        return f"(1.0 if {g} > 0 else 0.0 if {g} <= 0 else {g})"
