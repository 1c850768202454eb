"""The printed lines of a network's module, from the derivation's vector forms.

Each named quantity of a layer is one line, printed by
:class:`codegen.printer.ArrayPrinter` from the matrix expression the
derivation (and so the explanation) states for it: ``preactivation_rule``
and ``output_rule`` for the forward pass, ``layer_rule`` for δ,
``gradient_rule`` and ``update_rule``.  Two lines are written in a form more
precise than the expression's letter, each equal to it: the log of a
saturating output in the loss (the log of a sigmoid or softmax output),
and a sigmoid or softmax output's δ = y − f as y ⊙ (1 − f) − (1 − y) ⊙ f with
1 − f taken from the pre-activations (σ(−g), or the other units' share), so
that it keeps its relative precision where f is near 1.

Examples
--------
>>> from derive import seed
>>> code = ModuleCode(seed())
>>> [(line.name, line.code) for line in code.deltas]
[('delta2', '(y - f) * f * (1 - f)'), ('delta1', 's1 * (1 - s1) * (delta2 @ W2[:, :-1])')]
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.matrices.expressions import HadamardProduct, OneMatrix

from codegen.printer import ArrayPrinter, Helper, LayerFunction, Line, Total
from codegen.scalar import ScalarUpdate
from derive import activations
from derive.derivation import Derivation
from derive.layerwise import Elementwise
from derive.naming import LayerArrays, label
from derive.network import Network


def vector_names(d: Derivation) -> dict[sp.Basic, str]:
    """The code name of each of the derivation's layer vectors and matrices."""
    a, n = LayerArrays(d.depth), d.names
    names = {n.vector("y", d.depth): str(a.target)}
    for j in range(d.depth + 1):
        names[n.vector("s", j)] = names[n.vector("X", j)] = str(a.output(j))
        if j:
            names[n.vector("g", j)] = str(a.preactivation(j))
            names[n.vector("delta", j)] = str(a.delta(j))
            names[n.vector("W", j)] = str(a.weights(j))
            names[n.vector("Wbar", j)] = f"{a.weights(j)}[:, :-1]"
    return names


class ModuleCode:
    """The printed lines of one network's module.

    Parameters
    ----------
    network : Network
    """

    def __init__(self, network: Network):
        self.network = network
        self.derivation = d = Derivation(network)
        self.depth = L = d.depth
        self.arrays = a = LayerArrays(L)
        self.printer = ArrayPrinter(vector_names(d))
        layers = range(1, L + 1)
        self.kappa = d.kappa
        self.one_hot = d.loss.one_hot

        self.forward: list[Line] = []
        for j in layers:
            output = d.output_rule(j)
            if output is None:
                output = self._layer_wide(d, j, d.activation(j).array)
            self.forward.append(self._line(a.preactivation(j), d.preactivation_rule(j), "g", j))
            self.forward.append(self._line(a.output(j), output, "s", j))

        output_delta, complement = self._output_delta(d)
        # The explanation's y − f, written apart: say so on the line a student reads.
        note = complement and f"y - f, 1 - f as {self.printer.doprint(complement)}, precise near f = 1"
        hidden = {j: d.layer_rule(j) for j in reversed(layers[:-1])}
        self.deltas = [self._line(a.delta(L), output_delta, "delta", L, note)] + [
            self._line(a.delta(j), rule, "delta", j) for j, rule in hidden.items()
        ]
        names = self.printer.arrays
        self._delta_uses = {
            names[m] for rule in [output_delta, *hidden.values()] for m in rule.atoms(sp.MatrixSymbol)
        }
        self.gradients = [self._line(f"dW{j}", d.gradient_rule(j), "gradient", j) for j in layers]
        self.updates = [self._line(f"W{j}_new", d.update_rule(j), "update", j) for j in layers]
        term = self._loss_term(d)
        self.loss = self._line("eps", Total(term), "loss")
        self._loss_uses = {str(symbol) for symbol in term.free_symbols}
        self.scalar = ScalarUpdate.of(d)

    def _layer_wide(self, d: Derivation, j: int, helper: str | None) -> LayerFunction:
        """A runtime helper of layer j's whole pre-activation vector, e.g. ``softmax(g2)``."""
        if helper is None:
            raise ValueError(f"layer {j}: no array form for the activation {d.activation(j).name}")
        return LayerFunction(helper, d.names.vector("g", j))

    def _output_delta(self, d: Derivation) -> tuple[sp.MatrixExpr, sp.MatrixExpr | None]:
        """The output δ, and 1 − f where δ = y − f is written with it to keep its digits.

        y − f = y ⊙ (1 − f) − (1 − y) ⊙ f, with 1 − f from the pre-activations
        in the registry's precise form (σ(−g) for the sigmoid), where it has one.
        """
        L, n = d.depth, d.names
        rule, activation = d.layer_rule(L), d.activation(L)
        y, f, g = n.vector("y", L), n.vector("s", L), n.vector("g", L)
        if rule != sp.MatAdd(y, -f):
            if activation.elementwise:
                return rule, None
            raise ValueError(f"layer {L}: no array form for the output δ {rule}")
        if activation.complement is None:
            return rule, None
        if activation.elementwise:
            u = sp.Dummy("u")
            complement = Elementwise(sp.Lambda(u, activation.complement(u)), g)
        else:
            complement = self._layer_wide(d, L, activation.complement)
        precise = sp.MatAdd(
            HadamardProduct(y, complement), -HadamardProduct(OneMatrix(*y.shape) - y, f)
        )
        return precise, complement

    def _loss_term(self, d: Derivation) -> sp.Expr:
        """One output's share of ε for every output at once, the logs of f in stable forms."""
        L, a = d.depth, self.arrays
        f, g = a.output(L), a.preactivation(L)
        term = d.loss.term(a.target, f)
        activation = d.activation(L)
        if activation.log is None:
            return term

        def stable(e):
            if not activation.elementwise:
                return Helper(sp.Symbol(activation.log), g)
            return _stable_log(e.args[0].xreplace({f: activation.apply(g)}))

        return term.replace(lambda e: isinstance(e, sp.log) and e.has(f), stable)

    def _line(self, name, expr, kind: str, j: int | None = None, note: str | None = None) -> Line:
        return Line(str(name), self.printer.doprint(expr), label(kind, j), note or "")

    def context(self) -> dict:
        """What the template needs besides the header: printed lines and name lists."""
        a = self.arrays
        layers = range(1, self.depth + 1)
        weights = [str(a.weights(j)) for j in layers]
        forward = [line.name for line in self.forward]
        outputs = [str(a.output(j)) for j in layers]
        inputs = [str(a.output(j - 1)) for j in layers]
        deltas = [str(a.delta(j)) for j in layers]
        backward_uses = self._delta_uses | set(inputs)
        return {
            "forward": self.forward,
            "deltas": self.deltas,
            "gradients": self.gradients,
            "updates": self.updates,
            "loss_step": self.loss,
            "loss_title": self.derivation.loss.title,
            "scalar": self.scalar,
            "float_imports": _merged(self.scalar.imports if self.scalar else (), self.printer.constants.imports()),
            "scalar_weights": list(zip(weights, map(repr, self.network.weight_shapes))),
            "scalar_parts": _parts(self.network.weight_shapes),
            "helpers": sorted(self.printer.helpers),
            "one_hot": self.one_hot,
            "kappa": self.printer.doprint(self.kappa),
            "weights": ", ".join(weights),
            "weight_tuple": _tuple(weights),
            "forward_names": ", ".join(forward),
            "forward_for_outputs": _unpack(forward, set(outputs)),
            "forward_for_loss": _unpack(forward, self._loss_uses),
            "forward_for_backward": _unpack(forward, backward_uses),
            "outputs": ", ".join(outputs),
            "inputs_tuple": _tuple(inputs),
            "delta_tuple": _tuple(deltas),
            "delta_list": ", ".join(deltas),
            "gradient_names": ", ".join(line.name for line in self.gradients),
            "update_names": ", ".join(line.name for line in self.updates),
        }


