"""rnnlib's TensorFlow 2 code: the same modules and public names as ``rnnlib.torch``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples.
- ``unroll``: running a cell over the steps of a sequence.
- ``models``: cells with their heads on top (the echo task's hand-rolled and Keras
  models; the MNIST chapter's stacked LSTM classifier).
- ``train``: truncated-backprop training and held-out scoring.
- ``classify``: training a classifier with a recipe of ``rnnlib.recipes``; its logits.

Importing it sets TensorFlow's logging environment first (``rnnlib._env``), so import
``rnnlib.tf`` before ``tensorflow`` to keep TensorFlow's start-up lines off a notebook.
"""

from rnnlib._env import quiet_tensorflow

quiet_tensorflow()

from rnnlib.tf.cells import RNNCell  # noqa: E402
from rnnlib.tf.classify import (  # noqa: E402
    classifier_optimizer,
    make_classifier_step,
    predict_logits,
    train_classifier,
)
from rnnlib.tf.models import HandRolledRNN, LibraryRNN, MnistLSTM  # noqa: E402
from rnnlib.tf.train import (  # noqa: E402
    heldout_loss,
    heldout_step_losses,
    make_optimizer,
    make_train_step,
    train,
    zero_state,
)
from rnnlib.tf.unroll import unroll  # noqa: E402

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
