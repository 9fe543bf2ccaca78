"""What a model of the echo task can reach: expected losses, floors, paired scores.

A model that sees the lags in ``known`` is best off predicting P(Y_t = 1) averaged over
the lags it cannot see; its expected loss is the mean binary entropy of those
predictions (chapter 2). ``floors()`` names the four cases; ``which_learned`` reads a
held-out loss against them; ``optimal_step_losses`` scores the optimal predictor on the
very sequence a model was scored on, so that the two can be compared step by step (a
paired difference, far less noisy than comparing either with the exact floor). NumPy
only.
"""

import itertools
import math
from collections.abc import Iterable
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from rnnlib._checks import check_int
from rnnlib.data.echo import (
    DEFAULT_BASE,
    check_base,
    check_bits,
    check_effects,
    check_lag,
    check_positions,
    generate,
    lagged,
)

__all__ = [
    "BETWEEN",
    "DEPENDENCIES",
    "Estimate",
    "LADDER",
    "MAX_LAGS",
    "binary_entropy",
    "cross_entropy",
    "estimate",
    "expected_loss",
    "floors",
    "monte_carlo_loss",
    "optimal_predictions",
    "optimal_step_losses",
    "paired_excess",
    "which_learned",
]

#: expected_loss enumerates 2**k patterns of the k lags involved: refuse more than this.
MAX_LAGS = 20


def check_known(known) -> tuple[int, ...]:
    if isinstance(known, (str, bytes)) or not isinstance(known, Iterable):
        raise ValueError(
            f"known must be an iterable of integer lags >= 1, like (3, 8); "
            f"got {known!r}"
        )
    return tuple(sorted({check_lag(lag, "known") for lag in known}))


# ---------------------------------------------------------------- the expected cross-
# entropy


def binary_entropy(q) -> np.ndarray:
    """H(q) = -q ln q - (1 - q) ln(1 - q) in nats, with H(0) = H(1) = 0."""
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -q * np.log(q) - (1 - q) * np.log1p(-q)
    return np.where((q <= 0) | (q >= 1), 0.0, h)


def optimal_predictions(
    known=(3, 8), *, effects=None, base=DEFAULT_BASE
) -> dict[tuple[int, ...], float]:
    """The Bayes-optimal P(Y_t = 1) for a model that sees the lags in ``known``.

    Returns a dict from the values of (X_{t-k} for k in sorted(known)) to the
    prediction, the average of P(Y_t = 1) over the lags the model cannot see (each a
    fair coin).
    """
    known = check_known(known)
    effects = check_effects(effects)
    base = check_base(base)
    lags = sorted(set(known) | set(effects))
    if len(lags) > MAX_LAGS:
        raise ValueError(
            f"known and effects involve {len(lags)} lags, so the exact expectation "
            f"would enumerate 2**{len(lags)} patterns; at most {MAX_LAGS} are "
            "supported (estimate larger cases with monte_carlo_loss)"
        )
    groups: dict[tuple[int, ...], list[float]] = {}
    for bits in itertools.product((0, 1), repeat=len(lags)):
        value = dict(zip(lags, bits))
        p = min(1.0, max(0.0, base + sum(e * value[lag] for lag, e in effects.items())))
        groups.setdefault(tuple(value[lag] for lag in known), []).append(p)
    return {key: sum(ps) / len(ps) for key, ps in groups.items()}


def expected_loss(known=(3, 8), *, effects=None, base=DEFAULT_BASE) -> float:
    """Expected cross-entropy (nats per step) of the best model that sees exactly
    ``known``.

    Exact, by enumerating every value of the lags involved. With the default task:
    neither ``()`` 0.661563, only t-3 ``(3,)`` 0.519167, only t-8 ``(8,)`` 0.627741,
    both ``(3, 8)`` 0.454454, the floor no model can beat.
    """
    predictions = optimal_predictions(known, effects=effects, base=base)
    # every pattern of the known lags is equally likely: the expectation is a mean
    return float(np.mean(binary_entropy(list(predictions.values()))))


# ---------------------------------------------------------------- losses on data


class Estimate(NamedTuple):
    """A mean with a confidence interval [low, high] from ``n`` values."""

    mean: float
    low: float
    high: float
    n: int


def estimate(values, *, confidence=0.95, block=1) -> Estimate:
    """Mean of ``values`` (shape (n,)) with a normal interval, mean +- z * sd / sqrt(n).
    With ``block`` > 1, ``values`` are taken to be in sequence order and the interval
    comes from the means of consecutive blocks of ``block`` values (a last, incomplete
    block left out): values that are correlated with their neighbours, like the losses
    of nearby steps of one model, then count about once per block instead of once
    each, and the interval widens by as much as that correlation requires. The mean is
    always the mean of all ``values``; ``n`` is their number.
    """
    values = np.asarray(values, dtype=float).ravel()
    if not 0 < confidence < 1:
        raise ValueError(
            f"confidence must lie strictly between 0 and 1, got {confidence!r}"
        )
    block = check_int(block, "block")
    if values.size // block < 2:
        raise ValueError(
            f"values must hold at least {2 * block} numbers"
            + ("" if block == 1 else f" (2 blocks of block={block})")
            + f", got {values.size}"
        )
    usable = values.size // block * block
    spread = values[:usable].reshape(-1, block).mean(axis=1)
    mean = float(values.mean())
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half_width = z * float(spread.std(ddof=1)) / math.sqrt(spread.size)
    return Estimate(mean, mean - half_width, mean + half_width, int(values.size))


