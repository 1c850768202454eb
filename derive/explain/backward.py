"""The backward pass in prose: the output layer's δ, each hidden layer's, and the update."""

from __future__ import annotations

import sympy as sp

from derive.derivation import Derivation
from derive.explain.blocks import (
    Break,
    Dots,
    Negative,
    Partial,
    Row,
    Section,
    SumOver,
    Terms,
    assign,
    equal,
    equations,
    paragraph,
    product,
)
from derive.explain.phrases import (
    delta_vector_row,
    delta_x,
    gradient_rows,
    minus_kappa,
    shown_units,
    update_rows,
)
from derive.parts import layer


def output_section(d: Derivation) -> list:
    n, L = d.names, d.depth
    eps, delta = n.epsilon, n.general("delta")
    elementwise = d.activation(L).elementwise
    blocks = [
        Break(),
        Section(f"The output layer (layer {L})"),
        paragraph(
            "The chain rule takes ",
            Partial(eps, n.general("w", ("i", "k"), layer(L)), inline=True),
            # A layer-wide output: every output is on the way, as the next paragraph says.
            " through the output, its pre-activation and the weight:"
            if elementwise
            else " through the outputs, the pre-activation and the weight.",
        ),
    ]
    if not elementwise:
        return blocks + _layerwise_output_section(d)
    i, k = 1, 1
    f, g, wt = n.output(L, i), n.preactivation(L, i), n.weight(L, i, k)
    factor = d.loss_factor(i)
    shown_loss = sp.Mul(-d.kappa, factor, evaluate=False) if d.kappa != 1 else -factor
    blocks.append(
        equations(
            [
                Row(Partial(eps, wt), product(Partial(eps, f), Partial(f, g), Partial(g, wt), joint="thin")),
                Row(Partial(eps, f), shown_loss),
                Row(Partial(f, g), d.activation_slope(L, i)),
                Row(Partial(g, wt), d.weight_slope(L, i, k)),
            ]
        )
    )
    units, cut = shown_units(d.sizes[L])
    blocks.append(
        paragraph(
            "The unit's ",
            delta,
            " is defined by ",
            equal(Partial(eps, g, inline=True), minus_kappa(d, n.delta(L, i))),
            " (",
            equal(n.general("kappa"), d.kappa),
            " for this loss), so that",
        )
    )
    rows = []
    for i in units:
        if cut and i == units[-1]:
            rows.append(Row(Dots()))
        factors = sp.Mul(*d.delta_factors(L, i), evaluate=False)
        right = factors
        if d.delta(L, i) != sp.Mul(*d.delta_factors(L, i)):
            right = equal(factors, d.delta(L, i))
        rows.append(Row(n.delta(L, i), right))
    blocks.append(equations(rows))
    chain = sp.Mul(-d.kappa, *d.delta_factors(L, 1), d.weight_slope(L, 1, k), evaluate=False)
    blocks.append(
        paragraph(
            "and every output weight's derivative is ",
            Negative(n.general("kappa")),
            " times its unit's ",
            delta,
            " times its input:",
        )
    )
    blocks.append(equations([Row(Partial(eps, wt), equal(chain, d.gradient(L, 1, k)))]))
    if d.delta_cancels():
        blocks.append(
            paragraph(
                "The activation's slope cancels against the loss's: the output ",
                delta,
                " is just ",
                d.delta(L, 1),
                ".",
            )
        )
    blocks.append(paragraph("In vector form, for the whole layer:"))
    blocks.append(equations([delta_vector_row(d, L)]))
    return blocks


def _layerwise_output_section(d: Derivation) -> list:
    """The output layer of a softmax: every output depends on every pre-activation."""
    n, L = d.names, d.depth
    eps, delta = n.epsilon, n.general("delta")
    k = 1
    gk = n.preactivation(L, k)
    fi = n.general("f", "i")
    blocks = [
        paragraph(
            "Each output ",
            fi,
            " depends on every pre-activation of the layer, so the chain rule sums over the"
            " outputs: ",
            equal(
                Partial(eps, gk, inline=True),
                SumOver(
                    "i",
                    product(Partial(eps, fi, inline=True), Partial(fi, gk, inline=True), joint="cdot"),
                ),
            ),
            ", with",
        ),
        equations(
            [Row(Partial(eps, n.output(L, i)), d.loss_slope(i)) for i in shown_units(d.sizes[L])[0]]
        ),
        paragraph(
            f"and the {d.activation(L).name} Jacobian above. The unit's ",
            delta,
            " is defined by ",
            equal(Partial(eps, gk, inline=True), minus_kappa(d, n.delta(L, k))),
            " (",
            equal(n.general("kappa"), d.kappa),
            " for this loss), one term per output:",
        ),
    ]
    terms = sp.Add(*d.layer_delta_terms(k), evaluate=False)
    f = n.output(L, k)
    collected = sp.collect(sp.expand(sp.Add(*d.layer_delta_terms(k))), f)
    share = collected.coeff(f)  # written y_k - f_k (y_1 + ... + y_n), as people do
    shown = sp.Add(collected - share * f, sp.Mul(-1, f, -share, evaluate=False), evaluate=False)
    blocks.append(equations([Row(n.delta(L, k), equal(terms, shown))]))
    units, cut = shown_units(d.sizes[L])
    if d.loss.one_hot:
        targets = [n.target(i) for i in units] + ([Dots(vertical=False)] if cut else [])
        blocks.append(
            paragraph(
                "The targets of a sample are a class distribution, ",
                equal(Terms(tuple(targets)), sp.S.One),
                " (one-hot for a labelled class), so the Jacobian's terms collapse:",
            )
        )
    blocks.append(equations([Row(n.delta(L, i), d.delta(L, i)) for i in units]))
    blocks.append(paragraph("In vector form, for the whole layer:"))
    blocks.append(equations([delta_vector_row(d, L)]))
    return blocks


