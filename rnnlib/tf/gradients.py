"""Gradients through time in TensorFlow: state Jacobians by autograd, the gradient
signal that reaches an input k steps back, gradient norms, and clipping by global norm.

``state_jacobians`` is ``rnnlib.numpy.gradients.state_jacobians`` for any cell with a
``step(x_t, state)``: the tanh cell, ``keras.layers.LSTMCell``, ``GRUCell``
(``rnnlib.tf.layers.make_cell``). It replicates each row once per entry of the state
and seeds one backward pass with the identity matrix (``output_gradients``), so copy i
of a row carries row i of every Jacobian back: the NumPy recursion run on the identity,
by autograd. The
derivatives are taken with respect to zeros added to every state, so that an LSTM's c
and h count as separate inputs of the next step (h is computed from c, and a gradient
with respect to c itself would include that path too).
"""

from rnnlib.tf.cells import RNNCell
from rnnlib.tf.layers import LibraryCell, set_gated_weights
from rnnlib.tf.models import SequenceLabeller
from rnnlib.tf.train import make_optimizer

import keras
import numpy as np
import tensorflow as tf

from rnnlib._checks import check_int, check_optional_positive, check_positive
from rnnlib.numpy import layouts
from rnnlib.numpy.gradients import check_num_back
from rnnlib.training import check_tokens_and_labels, train_windows

__all__ = [
    "clip_by_global_norm",
    "global_norm",
    "lag_signal",
    "load_cell",
    "load_labeller",
    "reset_optimizer",
    "state_jacobians",
    "train_with_norms",
]


def state_jacobians(cell, inputs, init_state, num_back):
    """d S_T / d S_{T-k} for k = 1 ... num_back, T the last step, S the whole state.

    inputs: (batch_size, num_steps, input_size); init_state: a tuple of (batch_size,
    part_size) tensors, S_0. The parts of a state (an LSTM's h and c) are joined side by
    side. Returns a tensor (batch_size, num_back, state_size, state_size), so that
    ``tf.function(state_jacobians)`` traces it (``np.asarray`` makes it an array).
    """
    batch_size, num_steps, _ = inputs.shape
    num_back = check_num_back(num_back, num_steps)
    state = tuple(init_state)
    for t in range(num_steps - num_back):  # no tape: these steps need no gradient
        _, state = cell.step(inputs[:, t], state)
    state_size = sum(part.shape[1] for part in state)
    # copy i of each row carries row i of the Jacobian: (batch_size * state_size, ...)
    inputs = tf.repeat(inputs[:, num_steps - num_back :], state_size, axis=0)
    state = tuple(tf.repeat(part, state_size, axis=0) for part in state)
    nudges = []  # zeros added to every state: d S_T / d nudge is d S_T / d that state
    with tf.GradientTape() as tape:
        for t in range(num_back):
            nudge = tuple(tf.zeros_like(part) for part in state)
            tape.watch(nudge)
            state = tuple(part + zero for part, zero in zip(state, nudge))
            nudges.append(nudge)
            _, state = cell.step(inputs[:, t], state)
        final = tf.concat(state, axis=1)  # (batch_size * state_size, state_size)
    # like final: one identity matrix per row of the batch
    identity = tf.tile(tf.eye(state_size, dtype=final.dtype), [batch_size, 1])
    sources = [part for k in range(1, num_back + 1) for part in nudges[num_back - k]]
    grads = tape.gradient(
        final,
        sources,
        output_gradients=identity,
        unconnected_gradients=tf.UnconnectedGradients.ZERO,
    )
    parts = len(init_state)
    per_k = [
        tf.concat(grads[i : i + parts], axis=1) for i in range(0, len(grads), parts)
    ]
    # (batch_size * state_size, num_back, state_size) -> (batch, num_back, i, j)
    jacobians = tf.reshape(
        tf.stack(per_k, axis=1), (batch_size, state_size, num_back, -1)
    )
    return tf.transpose(jacobians, (0, 2, 1, 3))


# ---------------------------------------------------------------- reusing traced code
# tf.function traces a function once per Python object it is handed (a cell, a model,
# an optimizer): a new cell for every set of weights means a new trace every time. These
# load new weights into an existing cell or model, and restart an optimizer, so that one
# trace serves every seed.


def load_cell(cell, params) -> None:
    """Load ``params`` (the neutral layout ``make_cell`` takes) into a cell it made."""
    if isinstance(cell, RNNCell):
        weights = layouts.to_hand_rolled(params)
        cell.W.assign(tf.cast(weights["W"], cell.W.dtype))
        cell.b.assign(tf.cast(weights["b"], cell.b.dtype))
    elif isinstance(cell, LibraryCell):
        cell.cell.set_weights(layouts.to_keras(cell.kind, params))
    else:
        raise TypeError(
            f"cell must come from rnnlib.tf.make_cell, got {type(cell).__name__}"
        )


