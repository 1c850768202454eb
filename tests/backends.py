"""The array libraries the generated modules are tested on, each imported only when used.

A library that is not installed is skipped with its name (``pip install -e '.[backends]'``
installs them all; ``.ci/run`` does).  With ``DERIVE_TEST_GPU=1`` the list also holds
torch on CUDA and CuPy, for a machine with a GPU; without it they are not listed, so a
machine without one skips nothing for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest


@dataclass(frozen=True)
class Backend:
    """How to move numpy arrays into a library and back, and what its arrays are."""

    name: str
    module: str
    device: str = "cpu"  # torch's device for its arrays

    def load(self):
        library = pytest.importorskip(self.module, reason=f"{self.module} is not installed")
        if self.device == "cuda" and not library.cuda.is_available():
            pytest.fail("DERIVE_TEST_GPU is set, but torch sees no CUDA device")
        if self.name == "jax":
            library.config.update("jax_enable_x64", True)  # float64 as in the other libraries
        return library

    def array(self, a: np.ndarray):
        """a (a numpy array) as an array of this library; dask chunks it by rows."""
        lib = self.load()
        if self.name == "numpy":
            return np.asarray(a)
        if self.module == "torch":
            return lib.asarray(a, device=self.device)
        if self.name == "jax":
            import jax.numpy as jnp

            return jnp.asarray(a)
        if self.name == "dask":
            import dask.array as da

            return da.from_array(a, chunks=(max(1, len(a) // 2),) + a.shape[1:]) if a.ndim else da.asarray(a)
        return lib.asarray(a)

    def numpy(self, a) -> np.ndarray:
        """An array of this library as numpy (dask arrays computed)."""
        if self.name == "dask":
            a = a.compute()
        if self.module == "torch":
            return a.cpu().numpy()
        if self.name == "cupy":
            return a.get()
        return np.asarray(a)

    def owns(self, a) -> bool:
        """Whether a is an array of this library."""
        from array_api_compat import is_array_api_obj

        if self.name == "numpy":
            return isinstance(a, (np.ndarray, np.generic))
        if self.name == "dask":
            import dask.array as da

            return isinstance(a, da.Array)
        if self.name == "jax":
            import jax

            return isinstance(a, jax.Array)
        if self.module == "torch":
            return isinstance(a, self.load().Tensor) and a.device.type == self.device
        if self.name == "cupy":
            return isinstance(a, self.load().ndarray)
        return is_array_api_obj(a) and type(a).__module__.startswith("array_api_strict")

    def dtype(self, a) -> np.dtype:
        return self.numpy(a).dtype


BACKENDS = [
    Backend("numpy", "numpy"),
    Backend("array_api_strict", "array_api_strict"),
    Backend("torch", "torch"),
    Backend("jax", "jax"),
    Backend("dask", "dask"),
]
if os.environ.get("DERIVE_TEST_GPU") == "1":
    BACKENDS += [Backend("torch-cuda", "torch", "cuda"), Backend("cupy", "cupy")]
