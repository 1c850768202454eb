r"""Test helpers: the worked example's printed maths read back and evaluated.

The product never parses what it prints; these helpers do, to check it.  A row
of the worked example reads ``left = formula = result`` (or ``left ← ...``);
:func:`latex_rows` and :func:`mathml_rows` return its sides as LaTeX text, and
:func:`evaluate` turns one side into numbers with SymPy's own LaTeX parser
(the lark backend), with a bound on what the rounding of the numbers it shows
can move it by.

The parser knows arithmetic, fractions, powers, roots and |·|.  The functions
the printers use beyond those (σ, tanh, softplus, relu, sign and 𝟏[u > 0], and
sin, cos and log, which the parser would read ``\cos(a) \cdot b`` as cos(ab)) are
applied here to their argument, itself read back with its bound.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import sympy as sp
from sympy.parsing.latex import parse_latex

_RESULT = re.compile(r"^-?\d+(?:\.\d+)?$")


# -- rows -------------------------------------------------------------------------


def latex_rows(text: str) -> list[tuple[str, list[str]]]:
    r"""The rows of the worked example in LaTeX or Markdown: ``(left, sides)``.

    A continuation line (an empty left side, e.g. ``&\quad + ...``) continues
    the row above it.
    """
    start = text.index("A worked example")
    rows: list[list[str]] = []
    for body in re.findall(r"\\begin\{(?:align|aligned)\}(.*?)\\end\{(?:align|aligned)\}", text[start:], re.DOTALL):
        for line in body.split("\n"):
            line = re.sub(r"\\label\{[^}]*\}|\\tag\{[^}]*\}|\\notag|\\qquad \\text\{\([^)]*\)\}", "", line)
            # a row ends in \\, or \\* where the next row continues it
            line = re.sub(r"\\\\\*?$", "", line.strip()).strip()
            if "&" not in line:
                continue
            left, right = (part.strip() for part in line.split("&", 1))
            if left or not rows:
                rows.append([left, right])
                continue
            right = re.sub(r"^(?:\\q?quad\s*)+", "", right).strip()
            if right.startswith("{") and right.endswith("}"):
                right = right[1:-1]  # a vector's next numbers, grouped away from the alignment
            rows[-1][1] += " " + right
    return [(left, _split_relations(right)) for left, right in rows]


def _split_relations(right: str) -> list[str]:
    """``= a = b`` or ``\\leftarrow a = b`` as ``[a, b]``."""
    right = right.strip().removeprefix("=").removeprefix(r"\leftarrow").strip()
    return [side.strip() for side in right.split(" = ")]


def mathml_rows(page: str) -> list[tuple[str, list[str]]]:
    """The rows of the worked example in the HTML report, each side rewritten as LaTeX."""
    start = page.index("A worked example</h2>")
    end = page.find("<h2>", start)
    tree = _Tree()
    tree.feed(page[start : end if end > 0 else None])
    rows: list[list[str]] = []
    for tr in tree.root.find_all("tr"):
        cells = {td.attrs.get("class"): td for td in tr.children if td.tag == "td"}
        right = cells.get("right")
        if right is None or not right.find_all("math"):
            continue
        (math,) = right.find_all("math")
        text = _latex_of(math.children)
        if cells["left"].find_all("math") or not rows:
            rows.append(["mathml", text])
        else:
            rows[-1][1] += " " + text
    return [(left, _split_relations(right)) for left, right in rows]


@dataclass
class _Node:
    tag: str
    attrs: dict
    children: list
    text: str = ""

    def find_all(self, tag: str) -> list[_Node]:
        found = []
        for child in self.children:
            if child.tag == tag:
                found.append(child)
            found.extend(child.find_all(tag))
        return found


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, dict(attrs), [])
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def handle_endtag(self, tag):
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):
        self.stack[-1].text += data


_MATHML_FUNCTIONS = {"\u03c3": r"\sigma", "tanh": r"\tanh", "softplus": r"\operatorname{softplus}",
                     "sign": r"\operatorname{sign}", "log": r"\log", "relu": r"\operatorname{relu}",
                     "sin": r"\sin", "cos": r"\cos"}
_MATHML_OPERATORS = {"\u2212": "-", "\u00b7": r" \cdot ", "+": " + ", ",": ", ", "\u2061": " ",
                     ">": " > ", "=": " = ", "\u2190": r" \leftarrow "}


def _latex_of(nodes) -> str:
    """MathML presentation elements as the LaTeX the LaTeX printer would write."""
    out = []
    bars = 0
    for node in nodes:
        tag, kids = node.tag, node.children
        if tag == "mn":
            out.append(r"\mathbf{1}" if node.text == "\U0001d7cf" else node.text)
        elif tag == "mi":
            text = node.text
            out.append(_MATHML_FUNCTIONS.get(text, "e" if text in ("\u2147", "e") else text))
        elif tag == "mo":
            text = node.text
            if text == "|":
                out.append(r"\left|" if bars % 2 == 0 else r"\right|")
                bars += 1
            elif text in ("(", ")"):
                out.append(text)  # paired up by the mrow that holds them
            elif text in ("[", "]"):
                out.append(r"\left[" if text == "[" else r"\right]")
            else:
                out.append(_MATHML_OPERATORS.get(text, text))
        elif tag == "mrow":
            if len(kids) >= 2 and kids[0].tag == "mo" and kids[0].text == "(" and kids[-1].tag == "mo":
                inner = kids[1:-1]
                tuple_ = any(c.tag == "mo" and c.text == "," for k in inner for c in [k, *k.children])
                body = _latex_of(inner)
                out.append(f"({body})" if tuple_ else rf"\left({body}\right)")
            else:
                out.append(_latex_of(kids))
        elif tag == "mfrac":
            out.append(rf"\frac{{{_latex_of([kids[0]])}}}{{{_latex_of([kids[1]])}}}")
        elif tag == "msup" and kids[0].tag == "mi" and kids[0].text in _MATHML_FUNCTIONS:
            out.append(rf"{_latex_of([kids[0]])}^{{{_latex_of([kids[1]])}}}")  # tanh²(u)
        elif tag == "msup":
            out.append(rf"{{{_latex_of([kids[0]])}}}^{{{_latex_of([kids[1]])}}}")
        elif tag == "msqrt":
            out.append(rf"\sqrt{{{_latex_of(kids)}}}")
        elif tag == "mspace":
            continue
        else:
            raise ValueError(f"no LaTeX for MathML <{tag}> in a worked example")
    return "".join(out)


# -- evaluation -------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One component of a side: its value and how far rounding its numbers may move it."""

    value: sp.Float
    bound: float


