"""rnnlib's TensorFlow 2 code: the same modules and public names as ``rnnlib.torch``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples (the tanh cell, the GRU, the LSTM).
- ``layers``: Keras's recurrent layers loaded from and read into the neutral weight
  layout of ``rnnlib.numpy.gated`` (which PyTorch's layers read too).
- ``unroll``: running a cell over the steps of a sequence.
- ``models``: cells with their heads on top (the echo task's hand-rolled and Keras
  models; sequence labelling and classification).
- ``train``: truncated-backprop training and held-out scoring.

Importing it sets TensorFlow's logging environment first (``rnnlib._env``), so import
``rnnlib.tf`` before ``tensorflow`` to keep TensorFlow's start-up lines off a notebook.
"""

from rnnlib._env import quiet_tensorflow

quiet_tensorflow()

from rnnlib.tf.cells import GRUCell, LSTMCell, RNNCell  # noqa: E402
from rnnlib.tf.layers import (  # noqa: E402
    gated_layer,
    get_gated_weights,
    layer_kind,
    set_gated_weights,
)
from rnnlib.tf.models import (  # noqa: E402
    HandRolledRNN,
    LibraryRNN,
    SequenceClassifier,
    SequenceLabeller,
    last_valid,
    padded_cross_entropy,
)
from rnnlib.tf.train import (  # noqa: E402
    heldout_loss,
    heldout_step_losses,
    labeller_step_losses,
    make_optimizer,
    make_train_step,
    train,
    train_labeller,
    zero_state,
)
from rnnlib.tf.unroll import unroll  # noqa: E402

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
