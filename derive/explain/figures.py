"""SVG figures for the HTML report: the network with its weights, and the training curve.

Both are plain inline SVG text: no script, no external font, and every piece of
text escaped.  :func:`network_diagram` draws one circle per unit, a bias node
(labelled 1) under every layer that feeds another, and one edge per weight with
the weight's value (or name) on it; units and weights are named as in the maths,
with their layer index, and the labels are placed so that no two overlap.  A
layer too wide to draw legibly shows its first and last units and the figure
says so.  :func:`training_curve` plots ε per epoch, on a log axis when ε spans
more than two decades.

Examples
--------
>>> from derive import Derivation, seed
>>> svg = network_diagram(Derivation(seed()))
>>> svg.count('class="edge"')
9
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from derive.derivation import Derivation
from derive.explain.notation import decimals
from derive.explain.phrases import activation_named
from derive.parts import Index, Parts

#: Layers wider than this draw their first units, a ⋮ and their last units.
MAX_UNITS_DRAWN = 8
#: Units drawn of a wider layer: this many first ones and the last two.
FIRST_UNITS_DRAWN = 3
#: Edges beyond this many are drawn without their labels.
MAX_LABELLED_EDGES = 60

MINUS = "\u2212"
_FONT = "font-family:sans-serif"


def _number(value: float, digits: int) -> str:
    text = decimals(value, digits)
    return MINUS + text[1:] if text.startswith("-") else text


def _drawn_units(n: int) -> tuple[list[int], bool]:
    if n <= MAX_UNITS_DRAWN:
        return list(range(1, n + 1)), False
    return list(range(1, FIRST_UNITS_DRAWN + 1)) + [n - 1, n], True


#: Advance widths of characters, in ems of the font size: generous for sans-serif
#: faces (DejaVu Sans, Liberation Sans), so that boxes placed apart stay apart.
_EMS = {"\u2212": 0.86, "(": 0.42, ")": 0.42, ",": 0.34, ".": 0.34, " ": 0.34, "1": 0.66}


def _ems(text: str) -> float:
    return sum(_EMS.get(ch, 0.66) for ch in text)


#: Scripts of a label: their size, and how far they move from the baseline (ems).
_SCRIPT, _RAISE, _LOWER = 0.7, 0.38, 0.27


def _script(index: Index) -> str:
    """The text of an index, token by token, its minus sign a true minus as the numbers'."""
    return "".join(MINUS if token == "-" else str(token) for token in index)


def _label(parts: Parts, size: float) -> tuple[str, float]:
    """SVG text content of a symbol written as ``parts``, and its width in px.

    The superscript (the layer index, as in the maths) sits over the subscript:
    the shorter is written first and the longer drawn back over it.
    """
    base, sub, sup = parts.text, _script(parts.sub), _script(parts.sup)
    scripts = [(text, dy) for text, dy in ((sup, -_RAISE), (sub, _LOWER)) if text]
    scripts.sort(key=lambda s: _ems(s[0]))
    out, width, baseline, back = escape(base), _ems(base), 0.0, 0.0
    for n, (text, dy) in enumerate(scripts):
        shift = f' dx="{-back * size:.1f}"' if n else ""
        out += (
            f'<tspan{shift} dy="{(dy - baseline) * size:.1f}" font-size="{_SCRIPT * 100:.0f}%">'
            f"{escape(text)}</tspan>"
        )
        baseline, back = dy, _ems(text) * _SCRIPT
    width += max((_ems(text) * _SCRIPT for text, _ in scripts), default=0.0)
    return out, width * size


class _Boxes:
    """Rectangles already taken on the figure, to place labels where none overlaps."""

    def __init__(self):
        self.taken: list[tuple[float, float, float, float]] = []

    def free(self, box) -> bool:
        x0, y0, x1, y1 = box
        return all(x1 <= a or b <= x0 or y1 <= c or d <= y0 for a, c, b, d in self.taken)

    def take(self, box):
        self.taken.append(box)


#: Gaps tried between two columns of units, narrowest first, until every label finds room.
_GAPS = (190, 230, 280, 340, 410, 500)


