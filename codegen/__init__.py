"""Generate numpy modules from backprop derivations.

:mod:`codegen.printer` prints SymPy expressions as numpy array code,
:mod:`codegen.scalar` as straight-line float code for one sample of a small
network, and :mod:`codegen.inplace` as ufunc calls that reuse arrays, for the
batch path of ``update``; :mod:`codegen.generate` lays the printed lines out
in a module (``templates/module.py.jinja``), writes it atomically and reads
the regenerate command back from a module's header.

Examples
--------
>>> from codegen import render
>>> from derive import seed
>>> "DO NOT EDIT" in render(seed(), "derive --out generated/xnor.py", "the seed")
True
"""

from codegen.generate import regenerate_args, render, write

__all__ = ["regenerate_args", "render", "write"]
