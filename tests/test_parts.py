"""How a symbol is written: indices token by token, in LaTeX and in Unicode."""

import pytest

from derive.parts import Parts, layer, letter, shifted, written


def test_layer_and_shifted_indices():
    assert layer(3) == ("(", 3, ")")
    assert layer("j", -1) == ("(", "j", "-", 1, ")")
    assert layer("j", 2) == ("(", "j", "+", 2, ")")
    assert shifted("k") == ("k",)


@pytest.mark.parametrize(
    "index, text",
    [((2, 3), "23"), ((1, ",", 12), "1,12"), (layer("j", -1), "(j-1)"), (("i", "k"), "ik"), ((), "")],
)
def test_written_joins_the_tokens(index, text):
    assert written(index) == text


@pytest.mark.parametrize(
    "parts, latex, unicode",
    [
        (Parts("w", (2, 3), layer(1)), "w^{(1)}_{23}", "w⁽¹⁾₂₃"),
        (Parts("w", (1, ",", 12), layer(2)), "w^{(2)}_{1,12}", "w⁽²⁾₁,₁₂"),
        (Parts("delta", (), layer(2)), r"\delta^{(2)}", "δ⁽²⁾"),
        (Parts("W", (), layer(2), "bar"), r"\bar{W}^{(2)}", "W̄⁽²⁾"),
        (Parts("W", (), (), "bar", general=True), r"\bar W", "W̄"),
        (Parts("X", ("k",), layer("j", -1), general=True), "X^{(j-1)}_k", None),  # no superscript j
        (Parts("n", shifted("j", 1), general=True), "n_{j+1}", None),  # nor a subscript j
        (Parts("varepsilon"), r"\varepsilon", "ε"),
    ],
)
def test_latex_and_unicode(parts, latex, unicode):
    assert parts.latex() == latex
    assert parts.unicode() == unicode


def test_letters_are_single_letters_only():
    assert letter("i") and letter("T")
    assert not any(letter(t) for t in (1, "(", "-", "ik", ","))
