"""The NumPy printer of generated code, and the array operations it prints.

:class:`ArrayPrinter` is SymPy's ``NumPyPrinter`` taught the project's
activations (dispatch on ``_print_<ClassName>``) in numerically stable forms:

==============  ======================================  ==========================
expression      printed                                 why
==============  ======================================  ==========================
sigmoid(g)      ``np.exp(-np.logaddexp(0, -g))``        no overflow for g ≪ 0
                (``sigmoid="split"``: see below)
softplus(g)     ``np.logaddexp(0, g)``                  no overflow for g ≫ 0
relu(g)         ``np.maximum(g, 0)``
Heaviside(g,0)  ``np.heaviside(g, 0)``                  value 0 at g = 0
LayerSoftmax    ``np.exp(_log_softmax(g))``             no overflow (per row)
==============  ======================================  ==========================

and the logarithms of saturating outputs in forms that stay finite:
log σ(g) as ``-np.logaddexp(0, -g)``, log(1 − σ(g)) as ``-np.logaddexp(0, g)``
and the log of a layer's softmax (:class:`LogSoftmax`) as ``_log_softmax(g)``,
a function of the generated module: z − log Σ e^z with z = g − max g.  With
the largest z exactly 0 the sum lies in [1, n] and its log, where it is
near 0, keeps its relative precision (``logaddexp`` adds each e^z through
``log1p``): so log f, and f, do not change when every logit moves by the
same amount, and 1 − f = −expm1(log f) keeps its digits where f nears 1.
Every helper of the module that printed code calls is recorded in
``helpers``.

Generated code works on a batch of samples at once, one row per sample, so
a layer's quantities are arrays of shape (B, n_j).  The few operations that
are not elementwise are SymPy functions defined here and printed by the same
printer: :class:`LayerSoftmax` (softmax of each row) and :class:`LogSoftmax`, :class:`Affine` (g = W·(X, 1)), :class:`Backprop` (the δ sum through
the next layer's weights), :class:`Outer` (δ·(X, 1)ᵀ summed over samples) and
:class:`Total` (the sum of every element).  Their ``_sympystr`` gives the
mathematical form that generated docstrings show.

With the setting ``sigmoid="split"`` the sigmoid is printed as
``np.exp(np.minimum(g, 0))/(1 + np.exp(-np.abs(g)))``, that is
e^{min(g, 0)}/(1 + e^{−|g|}): equal to 1/(1 + e^{−g}) for g ≥ 0 and to
e^{g}/(1 + e^{g}) for g < 0, so no exponent is positive, and as precise as
the ``logaddexp`` form at a fraction of its cost (``logaddexp`` evaluates a
logarithm and two exponentials per element).  Generated modules use it.

:class:`AddOuter` (W + D·(X, 1)ᵀ) is printed as a call of the generated
module's ``_add_outer``, which writes the product straight into the new
weights (or, with ``out``, into the given ones) instead of building (X, 1).

Every module the printer refers to is recorded in ``module_imports``;
:meth:`ArrayPrinter.import_lines` turns that into sorted import statements,
with numpy imported as ``np``.

:class:`ScalarPrinter` prints the same activations for Python floats and
the ``math`` module, for the straight-line code of one sample of a small
network (see :mod:`codegen.scalar`).
"""

from __future__ import annotations

from typing import ClassVar

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from derive.activations import sigmoid, softplus


class LayerSoftmax(sp.Function):
    """softmax over the units of a layer array, each row (sample) on its own."""

    nargs = 1

    def _sympystr(self, printer):
        return f"softmax({printer._print(self.args[0])})"


class LogSoftmax(sp.Function):
    """log softmax over the units of a layer array, each row on its own."""

    nargs = 1

    def _sympystr(self, printer):
        return f"log(softmax({printer._print(self.args[0])}))"


class Affine(sp.Function):
    """g = W·(X, 1) for the rows of X: ``Affine(X, W)``, bias weight last in W."""

    nargs = 2
    precedence = PRECEDENCE["Add"]

    def _sympystr(self, printer):
        inputs, weights = (printer._print(a) for a in self.args)
        return f"{weights}·({inputs}, 1)"


