"""The capstone's benchmarks print their keys; the probes find what is there and
nothing that is not."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnlib import probing
from rnnlib.data import echo
from rnnlib.numpy import cell
from rnnlib.numpy.probe import (
    block_interval,
    fit_linear,
    fit_logistic,
    logistic_accuracy,
    r_squared,
    unit_correlations,
)

ROOT = Path(__file__).resolve().parents[1]


def data_root() -> str | None:
    """A folder holding tinyshakespeare/: $RNNLIB_DATA, else shared/data beside us."""
    candidates = [os.environ.get("RNNLIB_DATA", "")]
    candidates += [str(up / "shared" / "data") for up in ROOT.parents[:2]]
    for candidate in candidates:
        if candidate and (Path(candidate) / "tinyshakespeare" / "input.txt").is_file():
            return candidate
    return None


def run_bench(name, **env):
    env = {**os.environ, "RNNLIB_QUICK": "1", "RNNLIB_PROGRESS": "0", **env}
    result = subprocess.run(
        [sys.executable, "-m", "rnnlib.bench", name],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    return dict(item.split("=", 1) for item in last.split())


@pytest.mark.skipif(data_root() is None, reason="no offline Tiny Shakespeare copy")
def test_text_benchmark_prints_its_keys():
    pairs = run_bench("text", RNNLIB_DATA=data_root())
    keys = [
        "ngram_best_val_nats",
        "ngram_best_order",
        "tf_val_nats",
        "torch_val_nats",
        "tf_val_nats_max",
        "torch_val_nats_max",
        "tf_train_seconds",
        "torch_train_seconds",
        "copied_val_diff",
    ]
    assert list(pairs)[: len(keys)] == keys
    assert pairs["size"] == "quick" and pairs["seeds"] == "1"
    assert float(pairs["copied_val_diff"]) < 1e-4  # the same weights, the same loss
    assert 0 < int(pairs["ngram_best_order"]) < 6
    assert pairs["tf_val_nats"] == pairs["tf_val_nats_max"]  # one seed


def test_saved_text_record_was_made_with_todays_settings():
    """results/text.json, which chapter 14 reports, holds the settings it ran with, and
    they are the ones the benchmark runs at full size now: change the benchmark and
    this fails until it is run again with --save."""
    import json

    from rnnlib import config
    from rnnlib.bench import text
    from rnnlib.numpy import charlstm

    summary = json.loads((ROOT / "results" / "text.json").read_text())["summary"]
    size = config.sizes("bench.text", quick=False)
    expected = {
        "size": "full",
        "train_steps": size.train_steps,
        "state_size": size.state_size,
        "seeds": size.num_seeds,
        "threads": size.threads,
        **text.SETTINGS,
        "embedding_init": charlstm.EMBEDDING_INIT,
    }
    assert {key: summary.get(key) for key in expected} == expected


def test_probe_benchmark_prints_its_keys():
    pairs = run_bench("probe")
    for lag in (3, 8):
        for num_steps in (1, 5, 10):
            value = float(pairs[f"probe_acc_lag{lag}_ns{num_steps}"])
            assert 0.3 < value <= 1.0
    assert pairs["size"] == "quick" and pairs["seeds"] == "2"


def test_probe_reads_what_is_there_and_not_what_is_not():
    """A state that is X(t-3) itself is read perfectly at lag 3 and at chance at lag 8;
    shuffled labels are read at chance."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, 20_000)
    states = np.stack([np.roll(x, 3), rng.normal(size=len(x))], axis=1)[8:]
    half = len(states) // 2
    for lag, want in ((3, 1.0), (8, 0.5)):
        labels = x[8 - lag : len(x) - lag]
        weights = fit_logistic(states[:half], labels[:half])
        accuracy = logistic_accuracy(weights, states[half:], labels[half:]).mean()
        assert accuracy == pytest.approx(want, abs=0.02), lag
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        fit_logistic(states, np.full(len(states), 2))


def test_linear_probe_correlations_and_block_interval():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(5000, 3))
    target = 2 * features[:, 1] + 0.1 * rng.normal(size=5000)
    weights = fit_linear(features, target)
    assert r_squared(weights, features, target) > 0.99
    r = unit_correlations(features, target)
    assert np.argmax(np.abs(r)) == 1 and r[1] > 0.99
    mean, low, high = block_interval(np.r_[np.zeros(500), np.ones(500)], 10)
    assert mean == 0.5 and low < 0.5 < high
    mean, low, high = block_interval(np.full(100, 0.7), 10)
    assert low == high == pytest.approx(0.7)


def test_echo_cell_with_num_steps_5_holds_x_t_minus_3():
    """Chapter 3's cell, trained briefly with windows of 5, already holds X(t-3) better
    than chance and better than X(t-8)."""
    x, y = echo.generate(100_000, seed=1)
    x_heldout, _ = echo.generate(10_000, seed=2)
    params = probing.train_echo_cell(x, y, num_steps=5, seed=0, num_epochs=2)
    correct = probing.probe_lags(params, x_heldout)
    assert correct[3].mean() > 0.7 and correct[3].mean() > correct[8].mean() + 0.1
    assert set(params) == set(cell.init_params())
