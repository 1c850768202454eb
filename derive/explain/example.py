"""The worked example in prose: one step with the spec's numbers, and the forward table."""

from __future__ import annotations

import sympy as sp

from derive.derivation import Derivation
from derive.explain.blocks import (
    Break,
    Listed,
    Numbers,
    Partial,
    Ratio,
    Row,
    Section,
    Table,
    Terms,
    assign,
    equal,
    equations,
    paragraph,
    product,
)
from derive.explain.notation import with_numbers
from derive.explain.phrases import (
    MAX_UNITS_SHOWN,
    delta_x,
    minus_kappa,
    shown_units,
)


def example_section(d: Derivation, digits: int) -> list:
    net, n = d.network, d.names
    example = net.example
    eps, general = n.epsilon, n.general
    blocks = [Break(), Section("A worked example")]
    if net.data:
        blocks += _forward_table(d)
    step = d.step(example.x, example.y, net.weights, example.c)
    v = step.values
    xs = Listed(tuple(v[n.input(k)] for k in d.units(0)))
    ys = Listed(tuple(v[n.target(i)] for i in d.units(d.depth)))
    c = v[n.rate]
    blocks.append(
        paragraph(
            "One step for the input ",
            equal(general("x"), Numbers(xs)),
            " with target ",
            equal(general("y"), Numbers(ys)),
            " and ",
            equal(n.rate, Numbers(c)),
            f", every number computed at full precision and shown to {digits} decimals."
            " Each ",
            general("delta"),
            " is its formula with the numbers substituted:",
        )
    )
    rows = []
    for j in range(d.depth, 0, -1):
        for i in shown_units(d.sizes[j])[0]:
            # an output δ whose factors cancel (y - f after a sigmoid with cross
            # entropy) is worked in its short form, which has no 1/(1 - f) to blow up
            short = j == d.depth and d.delta_cancels(i)
            formula = d.delta(j, i) if short else sp.Mul(*d.delta_factors(j, i), evaluate=False)
            shown = with_numbers(formula, v)
            rows.append(Row(n.delta(j, i), equal(Numbers(shown), Numbers(v[n.delta(j, i)]))))
    blocks.append(equations(rows))
    if example.note:
        blocks += [paragraph(example.note), Break()]

    true_gradient = equal(Partial(eps, general("W"), inline=True), minus_kappa(d, delta_x(d)))
    if d.kappa != 1:
        lead = f"The true gradient has the factor {d.kappa} of "
    else:
        lead = "The true gradient, "
    blocks.append(paragraph(lead, true_gradient, ":"))
    units = unit_order(d)
    gradients = [
        [d.gradient(j, i, k).xreplace(v) for k in range(1, d.sizes[j - 1] + 2)] for j, i in units
    ]
    lefts = [Partial(eps, n.weight_row(j, i)) for j, i in units]
    blocks.append(equations(_step_rows(d, v, [-d.kappa], lefts, gradients)))
    rule = assign(general("W"), Terms((general("W"), product(n.rate, delta_x(d), joint="thin"))))
    eta = (n.learning_rate, Ratio(n.rate, d.kappa) if d.kappa != 1 else n.rate, Numbers(c / d.kappa))
    blocks.append(
        paragraph(
            "The seed's update ",
            rule,
            " steps against it with ",
            equal(n.rate, Numbers(c)),
            ", that is gradient descent with learning rate ",
            equal(*eta),
            "; one row per unit:",
        )
    )
    factors = [c] if example.c != 1 else []
    lefts = [n.weight_row(j, i) for j, i in units]
    updated = [step.updated[j - 1][i - 1] for j, i in units]
    old = [Listed(tuple(sp.Float(o) for o in net.weights[j - 1][i - 1])) for j, i in units]
    blocks.append(equations(_step_rows(d, v, factors, lefts, updated, old)))
    return blocks


def _step_rows(d: Derivation, v: dict, factors, lefts, results, old=None) -> list[Row]:
    """Rows ``left = [old +] factors · δ · X = result``, one per unit of :func:`unit_order`."""
    n = d.names
    rows = []
    for u, (j, i) in enumerate(unit_order(d)):
        inputs = Listed(tuple(v.get(x, x) for x in d.inputs(j)))
        step = product(*factors, v[n.delta(j, i)], inputs, joint="cdot")
        if old is not None:
            step = Terms((old[u], step))
        rows.append(Row(lefts[u], equal(Numbers(step), Numbers(Listed(tuple(results[u]))))))
    return rows


def unit_order(d: Derivation) -> list[tuple[int, int]]:
    """(j, i) of the units the example shows, output layer first."""
    return [(j, i) for j in range(d.depth, 0, -1) for i in shown_units(d.sizes[j])[0]]


def forward_columns(d: Derivation) -> list:
    """The symbols the forward table shows: inputs, each shown layer's g and s, targets."""
    n = d.names
    columns = [n.input(k) for k in d.units(0)]
    for j in range(1, d.depth + 1):
        if d.sizes[j] <= MAX_UNITS_SHOWN or j == d.depth:
            for i in d.units(j):
                columns += [n.preactivation(j, i), n.output(j, i)]
    return columns + [n.target(i) for i in d.units(d.depth)]


def _forward_table(d: Derivation) -> list:
    net = d.network
    columns = forward_columns(d)
    rows = []
    for x, y in net.data:
        values = d.step(x, y, net.weights).values
        rows.append(tuple(values[c] for c in columns))
    return [Table(tuple(columns), tuple(rows), "The forward pass over the data set, one row per sample.")]


def column_groups(d: Derivation, columns) -> list[list[int]]:
    """The forward table's columns that belong together: inputs, each layer, outputs and targets."""
    n, layer_of = d.names, {}
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            layer_of[n.preactivation(j, i)] = layer_of[n.output(j, i)] = j
    for i in d.units(d.depth):
        layer_of[n.target(i)] = d.depth
    groups: dict[int, list[int]] = {}
    for c, column in enumerate(columns):
        groups.setdefault(layer_of.get(column, 0), []).append(c)
    return list(groups.values())
