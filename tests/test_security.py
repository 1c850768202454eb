"""Hostile text, bad specs and extreme numbers: nothing runs, nothing half-written.

The fuzz tests throw random and hostile specs and expressions at the command
line and the generator.  Every run must end in one of two ways: a clear error
(exit 2, one line on stderr, nothing written) or a module that compiles,
imports and passes the finite-difference check.  Hypothesis runs derandomized
(the same cases every run) and keeps no example database, so the suite is
repeatable and leaves no files behind.
"""

from __future__ import annotations

import ast
import collections
import importlib.util
import itertools
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive import activations, losses
from derive.cli import main
from derive.expression import ExpressionError, parse

ROOT = Path(__file__).resolve().parent.parent

#: What the fuzz tests saw; printed at the end of the module (pytest -s shows it).
COUNTS: collections.Counter = collections.Counter()

HOSTILE = [
    'x"); import os; os.system("touch PWNED") #',
    "__import__('os').system('touch PWNED')",
    "lambda: 0",
    "x.__class__.__mro__",
    "().__class__.__bases__[0].__subclasses__()",
    "__builtins__",
    "exec",
    "eval('1')",
    "\\input{/etc/passwd}",
    "$(touch PWNED)",
    "`touch PWNED`",
    "x\ny",
    "\x00",
    "ｘ",  # fullwidth x
    "х",  # Cyrillic
    "sigmoid\u200b",  # zero-width space
    "'''",
    '"""',
    "#",
    "import os",
    "x" * 300,
    "(" * 40 + "x" + ")" * 40,
]

def _nested(depth: int):
    value: list = [1]
    for _ in range(depth):
        value = [value]
    return value


SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# -- no evaluation of user text -----------------------------------------------------

#: Builtins and SymPy entry points that turn text into code or expressions.
FORBIDDEN_CALLS = {"eval", "exec", "compile", "sympify", "parse_expr", "__import__", "S"}
#: The same when called as an attribute (``sp.sympify``); ``re.compile`` is fine.
FORBIDDEN_METHODS = {"sympify", "parse_expr", "S", "eval", "exec"}
FORBIDDEN_ATTRIBUTES = {("pickle", "load"), ("pickle", "loads"), ("yaml", "load")}


def _sources():
    for folder in ("derive", "codegen", "generated"):
        yield from sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", list(_sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_source_never_evaluates_text(path):
    """No eval, exec, compile, sympify, parse_expr, pickle or yaml.load anywhere in the tool."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} {func.id}"
            if isinstance(func, ast.Attribute):
                assert func.attr not in FORBIDDEN_METHODS, f"{path.name}:{node.lineno} {func.attr}"
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                pair = (func.value.id, func.attr)
                assert pair not in FORBIDDEN_ATTRIBUTES, f"{path.name}:{node.lineno} {pair}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not {"pickle", "yaml", "marshal", "shelve"} & set(modules), path.name


def test_the_scan_would_catch_an_eval(tmp_path):
    """The scan above is not vacuous: it finds an eval when there is one."""
    tree = ast.parse("value = eval(text)")
    calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert "eval" in calls and FORBIDDEN_CALLS & set(calls)


# -- the outcome of one run -------------------------------------------------------


def _toml(value) -> str:
    """A TOML value for a Python one (strings escaped as TOML requires)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _spec_text(table: dict) -> str:
    return "".join(f"{key} = {_toml(value)}\n" for key, value in table.items())


def _run_and_judge(folder: Path, argv: list[str], capsys, out: Path | None = None) -> int:
    """Run ``derive`` and check it ended in a clean error or a working module."""
    before = sorted(os.listdir(folder))
    code = main(argv)
    _, stderr = capsys.readouterr()
    after = sorted(os.listdir(folder))
    assert not (folder / "PWNED").exists() and not Path("PWNED").exists()
    COUNTS["runs"] += 1
    if code == 2:
        COUNTS["clean errors"] += 1
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("derive: error: "), stderr
        assert "Traceback" not in stderr
        if after != before:
            COUNTS["files written by failing runs"] += 1
        assert after == before, "a failing run wrote a file"
        return code
    assert code == 0, (code, stderr)
    COUNTS["successes"] += 1
    if out is not None:
        assert sorted(after) == sorted([*before, out.name])
        _check_module(out)
    return code


