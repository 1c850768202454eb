"""Every module committed in generated/ is what the generator writes now, and works."""

import importlib

import numpy as np
import pytest

from derive.cli import check, main
from derive.network import load_spec, seed
from tests.test_codegen import ROOT

MODULES = sorted(p.stem for p in (ROOT / "generated").glob("*.py") if p.stem != "__init__")


def test_derive_check_passes_on_the_committed_modules(capsys):
    assert check(str(ROOT / "generated")) == 0
    assert f"{len(MODULES)} generated module(s) up to date" in capsys.readouterr().err


def test_derive_check_names_a_stale_module(tmp_path, capsys):
    stale = tmp_path / "generated"
    stale.mkdir()
    text = (ROOT / "generated" / "xnor.py").read_text(encoding="utf-8")
    (stale / "xnor.py").write_text(text.replace("LOSS =", "LOSS  ="), encoding="utf-8")
    before = (stale / "xnor.py").read_bytes()
    assert main(["--check", str(stale)]) == 1
    assert "xnor.py: stale; regenerate with: derive --out generated/xnor.py" in (
        capsys.readouterr().err
    )
    assert (stale / "xnor.py").read_bytes() == before  # --check never writes


@pytest.mark.parametrize("name", MODULES)
def test_each_module_matches_its_spec(name):
    module = importlib.import_module(f"generated.{name}")
    spec = ROOT / "derive" / "networks" / f"{name}.toml"
    net = load_spec(spec) if spec.exists() else seed()
    assert module.LAYERS == net.sizes
    assert module.ACTIVATIONS == net.activations
    assert module.LOSS == net.loss
    if net.example is not None:
        weights = [np.array(w) for w in net.weights]
        x, y = np.array(net.example.x), np.array(net.example.y)
        new = module.update(weights, x, y, c=net.example.c)
        grads = module.gradients(weights, x, y)
        for w, w_new, grad in zip(weights, new, grads):
            # the seed's rule is gradient descent with learning rate c / kappa
            np.testing.assert_allclose(w_new, w - net.example.c / module.KAPPA * grad, atol=1e-12)
