"""Keras's own recurrent layers and cells, loaded with framework-free weights.

Weights are in the neutral layout of ``rnnlib.numpy.gated`` (one dict per cell kind,
``"rnn"``, ``"gru"`` or ``"lstm"``), and ``rnnlib.numpy.layouts`` packs them into
Keras's arrays and reads them back: Keras packs the gates in its own order (LSTM i, f,
c, o; GRU z, r, h) and keeps one bias, or two for the GRU with ``reset_after=True``.

- ``gated_layer``: a built ``SimpleRNN``, ``GRU`` or ``LSTM`` holding the weights;
  ``set_gated_weights`` and ``get_gated_weights`` load and read any such layer, or one
  direction of a ``Bidirectional`` (``reverse=True``: the backward one). Read a
  layer out here, load the arrays into PyTorch with ``rnnlib.torch.set_gated_weights``,
  and the two compute the same function.
- ``make_cell``: one step, ``step(x_t, state) -> (h, state)`` as every cell of the
  book: rnnlib's own tanh cell (``rnnlib.tf.RNNCell``) for ``"rnn"``, Keras's
  ``LSTMCell`` or ``GRUCell`` (``LibraryCell``) for the gated kinds.
"""

from rnnlib.tf._checks import check_batch_size
from rnnlib.tf.cells import RNNCell

import keras
import tensorflow as tf

from rnnlib.numpy import layouts
from rnnlib.numpy.gated import check_gated, check_kind

__all__ = [
    "LibraryCell",
    "gated_layer",
    "get_gated_weights",
    "layer_kind",
    "make_cell",
    "set_gated_weights",
]

LAYERS = {
    "rnn": keras.layers.SimpleRNN,
    "gru": keras.layers.GRU,
    "lstm": keras.layers.LSTM,
}
CELLS = {"gru": keras.layers.GRUCell, "lstm": keras.layers.LSTMCell}


def layer_kind(layer) -> str:
    """'rnn', 'gru' or 'lstm' for a Keras SimpleRNN, GRU or LSTM layer."""
    for kind, layer_class in LAYERS.items():
        if isinstance(layer, layer_class):
            return kind
    raise ValueError(
        f"layer must be a keras.layers.SimpleRNN, GRU or LSTM, got "
        f"{type(layer).__name__}"
    )


def check_index(index) -> None:
    """Keras has one layer per object: index, there for the PyTorch twin's stacks,
    must be 0."""
    if isinstance(index, bool) or index != 0:
        raise ValueError(
            f"index must be 0 for a Keras layer, which holds one layer (stack Keras "
            f"layers as separate objects), got {index!r}"
        )


def reset_after_of(layer) -> bool:
    return bool(getattr(layer, "reset_after", True))


def gated_layer(kind, params, *, reset_after=True, dtype=tf.float32, **options):
    """A built Keras layer of ``kind`` holding ``params``; it returns every step's
    output and its final state (``return_sequences=True, return_state=True``, unless
    ``options`` say otherwise). ``reset_after`` is the GRU's convention."""
    input_size, state_size = check_gated(kind, params)
    options = {"return_sequences": True, "return_state": True, **options}
    if kind == "gru":
        options["reset_after"] = reset_after
    layer = LAYERS[kind](state_size, dtype=tf.as_dtype(dtype).name, **options)
    layer.build((None, None, input_size))
    set_gated_weights(layer, params)
    return layer


def direction(layer, reverse):
    """The layer itself, or one direction of a ``keras.layers.Bidirectional`` (its
    backward layer if ``reverse``), as PyTorch's ``reverse=`` picks one of its own."""
    if isinstance(layer, keras.layers.Bidirectional):
        return layer.backward_layer if reverse else layer.forward_layer
    if reverse:
        raise ValueError(
            f"reverse=True needs a bidirectional layer, got {type(layer).__name__}"
        )
    return layer


def set_gated_weights(layer, params, index=0, *, reverse=False) -> None:
    """Load the neutral layout into a built Keras SimpleRNN, GRU or LSTM, or into one
    direction of a built Bidirectional (the backward one if ``reverse``). ``index``: 0,
    the one layer a Keras layer holds."""
    check_index(index)
    layer = direction(layer, reverse)
    kind = layer_kind(layer)
    layer.set_weights(layouts.to_keras(kind, params, reset_after=reset_after_of(layer)))


def get_gated_weights(layer, index=0, *, reverse=False) -> dict:
    """A Keras layer's weights (or one direction's of a Bidirectional, the backward one
    if ``reverse``) in the neutral layout, as NumPy arrays (``index``: 0)."""
    check_index(index)
    layer = direction(layer, reverse)
    kind = layer_kind(layer)
    return layouts.from_keras(
        kind, layer.get_weights(), reset_after=reset_after_of(layer)
    )


class LibraryCell(tf.Module):
    """``keras.layers.LSTMCell`` or ``GRUCell`` with ``step(x_t, state) -> (h, state)``;
    the state is ``(h, c)`` for the LSTM and ``(h,)`` for the GRU. ``params``: the
    neutral layout (the GRU with ``reset_after=True``, Keras's default)."""

    def __init__(self, kind, params, dtype=tf.float32):
        super().__init__()
        self.kind = check_kind(kind, tuple(CELLS))
        input_size, self.state_size = check_gated(kind, params)
        self.cell = CELLS[kind](self.state_size, dtype=tf.as_dtype(dtype).name)
        self.cell.build((None, input_size))
        self.cell.set_weights(layouts.to_keras(kind, params))

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        zeros = tf.zeros((batch_size, self.state_size), self.cell.kernel.dtype)
        return (zeros, zeros) if self.kind == "lstm" else (zeros,)

    def step(self, x_t, state):
        # call() skips the bookkeeping of a Keras layer's __call__, a large share of
        # the time of one small step run eagerly
        h, state = self.cell.call(x_t, list(state))  # h: (batch_size, state_size)
        return h, tuple(state)


def make_cell(kind, params, dtype=tf.float32):
    """One step of an "rnn" (rnnlib's tanh cell), "lstm" or "gru" (Keras's cells),
    loaded with ``params`` in the neutral layout."""
    check_kind(kind)
    if kind == "rnn":
        weights = layouts.to_hand_rolled(params)
        return RNNCell(weights["W"], weights["b"], dtype=dtype)
    return LibraryCell(kind, params, dtype=dtype)
