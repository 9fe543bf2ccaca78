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
    """A ValueError unless x is (batch_size, num_steps) integer ids in [0,
    num_classes): ``tf.one_hot`` would encode any other id as an all-zero input."""
    _checks.check_window_shape(x.shape if hasattr(x, "shape") else np.shape(x), name)
    if not _traced(x):
        _checks.check_classes(np.asarray(x), num_classes, name)


def check_batch_size(batch_size) -> None:
    """A ValueError unless batch_size is an integer >= 1 (a tensor passes: it is a
    batch's own size, read inside a traced function)."""
    if not isinstance(batch_size, tf.Tensor):
        _checks.check_int(batch_size, "batch_size")


def check_lengths(lengths, max_length, name="lengths") -> None:
    """A ValueError unless every length lies in [1, max_length]."""
    if not _traced(lengths) and max_length is not None:
        _checks.check_lengths(np.asarray(lengths), max_length, name)
