"""Checks of PyTorch arguments with the framework-free messages of
``rnnlib._checks``, so that the same bad input gets the same error in both frameworks.

A tensor on a GPU is checked there, and copied to the CPU only to word the error; under
``torch.compile`` the checks step aside.
"""

import numpy as np
import torch

from rnnlib import _checks


def _skip() -> bool:
    return torch.compiler.is_compiling()


def check_tokens(x, num_classes, name="x") -> None:
    """A ValueError unless x holds integer ids in [0, num_classes) (``F.one_hot``
    raises a RuntimeError that names neither the argument nor the range)."""
    if _skip():
        return
    _checks.check_window_shape(getattr(x, "shape", None) or np.shape(x), name)
    if isinstance(x, torch.Tensor):
        if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
            _checks.check_classes(x.detach().cpu().numpy(), num_classes, name)
        if x.numel() and bool(((x < 0) | (x >= num_classes)).any()):
            _checks.check_classes(x.detach().cpu().numpy(), num_classes, name)
    else:
        _checks.check_classes(x, num_classes, name)


def check_batch_size(batch_size) -> None:
    """A ValueError unless batch_size is an integer >= 1."""
    if not _skip():
        _checks.check_int(batch_size, "batch_size")


def check_lengths(lengths, max_length, name="lengths") -> None:
    """A ValueError unless every length lies in [1, max_length]: a length of 0 would
    read the last step (index -1), a longer one past the row."""
    if _skip():
        return
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.detach().cpu().numpy()
    _checks.check_lengths(lengths, max_length, name)


def check_unroll(unroll) -> None:
    """A ValueError unless ``unroll`` is False: Keras's option means nothing here."""
    if unroll is not False:
        raise ValueError(
            "unroll must be False in PyTorch: nn.LSTM runs its loop in C++ (or cuDNN) "
            f"and there is no graph to unroll (Keras's LSTM has the option); got "
            f"{unroll!r}"
        )
