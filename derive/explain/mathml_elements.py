"""The elements of MathML Core, as the MathML printer builds them.

:class:`Elements` is the part of :class:`derive.explain.mathml.BackpropMathMLPrinter`
that builds elements rather than choosing them: a tag with its attributes and
children, an operator, a row, brackets (stretchy only around fractions), a
function's arguments between commas, a power, and a number with a true minus
sign.  SymPy before 1.14 wraps brackets in <mfenced>, which MathML Core does
not have; built here, the page is the same whichever SymPy prints it.
"""

from __future__ import annotations

from sympy.printing.mathml import MathMLPresentationPrinter

MINUS = "\u2212"


class Elements(MathMLPresentationPrinter):
    """SymPy's presentation printer with the element builders of the MathML printer."""

    def _element(self, tag: str, *children, text: str | None = None, **attributes):
        element = self.dom.createElement(tag)
        for key, value in attributes.items():
            element.setAttribute(key, value)
        if text is not None:
            element.appendChild(self.dom.createTextNode(text))
        for child in children:
            element.appendChild(child)
        return element

    def _mo(self, text: str, **attributes):
        return self._element("mo", text=text, **attributes)

    def _row(self, *children):
        return self._element("mrow", *children)

    def _parens(self, child):
        # stretchy brackets only around fractions: elsewhere they only add space
        stretchy = "true" if child.getElementsByTagName("mfrac") else "false"
        return self._row(self._mo("(", stretchy=stretchy), child, self._mo(")", stretchy=stretchy))

    def _l_paren(self):
        return self._mo("(", stretchy="false")

    def _r_paren(self):
        return self._mo(")", stretchy="false")

    def _arguments(self, *args):
        """(a, b, ...): the arguments of a function, in brackets that do not stretch."""
        return self._row(self._l_paren(), *self._commas(args), self._r_paren())

    def _commas(self, args, **attributes) -> list:
        """The arguments printed, a comma (an <mo> of these attributes) between each two."""
        items = []
        for n, argument in enumerate(args):
            items += [self._mo(",", **attributes), self._print(argument)] if n else [self._print(argument)]
        return items

    def _raised(self, node, exp=None):
        """node, or node to the power exp: a function's power, as the LaTeX printer writes it."""
        return node if exp is None else self._element("msup", node, exp)

    def _number(self, text: str):
        if text.startswith("-"):
            return self._row(self._mo(MINUS), self._element("mn", text=text[1:]))
        return self._element("mn", text=text)
