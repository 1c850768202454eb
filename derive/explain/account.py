r"""The explanation's prose: what a student reads, from the network to the worked example.

:func:`account` lays out the explanation once, as the blocks of
:mod:`derive.explain.blocks`: sections, paragraphs, equation rows and the
forward table.  The LaTeX writer (:mod:`derive.explain.latex`), the HTML
writer (:mod:`derive.explain.html`, with MathML) and the Markdown writer
(:mod:`derive.explain.markdown`) each print the same blocks in their own way.

Examples
--------
>>> from derive import Derivation, seed
>>> blocks = account(Derivation(seed()))
>>> [b.title for b in blocks if isinstance(b, Section)][:3]
['The network', 'The forward pass', 'The loss']
"""

from __future__ import annotations

import sympy as sp

from derive import activations, expression, naming
from derive.derivation import Derivation, Elementwise
from derive.explain.blocks import (
    Break,
    Dots,
    Equations,
    Listed,
    Negative,
    Numbers,
    Operator,
    Paragraph,
    Partial,
    Product,
    Ratio,
    Row,
    Section,
    SumOver,
    Table,
    Terms,
    Where,
    assign,
    equal,
    product,
)

#: Layers wider than this show a representative unit instead of every unit.
MAX_UNITS_SHOWN = 4
#: Networks with more weights than this leave out the worked example's numbers.
MAX_EXAMPLE_WEIGHTS = 2000


def _paragraph(*parts) -> Paragraph:
    return Paragraph(tuple(parts))


def _equations(rows) -> Equations:
    return Equations(tuple(rows))


# ---------------------------------------------------------------------------
# The account


def account(derivation: Derivation, digits: int = 3) -> list:
    """The whole explanation as blocks, in reading order.

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the numbers in the worked example (the seed shows 3).
    """
    d = derivation
    blocks = _network_section(d)
    blocks += _forward_section(d)
    blocks += _loss_section(d)
    blocks += _output_section(d)
    for j in range(d.depth - 1, 0, -1):
        blocks += _hidden_section(d, j)
    blocks += _update_section(d)
    net = d.network
    if net.example is not None and _weight_count(d) <= MAX_EXAMPLE_WEIGHTS:
        return _fit(d, digits, blocks + _example_section(d, digits))
    if net.example is not None:
        why = (
            f"The spec has one, but a network of more than {MAX_EXAMPLE_WEIGHTS} weights is too"
            " large to work by hand; the generated module computes it."
        )
    elif net.weights is None:
        why = (
            "There are no numbers to work with: the network has no weights. A spec file with"
            " weights and an [example] table (x, y and c, like the seed's xnor.toml) adds"
            " one step worked with numbers."
        )
    else:
        why = (
            "The spec has weights but no [example] table (x, y and c, like the seed's"
            " xnor.toml) to work one step with."
        )
    return _fit(d, digits, blocks + [Break(), Section("A worked example", why)])


def _weight_count(d: Derivation) -> int:
    return sum(rows * cols for rows, cols in d.network.weight_shapes)


