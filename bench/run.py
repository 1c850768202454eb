"""Benchmarks: times as ratios against a baseline measured in the same run.

Usage::

    python bench/run.py            # the full run, a Markdown table on stdout
    python bench/run.py --smoke    # one repeat of everything: checks the script runs

The machines are shared and noisy, so every figure is a median over repeats,
the measured commands are interleaved with their baseline, and only ratios
are compared with targets.  Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = [sys.executable, "-c", "import sympy, jinja2, numpy"]

#: (name, command, baseline name, target ratio)
COMMANDS = [
    ("import sympy, jinja2, numpy", FLOOR, None, None),
    ("derive --latex (seed)", [sys.executable, "-m", "derive", "--latex"], "floor", 1.5),
    (
        "derive --latex --layers 8-16-16-4",
        [sys.executable, "-m", "derive", "--latex", "--layers", "8-16-16-4"],
        "floor",
        3.0,
    ),
]


def time_commands(repeat: int) -> dict[str, list[float]]:
    """Wall time of each command, interleaved so that load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name, *_ in COMMANDS}
    for _ in range(repeat):
        for name, argv, *_ in COMMANDS:
            start = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one repeat, to check the script")
    parser.add_argument("--repeat", type=int, default=15, help="repeats per command")
    args = parser.parse_args(argv)
    repeat = 1 if args.smoke else args.repeat

    times = time_commands(repeat)
    floor = statistics.median(times[COMMANDS[0][0]])
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {_cores()} cores; median of {repeat} runs")
    print()
    print("| command | median (s) | ratio to import floor | target | holds |")
    print("|---|---:|---:|---:|---|")
    for name, _, base, target in COMMANDS:
        median = statistics.median(times[name])
        ratio = median / floor
        goal = f"<= {target}x" if target else "baseline"
        holds = "" if target is None else ("yes" if ratio <= target else "NO")
        print(f"| `{name}` | {median:.3f} | {ratio:.2f} | {goal} | {holds} |")
    return 0


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
