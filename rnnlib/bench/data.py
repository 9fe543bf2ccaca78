"""Benchmark ``data``: the vectorized generators against the original article's loop.

Each generator makes the same number of steps (1,000,000 at full size), timed by the
book's protocol (``rnnlib.timing``): the three take turns, five times each after one
untimed call; the table shows each one's median and range, and the speedups over the
loop (ratios of medians) with their verdicts ("faster" only where the ranges do not
overlap).
"""

import numpy as np

from rnnlib import config, timing
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


def seeded(function, seed=0):
    """``function`` after seeding NumPy's global generator, which the loop and
    ``generate_legacy`` draw from: every call makes the same sequence."""

    def call():
        np.random.seed(seed)
        return function()

    return call


def run() -> Result:
    size = config.sizes("bench.data")
    n = size.n
    timed = timing.interleaved(
        {
            "original loop": seeded(lambda: original_loop(n)),
            "generate_legacy": seeded(lambda: echo.generate_legacy(n)),
            "generate": lambda: echo.generate(n, seed=0),
        },
        repeats=timing.MIN_REPEATS,
    )
    loop = timed["original loop"]
    rows = [
        {
            "generator": name,
            "steps": n,
            "median seconds": t.median,
            "min to max": f"{t.low:.4f} to {t.high:.4f}",
            "speedup vs loop": f"{timing.speedup(t, loop):.1f}x",
        }
        for name, t in timed.items()
    ]
    summary = {"steps": n}
    for key, name in (
        ("loop", "original loop"),
        ("legacy", "generate_legacy"),
        ("generate", "generate"),
    ):
        t = timed[name]
        summary |= {
            f"{key}_seconds": t.median,
            f"{key}_seconds_min": t.low,
            f"{key}_seconds_max": t.high,
        }
    for key, name in (
        ("speedup_vs_loop", "generate"),
        ("legacy_speedup_vs_loop", "generate_legacy"),
    ):
        summary[key] = timing.speedup(timed[name], loop)
        summary[f"{key}_verdict"] = timing.verdict(timed[name], loop).replace(" ", "_")
    summary |= {"repeats": timing.MIN_REPEATS, "size": size.name}
    return Result(rows, summary)
