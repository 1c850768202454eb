r"""Marking a student's numbers for one backprop step, the first wrong step and its slip named.

An answers file names a spec (the problem: weights and a worked example) and
gives any of the quantities of the step, named as in the generated module::

    spec = "ex7.toml"
    [answers]
    g1 = [2, 0]
    f = [0.655]
    delta2 = [-0.148]
    W2 = [[2.87, -2.074, -1.148]]

:func:`grade` goes through the quantities in the order of computation (the
forward pass, every δ from the output back, then each layer's gradient and
updated weights) and recomputes each from the student's own earlier numbers
(error carried forward).  A value is ``ok`` when it is the true one, ``ok
(carried)`` when it is right given the student's numbers, and ``wrong``
otherwise; for a wrong value each slip of :data:`SLIPS` is tried from the
student's numbers and the first that reproduces it is named.  "Right" means
within the rounding of 3 decimals propagated from the numbers it is computed
from: half a unit of the last decimal, plus |∂q/∂u| times the uncertainty of
each earlier quantity u (half a unit where the student gave u, else u's own).

Every formula is the derivation's (:class:`derive.derivation.Derivation`);
a slip is that formula changed, e.g. the target replaced by 1.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from derive.derivation import Derivation
from derive.network import Network, SpecError, load_spec, seed

#: Half a unit of the third decimal: the rounding of a hand computation.
HALF = 0.0005
#: The largest answers file read.
MAX_BYTES = 2**20
_NAME = re.compile(r"(g|s|delta|dW|W)([1-9][0-9]{0,2})\Z")


@dataclass(frozen=True)
class Slip:
    """One slip of the catalog: its identifier and what the student did."""

    identifier: str
    description: str


#: The slips tried on a wrong value, in the order they are tried.
SLIPS = (
    Slip("target-as-one", "the output δ with 1 in place of the target y"),
    Slip("no-slope", "the output δ without the activation's slope, (y − f) alone"),
    Slip("wrong-weight", "a hidden δ with δ_k·w_ik (indices transposed) or another unit's weights"),
    Slip("updated-weights", "a hidden δ with the next layer's weights after their update"),
    Slip("sign", "the update W − c·δ·X in place of W + c·δ·X"),
    Slip("factor-two", "the update W + 2c·δ·X (the factor 2 of ∂ε/∂W kept on top of c)"),
    Slip("no-bias", "the bias weight left unchanged (the constant input 1 forgotten)"),
    Slip("pre-activation", "the previous layer's g as the input X of an update, in place of s"),
)
SLIP_TEXT = {slip.identifier: slip.description for slip in SLIPS}


class AnswersError(SpecError):
    """An answers file that cannot be graded, with a message naming why."""


@dataclass(frozen=True)
class Quantity:
    """One named quantity of the step: ``g1``, ``f``, ``delta2``, ``dW1``, ``W2``.

    ``symbols`` are what later formulas call its entries (row by row for a
    matrix); ``formulas`` compute them from the problem and earlier quantities.
    """

    name: str
    kind: str
    layer: int
    shape: tuple[int, ...]
    symbols: tuple
    formulas: tuple


@dataclass(frozen=True)
class Row:
    """One row of the report: what was given, what is right, and the verdict."""

    name: str
    given: tuple
    expected: tuple
    carried: tuple
    verdict: str
    slip: str | None = None
    shape: tuple[int, ...] = ()


@dataclass(frozen=True)
class Report:
    """The marked answers, one row per quantity given, in the order of computation."""

    rows: tuple[Row, ...]
    spec: str
    network: Network
    student: str = ""

    @property
    def exit_code(self) -> int:
        """0 when every answer is right, 1 when any is wrong."""
        return 1 if any(r.verdict == "wrong" for r in self.rows) else 0


def quantities(d: Derivation) -> list[Quantity]:
    """Every quantity of one step, in the order of computation."""
    n, L = d.names, d.depth
    out = []
    for j in range(1, L + 1):
        units = list(d.units(j))
        out.append(Quantity(f"g{j}", "g", j, (len(units),),
                            tuple(n.preactivation(j, i) for i in units),
                            tuple(d.preactivation(j, i) for i in units)))
        name = "f" if j == L else f"s{j}"
        out.append(Quantity(name, "s", j, (len(units),),
                            tuple(n.output(j, i) for i in units),
                            tuple(d.output(j, i) for i in units)))
    for j in range(L, 0, -1):
        units = list(d.units(j))
        out.append(Quantity(f"delta{j}", "delta", j, (len(units),),
                            tuple(n.delta(j, i) for i in units),
                            tuple(d.delta(j, i) for i in units)))
    for j in range(L, 0, -1):
        rows, cols = d.network.weight_shapes[j - 1]
        cells = [(i, k) for i in range(1, rows + 1) for k in range(1, cols + 1)]
        for kind, rule in (("dW", d.gradient), ("W", d.update)):
            out.append(Quantity(f"{kind}{j}", kind, j, (rows, cols),
                                tuple(sp.Dummy(f"{kind}{j}_{i}_{k}") for i, k in cells),
                                tuple(rule(j, i, k) for i, k in cells)))
    return out


def problem_values(network: Network, names) -> dict:
    """The problem's numbers: input, target, c and the weights, by symbol."""
    example = network.example
    values = {names.rate: sp.Float(example.c)}
    values.update({names.input(k): sp.Float(v) for k, v in enumerate(example.x, start=1)})
    values.update({names.target(i): sp.Float(v) for i, v in enumerate(example.y, start=1)})
    for j, matrix in enumerate(network.weights, start=1):
        for i, row in enumerate(matrix, start=1):
            for k, w in enumerate(row, start=1):
                values[names.weight(j, i, k)] = sp.Float(w)
    return values


