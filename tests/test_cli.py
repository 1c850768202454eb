"""The ``derive`` command: output, help, and one clear line for every bad input."""

import os
import subprocess
import sys

import pytest

from derive.cli import main
from tests.commands import run


def test_latex_of_the_seed(capsys):
    code, out, err = run(capsys, "--latex")
    assert code == 0 and err == ""
    assert r"\delta^{(2)} &= \left(y - f\right) f \left(1 - f\right)" in out
    assert "= -0.148" in out
    assert r"\documentclass" not in out


def test_standalone_wraps_a_document(capsys):
    code, out, _ = run(capsys, "--latex", "--standalone")
    assert code == 0
    assert out.startswith(r"\documentclass")
    assert r"\usepackage{amsmath}" in out and out.rstrip().endswith(r"\end{document}")


def test_layers_and_digits(capsys):
    code, out, _ = run(capsys, "--latex", "--layers", "3-4-4-2")
    assert code == 0
    assert r"\delta^{(3)}_{2}" in out and r"\label{eq:delta-1}" in out
    code, out, _ = run(capsys, "--latex", "--digits", "7")
    assert code == 0 and "= (2.8696242, -2.0740101, -1.1480203)" in out


def test_a_spec_without_a_name_is_named_after_its_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-net.toml").write_text("layers = [3, 2]\n", encoding="utf-8")
    (tmp_path / "gen").mkdir()
    code, _, _ = run(capsys, "--spec", "my-net.toml", "--out", "gen/my_net.py")
    assert code == 0
    text = (tmp_path / "gen" / "my_net.py").read_text(encoding="utf-8")
    assert "# Network: my_net, layers 3-2," in text
    assert '"""Backpropagation for the my_net network (3-2), on any array library.' in text


