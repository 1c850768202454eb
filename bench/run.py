"""Benchmarks: generated code against its peers, as ratios measured in one run.

Usage::

    python bench/run.py            # the full run, Markdown tables on stdout
    python bench/run.py --smoke    # everything once, quickly: checks the script runs

Four sections, each a table of medians and of ratios to a floor measured in
the same run:

1. tiny: one update of the seed (2-2-1, one sample) against a hand-written
   pure-Python update on floats (the floor), hand-written numpy, torch
   autograd and ``jax.jit(grad)``;
2. wide: one update of a 784-128-10 sigmoid network on a batch of 256, in
   float64 and float32, against the matrix products alone (the GEMM floor),
   hand-written numpy, torch and ``jax.jit``, all with the same thread count;
3. derivation: ``derive`` and code generation at depth 2, 4, 8, 16 (width 16),
   with the exponent of a power law fitted to the series, and the command
   line against ``import sympy, jinja2, numpy``;
4. memory: the peak extra memory of one wide update (tracemalloc), in
   float64 and float32, against the weights and the activations;
5. gpu: one update of a 4096-4096-4096-10 sigmoid network on a batch of
   4096, float32 and float64, where torch sees a CUDA GPU: the generated
   update on torch CUDA tensors and on CuPy arrays against torch autograd on
   the same GPU (and the products alone, in torch and in CuPy), and under
   ``jax.jit`` on the GPU against ``jax.jit(grad)`` there.

The machines are shared and noisy, so the cases are interleaved, round after
round and in a new order each round, every figure is a median over the rounds
and every ratio the median of the rounds' ratios.  Under the tiny and wide
tables a line gives how busy other processes kept the machine meanwhile:
OpenBLAS's products (the floor, numpy, the generated code) slow down far more
than XLA's when they do, so the wide ratios mean little then.  Nothing here is
asserted by the test suite, which runs ``--smoke``.  torch and jax are
optional (``pip install -e '.[bench]'``); a peer that is not installed is
reported as such.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# jax takes most of a GPU's memory when it starts unless told not to; the GPU
# section shares the card between torch, CuPy and jax.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np
import peers
from machine import Load, machine
from timing import Case, compare, compared, interleave, ratio, table

# Every peer computes with the cores this process may run on: torch is told so,
# OpenBLAS and XLA size their thread pools by them.  (XLA has no flag for its CPU
# thread count; TensorFlow's intra_op_parallelism_threads is not one.)
THREADS = peers.threads()

#: Seconds between two wide cases: OpenBLAS's idle threads spin for about a tenth of a
#: second after a product before they sleep, and torch's threads, started meanwhile,
#: would share the cores with them (torch measured 2-20x slower after 50 ms).
PAUSE = 0.25
WIDE_LAYERS = "784-128-10"
WIDE_BATCH = 256
GPU_LAYERS = "4096-4096-4096-10"
GPU_BATCH = 4096
DEPTHS = (2, 4, 8, 16)
WIDTH = 16

FLOOR = [sys.executable, "-c", "import sympy, jinja2, numpy"]
#: (name, command, target ratio to the import floor)
COMMANDS = [
    ("derive --latex (seed)", [sys.executable, "-m", "derive", "--latex"], 1.5),
    (
        "derive --latex --layers 8-16-16-4",
        [sys.executable, "-m", "derive", "--latex", "--layers", "8-16-16-4"],
        3.0,
    ),
]


def _peer(make, *args, **kwargs):
    """A peer's ``(update, args)``, or the reason it cannot run."""
    try:
        return make(*args, **kwargs), None
    except ImportError as error:
        return None, f"not installed ({error.name or error})"


def _load_generated(name: str, layers: str | None = None):
    """A committed generated module, or one rendered for the layers into a temporary file."""
    if layers is None:
        return importlib.import_module(f"generated.{name}")
    import tempfile

    from codegen import render, write
    from derive import Network

    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    write(render(Network.from_layers(layers), f"derive --layers {layers}", "bench"), path)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- 1. tiny ------------------------------------------------------------------------


def tiny(rounds: int, smoke: bool) -> dict[str, float]:
    xnor = _load_generated("xnor")
    weights, x, y = peers.seed_arrays()
    floor = Case("pure Python on floats (hand-written)", *peers.make_pure_python())
    generated = Case(
        "generated update (numpy in and out, validated)", xnor.update, (weights, x, y, 1.0), 3.0
    )
    cases = [floor, generated, Case("hand-written numpy", *peers.make_numpy())]
    missing = []
    for name, make in [("torch autograd", peers.make_torch), ("jax.jit(grad)", peers.make_jax)]:
        made, why = _peer(make)
        if made:
            cases.append(Case(name, *made))
        else:
            missing.append((name, why))
    with Load() as load:
        interleave(cases, rounds, 0.005, smoke)
    table(
        "1. Tiny: one update of the seed (2-2-1), one sample, float64",
        "µs",
        1e6,
        cases,
        floor,
        missing,
    )
    jitted = [c for c in cases if c.name == "jax.jit(grad)"]
    if jitted:
        print(compare(generated, jitted[0], 3.0, faster=True))
        print()
    print(load.line())
    print()
    return {c.name: ratio(c, floor) for c in cases}


