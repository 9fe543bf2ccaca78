"""The character-level LSTM language model in NumPy: its weights, where they start, and
the forward pass that checks TensorFlow's and PyTorch's.

ids x (batch_size, num_steps) -> an embedding table row per character -> LSTM layers
of ``state_sizes`` units, each starting from a given state -> a dense layer on every
step's top output -> logits (batch_size, num_steps, vocab_size). Weights, as a dict of
arrays in Keras's layout (both frameworks' models take it and give it back):

    embedding                 (vocab_size, embed_size)
    lstm{l}.kernel, lstm{l}.recurrent_kernel, lstm{l}.bias, dense.kernel, dense.bias
                              as in ``rnnlib.numpy.lstm_stack`` (gates i, f, g, o)

A state is a tuple with one pair (h, c) per layer, each (batch_size, state_size).
NumPy only.
"""

import numpy as np

from rnnlib._checks import check_int
from rnnlib.numpy import lstm_stack

__all__ = ["check_params", "forward", "init_params", "param_names", "zero_state"]


def param_names(num_layers: int) -> list[str]:
    """The keys of a parameter dict with ``num_layers`` LSTM layers, in the order Keras
    keeps the weights."""
    return ["embedding"] + lstm_stack.param_names(num_layers)


#: How ``init_params`` draws the embedding (the text benchmark records it).
EMBEDDING_INIT = "standard_normal"


def init_params(
    *, vocab_size=65, embed_size=64, state_sizes=(512,), seed=0, dtype=np.float32
) -> dict[str, np.ndarray]:
    """Starting weights from a seeded NumPy generator, so both frameworks start from the
    same numbers: the embedding standard normal, as PyTorch's ``nn.Embedding`` draws it
    (Keras's ``Embedding`` draws from U(-0.05, 0.05)), the LSTM layers and the dense
    layer as Keras does (``lstm_stack.init_params``, forget-gate bias 1)."""
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    embed_size = check_int(embed_size, "embed_size")
    stack = lstm_stack.init_params(
        num_inputs=embed_size,
        state_sizes=state_sizes,
        num_classes=vocab_size,
        seed=seed,
        dtype=dtype,
    )
    rng = np.random.default_rng([seed, 1])
    embedding = rng.standard_normal((vocab_size, embed_size)).astype(dtype)
    return {"embedding": embedding, **stack}


def check_params(params) -> tuple[int, int, tuple[int, ...]]:
    """(vocab_size, embed_size, state_sizes) of a parameter dict, shapes checked."""
    if "embedding" not in params:
        raise ValueError(f"params must hold 'embedding'; got keys {sorted(params)}")
    stack = {name: value for name, value in params.items() if name != "embedding"}
    embed_size, state_sizes, vocab_size = lstm_stack.check_params(stack)
    if np.shape(params["embedding"]) != (vocab_size, embed_size):
        raise ValueError(
            f"params['embedding'] has shape {np.shape(params['embedding'])}, expected "
            f"{(vocab_size, embed_size)} (vocab_size, embed_size)"
        )
    return vocab_size, embed_size, state_sizes


def zero_state(params, batch_size) -> tuple:
    """((h, c), ...) of zeros, one pair per layer, each (batch_size, state_size)."""
    _, _, state_sizes = check_params(params)
    batch_size = check_int(batch_size, "batch_size")
    return tuple(
        (np.zeros((batch_size, n), np.float64), np.zeros((batch_size, n), np.float64))
        for n in state_sizes
    )


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def forward(params, x, state=None):
    """``(logits, state)``: logits (batch_size, num_steps, vocab_size) of ids x
    (batch_size, num_steps), from ``state`` (zeros when None), and the final state."""
    vocab_size, _, state_sizes = check_params(params)
    x = np.asarray(x)
    if x.ndim != 2 or not np.issubdtype(x.dtype, np.integer):
        raise ValueError(
            f"x must be integer ids of shape (batch_size, num_steps), got {x.dtype} "
            f"of shape {x.shape}"
        )
    if x.size and (x.min() < 0 or x.max() >= vocab_size):
        raise ValueError(f"x must hold ids in [0, {vocab_size})")
    state = zero_state(params, x.shape[0]) if state is None else state
    inputs = np.asarray(params["embedding"], np.float64)[x]  # (batch, steps, embed)
    final = []
    for layer, (h, c) in enumerate(state):
        kernel, recurrent, bias = (
            np.asarray(params[f"lstm{layer}.{part}"], np.float64)
            for part in ("kernel", "recurrent_kernel", "bias")
        )
        outputs = []
        for t in range(x.shape[1]):
            z = inputs[:, t] @ kernel + h @ recurrent + bias  # (batch, 4 * state)
            i, f, g, o = np.split(z, 4, axis=1)
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            outputs.append(h)
        inputs = np.stack(outputs, axis=1)  # (batch, steps, state_size)
        final.append((h, c))
    logits = inputs @ params["dense.kernel"] + params["dense.bias"]
    return logits, tuple(final)