class Backprop(sp.Function):
    """Σ_k δ_k w_ki for every unit i: ``Backprop(delta, W)``, W's bias column left out."""

    nargs = 2

    def _sympystr(self, printer):
        delta, weights = (printer._print(a) for a in self.args)
        return f"(Σ_k {delta}_k·{weights}_ki)"


class Outer(sp.Function):
    """δ·(X, 1)ᵀ summed over the samples: ``Outer(delta, X)``, shaped like W."""

    nargs = 2

    def _sympystr(self, printer):
        delta, inputs = (printer._print(a) for a in self.args)
        return f"{delta}·({inputs}, 1)ᵀ"


class AddOuter(sp.Function):
    """W + D·(X, 1)ᵀ summed over the samples: ``AddOuter(W, D, X)``, shaped like W.

    An optional fourth argument names the array the result is written into
    (the weights themselves, for an update in place).
    """

    nargs = (3, 4)

    def _sympystr(self, printer):
        weights, inputs = printer._print(self.args[0]), printer._print(self.args[2])
        factor = printer.parenthesize(self.args[1], PRECEDENCE["Mul"], strict=True)
        return f"{weights} + {factor}·({inputs}, 1)ᵀ"


class Total(sp.Function):
    """The sum of every element of an array: over units and samples."""

    nargs = 1

    def _sympystr(self, printer):
        return f"Σ {printer.parenthesize(self.args[0], PRECEDENCE['Mul'], strict=False)}"


def has_stable_log(expr: sp.Expr) -> bool:
    """Whether :class:`ArrayPrinter` prints ``log(expr)`` in a form finite where expr rounds to 0."""
    return isinstance(expr, (sigmoid, LayerSoftmax))


