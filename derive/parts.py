"""How a symbol is written: its :class:`Parts`, and the indices they hold.

An index (a subscript or a superscript) is a tuple of tokens, an :data:`Index`:
numbers, letters and a few operators, built where the symbol is made and
never read back from printed text.  The subscript of w_{23} is ``(2, 3)``, of
w_{1,12} ``(1, ",", 12)``; the superscript of w^{(1)} is ``layer(1)``, of
X^{(j-1)} ``layer("j", -1)``.  LaTeX, SymPy's pretty printer, the MathML
printer and the SVG diagram each lay the tokens out in their own way.
"""

from __future__ import annotations

from typing import NamedTuple

from sympy.printing.pretty.pretty_symbology import sub as _SUB
from sympy.printing.pretty.pretty_symbology import sup as _SUP

#: Bases that are not a plain letter: their LaTeX and their Unicode character.
BASES = {
    "delta": (r"\delta", "δ"),
    "eta": (r"\eta", "η"),
    "kappa": (r"\kappa", "κ"),
    "varepsilon": (r"\varepsilon", "ε"),
}

#: A token of an index: a number, a letter (i, j, T) or one of :data:`OPERATORS`.
Token = int | str
#: A subscript or superscript, token by token; ``()`` for none.
Index = tuple[Token, ...]
#: The operators an index holds: the brackets of a layer, the comma of w_{1,12},
#: the signs of j-1 and j+1.
OPERATORS = frozenset({"(", ")", ",", "+", "-"})


def letter(token: Token) -> bool:
    """Whether ``token`` is a letter index such as i, j or T (not a number, not an operator)."""
    return isinstance(token, str) and len(token) == 1 and token.isalpha()


def shifted(j: Token, shift: int = 0) -> Index:
    """The index j, or j-1 and j+1 for a shift of -1 and +1.

    Examples
    --------
    >>> shifted("j"), shifted("j", -1)
    (('j',), ('j', '-', 1))
    """
    if not shift:
        return (j,)
    return (j, "-" if shift < 0 else "+", abs(shift))


def layer(j: Token, shift: int = 0) -> Index:
    """The superscript of layer j, (j), or of the layer below or above it, (j-1) or (j+1).

    Examples
    --------
    >>> layer(2), layer("j", 1)
    (('(', 2, ')'), ('(', 'j', '+', 1, ')'))
    """
    return ("(", *shifted(j, shift), ")")


def written(index: Index) -> str:
    """An index as the plain text that LaTeX and the SVG diagram show, e.g. ``1,12``.

    Examples
    --------
    >>> written((1, ",", 12)), written(layer("j", -1)), written((2, 3))
    ('1,12', '(j-1)', '23')
    """
    return "".join(map(str, index))


class Parts(NamedTuple):
    """How a symbol is written: a base, a subscript and a superscript (``()`` for none).

    ``base`` is a letter or a name in :data:`BASES`; ``sub`` and ``sup`` are
    :data:`Index` tuples; ``accent`` is ``"bar"`` for W̄.  ``general`` marks a
    symbol with letter indices (w^{(j)}_{ik}), whose LaTeX braces a subscript
    only when it is more than one letter, as the prose writes them.
    """

    base: str
    sub: Index = ()
    sup: Index = ()
    accent: str = ""
    general: bool = False

    @property
    def text(self) -> str:
        """The base as a Unicode character or letters, e.g. δ for ``delta``."""
        return BASES[self.base][1] if self.base in BASES else self.base

    def latex(self) -> str:
        """The LaTeX form, e.g. ``w^{(1)}_{23}``, ``\\delta^{(2)}`` or ``X^{(j-1)}_k``.

        Examples
        --------
        >>> Parts("w", (2, 3), layer(1)).latex()
        'w^{(1)}_{23}'
        >>> Parts("X", ("k",), layer("j", -1), general=True).latex()
        'X^{(j-1)}_k'
        """
        base = BASES[self.base][0] if self.base in BASES else self.base
        if self.accent:
            bare = self.general and letter(base)
            base = rf"\{self.accent} {base}" if bare else rf"\{self.accent}{{{base}}}"
        text = base
        if self.sup:
            text += f"^{{{written(self.sup)}}}"
        if self.sub:
            sub = written(self.sub)
            bare = self.general and len(self.sub) == 1 and letter(self.sub[0])
            text += f"_{sub}" if bare else f"_{{{sub}}}"
        return text

    def unicode(self) -> str | None:
        """One line of Unicode, e.g. ``w⁽¹⁾₂₃``; ``None`` where an index has no such form.

        Examples
        --------
        >>> Parts("delta", (1,), layer(2)).unicode(), Parts("w", (1, ",", 12), layer(1)).unicode()
        ('δ⁽²⁾₁', 'w⁽¹⁾₁,₁₂')
        >>> print(Parts("delta", ("k",), layer("j", 1)).unicode())  # no superscript j
        None
        """
        # SymPy's own tables of the sub- and superscript characters its pretty printer uses
        sups, subs = _scripts(self.sup, _SUP), _scripts(self.sub, _SUB)
        if sups is None or subs is None:
            return None
        return self.text + ("\u0304" if self.accent == "bar" else "") + sups + subs


def _scripts(index: Index, table: dict[str, str]) -> str | None:
    """An index in the characters of ``table``, or ``None`` where a token has none."""
    out = ""
    for token in index:
        if token == ",":  # the comma of w_{1,12} stays a comma
            out += token
            continue
        # a number by its digits, a letter or an operator by its own character
        shown = [table.get(ch) for ch in str(token)]
        if None in shown:
            return None
        out += "".join(shown)
    return out
