"""Benchmark ``data``: the vectorized generators against the original article's loop.

Each generator makes the same number of steps (1,000,000 at full size); the table shows
the median of several runs of each, measured in one process, and the speedups over the
loop.
"""

import statistics
import time

import numpy as np

from rnnlib import config
from rnnlib.bench import Result
from rnnlib.data import echo


def original_loop(size):
    """The original article's generator, loop and all: the baseline."""
    X = np.array(np.random.choice(2, size=(size,)))
    Y = []
    for i in range(size):
        threshold = 0.5
        if X[i - 3] == 1:
            threshold += 0.5
        if X[i - 8] == 1:
            threshold -= 0.25
        if np.random.rand() > threshold:
            Y.append(0)
        else:
            Y.append(1)
    return X, np.array(Y)


def median_seconds(function, repeats) -> float:
    times = []
    for repeat in range(repeats):
        np.random.seed(repeat)
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> Result:
    size = config.sizes("bench.data")
    n = size.n
    seconds = {
        "original loop": median_seconds(lambda: original_loop(n), repeats=3),
        "generate_legacy": median_seconds(lambda: echo.generate_legacy(n), repeats=9),
        "generate": median_seconds(lambda: echo.generate(n, seed=0), repeats=9),
    }
    loop = seconds["original loop"]
    rows = [
        {
            "generator": name,
            "steps": n,
            "median seconds": value,
            "speedup vs loop": f"{loop / value:.1f}x",
        }
        for name, value in seconds.items()
    ]
    summary = {
        "steps": n,
        "loop_seconds": loop,
        "legacy_seconds": seconds["generate_legacy"],
        "generate_seconds": seconds["generate"],
        "speedup_vs_loop": loop / seconds["generate"],
        "legacy_speedup_vs_loop": loop / seconds["generate_legacy"],
        "size": size.name,
    }
    return Result(rows, summary)