# -- 2. wide ------------------------------------------------------------------------


def wide(rounds: int, smoke: bool) -> None:
    module = _load_generated("wide", WIDE_LAYERS)
    sizes = tuple(int(n) for n in WIDE_LAYERS.split("-"))
    for dtype in (np.float64, np.float32):
        weights, x, y = peers.wide_arrays(dtype, WIDE_BATCH, sizes)
        c = 1e-3
        floor = Case("GEMM floor (the products alone)", *peers.gemm_floor(weights, x))
        cases = [
            floor,
            Case("generated update", module.update, (weights, x, y, c)),
            Case("hand-written numpy", peers.numpy_batch_update, (weights, x, y, c)),
        ]
        missing = []
        for name, make, how in [
            ("torch autograd", peers.make_torch, ()),
            ("jax.jit(grad)", peers.make_jax, ()),
            ("generated update on torch tensors", peers.make_generated, (module, "torch")),
            ("jax.jit(generated update) on jax arrays", peers.make_generated_jax, (module,)),
        ]:
            made, why = _peer(make, *how, c=c, arrays=(weights, x, y))
            if made:
                cases.append(Case(name, *made))
            else:
                missing.append((name, why))
        with Load() as load:
            interleave(cases, rounds, 0.05, smoke, pause=PAUSE)
        name = np.dtype(dtype).name
        compared(
            f"2. Wide: one update of {WIDE_LAYERS} sigmoid, batch {WIDE_BATCH}, {name}, "
            f"{THREADS} threads",
            cases,
            floor,
            missing,
            [
                ("generated update", "hand-written numpy", 1.0),
                ("generated update", "torch autograd", 1.0),
                ("generated update", "jax.jit(grad)", 1.0),
                ("jax.jit(generated update) on jax arrays", "jax.jit(grad)", 1.05),
                ("generated update on torch tensors", "torch autograd", 1.0),
            ],
        )
        print(load.line())
        print()


# -- 3. derivation ------------------------------------------------------------------

_RENDER = """
import sys, time
start = time.perf_counter()
from codegen import render
from derive import Network
net = Network.from_layers(sys.argv[1])
imported = time.perf_counter()
render(net, "derive --layers " + sys.argv[1], "bench")
print(time.perf_counter() - imported)
"""


def derivation(rounds: int) -> None:
    times: dict[int, list[float]] = {depth: [] for depth in DEPTHS}
    commands: dict[str, list[float]] = {name: [] for name in ["floor", *(c[0] for c in COMMANDS)]}
    for _ in range(rounds):
        for depth in DEPTHS:
            layers = "-".join([str(WIDTH)] * (depth + 1))
            out = subprocess.run(
                [sys.executable, "-c", _RENDER, layers],
                cwd=ROOT, check=True, capture_output=True, text=True,
            )
            times[depth].append(float(out.stdout))
        for name, argv in [("floor", FLOOR), *((c[0], c[1]) for c in COMMANDS)]:
            start = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            commands[name].append(time.perf_counter() - start)
    medians = {depth: statistics.median(t) for depth, t in times.items()}
    xs = [math.log(d) for d in DEPTHS]
    ys = [math.log(medians[d]) for d in DEPTHS]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys)) / sum(
        (a - mean_x) ** 2 for a in xs
    )
    print(f"### 3. Derivation: derive + generation at width {WIDTH}, after the imports")
    print()
    print("| case | median (s) | ratio to depth 2 | target | holds |")
    print("|---|---:|---:|---|---|")
    for depth in DEPTHS:
        r = statistics.median(t / b for t, b in zip(times[depth], times[DEPTHS[0]]))
        print(f"| `depth {depth}` | {medians[depth]:.3f} | {r:.2f} | | |")
    print()
    holds = "yes" if slope <= 1.1 else "NO"
    print(f"fitted time ∝ depth^k: k = {slope:.2f} (target k <= 1, linear; holds: {holds})")
    print()
    print("| command | median (s) | ratio to import floor | target | holds |")
    print("|---|---:|---:|---|---|")
    print(f"| `import sympy, jinja2, numpy` | {statistics.median(commands['floor']):.3f} "
          "| 1.00 | floor | |")
    for name, _, target in COMMANDS:
        r = statistics.median(t / f for t, f in zip(commands[name], commands["floor"]))
        holds = "yes" if r <= target else "NO"
        print(f"| `{name}` | {statistics.median(commands[name]):.3f} | {r:.2f} "
              f"| <= {target:g}x | {holds} |")
    print()


# -- 4. memory ----------------------------------------------------------------------


