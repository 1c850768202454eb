"""backprop-derive: backpropagation derived by the chain rule in SymPy.

The flow runs one way: a spec (:mod:`derive.network`) becomes a symbolic
derivation (:mod:`derive.derivation`), which is printed as LaTeX
(:mod:`derive.latex`) or turned into numpy code (:mod:`codegen`).

Examples
--------
>>> from derive import Derivation, seed
>>> Derivation(seed()).delta(2, 1)
f*(1 - f)*(-f + y)
"""

from derive.derivation import Derivation
from derive.network import Network, SpecError, load_spec, seed

__version__ = "0.1.0"

__all__ = ["Derivation", "Network", "SpecError", "__version__", "load_spec", "seed"]
