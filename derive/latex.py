r"""The derivation as LaTeX: a printer for the network's symbols and a document.

:class:`BackpropPrinter` is SymPy's ``LatexPrinter`` taught the seed's
notation: symbols print by their :mod:`derive.naming` form, the activations as
σ, relu and softplus, elementwise products as ⊙, sums lead with a positive term
(y − f rather than −f + y), and numbers print to a fixed number of decimals.

:func:`explain` lays the printed equations out as an account a student can
follow; :func:`document` wraps it into a file that ``pdflatex`` compiles.  The
output needs only ``amsmath``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from derive import activations, naming
from derive.derivation import Derivation, Elementwise

#: Layers wider than this show a representative unit instead of every unit.
MAX_UNITS_SHOWN = 4
#: Networks with more weights than this leave out the worked example's numbers.
MAX_EXAMPLE_WEIGHTS = 2000
#: Sums longer than this show their first terms, a ⋯ and the last term.
MAX_TERMS_SHOWN = 5

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
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


class BackpropPrinter(LatexPrinter):
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

    def __init__(self, names: naming.Naming, digits: int = 3, numeric: bool = False):
        super().__init__()
        self.names = names
        self.digits = digits
        self.numeric = numeric

    # -- symbols ----------------------------------------------------------
    def _print_Symbol(self, expr, style="plain"):
        latex = self.names.latex(expr)
        return latex if latex is not None else super()._print_Symbol(expr, style)

    _print_Dummy = _print_Symbol

    def _print_MatrixSymbol(self, expr):
        latex = self.names.latex(expr)
        return latex if latex is not None else super()._print_MatrixSymbol(expr)

    # -- sums lead with a positive term: y - f, 1 - s ------------------------
    def _as_ordered_terms(self, expr, order=None):
        if _unevaluated(expr) or isinstance(expr, sp.MatAdd):
            return list(expr.args)  # written in a chosen order: keep it
        terms = list(super()._as_ordered_terms(expr, order=order))
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        return positive + [t for t in terms if t.could_extract_minus_sign()]

    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        if len(terms) <= MAX_TERMS_SHOWN:
            return super()._print_Add(expr, order=order)
        # A long sum, e.g. over 784 inputs: first terms, a ⋯ and the last.
        shown = [self._print(t) for t in terms[:2]] + [r"\cdots", self._print(terms[-1])]
        text = shown[0]
        for t in shown[1:]:
            text += " " + t if t.startswith("-") else " + " + t
        return text

    # -- products ---------------------------------------------------------
    def _print_Mul(self, expr):
        if not self.numeric:
            if not _unevaluated(expr):
                return super()._print_Mul(expr)
            # a product written in a chosen order, e.g. (y - f) f (1 - f): keep it
            self._settings["order"] = "none"
            try:
                return super()._print_Mul(expr)
            finally:
                self._settings["order"] = None
        factors = _flat_factors(expr)
        return r" \cdot ".join(self._factor(f) for f in factors)

    def _factor(self, f):
        text = self._print(f)
        if f.is_Add or (f.is_Number and f < 0) or text.startswith("-"):
            return rf"\left({text}\right)"
        return text

    def _print_Rational(self, expr):
        if self.numeric:
            return self._print_Float(expr)
        return super()._print_Rational(expr)

    def _print_Float(self, expr):
        value = round(float(expr), self.digits)
        text = f"{value:.{self.digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    # -- activations and vector forms ---------------------------------------
    def _print_sigmoid(self, expr, exp=None):
        return self._function(r"\sigma", expr, exp)

    def _print_relu(self, expr, exp=None):
        return self._function(r"\operatorname{relu}", expr, exp)

    def _print_softplus(self, expr, exp=None):
        return self._function(r"\operatorname{softplus}", expr, exp)

    def _print_Heaviside(self, expr, exp=None):
        text = rf"\mathbf{{1}}\left[{self._print(expr.args[0])} > 0\right]"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _function(self, name, expr, exp):
        head = name if exp is None else f"{name}^{{{exp}}}"
        return rf"{head}\left({self._print(expr.args[0])}\right)"

    def _print_HadamardProduct(self, expr):
        parts = []
        for factor in expr.args:
            text = self._print(factor)
            if isinstance(factor, sp.MatAdd | sp.MatMul) or factor.could_extract_minus_sign():
                text = rf"\left({text}\right)"
            parts.append(text)
        return r" \odot ".join(parts)

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
        self.names._latex[placeholder] = self._print(vector)
        try:
            return self._print(function.expr.xreplace({variable: placeholder}))
        finally:
            del self.names._latex[placeholder]

    def _print_Transpose(self, expr):
        return rf"\left({self._print(expr.arg)}\right)^{{T}}"


def _unevaluated(expr) -> bool:
    """Whether a sum or product was built unevaluated, to be shown as written."""
    return isinstance(expr, sp.Add | sp.Mul) and expr.func(*expr.args) != expr


def _flat_factors(expr):
    """The factors of an unevaluated product in order, a −1 merged into the next number."""
    out = []
    for a in expr.args:
        out.extend(_flat_factors(a) if a.is_Mul else [a])
    merged = []
    for f in out:
        if merged and merged[-1] == -1 and f.is_Number:
            merged[-1] = -f
        else:
            merged.append(f)
    return merged


# ---------------------------------------------------------------------------
# The document


class _Writer:
    """Collects lines; keeps the layout helpers in one place."""

    def __init__(self, printer: BackpropPrinter):
        self.p = printer
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.lines.append(text)

    def tex(self, expr) -> str:
        return self.p.doprint(expr)

    def equations(self, rows: list[tuple[str, str, str | None]]) -> None:
        """An ``align`` block; each row is (left, right, label or None)."""
        self(r"\begin{align}")
        for n, (left, right, label) in enumerate(rows):
            # the tag shows the label's name, which generated code cites
            tag = rf"\label{{{label}}}\tag{{{label[3:]}}}" if label else r"\notag"
            end = r" \\" if n < len(rows) - 1 else ""
            relation = f"&= {right}" if right else "&"
            self(f"  {left} {relation} {tag}{end}")
        self(r"\end{align}")


def _times_kappa(d: Derivation) -> str:
    """κ as a factor in LaTeX: nothing for κ = 1, ``2\\,`` for the squared error."""
    return "" if d.kappa == 1 else f"{d.kappa}\\,"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _shown_units(n: int) -> tuple[list[int], bool]:
    """The units to print for a layer of n units, and whether some are left out."""
    if n <= MAX_UNITS_SHOWN:
        return list(range(1, n + 1)), False
    return [1, n], True


def explain(derivation: Derivation, digits: int = 3) -> str:
    """The whole derivation as LaTeX (a document body, amsmath only).

    Parameters
    ----------
    derivation : Derivation
    digits : int
        Decimals of the numbers in the worked example (the seed shows 3).

    Examples
    --------
    >>> from derive import Derivation, seed
    >>> text = explain(Derivation(seed()))
    >>> r"\\delta^{(2)} &= \\left(y - f\\right) f \\left(1 - f\\right)" in text
    True
    """
    d = derivation
    w = _Writer(BackpropPrinter(d.names, digits=digits))
    _network_section(w, d)
    _forward_section(w, d)
    _loss_section(w, d)
    _output_section(w, d)
    for j in range(d.depth - 1, 0, -1):
        _hidden_section(w, d, j)
    _update_section(w, d)
    net = d.network
    if net.example is not None:
        if sum(rows * cols for rows, cols in net.weight_shapes) <= MAX_EXAMPLE_WEIGHTS:
            _example_section(w, d, digits)
        else:
            w("")
            w(
                r"\section*{A worked example}"
                f" The spec has one, but a network of more than {MAX_EXAMPLE_WEIGHTS}"
                " weights is too large to work by hand; the generated module computes it."
            )
    return "\n".join(w.lines) + "\n"


def document(derivation: Derivation, digits: int = 3) -> str:
    """:func:`explain` wrapped into a complete document for ``pdflatex``."""
    title = escape(derivation.network.title or f"Backpropagation, {derivation.network.layers_text}")
    return "\n".join(
        [
            r"\documentclass[11pt]{article}",
            r"\usepackage{amsmath}",
            r"\allowdisplaybreaks",
            rf"\title{{{title}}}",
            r"\date{}",
            r"\begin{document}",
            r"\maketitle",
            explain(derivation, digits),
            r"\end{document}",
            "",
        ]
    )


def _network_section(w: _Writer, d: Derivation) -> None:
    net = d.network
    w(r"\section*{The network}")
    sizes = ", ".join(str(s) for s in net.sizes)
    w(
        f"A fully connected network with layer sizes ${sizes}$: "
        f"{_count(net.sizes[0], 'input')}, {_count(d.depth, 'layer')} of weights, "
        f"{_count(net.sizes[-1], 'output')}."
    )
    if net.title:
        w(escape(net.title) + ".")
    w("")
    for j in range(1, d.depth + 1):
        act = d.activation(j)
        kind = "output" if j == d.depth else "hidden"
        w(
            rf"Layer {j} ({kind}, {_count(net.sizes[j], 'unit')}) applies the "
            f"{escape(act.title)} to each unit."
        )
    g, s = sp.Symbol("g", real=True), sp.Symbol("s", real=True)
    rows = []
    for name in dict.fromkeys(net.activations):
        act = activations.get(name)
        if not act.elementwise:
            rows += _layerwise_rows(w, d)
            continue
        value = act.apply(g)
        definition = value.rewrite(sp.exp).rewrite(sp.log).rewrite(sp.Max)
        if definition != value:
            rows.append((w.tex(value), w.tex(definition), None))
        slope = activations.derivative(act, g, s)
        right = w.tex(slope)
        if slope.has(s):
            right += rf" \quad\text{{with }} s = {w.tex(value)}"
        rows.append((rf"\frac{{d {w.tex(value)}}}{{d g}}", right, None))
    w(
        "SymPy differentiates each activation; where the derivative is best written"
        " with the unit's own output, the activation's definition says so, and the"
        " derivative comes out that way:"
    )
    w.equations(rows)
    for name in dict.fromkeys(net.activations):
        note = activations.get(name).note
        if note:
            w(escape(note))
    bias = f"x_{{{net.sizes[0] + 1}}}"
    w("")
    w(
        "Each layer's input carries a constant 1 for the bias (the network's "
        f"${bias} = 1$, the seed's $x_{{3}} = 1$), so the weights $W^{{(j)}}$ of layer $j$"
        r" form a matrix of $n_j$ rows and $n_{j-1} + 1$ columns, the bias weight last, and "
        r"$X^{(j-1)}$ is the layer's input with the 1 appended."
    )


def _layerwise_rows(w: _Writer, d: Derivation) -> list:
    """The output layer's softmax: its definition and its Jacobian in terms of f."""
    n, L = d.names, d.depth
    f1 = n.output(L, 1)
    rows = [(w.tex(f1), w.tex(d.output(L, 1).rewrite(sp.exp)), None)]
    for k in (1, 2):
        g = n.preactivation(L, k)
        rows.append((rf"\frac{{\partial {w.tex(f1)}}}{{\partial {w.tex(g)}}}",
                     w.tex(d.jacobian(L, 1, k)), None))
    rows.append((r"\frac{\partial f_i}{\partial g_k}",
                 r"f_i \left(\mathbf{1}[i = k] - f_k\right)", None))
    return rows


