"""The ``derive`` command: spec → derivation → LaTeX, HTML, Markdown, PDF, an array module,
training, exercises and grading.

Exit codes: 0 success, 1 ``--check`` found stale files or ``--grade`` a wrong
answer, 2 bad input (one line on stderr naming the problem; nothing written).

The code generator, the HTML and Markdown writers and training (numpy) are
imported by the functions that use them, so that ``derive --latex`` loads
only the derivation and its LaTeX writer.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from derive import activations, losses
from derive.cli import teaching
from derive.cli.common import UsageError, _Parser, network_from_args, write
from derive.derivation import Derivation
from derive.explain.latex import document, explain
from derive.network import Network, SpecError, from_recipe, is_name
from derive.version import __version__

if TYPE_CHECKING:
    from derive.train import Training

#: The header's hint how to regenerate a module.  The same for every module and folder:
#: what a module is built from is its recipe, and --check compares whole files.
REGENERATE_COMMAND = "derive --regenerate DIR  (DIR: the folder of this module)"

EXAMPLES = """\
examples:
  derive --latex                          the seed network's derivation, LaTeX on stdout
  derive --latex --standalone > seed.tex  a complete document: pdflatex seed.tex
  derive --latex --layers 3-4-4-2         any fully connected network
  derive --latex --spec my_net.toml       a network described in a TOML file
  derive --latex --digits 7               the worked example at full precision
  derive --layers 2-2-2 --out generated/net_2_2_2.py   generate an array module
  derive --check                          exit 1 if a module in generated/ is stale
  derive --regenerate                     rewrite each stale module in generated/ from its header
  derive --html report.html               one self-contained page: MathML, diagram, training curve
  derive --markdown > seed.md             Markdown with $$ maths, for GitHub and Jupyter
  derive --train --epochs 5000            train the spec's data set with the generated update
  derive --train --batch --c 0.5          one update per epoch, summed over the data set
  derive --pdf seed.pdf                   the derivation as a PDF (pdflatex)
  derive --exercise --seed 7 --solutions  an exercise sheet (LaTeX) with its worked solution
  derive --exercise --seed 7 --variants 30 --solutions --pdf sheets.pdf   30 versions and a key
  derive --exercise --seed 7 --toml > ex7.toml   the exercise as a spec file
  derive --grade answers.toml             mark a student's numbers, the first slip named
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``derive`` (also used to re-read generated headers)."""
    parser = _Parser(
        prog="derive",
        description=(
            "Derive backpropagation for a fully connected network by the chain rule "
            "(SymPy), explain it in LaTeX, and generate an array module for it (numpy, PyTorch, JAX, dask, ...). "
            "Without --spec or --layers the built-in seed network is used: "
            f"2-2-1 {activations.DEFAULT}, learning XNOR."
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
        help="activation of the output layer, e.g. --output-activation linear",
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
        "--markdown",
        action="store_true",
        help="print the derivation, worked example and training as Markdown with $$ maths "
        "(GitHub, Jupyter), e.g. derive --markdown > seed.md",
    )
    out.add_argument(
        "--html",
        metavar="FILE",
        help="write one self-contained HTML page (MathML, an SVG diagram of the network, "
        "the worked example, the training curve; no scripts, opens offline), "
        "e.g. --html report.html",
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
        help="write an array module for the network, e.g. --out generated/my_net.py",
    )
    out.add_argument(
        "--force",
        action="store_true",
        help="with --out: overwrite a file that was edited by hand or not generated by derive",
    )
    out.add_argument(
        "--check",
        metavar="DIR",
        nargs="?",
        const="generated",
        help="regenerate every module in DIR (default generated/) in memory; "
        "exit 1 naming each stale file. Writes nothing.",
    )
    out.add_argument(
        "--regenerate",
        metavar="DIR",
        nargs="?",
        const="generated",
        help="rewrite each stale module in DIR (default generated/) from the network its "
        "header records; with --force also modules edited by hand",
    )
    train = parser.add_argument_group(
        "training on the spec's data set (with --train, and for the curve of --html and --markdown)"
    )
    train.add_argument(
        "--train",
        action="store_true",
        help="train with the generated update and print ε as it falls and the final output "
        "of every data row, e.g. derive --train --epochs 5000",
    )
    train.add_argument(
        "--epochs",
        metavar="N",
        type=_epochs,
        help="passes over the data set (default 5000), e.g. --epochs 20000",
    )
    train.add_argument(
        "--c",
        metavar="C",
        type=_rate,
        help="the update constant c of W + c δ Xᵀ (default: the spec's example c, else 1), "
        "e.g. --c 0.5",
    )
    train.add_argument(
        "--batch",
        action="store_true",
        help="one update per epoch, summed over the data set, instead of one per data row "
        "in order (the seed's), e.g. derive --train --batch",
    )
    teaching.add_arguments(parser)
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    return parser


def _digits(text: str) -> int:
    # 0 decimals would round the seed's 0.655 to 1 and its δ to (0 − 1)·1·(1 − 1) = 0.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 15:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 15, got {text!r}")
    return int(text)


def _epochs(text: str) -> int:
    from derive.train import MAX_EPOCHS

    if not (text.isascii() and text.isdigit()) or int(text) > MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_EPOCHS}, got {text!r}")
    return int(text)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def module_name(path: str) -> str:
    """The module name of an output path; a UsageError unless it is importable."""
    name = Path(path).name
    stem = name[:-3] if name.endswith(".py") else None
    if not stem or not is_name(stem):
        raise UsageError(
            f"--out: {path!r} must end in NAME.py with NAME a plain Python identifier"
            " (not a keyword, not __dunder__), e.g. my_net.py"
        )
    return stem


def _latex(network: Network, args) -> str:
    derivation = Derivation(network)
    make = document if args.standalone else explain
    return make(derivation, digits=args.digits)


def trained(
    network: Network,
    epochs: int | None = None,
    c: float | None = None,
    batch: bool = False,
    progress=None,
) -> Training:
    """A training run of the network with the update codegen writes for it.

    ``epochs`` defaults to :data:`derive.train.DEFAULT_EPOCHS`.

    Examples
    --------
    >>> from derive import seed
    >>> [round(float(e), 4) for e in trained(seed(), epochs=2).losses]
    [1.3406, 1.2411, 1.1369]
    """
    import codegen
    from derive.train import DEFAULT_EPOCHS, default_c, load_module, train
    from derive.train import check as check_training

    epochs = DEFAULT_EPOCHS if epochs is None else epochs
    # Checked before rendering, so that a network without data fails at once.
    check_training(network, epochs, default_c(network) if c is None else float(c))
    text = codegen.render(network, "derive --train", f"the network {network.name!r}")
    module = load_module(text, network.name)
    return train(network, module, epochs=epochs, c=c, batch=batch, progress=progress)


def _training(network: Network, args, required: bool):
    """Train as the arguments say; None when not asked for and the spec has no data set."""
    from derive.explain.training import Progress
    from derive.train import DEFAULT_EPOCHS

    if not network.data and not required:
        return None
    epochs = DEFAULT_EPOCHS if args.epochs is None else args.epochs
    progress = Progress(epochs)
    try:
        return trained(network, epochs=epochs, c=args.c, batch=args.batch, progress=progress)
    finally:
        progress.close()


def _generate(network: Network, source: str, recipe: dict, args) -> None:
    import codegen

    module_name(args.out)
    text = codegen.render(network, REGENERATE_COMMAND, source, recipe)
    try:
        codegen.write(text, args.out, force=args.force)
    except codegen.EditedError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"--out: cannot write {args.out!r} ({error.strerror})") from None
    print(f"wrote {args.out}", file=sys.stderr)


def _modules(directory: str, option: str):
    """Each generated module in ``directory`` with what its header regenerates, or None.

    Yields ``(path, committed, text)``; ``text`` is None when the module
    cannot be regenerated, and a line on stderr says why.
    """
    import codegen

    folder = Path(directory)
    if not folder.is_dir():
        raise UsageError(f"{option}: {directory!r} is not a directory")
    root = folder.resolve().parent
    for path in sorted(p for p in folder.glob("*.py") if p.name != "__init__.py"):
        try:
            recipe = codegen.read_recipe(path)
        except (ValueError, OSError) as error:
            print(f"{path}: unreadable header: {error}", file=sys.stderr)
            yield path, None, None
            continue
        if recipe is None:
            print(f"{path}: not generated by derive (no 'Recipe' line)", file=sys.stderr)
            yield path, None, None
            continue
        try:
            network, source = from_recipe(recipe, root)
            recipe = {key: value for key, value in recipe.items() if key != "generator"}
            text = codegen.render(network, REGENERATE_COMMAND, source, recipe)
        except (UsageError, SpecError, ValueError) as error:
            print(f"{path}: cannot regenerate: {error}", file=sys.stderr)
            yield path, None, None
            continue
        yield path, path.read_text(encoding="utf-8"), text


def check(directory: str) -> int:
    """Regenerate every module in ``directory`` in memory; 1 if any differs, else 0."""
    import codegen

    stale = count = 0
    for path, committed, text in _modules(directory, "--check"):
        count += 1
        if text is None:
            stale += 1
        elif committed != text:
            reason = codegen.edited(committed)
            if reason is not None:
                # --regenerate keeps such a file; with --force it replaces it, the edits lost.
                command = shlex.join(["derive", "--regenerate", directory, "--force"])
                print(f"{path}: {reason}; to replace it: {command}", file=sys.stderr)
            else:
                command = shlex.join(["derive", "--regenerate", directory])
                print(f"{path}: stale; regenerate with: {command}", file=sys.stderr)
            stale += 1
    if not stale:
        print(f"{count} generated module(s) up to date", file=sys.stderr)
    return 1 if stale else 0


def regenerate(directory: str, force: bool = False) -> int:
    """Rewrite each stale module in ``directory`` from its header; 1 if any was left, else 0.

    A module edited by hand is left alone unless ``force``.
    """
    import codegen

    left = fresh = 0
    for path, committed, text in _modules(directory, "--regenerate"):
        if text is None:
            left += 1
        elif committed == text:
            fresh += 1
        else:
            try:
                codegen.write(text, path, force=force)
            except codegen.EditedError as error:
                print(error, file=sys.stderr)
                left += 1
                continue
            except OSError as error:
                print(f"{path}: cannot write ({error.strerror})", file=sys.stderr)
                left += 1
                continue
            print(f"wrote {path}", file=sys.stderr)
    print(f"{fresh} generated module(s) already up to date", file=sys.stderr)
    return 1 if left else 0


def main(argv: list[str] | None = None) -> int:
    """Run ``derive``; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if args.exercise or args.grade:
            teaching.check_usage(args)
            return teaching.exercise(args) if args.exercise else teaching.grade(args)
        if args.check is not None:
            return check(args.check)
        teaching.check_usage_without(args)
        if args.regenerate is not None:
            return regenerate(args.regenerate, force=args.force)
        if not (args.latex or args.out or args.markdown or args.html or args.train or args.pdf):
            raise UsageError(
                "nothing to do: give --latex, --markdown, --html FILE, --pdf FILE, --train,"
                " --out FILE, --check, --exercise or --grade FILE (see --help)"
            )
        if args.standalone and not args.latex:
            raise UsageError("--standalone goes with --latex")
        if args.force and not args.out:
            raise UsageError("--force goes with --out")
        printed = [flag for flag in ("latex", "markdown", "train") if getattr(args, flag)]
        if len(printed) > 1:
            raise UsageError(
                f"--{printed[0]} and --{printed[1]} both print to stdout; give one of them"
            )
        tuned = args.epochs is not None or args.c is not None or args.batch
        if tuned and not (args.train or args.html or args.markdown):
            raise UsageError("--epochs, --c and --batch go with --train, --html or --markdown")
        network, source, recipe = network_from_args(args)
        if args.out:
            module_name(args.out)  # refuse a bad name before any work
        training = None
        if args.train or args.html or args.markdown:
            training = _training(network, args, required=args.train)
        if args.latex:
            sys.stdout.write(_latex(network, args))
        if args.markdown:
            from derive.explain.markdown import markdown

            sys.stdout.write(markdown(Derivation(network), args.digits, training))
        if args.train:
            from derive.explain.training import report

            sys.stdout.write(report(training, args.digits))
        if args.html:
            from derive.explain.html import report as page

            write(page(Derivation(network), args.digits, training), args.html, "--html")
        if args.pdf:
            teaching.pdf(document(Derivation(network), args.digits), args.pdf)
        if args.out:
            _generate(network, source, recipe, args)
        return 0
    except (UsageError, SpecError) as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"derive: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
