"""rnnlib's PyTorch code: the same modules and public names as ``rnnlib.tf``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples (the tanh cell, the GRU, the LSTM).
- ``layers``: nn.RNN, nn.GRU and nn.LSTM loaded from and read into the neutral weight
  layout of ``rnnlib.numpy.gated`` (which Keras's layers read too).
- ``unroll``: running a cell over the steps of a sequence.
- ``models``: cells with their heads on top (the echo task's hand-rolled and nn.RNN
  models; sequence labelling and classification).
- ``train``: truncated-backprop training and held-out scoring.
"""

from rnnlib.torch.cells import GRUCell, LSTMCell, RNNCell
from rnnlib.torch.layers import (
    gated_layer,
    get_gated_weights,
    layer_kind,
    set_gated_weights,
)
from rnnlib.torch.models import (
    HandRolledRNN,
    LibraryRNN,
    SequenceClassifier,
    SequenceLabeller,
    last_valid,
    padded_cross_entropy,
)
from rnnlib.torch.train import (
    heldout_loss,
    heldout_step_losses,
    labeller_step_losses,
    make_optimizer,
    make_train_step,
    train,
    train_labeller,
    zero_state,
)
from rnnlib.torch.unroll import unroll

__all__ = [
    "GRUCell",
    "HandRolledRNN",
    "LSTMCell",
    "LibraryRNN",
    "RNNCell",
    "SequenceClassifier",
    "SequenceLabeller",
    "gated_layer",
    "get_gated_weights",
    "heldout_loss",
    "heldout_step_losses",
    "labeller_step_losses",
    "last_valid",
    "layer_kind",
    "make_optimizer",
    "make_train_step",
    "padded_cross_entropy",
    "set_gated_weights",
    "train",
    "train_labeller",
    "unroll",
    "zero_state",
]
