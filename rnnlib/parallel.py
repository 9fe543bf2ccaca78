"""What data-parallel training needs besides a framework: the worker script's options,
starting worker processes on this machine, and reading back what each rank wrote.

Both worker scripts (``rnnlib.torch.parallel``: DistributedDataParallel;
``rnnlib.tf.parallel``: MultiWorkerMirroredStrategy) take the same options
(``worker_parser``), train the MNIST chapter's model with the one-cycle recipe at a
*global* batch size split evenly over the workers, and write into a folder: every rank
its parameters (``rank{r}.npz``) and timings (``rank{r}.json``), rank 0 also its log, a
checkpoint, when asked the speed of one worker against all (``rnnlib.timing``'s
protocol) and the test images the workers scored together. Loopback (127.0.0.1) only.
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rnnlib import recipes
from rnnlib._checks import check_int
from rnnlib.data import mnist
from rnnlib.timing import MIN_REPEATS, Timing

VALIDATION = 5000  # the first training images, left out as on the MNIST pages
HOST = "127.0.0.1"  # every worker listens on the loopback interface only
ONE, ALL = "one worker", "all workers"  # the two candidates of the speed comparison


class Run(NamedTuple):
    """What one run of a launch produced, read back from its folder."""

    command: str  # the command line that started the workers (the first, for TF)
    num_workers: int
    params: list[dict]  # one dict of NumPy arrays per rank, lstm_stack names
    step_loss: np.ndarray  # (num_steps,) rank 0's loss of every step (its own shard)
    step_seconds: np.ndarray  # (num_steps,) rank 0's wall time of every step
    allreduce_seconds: float  # one all-reduce of every gradient, alone; NaN for 1 rank
    log: str  # what rank 0 printed
    out: Path  # the folder the workers wrote into
    timings: dict  # ONE and ALL -> Timing of `timed_steps` steps; empty if not timed
    timed_steps: int  # training steps in each timed block (0: not timed)
    correct: int  # test images the ranks classified right, summed (-1: not scored)
    scored: int  # test images the ranks scored, summed over their shards
    allreduces: int  # all-reduce calls rank 0 made during training (-1: not counted)


class Setting(NamedTuple):
    """How one run trains."""

    hand_rolled: bool  # gradients averaged by hand with all_reduce, no broadcast
    set_epoch: bool  # a new data order every epoch (the bug: epoch 0's every epoch)
    same_init: bool  # every rank starts from the same weights (the bug: seed + rank)
    dtype: str  # "float64" shows exactness; "float32" is how the MNIST pages train
    accumulate: int = 1  # micro-batches whose gradients make one step
    crash: bool = False  # the last rank fails once after the first epoch (restarts)


#: The runs a worker script knows (TensorFlow: all but "hand-rolled..." and "restart")
RUNS = {
    "correct": Setting(False, True, True, "float64"),
    "float32": Setting(False, True, True, "float32"),
    "no-set-epoch": Setting(False, False, True, "float64"),
    "per-rank-init": Setting(False, True, False, "float64"),
    "accumulate": Setting(False, True, True, "float64", accumulate=2),
    "restart": Setting(False, True, True, "float64", crash=True),
    "hand-rolled": Setting(True, True, True, "float64"),
    "hand-rolled-per-rank-init": Setting(True, True, False, "float64"),
}


def worker_parser(prog: str) -> argparse.ArgumentParser:
    """The worker script's options, the same for both frameworks."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder the ranks write into")
    parser.add_argument("--n-train", type=int, default=55_000, help="training images")
    parser.add_argument("--num-epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128, help="global batch")
    parser.add_argument("--seed", type=int, default=0, help="weights and data order")
    parser.add_argument("--threads", type=int, default=1, help="threads per process")
    runs = f"comma-separated runs, one after the other, of {', '.join(RUNS)}"
    parser.add_argument("--runs", default="correct", help=runs)
    timed = "after the run float32, blocks of one worker and of all, each this often"
    parser.add_argument("--timing-repeats", type=int, default=0, help=timed)
    parser.add_argument("--timing-steps", type=int, default=10, help="steps a block")
    parser.add_argument("--n-test", type=int, default=0, help="test images scored")
    return parser


def check_runs(runs, known) -> list[str]:
    """The run names as a list; ValueError naming one this framework does not know."""
    names = runs.split(",") if isinstance(runs, str) else list(runs)
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise ValueError(f"runs must be names of {sorted(known)}, got {runs!r}")
    return names


def recipe(batch_size: int, num_epochs: int) -> recipes.Recipe:
    """The MNIST chapter's one-cycle recipe at this global batch size, without clipping:
    Keras clips each replica's gradients before it sums them, which one process on the
    combined batch does not, so a clipped run could not match it in TensorFlow."""
    return recipes.ONE_CYCLE._replace(
        batch_size=batch_size, num_epochs=num_epochs, clip_norm=None
    )


NAMES = ("num_workers", "n_train", "num_epochs", "batch_size")  # check_options's


def check_options(
    num_workers, n_train, num_epochs, batch_size, timing_repeats=0, n_test=0
) -> None:
    """ValueError naming the first option that cannot work."""
    for value, name in zip((num_workers, n_train, num_epochs, batch_size), NAMES):
        check_int(value, name)
    check_int(n_test, "n_test", minimum=0)
    if batch_size % num_workers:
        raise ValueError(
            f"batch_size (the global batch) must split evenly over num_workers="
            f"{num_workers}; got batch_size={batch_size}"
        )
    if n_train < 2 * batch_size:
        raise ValueError(
            f"n_train must hold at least two global batches of {batch_size} (the "
            f"one-cycle schedule needs steps to warm up); got n_train={n_train}"
        )
    if timing_repeats and check_int(timing_repeats, "timing_repeats") < MIN_REPEATS:
        raise ValueError(
            f"timing_repeats must be 0 or at least {MIN_REPEATS} (the book's timing "
            f"protocol), got {timing_repeats}"
        )


def worker_flags(
    n_train, num_epochs, batch_size, seed, threads, runs, timing=(0, 10), n_test=0
) -> list[str]:
    """The worker script's command-line flags for these settings; ``timing`` is
    (repeats, steps a block)."""
    flags = dict(n_train=n_train, num_epochs=num_epochs, batch_size=batch_size)
    flags |= dict(seed=seed, threads=threads, runs=",".join(runs), n_test=n_test)
    flags |= dict(timing_repeats=timing[0], timing_steps=timing[1])
    return [f"--{name.replace('_', '-')}={value}" for name, value in flags.items()]


def load_train(n_train: int) -> tuple[np.ndarray, np.ndarray]:
    """The training images after the validation ones, as the MNIST pages use them: x
    (n_train, 28, 28) float32 in [0, 1], y (n_train,) int64."""
    images, labels = mnist.load("train")
    check_int(n_train, "n_train", maximum=len(images) - VALIDATION)
    x = mnist.as_sequences(images[VALIDATION : VALIDATION + n_train])
    return x, labels[VALIDATION : VALIDATION + n_train].astype(np.int64)


def load_test(n_test: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n_test test images, x (n_test, 28, 28) float32, y (n_test,) int64."""
    images, labels = mnist.load("test")
    check_int(n_test, "n_test", maximum=len(images))
    return mnist.as_sequences(images[:n_test]), labels[:n_test].astype(np.int64)


def micro_batch_size(share: int, accumulate: int) -> int:
    """The size of each of ``accumulate`` micro-batches of a rank's share of a step;
    ValueError when they do not divide it."""
    if share % accumulate:
        raise ValueError(
            f"a rank's share of the batch, {share}, must split into accumulate="
            f"{accumulate} micro-batches of equal size"
        )
    return share // accumulate


def shard(n: int, rank: int, world: int) -> slice:
    """The examples rank ``rank`` of ``world`` scores: every world-th from rank on. The
    shards cover all n exactly once, whether or not world divides n (no padding)."""
    return slice(rank, n, world)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def use_gpus(gpus: int, num_workers: int) -> bool:
    """Whether this machine's ``num_workers`` workers train on its ``gpus`` GPUs: only
    when each has its own (two processes on one GPU share its memory and queue)."""
    return gpus >= num_workers


def device_note(gpus: int, num_workers: int) -> str:
    """Where this machine's ``num_workers`` workers train, and why, as a sentence."""
    if gpus == 0:
        return f"no GPU here: the {num_workers} workers train on the CPU"
    if use_gpus(gpus, num_workers):
        return f"{gpus} GPUs here: each of the {num_workers} workers trains on its own"
    found = f"{gpus} GPU{'' if gpus == 1 else 's'} here for {num_workers} workers"
    return f"{found}, not one each: the workers train on the CPU"


def loopback_env() -> dict[str, str]:
    """Environment that keeps gloo on the loopback interface (it otherwise uses the
    address the host name resolves to), and one thread per OpenMP pool."""
    names = [name for _, name in socket.if_nameindex()]
    loop = next((n for n in names if n in ("lo", "lo0")), None)
    env = {"OMP_NUM_THREADS": "1", "RNNLIB_PROGRESS": "0"}
    if loop is not None:
        env["GLOO_SOCKET_IFNAME"] = loop
    return env


def run_processes(commands, envs, *, timeout=1200.0) -> list[str]:
    """Start one process per command (``envs``: extra variables for each), wait for all,
    return their stdout; RuntimeError with the end of stderr if any fails. Each starts a
    session of its own, so that a timeout ends the whole group, torchrun's workers with
    torchrun."""
    processes = []
    for command, extra in zip(commands, envs, strict=True):
        env = dict(os.environ, **extra)
        processes.append(
            subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,  # its own process group, children included
            )
        )
    outputs, failures = [], []
    for rank, process in enumerate(processes):
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in processes:  # the group's id is its leader's pid
                with contextlib.suppress(ProcessLookupError):  # (all ended already)
                    os.killpg(other.pid, signal.SIGKILL)
                other.wait()
            raise RuntimeError(f"worker {rank} ran longer than {timeout} s") from None
        outputs.append(out)
        if process.returncode != 0:
            failures.append(f"process {rank} exited with {process.returncode}:\n{err}")
    if failures:
        raise RuntimeError("\n".join(f[-3000:] for f in failures))
    return outputs


def write_rank(out, rank, params, step_loss, step_seconds, **extra) -> None:
    """What every rank writes when it is done (called by the worker scripts); ``extra``
    holds what the Run's other fields read, as JSON: allreduce_seconds, timings (name ->
    list of seconds), timed_steps, correct, scored, allreduces."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / f"rank{rank}.npz", **params)
    stats = dict(step_loss=list(map(float, step_loss)), **extra)
    stats["step_seconds"] = list(map(float, step_seconds))
    (out / f"rank{rank}.json").write_text(json.dumps(stats))


def read_runs(out, runs, num_workers, command, log) -> dict[str, Run]:
    """Each run's Run, from what the workers left in ``out/NAME``; ``log`` is what rank
    0 printed, its lines prefixed with the run's name in brackets."""
    found = {}
    for name in runs:
        folder = Path(out) / name
        params = [dict(np.load(folder / f"rank{r}.npz")) for r in range(num_workers)]
        stats = json.loads((folder / "rank0.json").read_text())
        prefix = f"[{name}] "
        lines = [line for line in log.splitlines() if line.startswith(prefix)]
        found[name] = Run(
            command=command,
            num_workers=num_workers,
            params=params,
            step_loss=np.array(stats["step_loss"]),
            step_seconds=np.array(stats["step_seconds"]),
            allreduce_seconds=float(stats.get("allreduce_seconds", float("nan"))),
            log="\n".join(line[len(prefix) :] for line in lines),
            out=folder,
            timings={k: Timing(tuple(v)) for k, v in stats.get("timings", {}).items()},
            timed_steps=int(stats.get("timed_steps", 0)),
            correct=int(stats.get("correct", -1)),
            scored=int(stats.get("scored", 0)),
            allreduces=int(stats.get("allreduces", -1)),
        )
    return found


def max_param_diff(a: dict, b: dict) -> float:
    """The largest absolute difference between two parameter dicts of the same names."""
    if set(a) != set(b):
        raise ValueError(
            f"a and b must hold the same parameters; got {sorted(a)} and {sorted(b)}"
        )
    return max(float(np.max(np.abs(a[k] - b[k]))) for k in a)
