"""The loss registry: one entry per loss.

Contract of an entry
--------------------
``term(y, f)`` is one output's contribution to ε, so that ε = Σ_i term(y_i, f_i).
``kappa`` fixes the δ convention: ∂ε/∂g_out = −κ·δ_out.  With κ = 2 for the
squared error the output δ is the seed's (y − f)·f·(1 − f), and the seed's rule
W ← W + c·δ·X is gradient descent with learning rate η = c/κ for every loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Loss:
    """One registry entry.

    Parameters
    ----------
    name : str
        The name used in spec files and on the command line.
    term : callable
        ``(y, f) -> expression``: one output's share of ε.
    kappa : int
        The δ convention's factor, ∂ε/∂g_out = −κ·δ_out.
    title : str
        A few words for explanations.
    output : str, optional
        The output activation this loss requires (sigmoid for binary cross
        entropy, whose log needs f in (0, 1); softmax for categorical cross
        entropy), or None for any elementwise one.
    one_hot : bool
        Whether the targets of a sample sum to 1 (a class distribution); the
        derivation uses it to simplify the output δ.
    """

    name: str
    term: Callable[[sp.Expr, sp.Expr], sp.Expr]
    kappa: int
    title: str
    output: str | None = None
    one_hot: bool = False


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("squared_error", lambda y, f: (y - f) ** 2, 2, "squared error"),
        Loss(
            "half_squared_error",
            lambda y, f: sp.Rational(1, 2) * (y - f) ** 2,
            1,
            "half squared error",
        ),
        Loss(
            "binary_cross_entropy",
            lambda y, f: -(y * sp.log(f) + (1 - y) * sp.log(1 - f)),
            1,
            "binary cross entropy",
            output="sigmoid",
        ),
        Loss(
            "softmax_cross_entropy",
            lambda y, f: -y * sp.log(f),
            1,
            "categorical cross entropy",
            output="softmax",
            one_hot=True,
        ),
    ]
}


def get(name: str) -> Loss:
    """Look a loss up by name; a clear ``ValueError`` if it is unknown."""
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(LOSSES))
        raise ValueError(f"unknown loss {name!r} (known: {known})") from None