def _weight_labels(edges, units, width_of, gap: float):
    """Where each edge's label goes, on its edge and clear of the others, or ``None``.

    ``edges`` are ``(a, (x1, y1), (x2, y2), text)`` with ``a`` the target's place
    in its column, in source coordinates where the gap is ``gap``.  The first
    unit's labels start near their sources and the last unit's near it: away from
    the middle, where the edges between two layers cross.
    """
    boxes = _Boxes()
    for box in units:
        boxes.take(box)
    targets = max(a for a, *_ in edges) + 1
    grid = np.linspace(0.14, 0.86, 25)
    placed = []
    for a, (x1, y1), (x2, y2), text in edges:
        preferred = 0.22 + 0.42 * a / (targets - 1) if targets > 1 else 0.5
        half = width_of(text) / 2 + 4  # a little air between neighbours
        for t in [preferred, *sorted(grid, key=lambda t: abs(t - preferred))]:
            x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            box = (x - half, y - 10, x + half, y + 10)
            if boxes.free(box):
                boxes.take(box)
                placed.append((x, y))
                break
        else:
            return None
    return placed


def network_diagram(derivation: Derivation, digits: int = 3) -> str:
    """The network as an SVG: units, bias nodes and one labelled edge per weight.

    Units are named as in the maths (s^{(2)}_1 in a network of several hidden
    layers); each weight's label sits on its edge, and no two labels overlap:
    the gap between two layers widens until they all find room.

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the weights shown on the edges.
    """
    d = derivation
    net, n = d.network, d.names
    row, radius, top, left = 70, 20, 40, 60
    drawn = [_drawn_units(size) for size in net.sizes]
    heights = [len(units) + (1 if j < d.depth else 0) + (1 if cut else 0) for j, (units, cut) in enumerate(drawn)]
    tallest = max(heights)
    height = top + tallest * row + 40
    # the rows of every column; x comes from the gaps, once the labels have room
    ys: dict[tuple[int, int], float] = {}
    dots: list[tuple[int, float]] = []
    for j, (units, cut) in enumerate(drawn):
        y0 = top + (tallest - heights[j]) * row / 2 + row / 2
        slot = 0
        for i in units:
            if cut and i == units[-2]:
                dots.append((j, y0 + slot * row))
                slot += 1
            ys[(j, i)] = y0 + slot * row
            slot += 1
        if j < d.depth:
            ys[(j, net.sizes[j] + 1)] = y0 + slot * row  # the bias input 1
    count = sum(len(drawn[j][0]) * (len(drawn[j - 1][0]) + 1) for j in range(1, d.depth + 1))
    labelled = count <= MAX_LABELLED_EDGES
    # a custom activation's maths is in the text above the figure: its caption says "custom"
    named = [activation_named(d.activation(j)) for j in range(1, d.depth + 1)]
    kinds = ["inputs"] + [f"layer {j}: {a if isinstance(a, str) else 'custom'}" for j, a in enumerate(named, 1)]

    def label_of(j, i, k):
        if net.weights is not None:
            return escape(_number(net.weights[j - 1][i - 1][k - 1], digits)), None
        return _label(n.parts(n.weight(j, i, k)), 12)

    def width_of(text):
        shown, width = text
        return width if width is not None else _ems(shown) * 12

    gaps, labels = [], {}
    for j in range(1, d.depth + 1):
        sources = drawn[j - 1][0] + [net.sizes[j - 1] + 1]
        # the captions under the columns must not meet either
        least = (_ems(kinds[j - 1]) + _ems(kinds[j])) * 13 / 2 + 16
        for gap in [g for g in _GAPS if g >= least] or [least]:
            if not labelled:
                break
            edges = [
                (a, (radius, ys[(j - 1, k)]), (gap - radius, ys[(j, i)]), label_of(j, i, k))
                for a, i in enumerate(drawn[j][0])
                for k in sources
            ]
            units = [(x - radius, y - radius, x + radius, y + radius)
                     for (c, _), y in ys.items() if c in (j - 1, j) for x in [0 if c == j - 1 else gap]]
            placed = _weight_labels(edges, units, width_of, gap)
            if placed is not None:
                labels[j] = placed
                break
        else:
            gap = max(least, _GAPS[0])
        gaps.append(gap)
    # the outer columns' captions, centred under them, must not run off the figure either
    left, right = (max(left, math.ceil(_ems(kind) * 13 / 2 + 8)) for kind in (kinds[0], kinds[-1]))
    xs = [left + sum(gaps[:j]) for j in range(d.depth + 1)]
    width = xs[-1] + right
    positions = {(j, i): (xs[j], y) for (j, i), y in ys.items()}
    nodes, edges, texts = [], [], []
    for j, y in dots:
        texts.append(
            f'<text x="{xs[j]}" y="{y + 6:.1f}" text-anchor="middle" font-size="22">\u22ee</text>'
        )
    for j, kind in enumerate(kinds):
        texts.append(
            f'<text class="caption" x="{xs[j]}" y="{height - 12}" text-anchor="middle" font-size="13" '
            f'fill="#555">{escape(kind)}</text>'
        )
    # the edges: one per weight w^{(j)}_{ik}, from input k of layer j - 1 to unit i
    for j in range(1, d.depth + 1):
        sources = drawn[j - 1][0] + [net.sizes[j - 1] + 1]
        spots = iter(labels.get(j, []))
        for i in drawn[j][0]:
            for k in sources:
                (x1, y1), (x2, y2) = positions[(j - 1, k)], positions[(j, i)]
                weight = n.weight(j, i, k)
                bias = k == net.sizes[j - 1] + 1
                style = ' stroke-dasharray="4 3"' if bias else ""
                parts = [
                    f'<g class="edge" data-weight="{weight.name}">',
                    (f'<line x1="{x1 + radius}" y1="{y1:.1f}" x2="{x2 - radius}" y2="{y2:.1f}" '
                    f'stroke="#7a8ca3" stroke-width="1.3"{style}/>'),
                ]
                spot = next(spots, None)
                if spot is not None:
                    lx, ly = x1 + spot[0], spot[1]
                    parts.append(
                        f'<text class="weight" x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" '
                        f'font-size="12" paint-order="stroke" stroke="#fff" stroke-width="4" '
                        f'fill="#1d3557">{label_of(j, i, k)[0]}</text>'
                    )
                parts.append("</g>")
                edges.append("".join(parts))
    for (j, i), (x, y) in positions.items():
        bias = j < d.depth and i == net.sizes[j] + 1
        if bias:
            nodes.append(
                f'<g class="bias"><rect x="{x - radius * 0.8:.1f}" y="{y - radius * 0.8:.1f}" '
                f'width="{radius * 1.6:.1f}" height="{radius * 1.6:.1f}" rx="4" fill="#f4f4f4" '
                f'stroke="#888" stroke-dasharray="4 3"/><text x="{x}" y="{y + 5:.1f}" '
                f'text-anchor="middle" font-size="15">1</text></g>'
            )
            continue
        fill = "#e8f1fb" if j == 0 else ("#fdebd3" if j == d.depth else "#e6f4ea")
        shown, _ = _label(n.parts(n.output(j, i)), 15)
        nodes.append(
            f'<g class="unit"><circle cx="{x}" cy="{y:.1f}" r="{radius}" fill="{fill}" '
            f'stroke="#445"/><text x="{x}" y="{y + 5:.1f}" text-anchor="middle" font-size="15" '
            f'font-style="italic">{shown}</text></g>'
        )
    return (
        f'<svg class="network" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" style="{_FONT}">'
        f"<title>{escape(net.layers_text)} network with its weights</title>"
        + "".join(edges)
        + "".join(nodes)
        + "".join(texts)
        + "</svg>"
    )


