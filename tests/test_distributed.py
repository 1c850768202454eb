"""Past one machine: a gradient over 10⁵ rows chunked as a dask array, computed on a cluster."""

from __future__ import annotations

import numpy as np
import pytest

from generated import xnor

ROWS = 100_000


def test_gradients_on_a_local_cluster_of_two_processes_equal_numpy():
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (ROWS, 2))
    y = rng.uniform(0, 1, (ROWS, 1))
    weights = [rng.normal(size=(2, 3)), rng.normal(size=(1, 3))]
    expected = xnor.gradients(weights, x, y)
    chunks = (ROWS // 8, 2)
    x_rows, y_rows = da.from_array(x, chunks=chunks), da.from_array(y, chunks=(ROWS // 8, 1))
    lazy = xnor.gradients(weights, x_rows, y_rows)
    assert all(isinstance(g, da.Array) for g in lazy)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        got = client.compute(lazy, sync=True)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-11)


def test_the_sums_over_samples_are_tree_reductions():
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    x = da.ones((64, 2), chunks=(4, 2))
    (_, dW2) = xnor.gradients([np.ones((2, 3)), np.ones((1, 3))], x, da.zeros((64, 1), chunks=(4, 1)))
    # 16 row chunks summed pairwise-or-so, never all 16 in one task
    layers = dW2.__dask_graph__().layers
    assert any(name.startswith(("sum-aggregate", "sum-partial")) for name in layers)
    assert np.all(np.isfinite(dW2.compute()))