def is_result(side: str) -> bool:
    """Whether a side is a number or a tuple of numbers, as a row's result must be."""
    side = side.strip()
    items = side[1:-1].split(",") if side.startswith("(") and side.endswith(")") else [side]
    return all(_RESULT.match(item.strip()) for item in items)


def evaluate(side: str, digits: int) -> list[Value]:
    """Each component of a side (a number, or a tuple combined componentwise).

    ``bound`` is the first-order effect of rounding every number shown to
    ``digits`` decimals (exact powers aside): Σ |∂F/∂a| · ½·10^−digits.
    """
    return [_evaluate_scalar(text, digits) for text in _components(side)]


def _components(side: str) -> list[str]:
    """A side with tuples ``(a, b, c)`` as one text per component."""
    spans = _tuples(side)
    if not spans:
        return [side]
    items = [[p.strip() for p in _top_level_split(side[a + 1 : b])] for a, b in spans]
    sizes = {len(i) for i in items}
    if len(sizes) != 1:
        raise ValueError(f"tuples of different lengths in {side!r}")
    out = []
    for k in range(sizes.pop()):
        text, last = "", 0
        for (a, b), parts in zip(spans, items):
            text += side[last:a] + rf"\left({parts[k]}\right)"
            last = b + 1
        out.append(text + side[last:])
    return out


def _tuples(text: str) -> list[tuple[int, int]]:
    """Spans of the bare parentheses (not ``\\left(``) at the top level: the printed tuples."""
    spans, depth, start = [], 0, None
    for m in re.finditer(r"\\left\(|\\right\)|\\left\[|\\right\]|\(|\)", text):
        token = m.group()
        if token in (r"\left(", r"\left["):
            depth += 1
        elif token in (r"\right)", r"\right]"):
            depth -= 1
        elif token == "(" and depth == 0:
            start = m.start()
        elif token == ")" and depth == 0 and start is not None:
            spans.append((start, m.start()))
            start = None
    return spans


def _top_level_split(text: str) -> list[str]:
    parts, depth, last = [], 0, 0
    for m in re.finditer(r"\\left[(\[|]|\\right[)\]|]|[{}]|,", text):
        token = m.group()
        if token.startswith(r"\left") or token == "{":
            depth += 1
        elif token.startswith(r"\right") or token == "}":
            depth -= 1
        elif depth == 0:
            parts.append(text[last : m.start()])
            last = m.end()
    return [*parts, text[last:]]


def _balanced(text: str, start: int) -> int:
    """The index just past the \\right that closes the \\left at ``start``."""
    depth = 0
    for m in re.finditer(r"\\left|\\right", text[start:]):
        depth += 1 if m.group() == r"\left" else -1
        if depth == 0:
            return start + m.end() + 1
    raise ValueError(f"unbalanced \\left in {text!r}")


_FUNCTION = re.compile(
    r"(\\sigma|\\tanh|\\sin|\\cos|\\log|\\operatorname\{(?:softplus|sign|relu)\}|\\mathbf\{1\}(?=\\left\[))(?:\^\{(\d+)\})?"
)
#: σ, tanh, sin, cos, log, softplus, relu, sign and 𝟏[u > 0], each with its derivative.
_FUNCTIONS = {
    r"\sigma": (lambda u: 1 / (1 + sp.exp(-u)), lambda u: sp.exp(-u) / (1 + sp.exp(-u)) ** 2),
    r"\tanh": (sp.tanh, lambda u: 1 - sp.tanh(u) ** 2),
    r"\sin": (sp.sin, sp.cos),
    r"\cos": (sp.cos, lambda u: -sp.sin(u)),
    r"\log": (sp.log, lambda u: 1 / u),
    r"\operatorname{softplus}": (lambda u: sp.log(1 + sp.exp(u)), lambda u: 1 / (1 + sp.exp(-u))),
    r"\operatorname{relu}": (lambda u: sp.Max(u, 0), lambda u: sp.Integer(1 if u > 0 else 0)),
    r"\operatorname{sign}": (sp.sign, lambda u: sp.S.Zero),
    r"\mathbf{1}": (lambda u: sp.Integer(1 if u > 0 else 0), lambda u: sp.S.Zero),
}


