"""backprop-derive: backpropagation derived by the chain rule in SymPy.

The flow runs one way: a spec (:mod:`derive.network`) becomes a symbolic
derivation (:mod:`derive.derivation`), which :mod:`derive.explain` writes
out for a student (LaTeX, MathML/HTML, Markdown) and :mod:`codegen` turns
into an array module; :mod:`derive.cli` composes the two.  The mathematics
imports neither.  Importing the package registers the notebook views of a
derivation (:mod:`derive.explain.notebook`).

Examples
--------
>>> from derive import Derivation, seed
>>> Derivation(seed()).delta(2, 1)
f*(1 - f)*(-f + y)
"""

# Jupyter's views of a Derivation live with the other writers; registering them here means
# ``from derive import Derivation`` in a notebook shows the derivation.
import derive.explain.notebook  # noqa: F401
from derive.derivation import Derivation
from derive.network import Network, SpecError, load_spec, seed
from derive.version import __version__

__all__ = ["Derivation", "Network", "SpecError", "__version__", "load_spec", "seed"]