class ArrayPrinter(NumPyPrinter):
    """SymPy's NumPy printer with the project's activations and array operations.

    Parameters
    ----------
    aliases : dict, optional
        Module aliases, ``{"numpy": "np"}`` by default.

    Examples
    --------
    >>> import sympy as sp
    >>> from derive.activations import sigmoid
    >>> g = sp.Symbol("g")
    >>> printer = ArrayPrinter()
    >>> printer.doprint(sigmoid(g) * (1 - sigmoid(g)))
    '(1 - np.exp(-np.logaddexp(0, -g)))*np.exp(-np.logaddexp(0, -g))'
    >>> printer.import_lines()
    ['import numpy as np']
    """

    _default_settings: ClassVar[dict] = {**NumPyPrinter._default_settings, "sigmoid": "logaddexp"}

    def __init__(self, settings=None, aliases: dict[str, str] | None = None):
        super().__init__(settings)
        if self._settings["sigmoid"] not in ("logaddexp", "split"):
            raise ValueError(f"sigmoid: 'logaddexp' or 'split', got {self._settings['sigmoid']!r}")
        self.aliases = {"numpy": "np"} if aliases is None else dict(aliases)
        #: The generated module's own functions that printed code calls.
        self.helpers: set[str] = set()

    def _module_format(self, fqn, register=True):
        module, _, name = fqn.rpartition(".")
        if not module:
            return fqn
        top, _, rest = module.partition(".")
        if register:
            self.module_imports[module].add(name)
        if top in self.aliases:
            return ".".join(filter(None, (self.aliases[top], rest, name)))
        return fqn

    def import_lines(self) -> list[str]:
        """The import statements the printed code needs, sorted, numpy always included."""
        lines = {f"import numpy as {self.aliases['numpy']}"} if "numpy" in self.aliases else set()
        for module in self.module_imports:
            top = module.partition(".")[0]
            if top in self.aliases:
                lines.add(f"import {top} as {self.aliases[top]}")
            else:
                lines.add(f"import {module}")
        return sorted(lines)

    def _call(self, function: str, *args: str) -> str:
        return f"{self._module_format('numpy.' + function)}({', '.join(args)})"

    # -- activations ------------------------------------------------------
    def _print_sigmoid(self, expr):
        # 1/(1 + e^{-g}) = e^{-log(1 + e^{-g})}: logaddexp never overflows.
        g = expr.args[0]
        if self._settings["sigmoid"] == "split":
            # e^{min(g, 0)} / (1 + e^{-|g|}): both exponents are never positive.
            arg = self._print(g)
            top = self._call("exp", self._call("minimum", arg, "0"))
            return f"{top}/(1 + {self._call('exp', '-' + self._call('abs', arg))})"
        return self._call("exp", "-" + self._call("logaddexp", "0", self._print(-g)))

    def _print_softplus(self, expr):
        return self._call("logaddexp", "0", self._print(expr.args[0]))

    def _print_relu(self, expr):
        return self._call("maximum", self._print(expr.args[0]), "0")

    def _print_LayerSoftmax(self, expr):
        # e^{g_i} / Σ_k e^{g_k} = e^{log softmax(g)_i}: the exponent is never positive.
        return self._call("exp", self._print(LogSoftmax(expr.args[0])))

    def _print_LogSoftmax(self, expr):
        self.helpers.add("_log_softmax")
        return f"_log_softmax({self._print(expr.args[0])})"

    def _print_log(self, expr):
        # The log of an output that saturates: log σ(g) = −log(1 + e^{−g}),
        # log(1 − σ(g)) = −log(1 + e^{g}) and log softmax(g) = g − log Σ e^{g},
        # finite where σ(g) itself rounds to 0 or 1.
        arg = expr.args[0]
        if isinstance(arg, sigmoid):
            return "(-" + self._call("logaddexp", "0", self._print(-arg.args[0])) + ")"
        if isinstance(1 - arg, sigmoid):
            return "(-" + self._call("logaddexp", "0", self._print((1 - arg).args[0])) + ")"
        if isinstance(arg, LayerSoftmax):
            return self._print(LogSoftmax(arg.args[0]))
        return super()._print_log(expr)

    def _print_Heaviside(self, expr):
        g, *value = expr.args
        at_zero = value[0] if value else sp.S.Half
        return self._call("heaviside", self._print(g), self._print(at_zero))

    # SymPy 1.14's elementwise form of Max and Min, whichever SymPy prints: before 1.14
    # it was np.amax(numpy.asarray([...]), axis=0), with numpy not aliased.
    def _print_Max(self, expr):
        return self._reduce("maximum", expr.args)

    def _print_Min(self, expr):
        return self._reduce("minimum", expr.args)

    def _reduce(self, ufunc: str, args) -> str:
        if len(args) == 1:
            return self._print(args[0])
        items = ", ".join(self._print(a) for a in args)
        return f"{self._module_format('functools.reduce')}({self._module_format('numpy.' + ufunc)}, [{items}])"

    # -- array operations -------------------------------------------------
    def _print_Affine(self, expr):
        inputs, weights = expr.args
        x = self.parenthesize(inputs, PRECEDENCE["Mul"], strict=False)
        w = self._print(weights)
        return f"{x} @ {w}[:, :-1].T + {w}[:, -1]"

    def _print_Backprop(self, expr):
        delta, weights = expr.args
        d = self.parenthesize(delta, PRECEDENCE["Mul"], strict=False)
        return f"({d} @ {self._print(weights)}[:, :-1])"

    def _print_Outer(self, expr):
        delta, inputs = expr.args
        d = self.parenthesize(delta, PRECEDENCE["Atom"], strict=True)
        x = self.parenthesize(inputs, PRECEDENCE["Mul"], strict=False)
        return self._call("column_stack", f"({d}.T @ {x}, {d}.sum(axis=0))")

    def _print_AddOuter(self, expr):
        args = [self._print(a) for a in expr.args[:3]]
        if len(expr.args) == 4:
            args.append(f"out={self._print(expr.args[3])}")
        return f"_add_outer({', '.join(args)})"

    def _print_Total(self, expr):
        return self._call("sum", self._print(expr.args[0]))


