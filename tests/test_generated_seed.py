"""The seed's worked example, run through the committed generated module."""

import numpy as np
import pytest

from generated import xnor

WEIGHTS = [np.array([[2.0, -2.0, 0.0], [1.0, 3.0, -1.0]]), np.array([[3.0, -2.0, -1.0]])]
XNOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XNOR_Y = np.array([[1.0], [0.0], [0.0], [1.0]])
X = np.array([1.0, 0.0])  # the worked example: x = (1, 0), target y = 0, c = 1
Y = np.array([0.0])


def test_constants():
    assert xnor.LAYERS == (2, 2, 1)
    assert xnor.ACTIVATIONS == ("sigmoid", "sigmoid")
    assert xnor.LOSS == "squared_error"
    assert xnor.KAPPA == 2


def test_forward_over_the_truth_table():
    s1, f = xnor.forward(WEIGHTS, XNOR_X)
    assert s1.shape == (4, 2) and f.shape == (4, 1)
    assert np.round(f[:, 0], 3).tolist() == [0.491, 0.083, 0.655, 0.197]
    assert np.round(s1, 3).tolist() == [[0.5, 0.269], [0.119, 0.881], [0.881, 0.5], [0.5, 0.953]]


def test_forward_of_the_example_at_full_precision():
    _, f = xnor.forward(WEIGHTS, X)
    assert f.shape == (1,)
    assert f[0] == pytest.approx(0.65529, abs=1e-5)


def test_deltas_of_the_example():
    delta1, delta2 = xnor.deltas(WEIGHTS, X, Y)
    assert np.round(delta2, 3).tolist() == [-0.148]
    assert np.round(delta1, 3).tolist() == [-0.047, 0.074]
    np.testing.assert_allclose(delta2, [-0.1480203], rtol=0, atol=1e-7)
    np.testing.assert_allclose(delta1, [-0.0466235, 0.0740101], rtol=0, atol=1e-7)


def test_update_of_the_example():
    W1, W2 = xnor.update(WEIGHTS, X, Y, c=1.0)
    assert np.round(W2, 3).tolist() == [[2.87, -2.074, -1.148]]
    assert np.round(W1, 3).tolist() == [[1.953, -2, -0.047], [1.074, 3, -0.926]]
    np.testing.assert_allclose(W2, [[2.8696242, -2.0740101, -1.1480203]], rtol=0, atol=1e-7)
    np.testing.assert_allclose(
        W1, [[1.9533765, -2, -0.0466235], [1.0740101, 3, -0.9259899]], rtol=0, atol=1e-7
    )


def test_gradients_carry_the_factor_two_the_seed_dropped():
    dW1, dW2 = xnor.gradients(WEIGHTS, X, Y)
    delta1, delta2 = xnor.deltas(WEIGHTS, X, Y)
    s1, _ = xnor.forward(WEIGHTS, X)
    np.testing.assert_allclose(dW2, -2 * np.outer(delta2, np.append(s1, 1.0)), rtol=1e-15)
    np.testing.assert_allclose(dW1, -2 * np.outer(delta1, np.append(X, 1.0)), rtol=1e-15)
    np.testing.assert_allclose(dW2, [[0.2607517, 0.1480203, 0.2960406]], rtol=0, atol=1e-7)


def test_loss_of_the_example_and_of_the_truth_table():
    assert xnor.loss(WEIGHTS, X, Y) == pytest.approx(0.65529**2, abs=2e-5)
    per_row = [xnor.loss(WEIGHTS, x, y) for x, y in zip(XNOR_X, XNOR_Y)]
    assert xnor.loss(WEIGHTS, XNOR_X, XNOR_Y) == pytest.approx(sum(per_row), rel=1e-15)


def test_weights_as_nested_lists_of_integers():
    weights = [[[2, -2, 0], [1, 3, -1]], [[3, -2, -1]]]
    np.testing.assert_allclose(xnor.forward(weights, [1, 0])[-1], [0.6552938], atol=1e-7)


def test_the_module_reads_like_the_derivation():
    from tests.test_codegen import ROOT

    text = (ROOT / "generated" / "xnor.py").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for line in [
        "    g1 = x @ W1[:, :-1].T + W1[:, -1]  # (eq:g-1)\n",
        "    s1 = sigmoid(g1)  # (eq:s-1)\n",
        "    delta2 = (y - f) * f * (1 - f)  # (eq:delta-2)\n",
        "    delta1 = s1 * (1 - s1) * (delta2 @ W2[:, :-1])  # (eq:delta-1)\n",
        "    W1_new = W1 + outer(c * delta1, x)  # (eq:update-1)\n",
    ]:
        assert text.count(line) == 1, line
    # the forward pass in two places: the layer form and the float update of one sample
    assert text.count("(eq:s-1)") == 3  # s1 of the layer, s1_1 and s1_2 on floats
    assert text.count("_forward(xp, W1, W2, x)") == 4  # forward, loss, _backward call it
    for gone in ("ctypes", "struct", "except"):
        assert gone not in text, gone
