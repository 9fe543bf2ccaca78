"""Keras's recurrent layers (SimpleRNN, GRU, LSTM) loaded from the neutral weight
layout of ``rnnlib.numpy.gated`` and read back into it.

Keras packs the gates in its own order (LSTM i, f, c, o; GRU z, r, h) and keeps one
bias, or two for the GRU with ``reset_after=True``; ``rnnlib.numpy.layouts`` does the
packing. Read a layer out with ``get_gated_weights``, load the arrays into PyTorch with
``rnnlib.torch.set_gated_weights``, and the two compute the same function.
"""

import keras
import tensorflow as tf

from rnnlib.numpy import layouts
from rnnlib.numpy.gated import check_gated

__all__ = ["gated_layer", "get_gated_weights", "layer_kind", "set_gated_weights"]

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
