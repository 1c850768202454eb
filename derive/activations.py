"""The activation registry: one entry per activation function.

Contract of an entry
--------------------
``apply(g)`` returns the unit's output as a SymPy expression of its
pre-activation ``g``.  Where the activation has a derivative that is best
written in terms of its own output (the sigmoid's σ(1 − σ), tanh's
1 − tanh²), ``apply`` returns a SymPy ``Function`` whose ``fdiff`` says so;
:func:`derivative` then rewrites the derivative with the output symbol by an
exact structural replacement.  Nothing here touches printed text.

The LaTeX and NumPy printers know each function by its class name
(``_print_sigmoid`` and so on).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp


class sigmoid(sp.Function):
    r"""The logistic function σ(g) = 1 / (1 + e^{−g}).

    Its derivative is written in terms of its output, σ' = σ(1 − σ),
    which is how the backprop δ terms get their f(1 − f) factors.

    Examples
    --------
    >>> import sympy as sp
    >>> g = sp.Symbol("g")
    >>> sp.diff(sigmoid(g), g)
    (1 - sigmoid(g))*sigmoid(g)
    """

    def fdiff(self, argindex=1):
        return self * (1 - self)

    @classmethod
    def eval(cls, g):
        if g.is_Float:
            # Numbers in, number out: 1/(1 + e^{-g}) at the argument's precision.
            return 1 / (1 + sp.exp(-g))
        if g.is_zero:
            return sp.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, g, **kwargs):
        return 1 / (1 + sp.exp(-g))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real


class softplus(sp.Function):
    r"""softplus(g) = log(1 + e^{g}), whose derivative is the sigmoid."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    @classmethod
    def eval(cls, g):
        if g.is_Float:
            return sp.log(1 + sp.exp(g))
        return None

    def _eval_rewrite_as_log(self, g, **kwargs):
        return sp.log(1 + sp.exp(g))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.log)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real


class relu(sp.Function):
    r"""relu(g) = max(g, 0), with derivative 1[g > 0] (taken as 0 at g = 0)."""

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    @classmethod
    def eval(cls, g):
        if g.is_Number:
            return g if g > 0 else sp.S.Zero
        return None

    def _eval_rewrite_as_Max(self, g, **kwargs):
        return sp.Max(g, 0)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.Max)._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real


class softmax(sp.Function):
    r"""Unit i of a softmax layer: softmax(i, g_1, ..., g_n) = e^{g_i} / Σ_k e^{g_k}.

    Not elementwise: each output depends on every pre-activation of its layer.
    The derivative is written in terms of the outputs,
    ∂f_i/∂g_k = f_i (1[i = k] − f_k).

    Examples
    --------
    >>> import sympy as sp
    >>> g1, g2 = sp.symbols("g1 g2")
    >>> sp.diff(softmax(1, g1, g2), g2)
    -softmax(1, g1, g2)*softmax(2, g1, g2)
    """

    def fdiff(self, argindex=2):
        i, gs = int(self.args[0]), self.args[1:]
        k = argindex - 1
        same = 1 if i == k else 0
        return self * (same - softmax(k, *gs))

    @classmethod
    def eval(cls, i, *gs):
        if gs and all(g.is_Float for g in gs):
            # Numbers in, number out, shifted by the largest g so that exp cannot overflow.
            top = max(gs)
            return sp.exp(gs[int(i) - 1] - top) / sp.Add(*(sp.exp(g - top) for g in gs))
        return None

    def _eval_rewrite_as_exp(self, i, *gs, **kwargs):
        return sp.exp(gs[int(i) - 1]) / sp.Add(*(sp.exp(g) for g in gs))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_real(self):
        return all(g.is_real for g in self.args[1:])


def named_forms(expr: sp.Expr) -> sp.Expr:
    """log(1 + e^u) as softplus(u) and 1/(1 + e^(-u)) as sigmoid(u).

    The same functions, but named: their derivatives come out as sigmoid, and
    generated code evaluates both in forms that cannot overflow, where
    e^u itself would for u in the thousands.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> named_forms(x * sp.tanh(sp.log(1 + sp.exp(x))))
    x*tanh(softplus(x))
    >>> named_forms(1 / (1 + sp.exp(-2 * x)))
    sigmoid(2*x)
    """

    def exp_argument(e):
        # u when e is 1 + exp(u), else None
        if e.is_Add and len(e.args) == 2 and sp.S.One in e.args:
            (other,) = [a for a in e.args if a != sp.S.One]
            if isinstance(other, sp.exp):
                return other.args[0]
        return None

    def rename(e):
        if isinstance(e, sp.log) and exp_argument(e.args[0]) is not None:
            return softplus(exp_argument(e.args[0]))
        if e.is_Pow and e.exp == -1 and exp_argument(e.base) is not None:
            return sigmoid(-exp_argument(e.base))
        return e

    return expr.replace(lambda e: rename(e) != e, rename)


