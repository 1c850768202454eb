"""The whitelist parser of custom activations: what it builds, what it refuses, what it never calls."""

import builtins
import importlib

import pytest
import sympy as sp
import sympy.parsing.sympy_parser

from derive import expression
from derive.activations import sigmoid, softplus
from derive.expression import (
    MAX_LENGTH,
    MAX_NESTING,
    MAX_NUMBER,
    ExpressionError,
    X,
    parse,
)

x = X

# text, the exact SymPy expression (== is structural equality)
ACCEPTED = [
    ("x/(1 + abs(x))", x / (sp.Abs(x) + 1)),
    # log(1 + e^x) and 1/(1 + e^-x) are named, so that they print in stable forms
    ("x*tanh(log(1+exp(x)))", x * sp.tanh(softplus(x))),
    ("x/(1 + exp(-x))", x * sigmoid(x)),
    ("log(exp(2*x) + 1)", softplus(2 * x)),
    # ** binds tighter than unary minus: -(x²), not (−x)²
    ("-x**2", -(x**2)),
    ("(-x)**2", x**2),
    # the exponent is a unary, so a sign may follow **
    ("2*x**-1", 2 / x),
    ("-x**-1", -1 / x),
    # ** is right-associative: x**(2**2)
    ("x**2**2", x**4),
    ("x**-2**2", x ** (-4)),
    ("2**x", 2**x),
    ("x**0.5", sp.sqrt(x)),
    ("sqrt(x)", sp.sqrt(x)),
    ("x**16", x**16),
    ("x**-16", x ** (-16)),
    # * / + - are left-associative
    ("x/2/2", x / 4),
    ("x/2*2", x),
    ("x - 1 - 1", x - 2),
    ("--x", x),
    ("+x", x),
    ("sigmoid(x)", sigmoid(x)),
    ("softplus(2*x)", softplus(2 * x)),
    ("sin(x) + cos(x)", sp.sin(x) + sp.cos(x)),
    ("exp(-x)*log(1 + x**2)", sp.exp(-x) * sp.log(1 + x**2)),
    # numbers are exact rationals, never floats
    ("1.5e2*x", 150 * x),
    (".25*x + 2.", x / 4 + 2),
    ("0.1*x", sp.Rational(1, 10) * x),
    (f"{MAX_NUMBER}*x", MAX_NUMBER * x),
    (" x\t+\n1 ", x + 1),
    ("x", x),
    ("(" * (MAX_NESTING - 1) + "x" + ")" * (MAX_NESTING - 1), x),
    ("x" + " " * (MAX_LENGTH - 1), x),
]


@pytest.mark.parametrize("text, expected", ACCEPTED, ids=[row[0].strip()[:40] for row in ACCEPTED])
def test_accepted_expressions_build_the_exact_sympy_expression(text, expected):
    got = parse(text)
    assert got == expected, sp.srepr(got)
    assert not got.has(sp.Float)


def test_x_is_the_real_symbol_x():
    assert X.name == "x" and X.is_real
    assert parse("x").is_real


HOSTILE = 'x"); import os; os.system("touch PWNED") #'
DEEP = "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1)

