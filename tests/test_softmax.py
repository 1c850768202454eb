"""Softmax outputs at large logits: against mpmath at 100 digits, and under a shift of every logit.

softmax(g + t) = softmax(g), so δ, ε, the gradients and the updates of a
softmax network must not change when every output logit moves by t; and
where one output nears 1, δ = y − f must keep its digits (1 − f is 2e-9 for
logits (0, −20, −40), f's last bit 1e-16).  Every path of a generated module is
checked: one sample, a batch, ``deltas``, ``loss``, ``gradients`` and ``update``.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from derive import Network

#: c for the updates: a power of 2, large enough that (W + c·δ·X − W)/c is c·δ·X/c to the last bit.
C = 2.0**400


def reference(net: Network, weights, x, y):
    """deltas, ε and gradients of a batch in mpmath at 100 digits, from the float64 inputs exactly."""
    slope = {"linear": lambda s: 1, "tanh": lambda s: 1 - s**2}
    activation = {"linear": lambda g: g, "tanh": mpmath.tanh}
    with mpmath.workdps(100):
        W = [w.tolist() for w in weights]
        deltas = [[] for _ in W]
        gradients = [np.zeros(w.shape, dtype=object) for w in weights]
        eps = mpmath.mpf(0)
        for xb, yb in zip(x.tolist(), y.tolist()):
            outputs = [[mpmath.mpf(v) for v in xb]]
            for j, w in enumerate(W):
                g = [sum(wi * v for wi, v in zip(row, outputs[-1] + [1])) for row in w]
                if j == len(W) - 1:
                    total = sum(mpmath.exp(v) for v in g)
                    outputs.append([mpmath.exp(v) / total for v in g])
                else:
                    outputs.append([activation[net.activations[j]](v) for v in g])
            f = outputs[-1]
            eps -= sum(t * mpmath.log(v) for t, v in zip(yb, f))
            layer_deltas = [[t - v for t, v in zip(yb, f)]]
            for j in range(len(W) - 1, 0, -1):
                above, rows = layer_deltas[0], W[j]
                layer_deltas.insert(0, [
                    slope[net.activations[j - 1]](s)
                    * sum(row[i] * d for row, d in zip(rows, above))
                    for i, s in enumerate(outputs[j])
                ])
            for j, delta in enumerate(layer_deltas):
                deltas[j].append(delta)
                gradients[j] -= np.outer(delta, outputs[j] + [1])
        as_float = np.vectorize(float, otypes=[float])
        deltas = [as_float(np.array(d, dtype=object)) for d in deltas]
        return deltas, float(eps), [as_float(g) for g in gradients]


def assert_close(got, expected, rtol=1e-12):
    """Every element within rtol of its own value (zeros exactly zero)."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape
    error = np.abs(got - expected)
    assert np.all(error <= rtol * np.abs(expected)), np.max(error / np.abs(expected))


def steps(module, weights, x, y):
    """(update − W)/c: δ·(X, 1)ᵀ summed over the samples."""
    updated = module.update(weights, x, y, c=C)
    return [[(u - w) / C for u, w in zip(updated, weights)]]


def seed_example(shift: float, gap: float = 20.0):
    """The 2-2-3 example: output biases (L, L − 20, L − 40), zero inputs, target (1, 0, 0)."""
    weights = [
        np.array([[0.5, -0.25, 0.5], [0.75, 0.5, -0.25]]),
        np.array([[1.0, -1.0, shift], [0.5, 0.25, shift - gap], [-0.5, 1.0, shift - 2 * gap]]),
    ]
    return weights, np.zeros((1, 2)), np.array([[1.0, 0.0, 0.0]])


LINEAR = Network((2, 2, 3), ("linear", "softmax"), "softmax_cross_entropy")


@pytest.mark.parametrize("shift", [0.0, 100.0, 1000.0, -1000.0])
def test_delta_of_an_output_near_1_keeps_its_digits(build, shift):
    module = build(LINEAR)
    weights, x, y = seed_example(shift)
    # With logits (L, L − 20, L − 40) themselves, 1 − f1 = (e^-20 + e^-40)/(1 + e^-20 + e^-40).
    biases_alone = [weights[0], weights[1] * [0, 0, 1]]
    got = module.deltas(biases_alone, x[0], y[0])[1][0]
    assert got == pytest.approx(2.061153622438558e-09, rel=1e-15)
    check_against_mpmath(module, LINEAR, weights, x, y)


@pytest.mark.parametrize("shift", [0.0, 1000.0])
def test_delta_of_an_output_within_1e_43_of_1_keeps_its_digits(build, shift):
    # Logits (L, L − 100, L − 200): 1 − f1 = 3.7e-44, which y − f rounds to 0.
    module = build(LINEAR)
    check_against_mpmath(module, LINEAR, *seed_example(shift, gap=100.0))


def check_against_mpmath(module, net, weights, x, y, rtol=1e-12):
    """Every path's δ, ε, gradients and updates within rtol of mpmath's, element by element."""
    deltas, eps, gradients = reference(net, weights, x, y)
    for got, expected in zip(module.deltas(weights, x, y), deltas):
        assert_close(got, expected, rtol)
    for got, expected in zip(module.deltas(weights, x[0], y[0]), deltas):
        assert_close(got, expected[0], rtol)
    samples = [(x, y)] + ([(x[0], y[0])] if len(x) == 1 else [])
    for x_, y_ in samples:  # a batch, and one sample on its own
        assert_close(module.loss(weights, x_, y_), eps, rtol)
        for got, expected in zip(module.gradients(weights, x_, y_), gradients):
            assert_close(got, expected, rtol)
        for path in steps(module, weights, x_, y_):
            for got, expected in zip(path, gradients):
                assert_close(got, -expected, rtol)


TANH = Network((3, 4, 3), ("tanh", "softmax"), "softmax_cross_entropy")


def random_batch(shift: float):
    """Logits around 100 apart and ordinary ones; one-hot targets and a class distribution."""
    rng = np.random.default_rng(10)
    hidden = np.round(rng.uniform(-1, 1, size=(4, 4)) * 64) / 64
    output = np.round(rng.uniform(-1, 1, size=(3, 5)) * 64) / 64
    # Dyadic biases: b + shift is exact, so the logits move by shift to their last bit.
    output[:, -1] = np.array([0.0, -30.0, 12.5]) + shift
    x = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -0.5], [-2.0, 1.5, 1.0], [0.0, 0.0, 0.0]])
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.25, 0.5, 0.25]])
    return [hidden, output], x, y


@pytest.mark.parametrize("shift", [1000.0, -1000.0])
def test_a_shift_of_every_logit_changes_nothing(build, shift):
    module = build(TANH)
    weights, x, y = random_batch(0.0)
    moved = random_batch(shift)
    for batch in (slice(None), 0, 1, 3):
        args, args_moved = (weights, x[batch], y[batch]), (moved[0], moved[1][batch], moved[2][batch])
        for got, expected in zip(module.deltas(*args_moved), module.deltas(*args)):
            assert_close(got, expected)
        assert_close(module.loss(*args_moved), module.loss(*args))
        for got, expected in zip(module.gradients(*args_moved), module.gradients(*args)):
            assert_close(got, expected)
    for path, path_moved in zip(steps(module, weights, x, y), steps(module, *moved)):
        for got, expected in zip(path_moved, path):
            assert_close(got, expected)


def test_logits_far_apart_match_mpmath(build):
    module = build(TANH)
    for shift in (0.0, 1000.0):
        # The hidden δ sum three terms of either sign: a few more bits go there.
        check_against_mpmath(module, TANH, *random_batch(shift), rtol=1e-11)
