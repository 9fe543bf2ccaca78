"""The one process a data-parallel PyTorch run must equal: the batches every rank of a
DistributedDataParallel run reads together, and one process trained on them with the
same recipe and starting weights (``rnnlib.torch.parallel`` re-exports both)."""

import time

import numpy as np
import torch
from torch.utils.data import DistributedSampler

from rnnlib import parallel, recipes
from rnnlib.numpy import lstm_stack
from rnnlib.torch.classify import classifier_optimizer, make_classifier_step
from rnnlib.torch.models import MnistLSTM

__all__ = ["combined_batches", "train_single"]


def combined_batches(n_train, batch_size, num_workers, epoch, seed=0) -> np.ndarray:
    """The indices (steps, batch_size) every rank of ``num_workers`` reads together in
    epoch ``epoch``: each rank's ``DistributedSampler`` (after ``set_epoch(epoch)``) cut
    into its batches of batch_size // num_workers, side by side (the last, partial
    batch dropped, as the ranks' DataLoaders do with ``drop_last=True``)."""
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
