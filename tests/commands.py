"""Test helper: the command line run in-process."""

from derive.cli import main


def run(capsys, *argv):
    """``derive *argv``: its exit code, standard output and standard error."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
