"""PyTorch's recurrent layers (nn.RNN, nn.GRU, nn.LSTM) loaded from the neutral weight
layout of ``rnnlib.numpy.gated`` and read back into it.

PyTorch packs the gates in its own order (LSTM i, f, g, o; GRU r, z, n), as rows of
``weight_ih_l0`` and ``weight_hh_l0``, with two biases; ``rnnlib.numpy.layouts`` does
the packing. Read a Keras layer out with ``rnnlib.tf.get_gated_weights``, load the
arrays here with ``set_gated_weights``, and the two compute the same function. PyTorch's
GRU computes only the ``reset_after=True`` convention.
"""

import torch
from torch import nn

from rnnlib.numpy import layouts
from rnnlib.numpy.gated import check_gated

__all__ = ["gated_layer", "get_gated_weights", "layer_kind", "set_gated_weights"]

LAYERS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def layer_kind(layer) -> str:
    """'rnn', 'gru' or 'lstm' for an nn.RNN (tanh), nn.GRU or nn.LSTM with biases."""
    for kind, layer_class in LAYERS.items():
        if isinstance(layer, layer_class):
            if not layer.bias or getattr(layer, "proj_size", 0):
                raise ValueError(
                    f"layer must have bias=True and no proj_size, got {layer!r}"
                )
            if kind == "rnn" and layer.nonlinearity != "tanh":
                raise ValueError(f"layer must be a tanh nn.RNN, got {layer!r}")
            return kind
    raise ValueError(
        f"layer must be an nn.RNN, nn.GRU or nn.LSTM, got {type(layer).__name__}"
    )


def gated_layer(kind, params, *, reset_after=True, dtype=torch.float32, **options):
    """An nn.RNN, nn.GRU or nn.LSTM (``batch_first=True`` unless ``options`` say
    otherwise) holding ``params`` in its first layer."""
    if not reset_after:
        raise ValueError(
            "reset_after must be True: PyTorch's nn.GRU applies the reset gate after "
            "the recurrent matrix product (Keras's reset_after=True); got False"
        )
    input_size, state_size = check_gated(kind, params)
    options = {"batch_first": True, **options}
    layer = LAYERS[kind](input_size, state_size, dtype=dtype, **options)
    set_gated_weights(layer, params)
    return layer


def set_gated_weights(layer, params, index=0) -> None:
    """Load the neutral layout into layer ``index`` of an nn.RNN, nn.GRU or nn.LSTM."""
    kind = layer_kind(layer)
    parameters = dict(layer.named_parameters())
    with torch.no_grad():
        for name, value in layouts.to_torch(kind, params).items():
            target = parameters.get(f"{name}_l{index}")
            if target is None:
                raise ValueError(
                    f"index must name one of the layer's {layer.num_layers} layers, "
                    f"got {index}"
                )
            if tuple(target.shape) != value.shape:
                raise ValueError(
                    f"{name}_l{index} has shape {tuple(target.shape)}, params give "
                    f"{value.shape}"
                )
            target.copy_(torch.as_tensor(value))


def get_gated_weights(layer, index=0) -> dict:
    """Layer ``index`` of an nn.RNN, nn.GRU or nn.LSTM in the neutral layout, as NumPy
    arrays."""
    kind = layer_kind(layer)
    parameters = dict(layer.named_parameters())
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    if f"weight_ih_l{index}" not in parameters:
        raise ValueError(
            f"index must name one of the layer's {layer.num_layers} layers, got {index}"
        )
    arrays = {
        name: parameters[f"{name}_l{index}"].detach().cpu().numpy() for name in names
    }
    return layouts.from_torch(kind, arrays)
