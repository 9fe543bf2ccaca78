"""Benchmark ``parallel``: data-parallel training of the MNIST LSTM, PyTorch's DDP and
TensorFlow's MultiWorkerMirroredStrategy, against one process on the combined batches.

Each framework trains the chapter's run (``rnnlib.parallel.recipe``: the one-cycle
recipe, global batch 128, two epochs), in float64 and in float32, twice from the same
weights and in the same data order: on 2 worker processes of one thread each (on a GPU
machine, one process per GPU, at least 2), launched the frameworks' way (``torchrun``;
one process per ``TF_CONFIG``), and in this one process, which uses both CPU cores. It
reports the largest difference between the parameters the two end with (and between
the ranks), and the samples per second of each in float32: the median step after the
first, rank 0's clock. The communication share is one all-reduce of every gradient,
timed alone, over a worker's step time.
"""

import tempfile

import numpy as np

from rnnlib import config, parallel
from rnnlib.bench import Result

NAMES = {"torch": "PyTorch DDP", "tf": "TF MultiWorkerMirroredStrategy"}
BATCH_SIZE = 128


def measure(framework: str, n_train: int) -> dict:
    """Train one framework both ways; the numbers the summary reports."""
    if framework == "torch":
        import torch

        from rnnlib.torch import parallel as module

        torch.set_num_threads(2)  # this process: both cores
        gpus = torch.cuda.device_count()
    else:
        import tensorflow as tf

        from rnnlib.tf import parallel as module  # TensorFlow's threads: every core

        gpus = len(tf.config.list_physical_devices("GPU"))
    num_workers = max(2, gpus)
    with tempfile.TemporaryDirectory() as out:
        found = module.launch(
            num_workers,
            out,
            runs=("correct", "float32"),
            n_train=n_train,
            batch_size=BATCH_SIZE,
        )
    run, run32 = found["correct"], found["float32"]
    x, y = parallel.load_train(n_train)
    single, _ = module.train_single(x, y, num_workers=num_workers)  # float64
    single32, seconds = module.train_single(
        x, y, num_workers=num_workers, dtype="float32"
    )
    diffs = [parallel.max_param_diff(p, single.params()) for p in run.params]
    ranks = [parallel.max_param_diff(p, run.params[0]) for p in run.params]
    ranks += [parallel.max_param_diff(p, run32.params[0]) for p in run32.params]
    return {
        "param_max_diff": max(diffs),
        "float32_param_max_diff": parallel.max_param_diff(
            run32.params[0], single32.params()
        ),
        "rank_max_diff": max(ranks),
        "1proc_samples_per_s": BATCH_SIZE / float(np.median(seconds[1:])),
        "2proc_samples_per_s": run32.samples_per_s,
        "comm_share": run32.allreduce_seconds / run32.seconds_per_step,
        "num_workers": num_workers,
        "gpus": gpus,
        "steps": len(seconds),
    }


def run() -> Result:
    size = config.sizes("bench.parallel")
    found = {name: measure(name, size.n_train) for name in ("torch", "tf")}
    rows = [
        {
            "engine": NAMES[name],
            "workers": m["num_workers"],
            "max |param - one process|, float64": f"{m['param_max_diff']:.2e}",
            "float32": f"{m['float32_param_max_diff']:.2e}",
            "max |rank - rank 0|": f"{m['rank_max_diff']:.2e}",
            "1 process, samples/s": f"{m['1proc_samples_per_s']:.0f}",
            "workers, samples/s": f"{m['2proc_samples_per_s']:.0f}",
            "all-reduce share of a step": f"{m['comm_share']:.3f}",
        }
        for name, m in found.items()
    ]
    torch, tf = found["torch"], found["tf"]
    summary = {
        "torch_ddp_param_max_diff": torch["param_max_diff"],
        "tf_mwms_param_max_diff": tf["param_max_diff"],
        "torch_1proc_samples_per_s": torch["1proc_samples_per_s"],
        "torch_2proc_samples_per_s": torch["2proc_samples_per_s"],
        "tf_1proc_samples_per_s": tf["1proc_samples_per_s"],
        "tf_2proc_samples_per_s": tf["2proc_samples_per_s"],
        "torch_float32_param_max_diff": torch["float32_param_max_diff"],
        "tf_float32_param_max_diff": tf["float32_param_max_diff"],
        "torch_rank_max_diff": torch["rank_max_diff"],
        "tf_rank_max_diff": tf["rank_max_diff"],
        "torch_comm_share": torch["comm_share"],
        "tf_comm_share": tf["comm_share"],
        "num_workers": torch["num_workers"],
        "gpus": torch["gpus"],
        "steps": torch["steps"],
        "size": config.size_name(),
    }
    return Result(rows, summary)
