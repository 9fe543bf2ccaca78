"""Argument checks shared by rnnlib's modules: the error names the argument and what was
expected."""

import numpy as np


def check_int(value, name, minimum=1) -> int:
    """``value`` as an int, or a ValueError naming ``name`` if it is not an integer >=
    ``minimum``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
