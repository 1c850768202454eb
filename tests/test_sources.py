"""The source tree keeps its shape: short files, and one home per activation."""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from derive import activations

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [*ROOT.joinpath("derive").rglob("*.py"), *ROOT.joinpath("codegen").rglob("*.py")]
    + list(ROOT.joinpath("codegen", "templates").glob("*.jinja"))
)
#: How many source files may spell an activation's name: its registry entry, the
#: runtime helper generated code calls, and the loss that requires it as output.
MOST_FILES = 3


def _docstrings(tree: ast.Module) -> list[tuple[int, int]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                spans.append((first.lineno, first.end_lineno))
    return spans


def code_words(path: Path) -> set[str]:
    """The words of a file's code: its names and the words of its strings, not docstrings or comments."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return set(re.findall(r"[A-Za-z0-9_]+", text))
    docs = _docstrings(ast.parse(text))
    words = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING and any(a <= token.start[0] <= b for a, b in docs):
            continue
        if token.type in (tokenize.NAME, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)):
            words.update(re.findall(r"[A-Za-z0-9_]+", token.string))
    return words


def test_the_walk_reads_names_and_strings_but_not_docstrings(tmp_path):
    source = tmp_path / "m.py"
    source.write_text('"""About tanh."""\n# relu\nx = "softplus"\ndef sigmoid():\n    """linear"""\n')
    assert code_words(source) & {"tanh", "relu", "softplus", "sigmoid", "linear"} == {"softplus", "sigmoid"}


@pytest.mark.parametrize(
    "path", SOURCES + sorted(ROOT.joinpath("bench").glob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_source_file_is_over_450_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_an_activation_is_spelled_in_at_most_three_files(name):
    where = [str(p.relative_to(ROOT)) for p in SOURCES if name in code_words(p)]
    assert "derive/activations.py" in where
    assert len(where) <= MOST_FILES, where
