"""Benchmark ``parallel``: data-parallel training of the MNIST LSTM, PyTorch's DDP and
TensorFlow's MultiWorkerMirroredStrategy, against one process on the combined batches.

Each framework trains the chapter's run (``rnnlib.parallel.recipe``: the one-cycle
recipe, global batch 128, two epochs), in float64 and in float32, on 2 worker
processes of one thread each (on a machine with 2 GPUs or more, one process per GPU;
with one GPU, 2 on the CPU, as the workers take a GPU only where each has its own),
launched the frameworks' way (``torchrun``; one process per ``TF_CONFIG``), and in this
one process from the same weights in the same order. It reports the largest difference
between the parameters the two end with (and between the ranks). Then, inside the same
launch, the speed by ``rnnlib.timing``'s protocol: blocks of training steps in float32
on global batches of 128, by one worker alone (one process, one thread, the whole
batch) and by all the workers (a share each), interleaved, at least five of each;
samples per second as median, minimum and maximum, the speedup of the medians, and the
verdict word, which says "faster" only where the ranges do not overlap. The
communication share is one all-reduce of every gradient, timed alone, over the median
time of a step of all workers.
"""

import tempfile

from rnnlib import config, parallel, timing
from rnnlib.bench import Result

NAMES = {"torch": "PyTorch DDP", "tf": "TF MultiWorkerMirroredStrategy"}
BATCH_SIZE = 128


def rates(found: timing.Timing, samples: int) -> dict[str, float]:
    """Samples per second of a Timing of blocks of ``samples`` samples: the median
    block's rate, and the rates of the slowest and the fastest block."""
    return {
        "median": samples / found.median,
        "min": samples / found.high,
        "max": samples / found.low,
    }


def measure(framework: str, size) -> dict:
    """Train one framework both ways; the numbers the summary reports."""
    if framework == "torch":
        import torch

        from rnnlib.torch import parallel as module

        gpus = torch.cuda.device_count()
    else:
        from rnnlib.tf import parallel as module

        import tensorflow as tf

        gpus = len(tf.config.list_physical_devices("GPU"))
    num_workers = gpus if gpus >= 2 else 2  # one per GPU; on one GPU, 2 on the CPU
    gpus = gpus if parallel.use_gpus(gpus, num_workers) else 0  # what they trained on
    with tempfile.TemporaryDirectory() as out:
        found = module.launch(
            num_workers,
            out,
            runs=("correct", "float32"),
            n_train=size.n_train,
            batch_size=BATCH_SIZE,
            timing=(size.timing_repeats, size.timing_steps),
        )
    run, run32 = found["correct"], found["float32"]
    x, y = parallel.load_train(size.n_train)
    single, seconds = module.train_single(x, y, num_workers=num_workers)  # float64
    single32, _ = module.train_single(x, y, num_workers=num_workers, dtype="float32")
    diffs = [parallel.max_param_diff(p, single.params()) for p in run.params]
    ranks = [parallel.max_param_diff(p, run.params[0]) for p in run.params]
    ranks += [parallel.max_param_diff(p, run32.params[0]) for p in run32.params]
    one, every = run32.timings[parallel.ONE], run32.timings[parallel.ALL]
    samples = BATCH_SIZE * run32.timed_steps
    return {
        "param_max_diff": max(diffs),
        "float32_param_max_diff": parallel.max_param_diff(
            run32.params[0], single32.params()
        ),
        "rank_max_diff": max(ranks),
        "1proc": rates(one, samples),
        "2proc": rates(every, samples),
        "speedup": timing.speedup(every, one),
        "verdict": timing.verdict(every, one),  # the workers against one worker
        "comm_share": run.allreduce_seconds / (every.median / run32.timed_steps),
        "num_workers": num_workers,
        "gpus": gpus,
        "steps": len(seconds),
    }


def run() -> Result:
    size = config.sizes("bench.parallel")
    found = {name: measure(name, size) for name in ("torch", "tf")}

    def shown(r):
        return f"{r['median']:.0f} ({r['min']:.0f}-{r['max']:.0f})"

    rows = [
        {
            "engine": NAMES[name],
            "workers": m["num_workers"],
            "max |param - one process|, float64": f"{m['param_max_diff']:.2e}",
            "float32": f"{m['float32_param_max_diff']:.2e}",
            "max |rank - rank 0|": f"{m['rank_max_diff']:.2e}",
            "1 worker, samples/s": shown(m["1proc"]),
            "all workers, samples/s": shown(m["2proc"]),
            "speedup": f"{m['speedup']:.2f}",
            "all workers are": m["verdict"],
            "all-reduce share of a step": f"{m['comm_share']:.3f}",
        }
        for name, m in found.items()
    ]
    summary = {
        "torch_ddp_param_max_diff": found["torch"]["param_max_diff"],
        "tf_mwms_param_max_diff": found["tf"]["param_max_diff"],
    }
    for name, m in found.items():  # the medians first: the keys the book quotes
        for which in ("1proc", "2proc"):
            summary[f"{name}_{which}_samples_per_s"] = m[which]["median"]
    for name, m in found.items():
        for which in ("1proc", "2proc"):
            summary[f"{name}_{which}_samples_per_s_min"] = m[which]["min"]
            summary[f"{name}_{which}_samples_per_s_max"] = m[which]["max"]
        summary[f"{name}_speedup"] = m["speedup"]
        # one word for the key=value line: "no clear difference" as no_clear_difference
        summary[f"{name}_verdict"] = m["verdict"].replace(" ", "_")
        summary[f"{name}_float32_param_max_diff"] = m["float32_param_max_diff"]
        summary[f"{name}_rank_max_diff"] = m["rank_max_diff"]
        summary[f"{name}_comm_share"] = m["comm_share"]
    summary |= {
        "num_workers": found["torch"]["num_workers"],
        "gpus": found["torch"]["gpus"],  # the GPUs the workers trained on (0: CPUs)
        "steps": found["torch"]["steps"],
        "timing_repeats": size.timing_repeats,
        "timed_steps": size.timing_steps,
        "size": config.size_name(),
    }
    return Result(rows, summary)
