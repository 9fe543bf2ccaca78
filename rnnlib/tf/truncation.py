"""The styles of truncated backprop in TensorFlow: TF style BPTT(n; n), true n-step
truncation BPTT(n; 1), and BPTT(2n; n).

The styles and their windows are framework-free (``rnnlib.data.truncation``): each is
the TF style run on shifted copies of every row, scoring only the last h' positions of
each window of h. Here: that training step, and ``train_truncated``, which trains a
model in any style and returns a ``LearningCurve``.
"""

from rnnlib.tf.train import make_optimizer, make_train_step

import tensorflow as tf

from rnnlib._checks import check_int
from rnnlib.data.truncation import bptt_notation, style_sequences
from rnnlib.training import check_tokens_and_labels, train_windows

__all__ = ["make_last_step_train_step", "train_truncated"]


def make_last_step_train_step(model, optimizer, num_scored=1):
    """One update from the loss at the last ``num_scored`` positions of each window
    only: their errors are the only ones backpropagated, each through every step of
    the window before it."""
    num_scored = check_int(num_scored, "num_scored")
    variables = model.trainable_variables

    @tf.function
    def train_step(x, y, state):
        with tf.GradientTape() as tape:
            # logits: (batch_size, num_steps, num_classes); state: a tuple
            logits, state = model(x, state)
            loss = tf.reduce_mean(  # the last num_scored positions only
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=y[:, -num_scored:], logits=logits[:, -num_scored:]
                )
            )
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return loss, state

    return train_step


def train_truncated(
    model,
    x,
    y,
    *,
    style,
    batch_size=200,
    num_steps=10,
    num_epochs=1,
    optimizer="adagrad",
    learning_rate=0.1,
    every=100,
    progress=None,
    desc=None,
):
    """Train ``model`` on x, y of shape (n,) with truncated backprop in ``style`` ("tf",
    "true" or "2n"); returns a LearningCurve of the mean loss of the errors
    backpropagated.

    Every style scores each label once per epoch and makes about the same number of
    updates; the true style runs n times as many cell steps, BPTT(2n; n) twice as many.
    """
    check_tokens_and_labels(model, x, y)
    x, y, rows = style_sequences(
        x, y, style=style, batch_size=batch_size, num_steps=num_steps
    )
    optimizer = make_optimizer(model, optimizer, learning_rate)
    window, num_scored = bptt_notation(style, num_steps)
    if num_scored == window:  # the TF style scores every position
        step = make_train_step(model, optimizer)
    else:
        step = make_last_step_train_step(model, optimizer, num_scored)
    return train_windows(
        step,
        x,
        y,
        batch_size=rows,
        num_steps=window,
        num_epochs=num_epochs,
        zero_state=model.zero_state,
        every=every,
        progress=progress,
        desc=desc or f"{style} style, n={num_steps}",
    )
