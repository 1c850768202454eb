"""The array libraries the generated modules are tested on, each imported only when used.

A library that is not installed is skipped with its name (``pip install -e '.[backends]'``
installs them all; ``.ci/run`` does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest


@dataclass(frozen=True)
class Backend:
    """How to move numpy arrays into a library and back, and what its arrays are."""

    name: str
    module: str

    def load(self):
        library = pytest.importorskip(self.module, reason=f"{self.module} is not installed")
        if self.name == "jax":
            library.config.update("jax_enable_x64", True)  # float64 as in the other libraries
        return library

    def array(self, a: np.ndarray):
        """a (a numpy array) as an array of this library; dask chunks it by rows."""
        lib = self.load()
        if self.name == "numpy":
            return np.asarray(a)
        if self.name == "torch":
            return lib.asarray(a)
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
        if self.name == "torch":
            return a.numpy()
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
        if self.name == "torch":
            return isinstance(a, self.load().Tensor)
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