class ScalarPrinter(PythonCodePrinter):
    """SymPy's Python printer for floats, with the project's activations in stable forms.

    Functions of ``math`` are printed by their bare names and collected in
    ``module_imports`` (:meth:`import_lines` gives ``from math import ...``).
    Each form keeps a NaN a NaN and never asks ``math.exp`` for e^{g} with
    g > 0 where it could overflow:

    ==============  =====================================================
    expression      printed
    ==============  =====================================================
    sigmoid(g)      ``(1/(1 + exp(-g)) if g >= 0 else exp(g)/(1 + exp(g)))``
    softplus(g)     ``(g + log1p(exp(-g)) if g > 0 else log1p(exp(g)))``
    relu(g)         ``(0.0 if g < 0 else g)``
    Heaviside(g,0)  ``(1.0 if g > 0 else 0.0 if g <= 0 else g)``
    log σ(g)        −softplus(−g), and log(1 − σ(g)) as −softplus(g)
    ==============  =====================================================

    What it cannot print (a layer-wide softmax, say) raises SymPy's
    ``PrintMethodNotImplementedError``.

    Examples
    --------
    >>> import sympy as sp
    >>> g = sp.Symbol("g", real=True)
    >>> printer = ScalarPrinter()
    >>> printer.doprint(sigmoid(g))
    '(1/(1 + exp(-g)) if g >= 0 else exp(g)/(1 + exp(g)))'
    >>> printer.import_lines()
    ['from math import exp']
    """

    def __init__(self, settings=None):
        super().__init__({"fully_qualified_modules": False, **(settings or {})})

    def import_lines(self) -> list[str]:
        """The import statements of the printed code, sorted."""
        return [
            f"from {module} import {', '.join(sorted(names))}"
            for module, names in sorted(self.module_imports.items())
        ]

    def _math(self, name: str) -> str:
        return self._module_format("math." + name)

    def _branches(self, test: str, then: str, otherwise: str) -> str:
        return f"({then} if {test} else {otherwise})"

    def _print_sigmoid(self, expr):
        g, minus_g = self._print(expr.args[0]), self._print(-expr.args[0])
        exp = self._math("exp")
        return self._branches(
            f"{g} >= 0", f"1/(1 + {exp}({minus_g}))", f"{exp}({g})/(1 + {exp}({g}))"
        )

    def _print_softplus(self, expr):
        g, minus_g = self._print(expr.args[0]), self._print(-expr.args[0])
        exp, log1p = self._math("exp"), self._math("log1p")
        return self._branches(
            f"{g} > 0", f"{g} + {log1p}({exp}({minus_g}))", f"{log1p}({exp}({g}))"
        )

    def _print_relu(self, expr):
        g = self._print(expr.args[0])
        return self._branches(f"{g} < 0", "0.0", g)

    def _print_Heaviside(self, expr):
        # The last branch is reached by NaN alone, which stays NaN (as in np.heaviside).
        g, *value = expr.args
        at_zero = value[0] if value else sp.S.Half
        arg = self._print(g)
        if at_zero == 0:
            return f"(1.0 if {arg} > 0 else 0.0 if {arg} <= 0 else {arg})"
        h = self._print(sp.Float(at_zero))
        return f"(1.0 if {arg} > 0 else 0.0 if {arg} < 0 else {h} if {arg} == 0 else {arg})"

    def _print_log(self, expr):
        arg = expr.args[0]
        if isinstance(arg, sigmoid):
            return self._print(-softplus(-arg.args[0]))
        if isinstance(1 - arg, sigmoid):
            return self._print(-softplus((1 - arg).args[0]))
        return super()._print_log(expr)


def array_code(expr: sp.Expr, printer: ArrayPrinter | None = None) -> str:
    """Print one expression as NumPy array code.

    Examples
    --------
    >>> import sympy as sp
    >>> s = sp.Symbol("s1")
    >>> array_code(s * (1 - s))
    's1*(1 - s1)'
    """
    return (printer or ArrayPrinter()).doprint(expr)
