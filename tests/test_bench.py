"""The benchmark script runs (smoke mode: one repeat, no assertion on time)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_prints_every_ratio():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [line for line in run.stdout.splitlines() if line.startswith("| `")]
    assert len(rows) >= 3
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert re.fullmatch(r"\d+\.\d{3}", cells[1]), row  # a median in seconds
        assert float(cells[2]) > 0, row  # a ratio to the baseline
