"""Long rows broken into lines and wide tables into panels, in the blocks every format prints."""

import re

import pytest
import sympy as sp

from derive import Derivation, Network, load_spec, seed
from derive.activations import sigmoid
from derive.explain import linebreak
from derive.explain.account import account
from derive.explain.blocks import Equations, Numbers, Product, Row, Table, Terms
from derive.explain.latex import BackpropPrinter, aligned_rows, decimals
from derive.explain.linebreak import LEADS, LINE_WIDTH, TABLE_WIDTH, Measure

CLASSIFIER = "derive/networks/classifier.toml"


@pytest.fixture(scope="module")
def classifier():
    return Derivation(load_spec(CLASSIFIER))


def _numbers(latex: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?", re.sub(r"\^\{\(\d\)\}|_\{\d+\}", "", latex))


def test_a_broken_update_keeps_every_number_in_order(classifier):
    d, net = classifier, classifier.network
    block = [b for b in account(d) if isinstance(b, Equations)][-1]
    start = next(n for n, row in enumerate(block.rows) if row.left == d.names.weight_row(2, 1))
    end = next(n for n in range(start + 1, len(block.rows)) if block.rows[n].left is not None)
    rows = block.rows[start:end]
    assert len(rows) > 2 and [row.left for row in rows[1:]] == [None] * (len(rows) - 1)
    printed = " ".join(right for _, right, _ in aligned_rows(BackpropPrinter(d.names), rows))
    step = d.step(net.example.x, net.example.y, net.weights, net.example.c)
    inputs = [step.values.get(x, x) for x in d.inputs(2)]
    expected = (
        list(net.weights[1][0])
        + [net.example.c, step.values[d.names.delta(2, 1)]]
        + inputs
        + list(step.updated[1][0])
    )
    assert _numbers(printed) == [decimals(float(v), 3) for v in expected]
    assert [row.relation for row in rows][:2] == ["=", "+"] and rows[-1].relation in ("", "=")


@pytest.mark.parametrize("spec", [CLASSIFIER, None])
def test_every_line_of_the_example_fits(spec):
    d = Derivation(load_spec(spec) if spec else Network.from_layers("3-4-4-2"))
    measure = Measure(d.names, 3)

    for block in account(d):
        if isinstance(block, Equations):
            left = max(measure(row.left) for row in block.rows)
            for row in block.rows:
                if row.right is not None:
                    assert left + LEADS[row.relation] + measure(row.right) <= LINE_WIDTH, row


def test_rows_that_fit_are_left_whole():
    d = Derivation(seed())
    rows = [row for b in account(d) if isinstance(b, Equations) for row in b.rows]
    assert all(row.left is not None for row in rows)  # no continuation anywhere in the seed
    assert next(b for b in account(d) if isinstance(b, Table)).panels == ()


def test_a_wide_table_is_split_into_panels_with_the_sample_number(classifier):
    (table,) = [b for b in account(classifier) if isinstance(b, Table)]
    n = classifier.names
    assert table.header[0] == "sample" and [row[0] for row in table.rows] == list(range(1, 13))
    panels = [[table.header[c] for c in p] for p in table.parts()]
    assert panels == [
        ["sample", *(n.input(k) for k in range(1, 5))],
        ["sample", *(s for i in (1, 2, 3) for s in (n.preactivation(2, i), n.output(2, i))),
         *(n.target(i) for i in (1, 2, 3))],
    ]
    measure = Measure(classifier.names, 3)
    assert all(sum(measure(h) + 1.1 for h in p) < TABLE_WIDTH for p in panels)



def test_a_broken_product_leaves_no_lone_factor_that_the_line_above_could_share():
    """δ = (slope) · δ · w over two lines: the slope, then δ · w, not the slope · δ, then · w alone."""
    d = Derivation(seed())
    measure = Measure(d.names, 3)
    g, delta, w = sp.Float(-1.25), sp.Float(-0.439), sp.Float(-1.0)
    with sp.evaluate(False):
        slope = g * (1 - sigmoid(g)) * sigmoid(g) + sigmoid(g)  # swish's, at g
        row = Row(d.names.delta(1, 1), Numbers(sp.Mul(slope, delta, w)))
        first = Numbers(sp.Mul(slope, delta))
    room = LEADS["="] + measure(first) + 0.01  # the slope and δ fit a line, w does not
    lines = linebreak._broken(row.relation, row.right, room, measure)
    assert [(op, list(node.of.factors)) for op, node in lines] == [("=", [slope]), ("cdot", [delta, w])]
    assert all(LEADS[op] + measure(node) <= room for op, node in lines)


MISH = "x*tanh(log(1+exp(x)))"


def _rejoined(lines):
    """The factors of a broken symbolic product, each bracketed sum summed back from its lines."""
    factors, terms = [], []
    parts = [(op if n == 0 else "", part) for op, node in lines for n, part in enumerate(_shared(node))]
    for op, node in parts:
        if isinstance(node, Terms) and not (node.opens and node.closes):
            (term,) = node.terms
            terms.append(-term if op == "-" else term)
            if node.closes:
                factors.append((sp.MatAdd if isinstance(term, sp.MatrixExpr) else sp.Add)(*terms))
                terms = []
        else:
            factors.append(node.terms[0] if isinstance(node, Terms) else node)
    assert terms == []  # every bracket opened is closed
    return factors


def _shared(node):
    """The pieces of one line: a broken sum's last line and the factor it shares the line with."""
    return list(node.factors) if isinstance(node, Product) else [node]


@pytest.mark.parametrize("vector, ops", [(False, ["=", "cdot"]), (True, ["=", "+"])], ids=["unit", "vector"])
def test_a_symbolic_product_too_wide_breaks_before_a_factor_and_inside_its_brackets(vector, ops):
    """mish's hidden δ: (a long slope) (δ w + δ w); the vector's slope is itself wider than a line,
    and the factor after it shares the slope's last line: ``+ tanh(softplus g)) ⊙ ((W̄)ᵀ δ)``."""
    d = Derivation(Network((2, 3, 2), (MISH, "sigmoid"), name="mish"))
    measure = Measure(d.names, 3)
    left, whole = (d.names.vector("delta", 1), d.layer_rule(1)) if vector else (d.names.delta(1, 1), d.delta(1, 1))
    rows = next(b.rows for b in account(d) if isinstance(b, Equations) and b.rows[0].left == left)
    end = next((n for n, row in enumerate(rows) if n and row.left is not None), len(rows))
    lines = [(row.relation, row.right) for row in rows[:end]]
    assert [op for op, _ in lines] == ops
    # the slope, in its brackets (broken inside them into its two terms), then the sum over the layer above
    pieces = [piece for _, node in lines for piece in _shared(node)]
    inside = [(True, False), (False, True)] if vector else [(True, True)]
    assert [(n.opens, n.closes) for n in pieces] == inside + [(True, True)]
    room = LINE_WIDTH - max(measure(row.left) for row in rows)
    assert all(LEADS[op] + measure(node) <= room for op, node in lines)
    factors = _rejoined(lines)
    printer = BackpropPrinter(d.names)
    if vector:  # each derivation's Elementwise has its own dummy: compared as printed
        assert printer.doprint(sp.HadamardProduct(*factors)) == printer.doprint(whole)
    else:
        assert sp.simplify(sp.Mul(*factors) - whole) == 0
    latex = [right for _, right, _ in aligned_rows(printer, [Row(None, n, relation=op) for op, n in lines])]
    if vector:
        assert latex[0].endswith(r"\right.") and latex[1].startswith(r"&\quad + \left.")
        assert r"\right) \odot \left(\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}\right)" in latex[1]
        # TeX sizes \left( … \right. by its own line: each line's bracket takes the whole sum's height
        phantom = rf"\vphantom{{{printer.doprint(factors[0])}}}\right"
        assert [line.count(phantom) for line in latex] == [1, 1]
    else:
        assert latex[-1].startswith(r"&\quad \cdot \left(")


def test_invisible_operators_take_no_width_and_a_named_function_its_thin_space():
    """σ(g) is its name and brackets; g tanh(g) is g, TeX's thin space and tanh(g)."""
    d = Derivation(seed())
    measure = Measure(d.names, 3)
    g = d.names.preactivation(1, 1)
    assert measure(sigmoid(g)) == pytest.approx(0.5 + measure(g) + 2 * 0.45)
    assert measure(g * sp.tanh(g)) == pytest.approx(measure(g) + 0.167 + measure(sp.tanh(g)))
    assert measure(g * sigmoid(g)) == pytest.approx(measure(g) + measure(sigmoid(g)))


def test_a_symbolic_fraction_or_negative_product_is_left_whole():
    d = Derivation(seed())
    measure = Measure(d.names, 3)
    g = d.names.preactivation(1, 1)
    for expr in (g * sp.tanh(g) / (1 + sp.Abs(g)) ** 2, -g * sp.tanh(g) * sp.exp(g)):
        assert linebreak._broken("=", expr, 1.0, measure) == [("=", expr)]


def test_a_lone_factor_of_a_broken_product_keeps_the_brackets_the_product_gives_it():
    d = Derivation(Network.from_layers("2-2-1"))
    n = d.names
    back = n.vector("Wbar", 2).T * n.vector("delta", 2)
    for factor, lead, bracketed in [
        (back, "odot", True), (-back, "odot", True), (n.vector("s", 1), "odot", False),
        (n.delta(2, 1) + n.delta(1, 1), "cdot", True), (n.delta(2, 1), "cdot", False),
    ]:
        shown = linebreak._sub_product([factor], lead)
        assert isinstance(shown, Terms) == bracketed, (factor, lead)
        if bracketed:  # printed in the brackets the printers give it inside the whole product
            assert BackpropPrinter(n).doprint(shown).startswith(r"\left(")