def _forward_section(w: _Writer, d: Derivation) -> None:
    n = d.names
    w("")
    w(r"\section*{The forward pass}")
    for j in range(1, d.depth + 1):
        g, s = n.vector("g", j), n.vector("s", j)
        act = sp.Symbol("g", real=True)
        if d.activation(j).elementwise:
            value = d.activation(j).apply(act)
            applied = w.tex(Elementwise(sp.Lambda(act, value), g) if value != act else g)
        else:
            applied = rf"\operatorname{{{d.activation(j).name}}}\left({w.tex(g)}\right)"
        w(f"Layer {j}:")
        w.equations(
            [
                (w.tex(g), w.tex(n.vector("W", j)) + " " + w.tex(n.vector("X", j - 1)),
                 naming.label("g", j)),
                (w.tex(s), applied, naming.label("s", j)),
            ]
        )
        units, cut = _shown_units(d.sizes[j])
        rows = []
        for i in units:
            if cut and i == units[-1]:
                rows.append((r"\vdots", "", None))
            rows.append((w.tex(n.preactivation(j, i)), w.tex(_in_input_order(d, j, i)), None))
            rows.append((w.tex(n.output(j, i)), w.tex(d.output(j, i)), None))
        w(r"that is, unit by unit," if not cut else r"that is, for the first and last unit,")
        w.equations([(left, right, None) for left, right, _ in rows if right] if not cut else
                    [(left, right or "", None) for left, right, _ in rows])


