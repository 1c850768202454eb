"""The loss registry: each loss's value, its slope in f with its κ, and what it asks of the output."""

import math

import pytest
import sympy as sp

from derive import activations, losses

y, f = sp.symbols("y f", real=True)

# name, (y, f), the loss's value there, ∂loss/∂f as −κ times this factor
ROWS = [
    ("squared_error", (0.3, 0.8), 0.25, y - f),
    ("half_squared_error", (0.3, 0.8), 0.125, y - f),
    ("binary_cross_entropy", (1.0, 0.8), -math.log(0.8), (y - f) / (f * (1 - f))),
    ("softmax_cross_entropy", (1.0, 0.8), -math.log(0.8), y / f),
]


def test_every_registry_entry_has_a_row():
    assert {row[0] for row in ROWS} == set(losses.LOSSES)


@pytest.mark.parametrize("name, point, value, factor", ROWS, ids=[r[0] for r in ROWS])
def test_value_and_slope_with_its_kappa(name, point, value, factor):
    loss = losses.get(name)
    at = {y: point[0], f: point[1]}
    term = loss.term(y, f)
    assert float(term.subs(at)) == pytest.approx(value, rel=1e-15)
    assert sp.simplify(sp.diff(term, f) - (-loss.kappa * factor)) == 0
    h = 1e-6
    numeric = (float(term.subs({y: point[0], f: point[1] + h})) - float(term.subs({y: point[0], f: point[1] - h}))) / (2 * h)
    assert numeric == pytest.approx(float((-loss.kappa * factor).subs(at)), rel=1e-8)


def test_a_loss_names_the_output_it_needs_from_the_activation_registry():
    needs = {name: loss.output for name, loss in losses.LOSSES.items() if loss.output}
    assert needs == {"binary_cross_entropy": "sigmoid", "softmax_cross_entropy": "softmax"}
    for output in needs.values():
        assert activations.get(output).log is not None  # its log has a stable form in code
    assert [name for name, loss in losses.LOSSES.items() if loss.one_hot] == ["softmax_cross_entropy"]


def test_unknown_loss_is_a_value_error_listing_the_known_ones():
    with pytest.raises(ValueError) as error:
        losses.get("hinge")
    message = str(error.value)
    assert "'hinge'" in message
    for name in losses.LOSSES:
        assert name in message
