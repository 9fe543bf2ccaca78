"""Truncated backprop's outer loop, the same for every framework.

A framework supplies one function, ``step(x_window, y_window, state) -> (loss, state)``,
that runs the model over a (batch_size, num_steps) window from ``state`` and returns the
window's mean loss and the final state. These loops carry the state from window to
window (TF-style truncated backprop: the step function stops the gradient at the
window's first state) and keep the book's learning curves. ``step_losses_over`` scores a
trained model on held-out data, step by step. NumPy and tqdm only.
"""

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from tqdm import tqdm

from rnnlib._checks import check_int
from rnnlib.config import PROGRESS_ENV, show_progress
from rnnlib.data.batching import num_windows, split_rows, windows


__all__ = [
    "PROGRESS_ENV",
    "LearningCurve",
    "show_progress",
    "step_losses_over",
    "train_windows",
]


class LearningCurve(NamedTuple):
    """Mean training loss of each block of ``every`` windows, and the time the training
    took."""

    window: (
        np.ndarray
    )  # (num_points,) index of the last window of each block, counted over all epochs
    loss: np.ndarray  # (num_points,) mean loss over that block
    every: int
    windows_per_epoch: int
    seconds: float

    @property
    def epoch(self) -> np.ndarray:
        """Each point's position in epochs (1.0 = the end of the first pass over the
        data)."""
        return self.window / self.windows_per_epoch


def train_windows(
    step: Callable[[np.ndarray, np.ndarray, Any], tuple[Any, Any]],
    x,
    y,
    *,
    batch_size: int,
    num_steps: int,
    num_epochs: int,
    zero_state: Callable[[int], Any],
    every: int = 100,
    progress: bool | None = None,
    desc: str = "training",
    after_epoch: Callable[[int], Any] | None = None,
) -> LearningCurve:
    """Run ``step`` over ``num_epochs`` passes of windows; the state restarts at zero
    each epoch.

    Averages the loss over each block of ``every`` windows (exactly ``every``; a partial
    block at the end of training is averaged over the windows it has). ``progress=None``
    shows a tqdm bar unless ``RNNLIB_PROGRESS=0``. ``after_epoch(epochs_done)``, if
    given, runs after each epoch (to score the model on the way, say); its time is not
    counted in the curve's ``seconds``.
    """
    every = check_int(every, "every")
    num_epochs = check_int(num_epochs, "num_epochs")
    per_epoch = num_windows(len(x), batch_size=batch_size, num_steps=num_steps)
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
            for x_window, y_window in windows(
                x, y, batch_size=batch_size, num_steps=num_steps
            ):
                loss, state = step(x_window, y_window, state)
                block.append(float(loss))
                count += 1
                if len(block) == every:
                    points.append((count, np.mean(block)))
                    block = []
                bar.update()
            if after_epoch is not None:
                paused = time.perf_counter()
                after_epoch(epoch + 1)
                outside += time.perf_counter() - paused
    if block:
        points.append((count, np.mean(block)))
    seconds = time.perf_counter() - start - outside
    window, loss = (np.array(column) for column in zip(*points))
    return LearningCurve(window, loss, every, per_epoch, seconds)


def step_losses_over(
    step_losses: Callable[[np.ndarray, np.ndarray, Any], tuple[Any, Any]],
    x,
    y,
    *,
    batch_size: int,
    num_steps: int,
    zero_state: Callable[[int], Any],
) -> tuple[np.ndarray, np.ndarray]:
    """Every step's loss over a whole sequence, the state carried across windows,
    nothing trained.

    ``step_losses(x_window, y_window, state) -> (losses of shape (batch_size,
    num_steps), state)``. Returns ``(positions, losses)``, both of shape (m,): the index
    into x of each scored step and its loss, in sequence order (the steps batching drops
    are left out). Pair them with another model's losses at the same positions, for
    instance the optimal predictor's (``rnnlib.data.theory.optimal_step_losses(x,
    y)[positions]``).
    """
    rows = split_rows(
        np.arange(len(x)), batch_size
    )  # (batch_size, row_length) positions
    positions, losses = [], []
    state = zero_state(batch_size)
    for (x_window, y_window), (position, _) in zip(
        windows(x, y, batch_size=batch_size, num_steps=num_steps),
        windows(rows.ravel(), rows.ravel(), batch_size=batch_size, num_steps=num_steps),
    ):
        window_losses, state = step_losses(x_window, y_window, state)
        losses.append(np.asarray(window_losses, dtype=np.float64))
        positions.append(position)
    positions = np.concatenate(positions, axis=1).ravel()  # row by row: sequence order
    losses = np.concatenate(losses, axis=1).ravel()
    return positions, losses
