"""The README's commands, run in the order written in a copy of the repository, leave its tests green.

A user who follows the tour writes generated/net_2_2_2.py, my_net.toml, seed.tex, report.html
and more beside the project's own files; the suite must not mind.
"""

import re
import shlex
import shutil
import subprocess
import sys

from tests.test_codegen import ROOT

#: The commands of the README's indented blocks that a user types in the repository.
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = [
    line.split("  #")[0].strip()
    for line in re.findall(r"^    ((?:derive|cp) .*)$", README, re.MULTILINE)
]
PROJECT = ["derive", "codegen", "generated", "tests", "pyproject.toml", "README.md"]


def test_the_readme_shows_the_commands_this_test_runs():
    assert "derive --layers 2-2-2 --out generated/net_2_2_2.py" in COMMANDS
    assert "derive --latex --spec my_net.toml" in COMMANDS
    assert COMMANDS.index("cp derive/networks/classifier.toml my_net.toml") < COMMANDS.index(
        "derive --latex --spec my_net.toml"
    )


def test_the_readme_commands_in_order_then_the_module_tests(tmp_path):
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy2(source, copy / name)
    for command in COMMANDS:
        words = shlex.split(command)
        if words[0] == "cp":
            shutil.copy(copy / words[1], copy / words[2])
            continue
        output = None
        if ">" in words:
            words, output = words[: words.index(">")], words[words.index(">") + 1]
        run = subprocess.run(
            [sys.executable, "-m", *words], cwd=copy, capture_output=True, check=False
        )
        assert run.returncode == 0, f"{command}: {run.stderr.decode()}"
        if output:
            (copy / output).write_bytes(run.stdout)
    assert (copy / "generated" / "net_2_2_2.py").exists()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_generated.py"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]
