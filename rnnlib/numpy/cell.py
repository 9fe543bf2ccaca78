"""The hand-rolled RNN cell in NumPy: forward pass and backprop through time by hand.

The model, written for a batch of rows (row vectors, so the matrices are the transposes
of the column-vector formulas S_t = tanh(W [X_t; S_{t-1}] + b), P_t = softmax(U S_t +
c)):

    S_t      = tanh([X_t, S_{t-1}] @ W + b)   W: (num_classes + state_size, state_size)
    logits_t = S_t @ U + c                    U: (state_size, num_classes)
    loss     = mean over batch and steps of -log softmax(logits_t)[y_t]

Chapter 3's NumPy page writes these functions out; a test checks that its cells and this
module hold the same code (argument checks aside). Every framework is tested against
them.
"""

import numpy as np

from rnnlib._checks import check_int

__all__ = [
    "PARAM_NAMES",
    "check_classes",
    "check_params",
    "check_window",
    "forward",
    "init_params",
    "log_softmax",
    "loss_and_gradients",
    "mean_cross_entropy",
    "one_hot",
    "sizes",
    "softmax",
]

PARAM_NAMES = ("W", "b", "U", "c")


def init_params(*, num_classes=2, state_size=4, seed=0, dtype=np.float64) -> dict:
    """Glorot-uniform W and U (TF1's ``tf.get_variable`` default, which the original
    used for them) and zero biases (which the original set explicitly, with
    ``tf.constant_initializer(0.0)``).

    Returns {"W": (num_classes + state_size, state_size), "b": (state_size,),
    "U": (state_size, num_classes), "c": (num_classes,)}. Every framework starts from
    these.
    """
    num_classes = check_int(num_classes, "num_classes")
    state_size = check_int(state_size, "state_size")
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)

    return {
        "W": glorot(num_classes + state_size, state_size),
        "b": np.zeros(state_size, dtype),
        "U": glorot(state_size, num_classes),
        "c": np.zeros(num_classes, dtype),
    }


def sizes(params) -> tuple[int, int]:
    """(num_classes, state_size) of a parameter dict, checking that the shapes agree."""
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {PARAM_NAMES}")
    state_size, num_classes = np.shape(params["U"])
    expected = {
        "W": (num_classes + state_size, state_size),
        "b": (state_size,),
        "c": (num_classes,),
    }
    for name, shape in expected.items():
        if np.shape(params[name]) != shape:
            raise ValueError(
                f"params[{name!r}] has shape {np.shape(params[name])}, expected {shape}"
            )
    return num_classes, state_size


def check_params(params) -> None:
    """A clear error unless ``params`` holds W, b, U and c of matching shapes."""
    sizes(params)


def check_classes(x, num_classes, name="x") -> None:
    """A clear error unless ``x`` holds integer classes in [0, num_classes)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        raise ValueError(
            f"{name} must hold integer classes in [0, {num_classes}), "
            f"got dtype {x.dtype}"
        )
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(
            f"{name} must hold classes in [0, {num_classes}), got values in "
            f"[{x.min()}, {x.max()}]"
        )


def check_labels(logits, y) -> None:
    """A clear error unless y holds one class in [0, num_classes) per row of logits:
    a label of -1 would silently score the last class."""
    logits_shape, y = np.shape(logits), np.asarray(y)
    if len(logits_shape) < 1 or y.shape != logits_shape[:-1]:
        raise ValueError(
            f"y must have the shape of logits without its last axis, "
            f"{logits_shape[:-1]}, got {y.shape}"
        )
    check_classes(y, logits_shape[-1], "y")


def check_window(params, x, init_state, y=None) -> None:
    """Clear errors for a window whose shapes or classes do not fit ``params``."""
    num_classes, state_size = sizes(params)
    x = np.asarray(x)
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(
            f"x must have shape (batch_size, num_steps), both >= 1, got {x.shape}"
        )
    check_classes(x, num_classes)
    if np.shape(init_state) != (x.shape[0], state_size):
        raise ValueError(
            f"init_state must have shape {(x.shape[0], state_size)}, "
            f"got {np.shape(init_state)}"
        )
    if y is not None:
        if np.shape(y) != x.shape:
            raise ValueError(
                f"y must have the shape of x, {x.shape}, got {np.shape(y)}"
            )
        check_classes(y, num_classes, "y")


def one_hot(x, num_classes):
    check_classes(x, num_classes)
    return np.eye(num_classes)[x]  # (..., num_classes)


def forward(params, x, init_state):
    """x: (batch_size, num_steps) classes; init_state: (batch_size, state_size)."""
    check_window(params, x, init_state)
    num_classes = params["U"].shape[1]
    inputs = one_hot(x, num_classes)  # (batch_size, num_steps, num_classes)
    state, states = init_state, []
    for t in range(x.shape[1]):
        # (batch_size, num_classes + state_size)
        joined = np.concatenate([inputs[:, t], state], axis=1)
        state = np.tanh(joined @ params["W"] + params["b"])  # (batch_size, state_size)
        states.append(state)
    states = np.stack(states, axis=1)  # (batch_size, num_steps, state_size)
    logits = states @ params["U"] + params["c"]  # (batch_size, num_steps, num_classes)
    return states, logits


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def mean_cross_entropy(logits, y):
    """logits: (batch_size, num_steps, num_classes); y: (batch_size, num_steps)."""
    check_labels(logits, y)
    # (batch_size, num_steps, 1)
    log_p_of_y = np.take_along_axis(log_softmax(logits), y[..., None], axis=-1)
    return float(-log_p_of_y.mean())


def loss_and_gradients(params, x, y, init_state):
    """The window's mean cross-entropy, its gradients (shaped like params), and the
    final state.
    """
    check_window(params, x, init_state, y)
    state_size, num_classes = params["U"].shape
    batch_size, num_steps = x.shape
    states, logits = forward(params, x, init_state)
    inputs = one_hot(x, num_classes)  # (batch_size, num_steps, num_classes)
    # like logits
    dlogits = (softmax(logits) - one_hot(y, num_classes)) / (batch_size * num_steps)

    grads = {}
    # (state_size, num_classes)
    grads["U"] = states.reshape(-1, state_size).T @ dlogits.reshape(-1, num_classes)
    grads["c"] = dlogits.sum(axis=(0, 1))  # (num_classes,)
    grads["W"] = np.zeros_like(params["W"])
    grads["b"] = np.zeros_like(params["b"])
    # (state_size, state_size): the block W_s that multiplies S_{t-1}
    W_state = params["W"][num_classes:]
    # d L / d S_t through A_{t+1}: zero at the last step
    dstate_from_next = np.zeros_like(init_state)
    for t in reversed(range(num_steps)):
        # S_{t-1}: (batch_size, state_size)
        previous = states[:, t - 1] if t > 0 else init_state
        dstate = (
            dlogits[:, t] @ params["U"].T + dstate_from_next
        )  # (batch_size, state_size)
        dpre = dstate * (1.0 - states[:, t] ** 2)  # through the tanh
        grads["W"] += np.concatenate([inputs[:, t], previous], axis=1).T @ dpre
        grads["b"] += dpre.sum(axis=0)
        dstate_from_next = dpre @ W_state.T  # d L / d S_{t-1}
    # dstate_from_next is now d L / d S_0; truncated backprop drops it.
    return mean_cross_entropy(logits, y), grads, states[:, -1]
