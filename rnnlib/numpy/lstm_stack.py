"""A stack of LSTM layers with a dense head on the last step, in NumPy: the weights that
TensorFlow and PyTorch exchange, where they start, and the forward pass that checks
both.

The MNIST chapter's classifier reads a sequence x of shape (batch_size, num_steps,
num_inputs) through LSTM layers of ``state_sizes`` units, then maps the top layer's last
output to ``num_classes`` logits. Its weights, as a dict of arrays in Keras's layout:

    lstm{l}.kernel            (inputs of layer l, 4 * state_size)  multiplies x_t
    lstm{l}.recurrent_kernel  (state_size, 4 * state_size)         multiplies h_{t-1}
    lstm{l}.bias              (4 * state_size,)
    dense.kernel              (state_sizes[-1], num_classes)
    dense.bias                (num_classes,)

The four column blocks of size state_size are the gates in the order of
``rnnlib.numpy.gated.GATES["lstm"]``: input, forget, candidate, output. Keras names them
i, f, c, o and PyTorch i, f, g, o: the same order, so copying weights across is a
transpose (PyTorch stores (4 * state_size, inputs)) and, for PyTorch's second bias, a
zero. TF1's ``BasicLSTMCell`` used i, j (candidate), f, o and added ``forget_bias=1.0``
at run time; its checkpoints need the blocks reordered. A layer runs through rnnlib's
one NumPy LSTM, ``rnnlib.numpy.gated``, its weights unpacked by
``rnnlib.numpy.layouts.from_keras``. (The sequences chapter's gate mapping covers the
cells in general; this module holds only what the MNIST chapter needs.)
"""

import numpy as np

from rnnlib._checks import check_int
from rnnlib.numpy import gated, layouts

__all__ = [
    "check_params",
    "forward",
    "init_params",
    "lstm_layer",
    "param_names",
]


def param_names(num_layers: int) -> list[str]:
    """The keys of a parameter dict with ``num_layers`` LSTM layers, in order."""
    num_layers = check_int(num_layers, "num_layers")
    names = []
    for layer in range(num_layers):
        names += [
            f"lstm{layer}.{part}" for part in ("kernel", "recurrent_kernel", "bias")
        ]
    return names + ["dense.kernel", "dense.bias"]


def init_params(
    *, num_inputs=28, state_sizes=(32, 64), num_classes=10, seed=0, dtype=np.float32
) -> dict[str, np.ndarray]:
    """Keras's defaults, drawn from a seeded NumPy generator, so both frameworks start
    from the same numbers.

    Kernels Glorot uniform, recurrent kernels orthogonal, biases zero except the forget
    gate's, which starts at 1 (``unit_forget_bias``: a new LSTM keeps its cell state
    until it learns not to); the dense kernel Glorot uniform, its bias zero.
    """
    num_inputs = check_int(num_inputs, "num_inputs")
    num_classes = check_int(num_classes, "num_classes")
    state_sizes = tuple(check_int(n, "state_sizes[i]") for n in state_sizes)
    if not state_sizes:
        raise ValueError("state_sizes must name at least one layer, got ()")
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    def orthogonal(rows, cols):  # as keras.initializers.Orthogonal
        q, r = np.linalg.qr(rng.normal(size=(max(rows, cols), min(rows, cols))))
        q *= np.sign(np.diag(r))
        return q.T if rows < cols else q

    params = {}
    for layer, (n_in, n) in enumerate(zip((num_inputs,) + state_sizes, state_sizes)):
        bias = np.zeros(4 * n)
        bias[n : 2 * n] = 1.0  # the forget gate's block
        params[f"lstm{layer}.kernel"] = glorot(n_in, 4 * n)
        params[f"lstm{layer}.recurrent_kernel"] = orthogonal(n, 4 * n)
        params[f"lstm{layer}.bias"] = bias
    params["dense.kernel"] = glorot(state_sizes[-1], num_classes)
    params["dense.bias"] = np.zeros(num_classes)
    return {name: value.astype(dtype) for name, value in params.items()}


def check_params(params) -> tuple[int, tuple[int, ...], int]:
    """(num_inputs, state_sizes, num_classes) of a parameter dict, shapes checked."""
    layers = 0
    while f"lstm{layers}.kernel" in params:
        layers += 1
    if layers == 0:
        raise ValueError(
            f"params must hold lstm0.kernel, lstm0.recurrent_kernel, ...; got keys "
            f"{sorted(params)}"
        )
    missing = [name for name in param_names(layers) if name not in params]
    extra = sorted(set(params) - set(param_names(layers)))
    if missing or extra:
        raise ValueError(
            f"params for {layers} LSTM layers must have keys {param_names(layers)}; "
            f"missing {missing}, unexpected {extra}"
        )
    num_inputs = np.shape(params["lstm0.kernel"])[0]
    state_sizes = tuple(
        np.shape(params[f"lstm{layer}.recurrent_kernel"])[0] for layer in range(layers)
    )
    num_classes = np.shape(params["dense.bias"])[0]
    expected = {"dense.kernel": (state_sizes[-1], num_classes)}
    for layer, (n_in, n) in enumerate(zip((num_inputs,) + state_sizes, state_sizes)):
        expected[f"lstm{layer}.kernel"] = (n_in, 4 * n)
        expected[f"lstm{layer}.recurrent_kernel"] = (n, 4 * n)
        expected[f"lstm{layer}.bias"] = (4 * n,)
    for name, shape in expected.items():
        if np.shape(params[name]) != shape:
            raise ValueError(
                f"params[{name!r}] has shape {np.shape(params[name])}, expected {shape}"
            )
    return num_inputs, state_sizes, num_classes


def lstm_layer(x, kernel, recurrent_kernel, bias):
    """One LSTM layer over a whole sequence, from zero states.

    x: (batch_size, num_steps, inputs). Returns (outputs, (h, c)): outputs (batch_size,
    num_steps, state_size) holds h_t at every step; h and c are the final hidden and
    cell states, (batch_size, state_size) each. An LSTM's state is the pair; only h is
    an output, so h equals outputs[:, -1].
    """
    params = layouts.from_keras("lstm", [kernel, recurrent_kernel, bias])
    return gated.run_gated("lstm", params, x)


def forward(params, x) -> np.ndarray:
    """Logits (batch_size, num_classes) of the stacked LSTM on x (batch_size, num_steps,
    num_inputs): each layer reads the outputs of the one below; the dense layer reads
    the top layer's last output."""
    num_inputs, state_sizes, _ = check_params(params)
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[2] != num_inputs:
        raise ValueError(
            f"x must have shape (batch_size, num_steps, {num_inputs}), got {x.shape}"
        )
    for layer in range(len(state_sizes)):
        x, _ = lstm_layer(
            x,
            params[f"lstm{layer}.kernel"],
            params[f"lstm{layer}.recurrent_kernel"],
            params[f"lstm{layer}.bias"],
        )
    return x[:, -1] @ params["dense.kernel"] + params["dense.bias"]