def _value(expr, values: dict) -> float:
    return float(expr.xreplace(values).evalf(15))


class _Marker:
    """Evaluates formulas on the true numbers and on the student's, with tolerances.

    Against the true value an earlier quantity is uncertain by its own
    tolerance (a right answer may be off by that much); against the value
    computed from the student's numbers, a number the student gave is exact
    but for its rounding.
    """

    def __init__(self, d: Derivation):
        problem = problem_values(d.network, d.names)
        self.true, self.theirs = dict(problem), dict(problem)
        self.true_error: dict = {}
        self.their_error: dict = {}
        self.tainted: set = set()  # symbols whose student value is wrong or follows from one

    def tolerance(self, expr, true: bool = False) -> float:
        values, errors = (self.true, self.true_error) if true else (self.theirs, self.their_error)
        total = HALF
        for u in expr.free_symbols:
            if u in errors:
                total += abs(_value(sp.diff(expr, u), values)) * errors[u]
        return total * (1 + 1e-9) + 1e-12


def grade(network: Network, answers: dict, spec: str = "", student: str = "") -> Report:
    """Mark ``answers`` (name → nested lists of floats, validated) against the network's example.

    Examples
    --------
    >>> from derive.network import seed
    >>> report = grade(seed(), {"delta2": (0.078,), "delta1": (0.025, -0.039)})
    >>> [(r.name, r.verdict, r.slip) for r in report.rows]
    [('delta2', 'wrong', 'target-as-one'), ('delta1', 'ok (carried)', None)]
    """
    d = Derivation(network)
    marker = _Marker(d)
    rows = []
    for q in quantities(d):
        given = answers.get(q.name)
        flat = _flatten(given) if given is not None else None
        true, carried, tols = [], [], []
        for e, (symbol, formula) in enumerate(zip(q.symbols, q.formulas)):
            t, c = _value(formula, marker.true), _value(formula, marker.theirs)
            tol = marker.tolerance(formula)
            true.append(t), carried.append(c), tols.append((marker.tolerance(formula, True), tol))
            marker.true[symbol] = sp.Float(t)
            marker.true_error[symbol] = tols[-1][0]
            marker.theirs[symbol] = sp.Float(flat[e] if flat is not None else c)
            marker.their_error[symbol] = HALF if flat is not None else tol
        # a quantity computed from a wrong number is judged on the student's numbers first:
        # that it also lies near the true value would be a coincidence of the rounding
        tainted = any(f.free_symbols & marker.tainted for f in q.formulas)
        if flat is None:
            if tainted:
                marker.tainted.update(q.symbols)
            continue
        verdict, slip = _verdict(d, q, flat, true, carried, tols, marker, answers, tainted)
        if tainted or verdict != "ok":
            marker.tainted.update(q.symbols)
        rows.append(Row(q.name, tuple(flat), tuple(true), tuple(carried), verdict, slip, q.shape))
    return Report(tuple(rows), spec, network, student)


