"""The ``derive`` command: spec → derivation → LaTeX or a numpy module.

Exit codes: 0 success, 1 ``--check`` found stale files, 2 bad input (one line
on stderr naming the problem; nothing written).
"""

from __future__ import annotations

import argparse
import dataclasses
import keyword
import shlex
import sys
from pathlib import Path

from derive import __version__, activations, losses
from derive.network import Network, SpecError, load_spec, seed

SEED_SOURCE = "derive/networks/xnor.toml (built-in seed)"

EXAMPLES = """\
examples:
  derive --latex                          the seed network's derivation, LaTeX on stdout
  derive --latex --standalone > seed.tex  a complete document: pdflatex seed.tex
  derive --latex --layers 3-4-4-2         any fully connected network
  derive --latex --spec my_net.toml       a network described in a TOML file
  derive --latex --digits 7               the worked example at full precision
  derive --layers 2-2-2 --out generated/net_2_2_2.py   generate a numpy module
  derive --check                          exit 1 if a module in generated/ is stale
"""


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``derive`` (also used to re-read generated headers)."""
    parser = _Parser(
        prog="derive",
        description=(
            "Derive backpropagation for a fully connected network by the chain rule "
            "(SymPy), explain it in LaTeX, and generate a numpy module for it. "
            "Without --spec or --layers the built-in seed network is used: "
            "2-2-1 sigmoid, learning XNOR."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    net = parser.add_argument_group("the network (default: the built-in seed)")
    which = net.add_mutually_exclusive_group()
    which.add_argument(
        "--spec",
        metavar="FILE",
        help="a TOML spec file (schema in the README), e.g. --spec my_net.toml",
    )
    which.add_argument(
        "--layers",
        metavar="A-B-...-Z",
        help="layer sizes, inputs first, outputs last, e.g. --layers 3-4-4-2",
    )
    net.add_argument(
        "--activation",
        metavar="NAME",
        help=f"activation of the hidden layers ({', '.join(activations.ACTIVATIONS)}), "
        "e.g. --activation tanh",
    )
    net.add_argument(
        "--output-activation",
        metavar="NAME",
        help="activation of the output layer, e.g. --output-activation sigmoid",
    )
    net.add_argument(
        "--loss",
        metavar="NAME",
        help=f"the loss ({', '.join(losses.LOSSES)}), e.g. --loss binary_cross_entropy",
    )
    out = parser.add_argument_group("what to produce")
    out.add_argument(
        "--latex",
        action="store_true",
        help="print the derivation and worked example as LaTeX (amsmath), e.g. derive --latex",
    )
    out.add_argument(
        "--standalone",
        action="store_true",
        help="with --latex: a complete document that pdflatex compiles",
    )
    out.add_argument(
        "--digits",
        metavar="N",
        type=_digits,
        default=3,
        help="decimals of the worked example's numbers (default 3, as the seed), e.g. --digits 7",
    )
    out.add_argument(
        "--out",
        metavar="FILE",
        help="write a numpy module for the network, e.g. --out generated/my_net.py",
    )
    out.add_argument(
        "--check",
        metavar="DIR",
        nargs="?",
        const="generated",
        help="regenerate every module in DIR (default generated/) in memory; "
        "exit 1 naming each stale file. Writes nothing.",
    )
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    return parser


def _digits(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 15:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to 15, got {text!r}")
    return int(text)


def network_from_args(args: argparse.Namespace, root: Path | None = None) -> tuple[Network, str]:
    """The network the arguments describe, and a description of where it came from.

    ``root`` resolves a relative ``--spec`` (for headers read back by ``--check``).
    """
    if args.spec:
        path = Path(args.spec)
        if root is not None and not path.is_absolute():
            path = root / path
        network, source = load_spec(path), args.spec
    elif args.layers:
        network, source = Network.from_layers(args.layers), f"--layers {args.layers}"
    else:
        network, source = seed(), SEED_SOURCE
    changes = {}
    acts = list(network.activations)
    if args.activation:
        acts[:-1] = [args.activation] * (len(acts) - 1)
    if args.output_activation:
        acts[-1] = args.output_activation
    elif args.loss and losses.get(args.loss).output:
        acts[-1] = losses.get(args.loss).output  # e.g. softmax under softmax_cross_entropy
    if acts != list(network.activations):
        changes["activations"] = tuple(acts)
    if args.loss:
        changes["loss"] = args.loss
    if changes:
        network = dataclasses.replace(network, **changes)
    return network, source


def regenerate_command(args: argparse.Namespace, out: str) -> str:
    """The command line that regenerates a module, written into its header."""
    words = ["derive"]
    for flag in ("spec", "layers", "activation", "output_activation", "loss"):
        value = getattr(args, flag)
        if value:
            words += ["--" + flag.replace("_", "-"), value]
    words += ["--out", out]
    return shlex.join(words)


def module_name(path: str) -> str:
    """The module name of an output path; a UsageError unless it is importable."""
    name = Path(path).name
    stem = name[:-3] if name.endswith(".py") else None
    if not stem or not stem.isidentifier() or keyword.iskeyword(stem) or not stem.isascii():
        raise UsageError(
            f"--out: {path!r} must end in NAME.py with NAME a Python identifier, e.g. my_net.py"
        )
    return stem


def _latex(network: Network, args) -> str:
    from derive.derivation import Derivation
    from derive.latex import document, explain

    derivation = Derivation(network)
    make = document if args.standalone else explain
    return make(derivation, digits=args.digits)


def _generate(network: Network, source: str, args) -> None:
    from codegen import generate

    module_name(args.out)
    text = generate.render(network, regenerate_command(args, args.out), source)
    generate.write(text, args.out)
    print(f"wrote {args.out}", file=sys.stderr)


def check(directory: str) -> int:
    """Regenerate every module in ``directory`` in memory; 1 if any differs, else 0."""
    from codegen import generate

    folder = Path(directory)
    if not folder.is_dir():
        raise UsageError(f"--check: {directory!r} is not a directory")
    root = folder.resolve().parent
    stale = 0
    files = sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    for path in files:
        try:
            argv = generate.regenerate_args(path)
        except (ValueError, OSError) as error:
            print(f"{path}: unreadable header: {error}", file=sys.stderr)
            stale += 1
            continue
        if argv is None:
            print(f"{path}: not generated by derive (no 'Regenerate with' line)", file=sys.stderr)
            stale += 1
            continue
        try:
            args = build_parser().parse_args(argv)
            if args.out is None or args.latex or args.check is not None:
                raise UsageError("the header's command must only describe a network and --out")
            network, source = network_from_args(args, root=root)
            text = generate.render(network, regenerate_command(args, args.out), source)
        except (UsageError, SpecError, ValueError) as error:
            print(f"{path}: cannot regenerate: {error}", file=sys.stderr)
            stale += 1
            continue
        if path.read_text(encoding="utf-8") != text:
            print(f"{path}: stale; regenerate with: {shlex.join(['derive', *argv])}", file=sys.stderr)
            stale += 1
    if not stale:
        print(f"{len(files)} generated module(s) up to date", file=sys.stderr)
    return 1 if stale else 0


def main(argv: list[str] | None = None) -> int:
    """Run ``derive``; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if args.check is not None:
            return check(args.check)
        if not (args.latex or args.out):
            raise UsageError("nothing to do: give --latex, --out FILE or --check (see --help)")
        if args.standalone and not args.latex:
            raise UsageError("--standalone goes with --latex")
        network, source = network_from_args(args)
        if args.out:
            module_name(args.out)  # refuse a bad name before any work
        if args.latex:
            sys.stdout.write(_latex(network, args))
        if args.out:
            _generate(network, source, args)
        return 0
    except (UsageError, SpecError) as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
