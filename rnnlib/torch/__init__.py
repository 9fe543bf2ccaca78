"""rnnlib's PyTorch code: the same modules, public names and signatures as
``rnnlib.tf``.

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
- ``layers``: PyTorch's own tanh, LSTM and GRU layers and cells, loaded with weights
  in the neutral layout of ``rnnlib.numpy.gated`` (one step, or whole layers).
- ``classify``: training a classifier with a recipe of ``rnnlib.recipes``; its logits.
- ``stacked``: several hand-rolled cells trained at once (a sweep's seeds).
- ``gradients``: state Jacobians by autograd, the gradient that reaches k steps
  back, gradient norms and clipping by global norm.
- ``charlm``: the character-level LSTM language model (chapter 14): the model
  from framework-free weights, a training step with the state carried, reading a
  whole text with the state carried, sampling.
- ``parallel`` (imported on its own, ``python -m`` runs it): data-parallel training
  of the MNIST model (DistributedDataParallel under ``torchrun``), and the
  one-process run it must equal.
"""

from rnnlib.torch.cells import (
    GRUCell,
    LSTMCell,
    RNNCell,
)
from rnnlib.torch.charlm import (
    CharLSTM,
    lm_optimizer,
    make_lm_step,
    read_text,
    sample_text,
    train_lm,
)
from rnnlib.torch.classify import (
    classifier_optimizer,
    make_classifier_step,
    predict_logits,
    train_classifier,
)
from rnnlib.torch.gradients import (
    clip_by_global_norm,
    global_norm,
    lag_signal,
    load_cell,
    load_labeller,
    reset_optimizer,
    state_jacobians,
    train_with_norms,
)
from rnnlib.torch.layers import (
    LibraryCell,
    gated_layer,
    get_gated_weights,
    layer_kind,
    make_cell,
    set_gated_weights,
)
from rnnlib.torch.models import (
    HandRolledRNN,
    LibraryRNN,
    MnistLSTM,
    SequenceClassifier,
    SequenceLabeller,
    last_valid,
    padded_cross_entropy,
)
from rnnlib.torch.stacked import (
    StackedRNN,
    stacked_step_losses,
    train_stacked,
)
from rnnlib.torch.train import (
    heldout_loss,
    heldout_step_losses,
    make_optimizer,
    make_train_step,
    train,
)
from rnnlib.torch.truncation import (
    make_last_step_train_step,
    train_truncated,
)
from rnnlib.torch.unroll import (
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
