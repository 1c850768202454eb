"""The worked example reads back: every formula printed with numbers gives the number it states.

For every hidden activation × loss of the registry (with weights and an example
drawn for it), custom expressions, the example specs and the seed under other
losses and activations, each row of the worked example is cut at its ``=``
signs and each side is parsed back with SymPy's LaTeX parser
(:mod:`tests.readback`).  A row's formula must give its result within the
rounding of the numbers shown, and the result must be a number or a tuple of
numbers: no symbol survives.  LaTeX is checked at 3 and 7 decimals; the
Markdown must hold the LaTeX's very rows, and the HTML's MathML must read back
to the same numbers.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import random

import pytest
import sympy as sp
from lark.exceptions import LarkError

from derive import Derivation, Network, seed
from derive.explain.html import report
from derive.explain.latex import explain
from derive.explain.markdown import markdown
from derive.network import Example, load_spec
from tests.readback import evaluate, is_result, latex_rows, mathml_rows
from tests.test_architectures import HIDDEN, LOSSES, MISH, SHORT, SOFTSIGN
from tests.test_codegen import ROOT

CUSTOM = ["x/sqrt(1 + x**2)", "log(1 + exp(x))", "x*cos(x)", "2**x"]
SHORT = {**SHORT, CUSTOM[0]: "isru", CUSTOM[1]: "softplus-expr", CUSTOM[2]: "xcos", CUSTOM[3]: "pow2"}


def drawn(hidden: str, loss: str, output: str, layers: str) -> Network:
    """A network of the table with weights and an example drawn for it (the same each run)."""
    sizes = tuple(int(n) for n in layers.split("-"))
    rng = random.Random(f"{hidden}|{loss}|{output}")
    choices = [-3, -2, -1, -0.5, 0.5, 1, 1.5, 2, 3]
    weights = tuple(
        tuple(tuple(rng.choice(choices) for _ in range(m + 1)) for _ in range(n))
        for m, n in itertools.pairwise(sizes)
    )
    x = tuple(float(rng.choice([0, 1])) for _ in range(sizes[0]))
    if output == "softmax":
        k = rng.randrange(sizes[-1])
        y = tuple(float(i == k) for i in range(sizes[-1]))
    else:
        y = tuple(float(rng.choice([0, 1])) for _ in range(sizes[-1]))
    return Network(sizes, (hidden, output), loss, name="net", weights=weights, example=Example(x, y, 0.5))


def _specs() -> dict[str, Network]:
    specs = {p.stem: load_spec(p) for p in sorted((ROOT / "derive" / "networks").glob("*.toml"))}
    specs["seed-bce"] = dataclasses.replace(seed(), loss="binary_cross_entropy")
    specs["seed-softplus"] = dataclasses.replace(seed(), activations=("softplus", "sigmoid"))
    specs["seed-softsign"] = dataclasses.replace(seed(), activations=(SOFTSIGN, "sigmoid"))
    return specs


SPECS = _specs()
CASES = [
    pytest.param(("table", hidden, *row[:3]), id=f"{SHORT.get(hidden, hidden)}-{row[0]}-{row[1]}")
    for hidden, row in itertools.product(HIDDEN + CUSTOM, LOSSES)
] + [pytest.param(("spec", name), id=name) for name in SPECS]


@functools.cache
def derivation(case: tuple) -> Derivation:
    net = SPECS[case[1]] if case[0] == "spec" else drawn(*case[1:])
    return Derivation(net)


def unit_rows(d: Derivation) -> int:
    """How many rows the example shows: a δ, a gradient and an update per shown unit."""
    from derive.explain.phrases import shown_units

    return 3 * sum(len(shown_units(n)[0]) for n in d.sizes[1:])


def check(rows: list[tuple[str, list[str]]], digits: int) -> list[str]:
    """Each row's formulas against its result; the problems found, one line each."""
    problems = []
    for left, sides in rows:
        if len(sides) < 2:
            problems.append(f"{left}: no formula = result in {sides}")
            continue
        if not is_result(sides[-1]):
            problems.append(f"{left}: the result {sides[-1]!r} is not a number or tuple of numbers")
            continue
        try:
            result = evaluate(sides[-1], digits)
            formulas = [(side, evaluate(side, digits)) for side in sides[:-1]]
        except (ValueError, TypeError, LarkError) as error:  # each says what it could not read
            problems.append(f"{left}: does not read back: {type(error).__name__}: {error}")
            continue
        for side, values in formulas:
            if len(values) != len(result):
                problems.append(f"{left}: {side!r} has {len(values)} components, the result {len(result)}")
                continue
            for k, (value, stated) in enumerate(zip(values, result)):
                # the shown numbers' rounding (first order, with room for the second)
                # and the result's own rounding
                allowed = 1.5 * value.bound + 0.5 * 10.0**-digits + 1e-12
                if abs(value.value - stated.value) > allowed:
                    problems.append(
                        f"{left}[{k}]: {side!r} gives {float(value.value):.6g},"
                        f" the row states {float(stated.value):.6g} (allowed ±{allowed:.2g})"
                    )
    return problems


@pytest.mark.parametrize("digits", [3, 7])
@pytest.mark.parametrize("case", CASES)
def test_latex_worked_example_reads_back(case, digits):
    d = derivation(case)
    rows = latex_rows(explain(d, digits))
    assert len(rows) == unit_rows(d)
    assert check(rows, digits) == []


@pytest.mark.parametrize("case", CASES)
def test_markdown_prints_the_latex_rows(case):
    d = derivation(case)
    assert latex_rows(markdown(d, 3)) == latex_rows(explain(d, 3))


@pytest.mark.parametrize("case", CASES)
def test_mathml_worked_example_reads_back(case):
    d = derivation(case)
    rows = mathml_rows(report(d, 3))
    assert len(rows) == unit_rows(d)
    assert check(rows, 3) == []


def test_the_check_catches_a_wrong_formula():
    # what the binary cross entropy's output δ used to print: 0/0.655 split into 0 · 0.655 · (−1)
    wrong = (
        r"\left(0 \cdot 0.655 \cdot \left(-1\right) - \left(1 - 0.655\right) \cdot \left(-1\right)"
        r" \cdot \left(1 - 0\right)\right) \cdot 0.655 \cdot \left(1 - 0.655\right)"
    )
    assert check([("delta", [wrong, "-0.655"])], 3) != []
    assert check([("delta", [r"\left(0 - 0.655\right) \cdot 0.655 \cdot \left(1 - 0.655\right)", "-0.148"])], 3) == []
    assert check([("delta", [r"0 - -0.998", "0.998"])], 3) != []  # unreadable: the parser refuses it
    assert check([("f", [r"\sigma\left(2\right)", r"\sigma\left(2\right)"])], 3) != []  # not a number


def test_a_symbol_in_a_formula_is_caught():
    with pytest.raises(ValueError, match="survive"):
        evaluate(r"0.5 \cdot y", 3)
    assert float(evaluate(r"\operatorname{softplus}\left(0\right)", 3)[0].value) == pytest.approx(float(sp.log(2)))


def test_mish_and_softsign_rows_are_in_the_table():
    ids = {p.id for p in CASES}
    assert {f"{SHORT[MISH]}-squared_error-sigmoid", f"{SHORT[SOFTSIGN]}-softmax_cross_entropy-softmax"} <= ids
