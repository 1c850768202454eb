"""The imports run one way: every import of derive/ and codegen/, function-level ones included."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("derive", "codegen")

#: The mathematics: what the spec becomes before anyone explains or prints it.
MATHEMATICS = {
    "derive.network",
    "derive.activations",
    "derive.losses",
    "derive.expression",
    "derive.naming",
    "derive.parts",
    "derive.derivation",
    "derive.layerwise",
    "derive.exercise",
    "derive.grade",
    "derive.train",
    "derive.version",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


MODULES = _modules()


def _imported(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports anywhere in its body, resolved to module names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from derive import naming`` imports the submodule, ``from derive import seed``
            # the package
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle of the graph as a path of module names, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name, path):
        state[name] = 1
        for other in sorted(GRAPH[name]):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state and (found := visit(other, [*path, other])):
                return found
        state[name] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name, [name])):
            return found
    return None


def test_the_walk_sees_the_modules_and_their_imports():
    assert {"derive.derivation", "derive.explain.latex", "codegen.printer", "derive.cli"} <= set(
        MODULES
    )
    assert "derive.derivation" in GRAPH["derive.explain.latex"]
    assert "derive.explain.blocks" in GRAPH["derive.explain.account"]
    assert "codegen" in GRAPH["derive.cli"] and "derive.explain.html" in GRAPH["derive.cli"]


def test_no_import_cycle():
    assert _cycle() is None


def test_the_walk_finds_a_cycle_through_a_function_level_import(monkeypatch):
    monkeypatch.setitem(GRAPH, "derive.derivation", GRAPH["derive.derivation"] | {"derive.explain.latex"})
    cycle = _cycle()
    assert cycle is not None and "derive.derivation" in cycle and "derive.explain.latex" in cycle


@pytest.mark.parametrize("name", sorted(MATHEMATICS))
def test_the_mathematics_imports_neither_the_explanation_nor_codegen(name):
    assert MATHEMATICS <= set(MODULES)
    bad = {m for m in GRAPH[name] if m.startswith(("derive.explain", "codegen", "derive.cli"))}
    assert bad == set()
    assert GRAPH[name] <= MATHEMATICS


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("derive.explain")))
def test_the_explanation_does_not_import_codegen(name):
    assert {m for m in GRAPH[name] if m.startswith(("codegen", "derive.cli"))} == set()


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("codegen")))
def test_codegen_does_not_import_the_explanation(name):
    bad = {m for m in GRAPH[name] if m.startswith(("derive.explain", "derive.cli"))}
    assert bad == set()
    # nor the package, whose import registers the notebook views
    assert "derive" not in GRAPH[name]


def test_only_the_command_line_composes_the_explanation_and_codegen():
    both = {
        name
        for name, imports in GRAPH.items()
        if any(m.startswith("codegen") for m in imports)
        and any(m.startswith("derive.explain") for m in imports)
    }
    assert both == {"derive.cli"}


def test_derive_latex_loads_only_the_derivation_and_its_latex_writer():
    """The seed's ``derive --latex`` imports no numpy, jinja2, codegen or HTML writer.

    They are the bulk of the command's start-up beyond SymPy (bench/run.py times it).
    """
    script = (
        "import sys\n"
        "from derive.cli import main\n"
        "assert main(['--latex']) == 0\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(run.stderr.split())
    assert r"\delta^{(2)}" in run.stdout and "derive.explain.latex" in loaded
    heavy = {"numpy", "jinja2", "codegen", "derive.explain.html", "derive.explain.figures", "derive.train"}
    assert loaded & heavy == set()
