"""The runtime of a generated module: the helpers its printed lines call.

Each function here is copied, source and all, into the modules that call it
(:func:`codegen.render.render` takes them with :func:`inspect.getsource`), so
that a generated module needs only numpy and array-api-compat.  They live in
a real module so that they are linted, imported and tested like any other
code; the template only lays them out.

Every helper keeps its exponents non-positive or works through ``logaddexp``
and ``log1p``, so that no input overflows.

Examples
--------
>>> import numpy as np
>>> float(sigmoid(np.array(-1000.0))), float(softplus(np.array(1000.0)))
(0.0, 1000.0)
"""

from __future__ import annotations

import numpy as np
from array_api_compat import array_namespace, device, is_array_api_obj, is_jax_array

#: The layer sizes, inputs first: every generated module sets its own.
LAYERS: tuple[int, ...] = ()

#: What every module carries, whichever helpers its lines call.
ALWAYS = ("_arrays", "_like", "_per_sample", "outer")
#: The helpers a helper calls in turn.
NEEDS = {"log_softmax": ("_rest",), "softmax_complement": ("_rest",)}


def _arrays(weights, x, y=None):
    """The namespace of x and checked float arrays of it: the weights, then x and y with a sample axis."""
    x = x if is_array_api_obj(x) else np.asarray(x)
    xp, weights = array_namespace(x), list(weights)
    if len(weights) != len(LAYERS) - 1:
        raise ValueError(f"weights: expected {len(LAYERS) - 1} matrices (one per layer), got {len(weights)}")
    arrays = [*weights, x] + ([] if y is None else [y])
    if not (xp.isdtype(x.dtype, "real floating") and all(type(a) is type(x) and a.dtype == x.dtype for a in arrays)):
        arrays = [_like(xp, x, a) for a in arrays]  # each of x's library, then all of one float dtype
        dtype = xp.result_type(*arrays)
        arrays = [a if a.dtype == dtype else xp.astype(a, dtype) for a in arrays]
    for j, w in enumerate(arrays[: len(weights)], start=1):
        shape = (LAYERS[j], LAYERS[j - 1] + 1)
        if tuple(w.shape) != shape:
            raise ValueError(
                f"weights[{j - 1}] (layer {j}): expected shape {shape} (units, inputs + bias), got {tuple(w.shape)}"
            )
    x, y = arrays[len(weights)], (None if y is None else arrays[-1])
    if x.ndim not in (1, 2) or x.shape[-1] != LAYERS[0]:
        raise ValueError(f"x: expected shape ({LAYERS[0]},) or (B, {LAYERS[0]}), got {tuple(x.shape)}")
    if y is not None and tuple(y.shape) != (*x.shape[:-1], LAYERS[-1]):
        shapes = f"{(*x.shape[:-1], LAYERS[-1])} to match x of shape {tuple(x.shape)}, got {tuple(y.shape)}"
        raise ValueError(f"y: expected shape {shapes}")
    single = x.ndim == 1
    if single:
        x, y = x[None, ...], (None if y is None else y[None, ...])
    return xp, arrays[: len(weights)], x, y, single


def _like(xp, x, a):
    """a as an array of x's library and device, of a float dtype (x's own type is of its library)."""
    if type(a) is not type(x) and not (is_array_api_obj(a) and array_namespace(a) is xp):
        a = xp.asarray(a, device=device(x))
    return a if xp.isdtype(a.dtype, "real floating") else xp.astype(a, xp.float64)


def _per_sample(arrays, single):
    return [a[0, ...] for a in arrays] if single else arrays


def outer(delta, inputs):
    """Σ over the samples of δ (X, 1)ᵀ, X being the layer's inputs with a 1 appended."""
    if type(delta) is np.ndarray:  # numpy writes the products into the result, which concat copies
        result = np.empty((delta.shape[1], inputs.shape[1] + 1), delta.dtype)
        np.matmul(delta.T, inputs, out=result[:, :-1])
        np.matmul(delta.T, np.ones(delta.shape[0], delta.dtype), out=result[:, -1])  # δᵀ1 = Σ δ, in BLAS
        return result
    xp = array_namespace(delta, inputs)
    product, bias = delta.T @ inputs, xp.sum(delta, axis=0)[:, None]
    if is_jax_array(delta):  # each padded with zeros, which XLA fuses into the update that adds it
        padded = xp.concat([product, xp.zeros_like(bias)], axis=1)
        return padded + xp.concat([xp.zeros_like(product), bias], axis=1)
    return xp.concat([product, bias], axis=1)


def sigmoid(g):
    """1/(1 + e^{−g}) as max(e, [g ≥ 0])/(1 + e) with e = e^{−|g|}, so that no exponent is positive."""
    xp = array_namespace(g)
    e = xp.exp(-xp.abs(g))
    # [g ≥ 0] as 1 or 0 (numpy and XLA compare cheaper) or 1 or −1 (torch and CuPy copysign), NaN kept
    compare = type(g) is np.ndarray or is_jax_array(g)
    return xp.maximum(e, xp.astype(g >= 0, g.dtype) if compare else xp.copysign(1.0, g)) / (1 + e)


def softplus(g):
    """log(1 + e^{g}), which never overflows."""
    return array_namespace(g).logaddexp(0.0, g)


def step(g):
    """relu's slope: 1 where g > 0, 0 where g ≤ 0 (as PyTorch takes it at 0), NaN kept."""
    xp = array_namespace(g)
    return xp.where(g > 0, 1.0, xp.where(g <= 0, 0.0, g))


def softmax(g):
    """e^{g_i}/Σ_k e^{g_k} of each row, its largest g subtracted so that no exponent is positive."""
    xp = array_namespace(g)
    e = xp.exp(g - xp.max(g, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def _rest(g):
    """Each row's g less its largest, e^{that}, and the other units' share Σ e of the rest.

    The row's Σ e is 1 (the largest g's own e; ties at the top count 1 each) plus that
    share, which a plain sum would round away where one f is near 1.
    """
    xp = array_namespace(g)
    shifted = g - xp.max(g, axis=-1, keepdims=True)
    e = xp.exp(shifted)
    largest = shifted == 0
    ties = xp.sum(xp.astype(largest, g.dtype), axis=-1, keepdims=True) - 1
    return shifted, e, xp.sum(xp.where(largest, 0.0, e), axis=-1, keepdims=True) + ties


def log_softmax(g):
    """log softmax(g) of each row: g less its largest, less log(1 + the others' share)."""
    xp = array_namespace(g)
    shifted, _, rest = _rest(g)
    return shifted - xp.log1p(rest)


def softmax_complement(g):
    """1 − softmax(g) of each row, precise where f is near 1: the others' share at the largest g."""
    xp = array_namespace(g)
    shifted, e, rest = _rest(g)
    largest = shifted == 0
    return xp.where(largest, rest, 1 + rest - e) / (1 + rest)
