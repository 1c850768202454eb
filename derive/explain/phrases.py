"""What the account's sections share: the units shown of a wide layer, −κ, δ Xᵀ, and the rows
of each layer's δ, gradient and update in vector form.
"""

from __future__ import annotations

import sympy as sp

from derive import activations, naming
from derive.activations import Activation
from derive.derivation import Derivation
from derive.explain.blocks import (
    Negative,
    Partial,
    Product,
    Row,
    product,
)

#: Layers wider than this show a representative unit instead of every unit.
MAX_UNITS_SHOWN = 4


def count_of(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def activation_named(activation: Activation) -> str | sp.Expr:
    """An activation as the prose names it: its registry name, or a custom one's maths in g.

    A custom activation is shown as the maths it was read as (g σ(g)), never as the text typed.
    """
    if activation.name in activations.ACTIVATIONS:
        return activation.name
    return activation.apply(sp.Symbol("g", real=True))


def shown_units(n: int) -> tuple[list[int], bool]:
    """The units to show of a layer of n units, and whether some are left out."""
    if n <= MAX_UNITS_SHOWN:
        return list(range(1, n + 1)), False
    return [1, n], True


def minus_kappa(d: Derivation, expr) -> Negative:
    """−κ expr, written −2 δ for κ = 2 and −δ for κ = 1."""
    return Negative(product(d.kappa, expr, joint="thin") if d.kappa != 1 else expr)


def delta_x(d: Derivation) -> Product:
    """δ X^T, the outer product of the update."""
    n = d.names
    return product(n.general("delta"), n.general("X", sup="T"))


def in_input_order(d: Derivation, j: int, i: int) -> sp.Expr:
    """g^{(j)}_i as the seed writes it: w_{i1} X_1 + w_{i2} X_2 + ... + w_{i,n+1}."""
    w = d.names.weight
    terms = [
        w(j, i, k) if x == 1 else sp.Mul(w(j, i, k), x, evaluate=False)
        for k, x in enumerate(d.inputs(j), start=1)
    ]
    # the same sum as d.preactivation(j, i), only in the seed's order (tests/test_account.py)
    return sp.Add(*terms, evaluate=False)


def delta_vector_row(d: Derivation, j: int) -> Row:
    return Row(d.names.vector("delta", j), d.layer_rule(j), naming.label("delta", j))


def layerwise_rows(d: Derivation) -> list:
    """The output layer's softmax: its definition and its Jacobian in terms of f."""
    n, L = d.names, d.depth
    f1 = n.output(L, 1)
    rows = [Row(f1, d.output(L, 1).rewrite(sp.exp))]
    for k in (1, 2):
        rows.append(Row(Partial(f1, n.preactivation(L, k)), d.jacobian(L, 1, k)))
    fi, fk = n.general("f", "i"), n.general("f", "k")
    i, k = n.general("i"), n.general("k")
    jacobian = sp.Mul(fi, sp.Add(sp.KroneckerDelta(i, k), -fk, evaluate=False), evaluate=False)
    rows.append(Row(Partial(fi, n.general("g", "k")), jacobian))
    return rows


def gradient_rows(d: Derivation) -> list:
    n = d.names
    return [
        Row(Partial(n.epsilon, n.vector("W", j)), d.gradient_rule(j), naming.label("gradient", j))
        for j in range(1, d.depth + 1)
    ]


def update_rows(d: Derivation) -> list:
    n = d.names
    return [
        Row(n.vector("W", j), d.update_rule(j), naming.label("update", j), relation="<-")
        for j in range(1, d.depth + 1)
    ]
