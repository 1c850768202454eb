"""Every module committed in generated/ is what the generator writes now, and works."""

import importlib
import itertools

import numpy as np
import pytest

from codegen import read_recipe, render
from derive.cli import REGENERATE_COMMAND, build_parser, check, main
from derive.network import SEED_SOURCE, Network, from_recipe, load_spec, seed
from tests.test_codegen import ROOT

SPECS = {path.stem: path for path in sorted((ROOT / "derive" / "networks").glob("*.toml"))}
#: The committed modules, one for each spec in derive/networks/ (xnor's is the seed's).  A
#: module a user generates beside them (derive --layers 2-2-2 --out generated/net_2_2_2.py)
#: is theirs: `derive --check` in CI covers every module of a fresh clone, these alone.
MODULES = sorted(SPECS)


def from_header(name: str):
    """The recipe and network the header of generated/NAME.py says it was generated from."""
    recipe = read_recipe(ROOT / "generated" / f"{name}.py")
    return recipe, *from_recipe(recipe, ROOT)


@pytest.mark.parametrize("name", MODULES)
def test_each_committed_module_is_what_its_header_regenerates(name):
    recipe, network, source = from_header(name)
    expected = seed() if name == "xnor" else load_spec(SPECS[name])
    assert network == expected
    assert recipe == (
        {"seed": True, "generator": "0.1.0"}
        if name == "xnor"
        else {"spec": f"derive/networks/{name}.toml", "generator": "0.1.0"}
    )
    recipe.pop("generator")
    text = render(network, REGENERATE_COMMAND, source, recipe)
    assert (ROOT / "generated" / f"{name}.py").read_text(encoding="utf-8") == text


def test_renaming_a_flag_leaves_the_committed_modules_regenerable(monkeypatch, capsys):
    # The header records the network, not a command line: a parser whose network flags
    # are all renamed still regenerates every committed module byte for byte.
    renamed = build_parser

    def parser():
        p = renamed()
        for action in p._actions:
            if action.option_strings and action.dest in ("spec", "layers", "loss", "out"):
                action.option_strings = [f"--renamed-{action.dest}"]
        p._option_string_actions = {
            s: a for a in p._actions for s in a.option_strings
        }
        return p

    monkeypatch.setattr("derive.cli.build_parser", parser)
    assert main(["--check", str(ROOT / "generated")]) == 0
    # (a user's own modules beside the committed ones count too, see test_readme)
    count = len([p for p in (ROOT / "generated").glob("*.py") if p.name != "__init__.py"])
    assert capsys.readouterr().err == f"{count} generated module(s) up to date\n"
    assert main(["--spec", "x.toml", "--check"]) == 2  # the old flag is gone
    assert "unrecognized arguments: --spec" in capsys.readouterr().err


def test_derive_check_counts_the_modules_of_a_folder(tmp_path, capsys):
    folder = tmp_path / "generated"
    folder.mkdir()
    for name in ("a", "b", "c"):
        text = render(seed(), REGENERATE_COMMAND, SEED_SOURCE, {"seed": True})
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    assert check(str(folder)) == 0
    assert capsys.readouterr().err == "3 generated module(s) up to date\n"


def test_derive_check_names_a_stale_module(tmp_path, capsys):
    stale = tmp_path / "generated"
    stale.mkdir()
    # What an older generator wrote: a module intact (its checksum matches), but not today's.
    text = render(Network.from_layers("2-3-1"), REGENERATE_COMMAND, "seed", {"seed": True})
    (stale / "xnor.py").write_text(text, encoding="utf-8")
    before = (stale / "xnor.py").read_bytes()
    assert main(["--check", str(stale)]) == 1
    assert f"xnor.py: stale; regenerate with: derive --regenerate {stale}" in (
        capsys.readouterr().err
    )
    assert (stale / "xnor.py").read_bytes() == before  # --check never writes


@pytest.mark.parametrize("name", MODULES)
def test_each_module_matches_its_spec(name):
    module = importlib.import_module(f"generated.{name}")
    _, net, _ = from_header(name)
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


@pytest.mark.parametrize("name", MODULES)
def test_nan_in_gives_nan_out(name):
    module = importlib.import_module(f"generated.{name}")
    sizes = module.LAYERS
    weights = [np.full((n, m + 1), 0.1) for m, n in itertools.pairwise(sizes)]
    x, y = np.full(sizes[0], np.nan), np.full(sizes[-1], 1.0 / sizes[-1])
    with np.errstate(invalid="ignore"):  # numpy may say "invalid value" about the NaN
        assert np.isnan(module.forward(weights, x)[-1]).all()
        assert np.isnan(module.loss(weights, x, y))
        new = module.update(weights, x, y)
        assert np.isnan(new[0][:, :-1]).all()
        weights[-1][0, 0] = np.nan
        assert np.isnan(module.gradients(weights, np.zeros(sizes[0]), y)[-1][0]).any()