def memory() -> None:
    module = _load_generated("wide", WIDE_LAYERS)
    sizes = tuple(int(n) for n in WIDE_LAYERS.split("-"))
    mib = 2**20
    print(f"### 4. Memory: peak extra of one {WIDE_LAYERS} update, batch {WIDE_BATCH}")
    print()
    print("| case | peak (MiB) | budget (MiB) | ratio to budget | holds |")
    print("|---|---:|---:|---:|---|")
    for dtype in (np.float64, np.float32):
        weights, x, y = peers.wide_arrays(dtype, WIDE_BATCH, sizes)
        weight_bytes = sum(w.nbytes for w in weights)
        activation_bytes = WIDE_BATCH * sum(sizes[1:]) * x.itemsize  # every layer's output
        budget = weight_bytes + 3 * activation_bytes
        module.update(weights, x, y, 1e-3)
        tracemalloc.start()
        try:
            module.update(weights, x, y, 1e-3)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        r = peak / budget
        print(f"| `update`, {np.dtype(dtype).name} | {peak / mib:.3f} | {budget / mib:.3f} | {r:.2f} "
              f"| {'yes' if r <= 1 else 'NO'} |")
    print()
    print("budget: the weights (the new ones the update returns) + 3 x the activations "
          "(every layer's output), in the update's dtype")
    print()


# -- 5. gpu -------------------------------------------------------------------------


def _gpu():
    """The GPU, described, or None where torch sees no CUDA device."""
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    if not torch.cuda.is_available():
        return None
    precision = torch.get_float32_matmul_precision()
    versions = [f"torch {torch.__version__} (CUDA {torch.version.cuda}, float32 products: {precision})"]
    for name in ("cupy", "jax"):
        if importlib.util.find_spec(name):
            versions.append(f"{name} {__import__(name).__version__}")
    return f"{torch.cuda.get_device_name()}; {', '.join(versions)}"


def gpu(rounds: int, smoke: bool) -> None:
    gpu = _gpu()
    if gpu is None and not smoke:
        print("### 5. GPU: not measured (torch sees no CUDA device)")
        print()
        return
    # Without a GPU the smoke run goes through the same cases on the CPU, small.
    layers, batch, device = (GPU_LAYERS, GPU_BATCH, "cuda") if gpu else ("16-16-16-4", 32, "cpu")
    print(f"GPU: {gpu or 'none (smoke run on the CPU)'}")
    print()
    if importlib.util.find_spec("jax"):
        # every library's float32 products in IEEE float32, as torch's and CuPy's are
        peers._jax().config.update("jax_default_matmul_precision", "highest")
    module = _load_generated("gpu", layers)
    sizes = tuple(int(n) for n in layers.split("-"))
    for dtype in (np.float32, np.float64):
        weights, x, y = peers.wide_arrays(dtype, batch, sizes)
        c, arrays = 1e-3, (weights, x, y)
        cases, missing = [], []
        for name, make, how in [
            ("products alone (torch)", peers.gemm_floor, (weights, x, "torch", device)),
            ("torch autograd", peers.make_torch, (c, arrays, device)),
            ("generated update on torch tensors", peers.make_generated,
             (module, "torch", c, arrays, device)),
            ("products alone (CuPy)", peers.gemm_floor, (weights, x, "cupy")),
            ("generated update on CuPy arrays", peers.make_generated, (module, "cupy", c, arrays)),
            ("jax.jit(grad)", peers.make_jax, (c, arrays, device)),
            ("jax.jit(generated update) on jax arrays", peers.make_generated_jax,
             (module, c, arrays, device)),
        ]:
            if "CuPy" in name and device == "cpu":  # CuPy needs a GPU
                missing.append((name, "no GPU"))
                continue
            try:
                cases.append(Case(name, *make(*how)))
            except ImportError as error:
                missing.append((name, f"not installed ({error.name or error})"))
            except Exception as error:  # noqa: BLE001 (a peer that fails is reported, the run goes on)
                missing.append((name, f"failed: {type(error).__name__}: {error}"))
        interleave(cases, rounds, 0.1, smoke)
        floor = cases[0] if cases else None  # none without torch: the table lists why
        compared(
            f"5. GPU: one update of {layers} sigmoid, batch {batch}, {np.dtype(dtype).name}, "
            f"on {device}",
            cases,
            floor,
            missing,
            [
                ("generated update on torch tensors", "torch autograd", 1.0),
                ("generated update on CuPy arrays", "torch autograd", 1.0),
                ("jax.jit(generated update) on jax arrays", "jax.jit(grad)", 1.05),
            ],
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="everything once, to check the script")
    parser.add_argument("--rounds", type=int, default=31, help="interleaved rounds per section")
    parser.add_argument(
        "--only", choices=["tiny", "wide", "derivation", "memory", "gpu"], action="append",
        help="run only these sections (repeatable)",
    )
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds
    sections = args.only or ["tiny", "wide", "derivation", "memory", "gpu"]
    print(f"machine: {machine(THREADS)}")
    print(f"figures: medians of {rounds} interleaved round(s); ratios are medians of per-round "
          "ratios" + (" (SMOKE RUN: one round, no meaning)" if args.smoke else ""))
    print()
    if "tiny" in sections:
        tiny(rounds, args.smoke)
    if "wide" in sections:
        wide(rounds, args.smoke)
    if "derivation" in sections:
        derivation(1 if args.smoke else max(3, rounds // 4))
    if "memory" in sections:
        memory()
    if "gpu" in sections:
        gpu(rounds, args.smoke)
    return 0


if __name__ == "__main__":
    sys.exit(main())
