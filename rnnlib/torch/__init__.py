"""rnnlib's PyTorch code: the same modules and public names as ``rnnlib.tf``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples.
- ``unroll``: running a cell over the steps of a sequence, statically or dynamically.
- ``models``: cells with their heads on top (the echo task's hand-rolled and nn.RNN
  models).
- ``train``: truncated-backprop training and held-out scoring.
- ``truncation``: the two styles of truncated backprop (TF style and true n-step).
- ``layers``: the framework's own tanh, LSTM and GRU layers and cells, loaded with
  framework-free weights.
- ``gradients``: state Jacobians by autograd, the gradient that reaches k steps
  back, gradient norms and clipping by global norm.
"""

from rnnlib.torch.cells import RNNCell
from rnnlib.torch.gradients import (
    clip_by_global_norm,
    global_norm,
    lag_signal,
    state_jacobians,
    train_with_norms,
)
from rnnlib.torch.layers import EchoRNN, LibraryCell, make_cell
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
    "EchoRNN",
    "HandRolledRNN",
    "LibraryCell",
    "LibraryRNN",
    "RNNCell",
    "UnrolledRNN",
    "clip_by_global_norm",
    "dynamic_unroll",
    "global_norm",
    "heldout_loss",
    "heldout_step_losses",
    "lag_signal",
    "make_cell",
    "make_last_step_train_step",
    "make_optimizer",
    "make_train_step",
    "state_jacobians",
    "static_unroll",
    "train",
    "train_truncated",
    "train_with_norms",
    "unroll",
    "zero_state",
]
