"""rnnlib's PyTorch code: the same modules and public names as ``rnnlib.tf``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples.
- ``unroll``: running a cell over the steps of a sequence.
- ``models``: cells with their heads on top (the echo task's hand-rolled and nn.RNN
  models; the MNIST chapter's stacked LSTM classifier).
- ``train``: truncated-backprop training and held-out scoring.
- ``classify``: training a classifier with a recipe of ``rnnlib.recipes``; its logits.
"""

from rnnlib.torch.cells import RNNCell
from rnnlib.torch.classify import (
    classifier_optimizer,
    make_classifier_step,
    predict_logits,
    train_classifier,
)
from rnnlib.torch.models import HandRolledRNN, LibraryRNN, MnistLSTM
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
    "MnistLSTM",
    "RNNCell",
    "classifier_optimizer",
    "heldout_loss",
    "heldout_step_losses",
    "make_classifier_step",
    "make_optimizer",
    "make_train_step",
    "predict_logits",
    "train",
    "train_classifier",
    "unroll",
    "zero_state",
]
