"""The network: an immutable description of a fully connected architecture.

A network has layer sizes n0 (inputs), n1, ..., nL (outputs), one activation
per layer and a loss.  Each layer's input carries a constant 1 for the bias, so
layer j's weights are a matrix of shape (n_j, n_{j-1} + 1), bias weight last.

Spec files are TOML; the schema is documented in the README and in
``derive/networks/xnor.toml``, the seed network.  Every problem with a spec is
a :class:`SpecError` naming the field, the problem and what is accepted.
"""

from __future__ import annotations

import dataclasses
import keyword
import math
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from derive import activations, expression, losses

#: Upper bounds that keep a derivation from hanging or eating the machine.
#: Where the built-in seed comes from, as a header says it.
SEED_SOURCE = "derive/networks/xnor.toml (built-in seed)"
MAX_LAYER_SIZE = 4096
MAX_DEPTH = 64
MAX_SPEC_BYTES = 16 * 2**20

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_EXAMPLE_FIELDS = {"x", "y", "c", "note"}
_FIELDS = {"name", "title", "layers", "activation", "loss", "weights", "data", "example"}


class SpecError(ValueError):
    """A network description that cannot be used, with a message naming why."""


@dataclass(frozen=True)
class Example:
    """A worked example: one input row, its target and the update constant c."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    c: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Network:
    """A fully connected network.

    Parameters
    ----------
    sizes : tuple of int
        Layer sizes (n0, n1, ..., nL): inputs first, outputs last.
    activations : tuple of str
        The activation of each layer 1..L (registry names).
    loss : str
        The loss (registry name).
    name : str
        A Python identifier naming the network (used for generated modules).
    title : str
        A line of prose describing the network.
    weights : tuple, optional
        Initial weights: per layer, per unit, the n_{j-1} + 1 weights, bias last.
    data : tuple, optional
        Rows ``(x, y)`` of a data set.
    example : Example, optional
        A worked example.

    Examples
    --------
    >>> net = Network.from_layers("2-3-1")
    >>> net.sizes, net.activations, net.weight_shapes
    ((2, 3, 1), ('sigmoid', 'sigmoid'), ((3, 3), (1, 4)))
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "squared_error"
    name: str = "network"
    title: str = ""
    weights: tuple[tuple[tuple[float, ...], ...], ...] | None = None
    data: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = ()
    example: Example | None = None

    def __post_init__(self):
        sizes = self.sizes
        if len(sizes) < 2:
            raise SpecError("layers: need at least two sizes (inputs and outputs)")
        if len(sizes) - 1 > MAX_DEPTH:
            raise SpecError(f"layers: at most {MAX_DEPTH} layers, got {len(sizes) - 1}")
        for n in sizes:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise SpecError(f"layers: sizes must be positive integers, got {n!r}")
            if n > MAX_LAYER_SIZE:
                raise SpecError(f"layers: sizes are at most {MAX_LAYER_SIZE}, got {n}")
        if len(self.activations) != self.depth:
            raise SpecError(
                f"activation: need one per layer ({self.depth}), got {len(self.activations)}"
            )
        for name in self.activations:
            _registry_field("activation", expression.activation, name)
        _registry_field("loss", losses.get, self.loss)
        _check_pairing(self)
        if not is_name(self.name):
            raise SpecError(
                f"name: {_short(self.name)} is not a Python identifier fit for a module"
                " (ASCII letters, digits and underscores; not a keyword or __dunder__)"
            )
        if self.weights is not None:
            _check_weights(self.weights, self.weight_shapes)
        for r, (x, y) in enumerate(self.data):
            _check_vector(f"data.x[{r}]", x, sizes[0])
            _check_vector(f"data.y[{r}]", y, sizes[-1])
        if self.example is not None:
            _check_vector("example.x", self.example.x, sizes[0])
            _check_vector("example.y", self.example.y, sizes[-1])
            _check_number("example.c", self.example.c)
            if self.weights is None:
                raise SpecError("example: a worked example needs the network's weights")

    @property
    def depth(self) -> int:
        """The number of layers with weights, L."""
        return len(self.sizes) - 1

    @property
    def weight_shapes(self) -> tuple[tuple[int, int], ...]:
        """Shape (n_j, n_{j-1} + 1) of each layer's weight matrix."""
        return tuple((n, m + 1) for m, n in zip(self.sizes, self.sizes[1:]))

    @property
    def layers_text(self) -> str:
        """The sizes written as on the command line, e.g. ``"2-2-1"``."""
        return "-".join(map(str, self.sizes))

    @property
    def summary(self) -> str:
        """Name, sizes, activations and loss: ``xnor 2-2-1: sigmoid → sigmoid, squared_error``."""
        return f"{self.name} {self.layers_text}: {' → '.join(self.activations)}, {self.loss}"

    def __repr__(self) -> str:
        """The summary and what the spec brings besides; never thousands of weights.

        Examples
        --------
        >>> seed()
        Network(xnor 2-2-1: sigmoid → sigmoid, squared_error; weights, 4 data rows, example)
        """
        extras = ["weights"] if self.weights is not None else []
        if self.data:
            extras.append(f"{len(self.data)} data row{'s' * (len(self.data) != 1)}")
        if self.example is not None:
            extras.append("example")
        return f"Network({self.summary}{'; ' * bool(extras)}{', '.join(extras)})"

    @classmethod
    def from_layers(cls, text: str, activation: str = activations.DEFAULT, **kwargs) -> Network:
        """A network from sizes written ``A-B-...-Z``, e.g. ``"3-4-4-2"``."""
        sizes = parse_layers(text)
        name = kwargs.pop("name", "net_" + "_".join(map(str, sizes)))
        return cls(sizes, (activation,) * (len(sizes) - 1), name=name, **kwargs)

    def varied(self, activations, loss: str) -> Network:
        """The network with other activations or another loss, if they differ.

        The spec's title and its example's note describe the network as
        written (the seed's speak of its sigmoid, its loss and its −0.148): a
        varied network keeps its weights and numbers, not those words.
        """
        changes = {}
        if tuple(activations) != self.activations:
            changes["activations"] = tuple(activations)
        if loss != self.loss:
            changes["loss"] = loss
        if not changes:
            return self
        example = self.example and dataclasses.replace(self.example, note="")
        return dataclasses.replace(self, **changes, title="", example=example)