@dataclass(frozen=True)
class Activation:
    """One registry entry.

    Parameters
    ----------
    name : str
        The name used in spec files and on the command line.
    apply : callable
        ``g -> expression``: the unit's output for pre-activation ``g``.
    title : str
        A few words for explanations.
    note : tuple
        A remark the explanation adds (conventions, e.g. relu at 0): prose as
        strings, its maths as SymPy expressions.
    elementwise : bool
        Whether each unit's output depends on its own pre-activation only.
        A layer-wide activation (softmax) has ``apply(gs, i)`` instead: unit
        i's output from all the layer's pre-activations.
    latex, mathml : str, optional
        Its name in the explanation's LaTeX and MathML, where SymPy's own is
        not the seed's; the printers read it from here.
    array : str, optional
        The :mod:`codegen.runtime` helper that computes it on arrays in a
        stable form, where SymPy's printed form is not one (for a layer-wide
        activation, the whole layer's outputs).
    complement, log : callable or str, optional
        Generated code's stable forms of 1 − s (precise where s is near 1) and
        of log s (finite where s rounds to 0): a function of the pre-activation
        for an elementwise activation (σ(−g) and −softplus(−g) for the sigmoid);
        for a layer-wide one, the :mod:`codegen.runtime` helper that computes
        it for the whole layer.
    floats : bool
        Whether the float update prints it in a form that raises nothing.
    in_expressions : bool
        Whether a custom activation may call it by name (``x*sigmoid(x)``).
    unsaturated : (float, float), optional
        The outputs an exercise keeps every unit within, off the flat tails where
        the slope is too small to work by hand (within these it is at least 0.0475).
    kinks : tuple of float
        The pre-activations where the slope jumps and is taken by a convention
        (relu's 0 at 0); an exercise keeps every unit off them.
    """

    name: str
    apply: Callable[..., sp.Expr]
    title: str
    note: tuple = ()
    elementwise: bool = True
    latex: str | None = None
    mathml: str | None = None
    array: str | None = None
    complement: Callable[[sp.Expr], sp.Expr] | str | None = None
    log: Callable[[sp.Expr], sp.Expr] | str | None = None
    floats: bool = False
    in_expressions: bool = False
    unsaturated: tuple[float, float] | None = None
    kinks: tuple[float, ...] = ()

    def unit(self, gs: tuple[sp.Expr, ...], i: int) -> sp.Expr:
        """The output of unit i (1-based) of a layer with pre-activations ``gs``."""
        return self.apply(gs[i - 1]) if self.elementwise else self.apply(gs, i)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "sigmoid", sigmoid, "logistic sigmoid",
            latex=r"\sigma", mathml="\u03c3", array="sigmoid", floats=True, in_expressions=True,
            unsaturated=(0.05, 0.95),
            complement=lambda g: sigmoid(-g),  # 1 − σ(g) = σ(−g)
            log=lambda g: -softplus(-g),  # log σ(g) = −log(1 + e^{−g})
        ),
        Activation(
            "tanh", sp.tanh, "hyperbolic tangent", mathml="tanh", floats=True,
            unsaturated=(-0.95, 0.95),
        ),
        Activation(
            "relu",
            relu,
            "rectifier",
            note=("The derivative of relu at ", sp.Eq(sp.Symbol("g", real=True), 0),
                  " is taken as 0, as PyTorch does."),
            latex=r"\operatorname{relu}",
            mathml="relu",
            floats=True,
            unsaturated=(0.01, math.inf),  # off the flat tail g < 0, where δ would be 0
            kinks=(0.0,),
        ),
        Activation(
            "softplus", softplus, "softplus",
            latex=r"\operatorname{softplus}", mathml="softplus", array="softplus", floats=True,
            in_expressions=True,
        ),
        Activation("linear", lambda g: g, "identity", floats=True),
        Activation(
            "softmax",
            lambda gs, i: softmax(i, *gs),
            "softmax",
            note=("Softmax is for the output layer, with the categorical cross entropy loss.",),
            elementwise=False,
            latex=r"\operatorname{softmax}",
            mathml="softmax",
            array="softmax",
            complement="softmax_complement",
            log="log_softmax",
            unsaturated=(0.05, 0.95),
        ),
    ]
}


#: The activation of a network whose spec or command line names none: the seed's.
DEFAULT = "sigmoid"

#: The entries whose output is a SymPy function of their own, by that function.
_BY_FUNCTION = {
    unit.func: a
    for a in ACTIVATIONS.values()
    if isinstance(unit := a.unit((sp.Symbol("g"),), 1), sp.Function)
}


def of_function(function) -> Activation | None:
    """The entry whose output is the SymPy function ``function`` (e.g. ``sigmoid``), if any.

    Examples
    --------
    >>> of_function(sp.tanh).name, of_function(sp.exp)
    ('tanh', None)
    """
    return _BY_FUNCTION.get(function)


def get(name: str) -> Activation:
    """An activation by registry name.

    A custom activation, written as an expression in ``x``, is built by
    :func:`derive.expression.activation`, which parses it.

    Examples
    --------
    >>> get("tanh").title
    'hyperbolic tangent'
    """
    if not isinstance(name, str):
        # ValueError, not TypeError: every bad spec value is reported the same way
        raise ValueError(f"expected an activation name or expression, got {name!r}")  # noqa: TRY004
    entry = ACTIVATIONS.get(name)
    if entry is None:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (known: {known}; or an expression in x)")
    return entry


def derivative(activation: Activation, g: sp.Symbol, output: sp.Symbol) -> sp.Expr:
    """∂s/∂g for ``s = activation(g)``, written with the output symbol where possible.

    Examples
    --------
    >>> import sympy as sp
    >>> g, s = sp.symbols("g s")
    >>> derivative(get("sigmoid"), g, s)
    s*(1 - s)
    >>> derivative(get("tanh"), g, s)
    1 - s**2
    """
    value = activation.apply(g)
    slope = sp.diff(value, g)
    if value == g:  # identity: the slope holds no g to rewrite
        return slope
    return slope.xreplace({value: output})
