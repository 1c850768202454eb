"""The ``derive`` command: spec → derivation → LaTeX, HTML, Markdown, a numpy module, training.

Exit codes: 0 success, 1 ``--check`` found stale files or ``--grade`` a wrong
answer, 2 bad input (one line on stderr naming the problem; nothing written).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shlex
import sys
from pathlib import Path

from derive import __version__, activations, losses
from derive.network import Network, SpecError, is_name, load_spec, seed

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
        help="write a numpy module for the network, e.g. --out generated/my_net.py",
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
    _teaching_arguments(parser)
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    return parser


def _teaching_arguments(parser: argparse.ArgumentParser) -> None:
    teach = parser.add_argument_group("teaching: exercises with keys, grading, PDF")
    teach.add_argument(
        "--exercise",
        action="store_true",
        help="draw an exercise for the network (default the seed's 2-2-1): weights, input, "
        "target and c with numbers a student can work; LaTeX unless --markdown, --html, --pdf "
        "or --toml, e.g. derive --exercise --seed 7",
    )
    teach.add_argument(
        "--seed", metavar="N", type=_seed,
        help="with --exercise: the seed of the draw (default 1), e.g. --seed 7",
    )
    teach.add_argument(
        "--solutions", action="store_true",
        help="with --exercise: add the worked solution of every version",
    )
    teach.add_argument(
        "--variants", metavar="K", type=_variants, default=1,
        help="with --exercise: K numbered versions and a key, e.g. --variants 30",
    )
    teach.add_argument(
        "--toml", action="store_true",
        help="with --exercise: print the exercise as a spec file, for --spec and --grade",
    )
    teach.add_argument(
        "--grade", metavar="FILE",
        help="mark a student's answers (a TOML file naming its spec; see the README): exit 0 "
        "when all are right, 1 when any is wrong, e.g. derive --grade answers.toml",
    )
    teach.add_argument(
        "--pdf", metavar="FILE",
        help="write the derivation, or with --exercise the sheet, as a PDF (needs pdflatex), "
        "e.g. --pdf seed.pdf",
    )


def _seed(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**32:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to 2**32 - 1, got {text!r}")
    return int(text)


def _variants(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 100, got {text!r}")
    return int(text)


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
        if len(acts) == 1:
            raise UsageError(
                f"--activation sets the hidden layers, and {network.layers_text} has none"
                " (use --output-activation)"
            )
        acts[:-1] = [args.activation] * (len(acts) - 1)
    if args.output_activation:
        acts[-1] = args.output_activation
    elif args.loss and losses.get(args.loss).output:
        acts[-1] = losses.get(args.loss).output  # e.g. softmax under softmax_cross_entropy
    if acts != list(network.activations):
        changes["activations"] = tuple(acts)
    if args.loss and args.loss != network.loss:
        changes["loss"] = args.loss
    if changes:
        # The spec's title and its example's note describe the network as written
        # (the seed's speak of its sigmoid, its loss and its -0.148): a changed
        # network keeps its weights and numbers, not those words.
        example = network.example and dataclasses.replace(network.example, note="")
        network = dataclasses.replace(network, **changes, title="", example=example)
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
    if not stem or not is_name(stem):
        raise UsageError(
            f"--out: {path!r} must end in NAME.py with NAME a plain Python identifier"
            " (not a keyword, not __dunder__), e.g. my_net.py"
        )
    return stem


def _latex(network: Network, args) -> str:
    from derive.derivation import Derivation
    from derive.latex import document, explain

    derivation = Derivation(network)
    make = document if args.standalone else explain
    return make(derivation, digits=args.digits)


def _training(network: Network, args, required: bool):
    """Train as the arguments say; None when not asked for and the spec has no data set."""
    if not network.data and not required:
        return None
    from derive.train import DEFAULT_EPOCHS, Progress, train

    epochs = DEFAULT_EPOCHS if args.epochs is None else args.epochs
    progress = Progress(epochs)
    try:
        return train(network, epochs=epochs, c=args.c, batch=args.batch, progress=progress)
    finally:
        progress.close()


def _write(text: str, path: str, option: str) -> None:
    from codegen import generate

    try:
        generate.write(text, path, force=True)
    except OSError as error:
        raise UsageError(f"{option}: cannot write {path!r} ({error.strerror})") from None
    print(f"wrote {path}", file=sys.stderr)


def _generate(network: Network, source: str, args) -> None:
    from codegen import generate

    module_name(args.out)
    text = generate.render(network, regenerate_command(args, args.out), source)
    try:
        generate.write(text, args.out, force=args.force)
    except generate.EditedError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"--out: cannot write {args.out!r} ({error.strerror})") from None
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
            extra = args.latex or args.markdown or args.html or args.train
            if args.out is None or extra or args.force or args.check is not None:
                raise UsageError("the header's command must only describe a network and --out")
            network, source = network_from_args(args, root=root)
            text = generate.render(network, regenerate_command(args, args.out), source)
        except (UsageError, SpecError, ValueError) as error:
            print(f"{path}: cannot regenerate: {error}", file=sys.stderr)
            stale += 1
            continue
        committed = path.read_text(encoding="utf-8")
        if committed != text:
            reason = generate.edited(committed)
            if reason is not None:
                # derive --out keeps such a file; --force replaces it, the edits lost.
                command = shlex.join(["derive", *argv, "--force"])
                print(f"{path}: {reason}; to replace it: {command}", file=sys.stderr)
            else:
                print(f"{path}: stale; regenerate with: {shlex.join(['derive', *argv])}", file=sys.stderr)
            stale += 1
    if not stale:
        print(f"{len(files)} generated module(s) up to date", file=sys.stderr)
    return 1 if stale else 0


def _pdf(tex: str, path: str) -> None:
    from derive import pdf

    try:
        data = pdf.compile_pdf(tex)
        pdf.write(data, path)
    except pdf.PdfError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"--pdf: cannot write {path!r} ({error.strerror})") from None
    print(f"wrote {path}", file=sys.stderr)


def _teaching_usage(args) -> None:
    """Refuse options that do not go together, before any work."""
    if args.exercise and args.grade:
        raise UsageError("--exercise draws a problem and --grade marks answers; give one of them")
    if not args.exercise:
        _teaching_usage_without(args)
    tuned = args.epochs is not None or args.c is not None or args.batch
    if args.out or args.force or args.train or tuned or args.check is not None:
        raise UsageError(
            "--exercise and --grade do not go with --out, --force, --train, --epochs, --c,"
            " --batch or --check"
        )
    if args.toml and (args.variants != 1 or args.latex or args.markdown or args.html or args.pdf):
        raise UsageError("--toml prints one exercise as a spec file: no --variants, --latex,"
                         " --markdown, --html or --pdf with it")
    if args.latex and args.markdown:
        raise UsageError("--latex and --markdown both print to stdout; give one of them")
    if args.standalone and (args.markdown or args.toml):
        raise UsageError("--standalone goes with the LaTeX of a sheet, not --markdown or --toml")
    if args.grade:
        given = [f for f in ("spec", "layers", "activation", "output_activation", "loss") if getattr(args, f)]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise UsageError(f"--grade takes the network from the answers file's spec, not {flag}")
        if args.pdf or args.latex or args.standalone:
            raise UsageError("--grade reports as text, --markdown or --html FILE")


def _teaching_usage_without(args) -> None:
    """The options that only an exercise takes."""
    for flag in ("seed", "solutions", "toml"):
        if getattr(args, flag) not in (None, False):
            raise UsageError(f"--{flag} goes with --exercise")
    if args.variants != 1:
        raise UsageError("--variants goes with --exercise")


def exercise(args) -> int:
    """``--exercise``: a sheet, its versions and key, or the exercise as a spec file."""
    from derive import exercise as drawing
    from derive import sheet

    network, _ = network_from_args(args)
    try:
        networks = drawing.draw(network, 1 if args.seed is None else args.seed, args.variants)
    except drawing.ExerciseError as error:
        raise UsageError(str(error)) from None
    if args.toml:
        sys.stdout.write(drawing.to_toml(networks[0], _exercise_command(args)))
        return 0
    if args.pdf:
        _pdf(sheet.latex(networks, args.solutions, standalone=True), args.pdf)
    if args.html:
        _write(sheet.html(networks, args.solutions), args.html, "--html")
    if args.markdown:
        sys.stdout.write(sheet.markdown(networks, args.solutions))
    elif args.latex or args.standalone or not (args.pdf or args.html):
        sys.stdout.write(sheet.latex(networks, args.solutions, args.standalone))
    return 0


def _exercise_command(args) -> str:
    words = ["derive", "--exercise", "--seed", str(1 if args.seed is None else args.seed)]
    for flag in ("spec", "layers", "activation", "output_activation", "loss"):
        value = getattr(args, flag)
        if value:
            words += ["--" + flag.replace("_", "-"), value]
    return "Drawn by: " + shlex.join([*words, "--toml"])


def grade(args) -> int:
    """``--grade FILE``: mark the answers; 0 when all are right, 1 when any is wrong."""
    from derive import grade as marking
    from derive import marks

    network, answers, spec, student = marking.read_answers(args.grade)
    report = marking.grade(network, answers, spec, student)
    if args.html:
        _write(marks.html(report), args.html, "--html")
    if args.markdown:
        sys.stdout.write(marks.markdown(report))
    elif not args.html:
        sys.stdout.write(marks.text(report))
    return report.exit_code


def main(argv: list[str] | None = None) -> int:
    """Run ``derive``; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        if args.exercise or args.grade:
            _teaching_usage(args)
            return exercise(args) if args.exercise else grade(args)
        if args.check is not None:
            return check(args.check)
        _teaching_usage_without(args)
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
        network, source = network_from_args(args)
        if args.out:
            module_name(args.out)  # refuse a bad name before any work
        training = None
        if args.train or args.html or args.markdown:
            training = _training(network, args, required=args.train)
        if args.latex:
            sys.stdout.write(_latex(network, args))
        if args.markdown:
            from derive.derivation import Derivation
            from derive.markdown import markdown

            sys.stdout.write(markdown(Derivation(network), args.digits, training))
        if args.train:
            from derive.train import report

            sys.stdout.write(report(training, args.digits))
        if args.html:
            from derive.derivation import Derivation
            from derive.html import report as page

            _write(page(Derivation(network), args.digits, training), args.html, "--html")
        if args.pdf:
            from derive.derivation import Derivation
            from derive.latex import document

            _pdf(document(Derivation(network), args.digits), args.pdf)
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
