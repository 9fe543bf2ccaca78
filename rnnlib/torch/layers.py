"""PyTorch's own recurrent layers and cells, loaded with framework-free weights.

``make_cell`` gives one step of a tanh cell (``rnnlib.torch.RNNCell``), an
``nn.LSTMCell`` or an ``nn.GRUCell`` behind the same ``step(x_t, state)`` as every cell
of the book; ``EchoRNN`` is ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` with a dense head, for
training on the echo task. Weights: ``rnnlib.numpy.cell.init_params`` for the tanh cell
(W, b, U, c), ``rnnlib.numpy.gradients.gated_weights`` for the LSTM and the GRU (Keras's
layout: ``kernel``, ``recurrent_kernel``, ``bias``, then ``U``, ``c``), so TensorFlow
(``rnnlib.tf.layers``) starts from the same numbers. PyTorch keeps a second bias,
``bias_hh``, where Keras's LSTM and tanh layers have one: it is frozen at zero, so the
two frameworks train the same model. PyTorch orders the GRU's gates (r, z, n), Keras (z,
r, h): loading permutes them.

Whole layers: PyTorch's recurrent layers
(nn.RNN, nn.GRU, nn.LSTM) loaded from the neutral weight
layout of ``rnnlib.numpy.gated`` and read back into it.

PyTorch packs the gates in its own order (LSTM i, f, g, o; GRU r, z, n), as rows of
``weight_ih_l0`` and ``weight_hh_l0``, with two biases; ``rnnlib.numpy.layouts`` does
the packing. Read a Keras layer out with ``rnnlib.tf.get_gated_weights``, load the
arrays here with ``set_gated_weights``, and the two compute the same function. PyTorch's
GRU computes only the ``reset_after=True`` convention.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib.numpy import layouts
from rnnlib.numpy.gated import check_gated
from rnnlib.numpy.gradients import GATES, check_kind
from rnnlib.torch.cells import RNNCell

__all__ = [
    "EchoRNN",
    "LibraryCell",
    "gated_layer",
    "get_gated_weights",
    "layer_kind",
    "make_cell",
    "set_gated_weights",
]

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


def _suffix(layer, index, reverse) -> str:
    """'_l0', '_l1_reverse', ...: the suffix of one layer and direction's parameters."""
    if reverse and not layer.bidirectional:
        raise ValueError(f"reverse=True needs a bidirectional layer, got {layer!r}")
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"index must be an int, got {type(index).__name__}")
    if not 0 <= index < layer.num_layers:
        raise ValueError(
            f"index must name one of the layer's {layer.num_layers} layers, got {index}"
        )
    return f"_l{index}" + ("_reverse" if reverse else "")


def set_gated_weights(layer, params, index=0, *, reverse=False) -> None:
    """Load the neutral layout into layer ``index`` of an nn.RNN, nn.GRU or nn.LSTM
    (its backward direction if ``reverse``, for a bidirectional layer)."""
    kind = layer_kind(layer)
    suffix = _suffix(layer, index, reverse)
    parameters = dict(layer.named_parameters())
    with torch.no_grad():
        for name, value in layouts.to_torch(kind, params).items():
            target = parameters[name + suffix]
            if tuple(target.shape) != value.shape:
                raise ValueError(
                    f"{name}{suffix} has shape {tuple(target.shape)}, params give "
                    f"{value.shape}"
                )
            target.copy_(torch.as_tensor(value))


def get_gated_weights(layer, index=0, *, reverse=False) -> dict:
    """Layer ``index`` of an nn.RNN, nn.GRU or nn.LSTM (its backward direction if
    ``reverse``) in the neutral layout, as NumPy arrays."""
    kind = layer_kind(layer)
    suffix = _suffix(layer, index, reverse)
    parameters = dict(layer.named_parameters())
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    arrays = {name: parameters[name + suffix].detach().cpu().numpy() for name in names}
    return layouts.from_torch(kind, arrays)


def _gate_order(kind, state_size):
    """Column indices that turn Keras's gate blocks into PyTorch's (and back: it is its
    own inverse)."""
    blocks = [np.arange(g * state_size, (g + 1) * state_size) for g in range(3)]
    return np.concatenate([blocks[1], blocks[0], blocks[2]]) if kind == "gru" else None


def torch_layout(kind, weights) -> dict:
    """weight_ih (gates * state_size, input_size), weight_hh, bias_ih, bias_hh."""
    if kind == "tanh":
        state_size = np.shape(weights["W"])[1]
        input_size = np.shape(weights["W"])[0] - state_size
        kernel, recurrent = weights["W"][:input_size], weights["W"][input_size:]
        bias, bias_hh = np.asarray(weights["b"]), np.zeros(state_size)
    else:
        kernel, recurrent = weights["kernel"], weights["recurrent_kernel"]
        state_size = recurrent.shape[0]
        bias = np.asarray(weights["bias"])
        bias, bias_hh = (bias[0], bias[1]) if kind == "gru" else (bias, 0 * bias)
    order = _gate_order(kind, state_size)
    if order is not None:
        kernel, recurrent = kernel[:, order], recurrent[:, order]
        bias, bias_hh = bias[order], bias_hh[order]
    return {
        "weight_ih": kernel.T,
        "weight_hh": recurrent.T,
        "bias_ih": bias,
        "bias_hh": bias_hh,
    }


