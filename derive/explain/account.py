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

import dataclasses

import sympy as sp

from derive import activations, expression, naming
from derive.derivation import Derivation, UndefinedStep
from derive.explain import linebreak
from derive.explain.backward import hidden_section, output_section, update_section
from derive.explain.blocks import (
    Break,
    Dots,
    Equations,
    Listed,
    Operator,
    Partial,
    Row,
    Section,
    Table,
    Terms,
    Where,
    equal,
    equations,
    paragraph,
    product,
)
from derive.explain.example import column_groups, example_section
from derive.explain.phrases import (
    MAX_UNITS_SHOWN,
    activation_named,
    count_of,
    delta_vector_row,
    gradient_rows,
    in_input_order,
    layerwise_rows,
    shown_units,
    update_rows,
)
from derive.layerwise import Elementwise
from derive.parts import layer, shifted

#: Networks with more weights than this leave out the worked example's numbers.
MAX_EXAMPLE_WEIGHTS = 2000

__all__ = ["MAX_EXAMPLE_WEIGHTS", "MAX_UNITS_SHOWN", "account", "summary"]


def account(derivation: Derivation, digits: int = 3, titled: bool = False, strict: bool = True) -> list:
    """The whole explanation as blocks, in reading order.

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the numbers in the worked example (the seed shows 3).
    titled : bool
        Whether the page already heads it with the network's title; if not,
        the account says the title under "The network".
    strict : bool
        Whether a worked example whose numbers leave the finite ones raises
        :class:`~derive.derivation.UndefinedStep` (the command line stops on it)
        or has its section say so (a notebook shows the derivation all the same).
    """
    d = derivation
    blocks = _network_section(d, titled)
    blocks += _forward_section(d)
    blocks += _loss_section(d)
    blocks += output_section(d)
    for j in range(d.depth - 1, 0, -1):
        blocks += hidden_section(d, j)
    blocks += update_section(d)
    net = d.network
    if net.example is not None and _weight_count(d) <= MAX_EXAMPLE_WEIGHTS:
        try:
            return _fit(d, digits, blocks + example_section(d, digits))
        except UndefinedStep as error:
            if strict:
                raise
            return _fit(d, digits, blocks + _undefined_example(error))
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


def _undefined_example(error: UndefinedStep) -> list:
    """The worked example's section where a number of its step is not finite."""
    return [
        Break(),
        Section("A worked example"),
        paragraph(
            "The spec's numbers cannot be worked through: at its weights and inputs ",
            "the updated " if error.updated else "", error.quantity,
            f" {error.what}, as an activation, its slope or the loss is undefined there. The"
            " derivation above holds wherever they are defined.",
        ),
    ]


def _weight_count(d: Derivation) -> int:
    return sum(rows * cols for rows, cols in d.network.weight_shapes)


def summary(derivation: Derivation) -> Equations:
    """The key equations: each layer's δ in vector form, the gradients and the updates.

    Rows too wide for a line are broken as in the account, for the sheets and notebooks that show them.
    """
    d = derivation
    layers = range(1, d.depth + 1)
    rows = [delta_vector_row(d, j) for j in reversed(layers)] + gradient_rows(d) + update_rows(d)
    return _fit(d, 3, [equations(rows)])[0]


def _network_section(d: Derivation, titled: bool) -> list:
    net, n = d.network, d.names
    sizes = Listed(tuple(sp.Integer(s) for s in net.sizes), parens=False)
    blocks = [
        Section("The network"),
        paragraph(
            "A fully connected network with layer sizes ",
            sizes,
            f": {count_of(net.sizes[0], 'input')}, {count_of(d.depth, 'layer')} of weights, "
            f"{count_of(net.sizes[-1], 'output')}.",
        ),
    ]
    if net.title and not titled:
        blocks.append(paragraph(net.title + "."))
    blocks.append(Break())
    g, s = sp.Symbol("g", real=True), sp.Symbol("s", real=True)
    for j in range(1, d.depth + 1):
        kind, act = "output" if j == d.depth else "hidden", d.activation(j)
        named = activation_named(act)
        custom = () if isinstance(named, str) else (named, " ")
        blocks.append(
            paragraph(
                f"Layer {j} ({kind}, {count_of(net.sizes[j], 'unit')}) applies the {act.title} ",
                *custom,
                "to each unit." if act.elementwise else "across its units.",
            )
        )
    rows = []
    for name in dict.fromkeys(net.activations):
        act = expression.activation(name)
        if not act.elementwise:
            rows += layerwise_rows(d)
            continue
        value = act.apply(g)
        definition = value.rewrite(sp.exp).rewrite(sp.log).rewrite(sp.Max)
        if definition != value:
            rows.append(Row(value, definition))
        slope = activations.derivative(act, g, s)
        right = Where(slope, s, value) if slope.has(s) else slope
        rows.append(Row(Partial(value, g, ordinary=True), right))
    blocks.append(
        paragraph(
            "SymPy differentiates each activation; where the derivative is best written"
            " with the unit's own output, the activation's definition says so, and the"
            " derivative comes out that way:"
        )
    )
    blocks.append(equations(rows))
    for name in dict.fromkeys(net.activations):
        note = expression.activation(name).note
        if note:
            blocks.append(paragraph(*note))
    general = n.general
    blocks += [
        Break(),
        paragraph(
            "Each layer's input carries a constant 1 for the bias (",
            equal(n.input(net.sizes[0] + 1), sp.S.One),
            # a network of another width names the seed's bias input too
            *(() if net.sizes[0] == 2 else (", as the seed's ", equal(general("x", 3), sp.S.One))),
            "), so the weights ",
            general("W", sup=layer("j")),
            " of layer ",
            general("j"),
            " form a matrix of ",
            general("n", "j"),
            " rows and ",
            Terms((general("n", shifted("j", -1)), sp.S.One)),
            " columns, the bias weight last, and ",
            general("X", sup=layer("j", -1)),
            " is the layer's input with the 1 appended.",
        ),
    ]
    return blocks


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
        blocks.append(paragraph(f"Layer {j}:"))
        blocks.append(
            equations(
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
            rows.append(Row(n.preactivation(j, i), in_input_order(d, j, i)))
            rows.append(Row(n.output(j, i), d.output(j, i)))
        blocks.append(
            paragraph("that is, unit by unit," if not cut else "that is, for the first and last unit,")
        )
        blocks.append(equations(rows))
    return blocks


def _loss_section(d: Derivation) -> list:
    return [
        Break(),
        Section("The loss"),
        paragraph(f"The {d.loss.title} over the outputs:"),
        equations([Row(d.names.epsilon, d.loss_value, naming.label("loss"))]),
    ]


def _fit(d: Derivation, digits: int, blocks: list) -> list:
    """Long equation rows broken into lines, a wide table into panels (:mod:`derive.explain.linebreak`)."""
    measure = linebreak.Measure(d.names, digits)
    out = []
    for block in blocks:
        if isinstance(block, Equations):
            block = dataclasses.replace(block, rows=linebreak.fit_rows(block.rows, measure))
        elif isinstance(block, Table):
            groups = column_groups(d, block.header)
            block = linebreak.fit_table(block, groups, "sample", measure)
        out.append(block)
    return out