def _functions_out(text: str, digits: int, found: list[Value]) -> str:
    """The text with each function application evaluated, as a marker ``@k@``.

    ``found[k]`` is the application's value and the bound on it that the
    rounding of its argument's numbers gives (the argument's bound times |f'|).
    Arguments are ``\\left(u\\right)``, in braces or not (SymPy writes
    ``\\tanh^{2}{\\left(u \\right)}``); a power such as ^{2} may follow the name.
    """
    m = _FUNCTION.search(text)
    if m is None:
        return text
    name, power = m.group(1), m.group(2)
    open_ = text.find(r"\left", m.end())
    if open_ < 0 or text[m.end() : open_].strip("{ "):
        raise ValueError(f"{name} without an argument in {text!r}")
    close = _balanced(text, open_)
    inner = text[open_ + len(r"\left") + 1 : close - len(r"\right") - 1]
    after = close + (1 if text[m.end() : open_].strip() == "{" else 0)
    if name == r"\mathbf{1}":
        inner = inner.removesuffix("> 0").strip()
    u = _evaluate_scalar(inner, digits)
    function, slope = _FUNCTIONS[name]
    value = sp.Float(function(u.value).evalf(40), 40)
    found.append(Value(value, float(abs(slope(u.value)).evalf(20)) * u.bound))
    marker = f"@{len(found) - 1}@"
    new = rf"\left({marker}\right)^{{{power}}}" if power else marker
    return text[: m.start()] + new + _functions_out(text[after:], digits, found)


def _evaluate_scalar(text: str, digits: int) -> Value:
    functions: list[Value] = []
    text = _functions_out(text, digits, functions)
    stand_ins, pieces, last = [], [], 0
    # a number in parentheses with its sign, (-0.148), is one stand-in: sides that differ
    # only in signs then share a shape
    for m in re.finditer(
        r"@(\d+)@|\^\{-?\d+(?:\.\d+)?\}|\\left\((-\d+(?:\.\d+)?)\\right\)|\d+(?:\.\d+)?", text
    ):
        if m.group().startswith("^"):
            continue  # an exact power such as ^{2} or ^{1.5}: not a rounded number
        if m.group(1) is not None:
            value = functions[int(m.group(1))]
        else:
            value = Value(sp.Float(m.group(2) or m.group(), 40), 0.5 * 10.0**-digits)
        pieces += [text[last : m.start()], _name(len(stand_ins))]
        stand_ins.append(value)
        last = m.end()
    pieces.append(text[last:])
    expr, slopes = _parsed(re.sub(r"\s+(?![a-zA-Z])|(?<![a-zA-Z])\s+", "", "".join(pieces)))
    values = {sp.Symbol(_name(k), real=True): v.value for k, v in enumerate(stand_ins)}
    value = sp.Float(expr.xreplace(values).evalf(40), 40)
    bound = 0.0
    for z, slope in slopes:
        bound += float(abs(slope.xreplace(values).evalf(20))) * stand_ins[int(_index(z))].bound
    return Value(value, bound)


#: Letters for the numbers' stand-ins (the parser takes one-character subscripts only; e is Euler's).
_LETTERS = "abcdfghjkmnpqrstuvwxyz"


def _name(k: int) -> str:
    """The stand-in of the k-th number of a side: a_{0} ... a_{9}, b_{0} ..."""
    return f"{_LETTERS[k // 10]}_{{{k % 10}}}"


def _index(z: sp.Symbol) -> int:
    return 10 * _LETTERS.index(z.name[0]) + int(z.name[3])


@functools.cache
def _parsed(text: str) -> tuple[sp.Expr, tuple[tuple[sp.Symbol, sp.Expr], ...]]:
    """A side with its numbers as stand-in symbols, parsed, and its derivative in each.

    Sides of one shape (the same formula with other numbers) parse once.
    """
    expr = parse_latex(text, backend="lark")
    if not isinstance(expr, sp.Expr):
        raise ValueError(f"{text!r} does not read back as one expression: {expr}")  # noqa: TRY004
    expr = expr.subs(sp.Symbol("e"), sp.E)
    stray = {z for z in expr.free_symbols if not re.fullmatch(r"[a-z]_\{\d\}", z.name)}
    if stray:
        raise ValueError(f"symbols {stray} survive in {text!r}")
    # real stand-ins, so that d|a|/da is sign(a)
    expr = expr.xreplace({z: sp.Symbol(z.name, real=True) for z in expr.free_symbols})
    return expr, tuple((z, sp.diff(expr, z)) for z in expr.free_symbols)
