"""The echo task: a fair coin X_t and a label Y_t that echoes X three and eight steps back.

P(Y_t = 1) = base + sum_k effects[k] * X_{t-k}, clipped to [0, 1]. With the defaults
(base 0.5, effects {3: 0.5, 8: -0.25}) that is 0.5 + 0.5 X_{t-3} - 0.25 X_{t-8}.

Like the original article's generator, the first lags wrap around: X_{t-k} for t < k is read
from the end of the sequence (Python's negative indexing), so every step has the same law.
This module imports NumPy only.
"""

import itertools
import math
from collections.abc import Iterable, Mapping
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from rnnlib._checks import check_int

DEFAULT_EFFECTS = {3: 0.5, 8: -0.25}
DEFAULT_BASE = 0.5


# ---------------------------------------------------------------- checking arguments


def _check_lag(lag, name) -> int:
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
        raise ValueError(f"{name} must hold integer lags >= 1, got {lag!r}")
    return int(lag)


def _check_effects(effects) -> dict[int, float]:
    if effects is None:
        return dict(DEFAULT_EFFECTS)
    if not isinstance(effects, Mapping):
        raise ValueError(
            f"effects must be a mapping of int lag -> float effect, like {{3: 0.5, 8: -0.25}}; "
            f"got {type(effects).__name__} {effects!r}"
        )
    checked = {}
    for lag, effect in effects.items():
        lag = _check_lag(lag, "effects")
        if isinstance(effect, bool) or not isinstance(effect, (int, float, np.number)):
            raise ValueError(f"effects[{lag}] must be a number, got {effect!r}")
        if not math.isfinite(effect):
            raise ValueError(f"effects[{lag}] must be finite, got {effect!r}")
        checked[lag] = float(effect)
    return checked


def _check_base(base) -> float:
    if isinstance(base, bool) or not isinstance(base, (int, float, np.number)) or not math.isfinite(base):
        raise ValueError(f"base must be a finite number, got {base!r}")
    return float(base)


def _check_known(known) -> tuple[int, ...]:
    if isinstance(known, (str, bytes)) or not isinstance(known, Iterable):
        raise ValueError(f"known must be an iterable of integer lags >= 1, like (3, 8); got {known!r}")
    return tuple(sorted({_check_lag(lag, "known") for lag in known}))


# ---------------------------------------------------------------- generating data


def lagged(x: np.ndarray, lag: int) -> np.ndarray:
    """X_{t-lag} for every t, wrapping around at the start: ``lagged(x, 3)[t] == x[t - 3]``."""
    return np.roll(x, lag)


def probability_of_one(x: np.ndarray, *, effects=None, base=DEFAULT_BASE) -> np.ndarray:
    """P(Y_t = 1 | X) for every t of a 0/1 sequence ``x`` of shape (n,)."""
    effects = _check_effects(effects)
    p = np.full(len(x), _check_base(base))
    for lag, effect in effects.items():
        p += effect * lagged(x, lag)
    return np.clip(p, 0.0, 1.0, out=p)


