"""Several tanh cells at once in NumPy: chapter 3's cell with a leading model axis.

Every array of ``rnnlib.numpy.cell`` gains a first axis of length M, one entry per
model: W (M, num_classes + state_size, state_size), b (M, state_size), U (M,
state_size, num_classes), c (M, num_classes); windows x, y (M, batch_size, num_steps);
states (M, batch_size, state_size). The matrix products broadcast over the model axis,
so the code is chapter 3's line for line, and model m's results are exactly what
``rnnlib.numpy.cell`` computes for it alone (up to the rounding of a different order
of additions). A sweep over seeds or learning rates (``rnnlib.sweeps.train_stacked``)
then runs one Python loop, and one NumPy call per operation, for all M models instead
of one per model. NumPy
only.
"""

import numpy as np

from rnnlib.numpy.cell import (
    PARAM_NAMES,
    check_classes,
    check_params,
    log_softmax,
    softmax,
)

__all__ = [
    "forward",
    "loss_and_gradients",
    "stack",
    "step_losses",
    "unstack",
]


def stack(params_list) -> dict:
    """One dict of (M, ...) arrays from M parameter dicts of ``rnnlib.numpy.cell``."""
    params_list = list(params_list)
    if not params_list:
        raise ValueError("params_list must hold at least one parameter dict, got none")
    for params in params_list:
        check_params(params)
    shapes = {tuple(np.shape(p["W"])) for p in params_list}
    if len(shapes) != 1:
        raise ValueError(
            f"params_list must hold models of one size to stack, got W shapes "
            f"{sorted(shapes)}"
        )
    return {name: np.stack([p[name] for p in params_list]) for name in PARAM_NAMES}


def unstack(params) -> list[dict]:
    """The M parameter dicts of a stacked dict (copies)."""
    check_stacked(params)
    return [
        {name: params[name][m].copy() for name in PARAM_NAMES}
        for m in range(len(params["W"]))
    ]


def check_stacked(params, x=None, init_state=None) -> None:
    """Clear errors for stacked parameters, windows or states that do not fit."""
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {PARAM_NAMES}")
    W = np.asarray(params["W"])
    if W.ndim != 3:
        raise ValueError(
            f"params['W'] must be stacked, shape (M, num_classes + state_size, "
            f"state_size), got {W.shape}"
        )
    check_params({name: params[name][0] for name in PARAM_NAMES})
    num_models = W.shape[0]
    for name in PARAM_NAMES:
        if len(params[name]) != num_models:
            raise ValueError(
                f"params[{name!r}] holds {len(params[name])} models, params['W'] "
                f"{num_models}"
            )
    state_size, num_classes = params["U"].shape[1:]
    if x is not None:
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[0] != num_models:
            raise ValueError(
                f"x must have shape ({num_models}, batch_size, num_steps), got "
                f"{x.shape}"
            )
        check_classes(x, num_classes)
        if init_state is not None and np.shape(init_state) != (
            num_models,
            x.shape[1],
            state_size,
        ):
            raise ValueError(
                f"init_state must have shape {(num_models, x.shape[1], state_size)}, "
                f"got {np.shape(init_state)}"
            )


def forward(params, x, init_state):
    """x: (M, batch_size, num_steps) classes; init_state: (M, batch_size, state_size).

    Returns states (M, batch_size, num_steps, state_size) and logits (M, batch_size,
    num_steps, num_classes), model by model ``rnnlib.numpy.cell.forward``.
    """
    check_stacked(params, x, init_state)
    num_classes = params["U"].shape[2]
    inputs = np.eye(num_classes)[x]  # (M, batch_size, num_steps, num_classes)
    state, states = init_state, []
    for t in range(x.shape[2]):
        # (M, batch_size, num_classes + state_size)
        joined = np.concatenate([inputs[:, :, t], state], axis=2)
        # (M, batch_size, state_size)
        state = np.tanh(joined @ params["W"] + params["b"][:, None])
        states.append(state)
    states = np.stack(states, axis=2)  # (M, batch_size, num_steps, state_size)
    # (M, batch_size, num_steps, num_classes)
    logits = states @ params["U"][:, None] + params["c"][:, None, None]
    return states, logits


def step_losses(params, x, y, init_state):
    """-ln P(y) at every step, (M, batch_size, num_steps), and the final states."""
    states, logits = forward(params, x, init_state)
    log_p_of_y = np.take_along_axis(log_softmax(logits), y[..., None], axis=-1)
    return -log_p_of_y[..., 0], states[:, :, -1]


def loss_and_gradients(params, x, y, init_state):
    """Each model's mean cross-entropy over its window, shape (M,); the gradients of
    those losses, stacked like params; the final states (M, batch_size, state_size).

    Model m's gradient is the gradient of its own loss: the models share nothing.
    """
    check_stacked(params, x, init_state)
    check_classes(y, params["U"].shape[2], "y")
    _, state_size, num_classes = params["U"].shape
    _, batch_size, num_steps = x.shape
    states, logits = forward(params, x, init_state)
    inputs = np.eye(num_classes)[x]  # (M, batch_size, num_steps, num_classes)
    labels = np.eye(num_classes)[y]
    log_p_of_y = np.take_along_axis(log_softmax(logits), y[..., None], axis=-1)
    losses = -log_p_of_y.mean(axis=(1, 2, 3))  # (M,)
    dlogits = (softmax(logits) - labels) / (batch_size * num_steps)  # like logits

    num_models = len(x)
    grads = {
        # (M, state_size, num_classes): a matrix product per model
        "U": states.reshape(num_models, -1, state_size).transpose(0, 2, 1)
        @ dlogits.reshape(num_models, -1, num_classes),
        "c": dlogits.sum(axis=(1, 2)),  # (M, num_classes)
        "W": np.zeros_like(params["W"]),
        "b": np.zeros_like(params["b"]),
    }
    W_state = params["W"][:, num_classes:]  # (M, state_size, state_size)
    dstate_from_next = np.zeros_like(init_state)  # (M, batch_size, state_size)
    for t in reversed(range(num_steps)):
        previous = states[:, :, t - 1] if t > 0 else init_state
        # (M, batch_size, state_size)
        dstate = dlogits[:, :, t] @ params["U"].transpose(0, 2, 1) + dstate_from_next
        dpre = dstate * (1.0 - states[:, :, t] ** 2)  # through the tanh
        joined = np.concatenate([inputs[:, :, t], previous], axis=2)
        grads["W"] += joined.transpose(0, 2, 1) @ dpre
        grads["b"] += dpre.sum(axis=1)
        dstate_from_next = dpre @ W_state.transpose(0, 2, 1)
    return losses, grads, states[:, :, -1]
