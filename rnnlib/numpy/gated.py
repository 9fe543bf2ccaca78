"""GRU and LSTM cells in NumPy: one framework-neutral weight layout, and the reference
step every framework is tested against.

The layout names every gate's weights separately, in the row convention of every page
(x_t @ W), so that no framework's packing order is built in::

    Wx_<g>: (input_size, state_size)   Wh_<g>: (state_size, state_size)
    bx_<g>: (state_size,)              bh_<g>: (state_size,)

for the gates g of ``GATES[kind]``: LSTM i, f, g, o (input, forget, candidate, output);
GRU r, z, n (reset, update, candidate); the tanh cell h. ``GATES`` is rnnlib's one list
of cell kinds and their gates, and its keys are the kinds' one spelling everywhere:
``"rnn"`` (the tanh cell: Keras's ``SimpleRNN``, PyTorch's ``nn.RNN``), ``"gru"`` and
``"lstm"``. Two biases per gate, as
PyTorch and Keras's GRU (``reset_after=True``) keep them; where a layer has one bias
(Keras's LSTM and SimpleRNN, the GRU with ``reset_after=False``), it is bx + bh.
``rnnlib.numpy.layouts`` packs this layout into each library's arrays and back. NumPy
only.
"""

from collections.abc import Mapping

import numpy as np

from rnnlib._checks import check_int

__all__ = [
    "GATES",
    "KINDS",
    "check_gated",
    "check_head",
    "check_kind",
    "gru_step",
    "init_gated",
    "init_head",
    "lstm_step",
    "num_params",
    "rnn_step",
    "run_gated",
    "sigmoid",
    "stacked",
    "zero_state",
]

#: The gates of each kind of cell, in the order the neutral layout lists them.
GATES = {"rnn": ("h",), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}
KINDS = tuple(GATES)


def check_kind(kind, kinds=KINDS) -> str:
    """``kind`` unchanged, or a ValueError naming the kinds accepted (``kinds``, a
    subset of KINDS where only some apply)."""
    if not isinstance(kind, str) or kind not in kinds:
        raise ValueError(f"kind must be one of {list(kinds)}, got {kind!r}")
    return kind


def check_gated(kind, params) -> tuple[int, int]:
    """(input_size, state_size) of a neutral parameter dict, or a ValueError naming the
    key that is missing or has the wrong shape."""
    check_kind(kind)
    keys = [f"{w}_{g}" for g in GATES[kind] for w in ("Wx", "Wh", "bx", "bh")]
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a dict of arrays {keys}, got {type(params).__name__}"
        )
    missing = [key for key in keys if key not in params]
    if missing:
        raise ValueError(
            f"params of a {kind} is missing {missing}; expected {keys} (the neutral "
            f"layout of rnnlib.numpy.gated; got keys {sorted(params)})"
        )
    first = f"Wx_{GATES[kind][0]}"
    if np.ndim(params[first]) != 2:
        raise ValueError(
            f"params[{first!r}] must have shape (input_size, state_size), got "
            f"{np.shape(params[first])}"
        )
    input_size, state_size = np.shape(params[first])
    expected = {
        "Wx": (input_size, state_size),
        "Wh": (state_size, state_size),
        "bx": (state_size,),
        "bh": (state_size,),
    }
    for key in keys:
        shape = expected[key.split("_")[0]]
        if np.shape(params[key]) != shape:
            raise ValueError(
                f"params[{key!r}] has shape {np.shape(params[key])}, expected {shape}"
            )
    return input_size, state_size


def init_gated(
    kind, *, input_size, state_size, seed=0, forget_bias=1.0, dtype=np.float64
) -> dict:
    """Weights as Keras initializes its layers, drawn from a seeded NumPy generator.

    Wx Glorot uniform over the whole packed kernel (input_size, gates * state_size), Wh
    orthogonal per layer (state_size, gates * state_size), biases zero except the LSTM's
    forget gate, ``forget_bias`` (Keras's ``unit_forget_bias``). Every framework starts
    from these numbers.
    """
    check_kind(kind)
    input_size = check_int(input_size, "input_size")
    state_size = check_int(state_size, "state_size")
    rng = np.random.default_rng(seed)
    gates = GATES[kind]
    width = len(gates) * state_size
    limit = np.sqrt(6.0 / (input_size + width))
    Wx = rng.uniform(-limit, limit, size=(input_size, width))
    # Orthogonal: the Q of a QR of a Gaussian matrix, signs fixed by R's diagonal.
    q, r = np.linalg.qr(rng.normal(size=(width, state_size)))
    Wh = (q * np.sign(np.diag(r))).T  # (state_size, width), orthonormal rows
    params = {}
    for j, gate in enumerate(gates):
        columns = slice(j * state_size, (j + 1) * state_size)
        params[f"Wx_{gate}"] = Wx[:, columns].astype(dtype)
        params[f"Wh_{gate}"] = Wh[:, columns].astype(dtype)
        params[f"bx_{gate}"] = np.zeros(state_size, dtype)
        params[f"bh_{gate}"] = np.zeros(state_size, dtype)
    if kind == "lstm":
        params["bx_f"][:] = forget_bias
    return params


def init_head(*, state_size, num_classes, seed=0, dtype=np.float64) -> dict:
    """The output layer on top of a cell: {"U": (state_size, num_classes) Glorot
    uniform, "c": (num_classes,) zeros}, as Keras's Dense starts."""
    state_size = check_int(state_size, "state_size")
    num_classes = check_int(num_classes, "num_classes")
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (state_size + num_classes))
    U = rng.uniform(-limit, limit, size=(state_size, num_classes))
    return {"U": U.astype(dtype), "c": np.zeros(num_classes, dtype)}


