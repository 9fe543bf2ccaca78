"""Training a language model for a fixed number of steps, the same for every framework.

A framework supplies ``step(x_window, y_window, state, learning_rate) -> (loss, state,
grad_norm)``: one update on a (batch_size, num_steps) window from ``state``, which
returns the window's mean loss, its final state (cut from the graph: the next window's
backprop stops there) and the gradient's global norm before clipping. ``train_steps``
reads the training text as ``batch_size`` contiguous rows (``rnnlib.data.batching``),
window after window, so that each row's state carries across windows; after the last
window of a pass it starts again from the first with a zero state. The number of steps
is fixed, not the time, so a run is the same on every machine; the learning rate
follows ``cosine_rate``. NumPy and tqdm only.
"""

import math
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from tqdm import tqdm

from rnnlib._checks import check_int
from rnnlib.config import show_progress
from rnnlib.data.batching import num_windows, windows

__all__ = ["LMHistory", "cosine_rate", "train_steps"]


class LMHistory(NamedTuple):
    """What a run recorded, one entry per step."""

    loss: np.ndarray  # (steps,) mean training loss of each window
    grad_norm: np.ndarray  # (steps,) global gradient norm before clipping
    learning_rate: np.ndarray  # (steps,)
    seconds: float  # the whole run, first step (tracing) included
    windows_per_epoch: int


def cosine_rate(step, total, learning_rate, final_fraction=0.1) -> float:
    """``learning_rate`` at step 0, falling along half a cosine to ``final_fraction``
    of it at the last step ``total - 1``."""
    step, total = check_int(step, "step", minimum=0), check_int(total, "total")
    if total == 1:
        return float(learning_rate)
    progress = min(step / (total - 1), 1.0)
    floor = final_fraction * learning_rate
    return float(
        floor + (learning_rate - floor) * 0.5 * (1 + math.cos(math.pi * progress))
    )


def train_steps(
    step: Callable[[np.ndarray, np.ndarray, Any, float], tuple[Any, Any, Any]],
    ids,
    *,
    zero_state: Callable[[int], Any],
    batch_size: int,
    num_steps: int,
    steps: int,
    learning_rate: float,
    final_fraction: float = 0.1,
    progress: bool | None = None,
    desc: str = "training",
) -> LMHistory:
    """Run ``step`` on ``steps`` windows of the text ``ids`` (shape (n,)), inputs
    ids[t] and targets ids[t + 1], the state carried from window to window."""
    steps = check_int(steps, "steps")
    ids = np.asarray(ids)
    x, y = ids[:-1], ids[1:]
    per_epoch = num_windows(len(x), batch_size=batch_size, num_steps=num_steps)
    if per_epoch == 0:
        raise ValueError(
            f"the text ({len(ids)} characters) is too short for one window of "
            f"batch_size={batch_size} rows of num_steps={num_steps}"
        )
    losses, norms, rates = [], [], []
    start = time.perf_counter()
    with tqdm(
        total=steps,
        desc=desc,
        disable=not (show_progress() if progress is None else progress),
        leave=False,
    ) as bar:
        while len(losses) < steps:
            state = zero_state(batch_size)
            for x_window, y_window in windows(
                x, y, batch_size=batch_size, num_steps=num_steps
            ):
                rate = cosine_rate(len(losses), steps, learning_rate, final_fraction)
                loss, state, norm = step(x_window, y_window, state, rate)
                losses.append(float(loss))
                norms.append(float(norm))
                rates.append(rate)
                bar.update()
                if len(losses) == steps:
                    break
    seconds = time.perf_counter() - start
    return LMHistory(
        np.array(losses), np.array(norms), np.array(rates), seconds, per_epoch
    )
