"""rnnlib's PyTorch code: the same modules and public names as ``rnnlib.tf``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples.
- ``unroll``: running a cell over the steps of a sequence.
- ``models``: cells with their heads on top (the echo task's hand-rolled and nn.RNN
  models).
- ``train``: truncated-backprop training and held-out scoring.
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
from rnnlib.torch.unroll import unroll

__all__ = [
    "HandRolledRNN",
    "LibraryRNN",
    "RNNCell",
    "heldout_loss",
    "heldout_step_losses",
    "make_optimizer",
    "make_train_step",
    "train",
    "unroll",
    "zero_state",
]
