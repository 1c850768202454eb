"""The teaching actions of the command line: ``--exercise``, ``--grade`` and ``--pdf``.

Each action imports what it draws, marks and writes with, like the rest of the command line.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from derive.cli.common import UsageError, network_from_args, write
from derive.explain import pdf as compiler


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def pdf(tex: str, path: str) -> None:
    """Compile the LaTeX document with pdflatex and write the PDF; nothing on failure."""
    try:
        data = compiler.compile_pdf(tex)
        compiler.write(data, path)
    except compiler.PdfError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"--pdf: cannot write {path!r} ({error.strerror})") from None
    print(f"wrote {path}", file=sys.stderr)


def check_usage(args) -> None:
    """Refuse options that do not go together, before any work."""
    if args.exercise and args.grade:
        raise UsageError("--exercise draws a problem and --grade marks answers; give one of them")
    if not args.exercise:
        check_usage_without(args)
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


def check_usage_without(args) -> None:
    """The options that only an exercise takes."""
    for flag in ("seed", "solutions", "toml"):
        if getattr(args, flag) not in (None, False):
            raise UsageError(f"--{flag} goes with --exercise")
    if args.variants != 1:
        raise UsageError("--variants goes with --exercise")


def exercise(args) -> int:
    """``--exercise``: a sheet, its versions and key, or the exercise as a spec file."""
    from derive import exercise as drawing
    from derive.explain import sheet

    network, _, _ = network_from_args(args)
    try:
        networks = drawing.draw(network, 1 if args.seed is None else args.seed, args.variants)
    except drawing.ExerciseError as error:
        raise UsageError(str(error)) from None
    if args.toml:
        sys.stdout.write(drawing.to_toml(networks[0], _exercise_command(args)))
        return 0
    if args.pdf:
        pdf(sheet.latex(networks, args.solutions, standalone=True), args.pdf)
    if args.html:
        write(sheet.html(networks, args.solutions), args.html, "--html")
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
    from derive.explain import marks

    network, answers, spec, student = marking.read_answers(args.grade)
    report = marking.grade(network, answers, spec, student)
    if args.html:
        write(marks.html(report), args.html, "--html")
    if args.markdown:
        sys.stdout.write(marks.markdown(report))
    elif not args.html:
        sys.stdout.write(marks.text(report))
    return report.exit_code
