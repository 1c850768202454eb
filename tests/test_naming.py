"""The network's symbols: their Python names, their LaTeX under SymPy's own printer, identity."""

import pickle

import pytest
import sympy as sp
from sympy.core.symbol import Str

from derive import Derivation, Network, seed
from derive.explain.latex import BackpropPrinter
from derive.naming import MatrixSymbol, Naming, Symbol
from derive.parts import Parts, layer, shifted

SHAPES = ["2-2-1", "2-2-2-1", "3-4-4-2", "12-3-2"]


def _derivation(layers: str) -> Derivation:
    return Derivation(seed() if layers == "2-2-1" else Network.from_layers(layers))


def _expressions(d: Derivation):
    """Every per-unit expression of the derivation: ε, each δ, gradient and update."""
    yield d.loss_value
    for j in range(1, d.depth + 1):
        for i in d.units(j):
            yield d.delta(j, i)
            for k in range(1, d.sizes[j - 1] + 2):
                yield d.gradient(j, i, k)
                yield d.update(j, i, k)


def test_sympy_latex_of_a_hidden_delta_is_the_tools():
    d = Derivation(seed())
    expected = r"\delta^{(2)} s_{1} w^{(2)}_{11} \left(1 - s_{1}\right)"
    assert sp.latex(d.delta(1, 1)) == expected
    assert BackpropPrinter(d.names).doprint(d.delta(1, 1)) == expected
    assert sp.latex(sp.Symbol("delta2_1")) == r"\delta_{2 1}"  # what a plain symbol shows
    # Jupyter's view of a SymPy expression
    assert d.delta(1, 1)._repr_latex_() == rf"$\displaystyle {expected}$"
    deeper = Derivation(Network.from_layers("2-2-2-1"))
    assert sp.latex(deeper.preactivation(2, 1)) == (
        r"s^{(1)}_{1} w^{(2)}_{11} + s^{(1)}_{2} w^{(2)}_{12} + w^{(2)}_{13}"
    )


def test_sympy_pretty_writes_the_indices_as_unicode():
    d = Derivation(seed())
    assert sp.pretty(d.delta(1, 1)) == "δ⁽²⁾⋅s₁⋅w⁽²⁾₁₁⋅(1 - s₁)"
    assert sp.pretty(d.update(1, 2, 3)) == "c⋅δ⁽¹⁾₂ + w⁽¹⁾₂₃"
    assert sp.pretty(d.delta(1, 1), use_unicode=False) == "delta2_1*s1_1*w2_1_1*(1 - s1_1)"
    wide = Derivation(Network.from_layers("12-3-2-1"))
    assert sp.pretty(wide.update(1, 2, 12)) == "c⋅δ⁽¹⁾₂⋅x₁₂ + w⁽¹⁾₂,₁₂"
    # a letter without a superscript form: SymPy's own pretty form of the name
    general = wide.names.general("delta", "k", layer("j", 1))
    assert sp.pretty(general) == sp.pretty(sp.Symbol(general.name))


def test_str_is_the_python_name():
    d = Derivation(seed())
    assert str(d.delta(1, 1)) == "delta2_1*s1_1*w2_1_1*(1 - s1_1)"
    assert str(d.update(2, 1, 1)) == "c*delta2_1*s1_1 + w2_1_1"
    assert sp.srepr(d.names.weight(1, 2, 3)) == "Symbol('w1_2_3', real=True)"


@pytest.mark.parametrize("layers", SHAPES)
def test_every_symbol_comes_from_naming_and_prints_as_the_tool_does(layers):
    d = _derivation(layers)
    symbols = set().union(*(e.free_symbols for e in _expressions(d)))
    assert len(symbols) > 10
    for symbol in symbols:
        assert type(symbol) is Symbol, symbol
        assert sp.latex(symbol) == d.names.latex(symbol) == BackpropPrinter(d.names).doprint(symbol)


def test_one_name_in_two_shapes_is_two_symbols():
    shallow, deep = Derivation(seed()), Derivation(Network.from_layers("2-2-2-1"))
    a, b = shallow.names.output(1, 1), deep.names.output(1, 1)
    assert a.name == b.name == "s1_1" and a != b
    # SymPy caches products by their arguments: each keeps its own symbol
    w = shallow.names.weight(2, 1, 1)
    assert sp.latex(a * w) == r"s_{1} w^{(2)}_{11}"
    assert sp.latex(b * w) == r"s^{(1)}_{1} w^{(2)}_{11}"
    # the same network twice: equal symbols, equal expressions
    assert Derivation(seed()).delta(1, 1) == shallow.delta(1, 1)
    assert hash(Derivation(seed()).names.delta(1, 1)) == hash(shallow.names.delta(1, 1))


def test_symbols_keep_their_assumptions():
    n = Derivation(seed()).names
    assert n.weight(1, 1, 1).is_real and n.weight(1, 1, 1).is_positive is None
    assert n.rate.is_positive and n.learning_rate.is_positive
    assert n.weight(1, 1, 1) != Symbol("w1_1_1", n.parts(n.weight(1, 1, 1)))  # not real


def test_expressions_survive_pickling():
    d = Derivation(Network.from_layers("2-2-2-1"))
    for expr in [d.delta(1, 2), d.update(3, 1, 2), d.loss_value]:
        back = pickle.loads(pickle.dumps(expr))
        assert back == expr and sp.latex(back) == sp.latex(expr)
        assert all(type(s) is Symbol for s in back.free_symbols)
    # symbols from a pickle are the network's own: the printer knows them
    back = pickle.loads(pickle.dumps(d.delta(1, 1)))
    assert BackpropPrinter(d.names).doprint(back) == BackpropPrinter(d.names).doprint(d.delta(1, 1))


