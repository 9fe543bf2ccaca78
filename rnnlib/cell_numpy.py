"""The hand-rolled RNN cell in NumPy: forward pass, backprop through time by hand, a gradient check.

The model, written for a batch of rows (row vectors, so the matrices are the transposes of the
column-vector formulas S_t = tanh(W [X_t; S_{t-1}] + b), P_t = softmax(U S_t + c)):

    S_t      = tanh([X_t, S_{t-1}] @ W + b)     W: (num_classes + state_size, state_size), b: (state_size,)
    logits_t = S_t @ U + c                      U: (state_size, num_classes),             c: (num_classes,)
    loss     = mean over batch and steps of -log softmax(logits_t)[y_t]

This is the reference the TensorFlow and PyTorch versions are tested against. NumPy only.
"""

import numpy as np

from rnnlib._checks import check_int

PARAM_NAMES = ("W", "b", "U", "c")


def init_params(*, num_classes=2, state_size=4, seed=0, dtype=np.float64) -> dict[str, np.ndarray]:
    """Glorot-uniform W and U, zero biases, as TF1's ``tf.get_variable`` gave the original model.

    Returns {"W": (num_classes + state_size, state_size), "b": (state_size,),
    "U": (state_size, num_classes), "c": (num_classes,)}. Every framework starts from these.
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
            raise ValueError(f"params[{name!r}] has shape {np.shape(params[name])}, expected {shape}")
    return num_classes, state_size


def one_hot(x, num_classes) -> np.ndarray:
    """Integer classes of any shape (...) to one-hot vectors of shape (..., num_classes)."""
    x = np.asarray(x)
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"x must hold classes in [0, {num_classes}), got values in [{x.min()}, {x.max()}]")
    return np.eye(num_classes)[x]


def _check_batch(params, x, init_state):
    num_classes, state_size = sizes(params)
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (batch_size, num_steps), got {x.shape}")
    if np.shape(init_state) != (x.shape[0], state_size):
        raise ValueError(f"init_state must have shape {(x.shape[0], state_size)}, got {np.shape(init_state)}")
    return x, num_classes, state_size


def forward(params, x, init_state) -> dict[str, np.ndarray]:
    """Run the cell over a window.

    x: (batch_size, num_steps) integer classes; init_state: (batch_size, state_size).
    Returns {"states": (batch_size, num_steps, state_size), "logits": (batch_size, num_steps,
    num_classes), "final_state": (batch_size, state_size)}.
    """
    x, num_classes, _ = _check_batch(params, x, init_state)
    inputs = one_hot(x, num_classes).astype(params["W"].dtype)  # (batch, num_steps, num_classes)
    state, states = init_state, []
    for t in range(x.shape[1]):
        state = np.tanh(np.concatenate([inputs[:, t], state], axis=1) @ params["W"] + params["b"])
        states.append(state)
    states = np.stack(states, axis=1)  # (batch, num_steps, state_size)
    logits = states @ params["U"] + params["c"]  # (batch, num_steps, num_classes)
    return {"states": states, "logits": logits, "final_state": state}


def softmax(logits) -> np.ndarray:
    """Softmax over the last axis, shifted by the max so that exp never overflows."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def mean_cross_entropy(logits, y) -> float:
    """Mean of -log softmax(logits)[y] over every position; logits (..., num_classes), y (...)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return float(-np.take_along_axis(log_probs, np.asarray(y)[..., None], axis=-1).mean())


def loss_and_gradients(params, x, y, init_state) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """The window's mean cross-entropy, its gradients by backprop through time, and the final state.

    The gradient stops at ``init_state`` (truncated backprop). Returns (loss, grads, final_state)
    with grads shaped like params.
    """
    x, num_classes, _ = _check_batch(params, x, init_state)
    if np.shape(y) != x.shape:
        raise ValueError(f"y must have the shape of x, {x.shape}, got {np.shape(y)}")
    out = forward(params, x, init_state)
    states, logits = out["states"], out["logits"]
    batch_size, num_steps = x.shape
    inputs = one_hot(x, num_classes)

    # d loss / d logits of a mean cross-entropy: (softmax - one_hot(y)) / number of positions
    dlogits = (softmax(logits) - one_hot(y, num_classes)) / (batch_size * num_steps)
    grads = {
        "U": np.einsum("bts,btc->sc", states, dlogits),
        "c": dlogits.sum(axis=(0, 1)),
        "W": np.zeros_like(params["W"]),
        "b": np.zeros_like(params["b"]),
    }
    previous = np.concatenate([init_state[:, None], states[:, :-1]], axis=1)  # S_{t-1}: (batch, num_steps, state_size)
    W_state = params["W"][num_classes:]  # the part of W that multiplies S_{t-1}
    dstate_from_future = np.zeros_like(init_state)
    for t in reversed(range(num_steps)):
        dstate = dlogits[:, t] @ params["U"].T + dstate_from_future  # (batch, state_size)
        dpre = dstate * (1.0 - states[:, t] ** 2)  # back through tanh
        grads["W"] += np.concatenate([inputs[:, t], previous[:, t]], axis=1).T @ dpre
        grads["b"] += dpre.sum(axis=0)
        dstate_from_future = dpre @ W_state.T
    return mean_cross_entropy(logits, y), grads, out["final_state"]


def numerical_gradients(params, x, y, init_state, *, eps=1e-6) -> dict[str, np.ndarray]:
    """Central finite differences of the window's loss: slow, simple, and a check on the real thing."""
    grads = {}
    for name in PARAM_NAMES:
        grads[name] = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            shifted = {key: value.copy() for key, value in params.items()}
            shifted[name][index] += eps
            plus = mean_cross_entropy(forward(shifted, x, init_state)["logits"], y)
            shifted[name][index] -= 2 * eps
            minus = mean_cross_entropy(forward(shifted, x, init_state)["logits"], y)
            grads[name][index] = (plus - minus) / (2 * eps)
    return grads


def relative_error(a, b) -> float:
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1 for unrelated ones."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(params, x, y, init_state, *, eps=1e-6) -> dict[str, float]:
    """Relative error between backprop's and finite differences' gradient, per parameter (use float64)."""
    _, analytic, _ = loss_and_gradients(params, x, y, init_state)
    numeric = numerical_gradients(params, x, y, init_state, eps=eps)
    return {name: relative_error(analytic[name], numeric[name]) for name in PARAM_NAMES}