def diagram_caption(derivation: Derivation) -> str:
    """What the diagram shows and what it leaves out, in words."""
    net = derivation.network
    text = "Each weight is on its edge; the bias inputs 1 (dashed) feed every layer."
    if net.weights is None:
        text = "Each weight is named on its edge (the spec has no values); the bias inputs 1 (dashed) feed every layer."
    if any(size > MAX_UNITS_DRAWN for size in net.sizes):
        text += (
            f" Layers wider than {MAX_UNITS_DRAWN} units show their first {FIRST_UNITS_DRAWN}"
            " and last two units; the others and their edges are left out."
        )
    drawn = [len(_drawn_units(s)[0]) for s in net.sizes]
    if sum(drawn[j] * (drawn[j - 1] + 1) for j in range(1, len(drawn))) > MAX_LABELLED_EDGES:
        text += f" With more than {MAX_LABELLED_EDGES} edges drawn, the weights are not labelled."
    return text



def _ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if not top > 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [step * k for k in range(math.ceil(top / step - 1e-9) + 1)]


def _tick_text(value: float) -> str:
    return f"{value:g}"


def logarithmic(losses) -> bool:
    """Whether ε spans more than two decades, so that its curve needs a log axis.

    Examples
    --------
    >>> logarithmic([15.9, 0.5, 0.0014]), logarithmic([1.34, 0.51])
    (True, False)
    """
    values = np.asarray(losses, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    return bool(values.size > 1 and values.max() > 100 * values.min())


def _decade(power: int) -> str:
    """A decade tick's text: 10 with its exponent raised."""
    exponent = MINUS + str(-power) if power < 0 else str(power)
    return f'10<tspan dy="-5" font-size="75%">{exponent}</tspan>'


def training_curve(losses, width: int = 640, height: int = 300) -> str:
    """ε per epoch as an SVG line plot with axes, ticks and labels.

    The ε axis is logarithmic, with a tick per decade, when ε spans more than
    two decades (:func:`logarithmic`): on a linear axis such a run is a spike
    and a flat line.

    Parameters
    ----------
    losses : sequence of float
        ε after each epoch, the first before any update.
    """
    losses = np.asarray(losses, dtype=float)
    epochs = len(losses) - 1
    log = logarithmic(losses)
    # a log axis has no place for ε <= 0: such epochs are gaps, like infinities
    finite = np.isfinite(losses) & (losses > 0 if log else True)
    left, right, top, bottom = 64, 20, 20, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    x_ticks = _ticks(max(epochs, 1), count=6)
    x_max = x_ticks[-1]
    if log:
        low = math.floor(math.log10(losses[finite].min()))
        high = math.ceil(math.log10(losses[finite].max()))
        y_ticks = [(10.0**p, _decade(p)) for p in range(low, high + 1)]

        def height_of(value):
            return (math.log10(value) - low) / (high - low)

    else:
        values = _ticks(float(losses[finite].max()) if finite.any() else 1.0)
        y_ticks = [(v, _tick_text(v)) for v in values]

        def height_of(value):
            return value / values[-1]

    def px(epoch):
        return left + plot_w * epoch / x_max

    def py(value):
        return top + plot_h * (1 - height_of(value))

    # at most about a thousand points: every k-th epoch and the last
    step = max(1, epochs // 1000)
    shown = sorted(set(range(0, epochs + 1, step)) | {epochs})
    segments, current = [], []
    for e in shown:
        if finite[e]:
            current.append(f"{px(e):.1f},{py(losses[e]):.1f}")
        elif current:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    scale = "log" if log else "linear"
    parts = [
        (f'<svg class="training" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" style="{_FONT}" data-scale="{scale}">'),
        "<title>\u03b5 summed over the data set, per epoch</title>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fbfbfb" stroke="#999"/>',
    ]
    for value, text in y_ticks:
        y = py(value)
        parts.append(
            f'<line x1="{left - 5}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text class="tick" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">'
            f"{text}</text>"
        )
    for value in x_ticks:
        x = px(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" stroke="#999"/>'
            f'<text x="{x:.1f}" y="{top + plot_h + 19}" text-anchor="middle" font-size="12">'
            f"{_tick_text(value)}</text>"
        )
    for points in segments:
        parts.append(
            f'<polyline class="loss" fill="none" stroke="#c0392b" stroke-width="2" '
            f'points="{" ".join(points)}"/>'
        )
    axis = '\u03b5 <tspan font-style="normal" font-size="12">(log scale)</tspan>' if log else "\u03b5"
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle" font-size="13">epoch</text>'
        f'<text class="axis" x="16" y="{top + plot_h / 2}" text-anchor="middle" font-size="15" '
        f'font-style="italic" transform="rotate(-90 16 {top + plot_h / 2})">{axis}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
