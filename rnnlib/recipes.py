"""Training recipes for a classifier, the same in every framework: the settings, the
learning rate at every step, the order of the batches, and the loop over epochs.

The MNIST chapter trains one model with two recipes. ``SEED_001`` is the original
script's: Adam at a constant 0.01, batches of 64, 10 epochs. ``ONE_CYCLE`` is the better
one for the same model and epochs: AdamW with a one-cycle learning rate (warm up to the
peak over the first 30 % of the steps, then anneal to almost zero), weight decay 0.01,
gradients clipped to norm 1.0, batches of 128. A framework supplies one function,
``step(x_batch, y_batch, learning_rate) -> loss``; ``train_epochs`` feeds it the same
batches in the same order in TensorFlow and PyTorch. NumPy and tqdm only.
"""

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from rnnlib._checks import (
    check_classes,
    check_int,
    check_learning_rate,
    check_nonnegative,
    check_optional_positive,
    check_positive,
)
from rnnlib.config import show_progress

__all__ = [
    "ONE_CYCLE",
    "RECIPES",
    "SEED_001",
    "History",
    "Recipe",
    "check_classifier_data",
    "check_recipe",
    "epoch_batches",
    "learning_rates",
    "train_epochs",
]


class Recipe(NamedTuple):
    """How to train: optimizer, learning rate (its peak for "one-cycle"), batch size,
    epochs, and the extras."""

    name: str
    optimizer: str  # "adam" or "adamw" (weight decay decoupled from the gradient)
    learning_rate: float
    batch_size: int
    num_epochs: int
    schedule: str = "constant"  # or "one-cycle"
    weight_decay: float = 0.0
    clip_norm: float | None = None  # the gradients' global norm is clipped to this
    warmup: float = 0.3  # one-cycle: the fraction of the steps spent warming up
    start_div: float = 25.0  # one-cycle: it starts at learning_rate / start_div
    end_div: float = 1e4  # ... and ends at learning_rate / start_div / end_div
    epsilon: float = 1e-8  # Adam's, as TF1 and PyTorch default it (Keras: 1e-7)


SEED_001 = Recipe("seed 001", "adam", 0.01, batch_size=64, num_epochs=10)
ONE_CYCLE = Recipe(
    "one-cycle",
    "adamw",
    0.01,
    batch_size=128,
    num_epochs=10,
    schedule="one-cycle",
    weight_decay=0.01,
    clip_norm=1.0,
)
RECIPES = {recipe.name: recipe for recipe in (SEED_001, ONE_CYCLE)}
OPTIMIZERS, SCHEDULES = ("adam", "adamw"), ("constant", "one-cycle")


def check_recipe(recipe) -> Recipe:
    """``recipe`` unchanged, or a clear error naming the first setting out of range,
    the same in both frameworks (a negative clip_norm would run gradient ascent in
    PyTorch and skip clipping in TensorFlow)."""
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a Recipe, got {type(recipe).__name__}")
    if recipe.optimizer not in OPTIMIZERS:
        raise ValueError(
            f"recipe.optimizer must be one of {list(OPTIMIZERS)}, got "
            f"{recipe.optimizer!r}"
        )
    if recipe.schedule not in SCHEDULES:
        raise ValueError(
            f"recipe.schedule must be one of {list(SCHEDULES)}, got {recipe.schedule!r}"
        )
    check_learning_rate(recipe.learning_rate, "recipe.learning_rate")
    check_int(recipe.batch_size, "recipe.batch_size")
    check_int(recipe.num_epochs, "recipe.num_epochs")
    check_nonnegative(recipe.weight_decay, "recipe.weight_decay")
    check_optional_positive(recipe.clip_norm, "recipe.clip_norm")
    for name in ("start_div", "end_div", "epsilon"):
        check_positive(getattr(recipe, name), f"recipe.{name}")
    if not 0 < recipe.warmup < 1:
        raise ValueError(f"recipe.warmup must lie in (0, 1), got {recipe.warmup!r}")
    return recipe


def check_classifier_data(x, y, num_classes, x_val=None, y_val=None) -> None:
    """Clear errors, the same in both frameworks, for a classifier's data: x and y as
    many examples, labels in [0, num_classes), and both validation arrays or neither
    (x_val alone would score every prediction against nothing: an accuracy of 0)."""
    if len(x) != len(y):
        raise ValueError(f"x and y must hold as many examples; got {len(x)}, {len(y)}")
    check_classes(y, num_classes, "y")
    if (x_val is None) != (y_val is None):
        given, missing = ("x_val", "y_val") if y_val is None else ("y_val", "x_val")
        raise ValueError(
            f"{given} was given without {missing}: pass both to score each epoch, or "
            "neither"
        )
    if x_val is not None:
        if len(x_val) != len(y_val):
            raise ValueError(
                f"x_val and y_val must hold as many examples; got {len(x_val)} and "
                f"{len(y_val)}"
            )
        check_classes(y_val, num_classes, "y_val")


