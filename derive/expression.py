"""A whitelist parser for custom activations written as an expression in ``x``.

``x/(1 + abs(x))`` or ``x*tanh(log(1 + exp(x)))`` become SymPy expressions
without ``eval``, ``exec``, ``sympify`` or ``parse_expr``: the text is split
into tokens that must each be a number, ``x``, an operator (+ - * / **), a
parenthesis or one of the named functions below, and a small recursive-descent
parser builds the expression from SymPy objects directly.  Anything else is an
:class:`ExpressionError` naming the offending token.

Grammar (``**`` binds tighter than unary minus and is right-associative)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("+" | "-") unary | power
    power   := atom ("**" unary)?
    atom    := NUMBER | "x" | NAME "(" sum ")" | "(" sum ")"
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction

import sympy as sp

from derive import activations
from derive.activations import Activation, named_forms

#: The named functions an expression may use.
FUNCTIONS = {
    "exp": sp.exp,
    "log": sp.log,
    "tanh": sp.tanh,
    "abs": sp.Abs,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
    # the registry's own functions that an expression may call by name
    **{a.name: a.apply for a in activations.ACTIVATIONS.values() if a.in_expressions},
}

#: Bounds that keep a hostile expression from hanging the derivation.
MAX_LENGTH = 200
MAX_NESTING = 16
MAX_NUMBER = 10**6
MAX_EXPONENT = 16

X = sp.Symbol("x", real=True)

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/()]))"
)


class ExpressionError(ValueError):
    """An expression outside the whitelist, with the offending token named."""


def _allowed() -> str:
    return "numbers, x, + - * / **, parentheses and " + ", ".join(FUNCTIONS)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """Tokens ``(kind, text, position)``; an ExpressionError at the first bad character."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].isspace():
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise ExpressionError(
                f"unexpected {bad!r} at position {len(text) - len(text[pos:].lstrip()) + 1} "
                f"(allowed: {_allowed()})"
            )
        kind = match.lastgroup
        token = (kind, match.group(kind), match.start(kind) + 1)
        if kind == "name" and token[1] != "x" and token[1] not in FUNCTIONS:
            raise ExpressionError(
                f"unknown name {token[1]!r} at position {token[2]} (allowed: {_allowed()})"
            )
        tokens.append(token)
        pos = match.end()
    return tokens


def parse(text: str) -> sp.Expr:
    """The SymPy expression of ``text``, a function of the symbol :data:`X`.

    Examples
    --------
    >>> parse("x/(1 + abs(x))")
    x/(Abs(x) + 1)
    >>> parse("2*x**2 - 0.5")
    2*x**2 - 1/2
    >>> try:
    ...     parse("__import__('os')")
    ... except ExpressionError as error:
    ...     print(error)
    unknown name '__import__' at position 1 (allowed: ...)
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression")
    if not text.isascii():
        pos, bad = next((p, ch) for p, ch in enumerate(text, 1) if not ch.isascii())
        raise ExpressionError(f"unexpected {bad!r} at position {pos} (allowed: {_allowed()})")
    parser = _Parser(tokenize(text))
    expr = parser.sum()
    if parser.peek() is not None:
        _kind, tok, pos = parser.peek()
        raise ExpressionError(f"unexpected {tok!r} at position {pos}")
    if not expr.has(X):
        raise ExpressionError("the expression must use x, the unit's pre-activation")
    expr = named_forms(expr)
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExpressionError("the expression is not finite")
    # √−1 x, log(−1) x or (−1)^x: complex where the network computes with real numbers
    if expr.has(sp.I) or sp.diff(expr, X).has(sp.I):
        raise ExpressionError("the expression is not real: it or its slope has the imaginary unit i")
    return expr


def _check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse a power before SymPy computes it, if it would break the bounds.

    SymPy merges (x**a)**b into x**(a*b) and works out powers of numbers
    exactly, so ((x**16)**16)**16 or 1000000**16**16 must be caught here, not
    after: computing them could take hours.
    """
    if not exponent.is_Number:
        return
    if abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"powers are limited to exponents of at most {MAX_EXPONENT}")
    if base.is_Pow and base.exp.is_Number and abs(base.exp * exponent) > MAX_EXPONENT:
        raise ExpressionError(
            f"powers are limited to exponents of at most {MAX_EXPONENT}, "
            f"and ({base})**{exponent} has {base.exp * exponent}"
        )
    if base.is_Number and base != 0:
        size = float(abs(exponent)) * math.log(float(abs(base)))
        if abs(size) > math.log(MAX_NUMBER):  # 10**-96 has as many digits as 10**96
            raise ExpressionError(f"number {base}**{exponent} is beyond 1/{MAX_NUMBER}..{MAX_NUMBER}")


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, text: str | None = None):
        token = self.peek()
        if token is None:
            raise ExpressionError("unexpected end of expression")
        if text is not None and token[1] != text:
            raise ExpressionError(f"expected {text!r} at position {token[2]}, got {token[1]!r}")
        self.i += 1
        return token

    def _nest(self):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(f"nested deeper than {MAX_NESTING} levels")

    def sum(self):
        self._nest()
        value = self.product()
        while self.peek() is not None and self.peek()[1] in "+-" and self.peek()[0] == "op":
            op = self.take()[1]
            right = self.product()
            value = value + right if op == "+" else value - right
        self.depth -= 1
        return value

    def product(self):
        value = self.unary()
        while self.peek() is not None and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            right = self.unary()
            value = value * right if op == "*" else value / right
        return value

    def unary(self):
        token = self.peek()
        if token is not None and token[1] in ("+", "-"):
            self.take()
            self._nest()
            value = self.unary()
            self.depth -= 1
            return -value if token[1] == "-" else value
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() is not None and self.peek()[1] == "**":
            self.take()
            self._nest()
            exponent = self.unary()
            self.depth -= 1
            _check_power(base, exponent)
            return base**exponent
        return base

    def atom(self):
        kind, tok, pos = self.take()
        if kind == "number":
            value = Fraction(tok)
            if abs(value) > MAX_NUMBER:
                raise ExpressionError(f"number {tok!r} at position {pos} exceeds {MAX_NUMBER}")
            return sp.Rational(value.numerator, value.denominator)
        if kind == "name":
            if tok == "x":
                return X
            self.take("(")
            argument = self.sum()
            self.take(")")
            return FUNCTIONS[tok](argument)
        if tok == "(":
            value = self.sum()
            self.take(")")
            return value
        raise ExpressionError(f"unexpected {tok!r} at position {pos}")


def activation(name: str) -> Activation:
    """An activation by registry name, or a custom one written as an expression in ``x``.

    Raises ``ValueError`` naming the problem: an unknown name lists the known
    ones; an expression outside the whitelist names the offending token.

    Examples
    --------
    >>> activation("tanh").title
    'hyperbolic tangent'
    >>> activation("x/(1 + abs(x))").apply(sp.Symbol("g"))
    g/(Abs(g) + 1)
    """
    if not isinstance(name, str) or name in activations.ACTIVATIONS or (
        name.isidentifier() and name != "x"
    ):
        return activations.get(name)
    return _custom(name)


@functools.cache
def _custom(text: str) -> Activation:
    expr = parse(text)
    return Activation(text, lambda g: expr.xreplace({X: g}), "custom activation")
