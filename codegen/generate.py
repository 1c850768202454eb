"""Turn a network's derivation into a numpy module, write it, and read it back.

The derivation works one unit at a time.  Generated code works one layer at a
time on a batch of samples, so each per-unit expression of unit 1 is lifted to
arrays by an exact structural replacement of its symbols (``s1_1`` → ``s1``,
``g2_1`` → ``g2``, ``y1`` → ``y``) and then printed by
:class:`codegen.printer.ArrayPrinter`.  The template only lays the printed
lines out.

Examples
--------
>>> from derive import seed
>>> text = render(seed(), "derive --out generated/xnor.py", "the seed")
>>> [line for line in text.splitlines() if line.startswith(REGENERATE)]
['# Regenerate with: derive --out generated/xnor.py']
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shlex
from dataclasses import dataclass
from pathlib import Path

import jinja2
import sympy as sp
from sympy.codegen.cfunctions import expm1

import derive
from codegen.inplace import BATCH, Program
from codegen.printer import (
    AddOuter,
    Affine,
    ArrayPrinter,
    Backprop,
    LayerSoftmax,
    LogSoftmax,
    Outer,
    Total,
    has_stable_log,
)
from codegen.scalar import ScalarCode, Unsupported
from derive.derivation import Derivation
from derive.naming import LayerArrays, label
from derive.network import Network

#: The start of the header line that names the command regenerating a module.
REGENERATE = "# Regenerate with: "
#: The program every regenerate command starts with.
PROGRAM = "derive"
#: The start of the header line holding the SHA-256 of the rest of the file.
CHECKSUM = "# Checksum: sha256 "
# How much of a file regenerate_args reads: the header is a few short comment lines.
_HEADER_LINES = 64
_HEADER_LINE_LENGTH = 65536
#: Array forms of layer-wide activations, by the function of their per-unit output.
LAYER_WIDE = {"softmax": LayerSoftmax}

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("codegen", "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)


@dataclass(frozen=True)
class Line:
    """One named quantity of generated code: ``name = code  # (label)``.

    ``formula`` is the same equation in SymPy's plain notation, for docstrings;
    ``uses`` names the arrays the expression reads.
    """

    name: str
    code: str
    formula: str
    label: str
    uses: frozenset[str]
    expr: sp.Expr


class ModuleCode:
    """The printed lines of one network's module.

    Parameters
    ----------
    network : Network

    Examples
    --------
    >>> from derive import seed
    >>> code = ModuleCode(seed())
    >>> [(line.name, line.code) for line in code.deltas]
    [('delta2', 'f*(1 - f)*(-f + y)'), ('delta1', 's1*(1 - s1)*(delta2 @ W2[:, :-1])')]
    """

    def __init__(self, network: Network):
        self.network = network
        d = Derivation(network)
        n = d.names
        self.depth = L = d.depth
        self.arrays = a = LayerArrays(L)
        # The split sigmoid is as exact as logaddexp's and several times faster.
        self.printer = ArrayPrinter({"sigmoid": "split"})
        self._allowed = {a.target, n.rate} | {
            symbol
            for j in range(L + 1)
            for symbol in (
                a.output(j), a.preactivation(j), a.delta(j), a.scaled_delta(j), a.weights(j)
            )
        }
        layers = range(1, L + 1)

        self.forward: list[Line] = []
        for j in layers:
            g = Affine(a.output(j - 1), a.weights(j))
            self.forward.append(self._line(a.preactivation(j), g, label("g", j)))
            self.forward.append(self._line(a.output(j), self._layer_output(d, j), label("s", j)))

        # Unit 1 of the output layer stands for every output unit.
        unit = {
            n.output(L, 1): a.output(L),
            n.preactivation(L, 1): a.preactivation(L),
            n.target(1): a.target,
        }
        output_delta = d.delta(L, 1).xreplace(unit)
        precise_delta = _precise_delta(output_delta, a, self._layer_output(d, L))
        # δ of a hidden layer: its activation's slope times the δ sum through the next layer.
        slopes = {
            j: d.delta_factors(j, 1)[0].xreplace(
                {n.output(j, 1): a.output(j), n.preactivation(j, 1): a.preactivation(j)}
            )
            for j in layers[:-1]
        }
        self.deltas = [
            self._line(a.delta(L), precise_delta, label("delta", L), formula=output_delta)
        ]
        for j in reversed(layers[:-1]):
            delta = slopes[j] * Backprop(a.delta(j + 1), a.weights(j + 1))
            self.deltas.append(self._line(a.delta(j), delta, label("delta", j)))

        self.kappa = d.kappa
        self.gradients: list[Line] = []
        for j in layers:
            gradient = -d.kappa * Outer(a.delta(j), a.output(j - 1))
            self.gradients.append(self._line(sp.Symbol(f"dW{j}"), gradient, label("gradient", j)))

        # update and update_: the seed's rule w - (c/κ) ∂ε/∂w, in which κ cancels, leaving
        # W + c δ (X, 1)ᵀ.  c multiplies the output layer's small δ, and the δ of the
        # layers below, linear in it, come out multiplied by c too: c·δ = slope ⊙ (W̄ᵀ c·δ).
        rate = -(n.rate / d.kappa) * (-d.kappa)
        self.scaled_deltas = [
            self._line(
                a.scaled_delta(L), rate * precise_delta, label("delta", L),
                formula=rate * output_delta,
            )
        ]
        for j in reversed(layers[:-1]):
            total = Backprop(a.scaled_delta(j + 1), a.weights(j + 1))
            self.scaled_deltas.append(
                self._line(a.scaled_delta(j), slopes[j] * total, label("delta", j))
            )
        self.updates: list[Line] = []
        self.updates_in_place: list[Line] = []
        for j in layers:
            updated = AddOuter(a.weights(j), a.scaled_delta(j), a.output(j - 1))
            in_place = AddOuter(*updated.args, a.weights(j))
            self.updates.append(self._line(sp.Symbol(f"W{j}_new"), updated, label("update", j)))
            self.updates_in_place.append(self._line(a.weights(j), in_place, label("update", j)))
        self._slopes = slopes
        self._shapes = {str(a.output(0)): (BATCH, d.sizes[0]), str(a.target): (BATCH, d.sizes[L])}
        self._shapes.update({str(a.weights(j)): (d.sizes[j], d.sizes[j - 1] + 1) for j in layers})

        term = d.loss.term(n.target(1), n.output(L, 1)).xreplace(unit)
        f, f_of_g = a.output(L), self._layer_output(d, L)
        if has_stable_log(f_of_g):
            # log f read as the log of f's function of g, which the printer
            # writes in a form that stays finite where f rounds to 0 or 1.
            term = term.replace(
                lambda e: isinstance(e, sp.log) and e.has(f),
                lambda e: e.func(e.args[0].xreplace({f: f_of_g})),
            )
        self.loss = self._line(sp.Symbol("eps"), Total(term), label("loss"))
        self.one_hot = d.loss.one_hot
        try:
            self.scalar: ScalarCode | None = ScalarCode(d)
        except Unsupported:
            self.scalar = None

    def update_program(self, in_place: bool) -> list[tuple[str, str]]:
        """The statements of update (new weights) or update_ (into the weights), with labels.

        In order: the forward pass, then from the output layer down each layer's
        c·δ and the update of its weights.  The δ sum through W_j is taken before
        W_j changes (update_ writes it in place), the slope applied after, once the
        layer's output has been read by that update: c·δ then takes its place.
        """
        a = self.arrays
        program = Program(self.printer, self._shapes)
        for line in [*self.forward, self.scaled_deltas[0]]:
            program.define(line.name, line.expr, line.label)
        for j in range(self.depth, 0, -1):
            below = a.scaled_delta(j - 1)
            if j > 1:
                total = Backprop(a.scaled_delta(j), a.weights(j))
                program.define(below, total, label("delta", j - 1))
            update = (self.updates_in_place if in_place else self.updates)[j - 1]
            reads = [str(a.scaled_delta(j)), str(a.output(j - 1))]
            program.read(f"{update.name} = {update.code}", reads, update.label)
            if j > 1 and self._slopes[j - 1] != 1:
                program.define(below, self._slopes[j - 1] * below, label("delta", j - 1))
        return program.lines()

    def _layer_output(self, d: Derivation, j: int) -> sp.Expr:
        """Layer j's output as an expression of its pre-activation array."""
        n, g = d.names, self.arrays.preactivation(j)
        unit = d.output(j, 1)
        if d.activation(j).elementwise:
            return unit.xreplace({n.preactivation(j, 1): g})
        # A layer-wide activation: unit 1's output depends on every g of the layer.
        layer = LAYER_WIDE.get(type(unit).__name__)
        if layer is None or unit.free_symbols != {n.preactivation(j, k) for k in d.units(j)}:
            raise ValueError(f"layer {j}: no array form for the activation {unit}")
        return layer(g)

    def _line(self, name: sp.Symbol, expr: sp.Expr, eq: str, formula=None) -> Line:
        """The line computing expr; its docstring formula is ``formula`` where that differs."""
        stray = expr.free_symbols - self._allowed
        if stray:
            raise ValueError(
                f"{name}: {expr} still holds per-unit symbols "
                f"{sorted(map(str, stray))} after lifting it to layer arrays"
            )
        return Line(
            name=str(name),
            code=self.printer.doprint(expr),
            formula=f"{name} = {sp.sstr(expr if formula is None else formula)}",
            label=eq,
            uses=frozenset(str(s) for s in expr.free_symbols),
            expr=expr,
        )

    def context(self) -> dict:
        """What the template needs besides the header: printed lines and name lists."""
        a = self.arrays
        layers = range(1, self.depth + 1)
        forward_names = [line.name for line in self.forward]
        outputs = [str(a.output(j)) for j in layers]
        inputs = [str(a.output(j - 1)) for j in layers]
        deltas = [str(a.delta(j)) for j in layers]
        backward_uses = set(inputs).union(*(line.uses for line in self.deltas))
        weights = [str(a.weights(j)) for j in layers]
        scalar = self.scalar
        # Printed first: the printer collects the imports of everything it prints.
        update_steps = self.update_program(in_place=False)
        update_in_place_steps = self.update_program(in_place=True)
        imports = self.printer.import_lines()
        if scalar:
            imports = sorted({*imports, *scalar.imports, "import struct"})
        # The standard library's imports first, then numpy's, as isort has them.
        imports.sort(key=lambda line: (line.startswith("from "), line))
        numpy = [line for line in imports if line.split()[1].partition(".")[0] == "numpy"]
        import_groups = [g for g in ([i for i in imports if i not in numpy], numpy) if g]
        return {
            "scalar": scalar,
            "weights": weights,
            # The float path checks dimensions; unpacking tolist() checks the sizes.
            "weight_ndims": ", ".join(f"{w}.ndim" for w in weights),
            "sample_ndims": repr((1, *(2 for _ in weights))),
            "sample_ndims_y": repr((1, 1, *(2 for _ in weights))),
            "scalar_weights": list(zip(scalar.weight_targets, weights)) if scalar else [],
            "updates_in_place": self.updates_in_place,
            "scaled_deltas": self.scaled_deltas,
            "update_steps": update_steps,
            "update_in_place_steps": update_in_place_steps,
            "forward": self.forward,
            "deltas": self.deltas,
            "gradients": self.gradients,
            "updates": self.updates,
            "loss_step": self.loss,
            "one_hot": self.one_hot,
            "log_softmax": "_log_softmax" in self.printer.helpers,
            "kappa": self.printer.doprint(self.kappa),
            "import_groups": import_groups,
            "weight_args": ", ".join(weights),
            "weight_tuple": _tuple(weights),
            "forward_names": ", ".join(forward_names),
            "forward_for_outputs": _unpack(forward_names, set(outputs)),
            "forward_for_loss": _unpack(forward_names, self.loss.uses),
            "forward_for_backward": _unpack(forward_names, backward_uses),
            "outputs": ", ".join(outputs),
            "inputs_tuple": _tuple(inputs),
            "delta_tuple": _tuple(deltas),
            "delta_list": ", ".join(deltas),
            "gradient_names": ", ".join(line.name for line in self.gradients),
            "update_names": ", ".join(line.name for line in self.updates),
        }


