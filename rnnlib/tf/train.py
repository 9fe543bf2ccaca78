"""Truncated-backprop training and held-out scoring for the echo task's TensorFlow
models.

Every model here takes ``model(x, state) -> (logits, state)`` with x (batch_size,
num_steps) token ids and a tuple state, and has ``model.zero_state(batch_size)``. The
outer loop (windows in order, the state carried, learning curves, one learning rate per
epoch) is framework-free: ``rnnlib.training``. Here: the optimizer, one training step
as a ``tf.function``, and the held-out loss.
"""

import keras
import numpy as np
import tensorflow as tf

from rnnlib._checks import check_learning_rate, check_optional_positive
from rnnlib.training import (
    ADAM_EPSILON,
    check_optimizer,
    check_tokens_and_labels,
    epoch_learning_rates,
    step_losses_over,
    train_at_rates,
)

__all__ = [
    "heldout_loss",
    "heldout_step_losses",
    "make_optimizer",
    "make_train_step",
    "train",
]


def make_optimizer(
    model, name="adagrad", learning_rate=0.1, *, clip_norm=None
) -> keras.optimizers.Optimizer:
    """Adagrad exactly as TF1's AdagradOptimizer, which the original used, plain SGD,
    or Adam, built for ``model``'s variables.

    TF1 starts Adagrad's accumulators at 0.1 and divides by their square root with no
    epsilon. With ``clip_norm``, every update first scales the gradients so that their
    global norm is at most ``clip_norm`` (Keras's ``global_clipnorm``). The optimizer
    creates its slots now, so a ``tf.function`` step that uses it traces once.
    """
    check_optimizer(name)
    learning_rate = check_learning_rate(learning_rate)
    clip_norm = check_optional_positive(clip_norm, "clip_norm")
    options = {"learning_rate": learning_rate, "global_clipnorm": clip_norm}
    if name == "adagrad":
        optimizer = keras.optimizers.Adagrad(
            initial_accumulator_value=0.1, epsilon=0.0, **options
        )
    elif name == "sgd":
        optimizer = keras.optimizers.SGD(**options)
    else:
        optimizer = keras.optimizers.Adam(epsilon=ADAM_EPSILON, **options)
    optimizer.build(model.trainable_variables)
    return optimizer


def make_train_step(model, optimizer):
    variables = model.trainable_variables

    @tf.function
    def train_step(x, y, state):
        with tf.GradientTape() as tape:  # a new tape for every window
            # logits: (batch_size, num_steps, num_classes)
            # state: a tuple of (batch_size, state_size) tensors
            logits, state = model(x, state)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits
            )
            loss = tf.reduce_mean(losses)  # losses: (batch_size, num_steps)
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        # The state goes out as plain tensors: the next tape takes them as constants.
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
    final_learning_rate=None,
    clip_norm=None,
    every=100,
    progress=None,
    after_epoch=None,
    desc="TensorFlow",
):
    """Train ``model`` by truncated backprop on x, y of shape (n,), its state carried
    from window to window; returns one LearningCurve.

    ``optimizer`` is one of ``rnnlib.training.OPTIMIZERS`` at ``learning_rate``, and at
    ``final_learning_rate`` for the last epoch if given; ``clip_norm`` caps the
    gradients' global norm at every update. ``after_epoch(epochs_done)`` runs after each
    epoch (see ``rnnlib.training.train_windows``).
    """
    check_tokens_and_labels(model, x, y)
    rates = epoch_learning_rates(learning_rate, num_epochs, final_learning_rate)
    optimizer = make_optimizer(model, optimizer, rates[0], clip_norm=clip_norm)
    return train_at_rates(
        make_train_step(model, optimizer),
        optimizer.learning_rate.assign,
        x,
        y,
        learning_rates=rates,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=model.zero_state,
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
    check_tokens_and_labels(model, x, y)
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
        zero_state=model.zero_state,
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
