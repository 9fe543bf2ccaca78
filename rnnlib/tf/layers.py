"""Keras's own recurrent layers and cells, loaded with framework-free weights.

``make_cell`` gives one step of a tanh cell (``rnnlib.tf.RNNCell``), a
``keras.layers.LSTMCell`` or a ``keras.layers.GRUCell`` behind the same ``step(x_t,
state)`` as every cell of the book; ``EchoRNN`` is ``SimpleRNN``, ``LSTM`` or ``GRU``
with a ``Dense`` head, for training on the echo task. Weights:
``rnnlib.numpy.cell.init_params`` for the tanh cell (W, b, U, c),
``rnnlib.numpy.gradients.gated_weights`` for the LSTM and the GRU (Keras's layout:
``kernel``, ``recurrent_kernel``, ``bias``, then ``U``, ``c``), so PyTorch
(``rnnlib.torch.layers``) starts from the same numbers.

Whole layers: Keras's recurrent layers
(SimpleRNN, GRU, LSTM) loaded from the neutral weight
layout of ``rnnlib.numpy.gated`` and read back into it.

Keras packs the gates in its own order (LSTM i, f, c, o; GRU z, r, h) and keeps one
bias, or two for the GRU with ``reset_after=True``; ``rnnlib.numpy.layouts`` does the
packing. Read a layer out with ``get_gated_weights``, load the arrays into PyTorch with
``rnnlib.torch.set_gated_weights``, and the two compute the same function.
"""

import keras
import numpy as np
import tensorflow as tf

from rnnlib.numpy import layouts
from rnnlib.numpy.gated import check_gated
from rnnlib.numpy.gradients import GATES, check_kind
from rnnlib.tf.cells import RNNCell

__all__ = [
    "EchoRNN",
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


def layer_kind(layer) -> str:
    """'rnn', 'gru' or 'lstm' for a Keras SimpleRNN, GRU or LSTM layer."""
    for kind, layer_class in LAYERS.items():
        if isinstance(layer, layer_class):
            return kind
    raise ValueError(
        f"layer must be a keras.layers.SimpleRNN, GRU or LSTM, got "
        f"{type(layer).__name__}"
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


def set_gated_weights(layer, params) -> None:
    """Load the neutral layout into a built Keras SimpleRNN, GRU or LSTM."""
    kind = layer_kind(layer)
    layer.set_weights(layouts.to_keras(kind, params, reset_after=reset_after_of(layer)))


def get_gated_weights(layer) -> dict:
    """A Keras layer's weights in the neutral layout, as float NumPy arrays."""
    kind = layer_kind(layer)
    return layouts.from_keras(
        kind, layer.get_weights(), reset_after=reset_after_of(layer)
    )


def keras_weights(kind, weights) -> list:
    """[kernel, recurrent_kernel, bias], as ``set_weights`` takes them."""
    if kind == "tanh":
        state_size = np.shape(weights["W"])[1]
        input_size = np.shape(weights["W"])[0] - state_size
        W = np.asarray(weights["W"])
        return [W[:input_size], W[input_size:], np.asarray(weights["b"])]
    return [
        np.asarray(weights[name]) for name in ("kernel", "recurrent_kernel", "bias")
    ]


def book_weights(kind, values) -> dict:
    """The inverse of keras_weights, as float64 NumPy arrays."""
    kernel, recurrent, bias = (np.asarray(v, dtype=np.float64) for v in values)
    if kind == "tanh":
        return {"W": np.concatenate([kernel, recurrent]), "b": bias}
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


class LibraryCell(tf.Module):
    """``keras.layers.LSTMCell`` or ``GRUCell`` with ``step(x_t, state) -> (h, state)``;
    the state is ``(h, c)`` for the LSTM and ``(h,)`` for the GRU."""

    def __init__(self, kind, weights, dtype=tf.float32):
        super().__init__()
        self.kind = check_kind(kind, tuple(GATES))
        input_size, width = np.shape(weights["kernel"])
        self.state_size = width // GATES[kind]
        cell = keras.layers.LSTMCell if kind == "lstm" else keras.layers.GRUCell
        self.cell = cell(self.state_size, dtype=tf.as_dtype(dtype).name)
        self.cell.build((None, input_size))
        self.cell.set_weights(keras_weights(kind, weights))

    def zero_state(self, batch_size):
        dtype, parts = self.cell.kernel.dtype, 2 if self.kind == "lstm" else 1
        return (tf.zeros((batch_size, self.state_size), dtype),) * parts

    def step(self, x_t, state):
        # call() skips the bookkeeping of a Keras layer's __call__, a large share of
        # the time of one small step run eagerly
        h, state = self.cell.call(x_t, list(state))  # h: (batch_size, state_size)
        return h, tuple(state)


def make_cell(kind, weights, dtype=tf.float32):
    """One step of a "tanh", "lstm" or "gru" cell loaded with ``weights``."""
    if check_kind(kind) == "tanh":
        return RNNCell(weights["W"], weights["b"], dtype=dtype)
    return LibraryCell(kind, weights, dtype=dtype)


class EchoRNN(tf.Module):
    """``SimpleRNN`` (tanh), ``LSTM`` or ``GRU``, then ``Dense``, for the echo task.

    Like ``HandRolledRNN``: ``model(x, state) -> (logits, state)`` with x (batch_size,
    num_steps) classes, so ``rnnlib.tf.train`` and ``heldout_loss`` run it. The state
    is one tensor (batch_size, state_size): h, or for the LSTM h and c side by side
    (state_size twice the cell's).
    """

    def __init__(self, kind, weights, dtype=tf.float32):
        super().__init__()
        self.kind = check_kind(kind)
        self.cell_size, self.num_classes = np.shape(weights["U"])
        self.state_size = self.cell_size * (2 if kind == "lstm" else 1)
        layer = {
            "tanh": keras.layers.SimpleRNN,
            "lstm": keras.layers.LSTM,
            "gru": keras.layers.GRU,
        }[kind]
        dtype = tf.as_dtype(dtype).name
        self.rnn = layer(
            self.cell_size, return_sequences=True, return_state=True, dtype=dtype
        )
        self.output = keras.layers.Dense(self.num_classes, dtype=dtype)
        self.rnn.build((None, None, self.num_classes))
        self.output.build((None, self.cell_size))
        self.rnn.set_weights(keras_weights(kind, weights))
        self.output.set_weights([np.asarray(weights["U"]), np.asarray(weights["c"])])

    def __call__(self, x, state):
        # inputs: (batch_size, num_steps, num_classes)
        inputs = tf.one_hot(x, self.num_classes, dtype=self.output.kernel.dtype)
        return self.forward_inputs(inputs, state)

    def forward_inputs(self, inputs, state):
        """The same, from float inputs (batch_size, num_steps, input_size)."""
        parts = tf.split(state, self.state_size // self.cell_size, axis=1)  # h (, c)
        # outputs: (batch_size, num_steps, cell_size)
        outputs, *final = self.rnn(inputs, initial_state=list(parts))
        return self.output(outputs), tf.concat(final, axis=1)

    @property
    def trainable_variables(self):
        return tuple(self.rnn.trainable_variables) + tuple(
            self.output.trainable_variables
        )

    def weights(self) -> dict:
        """The weights as float64 NumPy arrays, in the layout they were loaded from."""
        U, c = (np.asarray(v, dtype=np.float64) for v in self.output.get_weights())
        return {**book_weights(self.kind, self.rnn.get_weights()), "U": U, "c": c}