def hidden_section(d: Derivation, j: int) -> list:
    n = d.names
    eps, general = n.epsilon, n.general
    s, g = n.output(j, 1), n.preactivation(j, 1)
    above = layer(j + 1)
    g_above, w_above = general("g", "k", above), general("w", ("k", "i"), above)
    blocks = [
        Break(),
        Section(f"Hidden layer {j}"),
        paragraph(
            "Unit ",
            general("i"),
            f" of layer {j} feeds every unit ",
            general("k"),
            f" of layer {j + 1}, so the chain rule sums over them, with ",
            equal(Partial(eps, g_above, inline=True), minus_kappa(d, general("delta", "k", above))),
            " from the layer above and ",
            equal(Partial(g_above, general("s", "i"), inline=True), w_above),
            ":",
        ),
        equations(
            [
                Row(
                    Partial(eps, g),
                    SumOver("k", product(Partial(eps, g_above), Partial(g_above, s), Partial(s, g), joint="thin")),
                ),
                Row(Partial(s, g), d.activation_slope(j, 1)),
            ]
        ),
        paragraph(
            *(("Dividing by ", Negative(d.kappa), " gives") if d.kappa != 1 else ("Changing the sign gives",)),
            " each unit's ",
            general("delta"),
            f", one term per unit of layer {j + 1}:",
        ),
    ]
    units, cut = shown_units(d.sizes[j])
    rows = []
    for i in units:
        if cut and i == units[-1]:
            rows.append(Row(Dots()))
        rows.append(Row(n.delta(j, i), sp.Mul(*d.delta_factors(j, i), evaluate=False)))
    blocks.append(equations(rows))
    blocks.append(
        paragraph(
            "In vector form, with ",
            general("W", accent="bar"),
            " the weights without their bias column:",
        )
    )
    blocks.append(equations([delta_vector_row(d, j)]))
    return blocks


def update_section(d: Derivation) -> list:
    n = d.names
    eps, general = n.epsilon, n.general
    eta, c, W = n.learning_rate, n.rate, general("W")
    layer_i = general("delta", "i", layer("j"))
    input_k = general("X", "k", layer("j", -1))
    w_ik, g_i = general("w", ("i", "k"), layer("j")), general("g", "i", layer("j"))
    blocks = [
        Break(),
        Section("Gradient and update"),
        paragraph(
            "Every weight's derivative is ",
            equal(
                Partial(eps, w_ik, inline=True),
                product(Partial(eps, g_i, inline=True), input_k, joint="cdot"),
                minus_kappa(d, sp.Mul(layer_i, input_k, evaluate=False)),
            ),
            "; for whole layers:",
        ),
        equations(gradient_rows(d)),
    ]
    step = product(eta, Partial(eps, W, inline=True), joint="thin")
    scaled = product(d.kappa, eta, joint="none") if d.kappa != 1 else eta
    descent = assign(W, Terms((W, Negative(step))), Terms((W, product(scaled, delta_x(d), joint="thin"))))
    parts = ["Gradient descent with learning rate ", eta, " moves each weight against its gradient, ",
             descent, "."]
    if d.kappa != 1:
        parts += [
            f" The seed's rule takes the factor {d.kappa} into its positive constant: with ",
            equal(c, scaled),
        ]
    else:
        parts += [" The seed's rule is exactly this, with ", equal(c, eta), ":"]
    blocks.append(paragraph(*parts))
    blocks.append(equations(update_rows(d)))
    if d.kappa != 1:
        blocks.append(
            paragraph(
                "Note the ",
                d.kappa,
                ": the true gradient is ",
                minus_kappa(d, delta_x(d)),
                ", so ",
                Negative(Partial(eps, W, inline=True)),
                " equals ",
                delta_x(d),
                " only up to that factor, and the seed's ",
                c,
                " is ",
                d.kappa,
                " times the learning rate ",
                eta,
                " of plain gradient descent.",
            )
        )
    return blocks
