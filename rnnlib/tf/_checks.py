"""Checks of TensorFlow arguments with the framework-free messages of
``rnnlib._checks``, so that the same bad input gets the same error in both frameworks.

A traced tensor (inside ``tf.function``) has no values to check: these checks run
eagerly, and ``rnnlib.tf.train`` and ``heldout_step_losses`` check their NumPy data
before tracing anything.
"""

import numpy as np
import tensorflow as tf

from rnnlib import _checks


def _traced(value) -> bool:
    return isinstance(value, tf.Tensor) and not tf.executing_eagerly()


def check_tokens(x, num_classes, name="x") -> None:
    """A ValueError unless x holds integer ids in [0, num_classes): ``tf.one_hot``
    would encode any other id as an all-zero input."""
    if not _traced(x):
        _checks.check_classes(np.asarray(x), num_classes, name)


def check_lengths(lengths, max_length, name="lengths") -> None:
    """A ValueError unless every length lies in [1, max_length]."""
    if not _traced(lengths) and max_length is not None:
        _checks.check_lengths(np.asarray(lengths), max_length, name)
