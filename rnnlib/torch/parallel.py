"""Data-parallel training of the MNIST LSTM with PyTorch's own engine:
``DistributedDataParallel`` (DDP), started by ``torchrun``.

``python -m rnnlib.torch.parallel --out DIR [options]`` is the worker script: torchrun
starts it once per process and gives each its rank in the environment. Every rank builds
the same model, wraps it in DDP (which broadcasts rank 0's weights, then averages the
gradients during ``backward``), reads its own share of every batch through a
``DistributedSampler`` and steps its own optimizer. The runs named "hand-rolled..."
average the gradients with ``all_reduce`` by hand instead, and broadcast nothing; the
others break one thing on purpose (``rnnlib.parallel.RUNS``). ``launch`` runs torchrun
from Python; ``train_single`` trains one process on the
combined batches, in the same order (``combined_batches``), to check against. gloo on a
CPU, nccl on GPUs (one per process).
"""

import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from rnnlib import parallel, recipes
from rnnlib.numpy import lstm_stack
from rnnlib.torch.classify import classifier_optimizer, make_classifier_step
from rnnlib.torch.models import MnistLSTM

__all__ = [
    "RUNS",
    "combined_batches",
    "launch",
    "main",
    "train_rank",
    "train_single",
    "worker",
]

RUNS = tuple(parallel.RUNS)  # every run: DDP, and all_reduce by hand
ALLREDUCE_REPEATS = 20  # all-reduces timed, after training, for the communication share


def combined_batches(n_train, batch_size, num_workers, epoch, seed=0) -> np.ndarray:
    """The indices (steps, batch_size) every rank of ``num_workers`` reads together in
    epoch ``epoch``: each rank's ``DistributedSampler`` (after ``set_epoch(epoch)``) cut
    into its batches of batch_size // num_workers, side by side."""
    parallel.check_options(num_workers, n_train, epoch + 1, batch_size)
    per_rank = batch_size // num_workers
    shards = []
    for rank in range(num_workers):
        sampler = DistributedSampler(
            range(n_train), num_workers, rank, shuffle=True, seed=seed, drop_last=True
        )
        sampler.set_epoch(epoch)
        order = np.array(list(sampler))
        steps = len(order) // per_rank
        shards.append(order[: steps * per_rank].reshape(steps, per_rank))
    return np.concatenate(shards, axis=1)  # (steps, batch_size)


def train_single(
    x, y, *, num_workers, num_epochs=2, batch_size=128, seed=0, dtype="float64"
):
    """One process, one model, trained on the combined batches of ``num_workers`` ranks
    with the same recipe and starting weights: what DDP must reproduce. Returns the
    model and the seconds of every step."""
    recipe = parallel.recipe(batch_size, num_epochs)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = np.asarray(x, dtype)  # (n, num_steps, num_inputs)
    params = lstm_stack.init_params(seed=seed)
    model = MnistLSTM(params, dtype=getattr(torch, dtype)).to(device)
    optimizer = classifier_optimizer(model, recipe)
    step = make_classifier_step(model, optimizer, clip_norm=recipe.clip_norm)
    batches = [
        combined_batches(len(x), batch_size, num_workers, epoch, seed)
        for epoch in range(num_epochs)
    ]
    rates = recipes.learning_rates(recipe, len(batches[0]))
    seconds = []
    for i, batch in enumerate(np.concatenate(batches)):  # (steps, batch_size) each
        x_batch, y_batch = x[batch], y[batch]  # (batch_size, 28, 28), (batch_size,)
        start = time.perf_counter()
        step(x_batch, y_batch, rates[i])
        seconds.append(time.perf_counter() - start)
    return model, np.array(seconds)


