"""rnnlib's TensorFlow 2 code: the same modules, public names and signatures as
``rnnlib.torch``.

- ``cells``: one step of a cell, ``step(x_t, state) -> (output, state)``; states are
  tuples (the tanh cell, the GRU, the LSTM).
- ``unroll``: running a cell over the steps of a sequence, statically or dynamically.
- ``models``: cells with their heads on top (the echo task's hand-rolled and library
  models; sequence labelling and classification; the MNIST chapter's stacked LSTM
  classifier). Every echo model and labeller takes ``model(x, state)`` with a tuple
  state and has ``model.zero_state(batch_size)``.
- ``train``: truncated-backprop training (any of those models, any optimizer of
  ``rnnlib.training.OPTIMIZERS``, a last-epoch learning rate, clipping) and held-out
  scoring.
- ``truncation``: the two styles of truncated backprop (TF style and true n-step).
- ``layers``: Keras's own tanh, LSTM and GRU layers and cells, loaded with weights in
  the neutral layout of ``rnnlib.numpy.gated`` (one step, or whole layers).
- ``classify``: training a classifier with a recipe of ``rnnlib.recipes``; its logits.
- ``stacked``: several hand-rolled cells trained at once (a sweep's seeds).
- ``gradients``: state Jacobians by autograd, the gradient that reaches k steps
  back, gradient norms and clipping by global norm.
- ``charlm``: the character-level LSTM language model (chapter 14): the model
  from framework-free weights, a training step with the state carried, reading a
  whole text with the state carried, sampling.
- ``parallel`` (imported on its own, ``python -m`` runs it): data-parallel training
  of the MNIST model (``MultiWorkerMirroredStrategy`` with ``TF_CONFIG``), and the
  one-process run it must equal.

Importing it sets TensorFlow's logging environment first (``rnnlib._env``), so import
``rnnlib.tf`` before ``tensorflow`` to keep TensorFlow's start-up lines off a notebook.
"""

from rnnlib._env import quiet_tensorflow

quiet_tensorflow()

from rnnlib.tf.cells import (  # noqa: E402
    GRUCell,
    LSTMCell,
    RNNCell,
)
from rnnlib.tf.charlm import (  # noqa: E402
    CharLSTM,
    lm_optimizer,
    make_lm_step,
    read_text,
    sample_text,
    train_lm,
)
from rnnlib.tf.classify import (  # noqa: E402
    classifier_optimizer,
    make_classifier_step,
    predict_logits,
    train_classifier,
)
from rnnlib.tf.gradients import (  # noqa: E402
    clip_by_global_norm,
    global_norm,
    lag_signal,
    load_cell,
    load_labeller,
    reset_optimizer,
    state_jacobians,
    train_with_norms,
)
from rnnlib.tf.layers import (  # noqa: E402
    LibraryCell,
    gated_layer,
    get_gated_weights,
    layer_kind,
    make_cell,
    set_gated_weights,
)
from rnnlib.tf.models import (  # noqa: E402
    HandRolledRNN,
    LibraryRNN,
    MnistLSTM,
    SequenceClassifier,
    SequenceLabeller,
    last_valid,
    padded_cross_entropy,
)
from rnnlib.tf.stacked import (  # noqa: E402
    StackedRNN,
    stacked_step_losses,
    train_stacked,
)
from rnnlib.tf.train import (  # noqa: E402
    heldout_loss,
    heldout_step_losses,
    make_optimizer,
    make_train_step,
    train,
)
from rnnlib.tf.truncation import (  # noqa: E402
    make_last_step_train_step,
    train_truncated,
)
from rnnlib.tf.unroll import (  # noqa: E402
    UnrolledRNN,
    dynamic_unroll,
    static_unroll,
    unroll,
)

__all__ = [
    "CharLSTM",
    "GRUCell",
    "HandRolledRNN",
    "LSTMCell",
    "LibraryCell",
    "LibraryRNN",
    "MnistLSTM",
    "RNNCell",
    "SequenceClassifier",
    "StackedRNN",
    "SequenceLabeller",
    "UnrolledRNN",
    "classifier_optimizer",
    "clip_by_global_norm",
    "dynamic_unroll",
    "gated_layer",
    "get_gated_weights",
    "global_norm",
    "heldout_loss",
    "heldout_step_losses",
    "lag_signal",
    "load_cell",
    "load_labeller",
    "last_valid",
    "layer_kind",
    "make_cell",
    "make_classifier_step",
    "make_last_step_train_step",
    "make_optimizer",
    "make_train_step",
    "padded_cross_entropy",
    "predict_logits",
    "set_gated_weights",
    "reset_optimizer",
    "state_jacobians",
    "stacked_step_losses",
    "static_unroll",
    "train",
    "train_classifier",
    "train_stacked",
    "train_truncated",
    "train_with_norms",
    "unroll",
    "lm_optimizer",
    "make_lm_step",
    "read_text",
    "sample_text",
    "train_lm",
]