# text, words the message must contain (the offending token where there is one)
REJECTED = [
    (HOSTILE, "unexpected '\"' at position 2"),
    ("__import__('os')", "unknown name '__import__' at position 1"),
    ("lambda: 0", "unknown name 'lambda'"),
    ("x.__class__", "unexpected '.' at position 2"),
    ("().__class__", "unexpected '.' at position 3"),
    ("x[0]", "unexpected '[' at position 2"),
    ("2^x", "unexpected '^' at position 2"),
    ("exp x", "expected '(' at position 5, got 'x'"),
    ("x x", "unexpected 'x' at position 3"),
    ("x+", "unexpected end of expression"),
    ("exp(x", "unexpected end of expression"),
    ("x)", "unexpected ')' at position 2"),
    ("*x", "unexpected '*' at position 1"),
    ("x,x", "unexpected ',' at position 2"),
    ("x;x", "unexpected ';' at position 2"),
    ("x\x00", "unexpected '\\x00' at position 2"),
    ("X", "unknown name 'X'"),
    ("pi*x", "unknown name 'pi'"),
    ("e**x", "unknown name 'e'"),
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("\uff58", "unexpected '\uff58' at position 1"),  # fullwidth x
    ("\u0445", "unexpected '\u0445' at position 1"),  # Cyrillic ha, looks like x
    ("x + \u0445", "unexpected '\u0445' at position 5"),
    ("x" + "+x" * (MAX_LENGTH // 2), f"longer than {MAX_LENGTH} characters"),
    (DEEP, f"nested deeper than {MAX_NESTING} levels"),
    (
        "exp(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1),
        f"nested deeper than {MAX_NESTING}",
    ),
    ("-" * (MAX_NESTING + 1) + "x", f"nested deeper than {MAX_NESTING}"),
    ("(" * (MAX_LENGTH - 1) + "x", f"nested deeper than {MAX_NESTING}"),
    ("x**17", "exponents of at most 16"),
    ("x**-17", "exponents of at most 16"),
    ("exp(x)**100", "exponents of at most 16"),
    ("x**(2*9)", "exponents of at most 16"),
    ("1e999*x", f"number '1e999' at position 1 exceeds {MAX_NUMBER}"),
    (f"x + {MAX_NUMBER + 1}", f"number '{MAX_NUMBER + 1}' at position 5 exceeds"),
    ("1+2", "must use x"),
    ("0*x", "must use x"),
    ("1/(x-x)", "must use x"),
    ("log(0*x)", "must use x"),
    ("x/0", "not finite"),
    ("x*0**-1", "not finite"),
    # complex for real x: the expression, or only its slope (i π (−1)^x)
    ("x*(-1)**(1/2)", "not real: it or its slope has the imaginary unit i"),
    ("log(-1)*x", "not real"),
    ("(-1)**x", "not real"),
    ("log(x**(-1)**x)", "not real"),
]


@pytest.mark.parametrize("text, words", REJECTED, ids=[repr(row[0][:30]) for row in REJECTED])
def test_rejected_expressions_name_the_offending_token(text, words):
    with pytest.raises(ExpressionError) as error:
        parse(text)
    message = str(error.value)
    assert words in message
    assert "\n" not in message


def test_the_hostile_expression_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExpressionError):
        parse(HOSTILE)
    with pytest.raises(ValueError, match="unexpected '\"'"):
        expression.activation(HOSTILE)
    assert list(tmp_path.iterdir()) == []


# Nested powers must not fold past the bounds: SymPy turns (x**16)**16 into x**256
# and evaluates a power of numbers exactly (six levels of (1000000**16) take minutes).
FOLDED_POWERS = [
    "((x**16)**16)**16",
    "x*(((1000000**16)**16)**16)",
]


@pytest.mark.parametrize("text", FOLDED_POWERS)
def test_nested_powers_stay_within_the_bounds(text):
    with pytest.raises(ExpressionError):
        parse(text)


def test_parse_reaches_no_eval_exec_sympify_or_parse_expr(monkeypatch):
    calls = []

    def refuse(name):
        def refused(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} called")

        return refused

    # sympy.core.sympify the module, not the function of the same name it exports
    module = importlib.import_module("sympy.core.sympify")
    original = module.sympify

    def sympify_without_text(a, *args, **kwargs):
        # SymPy's arithmetic converts its operands with sympify; text must never get there.
        if isinstance(a, str):
            calls.append("sympify(str)")
            pytest.fail("sympify called with text")
        return original(a, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", refuse("eval"))
    monkeypatch.setattr(builtins, "exec", refuse("exec"))
    monkeypatch.setattr(sympy, "sympify", refuse("sympy.sympify"))
    monkeypatch.setattr(module, "sympify", sympify_without_text)
    monkeypatch.setattr(sympy, "parse_expr", refuse("sympy.parse_expr"))
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse("parse_expr"))
    texts = [row[0] for row in ACCEPTED[:12]] + ["x*sigmoid(x) - 0.5", "softplus(x)**2/3"]
    parsed = [parse(text) for text in texts]
    monkeypatch.undo()
    assert calls == []
    assert all(expr.has(X) for expr in parsed)