def keras_layout(kind, module, suffix="") -> dict:
    """The weights of an nn.RNN/LSTM/GRU (or its cell) in the layout they came in."""
    get = {
        name: getattr(module, name + suffix).detach().cpu().numpy().astype(np.float64)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    }
    kernel, recurrent = get["weight_ih"].T, get["weight_hh"].T
    if kind == "tanh":
        return {"W": np.concatenate([kernel, recurrent]), "b": get["bias_ih"]}
    order = _gate_order(kind, recurrent.shape[0])
    if kind == "gru":
        return {
            "kernel": kernel[:, order],
            "recurrent_kernel": recurrent[:, order],
            "bias": np.stack([get["bias_ih"][order], get["bias_hh"][order]]),
        }
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": get["bias_ih"]}


def load_(kind, module, weights, suffix=""):
    """Copy ``weights`` into an nn.RNN/LSTM/GRU (suffix "_l0") or an nn.*Cell."""
    with torch.no_grad():
        for name, value in torch_layout(kind, weights).items():
            parameter = getattr(module, name + suffix)
            parameter.copy_(torch.as_tensor(np.asarray(value), dtype=parameter.dtype))
    if kind != "gru":  # one bias in Keras and in the book: freeze PyTorch's second
        getattr(module, "bias_hh" + suffix).requires_grad_(False)


class LibraryCell(nn.Module):
    """``nn.LSTMCell`` or ``nn.GRUCell`` with ``step(x_t, state) -> (h, state)``; the
    state is ``(h, c)`` for the LSTM and ``(h,)`` for the GRU."""

    def __init__(self, kind, weights, dtype=torch.float32):
        super().__init__()
        self.kind = check_kind(kind, tuple(GATES))
        input_size, width = np.shape(weights["kernel"])
        self.state_size = width // GATES[kind]
        cell = nn.LSTMCell if kind == "lstm" else nn.GRUCell
        self.cell = cell(input_size, self.state_size, dtype=dtype)
        load_(kind, self.cell, weights)

    def zero_state(self, batch_size):
        weight, parts = self.cell.weight_hh, 2 if self.kind == "lstm" else 1
        zeros = torch.zeros(
            batch_size, self.state_size, dtype=weight.dtype, device=weight.device
        )
        return (zeros,) * parts

    def step(self, x_t, state):
        if self.kind == "lstm":
            h, c = self.cell(x_t, state)  # (batch_size, state_size) each
            return h, (h, c)
        h = self.cell(x_t, state[0])  # (batch_size, state_size)
        return h, (h,)


def make_cell(kind, weights, dtype=torch.float32):
    """One step of a "tanh", "lstm" or "gru" cell loaded with ``weights``."""
    if check_kind(kind) == "tanh":
        return RNNCell(weights["W"], weights["b"], dtype=dtype)
    return LibraryCell(kind, weights, dtype=dtype)


class EchoRNN(nn.Module):
    """``nn.RNN`` (tanh), ``nn.LSTM`` or ``nn.GRU``, then ``nn.Linear``: echo models.

    Like ``HandRolledRNN``: ``model(x, state) -> (logits, state)`` with x (batch_size,
    num_steps) classes, so ``rnnlib.torch.train`` and ``heldout_loss`` run it. The state
    is one tensor (batch_size, state_size): h, or for the LSTM h and c side by side
    (state_size twice the cell's).
    """

    def __init__(self, kind, weights, dtype=torch.float32):
        super().__init__()
        self.kind = check_kind(kind)
        self.cell_size, self.num_classes = np.shape(weights["U"])
        self.state_size = self.cell_size * (2 if kind == "lstm" else 1)
        layer = {"tanh": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.rnn = layer(
            self.num_classes, self.cell_size, batch_first=True, dtype=dtype
        )
        self.output = nn.Linear(self.cell_size, self.num_classes, dtype=dtype)
        load_(kind, self.rnn, weights, suffix="_l0")
        with torch.no_grad():
            self.output.weight.copy_(torch.as_tensor(np.asarray(weights["U"]).T))
            self.output.bias.copy_(torch.as_tensor(np.asarray(weights["c"])))

    def forward(self, x, state):
        # inputs: (batch_size, num_steps, num_classes)
        inputs = F.one_hot(x, self.num_classes).to(self.output.weight.dtype)
        return self.forward_inputs(inputs, state)

    def forward_inputs(self, inputs, state):
        """The same, from float inputs (batch_size, num_steps, input_size)."""
        parts = state.split(self.cell_size, dim=1)  # h, or h and c
        hidden = tuple(part[None].contiguous() for part in parts)
        # outputs: (batch_size, num_steps, cell_size)
        outputs, hidden = self.rnn(inputs, hidden if self.kind == "lstm" else hidden[0])
        hidden = hidden if self.kind == "lstm" else (hidden,)
        return self.output(outputs), torch.cat([part[0] for part in hidden], dim=1)

    def weights(self) -> dict:
        """The weights as float64 NumPy arrays, in the layout they were loaded from."""
        head = {
            "U": self.output.weight.detach().cpu().numpy().T.astype(np.float64),
            "c": self.output.bias.detach().cpu().numpy().astype(np.float64),
        }
        return {**keras_layout(self.kind, self.rnn, "_l0"), **head}
