"""Data-parallel training of the MNIST LSTM with PyTorch's own engine:
``DistributedDataParallel`` (DDP), started by ``torchrun``.

``python -m rnnlib.torch.parallel --out DIR [options]`` is the worker script: torchrun
starts it once per process and gives each its rank in the environment. Every rank builds
the same model, wraps it in DDP (which broadcasts rank 0's weights, then averages the
gradients during ``backward``), reads its own share of every batch through a
``DistributedSampler`` and steps its own optimizer. The runs named "hand-rolled..."
average the gradients with ``all_reduce`` by hand instead, and broadcast nothing; the
others break one thing on purpose, accumulate micro-batches under ``no_sync``, or fail
once and resume from a checkpoint when torchrun restarts them
(``rnnlib.parallel.RUNS``). ``launch`` runs torchrun from Python; ``train_single``
trains one process on the combined batches, in the same order (``combined_batches``),
to check against; ``count_correct`` scores a model on a set, as every rank scores its
shard of the test set. nccl on GPUs when there is one for every process of a machine (by
LOCAL_RANK), gloo on the CPU otherwise.
"""

import os
import shlex
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from rnnlib import parallel, recipes
from rnnlib.numpy import lstm_stack
from rnnlib.torch.classify import classifier_optimizer
from rnnlib.torch.models import MnistLSTM
from rnnlib.torch.parallel_single import combined_batches, train_single
from rnnlib.torch.parallel_speed import time_allreduce, time_workers

__all__ = [
    "RUNS",
    "combined_batches",
    "count_correct",
    "launch",
    "main",
    "train_rank",
    "train_single",
    "worker",
]

RUNS = tuple(parallel.RUNS)  # every run: DDP, and all_reduce by hand


@torch.no_grad()
def count_correct(model, x, y, *, batch_size=1000) -> int:
    """How many of x (n, num_steps, num_inputs) the model classifies as y (n,), in the
    model's own dtype (float64 models score in float64)."""
    model = getattr(model, "module", model)  # the model inside DDP
    first = next(model.parameters())
    correct = 0
    for i in range(0, len(x), batch_size):
        chunk = torch.as_tensor(np.asarray(x[i : i + batch_size]), device=first.device)
        logits = model(chunk.to(first.dtype))  # (chunk, num_classes)
        correct += int((logits.argmax(1).cpu().numpy() == y[i : i + batch_size]).sum())
    return correct


def count_allreduces(model) -> list[int]:
    """Count DDP's all-reduces: a comm hook that calls the default one; returns the
    counter, a one-element list."""
    calls = [0]

    def hook(state, bucket):
        calls[0] += 1
        return default_hooks.allreduce_hook(state, bucket)

    model.register_comm_hook(None, hook)
    return calls


