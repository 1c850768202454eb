"""The SVG figures: the diagram's labels in the maths' notation, the training curve's axis."""

import math
import re

import numpy as np
import pytest

from derive.figures import training_curve


def _points(svg: str) -> list[tuple[float, float]]:
    found = re.search(r'<polyline class="loss"[^>]*points="([^"]*)"', svg).group(1).split()
    return [tuple(float(v) for v in p.split(",")) for p in found]


@pytest.mark.parametrize(
    "first, last, log",
    [
        (15.9, 0.0014, True),  # the classifier's run: four decades
        (1.3406, 0.5066, False),  # the seed's run
        (10.0, 0.1, False),  # exactly two decades: still linear
        (10.0, 0.099, True),  # a little more than two
    ],
)
def test_the_curve_is_logarithmic_exactly_when_epsilon_spans_more_than_two_decades(first, last, log):
    losses = np.geomspace(first, last, 101)
    svg = training_curve(losses)
    assert (f'data-scale="{"log" if log else "linear"}"' in svg) and ("(log scale)" in svg) == log
    ys = np.array([y for _, y in _points(svg)])
    # the height on the page is linear in log10(ε) on a log axis, in ε on a linear one
    for scale, linear in ((np.log10, log), (np.asarray, not log)):
        fit = np.polyval(np.polyfit(scale(losses), ys, 1), scale(losses))
        assert (np.abs(fit - ys).max() < 0.1) == linear


def test_log_ticks_are_decades_and_place_the_values():
    losses = np.array([15.9, 3.0, 0.2, 0.0014])
    svg = training_curve(losses)
    ticks = re.findall(r'<text class="tick" x="[^"]*" y="([^"]*)"[^>]*>10<tspan[^>]*>([^<]*)</tspan></text>', svg)
    powers = [int(p.replace("\u2212", "-")) for _, p in ticks]
    assert powers == [-3, -2, -1, 0, 1, 2]
    # a value's height is its decade's tick height interpolated in log10
    tick_y = {p: float(y) - 4 for (y, _), p in zip(ticks, powers)}
    per_decade = tick_y[1] - tick_y[0]
    for (_, y), value in zip(_points(svg), losses):
        assert y == pytest.approx(tick_y[0] + per_decade * math.log10(value), abs=0.1)