def is_name(text: str) -> bool:
    """Whether text can name a network or module: an ASCII identifier, no keyword, no dunder.

    Examples
    --------
    >>> is_name("xnor"), is_name("class"), is_name("__init__"), is_name("x y")
    (True, False, False, False)
    """
    return (
        bool(_NAME.match(text))
        and not keyword.iskeyword(text)
        and not (text.startswith("__") and text.endswith("__"))
    )


def name_from_file(stem: str) -> str:
    """The network name a spec file without ``name`` gets from its file name.

    Every character an identifier cannot hold becomes ``_``, and a name that
    would start with a digit starts with ``net_``; "network" where that is no
    name either (a keyword, a dunder).

    Examples
    --------
    >>> name_from_file("my-net"), name_from_file("3-4-4-2"), name_from_file("class")
    ('my_net', 'net_3_4_4_2', 'network')
    """
    name = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in stem)
    if name[:1].isdigit():
        name = "net_" + name
    return name if is_name(name) else "network"


def parse_layers(text: str) -> tuple[int, ...]:
    """Parse ``"2-3-1"`` into ``(2, 3, 1)``; a :class:`SpecError` if malformed."""
    parts = text.strip().split("-")
    if len(parts) == 1 and parts[0].isascii() and parts[0].isdigit():
        raise SpecError(f"--layers: need at least two sizes (inputs and outputs), got {text!r}")
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() for p in parts):
        raise SpecError(
            f"--layers: expected sizes joined by '-', like 2-2-1 or 3-4-4-2, got {text!r}"
        )
    if any(len(p.lstrip("0")) > 6 for p in parts):
        raise SpecError(f"--layers: sizes are at most {MAX_LAYER_SIZE}, got {text[:40]!r}")
    sizes = tuple(int(p) for p in parts)
    if any(n < 1 for n in sizes):
        raise SpecError(f"--layers: every size must be at least 1, got {text!r}")
    return sizes