def load_labeller(model, params, head) -> None:
    """Load ``params`` (the neutral layout) and ``head`` {"U", "c"} into a
    ``SequenceLabeller``, as its constructor would."""
    if not isinstance(model, SequenceLabeller):
        raise TypeError(
            f"model must be an rnnlib.tf.SequenceLabeller, got {type(model).__name__}"
        )
    set_gated_weights(model.rnn, params)
    model.output.set_weights([np.asarray(head["U"]), np.asarray(head["c"])])


def reset_optimizer(optimizer) -> None:
    """Restart a Keras ``Adam`` or ``SGD`` as if new: its step count, Adam's moments and
    SGD's momentum back to zero, its learning rate kept."""
    if not isinstance(optimizer, (keras.optimizers.Adam, keras.optimizers.SGD)):
        raise ValueError(
            f"optimizer must be a keras Adam or a plain SGD to restart, got "
            f"{type(optimizer).__name__}"
        )
    for variable in optimizer.variables:
        if not variable.path.endswith("learning_rate"):
            variable.assign(tf.zeros_like(variable))


def lag_signal(model, x, y, state, lags=(3, 8)) -> dict[int, float]:
    """How strongly each label's loss reaches the input ``lag`` steps before it, within
    the window: the mean over rows and over the window's labels of
    || d L_t / d X_{t-lag} ||, a label with no input that far back in the window
    counting 0.

    ``model.forward_inputs(inputs, state)`` (a ``SequenceLabeller``); x, y:
    (batch_size, num_steps) classes; state: the window's first state, a tuple. Returns
    {lag: signal}.
    """
    lags = check_lags(lags)
    x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    batch_size, num_steps = x.shape
    dtype = model.trainable_variables[0].dtype
    # copy p of each row scores the label at position p only: (num_steps * batch_size,)
    inputs = tf.tile(tf.one_hot(x, model.input_size, dtype=dtype), [num_steps, 1, 1])
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        state = tuple(tf.tile(part, [num_steps, 1]) for part in state)
        logits, _ = model.forward_inputs(inputs, state)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.tile(y, [num_steps, 1]), logits=logits
        )  # (num_steps * batch_size, num_steps)
        # copy p keeps only position p: (num_steps, 1, num_steps) mask
        mask = tf.eye(num_steps, dtype=dtype)[:, None, :]
        picked = tf.reshape(losses, (num_steps, batch_size, num_steps)) * mask
        total = tf.reduce_sum(picked)
    grad = tape.gradient(total, inputs)
    # norms[p, b, s] = || d L_p / d X_s || in row b
    norms = tf.reshape(tf.norm(grad, axis=-1), (num_steps, batch_size, num_steps))
    norms = norms.numpy()
    signal = {}
    for lag in lags:
        reached = [norms[p, :, p - lag].sum() for p in range(lag, num_steps)]
        signal[lag] = float(sum(reached)) / (batch_size * num_steps)
    return signal


def check_lags(lags) -> tuple[int, ...]:
    """The lags as ints >= 0 (a negative lag would read the window from its end)."""
    return tuple(check_int(lag, "lags[i]", minimum=0) for lag in lags)


def global_norm(grads) -> float:
    """sqrt of the sum of every squared entry of every tensor in ``grads``."""
    return float(tf.linalg.global_norm([g for g in grads if g is not None]))


def clip_by_global_norm(grads, max_norm):
    """(clipped copies, global norm): ``tf.clip_by_global_norm``, each tensor times
    max_norm / max(norm, max_norm)."""
    max_norm = check_positive(max_norm, "max_norm")
    clipped, norm = tf.clip_by_global_norm(list(grads), max_norm)
    return clipped, float(norm)


def train_with_norms(
    model,
    x,
    y,
    *,
    batch_size,
    num_steps,
    learning_rate,
    max_norm=None,
    optimizer="sgd",
    num_epochs=1,
):
    """Train by truncated backprop, recording every window's global gradient norm.

    With ``max_norm``, ``tf.clip_by_global_norm`` scales the gradient to at most that
    norm before each update. Returns (LearningCurve with one point per window, norms of
    shape (num_windows,), measured before clipping).
    """
    check_tokens_and_labels(model, x, y)
    max_norm = check_optional_positive(max_norm, "max_norm")
    optimizer = make_optimizer(model, optimizer, learning_rate)
    variables, norms = model.trainable_variables, []

    @tf.function
    def train_step(x, y, state):
        with tf.GradientTape() as tape:
            logits, state = model(x, state)  # (batch_size, num_steps, num_classes)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        grads = tape.gradient(loss, variables)
        norm = tf.linalg.global_norm(grads)
        if max_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, max_norm, use_norm=norm)
        optimizer.apply_gradients(zip(grads, variables))
        return loss, norm, state

    def step(x_window, y_window, state):
        loss, norm, state = train_step(x_window, y_window, state)
        norms.append(float(norm))
        return loss, state

    curve = train_windows(
        step,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=model.zero_state,
        every=1,
        progress=False,
    )
    return curve, np.array(norms)
