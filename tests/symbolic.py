"""Test helpers: the fully expanded ε, which only the tests ever build.

The derivation itself never expands ε in the weights (the layer rule keeps deep
networks cheap); these helpers build the whole composite expression so that
SymPy's direct derivative can be compared with the chain-rule result.
"""

from __future__ import annotations

import random

import sympy as sp

from derive.derivation import Derivation


def expanded_outputs(d: Derivation) -> dict[sp.Symbol, sp.Expr]:
    """Every unit's output as an expression of x and the weights alone."""
    n = d.names
    outputs: dict[sp.Symbol, sp.Expr] = {}
    for j in range(1, d.depth + 1):
        gs = tuple(d.preactivation(j, i).xreplace(outputs) for i in d.units(j))
        for i in d.units(j):
            outputs[n.output(j, i)] = d.activation(j).unit(gs, i)
    return outputs


def expanded_loss(d: Derivation) -> sp.Expr:
    """ε as one expression of x, y and every weight."""
    return d.loss_value.xreplace(expanded_outputs(d))


def all_weights(d: Derivation):
    """(j, i, k, symbol) for every weight of the network."""
    n = d.names
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            for k in range(1, d.sizes[j - 1] + 2):
                yield j, i, k, n.weight(j, i, k)


def random_point(d: Derivation, rng: random.Random, digits: int = 50) -> dict:
    """Random values for x, y and every weight, as Floats of ``digits`` digits."""
    n = d.names
    point = {}
    for k in d.units(0):
        point[n.input(k)] = sp.Float(rng.uniform(-2, 2), digits)
    for i in d.units(d.depth):
        point[n.target(i)] = sp.Float(rng.uniform(0.05, 0.95), digits)
    for *_, w in all_weights(d):
        point[w] = sp.Float(rng.uniform(-1.5, 1.5), digits)
    return point
