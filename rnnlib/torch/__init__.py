"""rnnlib's PyTorch code: the same modules and public names as ``rnnlib.tf``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples.
- ``unroll``: running a cell over the steps of a sequence, statically or dynamically.
- ``models``: cells with their heads on top (the echo task's hand-rolled and nn.RNN
  models).
- ``train``: truncated-backprop training and held-out scoring.
- ``truncation``: the two styles of truncated backprop (TF style and true n-step).
"""

from rnnlib.torch.cells import RNNCell
from rnnlib.torch.models import HandRolledRNN, LibraryRNN
from rnnlib.torch.train import (
    heldout_loss,
    heldout_step_losses,
    make_optimizer,
    make_train_step,
    train,
    zero_state,
)
from rnnlib.torch.truncation import make_last_step_train_step, train_truncated
from rnnlib.torch.unroll import UnrolledRNN, dynamic_unroll, static_unroll, unroll

__all__ = [
    "HandRolledRNN",
    "LibraryRNN",
    "RNNCell",
    "UnrolledRNN",
    "dynamic_unroll",
    "heldout_loss",
    "heldout_step_losses",
    "make_optimizer",
    "make_last_step_train_step",
    "make_train_step",
    "static_unroll",
    "train",
    "train_truncated",
    "unroll",
    "zero_state",
]