def _check_module(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    compile(text, str(path), "exec")  # compiling is what the test is for; nothing runs
    spec = importlib.util.spec_from_file_location(f"fuzzed_{abs(hash(text))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(0)
    sizes = module.LAYERS
    weights = [rng.normal(0, 0.5, (n, m + 1)) for m, n in itertools.pairwise(sizes)]
    x = rng.normal(0, 1, sizes[0])
    y = rng.uniform(0.1, 0.9, sizes[-1])
    if module.LOSS == "softmax_cross_entropy":
        y = y / y.sum()
    grads = module.gradients(weights, x, y)
    h = 1e-6
    for w, grad in zip(weights, grads):
        for index in np.ndindex(w.shape):
            w[index] += h
            up = module.loss(weights, x, y)
            w[index] -= 2 * h
            down = module.loss(weights, x, y)
            w[index] += h
            numeric = (up - down) / (2 * h)
            assert abs(numeric - grad[index]) <= 1e-5 * max(1.0, abs(numeric)), (index, path)
    COUNTS["modules checked by finite differences"] += 1


@pytest.fixture
def quiet_imports(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)


# -- fuzzing the spec files -----------------------------------------------------------

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
names = st.one_of(st.sampled_from(HOSTILE), text, st.sampled_from(["net", "ok_name", "class"]))
activation_names = st.one_of(
    st.sampled_from([*activations.ACTIVATIONS, "x/(1 + abs(x))", "x*sigmoid(x)", "tanh(x)/2"]),
    st.sampled_from(HOSTILE),
    text,
)
sizes = st.one_of(
    st.lists(st.integers(1, 4), min_size=2, max_size=4),
    st.lists(st.integers(-3, 5), min_size=0, max_size=4),
    st.sampled_from([[10**6, 1], [2, 5000], [2] * 70, [2, 0, 1], [10**30, 1], _nested(400)]),
)


@st.composite
def spec_tables(draw):
    table = {"layers": draw(st.one_of(sizes, text, st.integers()))}
    if draw(st.booleans()):
        table["name"] = draw(names)
    if draw(st.booleans()):
        table["title"] = draw(names)
    if draw(st.booleans()):
        table["activation"] = draw(st.one_of(activation_names, st.lists(activation_names)))
    if draw(st.booleans()):
        table["loss"] = draw(st.one_of(st.sampled_from([*losses.LOSSES]), names))
    if draw(st.integers(0, 5)) == 0:
        table[draw(st.sampled_from(["colour", "__class__", "weights", "data", "example"]))] = (
            draw(st.one_of(st.integers(), st.lists(st.floats()), text))
        )
    return table


@SETTINGS
@given(table=spec_tables())
def test_fuzzed_specs_end_in_a_clean_error_or_a_working_module(
    tmp_path_factory, capsys, quiet_imports, table
):
    folder = tmp_path_factory.mktemp("fuzz")
    spec = folder / "spec.toml"
    spec.write_text(_spec_text(table), encoding="utf-8")
    out = folder / "net.py"
    COUNTS["hostile inputs"] += 1
    _run_and_judge(folder, ["--spec", str(spec), "--out", str(out)], capsys, out)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_fuzzed_bytes_are_a_clean_error(tmp_path_factory, capsys, data):
    folder = tmp_path_factory.mktemp("bytes")
    spec = folder / "spec.toml"
    spec.write_bytes(data)
    COUNTS["hostile inputs"] += 1
    code = _run_and_judge(folder, ["--spec", str(spec), "--out", str(folder / "m.py")], capsys)
    assert code == 2


@SETTINGS
@given(activation=activation_names, loss=st.sampled_from([*losses.LOSSES, "hinge"]))
def test_fuzzed_command_line_options(tmp_path_factory, capsys, quiet_imports, activation, loss):
    folder = tmp_path_factory.mktemp("cli")
    out = folder / "net.py"
    COUNTS["hostile inputs"] += 1
    argv = ["--layers", "2-3-2", "--activation", activation, "--loss", loss, "--out", str(out)]
    _run_and_judge(folder, argv, capsys, out)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(source=st.one_of(st.sampled_from(HOSTILE), text, st.from_regex(r"[x0-9+\-*/() .e]{1,30}")))
def test_fuzzed_expressions_parse_or_fail_cleanly(source):
    COUNTS["hostile inputs"] += 1
    try:
        expr = parse(source)
    except ExpressionError as error:
        COUNTS["clean errors"] += 1
        assert str(error) and "\n" not in str(error)
        return
    COUNTS["expressions accepted"] += 1
    assert expr.free_symbols <= {activations.sp.Symbol("x", real=True)}


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if not h.isidentifier()] + ["__init__"])
def test_hostile_names_never_reach_a_module(tmp_path, capsys, hostile):
    spec = tmp_path / "spec.toml"
    spec.write_text(_spec_text({"name": hostile, "layers": [2, 1]}), encoding="utf-8")
    code = main(["--spec", str(spec), "--out", str(tmp_path / "m.py")])
    assert code == 2
    assert "name:" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["spec.toml"]