def train_rank(dataset, run, *, batch_size, num_epochs, seed, device, out, log=print):
    """One rank's share of one run (a name of ``rnnlib.parallel.RUNS``), inside a
    process group; returns (the model, its optimizer, losses, seconds per step,
    all-reduces made). The run "restart" checkpoints every epoch into ``out`` and
    resumes from there when torchrun restarts it."""
    setting = parallel.RUNS[run]
    dtype = getattr(torch, setting.dtype)
    rank, world = dist.get_rank(), dist.get_world_size()
    recipe = parallel.recipe(batch_size, num_epochs)
    micro = parallel.micro_batch_size(batch_size // world, setting.accumulate)
    sampler = DistributedSampler(dataset, shuffle=True, seed=seed, drop_last=True)
    loader = DataLoader(  # drop_last: every step a full share, as TensorFlow's
        dataset, batch_size=batch_size // world, sampler=sampler, drop_last=True
    )
    params = lstm_stack.init_params(seed=seed if setting.same_init else seed + rank)
    model = MnistLSTM(params, dtype=dtype).to(device)
    resume = Path(out) / "resume.pt"
    state = None
    if setting.crash and resume.exists():  # torchrun restarted us: carry on
        state = torch.load(resume, weights_only=True, map_location=device)
        model.load_state_dict(state["model"])
        if rank == 0:
            log(f"[{run}] restarted: resumed after epoch {state['epoch']}")
    allreduces = [-1]
    if not setting.hand_rolled:
        model = DistributedDataParallel(model)  # broadcasts rank 0's weights
        allreduces = count_allreduces(model)
    optimizer = classifier_optimizer(model, recipe)
    losses, seconds, start_epoch = [], [], 0
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        losses, seconds, start_epoch = state["losses"], state["seconds"], state["epoch"]
    rates = recipes.learning_rates(recipe, len(loader))
    for epoch in range(start_epoch, recipe.num_epochs):
        if setting.set_epoch:
            sampler.set_epoch(epoch)  # a new order every epoch, the same on all ranks
        for i, (x_batch, y_batch) in enumerate(loader):
            start = time.perf_counter()
            for group in optimizer.param_groups:
                group["lr"] = float(rates[epoch * len(loader) + i])
            optimizer.zero_grad()
            loss = 0.0
            # x_batch: (batch_size // world, num_steps, num_inputs), in micro-batches
            for j, (xm, ym) in enumerate(
                zip(x_batch.split(micro), y_batch.split(micro))
            ):
                last = j == setting.accumulate - 1
                quiet = model.no_sync() if not (last or setting.hand_rolled) else None
                with quiet or nullcontext():  # no all-reduce before the last one
                    logits = model(xm.to(device, dtype))  # (micro, 10)
                    part = F.cross_entropy(logits, ym.to(device)) / setting.accumulate
                    part.backward()  # DDP, last micro-batch: the mean over the ranks
                loss += part.item()
            if setting.hand_rolled:
                for p in model.parameters():
                    if p.grad is not None:
                        dist.all_reduce(p.grad)  # the sum over the ranks
                        p.grad /= world
            optimizer.step()
            losses.append(loss)
            seconds.append(time.perf_counter() - start)
        if rank == 0:  # one log, not one per rank
            mean = np.mean(losses[-len(loader) :])  # this epoch's steps only
            log(f"[{run}] epoch {epoch + 1}: mean loss {mean:.4f} (rank 0's shard)")
        if setting.crash:
            crash_after(model, optimizer, losses, seconds, epoch + 1, resume)
    return getattr(model, "module", model), optimizer, losses, seconds, allreduces[0]


def crash_after(model, optimizer, losses, seconds, epoch, resume) -> None:
    """The run "restart": rank 0 checkpoints the epoch just finished; then, the first
    time only (torchrun counts restarts in TORCHELASTIC_RESTART_COUNT), the last rank
    fails after the first epoch, and torchrun restarts every rank."""
    rank, world = dist.get_rank(), dist.get_world_size()
    if rank == 0:
        state = {
            "model": model.module.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
            "losses": list(losses),
            "seconds": list(seconds),
        }
        torch.save(state, resume)
    dist.barrier()  # the checkpoint is on disk before anyone fails
    restarts = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
    if epoch == 1 and rank == world - 1 and restarts == 0:
        raise RuntimeError(f"rank {rank} fails on purpose after epoch 1")


def worker(args) -> None:
    """Every run of ``args.runs`` in turn, as one rank, from the parsed options
    (``rnnlib.parallel.worker_parser``); torchrun's environment says which rank."""
    runs = parallel.check_runs(args.runs, RUNS)
    torch.set_num_threads(args.threads)
    gpus, local_world = torch.cuda.device_count(), int(os.environ["LOCAL_WORLD_SIZE"])
    cuda = parallel.use_gpus(gpus, local_world)  # a GPU for every process, or none
    if cuda:  # this process's own GPU: its rank on this machine
        local_rank = int(os.environ["LOCAL_RANK"])
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if rank == 0:
        print(f"[devices] {parallel.device_note(gpus, local_world)}", flush=True)
    x, y = parallel.load_train(args.n_train)
    dataset = TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    for run in runs:
        out = Path(args.out) / run
        out.mkdir(parents=True, exist_ok=True)
        model, optimizer, losses, seconds, allreduces = train_rank(
            dataset,
            run,
            batch_size=args.batch_size,
            num_epochs=args.num_epochs,
            seed=args.seed,
            device=device,
            out=out,
        )
        extra = {"allreduces": allreduces}
        if rank == 0:  # one checkpoint, written by one rank
            checkpoint = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": args.num_epochs,
            }
            torch.save(checkpoint, out / "checkpoint.pt")
        if run == runs[0]:  # once per launch: the same network every run
            extra["allreduce_seconds"] = time_allreduce(model)
            if args.n_test:  # each rank scores its shard; the counts are summed
                x_test, y_test = parallel.load_test(args.n_test)
                mine = parallel.shard(args.n_test, rank, world)
                counts = torch.tensor(  # on the device: NCCL reduces GPU tensors only
                    [
                        count_correct(model, x_test[mine], y_test[mine]),
                        len(y_test[mine]),
                    ],
                    device=device,
                )
                dist.all_reduce(counts)  # the sums over the ranks
                extra |= {"correct": int(counts[0]), "scored": int(counts[1])}
        if run == "float32" and args.timing_repeats:
            extra["timings"] = time_workers(
                x,
                y,
                batch_size=args.batch_size,
                repeats=args.timing_repeats,
                steps=args.timing_steps,
                seed=args.seed,
                device=device,
            )
            extra["timed_steps"] = args.timing_steps
        parallel.write_rank(out, rank, model.params(), losses, seconds, **extra)
    dist.barrier()
    dist.destroy_process_group()


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
    timing=(0, 10),
    n_test=0,
    max_restarts=0,
    timeout=1200.0,
) -> dict[str, parallel.Run]:
    """Run the worker script under torchrun, ``num_workers`` processes on this machine
    talking over 127.0.0.1, each of ``runs`` in turn; ``timing`` is (repeats, steps a
    block) of the speed comparison after the run float32, ``n_test`` the test images
    the first run scores, ``max_restarts`` how often torchrun restarts the workers
    after a failure. Returns each run's Run, read back from what the ranks wrote."""
    parallel.check_options(
        num_workers, n_train, num_epochs, batch_size, timing[0], n_test
    )
    runs = parallel.check_runs(runs, RUNS)
    Path(out).mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",  # what the torchrun command runs
        "--nnodes=1",
        "--node-rank=0",
        f"--nproc-per-node={num_workers}",
        f"--max-restarts={max_restarts}",
        "--rdzv-backend=c10d",  # rank 0's store, which a restart can rejoin
        f"--rdzv-endpoint={parallel.HOST}:{parallel.free_port()}",
        "-m",
        "rnnlib.torch.parallel",
        f"--out={out}",
        *parallel.worker_flags(
            n_train, num_epochs, batch_size, seed, threads, runs, timing, n_test
        ),
    ]
    # torchrun's rendezvous store, shared with the workers' process group by default,
    # hands a restarted attempt the failed one's addresses (pytorch#135712): not shared
    env = parallel.loopback_env() | {"TORCH_DISABLE_SHARE_RDZV_TCP_STORE": "1"}
    (log,) = parallel.run_processes([command], [env], timeout=timeout)
    shown = shlex.join(["torchrun", *command[3:]])
    return parallel.read_runs(out, runs, num_workers, shown, log)


def main(argv=None) -> None:
    """The worker script: ``python -m rnnlib.torch.parallel --out DIR ...``."""
    args = parallel.worker_parser("rnnlib.torch.parallel").parse_args(argv)
    worker(args)


if __name__ == "__main__":
    main()
