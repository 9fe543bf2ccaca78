"""PyTorch's own recurrent layers and cells, loaded with framework-free weights.

Weights are in the neutral layout of ``rnnlib.numpy.gated`` (one dict per cell kind,
``"rnn"``, ``"gru"`` or ``"lstm"``), and ``rnnlib.numpy.layouts`` packs them into
PyTorch's arrays and reads them back: PyTorch packs the gates in its own order (LSTM i,
f, g, o; GRU r, z, n) as rows of ``weight_ih`` and ``weight_hh``, with two biases.
PyTorch's GRU computes only the ``reset_after=True`` convention.

- ``gated_layer``: an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` holding the weights;
  ``set_gated_weights`` and ``get_gated_weights`` load and read layer ``index`` of any
  such module (its backward direction with ``reverse=True``). Read a Keras layer out
  with ``rnnlib.tf.get_gated_weights``, load the arrays here, and the two compute the
  same function.
- ``make_cell``: one step, ``step(x_t, state) -> (h, state)`` as every cell of the
  book: rnnlib's own tanh cell (``rnnlib.torch.RNNCell``) for ``"rnn"``, PyTorch's
  ``nn.LSTMCell`` or ``nn.GRUCell`` (``LibraryCell``) for the gated kinds.
- ``one_bias``: where Keras keeps one bias per gate (its LSTM and SimpleRNN), PyTorch's
  second bias frozen at zero, so that the two frameworks train the same model.
"""

import torch
from torch import nn

from rnnlib.numpy import layouts
from rnnlib.numpy.gated import check_gated, check_kind
from rnnlib.torch._checks import check_batch_size
from rnnlib.torch.cells import RNNCell

__all__ = [
    "LibraryCell",
    "gated_layer",
    "get_gated_weights",
    "layer_kind",
    "make_cell",
    "set_gated_weights",
]

LAYERS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
CELLS = {"gru": nn.GRUCell, "lstm": nn.LSTMCell}
NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


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


def check_index(layer, index) -> None:
    if (
        isinstance(index, bool)
        or not isinstance(index, int)
        or not 0 <= index < layer.num_layers
    ):
        raise ValueError(
            f"index must name one of the layer's {layer.num_layers} layers, in "
            f"[0, {layer.num_layers - 1}], got {index!r}"
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


def load_arrays(module, arrays, suffix="") -> None:
    """Copy {"weight_ih", ...} of ``layouts.to_torch`` into a layer (suffix "_l0")
    or a cell, shapes checked."""
    parameters = dict(module.named_parameters())
    with torch.no_grad():
        for name, value in arrays.items():
            target = parameters[name + suffix]
            if tuple(target.shape) != value.shape:
                raise ValueError(
                    f"{name}{suffix} has shape {tuple(target.shape)}, params give "
                    f"{value.shape}"
                )
            target.copy_(torch.as_tensor(value))


def suffix_of(layer, index, reverse) -> str:
    """'_l0', '_l1_reverse', ...: the suffix of one layer and direction's parameters."""
    check_index(layer, index)
    if reverse and not layer.bidirectional:
        raise ValueError(f"reverse=True needs a bidirectional layer, got {layer!r}")
    return f"_l{index}" + ("_reverse" if reverse else "")


def set_gated_weights(layer, params, index=0, *, reverse=False) -> None:
    """Load the neutral layout into layer ``index`` of an nn.RNN, nn.GRU or nn.LSTM
    (its backward direction if ``reverse``, for a bidirectional layer)."""
    kind = layer_kind(layer)
    suffix = suffix_of(layer, index, reverse)
    load_arrays(layer, layouts.to_torch(kind, params), suffix)


def get_gated_weights(layer, index=0, *, reverse=False) -> dict:
    """Layer ``index`` of an nn.RNN, nn.GRU or nn.LSTM (its backward direction if
    ``reverse``) in the neutral layout, as NumPy arrays."""
    kind = layer_kind(layer)
    suffix = suffix_of(layer, index, reverse)
    parameters = dict(layer.named_parameters())
    arrays = {name: parameters[name + suffix].detach().cpu().numpy() for name in NAMES}
    return layouts.from_torch(kind, arrays)


def one_bias(module, suffix="_l0"):
    """Keep one bias per gate, as Keras's LSTM and SimpleRNN do: bias_ih takes the sum
    and bias_hh is frozen at zero. Two trained biases would move their sum at twice the
    rate, and the model would train differently from Keras's."""
    bias_ih, bias_hh = (getattr(module, name + suffix) for name in NAMES[2:])
    with torch.no_grad():
        bias_ih += bias_hh
        bias_hh.zero_()
    bias_hh.requires_grad_(False)


class LibraryCell(nn.Module):
    """``nn.LSTMCell`` or ``nn.GRUCell`` with ``step(x_t, state) -> (h, state)``; the
    state is ``(h, c)`` for the LSTM and ``(h,)`` for the GRU. ``params``: the neutral
    layout. The LSTM keeps one bias per gate (``one_bias``), as Keras's."""

    def __init__(self, kind, params, dtype=torch.float32):
        super().__init__()
        self.kind = check_kind(kind, tuple(CELLS))
        input_size, self.state_size = check_gated(kind, params)
        self.cell = CELLS[kind](input_size, self.state_size, dtype=dtype)
        load_arrays(self.cell, layouts.to_torch(kind, params))
        if kind == "lstm":
            one_bias(self.cell, suffix="")

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        zeros = self.cell.weight_hh.new_zeros(batch_size, self.state_size)
        return (zeros, zeros) if self.kind == "lstm" else (zeros,)

    def step(self, x_t, state):
        if self.kind == "lstm":
            h, c = self.cell(x_t, state)  # (batch_size, state_size) each
            return h, (h, c)
        h = self.cell(x_t, state[0])  # (batch_size, state_size)
        return h, (h,)


def make_cell(kind, params, dtype=torch.float32):
    """One step of an "rnn" (rnnlib's tanh cell), "lstm" or "gru" (PyTorch's cells),
    loaded with ``params`` in the neutral layout."""
    check_kind(kind)
    if kind == "rnn":
        weights = layouts.to_hand_rolled(params)
        return RNNCell(weights["W"], weights["b"], dtype=dtype)
    return LibraryCell(kind, params, dtype=dtype)
