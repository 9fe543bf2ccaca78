"""The echo task: a fair coin X_t and a label Y_t that echoes X three and eight steps
back.

P(Y_t = 1) = base + sum_k effects[k] * X_{t-k}, clipped to [0, 1]. With the defaults
(base 0.5, effects {3: 0.5, 8: -0.25}) that is 0.5 + 0.5 X_{t-3} - 0.25 X_{t-8}.

Like the original article's generator, the first lags wrap around: X_{t-k} for t < k is
read from the end of the sequence (Python's negative indexing), so every step has the
same law. The expected losses and floors of the task are in ``rnnlib.data.theory``.
NumPy only.
"""

import math
from collections.abc import Mapping

import numpy as np

from rnnlib._checks import check_int, check_memory

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_EFFECTS",
    "fair_coins",
    "generate",
    "generate_legacy",
    "lagged",
    "probability_of_one",
]

DEFAULT_EFFECTS = {3: 0.5, 8: -0.25}
DEFAULT_BASE = 0.5


# ---------------------------------------------------------------- checking arguments


def check_lag(lag, name) -> int:
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 1:
        raise ValueError(f"{name} must hold integer lags >= 1, got {lag!r}")
    return int(lag)


def check_effects(effects) -> dict[int, float]:
    if effects is None:
        return dict(DEFAULT_EFFECTS)
    if not isinstance(effects, Mapping):
        raise ValueError(
            "effects must be a mapping of int lag -> float effect, like "
            f"{{3: 0.5, 8: -0.25}}; got {type(effects).__name__} {effects!r}"
        )
    checked = {}
    for lag, effect in effects.items():
        lag = check_lag(lag, "effects")
        if isinstance(effect, bool) or not isinstance(effect, (int, float, np.number)):
            raise ValueError(f"effects[{lag}] must be a number, got {effect!r}")
        if not math.isfinite(effect):
            raise ValueError(f"effects[{lag}] must be finite, got {effect!r}")
        checked[lag] = float(effect)
    return checked


def check_base(base) -> float:
    if (
        isinstance(base, bool)
        or not isinstance(base, (int, float, np.number))
        or not math.isfinite(base)
    ):
        raise ValueError(f"base must be a finite number, got {base!r}")
    return float(base)


def check_positions(positions, n) -> None:
    """A clear error unless ``positions`` are integer indices into a sequence of ``n``
    steps (what ``heldout_step_losses`` returns)."""
    positions = np.asarray(positions)
    if positions.size and (
        not np.issubdtype(positions.dtype, np.integer)
        or positions.min() < 0
        or positions.max() >= n
    ):
        raise ValueError(
            f"positions must be integer indices into the held-out sequence of {n} "
            f"steps, in [0, {n - 1}], got dtype {positions.dtype} and values from "
            f"{positions.min()} to {positions.max()}"
        )


def check_bits(values, name) -> None:
    """A clear error unless ``values`` holds only 0s and 1s, the echo task's
    symbols."""
    values = np.asarray(values)
    if values.size and not np.isin(values, (0, 1)).all():
        bad = values[~np.isin(values, (0, 1))]
        raise ValueError(
            f"{name} must hold the echo task's 0s and 1s, got {bad[0].item()!r} "
            f"(and {bad.size - 1} more values outside {{0, 1}})"
        )


# ---------------------------------------------------------------- generating data


def lagged(x: np.ndarray, lag: int) -> np.ndarray:
    """X_{t-lag} for every t, wrapping around at the start: ``lagged(x, 3)[t] == x[t -
    3]``."""
    return np.roll(x, lag)


def probability_of_one(x: np.ndarray, *, effects=None, base=DEFAULT_BASE) -> np.ndarray:
    """P(Y_t = 1 | X) for every t of a 0/1 sequence ``x`` of shape (n,)."""
    effects = check_effects(effects)
    p = np.full(len(x), check_base(base))
    for lag, effect in effects.items():
        p += effect * lagged(x, lag)
    return np.clip(p, 0.0, 1.0, out=p)


def fair_coins(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` fair 0/1 coins as uint8: the eight bits of each random byte are eight
    independent coins."""
    return np.unpackbits(rng.integers(0, 256, size=(n + 7) // 8, dtype=np.uint8))[:n]


def generate(
    n, *, effects=None, base=DEFAULT_BASE, seed=None
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` steps of the echo task, vectorized.

    Returns ``(x, y)``, two int64 arrays of shape (n,) holding 0s and 1s. ``seed`` is
    anything ``np.random.default_rng`` takes (an int, None, or a Generator). Y_t = 1
    when a uniform draw r_t in [0, 1) is below P(Y_t = 1), so each Y_t is 1 with exactly
    that probability. The first lags wrap around to the end of the sequence, as in the
    original article.
    """
    n = check_int(n, "n")
    # x and y (int64), the uniform draws and P(Y = 1) (float64): 32 bytes a step
    check_memory("n", n, n, 32, "echo steps")
    effects = check_effects(effects)
    base = check_base(base)
    if effects and max(effects) >= n:
        raise ValueError(
            f"n must exceed the longest lag: effects has lag {max(effects)}, so a "
            f"sequence of n={n} steps would echo itself; use n > {max(effects)}"
        )
    rng = np.random.default_rng(seed)
    x = fair_coins(rng, n)  # (n,) uint8
    r = rng.random(n)  # (n,) uniform in [0, 1)
    y = r < probability_of_one(x, effects=effects, base=base)
    return x.astype(np.int64), y.astype(np.int64)


def generate_legacy(n) -> tuple[np.ndarray, np.ndarray]:
    """The original article's generator, bit for bit, vectorized.

    The original draws ``np.random.choice(2, size=n)`` from NumPy's global legacy RNG,
    then one ``np.random.rand()`` per step, and sets Y = 1 iff r <= threshold, where
    threshold is 0.5 + 0.5 X[i-3] - 0.25 X[i-8] (negative indices wrap around). Seed it
    the old way, ``np.random.seed(s)``, to reproduce the original's data. ``n`` must be
    at least 8, the longest lag, as the original's ``X[i - 8]`` needs.
    """
    n = check_int(n, "n", minimum=8)
    check_memory("n", n, n, 40, "echo steps")
    x = np.array(np.random.choice(2, size=(n,)))
    r = np.random.rand(n)  # the same stream as n calls of np.random.rand()
    threshold = 0.5 + 0.5 * lagged(x, 3) - 0.25 * lagged(x, 8)  # exact: all dyadic
    y = (r <= threshold).astype(np.int64)
    return x, y