def _loss_section(w: _Writer, d: Derivation) -> None:
    w("")
    w(r"\section*{The loss}")
    w(f"The {escape(d.loss.title)} over the outputs:")
    w.equations([(r"\varepsilon", w.tex(d.loss_value), naming.label("loss"))])


def _in_input_order(d: Derivation, j: int, i: int) -> sp.Expr:
    """g^{(j)}_i as the seed writes it: w_{i1} X_1 + w_{i2} X_2 + ... + w_{i,n+1}."""
    w = d.names.weight
    terms = [
        w(j, i, k) if x == 1 else sp.Mul(w(j, i, k), x, evaluate=False)
        for k, x in enumerate(d.inputs(j), start=1)
    ]
    shown = sp.Add(*terms, evaluate=False)
    assert shown.doit() == d.preactivation(j, i)  # the same sum, only in the seed's order
    return shown


def _output_section(w: _Writer, d: Derivation) -> None:
    n = d.names
    L = d.depth
    kappa = w.tex(d.kappa)
    eps = r"\varepsilon"
    w("")
    w(rf"\section*{{The output layer (layer {L})}}")
    w(
        rf"The chain rule takes $\partial {eps} / \partial w^{{({L})}}_{{ik}}$ through the"
        " output, its pre-activation and the weight:"
    )
    if not d.activation(L).elementwise:
        _layerwise_output_section(w, d)
        return
    i, k = 1, 1
    f, g = n.output(L, i), n.preactivation(L, i)
    wt = n.weight(L, i, k)
    fx, gx, wx = w.tex(f), w.tex(g), w.tex(wt)
    factor = d.loss_factor(i)
    shown_loss = sp.Mul(-d.kappa, factor, evaluate=False) if d.kappa != 1 else -factor
    rows = [
        (
            rf"\frac{{\partial {eps}}}{{\partial {wx}}}",
            (rf"\frac{{\partial {eps}}}{{\partial {fx}}}"
            rf"\,\frac{{\partial {fx}}}{{\partial {gx}}}"
            rf"\,\frac{{\partial {gx}}}{{\partial {wx}}}"),
            None,
        ),
        (rf"\frac{{\partial {eps}}}{{\partial {fx}}}", w.tex(shown_loss), None),
        (rf"\frac{{\partial {fx}}}{{\partial {gx}}}", w.tex(d.activation_slope(L, i)), None),
        (rf"\frac{{\partial {gx}}}{{\partial {wx}}}", w.tex(d.weight_slope(L, i, k)), None),
    ]
    w.equations(rows)
    units, cut = _shown_units(d.sizes[L])
    w(
        rf"The unit's $\delta$ is defined by $\partial {eps} / \partial {gx} = -{_times_kappa(d)}"
        rf"{w.tex(n.delta(L, i))}$"
        + rf" ($\kappa = {kappa}$ for this loss)"
        + ", so that"
    )
    rows = []
    for i in units:
        if cut and i == units[-1]:
            rows.append((r"\vdots", "", None))
        factors = sp.Mul(*d.delta_factors(L, i), evaluate=False)
        right = w.tex(factors)
        if d.delta(L, i) != sp.Mul(*d.delta_factors(L, i)):
            right += " = " + w.tex(d.delta(L, i))
        rows.append((w.tex(n.delta(L, i)), right, None))
    w.equations(rows)
    i = 1
    chain = sp.Mul(-d.kappa, *d.delta_factors(L, i), d.weight_slope(L, i, k), evaluate=False)
    w(r"and every output weight's derivative is $-\kappa$ times its unit's $\delta$ times its input:")
    w.equations(
        [
            (
                rf"\frac{{\partial {eps}}}{{\partial {wx}}}",
                w.tex(chain) + " = " + w.tex(d.gradient(L, i, k)),
                None,
            )
        ]
    )
    if d.delta_cancels():
        w(
            r"The activation's slope cancels against the loss's: the output $\delta$ is just"
            f" ${w.tex(d.delta(L, 1))}$."
        )
    w("In vector form, for the whole layer:")
    w.equations([(w.tex(n.vector("delta", L)), w.tex(d.layer_rule(L)), naming.label("delta", L))])


