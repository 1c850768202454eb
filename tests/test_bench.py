"""The benchmark script runs: the tiny and GPU sections in smoke mode (one round, no assertion on time)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_smoke(section: str) -> str:
    """What ``bench/run.py --smoke --only <section>`` prints."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--only", section],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return run.stdout


@pytest.fixture(scope="module")
def smoke() -> str:
    """What the tiny section prints (one run for every test of it here)."""
    return run_smoke("tiny")


def test_benchmark_smoke_prints_every_ratio(smoke):
    rows = [line for line in smoke.splitlines() if line.startswith("| `")]
    assert len(rows) >= 3
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert re.fullmatch(r"\d+\.\d{3}", cells[1]), row  # a median in seconds
        assert float(cells[2]) > 0, row  # a ratio to the baseline


def test_benchmark_smoke_runs_the_tiny_section_and_its_peers(smoke):
    out = smoke
    assert out.startswith("machine: ")
    assert "### 1. Tiny" in out and "### 2. Wide" not in out
    for case in ("pure Python on floats", "generated update", "hand-written numpy"):
        assert case in out, case
    assert out.count("load from other processes") == 1
    for peer in ("torch autograd", "jax.jit(grad)"):
        # measured, or said to be missing: never left out
        assert re.search(rf"\| `?{re.escape(peer)}`? \| (\d+\.\d{{3}} \| \d|not installed)", out), peer


def test_the_gpu_section_runs_every_case_with_or_without_a_gpu():
    """``--smoke --only gpu`` goes through every case: on the GPU, or small on the CPU."""
    out = run_smoke("gpu")
    on_cpu = "GPU: none (smoke run on the CPU)" in out
    title = "16-16-16-4 sigmoid, batch 32" if on_cpu else "4096-4096-4096-10 sigmoid, batch 4096"
    for dtype in ("float32", "float64"):
        assert f"### 5. GPU: one update of {title}, {dtype}, on {'cpu' if on_cpu else 'cuda'}" in out
    measured = r"\d+\.\d{3} \| \d"
    for case in ("products alone (torch)", "torch autograd", "generated update on torch tensors",
                 "jax.jit(grad)", "jax.jit(generated update) on jax arrays",
                 "products alone (CuPy)", "generated update on CuPy arrays"):
        # measured, or said to be missing and why: never left out
        why = "no GPU|not installed" if on_cpu else "not installed"
        rows = re.findall(rf"\| `?{re.escape(case)}`? \| ({measured}|{why})", out)
        assert len(rows) == 2, case
