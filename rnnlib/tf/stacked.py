"""Several hand-rolled tanh cells trained at once in TensorFlow: chapter 3's
``HandRolledRNN`` with a leading model axis.

A sweep over seeds trains the same small model M times. Stacked along a leading axis,
the M models share every call: one Python loop and one framework call per operation
for all of them instead of one per model. Every weight gains that axis (W of
shape (M, num_classes + state_size, state_size), ...), windows are (M, batch_size,
num_steps), states tuples (S,) with S of shape (M, batch_size, state_size), as every
model of rnnlib takes them. The loss is the sum of the models' mean
losses, so each weight's gradient is its own model's, and Adagrad, which acts weight by
weight, steps each model exactly as it would alone. ``rnnlib.sweeps.train_stacked`` is
the outer loop; a test checks that a stacked run equals separate runs.
"""

from rnnlib.tf._checks import check_batch_size
from rnnlib.tf.train import make_optimizer

import numpy as np
import tensorflow as tf

from rnnlib.numpy import stacked as numpy_stacked
from rnnlib.numpy.cell import PARAM_NAMES
from rnnlib.sweeps import train_stacked as train_windows_stacked
from rnnlib.training import check_tokens_and_labels, step_losses_over

__all__ = ["StackedRNN", "stacked_step_losses", "train_stacked"]


class StackedRNN(tf.Module):
    """M hand-rolled cells: S_t = tanh([X_t, S_{t-1}] @ W + b), logits = S_t @ U + c,
    each weight with a leading model axis. ``params_list``: M dicts of
    ``rnnlib.numpy.cell.init_params``, all of one size."""

    def __init__(self, params_list, dtype=tf.float32):
        super().__init__()
        params = numpy_stacked.stack(params_list)
        self.num_models, self.state_size, self.num_classes = params["U"].shape
        # W: (M, num_classes + state_size, state_size); b: (M, state_size)
        self.W = tf.Variable(tf.constant(params["W"], dtype), name="W")
        self.b = tf.Variable(tf.constant(params["b"], dtype), name="b")
        # U: (M, state_size, num_classes); c: (M, num_classes)
        self.U = tf.Variable(tf.constant(params["U"], dtype), name="U")
        self.c = tf.Variable(tf.constant(params["c"], dtype), name="c")

    def __call__(self, x, state):
        # x: (M, batch_size, num_steps) classes
        # state: (S,), S of shape (M, batch_size, state_size)
        (state,) = state
        inputs = tf.one_hot(x, self.num_classes, dtype=self.W.dtype)  # (M, B, T, C)
        states = []
        for t in range(x.shape[2]):
            # joined: (M, batch_size, num_classes + state_size)
            joined = tf.concat([inputs[:, :, t], state], axis=2)
            state = tf.tanh(joined @ self.W + self.b[:, None])  # (M, B, state_size)
            states.append(state)
        states = tf.stack(states, axis=2)  # (M, batch_size, num_steps, state_size)
        # logits: (M, batch_size, num_steps, num_classes)
        logits = states @ self.U[:, None] + self.c[:, None, None]
        return logits, (state,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (tf.zeros((self.num_models, batch_size, self.state_size), self.W.dtype),)

    def params(self) -> list[dict[str, np.ndarray]]:
        """Each model's weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        arrays = {name: getattr(self, name).numpy() for name in PARAM_NAMES}
        return [
            {name: arrays[name][m] for name in PARAM_NAMES}
            for m in range(self.num_models)
        ]


def train_stacked(
    model,
    xs,
    ys,
    *,
    batch_size=200,
    num_steps=10,
    num_epochs=1,
    optimizer="adagrad",
    learning_rate=0.1,
    every=100,
    progress=None,
    after_epoch=None,
    desc="TensorFlow",
):
    """``rnnlib.tf.train`` for a ``StackedRNN``: xs, ys of shape (M, n), model m's
    sequence in row m. Returns one LearningCurve per model."""
    check_tokens_and_labels(model, xs, ys)
    optimizer = make_optimizer(model, optimizer, learning_rate)
    variables = model.trainable_variables

    @tf.function
    def step(x, y, state):
        with tf.GradientTape() as tape:
            logits, state = model(x, state)  # (M, batch_size, num_steps, num_classes)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits
            )  # (M, batch_size, num_steps)
            per_model = tf.reduce_mean(losses, axis=(1, 2))  # (M,)
            total = tf.reduce_sum(per_model)  # each weight's gradient: its model's
        grads = tape.gradient(total, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return per_model, state

    return train_windows_stacked(
        step,
        xs,
        ys,
        batch_size=batch_size,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=model.zero_state,
        every=every,
        progress=progress,
        desc=desc,
        after_epoch=after_epoch,
    )


def stacked_step_losses(model, x, y, *, batch_size=10, num_steps=100):
    """(positions, losses) of every model on the same x, y of shape (n,): losses of
    shape (M, m), each row as ``rnnlib.tf.heldout_step_losses`` gives it for one model.
    The traced scoring function is kept on the model."""
    check_tokens_and_labels(model, x, y)
    step_losses = getattr(model, "_stacked_step_losses", None)
    if step_losses is None:

        @tf.function
        def step_losses(x_window, y_window, state):
            logits, state = model(x_window, state)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y_window, logits=logits
            )
            return losses, state  # losses: (M, batch_size, num_steps)

        model._stacked_step_losses = step_losses

    def run(x_window, y_window, state):
        repeat = [model.num_models, 1, 1]  # every model sees the same window
        losses, state = step_losses(
            tf.tile(x_window[None], repeat), tf.tile(y_window[None], repeat), state
        )
        # (batch_size, num_steps, M): step_losses_over concatenates along axis 1
        return np.moveaxis(losses.numpy(), 0, -1), state

    positions, losses = step_losses_over(
        run,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=model.zero_state,
    )
    return positions, losses.reshape(-1, model.num_models).T
