"""Argument checks shared by rnnlib's modules, framework-free: each error names the
argument, the value received and what is accepted, in the same words whichever framework
called it."""

import math

import numpy as np

#: The most memory one array rnnlib allocates for a caller may take: far more than any
#: page needs, and less than a laptop has. A larger request is refused with its size.
MAX_BYTES = 8 * 2**30


def check_int(value, name, minimum=1, maximum=None) -> int:
    """``value`` as an int, or a ValueError naming ``name`` if it is not an integer in
    [minimum, maximum]."""
    bounds = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        raise ValueError(f"{name} must be an integer {bounds}, got {value!r}")
    return int(value)


def is_number(value) -> bool:
    """A real number (not a bool), as Python, NumPy or a 0-d array holds it."""
    return not isinstance(value, bool) and isinstance(
        value, (int, float, np.integer, np.floating)
    )


def check_positive(value, name) -> float:
    """``value`` as a float, or a ValueError unless it is a finite number > 0."""
    if not is_number(value) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_optional_positive(value, name) -> float | None:
    """None, or ``check_positive(value, name)``: a clipping threshold, say."""
    if value is None:
        return None
    if not is_number(value) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be None or a finite number > 0, got {value!r}")
    return float(value)


def check_dropout(value, name="dropout") -> float:
    """A dropout rate: a number in [0, 1) (1 would drop everything)."""
    if not is_number(value):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return float(value)


def check_learning_rate(value, name="learning_rate") -> float:
    """A learning rate: a finite number > 0 (a negative one would climb the loss)."""
    return check_positive(value, name)


def check_nonnegative(value, name) -> float:
    """``value`` as a float, or a ValueError unless it is a finite number >= 0."""
    if not is_number(value) or not 0 <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_memory(name, value, count, bytes_each, unit) -> None:
    """A ValueError naming ``name`` (set to ``value``) when ``count`` ``unit``s of
    ``bytes_each`` bytes would need more than MAX_BYTES: the memory it would take and
    the most that is accepted."""
    needed = count * bytes_each
    if needed > MAX_BYTES:
        raise ValueError(
            f"{name}={value:,} would need {needed / 2**30:,.1f} GiB of memory for "
            f"{count:,} {unit}; rnnlib refuses requests over "
            f"{MAX_BYTES / 2**30:.0f} GiB, at most {MAX_BYTES // bytes_each:,} {unit}"
        )


def check_classes(values, num_classes, name) -> np.ndarray:
    """``values`` as an integer array, or a ValueError unless every entry is a class in
    [0, num_classes): out-of-range ids would be encoded as all-zero inputs by
    TensorFlow's ``one_hot`` and raise deep inside PyTorch's, so both refuse here."""
    array = np.asarray(values)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{name} must hold integer classes in [0, {num_classes}), got dtype "
            f"{array.dtype}"
        )
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"{name} must hold classes in [0, {num_classes}), got values from "
            f"{array.min()} to {array.max()}"
        )
    return array


def check_window_shape(shape, name="x") -> None:
    """A clear error unless ``shape`` is (batch_size, num_steps), both >= 1 (a traced
    dimension, None, passes)."""
    shape = tuple(shape)
    if len(shape) != 2 or any(d is not None and d < 1 for d in shape):
        raise ValueError(
            f"{name} must have shape (batch_size, num_steps), both >= 1, got {shape}"
        )


def check_lengths(lengths, max_length, name="lengths") -> np.ndarray:
    """Sequence lengths as an int array, or a ValueError unless each is an integer in
    [1, max_length]: a length of 0 would read padding (or index -1), a longer one
    would read past the row."""
    array = np.asarray(lengths)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(
            f"{name} must be integers of shape (batch_size,), got dtype {array.dtype} "
            f"and shape {array.shape}"
        )
    if array.size and (array.min() < 1 or array.max() > max_length):
        raise ValueError(
            f"{name} must lie in [1, {max_length}] (the padded length), got values "
            f"from {array.min()} to {array.max()}"
        )
    return array
