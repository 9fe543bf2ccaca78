"""python -m rnnlib.bench NAME prints a table and, as its last line, key=value pairs."""

import os
import re
import subprocess
import sys

import pytest

from rnnlib import bench


def run_bench(*args):
    env = {
        **os.environ,
        "RNNLIB_QUICK": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TF_ENABLE_ONEDNN_OPTS": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "rnnlib.bench", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def last_line_pairs(stdout):
    pairs = dict(item.split("=", 1) for item in stdout.strip().splitlines()[-1].split())
    return pairs


def test_data_benchmark_prints_its_keys():
    result = run_bench("data")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    assert {"speedup_vs_loop", "loop_seconds", "generate_seconds", "size"} <= set(pairs)
    assert pairs["size"] == "quick" and "original loop" in result.stdout
    # The speedup is the ratio of the two medians it reports (each printed to 6 digits).
    ratio = float(pairs["loop_seconds"]) / float(pairs["generate_seconds"])
    assert float(pairs["speedup_vs_loop"]) == pytest.approx(ratio, rel=1e-4)
    # The protocol: each a median and its range, and each verdict follows the ranges.
    assert int(pairs["repeats"]) >= 5
    loop_min = float(pairs["loop_seconds_min"])
    for key, name in (
        ("generate", "speedup_vs_loop"),
        ("legacy", "legacy_speedup_vs_loop"),
    ):
        faster = float(pairs[f"{key}_seconds_max"]) < loop_min
        assert pairs[f"{name}_verdict"] == (
            "faster" if faster else "no_clear_difference"
        )


def test_echo_benchmark_prints_its_keys():
    result = run_bench("echo")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    assert {
        "tf_heldout_loss",
        "torch_heldout_loss",
        "floor",
        "tf_seconds",
        "torch_seconds",
    } <= set(pairs)
    assert pairs["floor"] == "0.454454"
    # Same weights, same data, same optimizer: the frameworks agree closely even after
    # training.
    assert float(pairs["tf_heldout_loss"]) == pytest.approx(
        float(pairs["torch_heldout_loss"]), abs=1e-3
    )


def test_gradients_benchmark_prints_its_keys():
    result = run_bench("gradients")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    keys = (
        "tanh_r05_ratio_20 tanh_r1_ratio_20 tanh_r2_ratio_20 lstm_ratio_20 "
        "gru_ratio_20 max_framework_rel_diff"
    ).split()
    keys += ["numpy_rounding_rel_diff", "tanh_framework_over_rounding"]
    assert set(keys) <= set(pairs) and pairs["size"] == "quick"
    ratio = {key: float(pairs[key]) for key in keys}
    # NumPy, TF and PyTorch compute the same Jacobians, to float64 rounding: no further
    # from NumPy than NumPy is from itself with other arithmetic (up to a factor 10).
    assert ratio["max_framework_rel_diff"] < 1e-10
    assert 0 < ratio["numpy_rounding_rel_diff"] < 1e-10
    assert ratio["tanh_framework_over_rounding"] < 10
    # The timing protocol: median and range per candidate, and the verdict word.
    for name in ("tf_eager", "tf_traced", "torch"):
        times = [float(pairs[f"lstm_jacobians_{name}_ms_{k}"]) for k in ("min", "max")]
        median = float(pairs[f"lstm_jacobians_{name}_ms_median"])
        assert 0 < times[0] <= median <= times[1]
    assert pairs["tf_traced_vs_eager"] in ("faster", "slower", "no_clear_difference")
    # The larger the recurrent weights, the more of the gradient reaches 20 steps back.
    assert (
        ratio["tanh_r05_ratio_20"]
        < ratio["tanh_r1_ratio_20"]
        < ratio["tanh_r2_ratio_20"]
    )
    # At initialisation the LSTM (forget-gate bias 1) keeps far more than the GRU.
    assert ratio["lstm_ratio_20"] > 10 * ratio["gru_ratio_20"]


def test_cells_benchmark_prints_its_keys():
    result = run_bench("cells")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    cells = [
        f"{fw}_{kind}" for fw in ("tf", "torch") for kind in ("rnn", "gru", "lstm")
    ]
    assert {f"{cell}_heldout" for cell in cells} <= set(pairs)
    for cell in cells:  # the timing protocol: median within its range
        low, median, high = (
            float(pairs[f"{cell}_run_ms_{key}"]) for key in ("min", "median", "max")
        )
        assert 0 < low <= median <= high
        # the excess interval (over blocks of steps) around its mean
        assert float(pairs[f"{cell}_excess_low"]) < float(pairs[f"{cell}_excess_high"])
    for kind in ("rnn", "gru", "lstm"):
        assert pairs[f"{kind}_torch_vs_tf"] in (
            "faster",
            "slower",
            "no_clear_difference",
        )
    assert pairs["floor"] == "0.454454" and pairs["size"] == "quick"
    # Same weights, same data, Adam with the same steps: the frameworks agree closely.
    for kind in ("rnn", "gru", "lstm"):
        assert float(pairs[f"tf_{kind}_heldout"]) == pytest.approx(
            float(pairs[f"torch_{kind}_heldout"]), abs=2e-3
        ), kind


@pytest.mark.prerequisite(
    bool(os.environ.get("RNNLIB_DATA")), reason="no offline MNIST copy (RNNLIB_DATA)"
)
def test_mnist_benchmark_prints_its_keys():
    result = run_bench("mnist")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    keys = result.stdout.strip().splitlines()[-1].split()[:6]
    assert [key.split("=")[0] for key in keys] == [
        "tf_test_acc",
        "torch_test_acc",
        "tf_test_acc_min",
        "torch_test_acc_min",
        "tf_seconds_per_epoch",
        "torch_seconds_per_epoch",
    ]
    assert pairs["size"] == "quick" and pairs["seeds"] == "1"
    # One seed: the mean is that seed; the Keras model copied into PyTorch agrees.
    assert pairs["tf_test_acc"] == pairs["tf_test_acc_min"] == pairs["tf_test_acc_max"]
    assert float(pairs["copied_agreement"]) == 1.0
    assert float(pairs["copied_max_logit_diff"]) < 1e-4
    # Same weights, batches and recipe: the frameworks end close after a short run.
    assert float(pairs["tf_test_acc"]) == pytest.approx(
        float(pairs["torch_test_acc"]), abs=0.02
    )
    # Both recipes, each seed in both frameworks: the TF1 script's recipe too.
    assert float(pairs["tf_script_acc"]) == pytest.approx(
        float(pairs["torch_script_acc"]), abs=0.02
    )
    for what in ("TensorFlow, one-cycle, seed 0", "PyTorch, TF1 script, seed 0"):
        assert what in result.stdout
    assert "timing_repeats" not in pairs  # the quick size times nothing


@pytest.mark.prerequisite(
    bool(os.environ.get("RNNLIB_DATA")), reason="no offline MNIST copy (RNNLIB_DATA)"
)
def test_parallel_benchmark_prints_its_keys():
    result = run_bench("parallel")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    keys = result.stdout.strip().splitlines()[-1].split()[:6]
    assert [key.split("=")[0] for key in keys] == [
        "torch_ddp_param_max_diff",
        "tf_mwms_param_max_diff",
        "torch_1proc_samples_per_s",
        "torch_2proc_samples_per_s",
        "tf_1proc_samples_per_s",
        "tf_2proc_samples_per_s",
    ]
    # Data parallelism is exact: equal ranks, one process's parameters to rounding.
    assert float(pairs["torch_rank_max_diff"]) == float(pairs["tf_rank_max_diff"]) == 0
    assert float(pairs["torch_ddp_param_max_diff"]) < 1e-9  # float64
    assert float(pairs["tf_mwms_param_max_diff"]) < 1e-9
    assert float(pairs["torch_float32_param_max_diff"]) < 1e-4
    assert pairs["size"] == "quick" and pairs["num_workers"] == "2"
    assert "PyTorch DDP" in result.stdout
    # The speed follows the timing protocol: a range around each median, and a
    # verdict word (never "faster" where the ranges overlap).
    for fw in ("torch", "tf"):
        for which in ("1proc", "2proc"):
            low = float(pairs[f"{fw}_{which}_samples_per_s_min"])
            high = float(pairs[f"{fw}_{which}_samples_per_s_max"])
            assert low <= float(pairs[f"{fw}_{which}_samples_per_s"]) <= high
        assert pairs[f"{fw}_verdict"] in ("faster", "slower", "no_clear_difference")
    assert pairs["timing_repeats"] == "5"


def test_unknown_benchmark_is_named():
    result = run_bench("nope")
    assert result.returncode != 0 and "unknown benchmark 'nope'" in result.stderr
    with pytest.raises(
        ValueError,
        match=r"unknown benchmark 'nope'; expected one of "
        + re.escape(str(sorted(bench.BENCHMARKS))),
    ):
        bench.run("nope")


def test_save_refuses_the_quick_size():
    result = run_bench("data", "--save")
    assert result.returncode != 0
    assert "--save keeps full-size results only: unset RNNLIB_QUICK" in result.stderr


def test_saved_results_round_trip(tmp_path):
    from rnnlib.bench import Result, saved

    result = Result([{"a": 1, "b": 0.5}], {"key": 0.25, "size": "full"})
    path = saved.save("demo", "a demonstration", result, tmp_path)
    assert path == tmp_path / "demo.json" and not list(tmp_path.glob("*.tmp"))
    record = saved.load(tmp_path)["demo"]
    assert record["rows"] == result.rows and record["summary"] == result.summary
    assert record["command"] == "python -m rnnlib.bench demo"
    assert {"date", "machine", "versions", "commit"} <= set(record)
    assert saved.load(tmp_path / "nowhere") == {}


def test_list_names_every_benchmark():
    result = run_bench("--list")
    assert result.returncode == 0 and all(
        name in result.stdout for name in bench.BENCHMARKS
    )


def test_mnist_timing_children_get_their_own_wait_policy(monkeypatch):
    """Each timed process runs with its setting's OpenMP wait policy: unset for OpenMP's
    default even when the benchmark itself was started with one (the book's build and
    tests set OMP_WAIT_POLICY=PASSIVE)."""
    from rnnlib.bench import mnist

    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    policies = {
        setting: mnist.child_environment(setting).get("OMP_WAIT_POLICY")
        for setting in mnist.THREAD_SETTINGS
    }
    assert policies == {
        mnist.Setting("tf"): None,
        mnist.Setting("tf", 1): None,
        mnist.Setting("torch"): None,
        mnist.Setting("torch", 1): None,
        mnist.Setting("torch", wait_policy="PASSIVE"): "PASSIVE",
    }
    assert mnist.child_environment(mnist.Setting("torch"))["PATH"] == os.environ["PATH"]
    names = [mnist.key(setting) for setting in mnist.THREAD_SETTINGS]
    assert len(set(names)) == len(names)  # one summary key each
    assert len({mnist.label(s) for s in mnist.THREAD_SETTINGS}) == len(names)


def test_mnist_timing_settings_take_turns(monkeypatch):
    """The protocol: A B C D E A B C D E ..., each setting timed `repeats` times."""
    from rnnlib.bench import mnist

    calls = []

    def fake(setting, num_steps):
        calls.append(setting)
        return 0.001 * len(calls)

    monkeypatch.setattr(mnist, "time_in_subprocess", fake)
    timed = mnist.time_settings(3, 5)
    assert calls == list(mnist.THREAD_SETTINGS) * 5
    assert all(len(t.samples) == 5 for t in timed.values())
    with pytest.raises(ValueError, match="repeats must be at least 5"):
        mnist.time_settings(3, 4)


def test_saved_mnist_record_times_every_setting():
    """results/mnist.json, which chapter 10 reports, was saved by the timing protocol
    with every setting the benchmark times now: add a setting and this fails until the
    benchmark is run again with --save."""
    import json
    from pathlib import Path

    from rnnlib.bench import mnist

    record = json.loads(
        (Path(__file__).resolve().parents[1] / "results" / "mnist.json").read_text()
    )
    summary, rows = record["summary"], [row["what"] for row in record["rows"]]
    assert summary["size"] == "full" and summary["timing_repeats"] >= 5
    for setting in mnist.THREAD_SETTINGS:
        assert (
            summary[f"{mnist.key(setting)}_ms_min"]
            <= summary[f"{mnist.key(setting)}_ms"]
        )
        assert mnist.label(setting) in rows
    for name in ("tf_threads", "torch_threads", "tf_vs_torch", "torch_passive"):
        assert summary[f"{name}_verdict"] in ("faster", "slower", "no_clear_difference")


def test_a_saved_record_names_the_commit_its_code_came_from():
    """The commit, with -dirty when rnnlib/ has changes the commit does not hold."""
    from pathlib import Path

    from rnnlib.bench import saved

    root = Path(__file__).resolve().parents[1]
    head, status = (
        subprocess.run(args, capture_output=True, text=True, cwd=root).stdout.strip()
        for args in (
            ["git", "rev-parse", "--short", "HEAD"],
            ["git", "status", "--porcelain", "--", "rnnlib"],
        )
    )
    assert saved.git_commit() == head + ("-dirty" if status else "")
