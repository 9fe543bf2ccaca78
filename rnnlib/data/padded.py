"""Sequences of different lengths in one rectangular batch: padding, lengths, masks.

A batch of sequences is stored as one array (batch_size, max_length): row i holds
sequence i, then ``value`` after its end. ``lengths[i]`` says where row i ends, and
``mask(lengths)`` marks the real steps (True) and the padding (False). A model reads the
padded batch in one go; whatever it computes at padded steps is thrown away: a
classifier reads each row's last *valid* output, at ``lengths[i] - 1``, and a labeller
averages its loss over the valid steps only (``masked_mean``). NumPy only.
"""

from collections.abc import Iterator, Sequence

import numpy as np

from rnnlib._checks import check_int

__all__ = ["batches", "mask", "masked_mean", "pad", "unpad"]


def check_lengths(lengths, max_length=None) -> np.ndarray:
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(
            f"lengths must be integers of shape (batch_size,), got dtype "
            f"{lengths.dtype} and shape {lengths.shape}"
        )
    if lengths.size and lengths.min() < 1:
        raise ValueError(f"lengths must be >= 1, got a length of {lengths.min()}")
    if max_length is not None and lengths.size and lengths.max() > max_length:
        raise ValueError(
            f"lengths must be <= max_length={max_length}, got a length of "
            f"{lengths.max()}"
        )
    return lengths


def pad(
    sequences: Sequence, *, value=0, max_length=None
) -> tuple[np.ndarray, np.ndarray]:
    """(padded (batch_size, max_length), lengths (batch_size,)) of a list of 1-D
    sequences; max_length defaults to the longest."""
    sequences = [np.asarray(s) for s in sequences]
    if not sequences or any(s.ndim != 1 or len(s) == 0 for s in sequences):
        raise ValueError(
            "sequences must be a non-empty list of non-empty 1-D sequences, got shapes "
            f"{[s.shape for s in sequences]}"
        )
    lengths = np.array([len(s) for s in sequences])
    if max_length is None:
        max_length = int(lengths.max())
    check_lengths(lengths, check_int(max_length, "max_length"))
    dtype = np.result_type(*sequences, np.asarray(value))
    padded = np.full((len(sequences), max_length), value, dtype=dtype)
    for row, sequence in zip(padded, sequences):
        row[: len(sequence)] = sequence
    return padded, lengths


def mask(lengths, max_length=None) -> np.ndarray:
    """True at the valid steps: (batch_size, max_length), row i True for its first
    lengths[i] steps."""
    lengths = check_lengths(lengths)
    if max_length is None:
        max_length = int(lengths.max())
    check_lengths(lengths, check_int(max_length, "max_length"))
    return np.arange(max_length)[None, :] < lengths[:, None]


def unpad(padded, lengths) -> list[np.ndarray]:
    """The sequences again: row i cut to its first lengths[i] steps."""
    padded = np.asarray(padded)
    lengths = check_lengths(lengths, padded.shape[1] if padded.ndim >= 2 else None)
    if padded.ndim < 2 or len(padded) != len(lengths):
        raise ValueError(
            f"padded must have shape (batch_size, max_length, ...) with batch_size "
            f"{len(lengths)}, got {padded.shape}"
        )
    return [row[:length] for row, length in zip(padded, lengths)]


def masked_mean(values, lengths) -> float:
    """The mean of values (batch_size, max_length) over the valid steps only: every
    valid step counts once, whatever the length of its row."""
    values = np.asarray(values, dtype=float)
    lengths = check_lengths(lengths)
    if values.ndim != 2 or len(values) != len(lengths):
        raise ValueError(
            f"values must have shape ({len(lengths)}, max_length), got {values.shape}"
        )
    return float(values[mask(lengths, values.shape[1])].mean())


def batches(num_sequences, batch_size, *, seed=None) -> Iterator[np.ndarray]:
    """Yield the indices of each minibatch of one epoch, in a random order (``seed``),
    the last one smaller when batch_size does not divide num_sequences."""
    num_sequences = check_int(num_sequences, "num_sequences")
    batch_size = check_int(batch_size, "batch_size")
    order = np.random.default_rng(seed).permutation(num_sequences)
    for start in range(0, num_sequences, batch_size):
        yield order[start : start + batch_size]
