"""A student who works one backprop step by hand, to 3 decimals, with or without a slip.

Written apart from the derivation (numpy and the textbook formulas), so that
grading is checked against an independent computation: every number is rounded
to 3 decimals and the next is computed from the rounded ones, as on paper.
"""

import numpy as np

FUNCTIONS = {
    "sigmoid": (lambda g: 1 / (1 + np.exp(-g)), lambda s: s * (1 - s)),
    "tanh": (np.tanh, lambda s: 1 - s * s),
}


def rounded(value):
    return np.round(np.asarray(value, dtype=float) + 0.0, 3) + 0.0


def work(network, slip=None):
    """The answers (name -> nested lists) of a student who makes ``slip`` wherever it applies."""
    example = network.example
    weights = [np.array(w, dtype=float) for w in network.weights]
    acts = [FUNCTIONS[a] for a in network.activations]
    L, c = len(weights), example.c
    y = np.array(example.y, dtype=float)
    inputs, gs = [np.array(example.x, dtype=float)], []
    for j in range(L):
        g = rounded(weights[j] @ np.append(inputs[-1], 1))
        gs.append(g)
        inputs.append(rounded(acts[j][0](g)))
    f = inputs[-1]
    deltas, new = [None] * L, [None] * L

    def update(j):
        x = np.append(gs[j - 1] if slip == "pre-activation" and j > 0 else inputs[j], 1)
        step = c * np.outer(deltas[j], x)
        if slip == "sign":
            step = -step
        if slip == "factor-two":
            step = 2 * step
        if slip == "no-bias":
            step[:, -1] = 0
        return rounded(weights[j] + step)

    target = np.ones_like(y) if slip == "target-as-one" else y
    slope = acts[-1][1](f)
    deltas[-1] = rounded(y - f if slip == "no-slope" else (target - f) * slope)
    new[-1] = update(L - 1)
    for j in range(L - 2, -1, -1):
        above = (new[j + 1] if slip == "updated-weights" else weights[j + 1])[:, :-1]
        back = above.T @ deltas[j + 1]
        if slip == "wrong-weight":
            # indices transposed where the matrix is square, else the units' weights swapped
            back = above @ deltas[j + 1] if above.shape[0] == above.shape[1] else back[::-1]
        deltas[j] = rounded(acts[j][1](inputs[j + 1]) * back)
        new[j] = update(j)
    answers = {}
    for j in range(L):
        answers[f"g{j + 1}"] = gs[j].tolist()
        answers["f" if j == L - 1 else f"s{j + 1}"] = inputs[j + 1].tolist()
        answers[f"delta{j + 1}"] = deltas[j].tolist()
        answers[f"W{j + 1}"] = new[j].tolist()
    return answers