def cross_entropy(y: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per-step cross-entropy -ln P(y) of predictions ``q`` = P(Y = 1), shapes (n,)."""
    p_of_y = np.where(y == 1, q, 1 - q)
    with np.errstate(divide="ignore"):
        return -np.log(p_of_y)


def optimal_step_losses(
    x, y, known=(3, 8), *, effects=None, base=DEFAULT_BASE
) -> np.ndarray:
    """The loss of the optimal predictor for ``known`` at every step of x, y (shape
    (n,)).

    Score a model on the same held-out x, y and subtract these step by step: the
    difference has far less noise than either loss, because both share the label noise
    of each step.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"x and y must be sequences of the same shape (n,), got {x.shape} "
            f"and {y.shape}"
        )
    check_bits(x, "x")
    check_bits(y, "y")
    known = check_known(known)
    predictions = optimal_predictions(known, effects=effects, base=base)
    seen = (
        np.stack([lagged(x, lag) for lag in known], axis=1)
        if known
        else np.zeros((len(x), 0))
    )
    q = np.empty(len(x))
    for key, prediction in predictions.items():
        q[np.all(seen == np.array(key, dtype=int), axis=1)] = prediction
    return cross_entropy(y, q)


def paired_excess(
    losses, x, y, positions, known=(3, 8), *, confidence=0.95, block=1
) -> Estimate:
    """A model's held-out loss minus the optimal predictor's, step by step, with an
    interval.

    ``losses`` and ``positions`` (shape (m,)) are what ``heldout_step_losses`` returns
    for the held-out sequence x, y (shape (n,)): each scored step's loss and its index
    into x. The optimal predictor for ``known`` is scored on the same steps; both pay
    the same label noise, so the difference is far less noisy than either loss against
    its exact floor. 0 means the model predicts as well as that predictor.

    The differences are put in sequence order (by position) and ``estimate`` takes the
    interval over blocks of ``block`` consecutive steps: ``block=1`` treats every step
    as independent; a larger block allows for a model whose errors at nearby steps are
    correlated through its state (chapter 3 measures how much that changes).
    """
    losses, positions = np.asarray(losses, float), np.asarray(positions)
    if losses.ndim != 1 or losses.shape != positions.shape:
        raise ValueError(
            f"losses and positions must have the same shape (m,), got {losses.shape} "
            f"and {positions.shape}"
        )
    optimal = optimal_step_losses(x, y, known)
    check_positions(positions, len(optimal))
    order = np.argsort(positions, kind="stable")
    differences = losses[order] - optimal[positions[order]]
    return estimate(differences, confidence=confidence, block=block)


def monte_carlo_loss(
    known=(3, 8),
    *,
    n=1_000_000,
    effects=None,
    base=DEFAULT_BASE,
    seed=None,
    confidence=0.95,
) -> Estimate:
    """Estimate ``expected_loss(known)`` from ``n`` fresh steps, with a confidence
    interval.

    The optimal model for ``known`` predicts every step; the interval should cover the
    exact value (at 95% confidence it misses one time in twenty).
    """
    n = check_int(n, "n", minimum=2)
    if not 0 < confidence < 1:
        raise ValueError(
            f"confidence must lie strictly between 0 and 1, got {confidence!r}"
        )
    x, y = generate(n, effects=effects, base=base, seed=seed)
    losses = optimal_step_losses(x, y, known, effects=effects, base=base)
    return estimate(losses, confidence=confidence)


# ---------------------------------------------------------------- naming what a model
# learned

#: What a model can know, by name, and the lags that name stands for.
DEPENDENCIES = {"neither": (), "only t-3": (3,), "only t-8": (8,), "both": (3, 8)}

#: The floors a learning curve passes on its way down: the larger echo is learned first.
LADDER = ("neither", "only t-3", "both")
BETWEEN = {
    ("neither", "only t-3"): "part of t-3",
    ("only t-3", "both"): "t-3 and part of t-8",
}


def floors() -> dict[str, float]:
    """The expected loss of each entry of DEPENDENCIES on the default task."""
    return {name: expected_loss(lags) for name, lags in DEPENDENCIES.items()}


def which_learned(loss: float, *, tolerance: float = 0.005) -> str:
    """Name what a model with this held-out cross-entropy has learned of the default
    task.

    Within ``tolerance`` nats of a floor of LADDER: that floor's name ("neither", "only
    t-3", "both"). Between two of them: "part of t-3" or "t-3 and part of t-8". Above
    "neither": "neither"; below "both" (held-out noise can put a good model there):
    "both". The loss alone cannot tell "only t-8" (0.6277) from part of the t-3 echo, so
    that floor is never named; a curve on this task learns the larger t-3 echo first.
    """
    if (
        isinstance(loss, bool)
        or not isinstance(loss, (int, float, np.number))
        or not math.isfinite(loss)
        or loss < 0
    ):
        raise ValueError(f"loss must be a finite cross-entropy >= 0, got {loss!r}")
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float))
        or not tolerance >= 0
    ):
        raise ValueError(f"tolerance must be a number >= 0, got {tolerance!r}")
    levels = floors()
    for name in LADDER:
        if abs(loss - levels[name]) <= tolerance:
            return name
    if loss > levels[LADDER[0]]:
        return LADDER[0]
    for upper, lower in zip(LADDER, LADDER[1:]):
        if levels[lower] < loss < levels[upper]:
            return BETWEEN[upper, lower]
    return LADDER[-1]