def test_vectors_print_in_the_tools_notation():
    d = Derivation(seed())
    n = d.names
    assert sp.latex(d.update_rule(2)) == r"c \delta^{(2)} \left(X^{(1)}\right)^{T} + W^{(2)}"
    assert r"\left(\left(\bar{W}^{(2)}\right)^{T} \delta^{(2)}\right)" in sp.latex(d.layer_rule(1))
    assert sp.pretty(n.vector("delta", 1)) == "δ⁽¹⁾"
    for kind in ("X", "g", "s", "delta", "y", "W", "Wbar"):
        for j in (1, 2):
            vector = n.vector(kind, j)
            assert type(vector) is MatrixSymbol
            assert sp.latex(vector) == n.latex(vector) == BackpropPrinter(n).doprint(vector)
    # str and the structure are SymPy's own
    assert str(d.layer_rule(1)) == "HadamardProduct(s1, -s1 + 1, Wbar2.T*delta2)"
    assert n.vector("s", 1).shape == (sp.Symbol("n1", integer=True, positive=True), 1)


@pytest.mark.parametrize("layers", ["1-1-1", "2-1-2", "3-1-2-1", "2-3-1-1", "2-2-1"])
def test_the_one_unit_of_a_layer_is_written_as_its_layer(layers):
    # An exercise asks for s^{(1)}; its solution must not answer with s_1.
    sizes = tuple(int(n) for n in layers.split("-"))
    n = Naming(sizes)
    scalar = {"g": n.preactivation, "s": n.output, "delta": n.delta}
    for j in range(1, len(sizes)):
        for kind, unit in scalar.items():
            written, vector = n.latex(unit(j, 1)), sp.latex(n.vector(kind, j))
            if sizes[j] == 1:
                assert written == vector, (kind, j)
            else:
                assert written != vector and written.endswith("_{1}"), (kind, j)
    if sizes[1:-1] == (1,):
        assert n.latex(n.output(1, 1)) == "s^{(1)}"


def test_one_vector_name_in_two_shapes_is_two_vectors():
    shallow, deep = Derivation(seed()), Derivation(Network.from_layers("2-2-2-1"))
    f, s2 = shallow.names.vector("s", 2), deep.names.vector("s", 2)
    assert f.name == s2.name == "s2" and f != s2
    assert (sp.latex(f), sp.latex(s2)) == ("f", "s^{(2)}")
    assert shallow.update_rule(2) == Derivation(seed()).update_rule(2)
    back = pickle.loads(pickle.dumps(deep.layer_rule(2)))
    assert back == deep.layer_rule(2) and sp.latex(back) == sp.latex(deep.layer_rule(2))


def test_indices_are_tuples_of_tokens():
    n = Derivation(Network.from_layers("12-3-2")).names
    assert n.parts(n.weight(1, 2, 3)) == Parts("w", (2, 3), ("(", 1, ")"))
    # past 9 a comma keeps the two indices apart: w^{(1)}_{1,12}
    assert n.parts(n.weight(1, 1, 12)).sub == (1, ",", 12)
    assert n.parts(n.weight(2, 3, 4)).sub == (3, 4)
    assert n.parts(n.input(12)) == Parts("x", (12,))
    assert n.parts(n.output(2, 2)) == Parts("f", (2,))
    assert n.parts(n.delta(1, 3)) == Parts("delta", (3,), ("(", 1, ")"))
    general = n.parts(n.general("X", "k", layer("j", -1)))
    assert (general.sub, general.sup, general.general) == (("k",), ("(", "j", "-", 1, ")"), True)
    assert n.parts(n.general("n", shifted("j", 1))).sub == ("j", "+", 1)
    assert n.latex(n.general("w", ("i", "k"), layer(2))) == "w^{(2)}_{ik}"


def test_a_printed_index_is_refused():
    n = Derivation(seed()).names
    for sub in ["ik", "(j)", "12", "j-1"]:
        with pytest.raises(ValueError, match="not a number, a letter"):
            n.general("w", sub)
    with pytest.raises(ValueError, match="not a number, a letter"):
        n.general("X", sup=("(", "j-1", ")"))


def test_a_vector_keeps_its_parts_as_sympy_objects():
    n = Derivation(Network.from_layers("2-2-2-1")).names
    wbar = n.vector("Wbar", 2)
    assert wbar.parts == n.parts(wbar) == Parts("W", (), ("(", 2, ")"), "bar")
    base, sub, sup, accent = wbar.args[3]
    assert sub == sp.Tuple() and sup == sp.Tuple(Str("("), sp.Integer(2), Str(")"))
    assert (base, accent) == (Str("W"), Str("bar"))
    # SymPy rebuilds it from its arguments, and a pickle gives it back whole
    assert wbar.func(*wbar.args) == wbar and wbar.func(*wbar.args).parts == wbar.parts
    back = pickle.loads(pickle.dumps(wbar))
    assert back == wbar and back.parts == wbar.parts and hash(back) == hash(wbar)
    # a symbol's parts belong to its identity, through a pickle too
    w = n.weight(1, 2, 3)
    back = pickle.loads(pickle.dumps(w))
    assert back == w and back.parts == w.parts == Parts("w", (2, 3), ("(", 1, ")"))