def _layerwise_output_section(w: _Writer, d: Derivation) -> None:
    """The output layer of a softmax: every output depends on every pre-activation."""
    n, L = d.names, d.depth
    kappa, eps = w.tex(d.kappa), r"\varepsilon"
    k = 1
    gx = w.tex(n.preactivation(L, k))
    w(
        rf"Each output $f_i$ depends on every pre-activation of the layer, so the chain rule"
        rf" sums over the outputs: $\partial {eps} / \partial {gx} = \sum_i"
        rf" \partial {eps} / \partial f_i \cdot \partial f_i / \partial {gx}$, with"
    )
    rows = [
        (rf"\frac{{\partial {eps}}}{{\partial {w.tex(n.output(L, i))}}}", w.tex(d.loss_slope(i)), None)
        for i in _shown_units(d.sizes[L])[0]
    ]
    w.equations(rows)
    w(
        rf"and the softmax Jacobian above. The unit's $\delta$ is defined by"
        rf" $\partial {eps} / \partial {gx} = -{_times_kappa(d)}{w.tex(n.delta(L, k))}$"
        rf" ($\kappa = {kappa}$ for this loss), one term per output:"
    )
    terms = sp.Add(*d.layer_delta_terms(k), evaluate=False)
    f = n.output(L, k)
    collected = sp.collect(sp.expand(sp.Add(*d.layer_delta_terms(k))), f)
    share = collected.coeff(f)  # written y_k - f_k (y_1 + ... + y_n), as people do
    shown = sp.Add(collected - share * f, sp.Mul(-1, f, -share, evaluate=False), evaluate=False)
    w.equations([(w.tex(n.delta(L, k)), w.tex(terms) + " = " + w.tex(shown), None)])
    if d.loss.one_hot:
        ys = " + ".join(w.tex(n.target(i)) for i in _shown_units(d.sizes[L])[0])
        w(
            rf"The targets of a sample are a class distribution, ${ys}"
            + (r" + \cdots" if d.sizes[L] > MAX_UNITS_SHOWN else "")
            + r" = 1$ (one-hot for a labelled class), so the Jacobian's terms collapse:"
        )
    rows = []
    for i in _shown_units(d.sizes[L])[0]:
        rows.append((w.tex(n.delta(L, i)), w.tex(d.delta(L, i)), None))
    w.equations(rows)
    w("In vector form, for the whole layer:")
    w.equations([(w.tex(n.vector("delta", L)), w.tex(d.layer_rule(L)), naming.label("delta", L))])