def test_check_of_a_module_edited_by_hand_suggests_force(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gen").mkdir()
    assert main(["--layers", "2-1", "--out", "gen/net.py"]) == 0
    with open(tmp_path / "gen" / "net.py", "a", encoding="utf-8") as file:
        file.write("# my note\n")
    capsys.readouterr()
    assert main(["--check", "gen"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "gen/net.py: edited by hand since it was generated (its checksum no longer matches);"
        " to replace it: derive --regenerate gen --force\n"
    )
    # The command it suggests is what it takes: without --force derive refuses.
    assert main(["--regenerate", "gen"]) == 1
    assert "use --force to overwrite it" in capsys.readouterr().err
    assert main(["--layers", "2-1", "--out", "gen/net.py"]) == 2
    assert "use --force" in capsys.readouterr().err
    assert main(["--regenerate", "gen", "--force"]) == 0
    assert capsys.readouterr().err == (
        "wrote gen/net.py\n0 generated module(s) already up to date\n"
    )
    assert main(["--check", "gen"]) == 0


def test_regenerate_rewrites_the_modules_of_a_changed_spec(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gen").mkdir()
    (tmp_path / "net.toml").write_text("layers = [2, 2, 1]\n", encoding="utf-8")
    assert main(["--spec", "net.toml", "--out", "gen/net.py"]) == 0
    assert main(["--spec", "net.toml", "--loss", "binary_cross_entropy", "--out", "gen/bce.py"]) == 0
    assert main(["--layers", "3-1", "--out", "gen/other.py"]) == 0
    other = (tmp_path / "gen" / "other.py").read_bytes()
    (tmp_path / "net.toml").write_text("layers = [2, 3, 1]\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--check", "gen"]) == 1
    assert main(["--regenerate", "gen"]) == 0
    assert capsys.readouterr().err.splitlines()[-3:] == [
        "wrote gen/bce.py",
        "wrote gen/net.py",
        "1 generated module(s) already up to date",
    ]
    assert "# Network: net, layers 2-3-1," in (tmp_path / "gen" / "net.py").read_text()
    bce = (tmp_path / "gen" / "bce.py").read_text()
    assert "layers 2-3-1, activations sigmoid, sigmoid, loss binary_cross_entropy." in bce
    assert (tmp_path / "gen" / "other.py").read_bytes() == other
    assert main(["--check", "gen"]) == 0


def test_spec_file(capsys, tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_text('name = "tiny"\nlayers = [3, 2]\n', encoding="utf-8")
    code, out, _ = run(capsys, "--latex", "--spec", str(spec))
    assert code == 0
    assert r"g^{(1)}_{1} &= w^{(1)}_{11} x_{1} + w^{(1)}_{12} x_{2} + w^{(1)}_{13} x_{3}" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--latex", "--layers", "0-2"], "at least 1"),
        (["--latex", "--layers", "2--1"], "--layers"),
        (["--latex", "--layers", "two-one"], "--layers"),
        (["--latex", "--layers", "2"], "--layers"),
        (["--latex", "--layers", "2-99999"], "at most"),
        (["--latex", "--digits", "x"], "--digits"),
        (["--latex", "--digits", "99"], "--digits"),
        (["--latex", "--digits", "0"], "from 1 to 15, got '0'"),
        (["--latex", "--layers", "1"], "need at least two sizes (inputs and outputs), got '1'"),
        (["--latex", "--spec", "no/such/file.toml"], "no such spec file"),
        (["--latex", "--activation", "swish"], "unknown activation 'swish'"),
        (["--latex", "--loss", "hinge"], "unknown loss 'hinge'"),
        (["--latex", "--spec", "a.toml", "--layers", "2-1"], "not allowed with"),
        (["--frobnicate"], "unrecognized arguments"),
        ([], "nothing to do"),
        (["--standalone"], "nothing to do"),
        (["--out", "generated/not-a-name.py"], "--out"),
        (["--out", "generated/class.py"], "--out"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("derive: error: ")
    assert words in lines[0]


@pytest.mark.parametrize(
    "content, words",
    [
        (b"layers = [2, 1\n", "not valid TOML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not"),
        (b'layers = [2, 1]\ncolour = "red"\n', "unknown field 'colour'"),
        (b"layers = [2, 0, 1]\n", "layers"),
        (b"layers = [2, 1]\nweights = [[[1, 2]]]\n", "weights: layer 1 needs 1 row of 3 numbers"),
        (b'layers = [2, 1]\nactivation = ["sigmoid", "tanh"]\n', "activation: need one per layer"),
        (b'layers = [2, 1]\nname = "x y"\n', "name"),
        (b"title = 3\nlayers = [2, 1]\n", "title"),
        (b"activation = 'relu'\n", "layers: missing"),
    ],
)
def test_bad_spec_files(capsys, tmp_path, content, words):
    spec = tmp_path / "bad.toml"
    spec.write_bytes(content)
    code, out, err = run(capsys, "--latex", "--spec", str(spec))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert words in err and "bad.toml" in err


@pytest.mark.parametrize(
    "activation, bias, words",
    [
        # sqrt at g = 0: δ of the hidden unit is ∞ · δw, which no page should print
        ("sqrt(x)", -1, "no finite value: δ⁽¹⁾ is infinite, as an activation"),
        # log at g = −1: the unit's output is complex
        ("log(x)", -2, "no finite value: s⁽¹⁾ is not real, as an activation"),
    ],
)
def test_a_worked_example_through_an_undefined_step_names_the_quantity(capsys, tmp_path, activation, bias, words):
    """The quantity as the pages write it and its value in words, not delta1_1 (zoo)."""
    spec = tmp_path / "undefined.toml"
    spec.write_text(
        f'layers = [1, 1, 1]\nactivation = ["{activation}", "sigmoid"]\nweights = [[[1, {bias}]], [[2, -2]]]\n'
        "[example]\nx = [1]\ny = [1]\nc = 1\n",
        encoding="utf-8",
    )
    page = tmp_path / "undefined.html"
    code, out, err = run(capsys, "--latex", "--html", str(page), "--spec", str(spec))
    assert code == 2 and out == "" and not page.exists()
    assert len(err.strip().splitlines()) == 1
    assert words in err


def test_a_slope_with_no_real_array_form_is_reported_and_nothing_is_written(capsys, tmp_path):
    """|g^√3|: SymPy's slope has re(g^√3), complex where g < 0; the explanation writes it, code cannot."""
    module = tmp_path / "odd.py"
    layers = ["--layers", "2-2-1", "--activation", "abs(x**3**(1/2))"]
    code, out, err = run(capsys, *layers, "--out", str(module))
    assert code == 2 and out == "" and not module.exists()
    assert len(err.strip().splitlines()) == 1
    assert "re(g1**(sqrt(3))) has no form in generated code, which computes with real numbers" in err
    code, out, err = run(capsys, *layers, "--latex")
    assert code == 0 and r"\operatorname{re}" in out


def test_help_explains_every_option_with_an_example():
    run_ = subprocess.run(
        [sys.executable, "-m", "derive", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    text = run_.stdout
    for option in ["--latex", "--standalone", "--layers", "--spec", "--digits", "--out", "--check"]:
        assert option in text
    assert "e.g. --layers 3-4-4-2" in text
    assert "derive --latex --spec my_net.toml" in text


def test_console_entry_runs_without_a_traceback():
    bad = subprocess.run(
        [sys.executable, "-m", "derive", "--latex", "--layers", "-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "argv, shown",
    [
        (["--activation", "tanh"], r"\tanh"),
        (["--activation", "x/(1 + abs(x))"], r"custom activation $\frac{g}{\left|{g}\right| + 1}$"),
        (["--layers", "2-3-2", "--output-activation", "linear"], r"$\kappa = 2$"),
        (
            ["--layers", "2-3-2", "--output-activation", "tanh", "--loss", "half_squared_error"],
            r"$\kappa = 1$",
        ),
        (
            ["--layers", "2-3-3", "--activation", "relu", "--loss", "softmax_cross_entropy"],
            "softmax",
        ),
        (
            ["--layers", "2-3-2", "--activation", "softplus", "--loss", "binary_cross_entropy"],
            "cancels",
        ),
    ],
)
def test_architecture_options_end_to_end(capsys, argv, shown):
    code, out, err = run(capsys, "--latex", *argv)
    assert code == 0 and err == ""
    assert r"\label{eq:delta-1}" in out
    assert shown in out


@pytest.mark.parametrize(
    "argv, accepted",
    [
        (["--activation", "gelu"], ["sigmoid", "tanh", "relu", "softplus", "linear", "softmax"]),
        (
            ["--output-activation", "gelu"],
            ["sigmoid", "tanh", "relu", "softmax", "expression in x"],
        ),
        (["--activation", "x^2"], ["numbers, x, + - * / **", "exp, log, tanh, abs"]),
        (["--loss", "mse"], ["squared_error", "binary_cross_entropy", "softmax_cross_entropy"]),
        (["--output-activation", "tanh", "--loss", "binary_cross_entropy"], ["sigmoid"]),
        (["--layers", "2-3-3", "--output-activation", "softmax"], ["softmax_cross_entropy"]),
    ],
)
def test_bad_architecture_values_name_the_accepted_ones(capsys, argv, accepted):
    code, out, err = run(capsys, "--latex", *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: "), err
    for word in accepted:
        assert word in lines[0]


def test_a_custom_activation_survives_the_recipe(capsys, tmp_path):
    out = str(tmp_path / "net.py")
    code, _, _ = run(capsys, "--layers", "2-3-1", "--activation", "x/(1 + abs(x))", "--out", out)
    assert code == 0
    recipe = '{layers = "2-3-1", activations = ["x/(1 + abs(x))", "sigmoid"], generator = "0.1.0"}'
    assert f"# Recipe: {recipe}\n" in (tmp_path / "net.py").read_text()
    assert main(["--check", str(tmp_path)]) == 0
