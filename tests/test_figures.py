"""The SVG figures: the diagram's labels in the maths' notation, the training curve's axis."""

import math
import re

import numpy as np
import pytest

from derive import Derivation, Network
from derive.explain import figures
from derive.explain.figures import network_diagram, training_curve
from derive.explain.latex import BackpropPrinter
from derive.parts import written


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


# -- the diagram's labels -------------------------------------------------------------


def _written(text: str) -> tuple[str, set[str]]:
    """A label's base and its scripts, from the SVG text content."""
    base = text.split("<tspan")[0]
    return base, set(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", text))


@pytest.mark.parametrize("layers", ["3-4-4-2", "2-2-1", "784-128-10"])
def test_diagram_labels_carry_the_layer_index_as_the_maths_does(layers):
    d = Derivation(Network.from_layers(layers))
    svg = network_diagram(d)
    units = re.findall(r'<g class="unit">.*?<text[^>]*>(.*?)</text></g>', svg)
    weights = dict(re.findall(r'<g class="edge" data-weight="(\w+)">.*?<text class="weight"[^>]*>(.*?)</text>', svg))
    printer = BackpropPrinter(d.names)
    shown = [(j, i) for j, size in enumerate(d.sizes) for i in (range(1, size + 1) if size <= 8 else [1, 2, 3, size - 1, size])]
    assert len(units) == len(shown)
    for text, (j, i) in zip(units, shown):
        symbol = d.names.output(j, i)
        # the LaTeX of the same symbol: base^{sup}_{sub}
        latex = printer.doprint(symbol)
        base, scripts = _written(text)
        assert latex.startswith(base) and all(script in latex for script in scripts)
        layer = written(d.names.parts(symbol).sup)
        assert (layer in scripts) == bool(layer) and (f"^{{{layer}}}" in latex) == bool(layer)
    if layers == "3-4-4-2":
        assert _written(units[3 + 4]) == ("s", {"(2)", "1"})  # s^{(2)}_1, not s_1
        assert _written(weights["w2_1_1"]) == ("w", {"(2)", "11"})
        assert _written(weights["w3_2_5"]) == ("w", {"(3)", "25"})
    if layers == "784-128-10":
        assert _written(weights["w1_128_785"]) == ("w", {"(1)", "128,785"})
    assert len(weights) == sum(svg.count(f'data-weight="w{j}_') for j in range(1, d.depth + 1))


def _estimated_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """Boxes of the weight labels from their positions and the figure's own width estimate."""
    boxes = []
    for x, y, text in re.findall(r'<text class="weight" x="([^"]*)" y="([^"]*)"[^>]*>(.*?)</text>', svg):
        base, scripts = _written(text)
        half = (figures._ems(base) + 0.7 * max((figures._ems(s) for s in scripts), default=0)) * 6
        boxes.append((float(x) - half, float(y) - 12, float(x) + half, float(y) + 4))
    return boxes


@pytest.mark.parametrize("layers", ["3-4-4-2", "784-128-10", "5-5-3", "2-6-1"])
def test_weight_labels_keep_apart(layers):
    boxes = _estimated_boxes(network_diagram(Derivation(Network.from_layers(layers))))
    assert boxes
    for n, (a0, b0, a1, b1) in enumerate(boxes):
        for c0, d0, c1, d1 in boxes[n + 1 :]:
            assert a1 <= c0 or c1 <= a0 or b1 <= d0 or d1 <= b0