def _hidden_section(w: _Writer, d: Derivation, j: int) -> None:
    n = d.names
    eps = r"\varepsilon"
    kappa = w.tex(d.kappa)
    w("")
    w(rf"\section*{{Hidden layer {j}}}")
    i = 1
    s, g = n.output(j, i), n.preactivation(j, i)
    sx, gx = w.tex(s), w.tex(g)
    w(
        rf"Unit $i$ of layer {j} feeds every unit $k$ of layer {j + 1}, so the chain rule sums"
        rf" over them, with $\partial {eps} / \partial g^{{({j + 1})}}_k = -{_times_kappa(d)}"
        rf"\delta^{{({j + 1})}}_k$ from the layer above and"
        rf" $\partial g^{{({j + 1})}}_k / \partial s_i = w^{{({j + 1})}}_{{ki}}$:"
    )
    w.equations(
        [
            (
                rf"\frac{{\partial {eps}}}{{\partial {gx}}}",
                (rf"\sum_k \frac{{\partial {eps}}}{{\partial g^{{({j + 1})}}_k}}"
                rf"\,\frac{{\partial g^{{({j + 1})}}_k}}{{\partial {sx}}}"
                rf"\,\frac{{\partial {sx}}}{{\partial {gx}}}"),
                None,
            ),
            (rf"\frac{{\partial {sx}}}{{\partial {gx}}}", w.tex(d.activation_slope(j, i)), None),
        ]
    )
    w(rf"Dividing by $-{kappa}$ gives each unit's $\delta$, one term per unit of layer {j + 1}:")
    units, cut = _shown_units(d.sizes[j])
    rows = []
    for i in units:
        if cut and i == units[-1]:
            rows.append((r"\vdots", "", None))
        rows.append((w.tex(n.delta(j, i)), w.tex(sp.Mul(*d.delta_factors(j, i), evaluate=False)), None))
    w.equations(rows)
    w(r"In vector form, with $\bar W$ the weights without their bias column:")
    w.equations([(w.tex(n.vector("delta", j)), w.tex(d.layer_rule(j)), naming.label("delta", j))])