def check_head(head, state_size) -> int:
    """num_classes of a head {"U": (state_size, num_classes), "c": (num_classes,)}."""
    if not isinstance(head, Mapping):
        raise TypeError(f"head must be a dict {{'U', 'c'}}, got {type(head).__name__}")
    if not all(key in head for key in ("U", "c")):
        raise ValueError(f"head must hold 'U' and 'c', got keys {sorted(head)}")
    U, c = np.shape(head["U"]), np.shape(head["c"])
    if len(U) != 2 or U[0] != state_size or c != U[1:]:
        raise ValueError(
            f"head['U'] must have shape ({state_size}, num_classes) and head['c'] "
            f"(num_classes,), got {U} and {c}"
        )
    return U[1]


def num_params(kind, *, input_size, state_size, biases=2) -> int:
    """Weights of one layer: gates * (input_size * state_size + state_size**2 + biases *
    state_size). biases is 2 for PyTorch and Keras's GRU (reset_after=True), 1 for
    Keras's LSTM, SimpleRNN and GRU(reset_after=False)."""
    check_kind(kind)
    input_size = check_int(input_size, "input_size")
    state_size = check_int(state_size, "state_size")
    if isinstance(biases, bool) or biases not in (0, 1, 2):
        raise ValueError(f"biases must be 0, 1 or 2, got {biases!r}")
    gates = len(GATES[kind])
    return gates * (input_size * state_size + state_size**2 + biases * state_size)


def stacked(kind, params) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(Wx, Wh, bx, bh) with the gates side by side in GATES order: Wx (input_size,
    gates * state_size), Wh (state_size, gates * state_size), bx and bh (gates *
    state_size,). One matrix product then computes every gate at once."""
    check_gated(kind, params)
    return tuple(
        np.concatenate([params[f"{w}_{g}"] for g in GATES[kind]], axis=-1)
        for w in ("Wx", "Wh", "bx", "bh")
    )


def zero_state(kind, batch_size, state_size, dtype=np.float64) -> tuple:
    """(h,) for the tanh cell and the GRU, (h, c) for the LSTM, all zeros."""
    batch_size = check_int(batch_size, "batch_size")
    state_size = check_int(state_size, "state_size")
    zeros = np.zeros((batch_size, state_size), dtype)
    return (zeros, zeros.copy()) if check_kind(kind) == "lstm" else (zeros,)


def sigmoid(a):
    """The logistic function, rnnlib's one NumPy sigmoid."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1 / (1 + exp(-a)), without overflow


def gate(params, name, x_t, h):
    """x_t @ Wx + bx + h @ Wh + bh for one gate: (batch_size, state_size)."""
    return (
        x_t @ params[f"Wx_{name}"]
        + params[f"bx_{name}"]
        + h @ params[f"Wh_{name}"]
        + params[f"bh_{name}"]
    )


def lstm_step(params, x_t, state):
    """One LSTM step; x_t: (batch_size, input_size), state (h, c), each (batch_size,
    state_size). Returns (h, (h, c))."""
    h, c = state
    i = sigmoid(gate(params, "i", x_t, h))  # input gate
    f = sigmoid(gate(params, "f", x_t, h))  # forget gate
    g = np.tanh(gate(params, "g", x_t, h))  # candidate
    o = sigmoid(gate(params, "o", x_t, h))  # output gate
    c = f * c + i * g
    h = o * np.tanh(c)
    return h, (h, c)


def gru_step(params, x_t, state, reset_after=True):
    """One GRU step; state (h,). Returns (h, (h,)).

    reset_after=True (PyTorch, cuDNN, Keras's default): the reset gate multiplies
    h @ Wh_n + bh_n. reset_after=False (Cho et al. 2014): it multiplies h before Wh_n.
    """
    (h,) = state
    r = sigmoid(gate(params, "r", x_t, h))  # reset gate
    z = sigmoid(gate(params, "z", x_t, h))  # update gate
    x_n = x_t @ params["Wx_n"] + params["bx_n"]
    if reset_after:
        n = np.tanh(x_n + r * (h @ params["Wh_n"] + params["bh_n"]))
    else:
        n = np.tanh(x_n + (r * h) @ params["Wh_n"] + params["bh_n"])
    h = (1 - z) * n + z * h
    return h, (h,)


def rnn_step(params, x_t, state):
    """One step of the tanh cell; state (h,). Returns (h, (h,))."""
    (h,) = state
    h = np.tanh(gate(params, "h", x_t, h))
    return h, (h,)


def run_gated(kind, params, inputs, state=None, *, reset_after=True):
    """Run a cell over inputs (batch_size, num_steps, input_size) from ``state`` (zeros
    if None). Returns (outputs (batch_size, num_steps, state_size), final state)."""
    input_size, state_size = check_gated(kind, params)
    inputs = np.asarray(inputs)
    if inputs.ndim != 3 or inputs.shape[2] != input_size or 0 in inputs.shape[:2]:
        raise ValueError(
            f"inputs must have shape (batch_size, num_steps, {input_size}) with "
            f"batch_size and num_steps >= 1, got {inputs.shape}"
        )
    if state is None:
        dtype = np.result_type(inputs.dtype, np.float32)
        state = zero_state(kind, inputs.shape[0], state_size, dtype)
    outputs = []
    for t in range(inputs.shape[1]):
        if kind == "lstm":
            output, state = lstm_step(params, inputs[:, t], state)
        elif kind == "gru":
            output, state = gru_step(params, inputs[:, t], state, reset_after)
        else:
            output, state = rnn_step(params, inputs[:, t], state)
        outputs.append(output)
    return np.stack(outputs, axis=1), state
