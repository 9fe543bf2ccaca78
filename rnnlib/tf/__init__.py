"""rnnlib's TensorFlow 2 code: the same modules and public names as ``rnnlib.torch``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples.
- ``unroll``: running a cell over the steps of a sequence, statically or dynamically.
- ``models``: cells with their heads on top (the echo task's hand-rolled and Keras
  models).
- ``train``: truncated-backprop training and held-out scoring.
- ``truncation``: the two styles of truncated backprop (TF style and true n-step).
- ``layers``: the framework's own tanh, LSTM and GRU layers and cells, loaded with
  framework-free weights.
- ``gradients``: state Jacobians by autograd, the gradient that reaches k steps
  back, gradient norms and clipping by global norm.

Importing it sets TensorFlow's logging environment first (``rnnlib._env``), so import
``rnnlib.tf`` before ``tensorflow`` to keep TensorFlow's start-up lines off a notebook.
"""

from rnnlib._env import quiet_tensorflow

quiet_tensorflow()

from rnnlib.tf.cells import RNNCell  # noqa: E402
from rnnlib.tf.gradients import (  # noqa: E402
    clip_by_global_norm,
    global_norm,
    lag_signal,
    state_jacobians,
    train_with_norms,
)
from rnnlib.tf.layers import EchoRNN, LibraryCell, make_cell  # noqa: E402
from rnnlib.tf.models import HandRolledRNN, LibraryRNN  # noqa: E402
from rnnlib.tf.train import (  # noqa: E402
    heldout_loss,
    heldout_step_losses,
    make_optimizer,
    make_train_step,
    train,
    zero_state,
)
from rnnlib.tf.truncation import make_last_step_train_step, train_truncated  # noqa: E402
from rnnlib.tf.unroll import UnrolledRNN, dynamic_unroll, static_unroll, unroll  # noqa: E402

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
