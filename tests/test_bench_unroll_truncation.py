"""The unroll and truncation benchmarks (rnnlib.bench.unroll, rnnlib.bench.truncation):
their rows follow the timing protocol, their verdicts use its words, and the seed
verdict says "lower" or "higher" only where the seeds' ranges do not overlap."""

import math

import rnnlib.tf  # noqa: F401  (first: TensorFlow's quiet environment)

import pytest

from rnnlib import timing
from rnnlib.bench import truncation as truncation_bench
from rnnlib.bench import unroll
from rnnlib.data import echo

VERDICTS = {"faster", "slower", timing.NO_CLEAR_DIFFERENCE}


def test_unroll_rows_carry_median_and_range_and_verdicts():
    rows, verdicts = unroll.tensorflow_rows([3], repeats=5)
    styles = {row["style"] for row in rows}
    assert styles == {
        "tf_static",
        "tf_dynamic",
        "tf_static_xla",
        "tf_dynamic_xla",
        "keras_unrolled",
        "keras_loop",
    }
    for row in rows:
        assert row["min ms"] <= row["ms per step"] <= row["max ms"]
        assert row["first call s"] > 0
    assert set(verdicts.values()) <= VERDICTS
    assert "tf_static_vs_dynamic_3" in verdicts
    torch_rows, torch_verdicts = unroll.torch_rows([3], [], repeats=5)
    assert {row["style"] for row in torch_rows} == {"torch_eager", "torch_fused"}
    assert set(torch_verdicts) == {"torch_fused_vs_eager_3"}


def test_crossover_needs_faster_steps():
    static = {"ms per step": 1.0, "min ms": 0.9, "max ms": 1.2, "first call s": 3.0}
    dynamic = {"ms per step": 2.0, "min ms": 1.8, "max ms": 2.5, "first call s": 1.0}
    assert unroll.crossover(static, dynamic) == pytest.approx(2000)  # 2 s / 1 ms
    assert math.isinf(unroll.crossover(dynamic, static))
    # a lower median is not enough: the ranges overlap, no clear difference
    overlapping = dynamic | {"min ms": 1.1}
    assert math.isinf(unroll.crossover(static, overlapping))


def test_seed_verdict_needs_separate_ranges_and_two_seeds():
    assert truncation_bench.seed_verdict([1, 2, 3], [4, 5, 6]) == "lower"
    assert truncation_bench.seed_verdict([7, 8], [4, 5, 6]) == "higher"
    assert truncation_bench.seed_verdict([1, 5], [4, 6]) == timing.NO_CLEAR_DIFFERENCE
    assert truncation_bench.seed_verdict([1], [4]) == timing.NO_CLEAR_DIFFERENCE


def test_one_update_of_each_style_is_timed():
    data = echo.generate(20_000, seed=1)
    timings = truncation_bench.update_timings(4, data, repeats=5)
    assert set(timings) == {"tf", "true", "2n"}
    assert all(len(t.samples) == 5 for t in timings.values())


def test_smallest_learning_reads_every_seed():
    rows = [
        {"style": "tf", "n": n, "budget": "equal data", "share of t-8": share}
        for n, shares in [(4, (0.2, 0.9)), (6, (0.6, 0.7)), (8, (0.4, 0.9))]
        for share in shares
    ]
    assert truncation_bench.smallest_learning(rows, "tf", [4, 6, 8]) == 6
    assert truncation_bench.smallest_learning(rows, "tf", [4]) == "none"
