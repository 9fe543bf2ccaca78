"""Batching for truncated backprop, in the style of TensorFlow's PTB reader.

A long sequence is cut into ``batch_size`` contiguous rows; windows of ``num_steps``
columns are then read left to right. Row i of one window continues exactly where row i
of the previous window stopped, which is what lets a model carry its state from one
window to the next.

Dropped, and only these: the last ``n % batch_size`` steps of the sequence (so the rows
are equal), and the last ``row_length % num_steps`` steps of every row (so the windows
are equal). NumPy only.
"""

from collections.abc import Iterator

import numpy as np

from rnnlib._checks import check_int

__all__ = ["epochs", "labels_reaching", "num_windows", "split_rows", "windows"]


def check_sequence(seq, name) -> np.ndarray:
    seq = np.asarray(seq)
    if seq.ndim != 1:
        raise ValueError(
            f"{name} must be one sequence of shape (n,), got shape {seq.shape}"
        )
    return seq


def split_rows(seq, batch_size) -> np.ndarray:
    """Cut a sequence of shape (n,) into ``batch_size`` contiguous rows: shape
    (batch_size, n // batch_size).

    Row i holds seq[i * row_length : (i + 1) * row_length]; the last n % batch_size
    steps are dropped.
    """
    seq = check_sequence(seq, "seq")
    batch_size = check_int(batch_size, "batch_size")
    if batch_size > len(seq):
        raise ValueError(
            f"batch_size={batch_size} is larger than the data: the sequence has "
            f"{len(seq)} steps"
        )
    row_length = len(seq) // batch_size
    return seq[: batch_size * row_length].reshape(batch_size, row_length)


def num_windows(n, *, batch_size, num_steps) -> int:
    """How many windows of shape (batch_size, num_steps) one pass over ``n`` steps
    yields."""
    n = check_int(n, "n")
    batch_size = check_int(batch_size, "batch_size")
    num_steps = check_int(num_steps, "num_steps")
    return (n // batch_size) // num_steps


def windows(x, y, *, batch_size, num_steps) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(x_window, y_window)``, each of shape (batch_size, num_steps), left to
    right.

    ``x`` and ``y`` are sequences of shape (n,) of the same length (inputs and targets).
    Window j holds columns j * num_steps ... (j + 1) * num_steps - 1 of the rows, so a
    state carried across windows always belongs to the same row.
    """
    x, y = check_sequence(x, "x"), check_sequence(y, "y")
    if len(x) != len(y):
        raise ValueError(
            f"x and y must have the same length, got {len(x)} and {len(y)}"
        )
    num_steps = check_int(num_steps, "num_steps")
    x_rows, y_rows = split_rows(x, batch_size), split_rows(y, batch_size)
    row_length = x_rows.shape[1]
    if num_steps > row_length:
        raise ValueError(
            f"num_steps={num_steps} is longer than a row: {len(x)} steps in "
            f"{batch_size} rows leave {row_length} steps per row"
        )
    for start in range(0, row_length - num_steps + 1, num_steps):
        yield x_rows[:, start : start + num_steps], y_rows[:, start : start + num_steps]


def epochs(
    x, y, *, num_epochs, batch_size, num_steps
) -> Iterator[Iterator[tuple[np.ndarray, np.ndarray]]]:
    """Yield ``num_epochs`` passes over the same data, each an iterator of
    ``windows(...)``."""
    num_epochs = check_int(num_epochs, "num_epochs")
    next(
        windows(x, y, batch_size=batch_size, num_steps=num_steps)
    )  # bad arguments raise here, not later
    return (
        windows(x, y, batch_size=batch_size, num_steps=num_steps)
        for _ in range(num_epochs)
    )


def labels_reaching(num_steps, lag) -> int:
    """How many of a window's ``num_steps`` labels have a gradient path ``lag`` steps
    back.

    Under TF-style truncated backprop the label at position p of a window (counting
    from 0) backpropagates through the p steps before it in the same window and no
    further, so it reaches the input ``lag`` steps back only when p >= lag. With
    num_steps 10, 7 labels reach 3 steps back and 2 reach 8 (R2RT's point about
    TF-style truncation).
    """
    num_steps = check_int(num_steps, "num_steps")
    lag = check_int(lag, "lag", minimum=0)
    return sum(1 for position in range(num_steps) if position >= lag)