def _update_section(w: _Writer, d: Derivation) -> None:
    n = d.names
    eps = r"\varepsilon"
    kappa = w.tex(d.kappa)
    eta = w.tex(n.learning_rate)
    c = w.tex(n.rate)
    w("")
    w(r"\section*{Gradient and update}")
    w(
        rf"Every weight's derivative is $\partial {eps} / \partial w^{{(j)}}_{{ik}} = "
        rf"\partial {eps} / \partial g^{{(j)}}_i \cdot X^{{(j-1)}}_k = -{_times_kappa(d)}\delta^{{(j)}}_i"
        r" X^{(j-1)}_k$; for whole layers:"
    )
    rows = []
    for j in range(1, d.depth + 1):
        grad = rf"\frac{{\partial {eps}}}{{\partial W^{{({j})}}}}"
        rows.append((grad, w.tex(d.gradient_rule(j)), naming.label("gradient", j)))
    w.equations(rows)
    w(
        rf"Gradient descent with learning rate ${eta}$ moves each weight against its gradient,"
        rf" $W \leftarrow W - {eta}\,\partial {eps} / \partial W = W + {kappa if d.kappa != 1 else ''}{eta}\,\delta X^{{T}}$."
        + (
            rf" The seed's rule takes the factor {kappa} into its positive constant: with ${c} = {kappa}{eta}$"
            if d.kappa != 1
            else rf" The seed's rule is exactly this, with ${c} = {eta}$:"
        )
    )
    rows = []
    for j in range(1, d.depth + 1):
        rows.append((w.tex(n.vector("W", j)), r"\leftarrow " + w.tex(d.update_rule(j)), naming.label("update", j)))
    # align puts the relation after &; \leftarrow replaces the = of the row
    w(r"\begin{align}")
    for m, (left, right, label) in enumerate(rows):
        end = r" \\" if m < len(rows) - 1 else ""
        w(rf"  {left} &{right} \label{{{label}}}\tag{{{label[3:]}}}{end}")
    w(r"\end{align}")
    if d.kappa != 1:
        w(
            rf"Note the ${kappa}$: the true gradient is $-{kappa}\,\delta X^{{T}}$, so"
            rf" $-\partial {eps} / \partial W$ equals $\delta X^{{T}}$ only up to that factor,"
            rf" and the seed's ${c}$ is ${kappa}$ times the learning rate ${eta}$ of plain"
            " gradient descent."
        )


