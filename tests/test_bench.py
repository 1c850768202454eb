"""The benchmark script runs: one section, the tiny one, in smoke mode (one round, no assertion on time)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def smoke() -> str:
    """What ``bench/run.py --smoke --only tiny`` prints (one run for every test here)."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--only", "tiny"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return run.stdout


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