def load_spec(path: str | Path) -> Network:
    """Read a network from a TOML spec file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(f"{path}: larger than {MAX_SPEC_BYTES // 2**20} MiB, too large a spec")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except OSError as error:
        raise SpecError(f"{path}: cannot read ({error.strerror})") from None
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError(f"{path}: not a TOML file (not UTF-8 text)") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML ({error})") from None
    except (ValueError, RecursionError) as error:  # e.g. a 5000-digit integer, deep nesting
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise SpecError(f"{path}: not a usable TOML file ({reason})") from None
    try:
        return from_table(table, default_name=path.stem)
    except SpecError as error:
        raise SpecError(f"{path}: {error}") from None


def seed() -> Network:
    """The seed network: 2-2-1 sigmoid, learning XNOR, with its worked example."""
    text = resources.files("derive.networks").joinpath("xnor.toml").read_text("utf-8")
    return from_table(tomllib.loads(text))


def from_recipe(recipe: dict, root: Path) -> tuple[Network, str]:
    """The network a generated module's header records, and where it came from.

    ``recipe`` holds ``seed``, ``spec`` (a path, relative ones from ``root``)
    or ``layers``, and the ``activations`` and ``loss`` that replace the
    spec's (see :func:`codegen.files.read_recipe`).
    """
    if "spec" in recipe:
        path = Path(recipe["spec"])
        base, source = load_spec(path if path.is_absolute() else root / path), recipe["spec"]
    elif "layers" in recipe:
        base, source = Network.from_layers(recipe["layers"]), f"--layers {recipe['layers']}"
    else:
        base, source = seed(), SEED_SOURCE
    acts = recipe.get("activations", list(base.activations))
    if len(acts) != base.depth:
        raise SpecError(f"activation: need one per layer ({base.depth}), got {len(acts)}")
    return base.varied(acts, recipe.get("loss", base.loss)), source


def from_table(table: dict, default_name: str = "network") -> Network:
    """A network from a parsed spec (the TOML document as a dict)."""
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise SpecError(
            f"unknown field {unknown[0]!r} (accepted: {', '.join(sorted(_FIELDS))})"
        )
    if "layers" not in table:
        raise SpecError("layers: missing (a list of sizes, inputs first, e.g. [2, 2, 1])")
    sizes = table["layers"]
    if not isinstance(sizes, list):
        raise SpecError(f"layers: expected a list of sizes like [2, 2, 1], got {sizes!r}")
    depth = len(sizes) - 1
    activation = table.get("activation", activations.DEFAULT)
    if isinstance(activation, str):
        activation = [activation] * max(depth, 0)
    if not isinstance(activation, list) or not all(isinstance(a, str) for a in activation):
        raise SpecError("activation: expected a name or a list of names, one per layer")
    name = table.get("name", name_from_file(default_name))
    for field in ("name", "title", "loss"):
        if field in table and not isinstance(table[field], str):
            raise SpecError(f"{field}: expected a string, got {table[field]!r}")
    weights = table.get("weights")
    if weights is not None:
        weights = _nested_floats("weights", weights, depth=3)
    data = ()
    if "data" in table:
        data = _data(table["data"])
    example = None
    if "example" in table:
        example = _example(table["example"])
    return Network(
        sizes=tuple(sizes),
        activations=tuple(activation),
        loss=table.get("loss", "squared_error"),
        name=name,
        title=table.get("title", ""),
        weights=weights,
        data=data,
        example=example,
    )


def _data(data) -> tuple:
    if not isinstance(data, dict) or set(data) != {"x", "y"}:
        raise SpecError("data: expected a table with lists x and y (one row each)")
    xs = _nested_floats("data.x", data["x"], depth=2)
    ys = _nested_floats("data.y", data["y"], depth=2)
    if len(xs) != len(ys):
        raise SpecError(f"data: x has {len(xs)} rows but y has {len(ys)}")
    return tuple(zip(xs, ys))


def _example(example) -> Example:
    if not isinstance(example, dict) or not {"x", "y"} <= set(example) <= _EXAMPLE_FIELDS:
        raise SpecError("example: expected a table with x, y and optionally c and note")
    c = example.get("c", 1.0)
    _check_number("example.c", c)
    note = example.get("note", "")
    if not isinstance(note, str):
        raise SpecError(f"example.note: expected a string, got {note!r}")
    return Example(
        x=_nested_floats("example.x", example["x"], depth=1),
        y=_nested_floats("example.y", example["y"], depth=1),
        c=float(c),
        note=note,
    )


def _nested_floats(field: str, value, depth: int):
    """Lists nested ``depth`` deep of finite numbers, as tuples of floats."""
    if depth == 0:
        _check_number(field, value)
        return float(value)
    if not isinstance(value, list):
        raise SpecError(f"{field}: expected a list, got {value!r}")
    return tuple(_nested_floats(field, v, depth - 1) for v in value)


def _check_number(field: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(f"{field}: expected a finite number, got {_short(value)}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer beyond the float range
        finite = False
    if not finite:
        raise SpecError(f"{field}: expected a finite number, got {_short(value)}")


def _short(value) -> str:
    """A value for an error message, cut to a readable length."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge integer"
    return text if len(text) <= 60 else text[:57] + "..."


