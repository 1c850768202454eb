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

from derive.derivation import VIEWS
from derive.explain.html import body
from derive.explain.latex import summary

#: LaTeX: each layer's δ in vector form, the gradients and the updates.
VIEWS["latex"] = summary
#: HTML: the network diagram and the whole derivation in MathML.
VIEWS["html"] = body