def summary(derivation: Derivation) -> Equations:
    """The key equations: each layer's δ in vector form, the gradients and the updates."""
    d = derivation
    layers = range(1, d.depth + 1)
    return _equations(
        [_delta_vector_row(d, j) for j in reversed(layers)]
        + _gradient_rows(d)
        + _update_rows(d)
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def shown_units(n: int) -> tuple[list[int], bool]:
    """The units to show of a layer of n units, and whether some are left out."""
    if n <= MAX_UNITS_SHOWN:
        return list(range(1, n + 1)), False
    return [1, n], True


def _minus_kappa(d: Derivation, expr) -> Negative:
    """−κ expr, written −2 δ for κ = 2 and −δ for κ = 1."""
    return Negative(product(d.kappa, expr, joint="thin") if d.kappa != 1 else expr)


def _delta_x(d: Derivation) -> Product:
    """δ X^T, the outer product of the update."""
    n = d.names
    return product(n.general("delta"), n.general("X", sup="T"))


def _network_section(d: Derivation) -> list:
    net, n = d.network, d.names
    sizes = Listed(tuple(sp.Integer(s) for s in net.sizes), parens=False)
    blocks = [
        Section("The network"),
        _paragraph(
            "A fully connected network with layer sizes ",
            sizes,
            f": {_count(net.sizes[0], 'input')}, {_count(d.depth, 'layer')} of weights, "
            f"{_count(net.sizes[-1], 'output')}.",
        ),
    ]
    if net.title:
        blocks.append(_paragraph(net.title + "."))
    blocks.append(Break())
    for j in range(1, d.depth + 1):
        kind = "output" if j == d.depth else "hidden"
        blocks.append(
            _paragraph(
                f"Layer {j} ({kind}, {_count(net.sizes[j], 'unit')}) applies the "
                f"{d.activation(j).title} "
                + ("to each unit." if d.activation(j).elementwise else "across its units.")
            )
        )
    g, s = sp.Symbol("g", real=True), sp.Symbol("s", real=True)
    rows = []
    for name in dict.fromkeys(net.activations):
        act = expression.activation(name)
        if not act.elementwise:
            rows += _layerwise_rows(d)
            continue
        value = act.apply(g)
        definition = value.rewrite(sp.exp).rewrite(sp.log).rewrite(sp.Max)
        if definition != value:
            rows.append(Row(value, definition))
        slope = activations.derivative(act, g, s)
        right = Where(slope, s, value) if slope.has(s) else slope
        rows.append(Row(Partial(value, g, ordinary=True), right))
    blocks.append(
        _paragraph(
            "SymPy differentiates each activation; where the derivative is best written"
            " with the unit's own output, the activation's definition says so, and the"
            " derivative comes out that way:"
        )
    )
    blocks.append(_equations(rows))
    for name in dict.fromkeys(net.activations):
        note = expression.activation(name).note
        if note:
            blocks.append(_paragraph(note))
    general = n.general
    blocks += [
        Break(),
        _paragraph(
            "Each layer's input carries a constant 1 for the bias (",
            equal(n.input(net.sizes[0] + 1), sp.S.One),
            # a network of another width names the seed's bias input too
            *(() if net.sizes[0] == 2 else (", as the seed's ", equal(general("x", "3"), sp.S.One))),
            "), so the weights ",
            general("W", sup="(j)"),
            " of layer ",
            general("j"),
            " form a matrix of ",
            general("n", "j"),
            " rows and ",
            Terms((general("n", "j-1"), sp.S.One)),
            " columns, the bias weight last, and ",
            general("X", sup="(j-1)"),
            " is the layer's input with the 1 appended.",
        ),
    ]
    return blocks


def _layerwise_rows(d: Derivation) -> list:
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


def _forward_section(d: Derivation) -> list:
    n = d.names
    blocks = [Break(), Section("The forward pass")]
    for j in range(1, d.depth + 1):
        g, s = n.vector("g", j), n.vector("s", j)
        act = sp.Symbol("g", real=True)
        if d.activation(j).elementwise:
            value = d.activation(j).apply(act)
            applied = Elementwise(sp.Lambda(act, value), g) if value != act else g
        else:
            applied = Operator(d.activation(j).name, g)
        blocks.append(_paragraph(f"Layer {j}:"))
        blocks.append(
            _equations(
                [
                    Row(g, product(n.vector("W", j), n.vector("X", j - 1)), naming.label("g", j)),
                    Row(s, applied, naming.label("s", j)),
                ]
            )
        )
        units, cut = shown_units(d.sizes[j])
        rows = []
        for i in units:
            if cut and i == units[-1]:
                rows.append(Row(Dots()))
            rows.append(Row(n.preactivation(j, i), _in_input_order(d, j, i)))
            rows.append(Row(n.output(j, i), d.output(j, i)))
        blocks.append(
            _paragraph("that is, unit by unit," if not cut else "that is, for the first and last unit,")
        )
        blocks.append(_equations(rows))
    return blocks


def _loss_section(d: Derivation) -> list:
    return [
        Break(),
        Section("The loss"),
        _paragraph(f"The {d.loss.title} over the outputs:"),
        _equations([Row(d.names.epsilon, d.loss_value, naming.label("loss"))]),
    ]


def _in_input_order(d: Derivation, j: int, i: int) -> sp.Expr:
    """g^{(j)}_i as the seed writes it: w_{i1} X_1 + w_{i2} X_2 + ... + w_{i,n+1}."""
    w = d.names.weight
    terms = [
        w(j, i, k) if x == 1 else sp.Mul(w(j, i, k), x, evaluate=False)
        for k, x in enumerate(d.inputs(j), start=1)
    ]
    shown = sp.Add(*terms, evaluate=False)
    assert shown.doit() == d.preactivation(j, i)  # the same sum, only in the seed's order
    return shown


def _delta_vector_row(d: Derivation, j: int) -> Row:
    return Row(d.names.vector("delta", j), d.layer_rule(j), naming.label("delta", j))


def _output_section(d: Derivation) -> list:
    n, L = d.names, d.depth
    eps, delta = n.epsilon, n.general("delta")
    blocks = [
        Break(),
        Section(f"The output layer (layer {L})"),
        _paragraph(
            "The chain rule takes ",
            Partial(eps, n.general("w", "ik", f"({L})"), inline=True),
            " through the output, its pre-activation and the weight:",
        ),
    ]
    if not d.activation(L).elementwise:
        return blocks + _layerwise_output_section(d)
    i, k = 1, 1
    f, g, wt = n.output(L, i), n.preactivation(L, i), n.weight(L, i, k)
    factor = d.loss_factor(i)
    shown_loss = sp.Mul(-d.kappa, factor, evaluate=False) if d.kappa != 1 else -factor
    blocks.append(
        _equations(
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
        _paragraph(
            "The unit's ",
            delta,
            " is defined by ",
            equal(Partial(eps, g, inline=True), _minus_kappa(d, n.delta(L, i))),
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
    blocks.append(_equations(rows))
    chain = sp.Mul(-d.kappa, *d.delta_factors(L, 1), d.weight_slope(L, 1, k), evaluate=False)
    blocks.append(
        _paragraph(
            "and every output weight's derivative is ",
            Negative(n.general("kappa")),
            " times its unit's ",
            delta,
            " times its input:",
        )
    )
    blocks.append(_equations([Row(Partial(eps, wt), equal(chain, d.gradient(L, 1, k)))]))
    if d.delta_cancels():
        blocks.append(
            _paragraph(
                "The activation's slope cancels against the loss's: the output ",
                delta,
                " is just ",
                d.delta(L, 1),
                ".",
            )
        )
    blocks.append(_paragraph("In vector form, for the whole layer:"))
    blocks.append(_equations([_delta_vector_row(d, L)]))
    return blocks


def _layerwise_output_section(d: Derivation) -> list:
    """The output layer of a softmax: every output depends on every pre-activation."""
    n, L = d.names, d.depth
    eps, delta = n.epsilon, n.general("delta")
    k = 1
    gk = n.preactivation(L, k)
    fi = n.general("f", "i")
    blocks = [
        _paragraph(
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
        _equations(
            [Row(Partial(eps, n.output(L, i)), d.loss_slope(i)) for i in shown_units(d.sizes[L])[0]]
        ),
        _paragraph(
            "and the softmax Jacobian above. The unit's ",
            delta,
            " is defined by ",
            equal(Partial(eps, gk, inline=True), _minus_kappa(d, n.delta(L, k))),
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
    blocks.append(_equations([Row(n.delta(L, k), equal(terms, shown))]))
    units, cut = shown_units(d.sizes[L])
    if d.loss.one_hot:
        targets = [n.target(i) for i in units] + ([Dots(vertical=False)] if cut else [])
        blocks.append(
            _paragraph(
                "The targets of a sample are a class distribution, ",
                equal(Terms(tuple(targets)), sp.S.One),
                " (one-hot for a labelled class), so the Jacobian's terms collapse:",
            )
        )
    blocks.append(_equations([Row(n.delta(L, i), d.delta(L, i)) for i in units]))
    blocks.append(_paragraph("In vector form, for the whole layer:"))
    blocks.append(_equations([_delta_vector_row(d, L)]))
    return blocks


def _hidden_section(d: Derivation, j: int) -> list:
    n = d.names
    eps, general = n.epsilon, n.general
    s, g = n.output(j, 1), n.preactivation(j, 1)
    above = f"({j + 1})"
    g_above = general("g", "k", above)
    blocks = [
        Break(),
        Section(f"Hidden layer {j}"),
        _paragraph(
            "Unit ",
            general("i"),
            f" of layer {j} feeds every unit ",
            general("k"),
            f" of layer {j + 1}, so the chain rule sums over them, with ",
            equal(Partial(eps, g_above, inline=True), _minus_kappa(d, general("delta", "k", above))),
            " from the layer above and ",
            equal(Partial(g_above, general("s", "i"), inline=True), general("w", "ki", above)),
            ":",
        ),
        _equations(
            [
                Row(
                    Partial(eps, g),
                    SumOver("k", product(Partial(eps, g_above), Partial(g_above, s), Partial(s, g), joint="thin")),
                ),
                Row(Partial(s, g), d.activation_slope(j, 1)),
            ]
        ),
        _paragraph(
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
    blocks.append(_equations(rows))
    blocks.append(
        _paragraph(
            "In vector form, with ",
            general("W", accent="bar"),
            " the weights without their bias column:",
        )
    )
    blocks.append(_equations([_delta_vector_row(d, j)]))
    return blocks


def _gradient_rows(d: Derivation) -> list:
    n = d.names
    return [
        Row(Partial(n.epsilon, n.vector("W", j)), d.gradient_rule(j), naming.label("gradient", j))
        for j in range(1, d.depth + 1)
    ]


def _update_rows(d: Derivation) -> list:
    n = d.names
    return [
        Row(n.vector("W", j), d.update_rule(j), naming.label("update", j), relation="<-")
        for j in range(1, d.depth + 1)
    ]


def _update_section(d: Derivation) -> list:
    n = d.names
    eps, general = n.epsilon, n.general
    eta, c, W = n.learning_rate, n.rate, general("W")
    layer_i = general("delta", "i", "(j)")
    input_k = general("X", "k", "(j-1)")
    blocks = [
        Break(),
        Section("Gradient and update"),
        _paragraph(
            "Every weight's derivative is ",
            equal(
                Partial(eps, general("w", "ik", "(j)"), inline=True),
                product(Partial(eps, general("g", "i", "(j)"), inline=True), input_k, joint="cdot"),
                _minus_kappa(d, sp.Mul(layer_i, input_k, evaluate=False)),
            ),
            "; for whole layers:",
        ),
        _equations(_gradient_rows(d)),
    ]
    step = product(eta, Partial(eps, W, inline=True), joint="thin")
    scaled = product(d.kappa, eta, joint="none") if d.kappa != 1 else eta
    descent = assign(W, Terms((W, Negative(step))), Terms((W, product(scaled, _delta_x(d), joint="thin"))))
    parts = ["Gradient descent with learning rate ", eta, " moves each weight against its gradient, ",
             descent, "."]
    if d.kappa != 1:
        parts += [
            f" The seed's rule takes the factor {d.kappa} into its positive constant: with ",
            equal(c, scaled),
        ]
    else:
        parts += [" The seed's rule is exactly this, with ", equal(c, eta), ":"]
    blocks.append(_paragraph(*parts))
    blocks.append(_equations(_update_rows(d)))
    if d.kappa != 1:
        blocks.append(
            _paragraph(
                "Note the ",
                d.kappa,
                ": the true gradient is ",
                _minus_kappa(d, _delta_x(d)),
                ", so ",
                Negative(Partial(eps, W, inline=True)),
                " equals ",
                _delta_x(d),
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


def _example_section(d: Derivation, digits: int) -> list:
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
        _paragraph(
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
            with sp.evaluate(False):
                shown = formula.xreplace(v)
            rows.append(Row(n.delta(j, i), equal(Numbers(shown), Numbers(v[n.delta(j, i)]))))
    blocks.append(_equations(rows))
    if example.note:
        blocks += [_paragraph(example.note), Break()]

    def rows_of(new_row, first_factors, left_of, before=None):
        rows = []
        for j, i in unit_order(d):
            inputs = Listed(tuple(v.get(x, x) for x in d.inputs(j)))
            step_ = product(*first_factors, v[n.delta(j, i)], inputs, joint="cdot")
            if before is not None:
                step_ = Terms((before(j, i), step_))
            result = Listed(tuple(new_row(j, i)))
            rows.append(Row(left_of(j, i), equal(Numbers(step_), Numbers(result))))
        return rows

    true_gradient = equal(Partial(eps, general("W"), inline=True), _minus_kappa(d, _delta_x(d)))
    if d.kappa != 1:
        lead = f"The true gradient has the factor {d.kappa} of "
    else:
        lead = "The true gradient, "
    blocks.append(_paragraph(lead, true_gradient, ":"))
    blocks.append(
        _equations(
            rows_of(
                lambda j, i: [d.gradient(j, i, k).xreplace(v) for k in range(1, d.sizes[j - 1] + 2)],
                [-d.kappa],
                lambda j, i: Partial(eps, n.weight_row(j, i)),
            )
        )
    )
    rule = assign(general("W"), Terms((general("W"), product(n.rate, _delta_x(d), joint="thin"))))
    eta = (n.learning_rate, Ratio(n.rate, d.kappa) if d.kappa != 1 else n.rate, Numbers(c / d.kappa))
    blocks.append(
        _paragraph(
            "The seed's update ",
            rule,
            " steps against it with ",
            equal(n.rate, Numbers(c)),
            ", that is gradient descent with learning rate ",
            equal(*eta),
            "; one row per unit:",
        )
    )
    blocks.append(
        _equations(
            rows_of(
                lambda j, i: step.updated[j - 1][i - 1],
                [c] if example.c != 1 else [],
                lambda j, i: n.weight_row(j, i),
                before=lambda j, i: Listed(tuple(sp.Float(o) for o in net.weights[j - 1][i - 1])),
            )
        )
    )
    return blocks


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


def _column_groups(d: Derivation, columns) -> list[list[int]]:
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


def _fit(d: Derivation, digits: int, blocks: list) -> list:
    """Long equation rows broken into lines, a wide table into panels (:mod:`derive.explain.linebreak`)."""
    from derive.explain import linebreak

    measure = linebreak.Measure(d.names, digits)
    out = []
    for block in blocks:
        if isinstance(block, Equations):
            block = Equations(linebreak.fit_rows(block.rows, measure))
        elif isinstance(block, Table):
            groups = _column_groups(d, block.header)
            block = linebreak.fit_table(block, groups, "sample", measure)
        out.append(block)
    return out
