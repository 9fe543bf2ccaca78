"""Data parallelism is exact: two worker processes end with the same parameters, equal
to one process trained on the combined batches (PyTorch DDP under torchrun, TF's
MultiWorkerMirroredStrategy), also when they accumulate micro-batches, resume after a
failure, or score the test set in shards; bad options are refused with clear errors.

The launches start real processes on 127.0.0.1 (gloo for PyTorch): small sizes, a few
steps, so the file stays within seconds of its budget.
"""

import os
import time

import numpy as np
import pytest
from torch.utils.data import DistributedSampler

from rnnlib import parallel
from rnnlib.numpy import lstm_stack

needs_mnist = pytest.mark.prerequisite(
    bool(os.environ.get("RNNLIB_DATA")), reason="no offline MNIST copy (RNNLIB_DATA)"
)
# 200 images, 100 per rank, shares of 16: 6 full batches and a partial one per epoch,
# which both frameworks drop
SMALL = {"n_train": 200, "batch_size": 32, "num_epochs": 2}
STEPS = 200 // 32 * 2
RUNS = ("correct", "accumulate", "float32")


def check_exact(module, tmp_path, runs=RUNS):
    timed = "float32" in runs
    found = module.launch(
        2, tmp_path, runs=runs, timing=(5 * timed, 2), n_test=101, **SMALL
    )
    run, accumulated = found["correct"], found["accumulate"]
    assert run.num_workers == 2 and len(run.step_loss) == STEPS
    assert parallel.max_param_diff(run.params[0], run.params[1]) == 0.0
    x, y = parallel.load_train(SMALL["n_train"])
    single, seconds = module.train_single(
        x,
        y,
        num_workers=2,
        num_epochs=SMALL["num_epochs"],
        batch_size=SMALL["batch_size"],
    )
    assert len(seconds) == STEPS
    assert parallel.max_param_diff(run.params[0], single.params()) < 1e-9  # float64
    # Training moved the weights far beyond the tolerance: the comparison can tell.
    assert parallel.max_param_diff(run.params[0], lstm_stack.init_params()) > 1e-3
    # Two micro-batches of 8 per rank and step: the same steps as shares of 16.
    assert parallel.max_param_diff(accumulated.params[0], run.params[0]) < 1e-12
    # Each epoch's log line is the mean of that epoch's losses, not of all so far.
    second = float(run.log.splitlines()[1].split("mean loss ")[1].split()[0])
    assert second == pytest.approx(np.mean(run.step_loss[STEPS // 2 :]), abs=1e-4)
    # The ranks' shards of the test set, scored and summed: one process's count.
    x_test, y_test = parallel.load_test(101)
    assert run.scored == 101
    assert run.correct == module.count_correct(single, x_test, y_test)
    assert run.timings == {} and run.timed_steps == 0
    if timed:  # the speed comparison: interleaved blocks, five of each candidate
        run32 = found["float32"]
        assert run32.timed_steps == 2
        assert sorted(run32.timings) == sorted([parallel.ONE, parallel.ALL])
        assert all(len(t.samples) == 5 for t in run32.timings.values())
    return run, accumulated


@needs_mnist
def test_torch_ddp_equals_one_process(tmp_path):
    import torch

    from rnnlib.torch import MnistLSTM
    from rnnlib.torch import parallel as module

    torch.set_num_threads(1)
    run, accumulated = check_exact(module, tmp_path)
    assert run.command.startswith("torchrun --nnodes=1")
    assert "--rdzv-endpoint=127.0.0.1:" in run.command
    # no_sync: the first micro-batch adds no all-reduce of its own
    assert accumulated.allreduces == run.allreduces > 0
    checkpoint = torch.load(run.out / "checkpoint.pt", weights_only=True)
    restored = MnistLSTM(run.params[0], dtype=torch.float64)  # the run's dtype
    restored.load_state_dict(checkpoint["model"])
    assert parallel.max_param_diff(restored.params(), run.params[0]) == 0.0
    # A rank fails after the first epoch; torchrun restarts both, which resume from
    # rank 0's checkpoint and end exactly where the uninterrupted run did.
    restarted = module.launch(
        2, tmp_path / "again", runs=("restart",), max_restarts=1, **SMALL
    )["restart"]
    assert "restarted: resumed after epoch 1" in restarted.log
    assert parallel.max_param_diff(restarted.params[0], run.params[0]) == 0.0
    assert np.array_equal(restarted.step_loss, run.step_loss)


@needs_mnist
def test_tf_mwms_equals_one_process(tmp_path):
    import rnnlib.tf  # noqa: F401  (TensorFlow's quiet environment first)
    from rnnlib.tf import parallel as module

    # No float32 run, so no timing: TensorFlow's workers start slowly, and the page
    # times them (its tests run it at the quick size).
    run, _ = check_exact(module, tmp_path, runs=("correct", "accumulate"))
    assert run.command.startswith("TF_CONFIG=") and "127.0.0.1:" in run.command
    # Every worker saved; the chief's file stays, the others' temporary ones are gone.
    assert sorted(p.name for p in run.out.iterdir() if not p.suffix) == []
    assert (run.out / "checkpoint.weights.h5").exists()


def test_combined_batches_are_the_samplers_shards_side_by_side():
    from rnnlib.tf import parallel as tf_parallel

    from rnnlib.torch import parallel as torch_parallel

    for epoch in (0, 1):
        combined = torch_parallel.combined_batches(100, 8, 2, epoch, seed=3)
        assert combined.shape == (12, 8)  # 50 per rank, 4 per rank and step
        assert len(set(combined.ravel())) == combined.size  # no example twice
        sampler = DistributedSampler(range(100), 2, 1, seed=3, drop_last=True)
        sampler.set_epoch(epoch)
        assert list(combined[:, 4:].ravel()) == list(sampler)[:48]
        tf_combined = tf_parallel.combined_batches(100, 8, 2, epoch, seed=3)
        order = tf_parallel.epoch_order(100, 8, epoch, seed=3)
        assert (np.sort(tf_combined, 1) == np.sort(order, 1)).all()
        assert (tf_combined[:, :4] == order[:, 0::2]).all()
        assert tf_combined.shape == combined.shape  # the same steps in both
    assert (
        torch_parallel.combined_batches(100, 8, 2, 0)
        != torch_parallel.combined_batches(100, 8, 2, 1)
    ).any()


def test_shards_cover_every_example_once():
    for n, world in [(10, 3), (101, 2), (7, 7)]:
        seen = np.concatenate(
            [np.arange(n)[parallel.shard(n, r, world)] for r in range(world)]
        )
        assert sorted(seen) == list(range(n))


def test_bad_options_are_named():
    from rnnlib.tf import parallel as tf_parallel

    from rnnlib.torch import parallel as torch_parallel

    with pytest.raises(ValueError, match=r"num_workers must be an integer >= 1, got 0"):
        torch_parallel.launch(0, "unused")
    with pytest.raises(ValueError, match=r"split evenly over num_workers=3; got bat"):
        tf_parallel.launch(3, "unused", batch_size=128)
    with pytest.raises(ValueError, match=r"n_train must hold at least two global"):
        torch_parallel.launch(2, "unused", n_train=100)
    with pytest.raises(ValueError, match=r"runs must be names of .*'correct'.*'rest"):
        tf_parallel.launch(2, "unused", runs=("restart",))
    with pytest.raises(ValueError, match=r"runs must be names of .*got 'correct,nope'"):
        torch_parallel.launch(2, "unused", runs="correct,nope")
    with pytest.raises(ValueError, match=r"timing_repeats must be 0 or at least 5"):
        torch_parallel.launch(2, "unused", timing=(3, 10))
    with pytest.raises(ValueError, match=r"n_test must be an integer >= 0, got -1"):
        tf_parallel.launch(2, "unused", n_test=-1)
    with pytest.raises(
        ValueError, match=r"max_restarts must be 0 in TensorFlow .*got 1"
    ):
        tf_parallel.launch(2, "unused", max_restarts=1)
    with pytest.raises(
        ValueError, match=r"share of the batch, 15, must split into acc"
    ):
        parallel.micro_batch_size(15, 2)
    with pytest.raises(ValueError, match=r"the same parameters"):
        parallel.max_param_diff({"a": np.zeros(1)}, {"b": np.zeros(1)})


def test_a_failing_worker_is_reported(tmp_path):
    from rnnlib.torch import parallel as torch_parallel

    command = ["python", "-c", "import sys; sys.exit('worker broke')"]
    with pytest.raises(RuntimeError, match=r"process 0 exited with 1:\nworker broke"):
        parallel.run_processes([command], [{}])
    args = parallel.worker_parser("w").parse_args(["--out", str(tmp_path)])
    assert args.runs == "correct" and args.batch_size == 128
    assert args.timing_repeats == 0 and args.n_test == 0
    assert torch_parallel.RUNS == tuple(parallel.RUNS)


def test_a_timeout_ends_the_workers_children_too(tmp_path):
    """torchrun's workers are its children: a timeout must end them with it."""
    pid_file = tmp_path / "child.pid"
    script = f"sleep 60 & echo $! > {pid_file}; wait"
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"worker 0 ran longer than 1"):
        parallel.run_processes([["bash", "-c", script]], [{}], timeout=1.0)
    assert time.monotonic() - start < 15, "it waited for the child to end by itself"
    child = int(pid_file.read_text())
    for _ in range(50):  # the kill is sent; the child goes within moments
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"the worker's child {child} outlived the timeout")


def test_workers_take_gpus_only_one_each():
    assert parallel.use_gpus(2, 2) and parallel.use_gpus(8, 4)
    assert not parallel.use_gpus(1, 2) and not parallel.use_gpus(0, 2)
    assert "train on the CPU" in parallel.device_note(0, 2)
    assert "not one each: the workers train on the CPU" in parallel.device_note(1, 2)
    assert "each of the 2 workers trains on its own" in parallel.device_note(2, 2)
