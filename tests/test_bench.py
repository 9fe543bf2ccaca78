"""python -m rnnlib.bench NAME prints a table and, as its last line, key=value pairs."""

import os
import subprocess
import sys

import pytest

from rnnlib import bench


def run_bench(*args):
    env = {**os.environ, "RNNLIB_QUICK": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
    return subprocess.run([sys.executable, "-m", "rnnlib.bench", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def last_line_pairs(stdout):
    pairs = dict(item.split("=", 1) for item in stdout.strip().splitlines()[-1].split())
    return pairs


def test_data_benchmark_prints_its_keys():
    result = run_bench("data")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    assert {"speedup_vs_loop", "loop_seconds", "generate_seconds", "size"} <= set(pairs)
    assert float(pairs["speedup_vs_loop"]) > 1 and pairs["size"] == "quick"
    assert "original loop" in result.stdout


def test_echo_benchmark_prints_its_keys():
    result = run_bench("echo")
    assert result.returncode == 0, result.stderr
    pairs = last_line_pairs(result.stdout)
    assert {"tf_heldout_loss", "torch_heldout_loss", "floor", "tf_seconds", "torch_seconds"} <= set(pairs)
    assert pairs["floor"] == "0.454454"
    # Same weights, same data, same optimizer: the frameworks agree closely even after training.
    assert float(pairs["tf_heldout_loss"]) == pytest.approx(float(pairs["torch_heldout_loss"]), abs=1e-3)


def test_unknown_benchmark_is_named():
    result = run_bench("nope")
    assert result.returncode != 0 and "unknown benchmark 'nope'" in result.stderr
    with pytest.raises(ValueError, match=r"unknown benchmark 'nope'; expected one of \['data', 'echo'\]"):
        bench.run("nope")


def test_list_names_every_benchmark():
    result = run_bench("--list")
    assert result.returncode == 0 and all(name in result.stdout for name in bench.BENCHMARKS)
