"""How fast DistributedDataParallel trains here: one worker against all of them, timed
inside a launch by ``rnnlib.timing``'s protocol, and one all-reduce of every gradient
timed alone (the worker script of ``rnnlib.torch.parallel`` calls both)."""

import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from rnnlib import parallel, timing
from rnnlib.numpy import lstm_stack
from rnnlib.torch.classify import classifier_optimizer, make_classifier_step
from rnnlib.torch.models import MnistLSTM
from rnnlib.torch.parallel_single import combined_batches

__all__ = ["time_allreduce", "time_workers"]

ALLREDUCE_REPEATS = 20  # all-reduces timed, after training, for the communication share


def time_workers(x, y, *, batch_size, repeats, steps, seed, device) -> dict:
    """The speed comparison, by rnnlib.timing's protocol: blocks of ``steps`` training
    steps in float32 on global batches of ``batch_size``, by rank 0 alone (one process,
    the whole batch, while the others wait at a barrier) and by all ranks with DDP (a
    share each), interleaved, ``repeats`` times each after one untimed block each.
    Returns rank 0's seconds per block by candidate (empty on the other ranks)."""
    rank, world = dist.get_rank(), dist.get_world_size()
    params = lstm_stack.init_params(seed=seed)
    rate = parallel.recipe(batch_size, 1).learning_rate / 25  # small and constant
    order = combined_batches(len(x), batch_size, world, epoch=0, seed=seed)
    share = batch_size // world
    together = DistributedDataParallel(MnistLSTM(params).to(device))
    together_step = make_classifier_step(
        together, classifier_optimizer(together, parallel.recipe(batch_size, 1))
    )

    def all_workers():
        for i in range(steps):
            mine = order[i % len(order), rank * share : (rank + 1) * share]
            together_step(x[mine], y[mine], rate)

    if rank != 0:
        for _ in range(repeats + 1):  # rank 0's warm-up block, then its repeats
            dist.barrier()  # while rank 0 trains alone
            all_workers()
        return {}
    alone = MnistLSTM(params).to(device)
    alone_step = make_classifier_step(
        alone, classifier_optimizer(alone, parallel.recipe(batch_size, 1))
    )

    def one_worker():
        for i in range(steps):
            alone_step(x[order[i % len(order)]], y[order[i % len(order)]], rate)
        dist.barrier()  # the others wait here meanwhile

    found = timing.interleaved(
        {parallel.ONE: one_worker, parallel.ALL: all_workers}, repeats=repeats
    )
    return {name: list(t.samples) for name, t in found.items()}


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