def _example_section(w: _Writer, d: Derivation, digits: int) -> None:
    net = d.network
    example = net.example
    n = d.names
    num = BackpropPrinter(n, digits=digits, numeric=True)
    w("")
    w(r"\section*{A worked example}")
    if net.data:
        _forward_table(w, d, num)
    step = d.step(example.x, example.y, net.weights, example.c)
    v = step.values
    xs = ", ".join(num.doprint(v[n.input(k)]) for k in d.units(0))
    ys = ", ".join(num.doprint(v[n.target(i)]) for i in d.units(d.depth))
    c = num.doprint(v[n.rate])
    w(
        rf"One step for the input $x = ({xs})$ with target $y = ({ys})$ and $c = {c}$,"
        f" every number computed at full precision and shown to {digits} decimals."
        " Each $\\delta$ is its formula with the numbers substituted:"
    )
    rows = []
    for j in range(d.depth, 0, -1):
        for i in _shown_units(d.sizes[j])[0]:
            formula = (
                sp.Mul(*d.delta_factors(j, i), evaluate=False)
                if j < d.depth or d.activation(j).elementwise
                else d.delta(j, i)
            )
            with sp.evaluate(False):
                shown = formula.xreplace(v)
            right = f"{num.doprint(shown)} = {num.doprint(v[n.delta(j, i)])}"
            rows.append((w.tex(n.delta(j, i)), right, None))
    w.equations(rows)
    if example.note:
        w(escape(example.note))
        w("")
    kappa = w.tex(d.kappa)

    def rows_of(new_row, first_factor):
        rows = []
        for j in range(d.depth, 0, -1):
            inputs = [v.get(x, x) for x in d.inputs(j)]
            for i in _shown_units(d.sizes[j])[0]:
                left = rf"W^{{({j})}}_{{{i}}}" if d.sizes[j] > 1 else rf"W^{{({j})}}"
                factors = [*first_factor, v[n.delta(j, i)]]
                product = r" \cdot ".join(num._factor(f) for f in factors)
                row = ", ".join(num.doprint(x) for x in new_row(j, i))
                rows.append((left, product, _vector(num, inputs), row))
        return rows

    w(
        (rf"The true gradient has the factor {kappa} of" if d.kappa != 1 else "The true gradient,")
        + rf" $\partial \varepsilon / \partial W = -{_times_kappa(d)}\delta X^{{T}}$:"
    )
    grad = rows_of(
        lambda j, i: [d.gradient(j, i, k).xreplace(v) for k in range(1, d.sizes[j - 1] + 2)],
        [-d.kappa],
    )
    w.equations(
        _two_lines(
            (rf"\frac{{\partial \varepsilon}}{{\partial {left}}}", rf"{p} \cdot {x}", f"({r})")
            for left, p, x, r in grad
        )
    )
    w(
        rf"The seed's update $W \leftarrow W + c\,\delta X^{{T}}$ steps against it with"
        rf" $c = {c}$, that is gradient descent with learning rate"
        + (rf" $\eta = c / {kappa}" if d.kappa != 1 else r" $\eta = c")
        + rf" = {num.doprint(v[n.rate] / d.kappa)}$; one row per unit:"
    )
    upd = rows_of(lambda j, i: step.updated[j - 1][i - 1], [v[n.rate]] if example.c != 1 else [])
    rows = []
    for (left, p, x, r), j_i in zip(upd, _unit_order(d)):
        old = _vector(num, [sp.Float(o) for o in net.weights[j_i[0] - 1][j_i[1] - 1]])
        rows.append((left, rf"{old} + {p} \cdot {x}", f"({r})"))
    w.equations(_two_lines(rows))


def _two_lines(rows) -> list:
    """Rows ``left = formula = result``, the result on a line of its own when long."""
    out = []
    for left, formula, result in rows:
        if len(formula) + len(result) < 90:
            out.append((left, f"{formula} = {result}", None))
        else:
            out += [(left, formula, None), ("", result, None)]
    return out


def _unit_order(d: Derivation):
    """(j, i) of the units the example shows, output layer first."""
    return [(j, i) for j in range(d.depth, 0, -1) for i in _shown_units(d.sizes[j])[0]]


def _vector(num: BackpropPrinter, values) -> str:
    return "(" + ", ".join(num.doprint(x) for x in values) + ")"


def _forward_table(w: _Writer, d: Derivation, num: BackpropPrinter) -> None:
    n = d.names
    net = d.network
    columns = [n.input(k) for k in d.units(0)]
    for j in range(1, d.depth + 1):
        if d.sizes[j] <= MAX_UNITS_SHOWN or j == d.depth:
            for i in d.units(j):
                columns += [n.preactivation(j, i), n.output(j, i)]
    columns += [n.target(i) for i in d.units(d.depth)]
    w(r"The forward pass over the data set:")
    w("")
    w(r"\begin{center}")
    w(r"\begin{tabular}{" + "r" * len(columns) + "}")
    w(" & ".join(f"${w.tex(c)}$" for c in columns) + r" \\")
    w(r"\hline")
    for x, y in net.data:
        step = d.step(x, y, net.weights)
        w(" & ".join(f"${num.doprint(step.values[c])}$" for c in columns) + r" \\")
    w(r"\end{tabular}")
    w(r"\end{center}")