@pytest.mark.parametrize("out", ["__init__.py", "class.py", "x-y.py", "m.txt", "ｍ.py", "__main__.py"])
def test_module_names_must_be_plain_identifiers(tmp_path, capsys, out):
    assert main(["--layers", "2-1", "--out", str(tmp_path / out)]) == 2
    assert "--out" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_titles_stay_comments_and_escaped_text(tmp_path, capsys, quiet_imports, hostile):
    spec = tmp_path / "spec.toml"
    spec.write_text(_spec_text({"title": hostile, "layers": [2, 1]}), encoding="utf-8")
    out = tmp_path / "m.py"
    assert main(["--spec", str(spec), "--out", str(out)]) == 0
    _check_module(out)
    assert main(["--latex", "--spec", str(spec)]) == 0
    latex = capsys.readouterr().out
    assert "\\input" not in latex and "$(touch" not in latex.replace("\\$(touch", "")


# -- limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--layers", "2-5000-1"], "at most 4096"),
        (["--layers", "-".join(["2"] * 70)], "at most 64 layers"),
        (["--layers", "2-2-1", "--activation", "x" + "+x" * 150], "longer than 200"),
        (["--layers", "2-1", "--activation", "tanh"], "has none"),
        (["--layers", "2-2-1", "--activation", "(" * 20 + "x" + ")" * 20], "nested deeper"),
        (["--layers", "2-2-1", "--activation", "x**99"], "at most 16"),
    ],
)
def test_limits_are_clear_errors(capsys, argv, words):
    assert main(["--latex", *argv]) == 2
    assert words in capsys.readouterr().err


def test_a_huge_spec_file_is_refused_before_reading(tmp_path, capsys, monkeypatch):
    from derive import network

    spec = tmp_path / "big.toml"
    spec.write_text("layers = [2, 1]\n" + "# padding\n" * 200, encoding="utf-8")
    monkeypatch.setattr(network, "MAX_SPEC_BYTES", 100)
    assert main(["--latex", "--spec", str(spec)]) == 2
    assert "too large a spec" in capsys.readouterr().err


def test_failing_runs_leave_existing_files_byte_identical(tmp_path, capsys):
    out = tmp_path / "net.py"
    assert main(["--layers", "2-2-1", "--out", str(out)]) == 0
    before = out.read_bytes()
    for argv in (
        ["--layers", "2-0-1", "--out", str(out)],
        ["--layers", "2-2-1", "--activation", "evil()", "--out", str(out)],
        ["--spec", str(tmp_path / "missing.toml"), "--out", str(out)],
        ["--check", str(tmp_path)],
    ):
        main(argv)
        assert out.read_bytes() == before
    out.write_bytes(before.replace(b"KAPPA = 2", b"KAPPA = 5"))
    assert main(["--layers", "2-2-1", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert b"KAPPA = 5" in out.read_bytes()
    assert main(["--layers", "2-2-1", "--out", str(out), "--force"]) == 0
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["net.py"]


def test_the_judge_sees_both_outcomes_on_fixed_specs(tmp_path, capsys, quiet_imports):
    """The judge of the fuzz tests, on one spec that works and one that fails.

    Independent of which tests ran before: it counts only its own two runs.
    """
    before = COUNTS.copy()
    for name, table in (("good", {"layers": [2, 2, 1]}), ("bad", {"layers": [2, 0, 1]})):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "spec.toml").write_text(_spec_text(table), encoding="utf-8")
        argv = ["--spec", str(folder / "spec.toml"), "--out", str(folder / "net.py")]
        assert _run_and_judge(folder, argv, capsys, folder / "net.py") == (0 if name == "good" else 2)
    assert COUNTS["successes"] - before["successes"] == 1
    assert COUNTS["clean errors"] - before["clean errors"] == 1
    assert COUNTS["files written by failing runs"] == 0
    print("\nfuzz summary: " + ", ".join(f"{key}: {value}" for key, value in sorted(COUNTS.items())))
