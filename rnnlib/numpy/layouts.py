"""How Keras and PyTorch pack a recurrent layer's weights, and the neutral layout of
``rnnlib.numpy.gated`` packed into each and read back. NumPy only.

Both libraries stack the gates side by side in one matrix, each in its own order:

======  =====================  ===========================  ======================
kind    Keras (columns)        PyTorch (rows)               neutral (gated.GATES)
======  =====================  ===========================  ======================
LSTM    i, f, c, o             i, f, g, o                   i, f, g, o
GRU     z, r, h                r, z, n                      r, z, n
======  =====================  ===========================  ======================

Keras keeps ``kernel`` (input_size, gates * state_size) for x_t @ kernel and
``recurrent_kernel`` (state_size, gates * state_size); PyTorch keeps the transposes,
``weight_ih`` (gates * state_size, input_size) and ``weight_hh``, for W @ x_t. Keras's
LSTM and SimpleRNN have one bias, its GRU two when ``reset_after=True`` (``bias`` of
shape (2, 3 * state_size): input row, recurrent row) and one otherwise; PyTorch always
has ``bias_ih`` and ``bias_hh``. Moving weights between the frameworks is
``from_keras`` then ``to_torch``, or ``from_torch`` then ``to_keras``.

Chapter 3's hand-rolled cell keeps its tanh cell and head as one dict, W
(input_size + state_size, state_size), b, U, c (``rnnlib.numpy.cell``):
``from_hand_rolled`` splits it into the neutral layout of an ``"rnn"`` and its head
{U, c}, and ``to_hand_rolled`` joins them back. Every path between two layouts in
rnnlib goes through this module.
"""

import numpy as np

from rnnlib.numpy.cell import sizes
from rnnlib.numpy.gated import GATES, check_gated, check_kind

__all__ = [
    "KERAS_ORDER",
    "TORCH_ORDER",
    "from_hand_rolled",
    "from_keras",
    "from_torch",
    "to_hand_rolled",
    "to_keras",
    "to_torch",
]

#: Each library's gate order, in the neutral names (Keras's c is g, its h is n).
KERAS_ORDER = {"rnn": ("h",), "gru": ("z", "r", "n"), "lstm": ("i", "f", "g", "o")}
TORCH_ORDER = {"rnn": ("h",), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}


def keras_biases(kind, reset_after) -> int:
    """How many bias rows Keras keeps: 2 for the GRU with reset_after=True, else 1."""
    return 2 if kind == "gru" and reset_after else 1


def to_keras(kind, params, *, reset_after=True) -> list[np.ndarray]:
    """[kernel, recurrent_kernel, bias] for ``layer.set_weights`` of a Keras
    SimpleRNN, GRU or LSTM. Where Keras keeps one bias it gets bx + bh."""
    check_gated(kind, params)
    order = KERAS_ORDER[kind]
    kernel = np.concatenate([params[f"Wx_{g}"] for g in order], axis=1)
    recurrent = np.concatenate([params[f"Wh_{g}"] for g in order], axis=1)
    bx = np.concatenate([params[f"bx_{g}"] for g in order])
    bh = np.concatenate([params[f"bh_{g}"] for g in order])
    bias = np.stack([bx, bh]) if keras_biases(kind, reset_after) == 2 else bx + bh
    return [kernel, recurrent, bias]


def from_keras(kind, weights, *, reset_after=True) -> dict:
    """The neutral layout of ``layer.get_weights()``; one bias becomes bx (bh = 0)."""
    check_kind(kind)
    if len(weights) != 3:
        raise ValueError(
            f"weights must be [kernel, recurrent_kernel, bias] (a layer with "
            f"use_bias=True), got {len(weights)} arrays"
        )
    kernel, recurrent, bias = (np.asarray(w) for w in weights)
    state_size = recurrent.shape[0] if recurrent.ndim == 2 else 0
    gates = len(GATES[kind])
    if (
        state_size == 0
        or recurrent.shape != (state_size, gates * state_size)
        or kernel.ndim != 2
        or kernel.shape[1] != gates * state_size
    ):
        raise ValueError(
            f"a Keras {kind} has kernel (input_size, {gates} * state_size) and "
            f"recurrent_kernel (state_size, {gates} * state_size); got {kernel.shape} "
            f"and {recurrent.shape}"
        )
    if keras_biases(kind, reset_after) == 2:
        if bias.shape != (2, gates * state_size):
            raise ValueError(
                f"a Keras GRU with reset_after=True has a bias of shape "
                f"{(2, gates * state_size)}, got {bias.shape}: pass the reset_after "
                "the layer was built with"
            )
        bx, bh = bias
    else:
        if bias.shape != (gates * state_size,):
            raise ValueError(
                f"bias must have shape {(gates * state_size,)} for a Keras {kind} "
                f"with reset_after={reset_after}, got {bias.shape}"
            )
        bx, bh = bias, np.zeros_like(bias)
    params = {}
    for j, g in enumerate(KERAS_ORDER[kind]):
        columns = slice(j * state_size, (j + 1) * state_size)
        params[f"Wx_{g}"] = kernel[:, columns].copy()
        params[f"Wh_{g}"] = recurrent[:, columns].copy()
        params[f"bx_{g}"] = bx[columns].copy()
        params[f"bh_{g}"] = bh[columns].copy()
    return params


