"""Straight-line numpy code for a batch that reuses arrays instead of allocating new ones.

``update`` and ``update_`` of a generated module compute a batch's forward
pass, its δ and the new weights in few arrays: each named quantity is built by
numpy ufuncs writing with ``out=`` into an array nothing needs any more (a
temporary, or a quantity at its last use), and an array nothing reads any more
is deleted at once.  A sigmoid layer's output, for one, takes its
pre-activation's place, with one temporary for e^{min(g, 0)}/(1 + e^{−|g|})::

    g1 = x @ W1[:, :-1].T  # (eq:g-1)
    g1 += W1[:, -1].copy()  # (eq:g-1)
    tmp1 = np.abs(g1)  # (eq:s-1)
    np.negative(tmp1, out=tmp1)  # (eq:s-1)
    np.exp(tmp1, out=tmp1)  # (eq:s-1)
    s1 = np.greater_equal(g1, 0, out=g1)  # (eq:s-1)
    np.maximum(s1, tmp1, out=s1)  # (eq:s-1)
    tmp1 += 1  # (eq:s-1)
    s1 /= tmp1  # (eq:s-1)
    del tmp1

:class:`Program` takes the quantities in order, each a name, a SymPy
expression and its equation's label, and the statements that read them (the
weight updates).  It lowers each expression to elementary numpy operations
(one ``_lower_<ClassName>`` method per kind of expression, dispatched as a
SymPy printer dispatches), in the stable forms that
:class:`codegen.printer.ArrayPrinter` prints (``logaddexp`` for softplus,
the split sigmoid, here with one exponential and bit for bit the same, ...),
then gives each operation's result the array of an operand that dies there,
when one has its shape, and prints every operation with that printer.  What has no elementary
form here (a custom activation's ``sign``, say) is printed whole by the
printer into a new array, as in the module's other functions.

Every array has the dtype of the whole computation (the module promotes x and
y to it first), so writing a result into an operand's array never narrows it.

Examples
--------
>>> import sympy as sp
>>> from codegen.printer import ArrayPrinter
>>> s, y, c = sp.symbols("s y c", real=True)
>>> program = Program(ArrayPrinter(), {"s": ("B", 4), "y": ("B", 4)}, owned={"s"})
>>> program.define(sp.Symbol("d"), c * (y - s), "eq:d")
>>> program.read("print(d)", ["d"], "eq:p")
>>> for code, eq in program.lines():
...     print(code)
d = np.subtract(y, s, out=s)
d *= c
print(d)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from codegen.printer import ArrayPrinter, LogSoftmax

#: SymPy functions of one argument and the numpy ufunc that evaluates each.
UFUNCS = {
    "exp": "exp",
    "expm1": "expm1",
    "log": "log",
    "tanh": "tanh",
    "sin": "sin",
    "cos": "cos",
    "Abs": "abs",
    "sign": "sign",
}
#: Ufuncs printed as Python's operators (and augmented assignments) where they can be.
OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}
COMMUTATIVE = frozenset({"add", "multiply"})
#: Ufuncs whose result, in a new array, is boolean: it cannot receive a float result.
COMPARISONS = frozenset({"greater_equal"})
#: The batch axis in shapes.
BATCH = "B"


@dataclass(frozen=True)
class Literal:
    """An operand that is never written: a number, ``c``, a column of the weights.

    ``term`` is its code inside an arithmetic expression (parenthesized if needed).
    """

    code: str
    shape: tuple = ()
    term: str | None = None


@dataclass(eq=False)
class Value:
    """An array: one the program computes, or an input it reads."""

    shape: tuple
    owned: bool = True  # may be overwritten once nothing reads it
    name: str | None = None
    last_use: int = -1
    previous: Value | None = None  # the temporary whose array this value took over
    boolean: bool = False  # in a new boolean array
    names: list = field(default_factory=list)  # every name bound to its array (shared list)


@dataclass(eq=False)
class Op:
    """One statement: a numpy function of the operands, or ``code`` printed whole.

    ``out`` is the operand whose array receives the result (None: a new array).
    """

    func: str
    args: list
    result: Value | None
    label: str
    code: str | None = None
    out: Value | None = None


class Program:
    """Named array quantities computed in order, in as few arrays as that order allows.

    Parameters
    ----------
    printer : ArrayPrinter
        Prints numbers and what has no elementary form, and collects the imports.
    shapes : dict
        By name, the shape of every array the expressions read, a tuple of
        sizes with ``"B"`` for the batch axis; a weight matrix's is
        ``(units, inputs + 1)``.
    owned : set
        The names of the arrays the program may overwrite once nothing reads them.
    """

    def __init__(self, printer: ArrayPrinter, shapes: dict, owned=frozenset()):
        self.printer = printer
        self.shapes = dict(shapes)
        self.current: dict[str, Value] = {
            name: Value(shape, owned=name in owned, name=name, names=[name])
            for name, shape in shapes.items()
        }
        self._inputs = dict(self.current)
        self.ops: list[Op] = []
        self._label = ""

    # -- building -------------------------------------------------------------------
    def define(self, name: sp.Symbol, expr: sp.Expr, label: str) -> None:
        """``name = expr``, computed here; later expressions read it by name."""
        self._label = label
        value = self.lower(expr)
        if isinstance(value, Literal) or value.name is not None:
            # An array the program already has, such as a linear layer's output: a new name.
            value = self._op("=", value)
        value.name = str(name)
        self.current[str(name)] = value

    def read(self, code: str, names, label: str) -> None:
        """A statement printed elsewhere (a weight update) that reads the named arrays."""
        self.ops.append(Op("", [self.current[n] for n in names], None, label, code=code))

    def _op(self, func: str, *args, code: str | None = None, shape=None) -> Value:
        result = Value(_broadcast([a.shape for a in args]) if shape is None else shape)
        self.ops.append(Op(func, list(args), result, self._label, code=code))
        return result

    # -- lowering: one method per class of expression ---------------------------------
    def lower(self, expr: sp.Expr) -> Value | Literal:
        """Append the operations that compute expr; return the operand that holds it."""
        for cls in type(expr).__mro__:
            method = getattr(self, f"_lower_{cls.__name__}", None)
            if method is not None:
                return method(expr)
        return self._whole(expr)

    def _whole(self, expr: sp.Expr) -> Value | Literal:
        """expr printed whole, into a new array, reading the arrays it names."""
        arrays = [self.current[str(s)] for s in expr.free_symbols if str(s) in self.current]
        if not arrays:
            return self._literal(expr)
        arrays.sort(key=lambda v: v.name)
        return self._op("", *arrays, code=self.printer.doprint(expr))

    def _literal(self, expr: sp.Expr) -> Literal:
        return Literal(
            self.printer.doprint(expr),
            term=self.printer.parenthesize(expr, PRECEDENCE["Mul"], strict=False),
        )

    def _lower_Symbol(self, expr):
        return self.current.get(str(expr)) or self._literal(expr)

    def _lower_Number(self, expr):
        return self._literal(expr)

    def _lower_Affine(self, expr):
        inputs, weights = expr.args
        x, w = self.lower(inputs), self.printer.doprint(weights)
        units = self.shapes[w][0]
        product = self._op("", x, code=f"{self._code(x)} @ {w}[:, :-1].T", shape=(BATCH, units))
        # The bias column, copied: added to every row it is read n times, and a
        # contiguous copy makes the addition twice as fast as the strided column.
        return self._op("add", product, Literal(f"{w}[:, -1].copy()", (units,)))

    def _lower_Backprop(self, expr):
        delta, weights = expr.args
        d, w = self.lower(delta), self.printer.doprint(weights)
        units = self.shapes[w][1] - 1
        return self._op("", d, code=f"{self._code(d)} @ {w}[:, :-1]", shape=(BATCH, units))

    def _lower_LayerSoftmax(self, expr):
        # The printer's e^{log softmax(g)}, its log computed whole by the module's helper.
        return self._op("exp", self.lower(LogSoftmax(expr.args[0])))

    def _lower_sigmoid(self, expr):
        # The printer's split form e^{min(g, 0)}/(1 + e^{-|g|}) with one exponential:
        # e^{min(g, 0)} is e^{-|g|} where g < 0 and 1 where g >= 0, so it is
        # max(e^{-|g|}, [g >= 0]), bit for bit (and NaN where g is NaN).
        g = self.lower(expr.args[0])
        e = self._op("exp", self._op("negative", self._op("abs", g)))
        above = self._op("maximum", self._op("greater_equal", g, self._literal(sp.S.Zero)), e)
        return self._op("divide", above, self._op("add", e, self._literal(sp.S.One)))

    def _lower_softplus(self, expr):
        return self._op("logaddexp", self._literal(sp.S.Zero), self.lower(expr.args[0]))

    def _lower_relu(self, expr):
        return self._op("maximum", self.lower(expr.args[0]), self._literal(sp.S.Zero))

    def _lower_Heaviside(self, expr):
        g, *value = expr.args
        at_zero = value[0] if value else sp.S.Half
        return self._op("heaviside", self.lower(g), self._literal(at_zero))

    def _lower_Function(self, expr):
        func = UFUNCS.get(type(expr).__name__)
        if func is None or len(expr.args) != 1:
            return self._whole(expr)
        return self._op(func, self.lower(expr.args[0]))

    def _lower_Pow(self, expr):
        base, exponent = expr.args
        if exponent == 2:
            return self._op("square", self.lower(base))
        if exponent == sp.S.Half:
            return self._op("sqrt", self.lower(base))
        if exponent == -1:
            return self._op("divide", self._literal(sp.S.One), self.lower(base))
        return self._whole(expr)

    def _lower_Mul(self, expr):
        coefficient, factors = expr.as_coeff_mul()
        above, below = [], []
        for factor in factors:
            if factor.is_Pow and factor.exp.is_Number and factor.exp.is_negative:
                below.append(factor.base ** -factor.exp)
            else:
                above.append(factor)
        result = self._fold("multiply", above)
        if below:
            denominator = self._fold("multiply", below)
            if result is None:
                result = self._op("divide", self._literal(coefficient), denominator)
                coefficient = sp.S.One
            else:
                result = self._op("divide", result, denominator)
        if coefficient == -1:
            return self._op("negative", result)
        if coefficient != 1:
            return self._op("multiply", result, self._literal(coefficient))
        return result

    def _lower_Add(self, expr):
        number, terms = expr.as_coeff_add()
        plus = [t for t in terms if not t.could_extract_minus_sign()]
        minus = [-t for t in terms if t.could_extract_minus_sign()]
        result = self._fold("add", plus)
        for term in minus:
            if result is None and number != 0:
                result = self._op("subtract", self._literal(number), self.lower(term))
                number = sp.S.Zero
            elif result is None:
                result = self._op("negative", self.lower(term))
            else:
                result = self._op("subtract", result, self.lower(term))
        if number.is_negative:
            result = self._op("subtract", result, self._literal(-number))
        elif number != 0:
            result = self._op("add", result, self._literal(number))
        return result

    def _fold(self, func: str, factors: list):
        """The sum or product of the factors: arrays first, then computed factors, then numbers.

        A factor that must be computed is lowered just before its turn, after the
        arrays have been read, so that it may take one of them over.
        """
        if not factors:
            return None

        def order(factor):
            if factor.is_Symbol:
                return 0 if str(factor) in self.current else 2
            return 2 if factor.is_Number else 1

        factors = sorted(factors, key=order)
        result = self.lower(factors[0])
        for factor in factors[1:]:
            result = self._op(func, result, self.lower(factor))
        return result

    # -- arrays and printing --------------------------------------------------------
    def lines(self) -> list[tuple[str, str]]:
        """``(code, label)`` of every statement; a ``del`` has the empty label.  Call it once."""
        self._allocate()
        self._name_temporaries()
        self._bound = {name: value.names for name, value in self._inputs.items()}
        lines = []
        for i, op in enumerate(self.ops):
            lines.append((self._print(op), op.label))
            result = op.result
            if result is not None:
                self._bind(result, op.out.names if op.out is not None else [])
            if i == len(self.ops) - 1:
                break  # the function returns: everything goes anyway
            freed = []
            for arg in op.args:
                if (
                    isinstance(arg, Value)
                    and arg.owned
                    and arg.last_use == i
                    and (result is None or arg.names is not result.names)
                    and arg.names
                    and not any(arg.names is f for f in freed)
                ):
                    freed.append(arg.names)
            if freed:
                lines.append((f"del {', '.join(sorted(n for names in freed for n in names))}", ""))
            for names in freed:
                names.clear()
        return lines

    def _bind(self, value: Value, names: list) -> None:
        """value's name now names the array whose names are listed, and no other array."""
        value.names = names
        old = self._bound.get(value.name)
        if old is names:
            return
        if old is not None and value.name in old:
            old.remove(value.name)
        names.append(value.name)
        self._bound[value.name] = names

    def _allocate(self) -> None:
        """Each result into an operand's array if the operand dies there and has its shape."""
        for i, op in enumerate(self.ops):
            for arg in op.args:
                if isinstance(arg, Value):
                    arg.last_use = i
        for i, op in enumerate(self.ops):
            if op.func == "=":
                # One array under a second name.  If the first name is still read, the
                # array is kept whole to the end, neither overwritten nor deleted.
                (arg,) = op.args
                op.result.owned = isinstance(arg, Value) and arg.owned and arg.last_use == i
                if isinstance(arg, Value):
                    op.out = arg
                    arg.owned = arg.owned and arg.last_use == i
                continue
            if op.result is None or op.code is not None:
                continue
            for arg in op.args:
                if (
                    isinstance(arg, Value)
                    and arg.owned
                    and arg.last_use == i
                    and arg.shape == op.result.shape
                    and not arg.boolean
                    and op.args.count(arg) == 1
                ):
                    op.out = arg
                    if arg.name is None:
                        op.result.previous = arg
                    break
            op.result.boolean = op.out is None and op.func in COMPARISONS

    def _name_temporaries(self) -> None:
        """A chain of values in one array is printed under its last value's name, else ``tmpN``."""
        following = {id(op.result.previous): op.result for op in self.ops
                     if op.result is not None and op.result.previous is not None}
        for op in reversed(self.ops):
            value = op.result
            if value is not None and value.name is not None:
                chain = value.previous
                while chain is not None and chain.name is None:
                    chain.name = value.name
                    chain = chain.previous
        count = 0
        for op in self.ops:
            value = op.result
            if value is None or value.name is not None:
                continue
            count += 1
            while value is not None:
                value.name = f"tmp{count}"
                value = following.get(id(value))

    def _print(self, op: Op) -> str:
        if op.result is None:
            return op.code
        name = op.result.name
        if op.code is not None:
            return f"{name} = {op.code}"
        if op.func == "=":
            return f"{name} = {self._code(op.args[0])}"
        call = self.printer._module_format(f"numpy.{op.func}")
        args = ", ".join(self._code(a) for a in op.args)
        if op.out is None:
            if op.func in OPERATORS:
                a, b = (self._term(a) for a in op.args)
                spaced = f" {OPERATORS[op.func]} " if op.func in ("add", "subtract") else \
                    OPERATORS[op.func]
                return f"{name} = {a}{spaced}{b}"
            if op.func == "negative":
                return f"{name} = -{self._term(op.args[0])}"
            return f"{name} = {call}({args})"
        target = op.out.name
        position = op.args.index(op.out)
        if target == name and op.func in OPERATORS and (position == 0 or op.func in COMMUTATIVE):
            return f"{name} {OPERATORS[op.func]}= {self._term(op.args[1 - position])}"
        statement = f"{call}({args}, out={target})"
        return statement if target == name else f"{name} = {statement}"

    @staticmethod
    def _code(operand) -> str:
        return operand.code if isinstance(operand, Literal) else operand.name

    @staticmethod
    def _term(operand) -> str:
        if isinstance(operand, Literal):
            return operand.term or operand.code
        return operand.name


def _broadcast(shapes) -> tuple:
    """The shape numpy broadcasts the shapes to, ``"B"`` standing for the batch's size."""
    rank = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-rank, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            raise ValueError(f"operands of shapes {list(shapes)} do not broadcast")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)
