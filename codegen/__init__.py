"""Generate numpy modules from backprop derivations.

:mod:`codegen.printer` prints the derivation's vector forms as array-API
code and per-unit expressions as float code; :mod:`codegen.module` gathers
a network's printed lines, :mod:`codegen.scalar` the float update of one
sample of a small network; :mod:`codegen.generate` lays them out in a module
(``templates/module.py.jinja``), writes it atomically and reads the
regenerate command back from a module's header.

Examples
--------
>>> from codegen import render
>>> from derive import seed
>>> "DO NOT EDIT" in render(seed(), "derive --out generated/xnor.py", "the seed")
True
"""

from codegen.generate import regenerate_args, render, write

__all__ = ["regenerate_args", "render", "write"]