def _stable_log(s: sp.Expr) -> sp.Expr:
    """log s, or log(1 − s), of an activation's output s in the registry's stable form.

    log σ(g) = −softplus(−g) and log(1 − σ(g)) = log σ(−g) = −softplus(g):
    finite where σ rounds to 0 or 1.  Written in SymPy, so that the loss
    line's signs cancel as they do on paper: y softplus(−g), not −y (−softplus(−g)).
    """
    entry = activations.of_function(s.func)
    if entry is not None and entry.elementwise and callable(entry.log):
        return entry.log(s.args[0])
    entry = activations.of_function((1 - s).func)
    if entry is not None and entry.elementwise and callable(entry.complement):
        return _stable_log(entry.complement((1 - s).args[0]))
    return sp.log(s)


def _parts(shapes) -> tuple[str, list[str]]:
    """How one flat array of every layer's new weights is cut into the layers' matrices.

    The reshape of the whole array, then each layer's part of it: where every
    matrix has the same number of columns, the whole is one matrix and each
    layer's a block of its rows (the cheaper views); otherwise each layer's
    part of the flat array, reshaped.
    """
    columns = {n for _, n in shapes}
    if len(columns) == 1:
        (n,) = columns
        stops = list(itertools.accumulate(m for m, _ in shapes))
        rows = zip([0, *stops], stops)
        return f".reshape({stops[-1]}, {n})", [f"new[{a}:{b}]" for a, b in rows]
    stops = list(itertools.accumulate(m * n for m, n in shapes))
    return "", [
        f"new[{a}:{b}].reshape{tuple(shape)!r}" for a, b, shape in zip([0, *stops], stops, shapes)
    ]


def _tuple(names: list[str]) -> str:
    """A tuple display of the names, e.g. ``(x,)`` or ``(x, s1)``."""
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _unpack(names: list[str], used) -> str:
    """Unpacking targets for the names, ``_`` for those not used."""
    return ", ".join(name if name in used else "_" for name in names)


def _merged(*imports) -> list[tuple[str, tuple[str, ...]]]:
    """Lists of (module, names) as one, each module once with its names sorted."""
    names: dict[str, set[str]] = {}
    for module, taken in (item for listed in imports for item in listed):
        names.setdefault(module, set()).update(taken)
    return [(module, tuple(sorted(taken))) for module, taken in sorted(names.items())]
