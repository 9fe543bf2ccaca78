"""Data parallelism is exact: two worker processes end with the same parameters, equal
to one process trained on the combined batches (PyTorch DDP under torchrun, TF's
MultiWorkerMirroredStrategy); bad options are refused with clear errors.

The two launches start real processes on 127.0.0.1 (gloo for PyTorch): small sizes,
a few steps, so the file stays within seconds of its budget.
"""

import os

import numpy as np
import pytest
from torch.utils.data import DistributedSampler

from rnnlib import parallel
from rnnlib.numpy import lstm_stack

needs_mnist = pytest.mark.prerequisite(
    bool(os.environ.get("RNNLIB_DATA")), reason="no offline MNIST copy (RNNLIB_DATA)"
)
SMALL = {"n_train": 128, "batch_size": 32, "num_epochs": 2}  # 4 steps per epoch


def check_exact(module, tmp_path):
    run = module.launch(2, tmp_path, **SMALL)["correct"]
    assert run.num_workers == 2 and len(run.step_loss) == 8
    with pytest.raises(ValueError, match=r"n_train must be at most 55000, got 60000"):
        parallel.load_train(60_000)
    assert parallel.max_param_diff(run.params[0], run.params[1]) == 0.0
    x, y = parallel.load_train(SMALL["n_train"])
    single, seconds = module.train_single(
        x,
        y,
        num_workers=2,
        num_epochs=SMALL["num_epochs"],
        batch_size=SMALL["batch_size"],
    )
    assert len(seconds) == 8
    assert parallel.max_param_diff(run.params[0], single.params()) < 1e-9  # float64
    # Training moved the weights far beyond the tolerance: the comparison can tell.
    assert parallel.max_param_diff(run.params[0], lstm_stack.init_params()) > 1e-3
    assert "epoch 2" in run.log and "epoch 2" not in run.log.split("\n")[0]
    return run


@needs_mnist
def test_torch_ddp_equals_one_process(tmp_path):
    import torch

    from rnnlib.torch import MnistLSTM
    from rnnlib.torch import parallel as module

    torch.set_num_threads(1)
    run = check_exact(module, tmp_path)
    assert run.command.startswith("torchrun --nnodes=1")
    assert "--master-addr=127.0.0.1" in run.command
    checkpoint = torch.load(run.out / "checkpoint.pt", weights_only=True)
    restored = MnistLSTM(run.params[0], dtype=torch.float64)  # the run's dtype
    restored.load_state_dict(checkpoint["model"])
    assert parallel.max_param_diff(restored.params(), run.params[0]) == 0.0


@needs_mnist
def test_tf_mwms_equals_one_process(tmp_path):
    import rnnlib.tf  # noqa: F401  (TensorFlow's quiet environment first)
    from rnnlib.tf import parallel as module

    run = check_exact(module, tmp_path)
    assert run.command.startswith("TF_CONFIG=") and "127.0.0.1:" in run.command
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
    assert (
        torch_parallel.combined_batches(100, 8, 2, 0)
        != torch_parallel.combined_batches(100, 8, 2, 1)
    ).any()


def test_bad_options_are_named():
    from rnnlib.tf import parallel as tf_parallel
    from rnnlib.torch import parallel as torch_parallel

    with pytest.raises(ValueError, match=r"num_workers must be an integer >= 1, got 0"):
        torch_parallel.launch(0, "unused")
    with pytest.raises(ValueError, match=r"split evenly over num_workers=3; got bat"):
        tf_parallel.launch(3, "unused", batch_size=128)
    with pytest.raises(ValueError, match=r"n_train must hold at least two global"):
        torch_parallel.launch(2, "unused", n_train=100)
    with pytest.raises(ValueError, match=r"runs must be names of .*'hand-rolled'"):
        tf_parallel.launch(2, "unused", runs=("hand-rolled",))
    with pytest.raises(ValueError, match=r"runs must be names of .*got 'correct,nope'"):
        torch_parallel.launch(2, "unused", runs="correct,nope")
    with pytest.raises(ValueError, match=r"the same parameters"):
        parallel.max_param_diff({"a": np.zeros(1)}, {"b": np.zeros(1)})


def test_a_failing_worker_is_reported(tmp_path):
    from rnnlib.torch import parallel as torch_parallel

    command = ["python", "-c", "import sys; sys.exit('worker broke')"]
    with pytest.raises(RuntimeError, match=r"process 0 exited with 1:\nworker broke"):
        parallel.run_processes([command], [{}])
    args = parallel.worker_parser("w").parse_args(["--out", str(tmp_path)])
    assert args.runs == "correct" and args.batch_size == 128
    assert torch_parallel.RUNS == tuple(parallel.RUNS)
