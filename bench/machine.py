"""The machine a benchmark ran on, and how busy other processes kept it."""

from __future__ import annotations

import importlib.util
import os
import platform
import time
from pathlib import Path

import numpy as np


class Load:
    """How busy other processes kept the machine while a section ran, from /proc/stat.

    OpenBLAS's threads split a product evenly and wait for each other, so a
    core taken by another process slows its products far more than XLA's
    work-stealing pool; a section's ratios mean little when this is high.
    """

    def __enter__(self):
        self.start = self._now()
        return self

    def __exit__(self, *exc):
        self.end = self._now()

    @staticmethod
    def _now():
        try:
            ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # not idle, iowait
        own = os.times()
        return time.perf_counter(), busy, own.user + own.system

    def line(self) -> str:
        if self.start is None or self.end is None:
            return "load from other processes: unknown (no /proc/stat)"
        wall, busy, own = (b - a for a, b in zip(self.start, self.end))
        if wall < 0.5:
            return "load from other processes: the section was too short to tell"
        others = min(1.0, max(0.0, (busy - own) / (wall * (os.cpu_count() or 1))))
        return f"load from other processes during this section: {others:.0%} of the machine's CPU"


def machine(threads: int) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = "BLAS unknown"
    if importlib.util.find_spec("threadpoolctl"):
        from threadpoolctl import threadpool_info

        blas = "; ".join(
            f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')} kernel, "
            f"{i['num_threads']} threads)"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        ) or blas
    versions = [f"numpy {np.__version__}"]
    for name in ("torch", "jax"):
        if importlib.util.find_spec(name):
            versions.append(f"{name} {__import__(name).__version__}")
        else:
            versions.append(f"{name} not installed")
    return (
        f"{cpu}, {threads} cores; {platform.python_implementation()} "
        f"{platform.python_version()}; {', '.join(versions)}; {blas}; "
        f"torch set to {threads} threads, XLA on the {threads} cores"
    )
