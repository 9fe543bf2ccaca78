"""python -m rnnlib.bench NAME prints a table and, as its last line, key=value pairs."""

import os
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


def test_unroll_benchmark_prints_its_keys():
    result = run_bench("unroll")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    assert {
        "tf_static_ops_10",
        "tf_static_ops_100",
        "tf_dynamic_ops_10",
        "tf_dynamic_ops_100",
        "tf_static_trace_s_100",
        "tf_dynamic_trace_s_100",
        "tf_static_step_ms_100",
        "tf_dynamic_step_ms_100",
        "torch_eager_step_ms_100",
        "torch_fused_step_ms_100",
        "tf_crossover_steps_100",
    } <= set(pairs)
    # The static graph grows with num_steps, the dynamic one does not.
    assert int(pairs["tf_static_ops_100"]) > 5 * int(pairs["tf_static_ops_10"]) / 2
    assert pairs["tf_dynamic_ops_100"] == pairs["tf_dynamic_ops_10"]
    assert pairs["size"] == "quick" and "torch_compile_s_10" not in pairs  # never


def test_truncation_benchmark_prints_its_keys():
    result = run_bench("truncation")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    for n in (4, 9):
        assert {f"tf_style_heldout_{n}", f"true_style_heldout_{n}"} <= set(pairs)
        for style in ("tf", "true"):
            assert 0.4 < float(pairs[f"{style}_style_heldout_{n}"]) < 0.8
    assert pairs["floor"] == "0.454454" and pairs["size"] == "quick"


def test_unknown_benchmark_is_named():
    result = run_bench("nope")
    assert result.returncode != 0 and "unknown benchmark 'nope'" in result.stderr
    with pytest.raises(
        ValueError,
        match=r"unknown benchmark 'nope'; expected one of \['data', 'echo', "
        r"'truncation', 'unroll'\]",
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
