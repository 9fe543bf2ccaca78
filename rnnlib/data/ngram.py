"""Character n-gram models with interpolated smoothing, Witten-Bell or Kneser-Ney: the
baselines a language model must beat.

A model of order k predicts a character from the k characters before it. Its counts
come from a training sequence; its probability of character w after context h mixes
an estimate from the counts of h with the model of order k - 1 (h without its oldest
character, h'), down to order 0, which mixes the character counts with the uniform
distribution over the vocabulary. Two ways to mix (Chen and Goodman 1999 give both in
this interpolated form):

- Witten-Bell (Witten and Bell 1991), ``method="witten-bell"``, no setting to tune:

      P_k(w | h) = (c(h w) + T(h) P_{k-1}(w | h')) / (c(h) + T(h))

  where c(h w) counts h followed by w in training, c(h) counts h followed by anything,
  and T(h) is the number of different characters seen after h. The weight
  T(h) / (c(h) + T(h)) of the shorter context is the estimated chance that h is
  followed by a character never seen after it.
- Kneser-Ney (Kneser and Ney 1995), ``method="kneser-ney"``, one discount D:

      P_k(w | h) = (max(c(h w) - D, 0) + D T(h) P_{k-1}(w | h')) / c(h)

  at the model's own order; every lower order uses, in place of the count c(h' w),
  the number of different characters seen before h' w (its *continuation count*),
  and sums and T of those. A lower order is only consulted for what the longer
  context has not settled, so it should say how many contexts a character completes,
  not how often it occurs.

A context never seen in training (c(h) = 0) hands the prediction down unchanged:
P_k = P_{k-1}. Both are distributions over the vocabulary for every context.

Sequences are integer ids in [0, vocab_size). Contexts and n-grams are packed into
int64 keys (the most recent character the least significant digit, base vocab_size), so
counting is ``np.unique`` and looking up is ``np.searchsorted``. NumPy only.
"""

from typing import NamedTuple

import numpy as np

from rnnlib._checks import check_int

__all__ = ["MAX_ORDER", "METHODS", "NGramCounts", "distribution", "fit", "step_losses"]

MAX_ORDER = 9  # keys of 10 characters from 65 still fit in int64
METHODS = ("witten-bell", "kneser-ney")


class Level(NamedTuple):
    """The counts of one context length: sorted keys and what they count."""

    grams: np.ndarray  # (m,) keys of (context, next character), sorted
    gram_counts: np.ndarray  # (m,) c(h w)
    contexts: np.ndarray  # (l,) keys of contexts, sorted
    context_counts: np.ndarray  # (l,) c(h)
    context_types: np.ndarray  # (l,) T(h): different characters seen after h


class NGramCounts(NamedTuple):
    """Everything an interpolated model of ``order`` needs: one Level of counts per
    context length 0, 1, ..., order (``levels``), and one Level of continuation
    counts per context length 0, ..., order - 1 (``continuation``: each gram counts
    the different characters seen before it)."""

    order: int
    vocab_size: int
    levels: tuple
    continuation: tuple


def _check_ids(ids, vocab_size, name) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 1-D array of integer ids, got {ids.dtype} of shape "
            f"{ids.shape}"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"{name} must hold ids in [0, {vocab_size}), got values in "
            f"[{ids.min()}, {ids.max()}]"
        )
    return ids.astype(np.int64)


def _context_keys(ids, length, vocab_size) -> np.ndarray:
    """Key of the ``length`` ids before each position t >= length: shape (n - length,),
    entry i for position length + i."""
    n = len(ids)
    keys = np.zeros(n - length, np.int64)
    for back in range(1, length + 1):  # ids[t - back], weight vocab_size**(back - 1)
        keys += ids[length - back : n - back] * vocab_size ** (back - 1)
    return keys


def _level(grams, gram_counts, vocab_size) -> Level:
    """A Level from sorted gram keys and their counts."""
    contexts, first, context_types = np.unique(
        grams // vocab_size, return_index=True, return_counts=True
    )
    context_counts = np.add.reduceat(gram_counts, first)
    return Level(grams, gram_counts, contexts, context_counts, context_types)


def fit(ids, order, vocab_size) -> NGramCounts:
    """Count the training sequence ``ids`` (shape (n,)) for a model of ``order``."""
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    order = check_int(order, "order", minimum=0)
    if order > MAX_ORDER:
        raise ValueError(f"order must be at most {MAX_ORDER}, got {order}")
    ids = _check_ids(ids, vocab_size, "ids")
    if len(ids) <= order:
        raise ValueError(
            f"ids must be longer than order={order}, got {len(ids)} characters"
        )
    levels = []
    for length in range(order + 1):
        grams = _context_keys(ids, length, vocab_size) * vocab_size + ids[length:]
        levels.append(_level(*np.unique(grams, return_counts=True), vocab_size))
    # The grams of length + 1 characters, their oldest character dropped: each key
    # once per different character seen before it.
    continuation = tuple(
        _level(
            *np.unique(
                levels[length + 1].grams % vocab_size ** (length + 1),
                return_counts=True,
            ),
            vocab_size,
        )
        for length in range(order)
    )
    return NGramCounts(order, vocab_size, tuple(levels), continuation)


