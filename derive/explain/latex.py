r"""The derivation as LaTeX: a printer for the network's symbols and a document.

:class:`BackpropPrinter` is SymPy's ``LatexPrinter`` taught the seed's
notation: symbols print by their :mod:`derive.naming` form, the activations as
the names of their registry entries, elementwise products as ⊙, sums lead with a positive term
(y − f rather than −f + y), and numbers print to a fixed number of decimals.
It also prints the layout nodes of :mod:`derive.explain.account` (∂a/∂b, relations,
vectors of numbers).

:func:`explain` writes the blocks of :func:`derive.explain.account.account` as LaTeX,
the account a student can follow; :func:`document` wraps it into a file that
``pdflatex`` compiles.  The output needs only ``amsmath``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from derive import activations, layerwise
from derive.derivation import Derivation
from derive.explain import account, blocks, notation
from derive.explain.account import MAX_EXAMPLE_WEIGHTS, MAX_UNITS_SHOWN
from derive.explain.notation import MAX_TERMS_SHOWN, Notation, decimals, number_follows, unevaluated

_JOINTS = {"space": " ", "thin": r"\,", "none": "", "cdot": r" \cdot ", "odot": r" \odot "}
_RELATIONS = {"=": " = ", "<-": r" \leftarrow "}

__all__ = [
    "MAX_EXAMPLE_WEIGHTS",
    "MAX_TERMS_SHOWN",
    "MAX_UNITS_SHOWN",
    "BackpropPrinter",
    "document",
    "escape",
    "explain",
    "standalone",
]

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "_": r"\_", "%": r"\%", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}


def escape(text: str) -> str:
    """Text that is safe in LaTeX: special characters escaped, non-ASCII dropped.

    Examples
    --------
    >>> print(escape("50% of $x_1$ & {y}"))
    50\\% of \\$x\\_1\\$ \\& \\{y\\}
    """
    out = []
    for ch in text:
        if ch in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[ch])
        elif ch.isascii() and (ch.isprintable() or ch == "\n"):
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


class BackpropPrinter(Notation, LatexPrinter):
    """LaTeX in the seed's notation.

    Parameters
    ----------
    names : derive.naming.Naming
        The network's symbols and their LaTeX forms.
    digits : int
        Decimals shown for floating-point numbers.
    numeric : bool
        Print products with an explicit ``\\cdot`` and in the given order,
        for formulas with numbers substituted.
    """

    printmethod = "_backprop_latex"

    # -- symbols ----------------------------------------------------------
    def _print_Symbol(self, expr, style="plain"):
        latex = self.names.latex(expr)
        return latex if latex is not None else super()._print_Symbol(expr, style)

    def _print_Dummy(self, expr, style="plain"):
        # a stand-in of _print_Elementwise prints as what it stands for
        stand_in = getattr(self, "_stand_ins", {}).get(expr)
        return stand_in if stand_in is not None else self._print_Symbol(expr, style)

    def _print_MatrixSymbol(self, expr):
        latex = self.names.latex(expr)
        return latex if latex is not None else super()._print_MatrixSymbol(expr)

    # -- sums: long ones cut to their first terms, a ⋯ and the last ----------
    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        if self.numeric and len(terms) <= MAX_TERMS_SHOWN:
            # with numbers in, a negative number after a sign gets parentheses: 0 - (-0.998)
            text = self._print(terms[0])
            for term in terms[1:]:
                negative = term.could_extract_minus_sign()
                text += (" - " if negative else " + ") + self._term(-term if negative else term)
            return text
        if len(terms) <= MAX_TERMS_SHOWN:
            return super()._print_Add(expr, order=order)
        # A long sum, e.g. over 784 inputs: first terms, a ⋯ and the last.
        return self._print(terms[0]) + self._signed(terms[1]) + r" + \cdots" + self._signed(terms[-1])

    def _signed(self, term) -> str:
        """A term of a sum after the one before it: `` - w x`` or `` + w x``."""
        return " - " + self._print(layerwise.negated(term)) if term.could_extract_minus_sign() else " + " + self._print(term)

    def _print_MatAdd(self, expr):
        # as SymPy's _print_Add would, but its −term sorts the factors of a ⊙ in the term
        return self._print(expr.args[0]) + "".join(self._signed(term) for term in expr.args[1:])

    def _term(self, term) -> str:
        text = self._print(term)
        return rf"\left({text}\right)" if self._parenthesized_after_sign(term) else text

    # -- products ---------------------------------------------------------
    def _print_Mul(self, expr):
        if not self.numeric:
            # a product written in a chosen order, e.g. (y - f) f (1 - f), keeps it; any other,
            # even inside one, is ordered as everywhere else: (3 - 3 tanh^2) tanh^2, as its own row
            written = unevaluated(expr)
            if written and (text := self._number_first(expr)):
                return text
            saved = self._settings.copy()
            self._settings["order"] = "none" if written else None
            if written and number_follows(expr):
                self._settings["mul_symbol_latex"] = r" \cdot "
            try:
                return super()._print_Mul(expr)
            finally:
                self._settings = saved
        above, below = self._numeric_fraction(expr)
        if not below:
            return r" \cdot ".join(self._factor(f) for f in above)
        return rf"\frac{{{self._fraction_side(above)}}}{{{self._fraction_side(below)}}}"

    def _print_MatMul(self, expr):
        return self._number_first(expr) or super()._print_MatMul(expr)

    def _number_first(self, product) -> str | None:
        """3/2 W̄ᵀδ, −(δ w + δ w), log 2 s ⊙ v: a product a number leads (_led_by_number); else None."""
        led = self._led_by_number(product)
        if led is not None:
            number = "" if abs(led[0]) == 1 else self._factor(abs(led[0])) + " "
            return ("- " if led[0] < 0 else "") + number + self._factor(led[1])

    def _fraction_side(self, factors) -> str:
        """One side of a fraction: factors joined by ·, a lone one bare (the bar groups it)."""
        if not factors:
            return "1"
        if len(factors) == 1 and not factors[0].could_extract_minus_sign():
            return self._print(factors[0])
        return r" \cdot ".join(self._factor(f) for f in factors)

    def _factor(self, f):
        text = self._print(f)
        if f.is_Add or f.could_extract_minus_sign():
            return rf"\left({text}\right)"
        return text

    def _print_Rational(self, expr):
        if self.numeric:
            return self._print_Float(expr)
        return super()._print_Rational(expr)

    def _print_Float(self, expr):
        return decimals(float(expr), self.digits)

    # -- activations and vector forms ---------------------------------------
    def _print_Function(self, expr, exp=None):
        # an activation by the LaTeX name its registry entry gives, else SymPy's own
        entry = activations.of_function(expr.func)
        if entry is not None and not entry.elementwise:
            # unit i of softmax(g_1, ..., g_n): the index as a subscript, not an argument
            i, *gs = expr.args
            arguments = ", ".join(self._print(g) for g in gs)
            text = rf"{entry.latex}\left({arguments}\right)_{{{self._print(i)}}}"
            return text if exp is None else rf"{text}^{{{exp}}}"
        if entry is not None and entry.latex is not None:
            return self._function(entry.latex, expr, exp)
        return super()._print_Function(expr, exp)

    def _print_Heaviside(self, expr, exp=None):
        text = rf"\mathbf{{1}}\left[{self._print(expr.args[0])} > 0\right]"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _function(self, name, expr, exp):
        head = name if exp is None else f"{name}^{{{exp}}}"
        return rf"{head}\left({self._print(expr.args[0])}\right)"

    def _print_HadamardProduct(self, expr):
        bracketed = notation.parenthesized_in_hadamard
        return r" \odot ".join(rf"\left({self._print(f)}\right)" if bracketed(f) else self._print(f) for f in expr.args)

    def _print_HadamardPower(self, expr):
        base = self._print(expr.base)
        if "^" in base:
            base = rf"\left({base}\right)"
        return rf"{base}^{{\odot {self._print(expr.exp)}}}"

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}"

    def _print_Elementwise(self, expr):
        function, vector = expr.args
        (variable,) = function.variables
        placeholder = sp.Dummy("v", real=True)
        # the printer's own stand-ins: the network's names are not written to
        self._stand_ins = {**getattr(self, "_stand_ins", {}), placeholder: self._print(vector)}
        try:
            return self._print(function.expr.xreplace({variable: placeholder}))
        finally:
            del self._stand_ins[placeholder]

    def _print_Transpose(self, expr):
        return rf"\left({self._print(expr.arg)}\right)^{{T}}"

    def _print_KroneckerDelta(self, expr, exp=None):
        i, k = (self._print(a) for a in expr.args)
        return rf"\mathbf{{1}}[{i} = {k}]"

    # -- layout nodes of derive.explain.account --------------------------------------
    def _print_Partial(self, node):
        d = "d" if node.ordinary else r"\partial"
        of, wrt = self._print(node.of), self._print(node.wrt)
        if node.compound:
            return rf"{d}\left({of}\right) / {d} {wrt}" if node.inline else rf"\frac{{{d}}}{{{d} {wrt}}} \left({of}\right)"
        return f"{d} {of} / {d} {wrt}" if node.inline else rf"\frac{{{d} {of}}}{{{d} {wrt}}}"

    def _print_Product(self, node):
        dotted = node.joint == "cdot"  # beside a ·, a sum or a negative factor is bracketed
        texts = (self._factor(f) if dotted and isinstance(f, sp.Basic) else self._print(f) for f in node.factors)
        return _JOINTS[node.joint].join(texts)

    def _print_Terms(self, node):
        text = ""
        for n, term in enumerate(node.terms):
            if isinstance(term, blocks.Negative):
                text += ("-" if n == 0 else " - ") + self._print(term.of)
            else:
                text += ("" if n == 0 else " + ") + self._print(term)
        if not node.parens:
            return text
        if node.whole is not None:  # TeX sizes \left( \right. by its own line: as tall as the whole
            text += rf"\vphantom{{{self._print(node.whole)}}}"
        return (r"\left(" if node.opens else r"\left.") + text + (r"\right)" if node.closes else r"\right.")

    def _print_Negative(self, node):
        return "-" + self._print(node.of)

    def _print_Relation(self, node):
        text = self._print(node.sides[0])
        for op, side in zip(node.ops, node.sides[1:]):
            text += _RELATIONS[op] + self._print(side)
        return text

    def _print_SumOver(self, node):
        index = node.index if len(node.index) == 1 else f"{{{node.index}}}"
        return rf"\sum_{index} {self._print(node.body)}"

    def _print_Operator(self, node):
        return rf"\operatorname{{{node.name}}}\left({self._print(node.arg)}\right)"

    def _print_Where(self, node):
        lhs, rhs = self._print(node.lhs), self._print(node.rhs)
        return rf"{self._print(node.expr)} \quad\text{{with }} {lhs} = {rhs}"

    def _print_Listed(self, node):
        text = ", ".join(self._print(x) for x in node.items) + ("" if node.closes else ",")
        if not node.parens:
            return text
        return ("(" if node.opens else "") + text + (")" if node.closes else "")

    def _print_Ratio(self, node):
        return f"{self._print(node.num)} / {self._print(node.den)}"

    def _print_Dots(self, node):
        return r"\vdots" if node.vertical else r"\cdots"


# ---------------------------------------------------------------------------
# The document


def explain(derivation: Derivation, digits: int = 3, titled: bool = False) -> str:
    """The whole derivation as LaTeX (a document body, amsmath only).

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the numbers in the worked example (the seed shows 3).
    titled : bool
        Whether the document heads it with the network's title (:func:`document`).

    Examples
    --------
    >>> from derive import Derivation, seed
    >>> text = explain(Derivation(seed()))
    >>> r"\\delta^{(2)} &= \\left(y - f\\right) f \\left(1 - f\\right)" in text
    True
    """
    writer = LatexWriter(BackpropPrinter(derivation.names, digits=digits))
    lines: list[str] = []
    for block in account.account(derivation, digits, titled):
        lines += writer.write(block)
    return "\n".join(lines) + "\n"


def document(derivation: Derivation, digits: int = 3) -> str:
    """:func:`explain` wrapped into a complete document for ``pdflatex``."""
    title = derivation.network.title or f"Backpropagation, {derivation.network.layers_text}"
    return standalone(title, explain(derivation, digits, titled=True))


#: A standalone document's preamble: a 400 pt line, room beyond the rows' 31.5 em
#: (derive.explain.linebreak) for LaTeX's own spacing.
_PREAMBLE = (
    r"\documentclass[11pt]{article}", r"\usepackage{amsmath}", r"\addtolength{\textwidth}{40pt}",
    r"\addtolength{\oddsidemargin}{-20pt}", r"\addtolength{\evensidemargin}{-20pt}",
    r"\allowdisplaybreaks",
)


def standalone(title: str, body: str) -> str:
    """A complete ``pdflatex`` document: the title (plain text, escaped here) over the body."""
    head = [rf"\title{{{escape(title)}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
    return "\n".join([*_PREAMBLE, *head, body, r"\end{document}", ""])


def summary(derivation: Derivation) -> str:
    r"""The key equations in one ``$$`` block: each layer's δ, the gradients and the updates.

    Examples
    --------
    >>> from derive import Derivation, seed
    >>> print(summary(Derivation(seed())).splitlines()[2])
    \delta^{(2)} &= \left(y - f\right) \odot f \odot \left(\mathbf{1} - f\right) \qquad \text{(delta-2)} \\
    """
    printer = BackpropPrinter(derivation.names)
    return "\n".join(["$$", *aligned_lines(printer, account.summary(derivation).rows), "$$"])


def aligned_lines(printer: BackpropPrinter, rows) -> list[str]:
    """An ``aligned`` environment for MathJax (Markdown, notebooks): labels beside their rows."""
    shown = aligned_rows(printer, rows)
    lines = [r"\begin{aligned}"]
    for n, (left, right, label) in enumerate(shown):
        tag = rf" \qquad \text{{({label.tag})}}" if label else ""
        end = r" \\" if n < len(shown) - 1 else ""
        lines.append(f"{left} {right}{tag}{end}")
    return lines + [r"\end{aligned}"]


def inline(printer: BackpropPrinter, parts) -> str:
    """Prose with inline maths: text escaped, maths between dollar signs."""
    return "".join(escape(p) if isinstance(p, str) else f"${printer.doprint(p)}$" for p in parts)


def aligned_rows(printer: BackpropPrinter, rows) -> list[tuple[str, str, str | None]]:
    """The rows of an equation block as ``(left, "&= right", label)``.

    The relation carries the alignment point ``&``; a row that continues the
    one above (:mod:`derive.explain.linebreak`) has an empty left side and starts
    with its operator, indented.
    """
    out = []
    for row in rows:
        left = printer.doprint(row.left) if row.left is not None else ""
        if row.right is None:
            out.append((left, "&", row.label))
            continue
        right = printer.doprint(row.right)
        if not row.relation:
            right = f"{{{right}}}"  # the rest of a vector: its leading minus a sign, not an operator
        out.append((left, _LEADS[row.relation] + right, row.label))
    return out


#: What a row's right side starts with: its relation, or a continuation's indent and operator.
_LEADS = {
    "=": "&= ",
    "<-": r"&\leftarrow ",
    "+": r"&\quad + ",
    "-": r"&\quad - ",
    "cdot": r"&\quad \cdot ",
    "odot": r"&\quad \odot ",
    "": r"&\qquad\quad ",
}


class LatexWriter(blocks.Writer):
    """The blocks as lines of LaTeX."""

    format = "LaTeX"

    def __init__(self, printer: BackpropPrinter):
        self.printer = printer

    def _write_Section(self, block) -> list[str]:
        heading = rf"\section*{{{escape(block.title)}}}"
        return [heading + (" " + escape(block.lead) if block.lead else "")]

    def _write_Paragraph(self, block) -> list[str]:
        return [inline(self.printer, block.parts)]

    def _write_Break(self, block) -> list[str]:
        return ["", r"\nopagebreak"] if block.together else [""]

    def _write_Equations(self, block) -> list[str]:
        rows = aligned_rows(self.printer, block.rows)
        # together: in this group, the rows break across pages only where they fill more than one
        opening, closing = ([r"{\allowdisplaybreaks[1]%"], "}") if block.together else ([], "")
        lines = [*opening, r"\begin{align}"]
        for n, (left, right, label) in enumerate(rows):
            # the tag shows the label's name, which generated code cites
            tag = rf"\label{{{label}}}\tag{{{label.tag}}}" if label else r"\notag"
            # \\* keeps a row on the page of the row it continues (derive.explain.linebreak)
            end = "" if n == len(rows) - 1 else r" \\*" if block.rows[n + 1].left is None else r" \\"
            lines.append(f"  {left} {right} {tag}{end}")
        return lines + [r"\end{align}" + closing]

    def _write_Table(self, block) -> list[str]:
        printer = self.printer
        # a float: where the table does not fit, the text runs on and the table
        # tops the next page, rather than leaving this one half empty
        lines = [r"\begin{table}[!htbp]", r"\centering"]
        if block.caption:
            lines += [rf"\caption{{{escape(block.caption)}}}", r"\smallskip"]
        for n, columns in enumerate(block.parts()):
            if n:
                lines.append(r"\medskip")
            lines.append(r"\begin{tabular}{" + "r" * len(columns) + "}")
            heads = (block.header[c] for c in columns)
            lines.append(" & ".join(escape(h) if isinstance(h, str) else f"${printer.doprint(h)}$" for h in heads))
            lines[-1] += r" \\"
            lines.append(r"\hline")
            for row in block.rows:
                cells = (printer.doprint(blocks.Numbers(row[c])) for c in columns)
                lines.append(" & ".join(f"${c}$" for c in cells) + r" \\")
            lines.append(r"\end{tabular}")
            lines.append(r"\par")
        return lines + [r"\end{table}"]
