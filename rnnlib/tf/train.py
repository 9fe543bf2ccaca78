"""Truncated-backprop training and held-out scoring for the echo task's TensorFlow
models.

The outer loop (windows in order, the state carried, learning curves) is framework-free:
``rnnlib.training``. Here: the optimizer, one training step as a ``tf.function``, and
the held-out loss.
"""

import keras
import numpy as np
import tensorflow as tf

from rnnlib.training import step_losses_over, train_windows

__all__ = [
    "heldout_loss",
    "heldout_step_losses",
    "make_optimizer",
    "make_train_step",
    "train",
    "zero_state",
]


def zero_state(model):
    """A function batch_size -> zeros of shape (batch_size, state_size) in the model's
    dtype."""
    dtype = model.trainable_variables[0].dtype
    return lambda batch_size: tf.zeros((batch_size, model.state_size), dtype=dtype)


def make_optimizer(name="adagrad", learning_rate=0.1) -> keras.optimizers.Optimizer:
    """Adagrad exactly as TF1's AdagradOptimizer, which the original used, or plain SGD.

    TF1 starts the accumulators at 0.1 and divides by their square root with no epsilon.
    """
    if name == "adagrad":
        return keras.optimizers.Adagrad(
            learning_rate=learning_rate, initial_accumulator_value=0.1, epsilon=0.0
        )
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {name!r}")


def make_train_step(model, optimizer):
    variables = model.trainable_variables

    @tf.function
    def train_step(x, y, state):
        with tf.GradientTape() as tape:  # a new tape for every window
            # logits: (batch_size, num_steps, num_classes); state: (batch_size,
            # state_size)
            logits, state = model(x, state)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits
            )
            loss = tf.reduce_mean(losses)  # losses: (batch_size, num_steps)
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        # The state goes out as a plain tensor: the next tape starts from it as a
        # constant.
        return loss, state

    return train_step


def train(
    model,
    x,
    y,
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
    """Train ``model`` by truncated backprop on x, y of shape (n,); returns a
    LearningCurve.

    ``after_epoch(epochs_done)`` runs after each epoch (see ``train_windows``).
    """
    step = make_train_step(model, make_optimizer(optimizer, learning_rate))
    return train_windows(
        step,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=zero_state(model),
        every=every,
        progress=progress,
        desc=desc,
        after_epoch=after_epoch,
    )


def heldout_step_losses(model, x, y, *, batch_size=10, num_steps=100):
    """(positions, losses): every step's cross-entropy on x, y, state carried, no
    training.

    See ``rnnlib.training.step_losses_over``; pair with the optimal predictor's losses.
    The traced scoring function is kept on the model, so scoring it again (during
    training, say) traces nothing new.
    """
    step_losses = getattr(model, "_heldout_step_losses", None)
    if step_losses is None:

        @tf.function
        def step_losses(x_window, y_window, state):
            logits, state = model(x_window, state)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y_window, logits=logits
            )
            return losses, state  # losses: (batch_size, num_steps)

        model._heldout_step_losses = step_losses

    return step_losses_over(
        lambda xw, yw, s: _numpy_losses(step_losses(xw, yw, s)),
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=zero_state(model),
    )


def _numpy_losses(result):
    losses, state = result
    return losses.numpy(), state


def heldout_loss(model, x, y, *, batch_size=10, num_steps=100) -> float:
    """Mean cross-entropy (nats per step) on x, y of shape (n,), state carried, no
    training."""
    _, losses = heldout_step_losses(
        model, x, y, batch_size=batch_size, num_steps=num_steps
    )
    return float(np.mean(losses))
