"""Render a network's module: the template lays out the printed lines of :mod:`codegen.module`.

Examples
--------
>>> from derive import seed
>>> text = render(seed(), "derive --out generated/xnor.py", "the seed", {"seed": True})
>>> [line for line in text.splitlines() if line.startswith("# Recipe")]
['# Recipe: {seed = true, generator = "0.1.0"}']
"""

from __future__ import annotations

import inspect
import shlex

import jinja2

from codegen import runtime
from codegen.files import recipe_line, with_checksum
from codegen.module import ModuleCode
from derive.network import Network
from derive.version import __version__

#: The program every regenerate command starts with.
PROGRAM = "derive"

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("codegen", "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)


def _tuple(names: list[str]) -> str:
    """A tuple display of the names, e.g. ``(x,)`` or ``(x, s1)``."""
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _one_line(text: str) -> str:
    """Text made safe for a comment line: every run of whitespace or control characters one space."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def render(network: Network, command: str, source: str, recipe: dict | None = None) -> str:
    """The text of the array module for a network.

    Parameters
    ----------
    network : Network
    command : str
        The command line that regenerates the module, starting with ``derive``;
        written to the header as ``# Regenerate with: <command>``.
    source : str
        Where the network came from, e.g. a spec path or ``--layers 2-2-2``.
    recipe : dict, optional
        What the network is built from, recorded in the header as data
        (:func:`codegen.files.recipe_line`) for ``derive --check`` and
        ``derive --regenerate``: ``seed``, ``spec`` or ``layers``, and the
        ``activations`` and ``loss`` that replaced the spec's.  The
        generator's version is added.

    Returns
    -------
    str
        The module's source; the same arguments always give the same text.

    Examples
    --------
    >>> from derive import Network
    >>> text = render(Network.from_layers("2-1"), "derive --layers 2-1", "--layers 2-1")
    >>> "    f = sigmoid(g1)  # (eq:s-1)" in text
    True
    """
    args = _split_command(command)
    if not args or args[0] != PROGRAM:
        raise ValueError(
            f"command: expected a command line starting with {PROGRAM!r}, got {command!r}"
        )
    context = ModuleCode(network).context()
    template = _ENVIRONMENT.get_template("module.py.jinja")
    title = _one_line(network.title)
    recipe_lines = [] if recipe is None else [
        recipe_line({**recipe, "generator": __version__}).rstrip("\n")
    ]
    return with_checksum(template.render(
        version=__version__,
        recipe_lines=recipe_lines,
        source=_one_line(source),
        command=command,
        name=network.name,
        title_lines=[title] if title else [],
        layers_text=network.layers_text,
        activations_text=", ".join(network.activations),
        loss=network.loss,
        layers=_tuple([str(n) for n in network.sizes]),
        activations=_tuple([repr(a) for a in network.activations]),
        **context,
        runtime=runtime_source(context["helpers"]),
    ))


def _split_command(command: str) -> list[str]:
    if not command.isprintable():
        raise ValueError(f"command: must be one line of printable text, got {command!r}")
    try:
        return shlex.split(command)
    except ValueError as error:
        raise ValueError(f"command: cannot split {command!r} ({error})") from None


def runtime_source(helpers) -> str:
    """The source of the :mod:`codegen.runtime` functions a module calls, in the runtime's order.

    Examples
    --------
    >>> runtime_source(["sigmoid"]).count("def ")
    5
    """
    wanted = {*runtime.ALWAYS, *helpers}
    wanted |= {need for name in helpers for need in runtime.NEEDS.get(name, ())}
    functions = [f for name, f in vars(runtime).items() if name in wanted and inspect.isfunction(f)]
    missing = wanted - {f.__name__ for f in functions}
    if missing:
        raise ValueError(f"codegen.runtime has no helper {', '.join(sorted(missing))}")
    return "\n\n\n".join(inspect.getsource(f).rstrip("\n") for f in functions)