def _precise_delta(delta: sp.Expr, arrays: LayerArrays, f_of_g: sp.Expr) -> sp.Expr:
    """A softmax's output δ = y − f as y·(1 − f) − (1 − y)·f, with 1 − f = −expm1(log f).

    Where f nears 1, y − f would keep only f's rounding error: 1 − f is 2e-9
    for logits (0, −20, −40), while f's last bit is 1e-16.  Each term here
    keeps its relative precision.  Other output δ are returned as they are.
    """
    y, f = arrays.target, arrays.output(arrays.depth)
    if not isinstance(f_of_g, LayerSoftmax) or sp.expand(delta - (y - f)) != 0:
        return delta
    return f * (y - 1) - y * expm1(LogSoftmax(f_of_g.args[0]))


def _tuple(names: list[str]) -> str:
    """A tuple display of the names, e.g. ``(x,)`` or ``(x, s1)``."""
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _unpack(names: list[str], used) -> str:
    """Unpacking targets for the names, ``_`` for those not used."""
    return ", ".join(name if name in used else "_" for name in names)


def _one_line(text: str) -> str:
    """Text made safe for a comment line: every run of whitespace or control characters one space."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def render(network: Network, command: str, source: str) -> str:
    """The text of the numpy module for a network.

    Parameters
    ----------
    network : Network
    command : str
        The command line that regenerates the module, starting with ``derive``;
        written to the header as ``# Regenerate with: <command>``.
    source : str
        Where the network came from, e.g. a spec path or ``--layers 2-2-2``.

    Returns
    -------
    str
        The module's source; the same arguments always give the same text.

    Examples
    --------
    >>> from derive import Network
    >>> text = render(Network.from_layers("2-1"), "derive --layers 2-1", "--layers 2-1")
    >>> "f = np.exp(np.minimum(g1, 0))/(1 + np.exp(-np.abs(g1)))  # (eq:s-1)" in text
    True
    """
    args = _split_command(command)
    if not args or args[0] != PROGRAM:
        raise ValueError(
            f"command: expected a command line starting with {PROGRAM!r}, got {command!r}"
        )
    code = ModuleCode(network)
    template = _ENVIRONMENT.get_template("module.py.jinja")
    title = _one_line(network.title)
    return _with_checksum(template.render(
        version=derive.__version__,
        source=_one_line(source),
        command=command,
        name=network.name,
        title_lines=[title] if title else [],
        layers_text=network.layers_text,
        activations_text=", ".join(network.activations),
        loss=network.loss,
        layers=_tuple([str(n) for n in network.sizes]),
        activations=_tuple([repr(a) for a in network.activations]),
        **code.context(),
    ))


def _with_checksum(text: str) -> str:
    """The text with a checksum line after its first two lines (the "do not edit" header)."""
    lines = text.splitlines(keepends=True)
    lines.insert(2, f"{CHECKSUM}{_digest(text)}\n")
    return "".join(lines)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EditedError(Exception):
    """An existing file that must not be overwritten without ``force``."""


def edited(text: str) -> str | None:
    """Why a file's text may not be overwritten, or None if it is a pristine generated module.

    A generated module carries the SHA-256 of the rest of its text in its
    header; a file whose text no longer matches was edited by hand.

    Examples
    --------
    >>> from derive import Network
    >>> text = render(Network.from_layers("2-1"), "derive --layers 2-1", "--layers 2-1")
    >>> edited(text) is None
    True
    >>> edited(text.replace("KAPPA = 2", "KAPPA = 3"))
    'edited by hand since it was generated (its checksum no longer matches)'
    """
    lines = text.splitlines(keepends=True)
    marks = [i for i, line in enumerate(lines[:_HEADER_LINES]) if line.startswith(CHECKSUM)]
    if not marks:
        return "not generated by derive (no checksum in its header)"
    (mark,) = marks[:1]
    recorded = lines[mark][len(CHECKSUM) :].strip()
    if recorded != _digest("".join(lines[:mark] + lines[mark + 1 :])):
        return "edited by hand since it was generated (its checksum no longer matches)"
    return None


def _split_command(command: str) -> list[str]:
    if not command.isprintable():
        raise ValueError(f"command: must be one line of printable text, got {command!r}")
    try:
        return shlex.split(command)
    except ValueError as error:
        raise ValueError(f"command: cannot split {command!r} ({error})") from None


def write(text: str, path, force: bool = False) -> None:
    """Write text to path atomically: a temporary file beside it, then ``os.replace``.

    An interrupted or failed write leaves any existing file as it was and no
    temporary file behind.  A new file gets the usual permissions (0666 less
    the umask); an existing file keeps its own.  Unless ``force``, an existing
    file that is not a pristine generated module (see :func:`edited`) is left
    alone and :class:`EditedError` says why.
    """
    path = Path(path)
    if not force and path.exists():
        try:
            reason = edited(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            reason = "not a generated module (unreadable as text)"
        if reason is not None:
            raise EditedError(f"{path} exists and is {reason}; use --force to overwrite it")
    data = text.encode("utf-8")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = None
    directory = path.parent
    while True:
        temporary = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def regenerate_args(path) -> list[str] | None:
    """The arguments after ``derive`` on a generated module's ``# Regenerate with:`` line.

    Only the leading comment block is read and nothing is evaluated.  Returns
    ``None`` when the file has no such line (it was not generated by this tool);
    raises ``ValueError`` if the line is there but cannot be split.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "net.py"
    >>> write("# Regenerate with: derive --layers 2-2-1 --out 'my net.py'", path)
    >>> regenerate_args(path)
    ['--layers', '2-2-1', '--out', 'my net.py']
    """
    with open(path, encoding="utf-8", errors="replace") as file:
        for _ in range(_HEADER_LINES):
            line = file.readline(_HEADER_LINE_LENGTH)
            if not line.startswith("#"):
                return None
            if line.startswith(REGENERATE):
                command = line[len(REGENERATE) :].rstrip("\r\n")
                args = _split_command(command)
                if not args or args[0] != PROGRAM:
                    return None
                return args[1:]
    return None
