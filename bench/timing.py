"""Timing and its tables: cases interleaved round after round, and ratios of per-round times.

The machines are shared and noisy, so every case runs once per round, in a
new order each round, every figure is a median over the rounds and every
ratio the median of the rounds' ratios.
"""

from __future__ import annotations

import random
import statistics
import time


class Case:
    """One timed callable: ``function(*args)``, called ``number`` times per round."""

    def __init__(self, name: str, function, args, target: float | None = None, note: str = ""):
        self.name, self.function, self.args = name, function, args
        self.target, self.note = target, note
        self.number = 1
        self.times: list[float] = []

    def calibrate(self, seconds: float) -> None:
        """Enough calls per round to fill ``seconds``, timed by the fastest of three calls.

        The first call after a pause can be many times slower (threads asleep,
        caches cold); one slow call must not leave a case one call a round.
        """
        times = []
        for _ in range(3):
            start = time.perf_counter()
            self.function(*self.args)
            times.append(time.perf_counter() - start)
        self.number = max(1, min(100_000, int(seconds / max(min(times), 1e-7))))

    def run(self) -> None:
        function, args = self.function, self.args
        start = time.perf_counter()
        for _ in range(self.number):
            function(*args)
        self.times.append((time.perf_counter() - start) / self.number)


def interleave(
    cases: list[Case], rounds: int, seconds: float, smoke: bool, pause: float = 0.0
) -> None:
    """Every case once per round, so that load on the machine hits all alike.

    Each round takes the cases in a new order (the same orders in every run):
    in a fixed order each case would always follow the same one, and what that
    one leaves behind (its library's threads, the allocator's free memory, the
    caches) would weigh on it alone, round after round.  A ``pause`` before
    each case lets the previous library's worker threads (OpenBLAS, torch's
    OpenMP, XLA's pool), which spin for a while after their work, go idle
    instead of competing with the next case for the cores.
    """
    pause = 0 if smoke else pause
    for case in cases:
        if not smoke:
            case.calibrate(seconds)
    orders = random.Random(0)
    for _ in range(rounds):
        for case in orders.sample(cases, len(cases)):
            time.sleep(pause)
            case.run()


def ratio(case: Case, floor: Case) -> float:
    """The median over the rounds of the case's time over the floor's in the same round."""
    return statistics.median(t / f for t, f in zip(case.times, floor.times))


def compare(case: Case, other: Case, target: float, faster: bool = False) -> str:
    """A line: case's time over other's (or other's over case's, ``faster``) against a target."""
    r = ratio(other, case) if faster else ratio(case, other)
    holds = r >= target if faster else r <= target
    sign = ">=" if faster else "<="
    what = f"`{other.name}` / `{case.name}`" if faster else f"`{case.name}` / `{other.name}`"
    # enough digits to tell the ratio from its target
    shown = f"{r:.2f}" if f"{r:.2f}" != f"{target:.2f}" else f"{r:.4f}"
    return f"{what}: {shown} (target {sign} {target:g}; holds: {'yes' if holds else 'NO'})"


def table(
    title: str, unit: str, scale: float, cases: list[Case], floor: Case | None, missing
) -> None:
    print(f"### {title}")
    print()
    print(f"| case | median ({unit}) | ratio to floor | target | holds |")
    print("|---|---:|---:|---|---|")
    for case in cases:
        r = ratio(case, floor)
        if case is floor:
            goal, holds = "floor", ""
        elif case.target is None:
            goal, holds = "", ""
        else:
            goal, holds = f"<= {case.target:g}x", "yes" if r <= case.target else "NO"
        note = f" {case.note}" if case.note else ""
        print(
            f"| `{case.name}`{note} | {statistics.median(case.times) * scale:.3f} | {r:.2f} "
            f"| {goal} | {holds} |"
        )
    for name, why in missing:
        print(f"| {name} | {why} | | | |")
    print()


def compared(title: str, cases: list[Case], floor: Case | None, missing, targets) -> None:
    """A table in ms, then each ``(case, other, target)`` ratio whose two cases both ran."""
    table(title, "ms", 1e3, cases, floor, missing)
    by_name = {case.name: case for case in cases}
    for case, other, target in targets:
        if case in by_name and other in by_name:
            print(f"* {compare(by_name[case], by_name[other], target)}")
    print()
