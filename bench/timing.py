"""Measuring side by side: interleaved repetitions, medians, retained memory, cold imports.

Implementations alternate within every repetition, and the order rotates from one repetition to the next,
so that drift (CPU frequency, a noisy neighbour, a growing heap) hits all of them alike. Before each
measurement the garbage collector runs (untimed) and stays enabled while timing: collecting what a run
allocates is part of its cost. A callable that finishes in under a millisecond is called several times per
measurement and the mean of those calls is the sample.
"""

from __future__ import annotations

import gc
import math
import statistics
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

MIN_SAMPLE = 0.010  # seconds: shorter calls are repeated within one measurement


@dataclass
class Samples:
    """Seconds per call, one sample per repetition."""

    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def spread(self) -> float:
        """Half the inter-quartile range, relative to the median (a noise indicator)."""
        if len(self.times) < 4:
            return 0.0
        q = statistics.quantiles(self.times, n=4)
        return (q[2] - q[0]) / 2 / self.median


def interleaved(makers: dict[str, Callable[[], Callable[[], Any]]], reps: int, *, fresh: bool,
                warmup: int = 1) -> tuple[dict[str, Samples], dict[str, Any]]:
    """Time each implementation `reps` times, alternating them. Returns the samples and each one's last
    result. `fresh`: call the maker before every measurement (untimed); otherwise reuse its callable.
    `warmup=0` (only with `fresh`): no untimed first call, for runs too long to do twice."""
    names = list(makers)
    ready = {name: makers[name]() for name in names}
    results: dict[str, Any] = {}
    number = {}
    for name in names:
        for _ in range(warmup):
            start = perf_counter()
            results[name] = ready[name]()
            took = perf_counter() - start
        number[name] = 1 if fresh else max(1, math.ceil(MIN_SAMPLE / max(took, 1e-7)))
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            fn = makers[name]() if fresh else ready[name]
            n = number[name]
            gc.collect()
            start = perf_counter()
            for _ in range(n):
                out = fn()
            times[name].append((perf_counter() - start) / n)
            results[name] = out
    return {name: Samples(t) for name, t in times.items()}, results


def retained(run: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes still allocated after `run()` returns, with what it returned kept alive (so that what it
    built is counted; the caller drops it). Measured with tracemalloc from a collected heap."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = run()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, kept


IMPORT_SCRIPT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
BARE_SCRIPT = "print(0.0)"


def cold_imports(modules: dict[str, str | None], reps: int) -> dict[str, dict[str, Samples]]:
    """Each module imported in fresh interpreters (alternating), two ways: `import` is the time of the
    import statement measured inside the child (interpreter start-up left out); `process` is the wall time
    of the whole `python -c "import ..."`, as seen by the parent. A module of None runs no import (the bare
    interpreter, to subtract from `process`)."""
    names = list(modules)
    times: dict[str, dict[str, list[float]]] = {name: {"import": [], "process": []} for name in names}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            module = modules[name]
            script = BARE_SCRIPT if module is None else IMPORT_SCRIPT.format(module=module)
            start = perf_counter()
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
            times[name]["process"].append(perf_counter() - start)
            times[name]["import"].append(float(out.stdout.strip().splitlines()[-1]))
    return {name: {how: Samples(t) for how, t in kinds.items()} for name, kinds in times.items()}