def _verdict(d, q, flat, true, carried, tols, marker, answers, tainted):
    close = [abs(g - t) <= tol for g, t, (tol, _) in zip(flat, true, tols)]
    theirs = [abs(g - c) <= tol for g, c, (_, tol) in zip(flat, carried, tols)]
    if tainted and all(theirs):
        return "ok (carried)", None
    if all(close):
        return "ok", None
    if all(a or b for a, b in zip(close, theirs)):
        return "ok (carried)", None
    best = None
    for slip in SLIPS:
        candidates = _slip(slip.identifier, d, q, answers)
        if candidates is None:
            continue
        # how far, in tolerances, the worst slipped entry lies from the value given, and
        # how many entries the slip would change that the student got right
        worst, matched, against = 0.0, False, 0
        for e, g in enumerate(flat):
            misses = [
                abs(g - _value(s, marker.theirs)) / marker.tolerance(s) for s in candidates[e]
            ]
            hit = bool(misses) and min(misses) <= 1
            if hit and not theirs[e]:
                matched, worst = True, max(worst, min(misses))
            elif not (theirs[e] or close[e] or hit):
                break
            elif misses and not hit:
                against += 1
        else:
            # two slips can give nearly the same numbers: name the one that explains more
            if matched and (best is None or (against, worst) < best[0]):
                best = ((against, worst), slip.identifier)
    return "wrong", best[1] if best else None


def _slip(identifier: str, d: Derivation, q: Quantity, answers: dict):
    """Per entry of ``q``, the formulas the slip gives (an empty list: the entry is unaffected).

    None where the slip does not apply to this quantity.
    """
    n, L, j = d.names, d.depth, q.layer
    if q.kind == "delta" and j == L:
        if identifier == "target-as-one":
            ones = {n.target(i): sp.Integer(1) for i in d.units(L)}
            return [[f.xreplace(ones)] for f in q.formulas]
        if identifier == "no-slope" and not d.delta_cancels():
            return [[d.delta_factors(L, i)[0]] for i in d.units(L)]
        return None
    if q.kind == "delta":
        if identifier == "wrong-weight":
            return [_wrong_weights(d, j, i) for i in d.units(j)]
        if identifier == "updated-weights":
            new = _updated(d, j + 1, answers)
            return [[f.xreplace(new)] for f in q.formulas]
        return None
    rows, cols = d.network.weight_shapes[j - 1]
    cells = [(i, k) for i in range(1, rows + 1) for k in range(1, cols + 1)]
    rule = d.update if q.kind == "W" else d.gradient
    if identifier == "sign":
        if q.kind == "W":
            return [[rule(j, i, k).xreplace({n.rate: -n.rate})] for i, k in cells]
        return [[-rule(j, i, k)] for i, k in cells]
    if identifier == "factor-two" and q.kind == "W":
        return [[rule(j, i, k).xreplace({n.rate: 2 * n.rate})] for i, k in cells]
    if identifier == "no-bias":
        kept = {i: n.weight(j, i, cols) if q.kind == "W" else sp.Integer(0) for i in d.units(j)}
        return [[kept[i]] if k == cols else [] for i, k in cells]
    if identifier == "pre-activation" and j > 1:
        swap = {n.output(j - 1, m): n.preactivation(j - 1, m) for m in d.units(j - 1)}
        return [[rule(j, i, k).xreplace(swap)] for i, k in cells]
    return None


def _wrong_weights(d: Derivation, j: int, i: int) -> list:
    """Hidden δ_i^{(j)} with weights from the wrong place: w_ik (transposed) or another unit's."""
    n = d.names
    slope = d.delta_factors(j, i)[0]
    above, here = d.sizes[j + 1], d.sizes[j]
    out = []
    if i <= above <= here:
        out.append(slope * sp.Add(*(n.delta(j + 1, k) * n.weight(j + 1, i, k) for k in d.units(j + 1))))
    for m in d.units(j):
        if m != i:
            out.append(slope * sp.Add(*(n.delta(j + 1, k) * n.weight(j + 1, k, m) for k in d.units(j + 1))))
    return out


