"""Truncated backprop's outer loop, the same for every framework.

A framework supplies one function, ``step(x_window, y_window, state) -> (loss, state)``,
that runs the model over a (batch_size, num_steps) window from ``state`` and returns the
window's mean loss and the final state. These loops carry the state from window to
window (TF-style truncated backprop: the step function stops the gradient at the
window's first state) and keep the book's learning curves. ``step_losses_over`` scores a
trained model on held-out data, step by step.

What both frameworks' ``train`` share lives here too: the optimizers they know
(``OPTIMIZERS``, Adam's ``ADAM_EPSILON``), one learning rate per epoch
(``epoch_learning_rates``) and the loop that runs consecutive epochs at each rate and
joins their curves into one (``train_at_rates``). NumPy and tqdm only.
"""

import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from tqdm import tqdm

from rnnlib._checks import check_classes, check_int, check_learning_rate
from rnnlib.config import PROGRESS_ENV, show_progress
from rnnlib.data.batching import num_windows, split_rows, windows

__all__ = [
    "ADAM_EPSILON",
    "OPTIMIZERS",
    "PROGRESS_ENV",
    "LearningCurve",
    "check_optimizer",
    "check_tokens_and_labels",
    "epoch_learning_rates",
    "show_progress",
    "step_losses_over",
    "train_at_rates",
    "train_windows",
]

#: The optimizers ``rnnlib.tf.make_optimizer`` and ``rnnlib.torch.make_optimizer``
#: build: Adagrad as TF1 ran it (the original's), plain SGD, and Adam.
OPTIMIZERS = ("adagrad", "sgd", "adam")

#: Adam's epsilon. Keras adds it to sqrt(v) before the bias correction, PyTorch after,
#: so the same epsilon means different steps; one this small makes both negligible.
ADAM_EPSILON = 1e-10


def check_tokens_and_labels(model, x, y) -> None:
    """A clear error, the same in both frameworks, unless x holds ids the model reads
    (``model.input_size``, or its ``num_classes`` where inputs and labels share the
    classes) and y labels it predicts; checked on the NumPy data before any step is
    traced, where TensorFlow would encode a bad id as an all-zero input. A model
    without those attributes is not checked."""
    num_classes = getattr(model, "num_classes", None)  # a model of one's own may lack
    input_size = getattr(model, "input_size", num_classes)
    if input_size is not None:
        check_classes(x, input_size, "x")
    if num_classes is not None:
        check_classes(y, num_classes, "y")


def check_optimizer(name) -> str:
    """``name`` unchanged, or a ValueError naming the optimizers rnnlib builds."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {name!r}")
    return name


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


def epoch_learning_rates(learning_rate, num_epochs, final_learning_rate=None):
    """The learning rate of every epoch: ``learning_rate``, and ``final_learning_rate``
    for the last one when it is given (a smaller last step settles the weights)."""
    rates = [check_learning_rate(learning_rate)] * check_int(num_epochs, "num_epochs")
    if final_learning_rate is not None:
        rates[-1] = check_learning_rate(final_learning_rate, "final_learning_rate")
    return rates


def train_at_rates(
    step: Callable[[np.ndarray, np.ndarray, Any], tuple[Any, Any]],
    set_learning_rate: Callable[[float], Any],
    x,
    y,
    *,
    learning_rates,
    after_epoch: Callable[[int], Any] | None = None,
    **options,
) -> LearningCurve:
    """``train_windows`` for one epoch per entry of ``learning_rates``: consecutive
    epochs at the same rate run as one call, ``set_learning_rate(rate)`` before each
    later one, and the curves are joined into one, windows counted across them.

    ``options`` are ``train_windows``'s (batch_size, num_steps, zero_state, every,
    progress, desc); ``after_epoch(epochs_done)`` counts epochs across the runs.
    """
    runs = []  # [(epochs, rate)] of consecutive epochs at the same rate
    for rate in learning_rates:
        if runs and runs[-1][1] == rate:
            runs[-1] = (runs[-1][0] + 1, rate)
        else:
            runs.append((1, rate))
    if not runs:
        raise ValueError("learning_rates must hold one rate per epoch, got none")
    curves, done = [], 0
    for epochs, rate in runs:
        if curves:  # the same optimizer and step function, at the new rate
            set_learning_rate(rate)
        offset = done
        curves.append(
            train_windows(
                step,
                x,
                y,
                num_epochs=epochs,
                after_epoch=None
                if after_epoch is None
                else (lambda epoch, offset=offset: after_epoch(offset + epoch)),
                **options,
            )
        )
        done += epochs
    return joined(curves)


def joined(curves) -> LearningCurve:
    """One LearningCurve from consecutive runs, windows counted across them."""
    offsets = np.cumsum([0] + [c.window[-1] for c in curves])
    return curves[0]._replace(
        window=np.concatenate([c.window + o for c, o in zip(curves, offsets)]),
        loss=np.concatenate([c.loss for c in curves]),
        seconds=sum(c.seconds for c in curves),
    )
