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
    # The speedup is the ratio of the two times it reports (each printed to 6 digits).
    ratio = float(pairs["loop_seconds"]) / float(pairs["generate_seconds"])
    assert float(pairs["speedup_vs_loop"]) == pytest.approx(ratio, rel=1e-4)


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
    assert "TensorFlow, seed 0" in result.stdout and "PyTorch, seed 0" in result.stdout


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