def learning_rates(recipe: Recipe, steps_per_epoch: int) -> np.ndarray:
    """The learning rate of every step, (recipe.num_epochs * steps_per_epoch,).

    "one-cycle" is PyTorch's ``OneCycleLR`` with its defaults (cosine in both phases)
    and without its momentum cycling, so that Keras can follow it step for step.
    """
    check_recipe(recipe)
    steps_per_epoch = check_int(steps_per_epoch, "steps_per_epoch")
    total = recipe.num_epochs * steps_per_epoch
    if recipe.schedule == "constant":
        return np.full(total, recipe.learning_rate)
    peak = recipe.learning_rate
    start = peak / recipe.start_div
    end = start / recipe.end_div
    turn = (
        float(recipe.warmup * total) - 1
    )  # the step at the peak, as OneCycleLR has it
    if not 0 < turn < total - 1:
        raise ValueError(
            f"a one-cycle schedule needs a warm-up of at least two steps and a decay; "
            f"got {total} steps with recipe.warmup={recipe.warmup}"
        )
    step = np.arange(total, dtype=np.float64)
    rising = step <= turn
    fraction = np.where(rising, step / turn, (step - turn) / (total - 1 - turn))
    cosine = (np.cos(np.pi * fraction) + 1) / 2  # 1 -> 0 over each phase
    return np.where(rising, peak + (start - peak) * cosine, end + (peak - end) * cosine)


def epoch_batches(num_examples: int, batch_size: int, rng) -> np.ndarray:
    """One epoch's batches: indices (num_batches, batch_size) of a fresh shuffle.

    The last, partial batch is dropped, as the original's ``num_examples //
    batch_size`` did: every batch has the same shape (TensorFlow traces its step once),
    and the next epoch's shuffle uses the examples left out.
    """
    batch_size = check_int(batch_size, "batch_size")
    num_batches = num_examples // batch_size
    if num_batches == 0:
        raise ValueError(
            f"batch_size must be at most the number of examples, {num_examples}; "
            f"got {batch_size}"
        )
    order = rng.permutation(num_examples)
    return order[: num_batches * batch_size].reshape(num_batches, batch_size)


class History(NamedTuple):
    """What training recorded, one entry per epoch (and per step for the last two)."""

    loss: np.ndarray  # (num_epochs,) mean training loss over each epoch's batches
    val_accuracy: np.ndarray  # (num_epochs,) after each epoch; NaN when not evaluated
    seconds: np.ndarray  # (num_epochs,) training time of each epoch, evaluation apart
    step_loss: np.ndarray  # (num_steps,) the loss of every training step
    learning_rate: np.ndarray  # (num_steps,) the learning rate every step used


def train_epochs(
    step: Callable,
    x,
    y,
    recipe: Recipe,
    *,
    evaluate: Callable[[], float] | None = None,
    seed: int = 0,
    progress: bool | None = None,
    desc: str = "training",
) -> History:
    """Train with ``recipe``: ``step(x_batch, y_batch, learning_rate) -> loss`` on
    batches drawn by ``np.random.default_rng(seed)``; ``evaluate()`` after each epoch.

    x: (n, ...) and y: (n,) NumPy arrays. ``progress=None`` shows a tqdm bar unless
    ``RNNLIB_PROGRESS=0``.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must hold as many examples; got {len(x)}, {len(y)}")
    check_recipe(recipe)
    rng = np.random.default_rng(seed)
    if recipe.batch_size > len(x):
        raise ValueError(
            f"recipe.batch_size must be at most the number of examples, {len(x)}; "
            f"got {recipe.batch_size}"
        )
    steps_per_epoch = len(x) // recipe.batch_size
    rates = learning_rates(recipe, steps_per_epoch)
    losses, accuracies, seconds = [], [], []
    show = show_progress() if progress is None else progress
    with tqdm(total=len(rates), desc=desc, disable=not show, leave=False) as bar:
        for epoch in range(recipe.num_epochs):
            start = time.perf_counter()
            for i, batch in enumerate(epoch_batches(len(x), recipe.batch_size, rng)):
                rate = rates[epoch * steps_per_epoch + i]
                losses.append(float(step(x[batch], y[batch], rate)))
                bar.update()
            seconds.append(time.perf_counter() - start)
            accuracies.append(np.nan if evaluate is None else float(evaluate()))
            bar.set_postfix(
                loss=f"{np.mean(losses[-steps_per_epoch:]):.4f}",
                val_accuracy=f"{accuracies[-1]:.4f}",
            )
    step_loss = np.array(losses)
    return History(
        loss=step_loss.reshape(recipe.num_epochs, steps_per_epoch).mean(axis=1),
        val_accuracy=np.array(accuracies),
        seconds=np.array(seconds),
        step_loss=step_loss,
        learning_rate=rates,
    )