def _check_vector(field: str, vector, size: int) -> None:
    if len(vector) != size:
        raise SpecError(f"{field}: expected {size} numbers, got {len(vector)}")


def _check_weights(weights, shapes) -> None:
    if len(weights) != len(shapes):
        raise SpecError(f"weights: expected {len(shapes)} layer matrices, got {len(weights)}")
    for j, (matrix, (rows, cols)) in enumerate(zip(weights, shapes), start=1):
        if len(matrix) != rows or any(len(row) != cols for row in matrix):
            raise SpecError(
                f"weights: layer {j} needs {_rows([cols] * rows)} "
                f"(inputs + bias, bias last), got {_rows([len(row) for row in matrix])}"
            )


def _rows(lengths: list[int]) -> str:
    """Rows of these lengths in words: ``2 rows of 3 numbers``, ragged ``3 rows of 2 to 3 numbers``."""
    if not lengths:
        return "no rows"
    low, high = min(lengths), max(lengths)
    of = f"{low} number{'s' * (low != 1)}" if low == high else f"{low} to {high} numbers"
    return f"{len(lengths)} row{'s' * (len(lengths) != 1)} of {of}"


def _check_pairing(net: Network) -> None:
    """Layer-wide activations and the losses that need them go together."""
    loss = losses.get(net.loss)
    for j, name in enumerate(net.activations[:-1], start=1):
        if not expression.activation(name).elementwise:
            raise SpecError(f"activation: {name} is for the output layer only, not layer {j}")
    output = net.activations[-1]
    if loss.output is not None and output != loss.output:
        raise SpecError(
            f"loss: {loss.name} needs the output activation {loss.output}, got {output}"
        )
    if loss.one_hot:
        rows = [("data.y", y) for _, y in net.data]
        rows += [("example.y", net.example.y)] if net.example else []
        for field, y in rows:
            if abs(sum(y) - 1) > 1e-9 or min(y) < 0:
                raise SpecError(
                    f"{field}: {loss.name} needs targets that are a class distribution"
                    f" (non-negative, summing to 1), got {list(y)}"
                )
    if not expression.activation(output).elementwise:
        if loss.output != output:
            raise SpecError(
                f"activation: {output} on the output layer needs the loss "
                f"{next(x.name for x in losses.LOSSES.values() if x.output == output)}"
                f", got {loss.name}"
            )
        if net.sizes[-1] < 2:
            raise SpecError(f"layers: a {output} output needs at least 2 units")


def _registry_field(field, lookup, name) -> None:
    try:
        lookup(name)
    except ValueError as error:
        raise SpecError(f"{field}: {error}") from None
