"""The dependency ranges: each bounded, its floor the one CI installs, and the one installed inside it."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RANGES = {
    match["name"].lower(): (match["floor"], match["ceiling"])
    for match in (
        re.fullmatch(r"(?P<name>[\w-]+)>=(?P<floor>[\d.]+),<(?P<ceiling>[\d.]+)", requirement)
        for requirement in PROJECT["dependencies"]
    )
    if match
}


def version(text: str) -> tuple[int, ...]:
    """"2.3.0" as (2, 3): the release's numbers, trailing zeros dropped."""
    parts = [int(part) for part in re.match(r"[\d.]*\d", text).group().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_every_dependency_has_a_floor_and_a_ceiling():
    assert sorted(RANGES) == ["array-api-compat", "jinja2", "numpy", "sympy"]
    assert len(PROJECT["dependencies"]) == len(RANGES)


def test_ci_installs_each_floor_exactly():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    pins = {name.lower(): pin for name, pin in re.findall(r"'([\w-]+)==([\d.]+)'", script)}
    assert {name: version(pin) for name, pin in pins.items()} == {
        name: version(floor) for name, (floor, _) in RANGES.items()
    }


@pytest.mark.parametrize("name", sorted(RANGES))
def test_the_installed_version_is_in_the_tested_range(name):
    floor, ceiling = RANGES[name]
    installed = metadata.version(name)
    assert version(floor) <= version(installed) < version(ceiling), (
        f"{name} {installed} is outside the tested range >={floor},<{ceiling}"
    )


def test_every_package_is_installed_by_a_non_editable_install():
    """``pip install .`` installs the packages pyproject.toml lists, and no others."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("derive", "codegen", "generated")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"not installed by pip install .: {sorted(found - listed)}"
