"""The two styles of truncated backprop in TensorFlow: TF style and true n-step
truncation.

The styles and their windows are framework-free (``rnnlib.data.truncation``): the true
style is the TF style run on n shifted copies of every row, scoring only the last
position of each window. Here: that training step, and ``train_truncated``, which
trains a model in either style and returns a ``LearningCurve``.
"""

import tensorflow as tf

from rnnlib.data.truncation import style_sequences
from rnnlib.tf.train import make_optimizer, make_train_step
from rnnlib.training import check_tokens_and_labels, train_windows

__all__ = ["make_last_step_train_step", "train_truncated"]


def make_last_step_train_step(model, optimizer):
    """One update from the loss at the last position of each window only: its error is
    the only one backpropagated, through every step of the window."""
    variables = model.trainable_variables

    @tf.function
    def train_step(x, y, state):
        with tf.GradientTape() as tape:
            # logits: (batch_size, num_steps, num_classes); state: a tuple
            logits, state = model(x, state)
            loss = tf.reduce_mean(  # the last position only
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=y[:, -1], logits=logits[:, -1]
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
    """Train ``model`` on x, y of shape (n,) with truncated backprop in ``style`` ("tf"
    or "true"); returns a LearningCurve of the mean loss of the errors backpropagated.

    Both styles score each label once per epoch and make about the same number of
    updates; the true style runs n times as many cell steps.
    """
    check_tokens_and_labels(model, x, y)
    x, y, rows = style_sequences(
        x, y, style=style, batch_size=batch_size, num_steps=num_steps
    )
    optimizer = make_optimizer(model, optimizer, learning_rate)
    if style == "tf":
        step = make_train_step(model, optimizer)
    else:
        step = make_last_step_train_step(model, optimizer)
    return train_windows(
        step,
        x,
        y,
        batch_size=rows,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=model.zero_state,
        every=every,
        progress=progress,
        desc=desc or f"{style} style, n={num_steps}",
    )
