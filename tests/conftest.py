"""Fixtures shared by the tests of generated modules."""

from __future__ import annotations

import importlib.util
import itertools

import pytest

from codegen import render, write
from derive import Network

_counter = itertools.count()
_modules: dict[Network, object] = {}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """Render a network's module into a temporary directory and import it."""
    directory = tmp_path_factory.mktemp("generated")

    def build(net: Network):
        if net not in _modules:
            path = directory / f"{net.name}_{next(_counter)}.py"
            write(render(net, "derive --layers " + net.layers_text, "test"), path)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _modules[net] = module
        return _modules[net]

    return build
