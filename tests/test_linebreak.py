"""Long rows broken into lines and wide tables into panels, in the blocks every format prints."""

import re

import pytest
import sympy as sp

from derive import Derivation, Network, load_spec, seed
from derive.activations import sigmoid
from derive.explain import linebreak
from derive.explain.account import account
from derive.explain.blocks import Equations, Numbers, Row, Table
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
