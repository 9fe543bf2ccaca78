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
"""

import numpy as np

from rnnlib.numpy.gated import GATES, check_gated, check_kind

__all__ = [
    "KERAS_ORDER",
    "TORCH_ORDER",
    "from_keras",
    "from_torch",
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
    state_size = recurrent.shape[0]
    gates = len(GATES[kind])
    if recurrent.shape != (state_size, gates * state_size) or kernel.shape[1] != (
        gates * state_size
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
    state_size = weight_hh.shape[1]
    gates = len(GATES[kind])
    if weight_hh.shape != (gates * state_size, state_size):
        raise ValueError(
            f"weight_hh of a PyTorch {kind} has shape ({gates} * state_size, "
            f"state_size), got {weight_hh.shape}"
        )
    params = {}
    for j, g in enumerate(TORCH_ORDER[kind]):
        rows = slice(j * state_size, (j + 1) * state_size)
        params[f"Wx_{g}"] = weight_ih[rows].T.copy()
        params[f"Wh_{g}"] = weight_hh[rows].T.copy()
        params[f"bx_{g}"] = bias_ih[rows].copy()
        params[f"bh_{g}"] = bias_hh[rows].copy()
    return params
