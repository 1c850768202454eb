"""The explanation of a derivation, for a student: the same blocks in every format.

:mod:`~derive.explain.account` lays out the explanation once, as the blocks
of :mod:`~derive.explain.blocks` (sections, paragraphs, equation rows, the
forward table); :mod:`~derive.explain.notation` holds what the printers share
(the network's names, decimals, number formatting).  Each writer prints the
blocks in its format: :mod:`~derive.explain.latex`,
:mod:`~derive.explain.mathml` with :mod:`~derive.explain.html`,
:mod:`~derive.explain.markdown`; :mod:`~derive.explain.figures` draws the
network and the training curve, :mod:`~derive.explain.linebreak` fits long
rows to the page, :mod:`~derive.explain.training` lays out a training run as
blocks and prints it as plain text, and :mod:`~derive.explain.notebook`
registers Jupyter's views of a derivation.

The package reads the mathematics (:mod:`derive.derivation` and the modules
it uses) and never :mod:`codegen`.
"""
