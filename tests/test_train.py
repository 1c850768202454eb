"""Training with the generated update: per sample and batch, checked against backprop by hand."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from codegen import render
from derive import Network, load_spec, seed
from derive.cli import main, trained
from derive.explain.training import report
from derive.train import default_c, load_module

XNOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XNOR_Y = np.array([[1.0], [0.0], [0.0], [1.0]])
SEED_WEIGHTS = [np.array([[2.0, -2.0, 0.0], [1.0, 3.0, -1.0]]), np.array([[3.0, -2.0, -1.0]])]


# -- the seed's backprop, written out by hand (no generated code) -----------------------


def _sigmoid(g):
    return 1.0 / (1.0 + np.exp(-g))


def _by_hand_step(W1, W2, x, y, c):
    """One step of the seed's rule W + c δ Xᵀ for one sample, squared error."""
    X0 = np.append(x, 1.0)
    s = _sigmoid(W1 @ X0)
    X1 = np.append(s, 1.0)
    f = _sigmoid(W2 @ X1)
    delta2 = (y - f) * f * (1 - f)
    delta1 = s * (1 - s) * (W2[:, :-1].T @ delta2)
    return np.outer(c * delta1, X0), np.outer(c * delta2, X1)


def _by_hand_loss(W1, W2):
    total = 0.0
    for x, y in zip(XNOR_X, XNOR_Y):
        s = _sigmoid(W1 @ np.append(x, 1.0))
        f = _sigmoid(W2 @ np.append(s, 1.0))
        total += float(np.sum((y - f) ** 2))
    return total


def test_per_sample_curve_equals_backprop_by_hand_row_by_row():
    run = trained(seed(), epochs=5)
    W1, W2 = (w.copy() for w in SEED_WEIGHTS)
    expected = [_by_hand_loss(W1, W2)]
    for _ in range(5):
        for x, y in zip(XNOR_X, XNOR_Y):  # one update per row, the rows in order
            d1, d2 = _by_hand_step(W1, W2, x, y, c=1.0)
            W1, W2 = W1 + d1, W2 + d2
        expected.append(_by_hand_loss(W1, W2))
    np.testing.assert_allclose(run.losses, expected, rtol=1e-12)
    np.testing.assert_allclose(run.weights[0], W1, rtol=1e-12)
    np.testing.assert_allclose(run.weights[1], W2, rtol=1e-12)
    assert run.losses[0] == pytest.approx(1.3406448, abs=1e-7)


def test_batch_update_is_the_sum_of_the_per_sample_updates():
    run = trained(seed(), epochs=3, c=0.5, batch=True)
    W1, W2 = (w.copy() for w in SEED_WEIGHTS)
    expected = [_by_hand_loss(W1, W2)]
    for _ in range(3):
        steps = [_by_hand_step(W1, W2, x, y, c=0.5) for x, y in zip(XNOR_X, XNOR_Y)]
        W1 = W1 + sum(s[0] for s in steps)  # every row's step at the same weights
        W2 = W2 + sum(s[1] for s in steps)
        expected.append(_by_hand_loss(W1, W2))
    np.testing.assert_allclose(run.losses, expected, rtol=1e-12)
    assert not np.allclose(run.losses, trained(seed(), epochs=3, c=0.5).losses)


def test_outputs_are_the_final_forward_pass():
    run = trained(seed(), epochs=2)
    W1, W2 = run.weights
    for x, f in zip(XNOR_X, run.outputs):
        s = _sigmoid(W1 @ np.append(x, 1.0))
        np.testing.assert_allclose(f, _sigmoid(W2 @ np.append(s, 1.0)), rtol=1e-12)


def test_the_seed_from_its_weights_at_c_1_does_not_learn_xnor():
    """The README's result: per sample, 5000 epochs, ε stalls near 0.507 and f(1, 0) = f(1, 1)."""
    run = trained(seed(), epochs=5000)
    assert run.losses[-1] == pytest.approx(0.5066063, abs=1e-6)
    assert np.round(run.outputs[:, 0], 3).tolist() == [0.984, 0.015, 0.551, 0.551]
    assert run.matches() == 3  # (1, 0) rounds to 1, not to its target 0
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("This is `derive --train`:\n\n```\n")[1].split("```")[0]
    assert shown == report(run)  # the README shows what the command prints


def test_c_defaults_to_the_examples_and_epochs_to_5000():
    classifier = load_spec("derive/networks/classifier.toml")
    assert default_c(classifier) == 0.5
    assert default_c(seed()) == 1.0
    assert default_c(Network.from_layers("2-1")) == 1.0
    assert trained(classifier, epochs=1).c == 0.5


def test_a_spec_without_weights_starts_from_seeded_random_weights():
    net = Network(**{**seed().__dict__, "weights": None, "example": None})
    first, second = trained(net, epochs=2), trained(net, epochs=2)
    assert "random" in first.start
    np.testing.assert_array_equal(first.losses, second.losses)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"network": Network.from_layers("2-2-1")}, "no data set"),
        ({"epochs": -1}, "--epochs"),
        ({"c": 0.0}, "--c"),
        ({"c": math.nan}, "--c"),
    ],
)
def test_bad_runs_are_value_errors(kwargs, words):
    kwargs = {"network": seed(), **kwargs}
    with pytest.raises(ValueError, match=words):
        trained(**kwargs)


def test_the_module_is_imported_from_a_temporary_file_and_left_nowhere():
    before = set(sys.modules)
    module = load_module(render(seed(), "derive --train", "the seed"), "xnor")
    assert module.LAYERS == (2, 2, 1)
    assert not Path(module.__file__).exists()
    assert set(sys.modules) == before


def test_train_prints_the_curve_and_the_final_outputs(capsys):
    assert main(["--train", "--epochs", "100", "--c", "2"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "100 epochs of per-sample updates" in out and "c = 2." in out
    expected = trained(seed(), epochs=100, c=2.0)
    assert f"   100  {expected.losses[-1]:.7f}" in out
    assert "(1, 1)  (1)  (" in out


def test_train_batch(capsys):
    assert main(["--train", "--epochs", "10", "--batch"]) == 0
    out = capsys.readouterr().out
    assert "batch updates (one per epoch, summed over the data set)" in out
    assert f"{trained(seed(), epochs=10, batch=True).losses[-1]:.7f}" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--train", "--epochs", "-5"], "--epochs"),
        (["--train", "--epochs", "five"], "--epochs"),
        (["--train", "--c", "0"], "--c"),
        (["--train", "--c", "-1"], "--c"),
        (["--train", "--c", "nan"], "--c"),
        (["--train", "--c", "inf"], "--c"),
        (["--train", "--layers", "2-2-1"], "no data set"),
        (["--latex", "--epochs", "10"], "go with --train"),
        (["--out", "x.py", "--batch"], "go with --train"),
        (["--train", "--latex"], "both print to stdout"),
        (["--train", "--markdown"], "both print to stdout"),
    ],
)
def test_bad_training_options_are_one_line_and_exit_2(capsys, argv, words):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and words in err


def test_help_explains_each_new_option_with_an_example():
    import os
    import subprocess

    text = subprocess.run(
        [sys.executable, "-m", "derive", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
    for example in [
        "e.g. --html report.html",
        "e.g. derive --markdown > seed.md",
        "e.g. derive --train --epochs 5000",
        "e.g. --epochs 20000",
        "e.g. --c 0.5",
        "e.g. derive --train --batch",
    ]:
        assert example in text
    assert "derive --html report.html " in text and "derive --train --batch --c 0.5" in text
