"""Two variable-length tasks made from the echo task, and what the best possible model
scores on each. NumPy only.

- Labelling, ``echo_segments``: stretches of one echo sequence, each read from its own
  start. A label at every step; at position p (from 0) a model has seen only the inputs
  from 0 to p, so the first labels of a stretch depend on inputs it never saw, and the
  best loss per position is a floor of chapter 2: 'neither' for p < 3, 'only t-3' for
  3 <= p < 8, 'both' after (``segment_optimal_losses``).
- Classification, ``echo_rules``: which of several echo rules produced a sequence. The
  label y_t agrees with the input ``lag`` steps back with probability ``agreement``; the
  class is the index of the lag. Each step's token is 1 + 2 x_t + y_t (0 is padding).
  The posterior over the rules is exact (``rule_posteriors``), so the accuracy of the
  best possible classifier is known.
"""

import itertools

import numpy as np

from rnnlib._checks import check_int, check_memory, is_number
from rnnlib.data import echo, theory
from rnnlib.data.padded import mask, pad

__all__ = [
    "NUM_TOKENS",
    "RULE_LAGS",
    "echo_rules",
    "echo_segments",
    "rule_posteriors",
    "segment_floor",
    "segment_optimal_losses",
]

#: The echo rules the classification task tells apart: the lag each copies.
RULE_LAGS = (1, 2, 3)
#: Tokens of echo_rules: 0 is padding, 1 + 2 x_t + y_t the four (x_t, y_t) pairs.
NUM_TOKENS = 5


def check_length_range(min_length, max_length) -> tuple[int, int]:
    min_length = check_int(min_length, "min_length")
    max_length = check_int(max_length, "max_length")
    if max_length < min_length:
        raise ValueError(
            f"max_length must be >= min_length={min_length}, got {max_length}"
        )
    return min_length, max_length


def check_agreement(agreement) -> float:
    if not is_number(agreement) or not 0.5 <= agreement < 1:
        raise ValueError(f"agreement must lie in [0.5, 1), got {agreement!r}")
    return float(agreement)


def check_rule_lags(lags) -> tuple[int, ...]:
    """The rules' lags: distinct integers >= 1 (a lag of 0 copies the step itself, a
    negative one would read the future)."""
    if isinstance(lags, (str, bytes)) or not hasattr(lags, "__iter__"):
        raise ValueError(f"lags must be a sequence of integer lags >= 1, got {lags!r}")
    lags = tuple(check_int(lag, "lags[i]") for lag in lags)
    if not lags or len(set(lags)) != len(lags):
        raise ValueError(f"lags must name at least one lag, each once, got {lags}")
    return lags


def check_padded_size(num_sequences, max_length, bytes_per_step) -> None:
    check_memory(
        "max_length",
        max_length,
        num_sequences * max_length,
        bytes_per_step,
        f"padded steps ({num_sequences:,} sequences)",
    )


def echo_segments(num_sequences, *, min_length, max_length, seed=None):
    """(x, y, lengths): consecutive stretches of one echo sequence, padded with 0.

    x, y: (num_sequences, max_length) int64; lengths uniform on [min_length,
    max_length].
    """
    num_sequences = check_int(num_sequences, "num_sequences")
    min_length, max_length = check_length_range(min_length, max_length)
    check_padded_size(num_sequences, max_length, 48)  # x, y padded; the echo steps
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=num_sequences)
    x, y = echo.generate(max(int(lengths.sum()), 9), seed=rng)
    bounds = np.cumsum(lengths)[:-1]
    x_padded, _ = pad(np.split(x[: lengths.sum()], bounds), max_length=max_length)
    y_padded, _ = pad(np.split(y[: lengths.sum()], bounds), max_length=max_length)
    return x_padded, y_padded, lengths


def visible_lags(position) -> tuple[int, ...]:
    """The echo's lags a model at ``position`` of a stretch has seen the input of."""
    return tuple(lag for lag in echo.DEFAULT_EFFECTS if lag <= position)