def _updated(d: Derivation, j: int, answers: dict) -> dict:
    """Layer j's weights after the update: the student's where given, else the rule's."""
    n = d.names
    given = answers.get(f"W{j}")
    new = {}
    for i in d.units(j):
        for k in range(1, d.sizes[j - 1] + 2):
            value = sp.Float(given[i - 1][k - 1]) if given is not None else d.update(j, i, k)
            new[n.weight(j, i, k)] = value
    return new


def _flatten(value) -> list[float]:
    if isinstance(value, tuple | list):
        return [x for v in value for x in _flatten(v)]
    return [float(value)]


# -- the answers file --------------------------------------------------------


def read_answers(path: str | Path) -> tuple[Network, dict, str, str]:
    """Read and validate an answers file: the network, the answers, the spec's name, the student.

    Every problem is an :class:`AnswersError` naming the file, the field and
    what is accepted.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise AnswersError(f"{path}: larger than 1 MiB, too large an answers file")
        text = path.read_bytes().decode("utf-8")
        table = tomllib.loads(text)
    except FileNotFoundError:
        raise AnswersError(f"{path}: no such answers file") from None
    except UnicodeDecodeError:
        raise AnswersError(f"{path}: not a TOML file (not UTF-8 text)") from None
    except tomllib.TOMLDecodeError as error:
        raise AnswersError(f"{path}: not valid TOML ({error})") from None
    except OSError as error:
        raise AnswersError(f"{path}: cannot read ({error.strerror})") from None
    except (ValueError, RecursionError):
        raise AnswersError(f"{path}: not a usable TOML file") from None
    try:
        return _read_table(table, path)
    except AnswersError as error:
        raise AnswersError(f"{path}: {error}") from None


def _read_table(table: dict, path: Path):
    unknown = sorted(set(table) - {"spec", "answers", "student"})
    if unknown:
        raise AnswersError(f"unknown field {unknown[0][:40]!r} (accepted: answers, spec, student)")
    student = table.get("student", "")
    if not isinstance(student, str) or len(student) > 200:
        raise AnswersError("student: expected a name of at most 200 characters")
    spec = table.get("spec")
    if spec is None:
        network, label = seed(), "the seed"
    elif not isinstance(spec, str) or not spec:
        raise AnswersError("spec: expected the path of a spec file, relative to this file")
    else:
        network, label = load_spec(path.parent / spec), spec
    if network.weights is None or network.example is None:
        raise AnswersError(f"spec: {label} has no weights and [example]: nothing to grade against")
    answers = table.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise AnswersError("answers: missing or empty (a table such as [answers] f = [0.655])")
    return network, validate(answers, network), label, student


def validate(answers: dict, network: Network) -> dict:
    """The answers as tuples of floats, by canonical name; an :class:`AnswersError` if malformed."""
    L, out = network.depth, {}
    accepted = "g<j>, s<j>, f, delta<j>, W<j>, dW<j> with j from 1 to " + str(L)
    for key, value in answers.items():
        name = f"s{L}" if key == "f" else key
        match = _NAME.match(name)
        if match is None or not 1 <= int(match[2]) <= L:
            raise AnswersError(f"answers: unknown quantity {key[:40]!r} (accepted: {accepted})")
        kind, j = match[1], int(match[2])
        canonical = "f" if (kind, j) == ("s", L) else name
        if canonical in out:
            raise AnswersError(f"answers: f and s{L} are the same quantity; give one of them")
        if kind in ("W", "dW"):
            rows, cols = network.weight_shapes[j - 1]
            if rows == 1 and isinstance(value, list) and value and not isinstance(value[0], list):
                value = [value]
            if not isinstance(value, list) or len(value) != rows:
                raise AnswersError(f"answers.{key}: expected {rows} rows of {cols} numbers (bias last)")
            out[canonical] = tuple(_vector(f"answers.{key}", row, cols) for row in value)
        else:
            size = network.sizes[j]
            if size == 1 and not isinstance(value, list):
                value = [value]
            out[canonical] = _vector(f"answers.{key}", value, size)
    return out


def _vector(field: str, value, size: int) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != size:
        raise AnswersError(f"{field}: expected a list of {size} numbers")
    for v in value:
        bad = isinstance(v, bool) or not isinstance(v, int | float)
        if bad or not math.isfinite(v) or abs(v) > 1e6:
            raise AnswersError(f"{field}: expected numbers from -1e6 to 1e6, got {str(v)[:40]!r}")
    return tuple(float(v) for v in value)