def fair_coins(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` fair 0/1 coins as uint8: the eight bits of each random byte are eight independent coins."""
    return np.unpackbits(rng.integers(0, 256, size=(n + 7) // 8, dtype=np.uint8))[:n]


def generate(n, *, effects=None, base=DEFAULT_BASE, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` steps of the echo task, vectorized.

    Returns ``(x, y)``, two int64 arrays of shape (n,) holding 0s and 1s. ``seed`` is anything
    ``np.random.default_rng`` takes (an int, None, or a Generator). Y_t = 1 when a uniform draw
    r_t in [0, 1) is below P(Y_t = 1), so each Y_t is 1 with exactly that probability. The first
    lags wrap around to the end of the sequence, as in the original article.
    """
    n = check_int(n, "n")
    effects = _check_effects(effects)
    base = _check_base(base)
    rng = np.random.default_rng(seed)
    x = fair_coins(rng, n)  # (n,) uint8
    r = rng.random(n)  # (n,) uniform in [0, 1)
    y = r < probability_of_one(x, effects=effects, base=base)
    return x.astype(np.int64), y.astype(np.int64)


def generate_legacy(n) -> tuple[np.ndarray, np.ndarray]:
    """The original article's generator, bit for bit, vectorized.

    The original draws ``np.random.choice(2, size=n)`` from NumPy's global legacy RNG, then one
    ``np.random.rand()`` per step, and sets Y = 1 iff r <= threshold, where threshold is
    0.5 + 0.5 X[i-3] - 0.25 X[i-8] (negative indices wrap around). Seed it the old way,
    ``np.random.seed(s)``, to reproduce the original's data. ``n`` must be at least 8, the
    longest lag, as the original's ``X[i - 8]`` needs.
    """
    n = check_int(n, "n", minimum=8)
    x = np.array(np.random.choice(2, size=(n,)))
    r = np.random.rand(n)  # the same stream as n calls of np.random.rand()
    threshold = 0.5 + 0.5 * lagged(x, 3) - 0.25 * lagged(x, 8)  # exact: all dyadic
    y = (r <= threshold).astype(np.int64)
    return x, y


# ---------------------------------------------------------------- the expected cross-entropy


def binary_entropy(q) -> np.ndarray:
    """H(q) = -q ln q - (1 - q) ln(1 - q) in nats, with H(0) = H(1) = 0."""
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -q * np.log(q) - (1 - q) * np.log1p(-q)
    return np.where((q <= 0) | (q >= 1), 0.0, h)


def optimal_predictions(known=(3, 8), *, effects=None, base=DEFAULT_BASE) -> dict[tuple[int, ...], float]:
    """The Bayes-optimal P(Y_t = 1) for a model that sees the lags in ``known``.

    Returns a dict from the values of (X_{t-k} for k in sorted(known)) to the prediction, which is
    the average of P(Y_t = 1) over the lags the model cannot see (each a fair coin).
    """
    known = _check_known(known)
    effects = _check_effects(effects)
    base = _check_base(base)
    lags = sorted(set(known) | set(effects))
    groups: dict[tuple[int, ...], list[float]] = {}
    for bits in itertools.product((0, 1), repeat=len(lags)):
        value = dict(zip(lags, bits))
        p = min(1.0, max(0.0, base + sum(effect * value[lag] for lag, effect in effects.items())))
        groups.setdefault(tuple(value[lag] for lag in known), []).append(p)
    return {key: sum(ps) / len(ps) for key, ps in groups.items()}


def expected_loss(known=(3, 8), *, effects=None, base=DEFAULT_BASE) -> float:
    """Expected cross-entropy (nats per step) of the best model that sees exactly the lags in ``known``.

    Exact, by enumerating every value of the lags involved. With the default task:
    neither ``()`` 0.661563, only t-3 ``(3,)`` 0.519167, only t-8 ``(8,)`` 0.627741,
    both ``(3, 8)`` 0.454454, the floor no model can beat.
    """
    predictions = optimal_predictions(known, effects=effects, base=base)
    # Every pattern of the known lags is equally likely, so the expectation is a plain mean.
    return float(np.mean(binary_entropy(list(predictions.values()))))


class Estimate(NamedTuple):
    """A Monte Carlo estimate with a confidence interval [low, high]."""

    mean: float
    low: float
    high: float
    n: int


def cross_entropy(y: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per-step cross-entropy -ln P(y) of predictions ``q`` = P(Y = 1), both of shape (n,)."""
    p_of_y = np.where(y == 1, q, 1 - q)
    with np.errstate(divide="ignore"):
        return -np.log(p_of_y)


def monte_carlo_loss(
    known=(3, 8), *, n=1_000_000, effects=None, base=DEFAULT_BASE, seed=None, confidence=0.95
) -> Estimate:
    """Estimate ``expected_loss(known)`` from ``n`` generated steps, with a normal confidence interval.

    The optimal model for ``known`` predicts every step of fresh data; the mean cross-entropy and
    its ``confidence`` interval (mean +- z * std / sqrt(n)) should cover the exact value.
    """
    n = check_int(n, "n", minimum=2)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    known = _check_known(known)
    predictions = optimal_predictions(known, effects=effects, base=base)
    x, y = generate(n, effects=effects, base=base, seed=seed)
    q = np.empty(n)
    seen = np.stack([lagged(x, lag) for lag in known], axis=1) if known else np.zeros((n, 0), int)
    for key, prediction in predictions.items():
        q[np.all(seen == np.array(key, dtype=int), axis=1)] = prediction
    losses = cross_entropy(y, q)
    mean = float(losses.mean())
    half_width = NormalDist().inv_cdf(0.5 + confidence / 2) * float(losses.std(ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half_width, mean + half_width, n)


# ---------------------------------------------------------------- naming what a model learned

#: What a model can know, by name, and the lags that name stands for.
DEPENDENCIES = {"neither": (), "only t-3": (3,), "only t-8": (8,), "both": (3, 8)}

#: The floors a learning curve passes on its way down: the larger echo is learned first.
LADDER = ("neither", "only t-3", "both")
BETWEEN = {("neither", "only t-3"): "part of t-3", ("only t-3", "both"): "t-3 and part of t-8"}


def floors() -> dict[str, float]:
    """The expected loss of each entry of DEPENDENCIES on the default task."""
    return {name: expected_loss(lags) for name, lags in DEPENDENCIES.items()}


def which_learned(loss: float, *, tolerance: float = 0.005) -> str:
    """Name what a model with this held-out cross-entropy has learned of the default echo task.

    Within ``tolerance`` nats of a floor of LADDER: that floor's name ("neither", "only t-3", "both").
    Between two of them: "part of t-3" or "t-3 and part of t-8". Above "neither": "neither"; below
    "both": "both". The loss alone cannot tell "only t-8" (0.6277) from part of the t-3 echo, so
    that floor is never named; a curve on this task learns the larger t-3 echo first.
    """
    if isinstance(loss, bool) or not isinstance(loss, (int, float, np.number)) or not math.isfinite(loss):
        raise ValueError(f"loss must be a finite number, got {loss!r}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
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