def segment_optimal_losses(x, y, lengths) -> np.ndarray:
    """(num_sequences, max_length): the optimal predictor's loss at every step of
    echo_segments' stretches (it sees each stretch from its start); NaN at padding."""
    x, y = np.asarray(x), np.asarray(y)
    valid = mask(lengths, x.shape[1])
    losses = np.full(x.shape, np.nan)
    for position in range(x.shape[1]):
        known = visible_lags(position)
        predictions = theory.optimal_predictions(known)
        # The inputs at the visible lags, read as a binary number, index the table.
        table = np.array(
            [predictions[key] for key in itertools.product((0, 1), repeat=len(known))]
        )
        index = np.zeros(len(x), dtype=int)
        for lag in known:
            index = 2 * index + x[:, position - lag]
        losses[:, position] = theory.cross_entropy(y[:, position], table[index])
    losses[~valid] = np.nan
    return losses


def segment_floor(lengths) -> float:
    """The best expected loss per valid step over stretches of these lengths: the mean,
    over the valid steps, of the floor of what each position can see."""
    valid = mask(lengths)
    per_position = [
        theory.expected_loss(visible_lags(p)) for p in range(valid.shape[1])
    ]
    return float(np.broadcast_to(per_position, valid.shape)[valid].mean())


def echo_rules(
    num_sequences, *, min_length, max_length, agreement=0.75, lags=RULE_LAGS, seed=None
):
    """(tokens, lengths, labels): sequences each made by one echo rule, padded with 0.

    tokens (num_sequences, max_length): 1 + 2 x_t + y_t, x_t a fair coin and y_t equal
    to x_{t - lag} with probability ``agreement`` (a fair coin for t < lag); labels
    (num_sequences,): the index of the rule's lag in ``lags``, uniform.
    """
    num_sequences = check_int(num_sequences, "num_sequences")
    min_length, max_length = check_length_range(min_length, max_length)
    check_agreement(agreement)
    lags = check_rule_lags(lags)
    check_padded_size(num_sequences, max_length, 56)  # seven arrays of that shape
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=num_sequences)
    labels = rng.integers(0, len(lags), size=num_sequences)
    x = rng.integers(0, 2, size=(num_sequences, max_length))
    coins = rng.integers(0, 2, size=(num_sequences, max_length))
    agrees = rng.random((num_sequences, max_length)) < agreement
    lag = np.asarray(lags)[labels][:, None]  # (num_sequences, 1)
    steps = np.arange(max_length)[None, :]
    source = np.take_along_axis(x, np.maximum(steps - lag, 0), axis=1)
    y = np.where(steps >= lag, np.where(agrees, source, 1 - source), coins)
    tokens = np.where(mask(lengths, max_length), 1 + 2 * x + y, 0)
    return tokens, lengths, labels


def rule_posteriors(tokens, lengths, *, agreement=0.75, lags=RULE_LAGS) -> np.ndarray:
    """(num_sequences, len(lags)): P(rule | sequence), exact, from a uniform prior.

    Under the rule with lag k, each valid step t >= k contributes agreement or 1 -
    agreement as y_t agrees with x_{t-k} or not, and every other step 1/2.
    """
    check_agreement(agreement)
    lags = check_rule_lags(lags)
    tokens = np.asarray(tokens)
    valid = mask(lengths, tokens.shape[1])
    x, y = (tokens - 1) // 2, (tokens - 1) % 2
    steps = np.arange(tokens.shape[1])[None, :]
    log_likelihood = []
    for lag in lags:
        source = np.roll(x, lag, axis=1)  # x_{t - lag}, used only where t >= lag
        per_step = np.where(y == source, np.log(agreement), np.log1p(-agreement))
        per_step = np.where(steps >= lag, per_step, np.log(0.5))
        log_likelihood.append(np.where(valid, per_step, 0.0).sum(axis=1))
    log_likelihood = np.stack(log_likelihood, axis=1)
    log_likelihood -= log_likelihood.max(axis=1, keepdims=True)
    posterior = np.exp(log_likelihood)
    return posterior / posterior.sum(axis=1, keepdims=True)
