"""What a user would write or reach for instead of a generated module, for the benchmarks.

Every peer computes the seed's rule W ← W + c·δ·(X, 1)ᵀ for sigmoid layers
and the squared error, i.e. gradient descent with learning rate c/2, and
returns the new weights.  ``make_*`` functions return ``(update, args)``:
``update(*args)`` is one update, with the arguments already in the form the
peer works on (floats, numpy arrays, torch tensors, jax device arrays), and
the result ready (jax's is blocked on).  A peer that is not installed raises
``ImportError`` from its ``make_*``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def seed_arrays(dtype=np.float64):
    """The seed's weights and worked example, as numpy arrays."""
    weights = [
        np.array([[2.0, -2.0, 0.0], [1.0, 3.0, -1.0]], dtype),
        np.array([[3.0, -2.0, -1.0]], dtype),
    ]
    return weights, np.array([1.0, 0.0], dtype), np.array([0.0], dtype)


def wide_arrays(dtype, batch=256, sizes=(784, 128, 10), seed=0):
    """Random weights of a sigmoid network and a batch of inputs and targets."""
    rng = np.random.default_rng(seed)
    weights = [
        rng.normal(0, 1 / math.sqrt(n_in), (n_out, n_in + 1)).astype(dtype)
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    x = rng.uniform(0, 1, (batch, sizes[0])).astype(dtype)
    y = rng.uniform(0, 1, (batch, sizes[-1])).astype(dtype)
    return weights, x, y


# -- one sample of the seed --------------------------------------------------------


def _sigmoid(g):
    if g >= 0:
        return 1 / (1 + math.exp(-g))
    e = math.exp(g)
    return e / (1 + e)


def pure_python_update(weights, x, y, c):
    """The seed's update on bare floats, written out by hand: the floor."""
    ((a, b, d), (e, f, h)), ((p, q, r),) = weights
    x1, x2 = x
    (t,) = y
    s1 = _sigmoid(a * x1 + b * x2 + d)
    s2 = _sigmoid(e * x1 + f * x2 + h)
    out = _sigmoid(p * s1 + q * s2 + r)
    d2 = c * (t - out) * out * (1 - out)
    d11 = s1 * (1 - s1) * d2 * p
    d12 = s2 * (1 - s2) * d2 * q
    return [
        [[a + d11 * x1, b + d11 * x2, d + d11], [e + d12 * x1, f + d12 * x2, h + d12]],
        [[p + d2 * s1, q + d2 * s2, r + d2]],
    ]


def make_pure_python(c=1.0):
    weights, x, y = seed_arrays()
    return pure_python_update, ([w.tolist() for w in weights], x.tolist(), y.tolist(), c)


def numpy_update(weights, x, y, c):
    """Backprop as people write it in numpy: append the 1, matrix-vector products, outer products."""
    W1, W2 = weights
    X = np.append(x, 1.0)
    s1 = 1 / (1 + np.exp(-(W1 @ X)))
    S = np.append(s1, 1.0)
    f = 1 / (1 + np.exp(-(W2 @ S)))
    delta2 = (y - f) * f * (1 - f)
    delta1 = s1 * (1 - s1) * (W2[:, :-1].T @ delta2)
    return [W1 + c * np.outer(delta1, X), W2 + c * np.outer(delta2, S)]


def make_numpy(c=1.0):
    weights, x, y = seed_arrays()
    return numpy_update, (weights, x, y, c)


def _torch():
    import torch

    torch.set_num_threads(threads())
    return torch


def library(name, device="cpu"):
    """``(lib, put, done)``: an array library, a numpy array into it, and a wait for its work.

    ``put`` places the array on ``device`` (torch); ``done`` returns once the
    work queued on the GPU is finished, since CUDA calls return before it is.
    """
    if name == "numpy":
        return np, np.asarray, _nothing
    if name == "torch":
        torch = _torch()
        done = torch.cuda.synchronize if device == "cuda" else _nothing
        return torch, lambda a: torch.asarray(a, device=device), done
    import cupy

    return cupy, cupy.asarray, cupy.cuda.get_current_stream().synchronize


def _nothing():
    pass


def make_torch(c=1.0, arrays=None, device="cpu"):
    """torch autograd: the loss's backward, then W − (c/2)·∂ε/∂W without grad."""
    torch, put, done = library("torch", device)
    weights, x, y = arrays or seed_arrays()
    params = [torch.tensor(w, requires_grad=True, device=device) for w in weights]
    x, y = put(x), put(y)
    rate = c / 2

    def update(params, x, y):
        for p in params:
            p.grad = None
        h = x
        for W in params:
            h = torch.sigmoid(h @ W[:, :-1].T + W[:, -1])
        ((y - h) ** 2).sum().backward()
        with torch.no_grad():
            new = [p - rate * p.grad for p in params]
        done()
        return new

    return update, (params, x, y)


def _jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def _jax_device(jax, device):
    """The jax device of that kind, so that jax computes where its peers do."""
    return jax.devices("gpu" if device == "cuda" else device)[0]


def make_jax(c=1.0, arrays=None, device="cpu"):
    """jax.jit of W − (c/2)·grad(ε)(W), on device arrays."""
    jax = _jax()
    import jax.numpy as jnp

    weights, x, y = arrays or seed_arrays()
    rate = c / 2

    def loss(params, x, y):
        h = x
        for W in params:
            h = jax.nn.sigmoid(h @ W[:, :-1].T + W[:, -1])
        return jnp.sum((y - h) ** 2)

    @jax.jit
    def step(params, x, y):
        grads = jax.grad(loss)(params, x, y)
        return [p - rate * g for p, g in zip(params, grads)]

    def update(params, x, y):
        return jax.block_until_ready(step(params, x, y))

    return _compiled(jax, update, weights, x, y, device)


def make_generated_jax(module, c=1.0, arrays=None, device="cpu"):
    """jax.jit of the generated module's own update, on device arrays."""
    jax = _jax()
    weights, x, y = arrays or seed_arrays()
    step = jax.jit(module.update)

    def update(params, x, y):
        return jax.block_until_ready(step(params, x, y, c))

    return _compiled(jax, update, weights, x, y, device)


def _compiled(jax, update, weights, x, y, device):
    """``(update, args)`` with the arrays on the device, compiled by one call outside the timing."""
    where = _jax_device(jax, device)
    args = ([jax.device_put(w, where) for w in weights], jax.device_put(x, where),
            jax.device_put(y, where))
    new = update(*args)
    # jax_enable_x64 (for the float64 case) must not turn float32 into float64.
    if [n.dtype for n in new] != [w.dtype for w in weights]:
        raise AssertionError(f"jax computed in {[n.dtype for n in new]}, not the inputs' dtype")
    return update, args


def make_generated(module, name, c=1.0, arrays=None, device="cpu"):
    """The generated module's update on arrays of the library ``name`` (torch, cupy)."""
    _, put, done = library(name, device)
    weights, x, y = arrays or seed_arrays()

    def update(weights, x, y, c):
        new = module.update(weights, x, y, c)
        done()
        return new

    return update, ([put(w) for w in weights], put(x), put(y), c)


# -- a batch through a wide network ------------------------------------------------


def gemm_floor(weights, x, name="numpy", device="cpu"):
    """The matrix products of one update alone, into preallocated arrays.

    Each layer's forward product and weight-gradient product, and the backward
    product into each hidden layer, on contiguous operands, in the library
    ``name`` (numpy, torch on ``device``, cupy).  (Neither matters to OpenBLAS here: a strided view
    such as ``W[:, :-1].T`` is passed to it with its leading dimension, not
    copied, and a new output array costs the same as ``out=``; both were
    measured within noise of each other.)
    """
    lib, put, done = library(name, device)
    bare, x = [put(np.ascontiguousarray(w[:, :-1])) for w in weights], put(x)
    # The arrays the products are written into: each product once, as it comes out.
    outs, h = [], x
    for W in bare:
        h = lib.matmul(h, W.T)
        outs.append(h)
    backs = [lib.matmul(out, W) for W, out in zip(bare[1:], outs[1:])]
    grads = [lib.matmul(delta.T, X) for delta, X in zip(outs, [x, *outs[:-1]])]

    def floor(bare, x):
        h = x
        for W, out in zip(bare, outs):
            lib.matmul(h, W.T, out=out)
            h = out
        for W, back, out in zip(bare[1:], backs, outs[1:]):
            lib.matmul(out, W, out=back)
        for delta, X, grad in zip(outs, [x, *outs[:-1]], grads):
            lib.matmul(delta.T, X, out=grad)
        done()

    return floor, (bare, x)


def numpy_batch_update(weights, x, y, c):
    """A batch as people write it in numpy: a column of ones appended to each layer's input."""
    ones = np.ones((x.shape[0], 1), x.dtype)
    inputs, h = [], x
    for W in weights:
        X = np.hstack([h, ones])
        inputs.append(X)
        with np.errstate(over="ignore"):
            h = 1 / (1 + np.exp(-(X @ W.T)))
    delta = (y - h) * h * (1 - h)
    new = [None] * len(weights)
    for j in range(len(weights) - 1, -1, -1):
        new[j] = weights[j] + c * (delta.T @ inputs[j])
        if j:
            s = inputs[j][:, :-1]
            delta = s * (1 - s) * (delta @ weights[j][:, :-1])
    return new


def threads() -> int:
    """The thread count every peer gets: the cores this process may run on."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
