"""Sweeps: several models trained at once, each on windows of its own sequence.

A sweep trains the same small model from several seeds (or at several learning rates).
A model of a few hundred weights does little arithmetic in each call, so M models whose
weights are stacked along a leading axis make every call do M models' work: one Python
loop and one call per operation for all of them instead of one per model (in less time
than M separate runs, we expect; no page or benchmark of the book times it). The models
never interact: the loss is the sum of the models' losses, so each weight's gradient is
its own model's, and an element-wise optimizer (SGD, Adagrad, Adam) steps each model
exactly as it would alone (up to rounding).
``rnnlib.numpy.stacked``, ``rnnlib.tf.stacked`` and ``rnnlib.torch.stacked`` hold the
stacked tanh cell; this module holds the outer loop, ``rnnlib.training.train_windows``
for M sequences in lockstep. NumPy and tqdm only.
"""

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from tqdm import tqdm

from rnnlib._checks import check_int
from rnnlib.config import show_progress
from rnnlib.data.batching import num_windows, windows
from rnnlib.training import LearningCurve

__all__ = ["stacked_windows", "train_stacked"]


def check_sequences(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """A clear error unless xs and ys are M sequences of the same length: (M, n)."""
    xs, ys = np.asarray(xs), np.asarray(ys)
    if xs.ndim != 2 or xs.shape != ys.shape:
        raise ValueError(
            f"xs and ys must be M sequences of one length, shape (M, n), got "
            f"{xs.shape} and {ys.shape}"
        )
    return xs, ys


def stacked_windows(xs, ys, *, batch_size, num_steps):
    """Yield (x_windows, y_windows), each (M, batch_size, num_steps): window i of every
    model's sequence, the windows ``rnnlib.data.batching.windows`` cuts from each."""
    xs, ys = check_sequences(xs, ys)
    per_model = [
        windows(x, y, batch_size=batch_size, num_steps=num_steps)
        for x, y in zip(xs, ys)
    ]
    for pairs in zip(*per_model):
        yield (np.stack([x for x, _ in pairs]), np.stack([y for _, y in pairs]))


def train_stacked(
    step: Callable[[np.ndarray, np.ndarray, Any], tuple[Any, Any]],
    xs,
    ys,
    *,
    batch_size: int,
    num_steps: int,
    num_epochs: int,
    zero_state: Callable[[int], Any],
    every: int = 100,
    progress: bool | None = None,
    desc: str = "training",
    after_epoch: Callable[[int], Any] | None = None,
) -> list[LearningCurve]:
    """``train_windows`` for M models at once: one LearningCurve per model.

    xs, ys: (M, n), model m's sequence in row m (the same sequence M times for models
    that share their data). ``step(x_windows, y_windows, state) -> (losses, state)``
    with windows of shape (M, batch_size, num_steps) and ``losses`` of shape (M,), each
    model's mean loss; ``zero_state(batch_size)`` gives the stacked zero state. The
    state restarts at zero each epoch; ``after_epoch(epochs_done)`` runs after each
    epoch, outside the timing. Every curve's ``seconds`` is the time of the whole
    stacked run.
    """
    xs, ys = check_sequences(xs, ys)
    every = check_int(every, "every")
    num_epochs = check_int(num_epochs, "num_epochs")
    num_models, n = xs.shape
    per_epoch = num_windows(n, batch_size=batch_size, num_steps=num_steps)
    points, block, count = [], [], 0
    start, outside = time.perf_counter(), 0.0
    with tqdm(
        total=per_epoch * num_epochs,
        desc=desc,
        disable=not (show_progress() if progress is None else progress),
        leave=False,
    ) as bar:
        for epoch in range(num_epochs):
            state = zero_state(batch_size)
            for x_windows, y_windows in stacked_windows(
                xs, ys, batch_size=batch_size, num_steps=num_steps
            ):
                losses, state = step(x_windows, y_windows, state)
                block.append(np.asarray(losses, dtype=np.float64).reshape(num_models))
                count += 1
                if len(block) == every:
                    points.append((count, np.mean(block, axis=0)))
                    block = []
                bar.update()
            if after_epoch is not None:
                paused = time.perf_counter()
                after_epoch(epoch + 1)
                outside += time.perf_counter() - paused
    if block:
        points.append((count, np.mean(block, axis=0)))
    seconds = time.perf_counter() - start - outside
    window = np.array([w for w, _ in points])
    losses = np.stack([loss for _, loss in points], axis=1)  # (M, num_points)
    return [
        LearningCurve(window, losses[m], every, per_epoch, seconds)
        for m in range(num_models)
    ]