def to_torch(kind, params) -> dict[str, np.ndarray]:
    """{"weight_ih", "weight_hh", "bias_ih", "bias_hh"} for nn.RNN, nn.GRU or nn.LSTM
    (add the layer's suffix, ``_l0``, to set its parameters)."""
    check_gated(kind, params)
    order = TORCH_ORDER[kind]
    return {
        "weight_ih": np.concatenate([params[f"Wx_{g}"].T for g in order]),
        "weight_hh": np.concatenate([params[f"Wh_{g}"].T for g in order]),
        "bias_ih": np.concatenate([params[f"bx_{g}"] for g in order]),
        "bias_hh": np.concatenate([params[f"bh_{g}"] for g in order]),
    }


def from_torch(kind, arrays) -> dict:
    """The neutral layout of {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}."""
    check_kind(kind)
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    missing = [name for name in names if name not in arrays]
    if missing:
        raise ValueError(f"arrays is missing {missing}; expected {list(names)}")
    weight_ih, weight_hh, bias_ih, bias_hh = (np.asarray(arrays[n]) for n in names)
    gates = len(GATES[kind])
    state_size = weight_hh.shape[1] if weight_hh.ndim == 2 else 0
    if state_size == 0 or weight_hh.shape != (gates * state_size, state_size):
        raise ValueError(
            f"weight_hh of a PyTorch {kind} has shape ({gates} * state_size, "
            f"state_size), got {weight_hh.shape}"
        )
    if weight_ih.ndim != 2 or weight_ih.shape[0] != gates * state_size:
        raise ValueError(
            f"weight_ih of a PyTorch {kind} has shape ({gates} * state_size, "
            f"input_size) = ({gates * state_size}, input_size), got {weight_ih.shape}"
        )
    for name, bias in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if bias.shape != (gates * state_size,):
            raise ValueError(
                f"{name} of a PyTorch {kind} has shape ({gates * state_size},), "
                f"got {bias.shape}"
            )
    params = {}
    for j, g in enumerate(TORCH_ORDER[kind]):
        rows = slice(j * state_size, (j + 1) * state_size)
        params[f"Wx_{g}"] = weight_ih[rows].T.copy()
        params[f"Wh_{g}"] = weight_hh[rows].T.copy()
        params[f"bx_{g}"] = bias_ih[rows].copy()
        params[f"bh_{g}"] = bias_hh[rows].copy()
    return params


def from_hand_rolled(params) -> tuple[dict, dict]:
    """(the neutral layout of an "rnn", its head {"U", "c"}) from chapter 3's {"W",
    "b", "U", "c"}: Wx_h and Wh_h are W's two row blocks, bx_h is b and bh_h zero."""
    num_classes, state_size = sizes(params)
    W = np.asarray(params["W"])
    cell = {
        "Wx_h": W[:num_classes].copy(),
        "Wh_h": W[num_classes:].copy(),
        "bx_h": np.array(params["b"], copy=True),
        "bh_h": np.zeros_like(np.asarray(params["b"])),
    }
    return cell, {"U": np.array(params["U"], copy=True), "c": np.array(params["c"])}


def to_hand_rolled(params, head=None) -> dict:
    """Chapter 3's {"W", "b"} (and "U", "c" when ``head`` is given) from the neutral
    layout of an "rnn": W stacks Wx_h over Wh_h, b = bx_h + bh_h."""
    check_gated("rnn", params)
    weights = {
        "W": np.concatenate([params["Wx_h"], params["Wh_h"]]),
        "b": np.asarray(params["bx_h"]) + np.asarray(params["bh_h"]),
    }
    if head is not None:
        weights["U"], weights["c"] = np.asarray(head["U"]), np.asarray(head["c"])
    return weights
