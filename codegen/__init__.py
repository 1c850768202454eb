"""Generate array modules from backprop derivations.

:mod:`codegen.printer` prints the derivation's vector forms as array-API
code and per-unit expressions as float code; :mod:`codegen.module` gathers
a network's printed lines, :mod:`codegen.scalar` the float update of one
sample of a small network; :mod:`codegen.render` lays them out in a module
(``templates/module.py.jinja``); :mod:`codegen.files` writes it atomically,
checks its checksum and reads back the recipe its header records.

codegen reads the mathematics of :mod:`derive` and never
:mod:`derive.explain`.

Examples
--------
>>> from codegen import render
>>> from derive import seed
>>> "DO NOT EDIT" in render(seed(), "derive --out generated/xnor.py", "the seed")
True
"""

from codegen.files import EditedError, edited, read_recipe, write
from codegen.render import render

__all__ = ["EditedError", "edited", "read_recipe", "render", "write"]
