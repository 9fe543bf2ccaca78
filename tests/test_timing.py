"""rnnlib.timing: interleaved repeats, median and range, a verdict without overlap."""

import itertools

import pytest

from rnnlib import timing


def fake_clock(durations):
    """A clock whose successive start/stop pairs measure the given durations."""
    ticks = itertools.accumulate(
        d for pair in ((0.0, d) for d in durations) for d in pair
    )
    return lambda: next(ticks)


def test_candidates_run_in_turn_after_a_warm_up():
    calls = []
    timing.interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=5
    )
    assert calls == ["a", "b"] + ["a", "b"] * 5


def test_median_and_range_of_the_samples():
    clock = fake_clock([1, 10, 2, 20, 3, 30, 4, 40, 5, 50])
    result = timing.interleaved(
        {"a": lambda: None, "b": lambda: None}, repeats=5, warmup=False, clock=clock
    )
    assert result["a"].samples == (1, 2, 3, 4, 5)
    assert (result["b"].median, result["b"].low, result["b"].high) == (30, 10, 50)
    assert result["b"].as_dict(per=10) == {"median": 3, "min": 1, "max": 5}
    assert timing.speedup(result["a"], result["b"]) == 10


@pytest.mark.parametrize(
    "a, b, word",
    [
        ((1, 2, 3, 4, 5), (6, 7, 8, 9, 10), "faster"),
        ((6, 7, 8, 9, 10), (1, 2, 3, 4, 5), "slower"),
        ((1, 2, 3, 4, 7), (6, 7, 8, 9, 10), timing.NO_CLEAR_DIFFERENCE),
        ((1, 1, 1, 1, 1), (1, 1, 1, 1, 1), timing.NO_CLEAR_DIFFERENCE),
    ],
)
def test_a_verdict_only_where_the_ranges_do_not_overlap(a, b, word):
    assert timing.verdict(timing.Timing(a), timing.Timing(b)) == word


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"repeats": 4}, ValueError, "repeats must be at least 5"),
        ({"repeats": 5.0}, TypeError, "repeats must be an int"),
        ({"candidates": {}}, ValueError, "at least one"),
        ({"candidates": {"a": 3}}, TypeError, r"candidates\['a'\] must be callable"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs, error, match):
    arguments = {"candidates": {"a": lambda: None}, "repeats": 5, **kwargs}
    with pytest.raises(error, match=match):
        timing.interleaved(**arguments)


def test_the_openmp_note_says_how_threads_waited(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("RNNLIB_PAGES_AT_ONCE", raising=False)
    assert timing.openmp_wait_note() == "This page ran with OpenMP's default waiting."
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")  # what share_cores sets
    assert "the setting the book's build and tests use" in timing.openmp_wait_note()
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert timing.openmp_wait_note() == "This page ran with OMP_WAIT_POLICY=ACTIVE."
    monkeypatch.setenv("RNNLIB_PAGES_AT_ONCE", "2")
    assert timing.openmp_wait_note().endswith(
        "ACTIVE, while up to 2 pages or tests ran at a time."
    )


def test_a_saved_range_compares_as_its_samples_would():
    saved = timing.Timing.of_range(median=2.0, low=1.5, high=2.5)
    assert (saved.median, saved.low, saved.high) == (2.0, 1.5, 2.5)
    assert timing.verdict(saved, timing.Timing((3.0, 3.1, 3.2))) == "faster"
    assert timing.speedup(saved, timing.Timing((4.0,))) == 2.0
    with pytest.raises(ValueError, match="need low <= median <= high"):
        timing.Timing.of_range(median=3.0, low=1.5, high=2.5)


def test_the_runtime_note_names_what_the_install_ships(tmp_path):
    (tmp_path / "libbackend_with_compiler.so").touch()  # "omp" inside a word
    assert "ships no libgomp in torch/lib:" in timing.openmp_runtime_note(tmp_path)
    (tmp_path / "libomp.dylib").touch()  # LLVM's, as on macOS
    assert "torch/lib (libomp.dylib):" in timing.openmp_runtime_note(tmp_path)
    (tmp_path / "libgomp.so.1").touch()
    assert timing.openmp_runtime_note(tmp_path) == (
        "The PyTorch installed here ships GNU's OpenMP runtime, libgomp "
        "(torch/lib/libgomp.so.1)."
    )
