"""Timing two or more ways of doing the same thing, honestly, on a busy machine.

The book's protocol for every speed comparison (its pages and ``rnnlib.bench``):

- **Interleaved repeats.** Run the candidates in turn, A B C A B C ..., at least five
  times each, after one untimed warm-up call each, so that a slow minute on a shared
  machine slows every candidate rather than one.
- **Median and range.** Report each candidate's median, minimum and maximum
  (``Timing``), never a single run.
- **A verdict only where the ranges do not overlap.** ``verdict(a, b)`` says "faster"
  or "slower" only when one candidate's slowest run beats the other's fastest; where
  the ranges overlap it says there is no clear difference. Pages glue the verdict
  word itself, so the prose cannot say "faster" when the numbers do not.
"""

import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rnnlib import _env

MIN_REPEATS = 5
NO_CLEAR_DIFFERENCE = "no clear difference"


@dataclass(frozen=True)
class Timing:
    """Seconds per call of one candidate over interleaved repeats."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    @classmethod
    def of_range(cls, median: float, low: float, high: float) -> "Timing":
        """A saved median and range (a benchmark's record) as a Timing, for ``verdict``
        and ``speedup``: its median, low and high are the ones given."""
        if not low <= median <= high:
            raise ValueError(
                f"need low <= median <= high, got {low!r}, {median!r}, {high!r}"
            )
        return cls((low, median, high))

    def as_dict(self, per: float = 1.0) -> dict[str, float]:
        """median, min and max, each divided by ``per`` (say, steps per call)."""
        return {
            "median": self.median / per,
            "min": self.low / per,
            "max": self.high / per,
        }


def _check_repeats(repeats) -> int:
    if isinstance(repeats, bool) or not isinstance(repeats, int):
        raise TypeError(f"repeats must be an int, got {type(repeats).__name__}")
    if repeats < MIN_REPEATS:
        raise ValueError(
            f"repeats must be at least {MIN_REPEATS} (the book's protocol), "
            f"got {repeats}"
        )
    return repeats


def interleaved(
    candidates: Mapping[str, Callable[[], object]],
    repeats: int = MIN_REPEATS,
    warmup: bool = True,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Timing]:
    """Time each zero-argument callable ``repeats`` times, in turn: A B A B ...

    One untimed call of each comes first (``warmup``): compiling, tracing and caches
    are paid there, not in the first sample.
    """
    _check_repeats(repeats)
    if not candidates:
        raise ValueError("candidates must name at least one callable, got none")
    for name, function in candidates.items():
        if not callable(function):
            raise TypeError(f"candidates[{name!r}] must be callable")
    if warmup:
        for function in candidates.values():
            function()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, function in candidates.items():
            start = clock()
            function()
            samples[name].append(clock() - start)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def verdict(a: Timing, b: Timing) -> str:
    """How ``a`` compares with ``b`` in time taken: "faster" when a's slowest run beat
    b's fastest, "slower" the other way round, else ``NO_CLEAR_DIFFERENCE``."""
    if a.high < b.low:
        return "faster"
    if a.low > b.high:
        return "slower"
    return NO_CLEAR_DIFFERENCE


def speedup(a: Timing, b: Timing) -> float:
    """How many times faster ``a`` is than ``b``, median against median."""
    return b.median / a.median


def openmp_wait_note() -> str:
    """How this process's OpenMP threads waited, and how many pages ran at once, as a
    sentence for a page that times PyTorch's threads (OMP_WAIT_POLICY is read when
    OpenMP starts; ``rnnlib.bench mnist`` times both ways). The book's build and tests
    set ``_env.PAGES_AT_ONCE_ENV``."""
    policy = os.environ.get("OMP_WAIT_POLICY")
    if policy is None:
        note = "This page ran with OpenMP's default waiting"
    else:
        note = f"This page ran with OMP_WAIT_POLICY={policy}"
    if policy and policy.upper() == _env.SHARED_CORES_ENV["OMP_WAIT_POLICY"]:
        note += (
            ", the setting the book's build and tests use so that a waiting thread "
            "does not hold a core that another page or test needs"
        )
    at_once = os.environ.get(_env.PAGES_AT_ONCE_ENV, "1")
    if at_once.isdigit() and int(at_once) > 1:
        note += f", while up to {at_once} pages or tests ran at a time"
    return note + "."


def openmp_runtime_note(lib_dir) -> str:
    """Which OpenMP runtime a PyTorch install ships in ``lib_dir`` (``torch/lib``), as a
    sentence: GNU's libgomp, whose defaults the book describes, or another."""
    names = sorted(
        path.name
        for path in Path(lib_dir).iterdir()
        if path.name.startswith(("libgomp", "libomp", "libiomp"))
    )
    if names and names[0].startswith("libgomp"):
        return (
            "The PyTorch installed here ships GNU's OpenMP runtime, libgomp "
            f"(torch/lib/{names[0]})."
        )
    found = f" ({', '.join(names)})" if names else ""
    return (
        f"The PyTorch installed here ships no libgomp in torch/lib{found}: its OpenMP "
        "runtime may be another, whose details differ from GNU's described here."
    )
