r"""Backpropagation derived by the chain rule, in SymPy.

For a layer j with input X^{(j-1)} (the previous outputs and a trailing 1)::

    g^{(j)}_i = Σ_k w^{(j)}_{ik} X^{(j-1)}_k          s^{(j)}_i = σ(g^{(j)}_i)

and the loss ε = Σ_i term(y_i, f_i).  The derivation never expands ε in the
weights.  It works one link of the chain at a time, each link a SymPy
derivative of a small expression:

* ∂ε/∂f_i from the loss, ∂s/∂g from the activation (in terms of s where the
  activation's ``fdiff`` allows), ∂g_k^{(j+1)}/∂s_i = w_{ki} and ∂g_i/∂w_{ik} = X_k;
* δ is defined by ∂ε/∂g^{(j)}_i = −κ δ^{(j)}_i, so the output δ is
  −(1/κ) ∂ε/∂f · ∂f/∂g and each hidden δ is ∂s/∂g times Σ_k δ_k w_{ki};
* ∂ε/∂w^{(j)}_{ik} = −κ δ^{(j)}_i X^{(j-1)}_k, and the seed's update is
  w ← w + c δ X, gradient descent with learning rate η = c/κ.

Per-unit quantities are built on demand and cached, so a wide network costs
only what is asked of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

import sympy as sp

from derive import activations, expression, losses
from derive.layerwise import Elementwise, elementwise, hadamard
from derive.naming import Naming
from derive.network import Network

#: Jupyter's views of a derivation by format ("latex", "html"): functions of a
#: Derivation that return the text.  The explanation package registers them
#: (:mod:`derive.explain.notebook`), so that the mathematics never imports
#: its writers.
VIEWS: dict[str, Callable[[Derivation], str]] = {}


class Derivation:
    """The chain-rule derivation of one network's backprop.

    Parameters
    ----------
    network : Network

    Examples
    --------
    >>> from derive.network import seed
    >>> d = Derivation(seed())
    >>> d
    Derivation(xnor 2-2-1: sigmoid → sigmoid, squared_error)
    >>> d.delta(2, 1)
    f*(1 - f)*(-f + y)
    >>> d.delta(1, 1)
    delta2_1*s1_1*w2_1_1*(1 - s1_1)
    >>> d.gradient(1, 1, 3)
    -2*delta1_1
    """

    def __init__(self, network: Network):
        self.network = network
        self.sizes = network.sizes
        self.depth = network.depth
        self.names = Naming(network.sizes)
        self.loss = losses.get(network.loss)
        self.kappa = sp.Integer(self.loss.kappa)
        # The method-level caches live on the instance, so one network's
        # derivation never keeps another's alive.
        for method in ("inputs", "preactivation", "activation_slope", "delta_factors", "delta"):
            setattr(self, method, cache(getattr(self, method)))

    def __repr__(self) -> str:
        """E.g. ``Derivation(xnor 2-2-1: sigmoid → sigmoid, squared_error)``."""
        return f"Derivation({self.network.summary})"

    # -- the forward pass -------------------------------------------------
    def activation(self, j: int) -> activations.Activation:
        """The activation of layer j (1-based)."""
        return expression.activation(self.network.activations[j - 1])

    def units(self, j: int) -> range:
        """Unit indices 1..n_j of layer j."""
        return range(1, self.sizes[j] + 1)

    def inputs(self, j: int) -> tuple[sp.Expr, ...]:
        """X^{(j-1)}: the outputs of layer j − 1 and the bias input 1."""
        return tuple(self.names.output(j - 1, k) for k in self.units(j - 1)) + (sp.S.One,)

    def preactivation(self, j: int, i: int) -> sp.Expr:
        """g^{(j)}_i = Σ_k w^{(j)}_{ik} X^{(j-1)}_k."""
        w = self.names.weight
        return sp.Add(*(w(j, i, k) * x for k, x in enumerate(self.inputs(j), start=1)))

    def output(self, j: int, i: int) -> sp.Expr:
        """s^{(j)}_i = σ(g^{(j)}_i), with g as its symbol (all the layer's g for softmax)."""
        gs = tuple(self.names.preactivation(j, k) for k in self.units(j))
        return self.activation(j).unit(gs, i)

    @cached_property
    def loss_value(self) -> sp.Expr:
        """ε = Σ_i term(y_i, f_i), in the output and target symbols."""
        n = self.names
        L = self.depth
        return sp.Add(*(self.loss.term(n.target(i), n.output(L, i)) for i in self.units(L)))

    # -- the links of the chain -------------------------------------------
    def loss_slope(self, i: int) -> sp.Expr:
        """∂ε/∂f_i."""
        return sp.diff(self.loss_value, self.names.output(self.depth, i))

    def loss_factor(self, i: int) -> sp.Expr:
        """−(1/κ) ∂ε/∂f_i: the loss's share of the output δ (y − f for squared error)."""
        return -self.loss_slope(i) / self.kappa

    def activation_slope(self, j: int, i: int) -> sp.Expr:
        """∂s^{(j)}_i/∂g^{(j)}_i, in terms of s^{(j)}_i where the activation allows."""
        n = self.names
        activation = self.activation(j)
        if not activation.elementwise:
            return self.jacobian(j, i, i)
        return activations.derivative(activation, n.preactivation(j, i), n.output(j, i))

    def jacobian(self, j: int, i: int, k: int) -> sp.Expr:
        """∂s^{(j)}_i/∂g^{(j)}_k, in terms of the layer's outputs: the softmax Jacobian."""
        n = self.names
        outputs = {self.output(j, m): n.output(j, m) for m in self.units(j)}
        return sp.diff(self.output(j, i), n.preactivation(j, k)).xreplace(outputs)

    def backprop_sum(self, j: int, i: int) -> sp.Expr:
        """Σ_k δ^{(j+1)}_k ∂g^{(j+1)}_k/∂s^{(j)}_i = Σ_k δ^{(j+1)}_k w^{(j+1)}_{ki}, one term per unit."""
        n = self.names
        s = n.output(j, i)
        # g_k is a sum of w_km X_m with s_i in its m = i term alone, so that term's
        # derivative is the whole ∂g_k/∂s_i (and a wide layer costs no full sums).
        return sp.Add(
            *(n.delta(j + 1, k) * sp.diff(n.weight(j + 1, k, i) * s, s) for k in self.units(j + 1))
        )

    def weight_slope(self, j: int, i: int, k: int) -> sp.Expr:
        """∂g^{(j)}_i/∂w^{(j)}_{ik} = X^{(j-1)}_k."""
        return sp.diff(self.preactivation(j, i), self.names.weight(j, i, k))

    # -- δ, gradient, update ----------------------------------------------
    def delta_factors(self, j: int, i: int) -> tuple[sp.Expr, sp.Expr]:
        """The two factors whose product is δ^{(j)}_i, in the order people write them.

        Output layer: (−(1/κ) ∂ε/∂f, ∂f/∂g), e.g. ((y − f), f(1 − f)).
        Hidden layer: (∂s/∂g, Σ_k δ_k w_{ki}), e.g. (s(1 − s), δ w).
        """
        if j == self.depth:
            if not self.activation(j).elementwise:
                raise ValueError(f"{self.activation(j).name}'s δ is a sum over the layer")
            return self.loss_factor(i), self.activation_slope(j, i)
        # -κ δ_i = Σ_k (-κ δ_k) w_ki · s'(g_i): the κ cancels term by term.
        return self.activation_slope(j, i), self.backprop_sum(j, i)

    def delta(self, j: int, i: int) -> sp.Expr:
        """δ^{(j)}_i, defined by ∂ε/∂g^{(j)}_i = −κ δ^{(j)}_i.

        Where the product of the output factors cancels (binary cross entropy
        after a sigmoid: f(1 − f) cancels, leaving y − f), the shorter form is
        returned; :meth:`delta_cancels` says whether it did.
        """
        if j == self.depth and not self.activation(j).elementwise:
            return self.layer_delta(i)
        product = sp.Mul(*self.delta_factors(j, i))
        if j == self.depth:
            cancelled = sp.cancel(product)
            if sp.count_ops(cancelled) < sp.count_ops(product):
                return cancelled
        return product

    def layer_delta_terms(self, k: int) -> tuple[sp.Expr, ...]:
        """The output δ_k of a layer-wide activation before simplifying:
        the terms −(1/κ) ∂ε/∂f_i ∂f_i/∂g_k, one per output unit i."""
        L = self.depth
        return tuple(
            -self.loss_slope(i) / self.kappa * self.jacobian(L, i, k) for i in self.units(L)
        )

    def layer_delta(self, k: int) -> sp.Expr:
        """The output δ_k of a layer-wide activation, simplified.

        For softmax with cross entropy the sum collapses to y_k − f_k Σ_i y_i,
        and to y_k − f_k for targets that sum to 1 (``loss.one_hot``).
        """
        L = self.depth
        f = self.names.output(L, k)
        delta = sp.collect(sp.expand(sp.Add(*self.layer_delta_terms(k))), f)
        if self.loss.one_hot:
            targets = sp.Add(*(self.names.target(i) for i in self.units(L)))
            delta = delta.subs(targets, 1)
        return delta

    def delta_cancels(self, i: int = 1) -> bool:
        """Whether the output δ of unit i is shorter than its two factors' product."""
        if not self.activation(self.depth).elementwise:
            return True
        return self.delta(self.depth, i) != sp.Mul(*self.delta_factors(self.depth, i))

    def gradient(self, j: int, i: int, k: int) -> sp.Expr:
        """∂ε/∂w^{(j)}_{ik} = ∂ε/∂g^{(j)}_i · ∂g^{(j)}_i/∂w^{(j)}_{ik} = −κ δ^{(j)}_i X_k."""
        return -self.kappa * self.names.delta(j, i) * self.weight_slope(j, i, k)

    def update(self, j: int, i: int, k: int) -> sp.Expr:
        """The seed's rule w ← w − (c/κ) ∂ε/∂w = w + c δ X."""
        w = self.names.weight(j, i, k)
        return w - self.names.rate / self.kappa * self.gradient(j, i, k)

    # -- vector form --------------------------------------------------------
    def preactivation_rule(self, j: int) -> sp.MatrixExpr:
        """g^{(j)} = W^{(j)} X^{(j-1)}."""
        return self.names.vector("W", j) * self.names.vector("X", j - 1)

    def output_rule(self, j: int) -> sp.MatrixExpr | None:
        """s^{(j)} = σ(g^{(j)}) elementwise; None for a layer-wide activation (softmax)."""
        activation = self.activation(j)
        if not activation.elementwise:
            return None
        d = sp.Dummy("d", real=True)
        return Elementwise(sp.Lambda(d, activation.apply(d)), self.names.vector("g", j))

    def layer_rule(self, j: int) -> sp.MatrixExpr:
        r"""δ^{(j)} as a vector: elementwise over the layer, for any depth.

        Output: the output factors elementwise, e.g. (y − f) ⊙ f ⊙ (1 − f).
        Hidden: s'(s^{(j)}) ⊙ (W̄^{(j+1)})ᵀ δ^{(j+1)}, W̄ without the bias column.
        """
        n = self.names
        g, s = sp.Symbol("g", real=True), sp.Symbol("s", real=True)
        vectors = {g: n.vector("g", j), s: n.vector("s", j)}
        if not self.activation(j).elementwise:
            # the simplified output δ of unit 1, read as a statement about every unit
            y = sp.Symbol("y", real=True)
            unit = {n.output(j, 1): s, n.target(1): y, n.preactivation(j, 1): g}
            vectors[y] = n.vector("y", j)
            return elementwise(self.delta(j, 1).xreplace(unit), vectors)
        slope = activations.derivative(self.activation(j), g, s)
        if j == self.depth:
            y = sp.Symbol("y", real=True)
            vectors[y] = n.vector("y", j)
            factor = -sp.diff(self.loss.term(y, s), s) / self.kappa
            product = factor * slope
            cancelled = sp.cancel(product)
            if sp.count_ops(cancelled) < sp.count_ops(product):
                return elementwise(cancelled, vectors)
            return hadamard(elementwise(factor, vectors), elementwise(slope, vectors))
        back = n.vector("Wbar", j + 1).T * n.vector("delta", j + 1)
        return hadamard(elementwise(slope, vectors), back)

    def gradient_rule(self, j: int) -> sp.MatrixExpr:
        """∂ε/∂W^{(j)} = −κ δ^{(j)} (X^{(j-1)})ᵀ."""
        n = self.names
        return -self.kappa * n.vector("delta", j) * n.vector("X", j - 1).T

    def update_rule(self, j: int) -> sp.MatrixExpr:
        """W^{(j)} + c δ^{(j)} (X^{(j-1)})ᵀ."""
        n = self.names
        return sp.MatAdd(n.vector("W", j), n.rate * n.vector("delta", j) * n.vector("X", j - 1).T)

    # -- numbers ----------------------------------------------------------
    def step(self, x, y, weights, c: float = 1.0, precision: int = 15) -> Step:
        """One worked backprop step with numbers, from the derived expressions.

        Parameters
        ----------
        x, y : sequence of float
            One input row and its target.
        weights : nested sequence
            Per layer, per unit, the weights with the bias last.
        c : float
            The update constant.
        precision : int
            Significant digits of the arithmetic (SymPy Floats).
        """
        n = self.names
        F = lambda v: sp.Float(v, precision)

        def number(quantity, expr: sp.Expr, updated: bool = False) -> sp.Expr:
            # e.g. log 2 or sqrt(5): exact with numbers in, so evaluate
            value = expr.xreplace(values).evalf(precision)
            if not (value.is_Number and value.is_finite):
                raise UndefinedStep(quantity, value, updated)
            return value

        values: dict[sp.Basic, sp.Expr] = {n.rate: F(c)}
        for k, v in enumerate(x, start=1):
            values[n.input(k)] = F(v)
        for i, v in enumerate(y, start=1):
            values[n.target(i)] = F(v)
        for j in range(1, self.depth + 1):
            for i, row in enumerate(weights[j - 1], start=1):
                for k, v in enumerate(row, start=1):
                    values[n.weight(j, i, k)] = F(v)
        for j in range(1, self.depth + 1):
            for i in self.units(j):
                values[n.preactivation(j, i)] = number(n.preactivation(j, i), self.preactivation(j, i))
            for i in self.units(j):
                values[n.output(j, i)] = number(n.output(j, i), self.output(j, i))
        for j in range(self.depth, 0, -1):
            for i in self.units(j):
                values[n.delta(j, i)] = number(n.delta(j, i), self.delta(j, i))
        updated = tuple(
            tuple(
                tuple(number(n.weight(j, i, k), self.update(j, i, k), updated=True) for k in range(1, len(row) + 1))
                for i, row in enumerate(weights[j - 1], start=1)
            )
            for j in range(1, self.depth + 1)
        )
        loss = number("the loss", self.loss_value)
        return Step(values=values, loss=loss, updated=updated)

    # -- notebooks ----------------------------------------------------------
    def _repr_latex_(self) -> str | None:
        """Jupyter's LaTeX view, as registered in :data:`VIEWS` (None when none is)."""
        view = VIEWS.get("latex")
        return None if view is None else view(self)

    def _repr_html_(self) -> str | None:
        """Jupyter's HTML view, as registered in :data:`VIEWS` (None when none is)."""
        view = VIEWS.get("html")
        return None if view is None else view(self)


class UndefinedStep(ValueError):
    """A worked step that leaves the finite numbers: ``quantity`` (a symbol, or words) is
    ``value``; ``updated``: the quantity is a weight, and its new value the one undefined."""

    def __init__(self, quantity, value: sp.Expr, updated: bool = False):
        self.quantity, self.value, self.updated = quantity, value, updated
        # δ⁽¹⁾₁ as the pages write it, where str gives the code's delta1_1
        name = ("the updated " if updated else "") + sp.pretty(quantity, use_unicode=True)
        super().__init__(
            f"the worked example has no finite value: {name} {self.what}, as an activation,"
            " its slope or the loss is undefined at these weights and inputs"
        )

    @property
    def what(self) -> str:
        """The value in words, where SymPy's ∞̃ (1/0) or nan mean little to a reader."""
        if self.value.is_infinite:
            return "is infinite"
        return "is not a number" if self.value is sp.nan else "is not real"


@dataclass(frozen=True)
class Step:
    """The numbers of one worked step: every symbol's value, ε and the new weights."""

    values: dict
    loss: sp.Expr
    updated: tuple