def train_rank(dataset, run, *, batch_size, num_epochs, seed, device, log=print):
    """One rank's share of one run (a name of ``rnnlib.parallel.RUNS``), inside a
    process group; returns (the model, its optimizer, losses, seconds per step)."""
    hand_rolled, set_epoch, same_init, dtype = parallel.RUNS[run]
    dtype = getattr(torch, dtype)
    rank, world = dist.get_rank(), dist.get_world_size()
    recipe = parallel.recipe(batch_size, num_epochs)
    sampler = DistributedSampler(dataset, shuffle=True, seed=seed, drop_last=True)
    loader = DataLoader(dataset, batch_size=batch_size // world, sampler=sampler)
    params = lstm_stack.init_params(seed=seed if same_init else seed + rank)
    model = MnistLSTM(params, dtype=dtype).to(device)
    if not hand_rolled:
        model = DistributedDataParallel(model)  # broadcasts rank 0's weights
    optimizer = classifier_optimizer(model, recipe)
    rates = recipes.learning_rates(recipe, len(loader))
    losses, seconds = [], []
    for epoch in range(recipe.num_epochs):
        if set_epoch:
            sampler.set_epoch(epoch)  # a new order every epoch, the same on all ranks
        for i, (x_batch, y_batch) in enumerate(loader):
            start = time.perf_counter()
            for group in optimizer.param_groups:
                group["lr"] = float(rates[epoch * len(loader) + i])
            # x_batch: (batch_size // world, num_steps, num_inputs)
            logits = model(x_batch.to(device, dtype))  # (batch_size // world, 10)
            loss = F.cross_entropy(logits, y_batch.to(device))
            optimizer.zero_grad()
            loss.backward()  # DDP: every gradient is now the mean over the ranks
            if hand_rolled:
                for p in model.parameters():
                    if p.grad is not None:
                        dist.all_reduce(p.grad)  # the sum over the ranks
                        p.grad /= world
            if recipe.clip_norm is not None:  # after the average: as one process
                nn.utils.clip_grad_norm_(model.parameters(), recipe.clip_norm)
            optimizer.step()
            losses.append(loss.item())
            seconds.append(time.perf_counter() - start)
        if rank == 0:  # one log, not one per rank
            mean = np.mean(losses[-len(loader) :])
            log(f"[{run}] epoch {epoch + 1}: mean loss {mean:.4f} (rank 0's shard)")
    return (model if hand_rolled else model.module), optimizer, losses, seconds


def worker(args) -> None:
    """Every run of ``args.runs`` in turn, as one rank, from the parsed options
    (``rnnlib.parallel.worker_parser``); torchrun's environment says which rank."""
    runs = parallel.check_runs(args.runs, RUNS)
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank = dist.get_rank()
    device = torch.device("cuda", rank % torch.cuda.device_count()) if cuda else "cpu"
    x, y = parallel.load_train(args.n_train)
    dataset = TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    for run in runs:
        model, optimizer, losses, seconds = train_rank(
            dataset,
            run,
            batch_size=args.batch_size,
            num_epochs=args.num_epochs,
            seed=args.seed,
            device=device,
        )
        out = Path(args.out) / run
        if rank == 0:  # one checkpoint, written by one rank
            out.mkdir(parents=True, exist_ok=True)
            checkpoint = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": args.num_epochs,
            }
            torch.save(checkpoint, out / "checkpoint.pt")
        if run == runs[0]:  # once per launch: the same network every run
            allreduce = time_allreduce(model)
        parallel.write_rank(out, rank, model.params(), losses, seconds, allreduce)
    dist.barrier()
    dist.destroy_process_group()


def time_allreduce(model) -> float:
    """Seconds of one all-reduce of as many floats as the model has parameters, timed
    alone (NaN for a single process)."""
    if dist.get_world_size() == 1:
        return float("nan")
    device = next(model.parameters()).device
    flat = torch.zeros(sum(p.numel() for p in model.parameters()), device=device)
    dist.all_reduce(flat)  # once untimed: connections set up
    dist.barrier()
    start = time.perf_counter()
    for _ in range(ALLREDUCE_REPEATS):
        dist.all_reduce(flat)
    if flat.is_cuda:
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / ALLREDUCE_REPEATS


def launch(
    num_workers,
    out,
    *,
    runs=("correct",),
    n_train=55_000,
    num_epochs=2,
    batch_size=128,
    seed=0,
    threads=1,
    timeout=1200.0,
) -> dict[str, parallel.Run]:
    """Run the worker script under torchrun, ``num_workers`` processes on this machine
    talking over 127.0.0.1, each of ``runs`` in turn; returns each run's Run, read
    back from what the ranks wrote into ``out``."""
    parallel.check_options(num_workers, n_train, num_epochs, batch_size)
    runs = parallel.check_runs(runs, RUNS)
    Path(out).mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",  # what the torchrun command runs
        "--nnodes=1",
        "--node-rank=0",
        f"--nproc-per-node={num_workers}",
        f"--master-addr={parallel.HOST}",
        f"--master-port={parallel.free_port()}",
        "-m",
        "rnnlib.torch.parallel",
        f"--out={out}",
        *parallel.worker_flags(n_train, num_epochs, batch_size, seed, threads, runs),
    ]
    (log,) = parallel.run_processes(
        [command], [parallel.loopback_env()], timeout=timeout
    )
    shown = shlex.join(["torchrun", *command[3:]])
    return parallel.read_runs(out, runs, num_workers, batch_size, shown, log)


def main(argv=None) -> None:
    """The worker script: ``python -m rnnlib.torch.parallel --out DIR ...``."""
    args = parallel.worker_parser("rnnlib.torch.parallel").parse_args(argv)
    worker(args)


if __name__ == "__main__":
    main()