def _lookup(keys, table, values) -> np.ndarray:
    """values[i] where table[i] == key, 0 where the key is not in the table."""
    where = np.searchsorted(table, keys)
    where = np.minimum(where, len(table) - 1)
    return np.where(table[where] == keys, values[where], 0)


def _check_method(counts, order, method, discount) -> int:
    order = counts.order if order is None else check_int(order, "order", minimum=0)
    if order > counts.order:
        raise ValueError(
            f"order must be at most the fitted order {counts.order}, got {order}"
        )
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not (isinstance(discount, (int, float)) and 0 < discount < 1):
        raise ValueError(f"discount must be a number in (0, 1), got {discount!r}")
    return order


def _counts_of(level, context, targets, vocab_size):
    """c(h w), c(h) and T(h) of one Level for aligned context keys and targets, 0 where
    the context is missing (key -1) or was never seen."""
    c_hw = _lookup(context * vocab_size + targets, level.grams, level.gram_counts)
    c_h = _lookup(context, level.contexts, level.context_counts)
    t_h = _lookup(context, level.contexts, level.context_types)
    return tuple(np.where(context >= 0, v, 0) for v in (c_hw, c_h, t_h))


def _interpolate(counts, context_keys, targets, order, method, discount):
    """P_order(targets | contexts) for aligned arrays of context keys (one per level,
    -1 where the context is missing) and targets."""
    vocab_size = counts.vocab_size
    p = np.full(targets.shape, 1.0 / vocab_size)  # below order 0: uniform
    for length in range(order + 1):
        context = context_keys[length]
        c_hw, c_h, t_h = _counts_of(counts.levels[length], context, targets, vocab_size)
        if method == "kneser-ney" and length < order:
            # Continuation counts, except where this is the longest context there is
            # (the first characters of a text): a model of that lower order.
            below = context_keys[length + 1] >= 0
            continued = _counts_of(
                counts.continuation[length], context, targets, vocab_size
            )
            c_hw, c_h, t_h = (
                np.where(below, k, r) for k, r in zip(continued, (c_hw, c_h, t_h))
            )
        seen = c_h > 0
        if method == "witten-bell":
            mixed = (c_hw + t_h * p) / np.where(seen, c_h + t_h, 1)
        else:
            kept = np.maximum(c_hw - discount, 0)
            mixed = (kept + discount * t_h * p) / np.where(seen, c_h, 1)
        p = np.where(seen, mixed, p)
    return p


def step_losses(
    counts: NGramCounts, ids, order=None, *, method="witten-bell", discount=0.75
) -> np.ndarray:
    """-ln P(ids[t] | the ``order`` ids before it) for every position t, shape (n,).

    ``order`` defaults to the counts' own and may be lower (one fit serves every lower
    order). The first positions have fewer characters before them and use what there
    is, as a model of lower order. ``method`` is "witten-bell" or "kneser-ney" (with
    ``discount``, unused by Witten-Bell).
    """
    order = _check_method(counts, order, method, discount)
    ids = _check_ids(ids, counts.vocab_size, "ids")
    n = len(ids)
    context_keys = []
    for length in range(order + 1):
        keys = np.full(n, -1, np.int64)
        if n > length:
            keys[length:] = _context_keys(ids, length, counts.vocab_size)
        context_keys.append(keys)
    return -np.log(_interpolate(counts, context_keys, ids, order, method, discount))


def distribution(
    counts: NGramCounts, context, order=None, *, method="witten-bell", discount=0.75
) -> np.ndarray:
    """P(w | context) for every character w, shape (vocab_size,): sums to one.

    ``context`` is a sequence of ids; its last ``order`` ids are used (fewer if it is
    shorter). ``method`` and ``discount`` as for ``step_losses``.
    """
    order = _check_method(counts, order, method, discount)
    context = _check_ids(np.asarray(context, np.int64), counts.vocab_size, "context")
    targets = np.arange(counts.vocab_size)
    context_keys = []
    for length in range(order + 1):
        if length <= len(context):
            key = _context_keys(np.append(context, 0), length, counts.vocab_size)[-1]
        else:
            key = -1
        context_keys.append(np.full(counts.vocab_size, key, np.int64))
    return _interpolate(counts, context_keys, targets, order, method, discount)
