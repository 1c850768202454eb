"""The notebook display of a derivation: Jupyter's LaTeX and HTML views.

Importing this module registers them in :data:`derive.derivation.VIEWS`,
which ``Derivation._repr_latex_`` and ``_repr_html_`` read; ``import derive``
does so.

Examples
--------
>>> from derive import Derivation, seed
>>> Derivation(seed())._repr_latex_().startswith("$$")
True
"""

from __future__ import annotations

from derive.derivation import VIEWS, Derivation

# Each view imports its writer when Jupyter first asks for it: ``import derive`` (and so
# every ``derive`` command) then loads neither the HTML writer nor numpy, which it draws with.


def latex(derivation: Derivation) -> str:
    """Each layer's δ in vector form, the gradients and the updates."""
    from derive.explain.latex import summary

    return summary(derivation)


def html(derivation: Derivation) -> str:
    """The network diagram and the whole derivation in MathML.

    Where the worked example's numbers leave the finite ones, its section says
    so: a display shows what it can, where the command line stops.
    """
    from derive.explain.html import body

    return body(derivation, strict=False)


VIEWS["latex"] = latex
VIEWS["html"] = html
