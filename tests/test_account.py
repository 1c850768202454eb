"""The account's prose as blocks (derive.explain.account and the parts it assembles)."""

import pytest
import sympy as sp

from derive import Derivation, Network, activations, load_spec, losses, seed
from derive.explain.account import MAX_EXAMPLE_WEIGHTS, account, summary
from derive.explain.blocks import Break, Equations, Paragraph, Row, Section, Table
from derive.explain.example import forward_columns, unit_order
from derive.explain.phrases import in_input_order, shown_units
from tests.test_codegen import ROOT


def _titles(blocks):
    return [b.title for b in blocks if isinstance(b, Section)]


def test_the_seeds_account_reads_from_the_network_to_the_worked_example():
    blocks = account(Derivation(seed()))
    assert _titles(blocks) == [
        "The network",
        "The forward pass",
        "The loss",
        "The output layer (layer 2)",
        "Hidden layer 1",
        "Gradient and update",
        "A worked example",
    ]
    assert all(isinstance(b, Section | Paragraph | Break | Equations | Table) for b in blocks)


def test_a_network_without_weights_says_why_it_has_no_worked_example():
    blocks = account(Derivation(Network.from_layers("3-4-4-2")))
    last = blocks[-1]
    assert isinstance(last, Section) and last.title == "A worked example"
    assert "no weights" in last.lead


def test_the_summary_is_the_delta_gradient_and_update_rows():
    d = Derivation(seed())
    rows = summary(d).rows
    assert all(isinstance(r, Row) for r in rows)
    assert [r.label for r in rows] == [
        "eq:delta-2",
        "eq:delta-1",
        "eq:gradient-1",
        "eq:gradient-2",
        "eq:update-1",
        "eq:update-2",
    ]


@pytest.mark.parametrize("layers", ["2-2-1", "3-4-4-2", "1-6-2"])
def test_the_preactivation_in_the_seeds_order_is_the_same_sum(layers):
    d = Derivation(Network.from_layers(layers))
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            assert sp.expand(in_input_order(d, j, i).doit() - d.preactivation(j, i)) == 0


def test_wide_layers_show_their_first_and_last_units():
    assert shown_units(3) == ([1, 2, 3], False)
    assert shown_units(8) == ([1, 8], True)


def test_the_worked_example_goes_from_the_output_layer_back():
    d = Derivation(seed())
    assert unit_order(d) == [(2, 1), (1, 1), (1, 2)]
    n = d.names
    assert forward_columns(d)[:2] == [n.input(1), n.input(2)]


def test_a_network_past_the_limit_leaves_the_numbers_to_the_module():
    net = load_spec(ROOT / "derive" / "networks" / "classifier.toml")
    assert sum(r * c for r, c in net.weight_shapes) <= MAX_EXAMPLE_WEIGHTS
    assert "A worked example" in _titles(account(Derivation(net)))


@pytest.mark.parametrize("net", [seed(), load_spec(ROOT / "derive" / "networks" / "classifier.toml")],
                         ids=["seed", "classifier"])
def test_the_title_is_said_once_in_every_format(net):
    """A page that heads the account with the title does not say it again as prose."""
    from derive.explain import html, latex, markdown

    d = Derivation(net)
    assert markdown.markdown(d).count(net.title) == 1  # the heading
    assert html.body(d).count(net.title) == 1  # the <h1>
    assert latex.document(d).count(latex.escape(net.title)) == 1  # \title
    # a document body has no heading: the account says it under "The network"
    assert latex.explain(d).count(f"{latex.escape(net.title)}.") == 1


@pytest.mark.parametrize("loss", sorted(losses.LOSSES))
def test_the_prose_names_losses_and_activations_in_words(loss):
    """A reader meets "categorical cross entropy", not the spec's softmax_cross_entropy, in every format."""
    from derive.explain import html, latex, markdown

    net = Network.from_layers("2-3-2").varied(["relu", losses.get(loss).output or "sigmoid"], loss)
    d = Derivation(net)
    pages = {"latex": latex.explain(d), "markdown": markdown.markdown(d), "html": html.body(d)}
    for name, text in pages.items():
        assert text.count(losses.get(loss).title) >= 1, name
        for key in [*losses.LOSSES, *activations.ACTIVATIONS]:
            if "_" in key:
                assert key not in text.replace("\\_", "_"), (name, key)
    # a note's maths is maths: relu's kink at g = 0
    assert "at $g = 0$ is taken as 0" in pages["latex"]
    assert "at $g = 0$ is taken as 0" in pages["markdown"]
    assert "at <math><mrow><mi>g</mi><mo>=</mo><mn>0</mn></mrow></math> is taken" in pages["html"]
