"""Truncated-backprop training and held-out scoring for the echo task's TensorFlow
models.

The outer loop (windows in order, the state carried, learning curves) is framework-free:
``rnnlib.training``. Here: the optimizer, one training step as a ``tf.function``, and
the held-out loss.
"""

import keras
import numpy as np
import tensorflow as tf

from rnnlib._checks import check_int
from rnnlib.training import step_losses_over, train_windows

__all__ = [
    "heldout_loss",
    "heldout_step_losses",
    "labeller_step_losses",
    "make_optimizer",
    "make_train_step",
    "train",
    "train_labeller",
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


# ---------------------------------------------------------------- models with tuple
# states (chapter 7): a SequenceLabeller carried from window to window, trained by Adam.

#: Adam's epsilon. Keras adds it to sqrt(v) before the bias correction, PyTorch after,
#: so the same epsilon means different steps; one this small makes both negligible.
ADAM_EPSILON = 1e-10


def train_labeller(
    model,
    x,
    y,
    *,
    batch_size=200,
    num_steps=10,
    num_epochs=1,
    optimizer="adam",
    learning_rate=0.01,
    final_learning_rate=None,
    clip_norm=None,
    every=100,
    progress=None,
    desc="TensorFlow",
):
    """Truncated backprop of a ``SequenceLabeller`` on x, y of shape (n,), its tuple
    state carried across windows, ``optimizer`` "adam" or "sgd" at ``learning_rate``,
    and at ``final_learning_rate`` for the last epoch if given; ``clip_norm`` rescales
    the gradients whenever their global norm exceeds it. Returns one LearningCurve."""
    if optimizer == "adam":
        optimizer = keras.optimizers.Adam(
            learning_rate=learning_rate, epsilon=ADAM_EPSILON
        )
    elif optimizer == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    else:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    variables = model.trainable_variables

    @tf.function
    def step(x_window, y_window, state):
        with tf.GradientTape() as tape:
            # logits: (batch_size, num_steps, num_classes); state: (h,) or (h, c)
            logits, state = model(x_window, state)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=y_window, logits=logits
                )
            )
        grads = tape.gradient(loss, variables)
        if clip_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, clip_norm)
        optimizer.apply_gradients(zip(grads, variables))
        return loss, state

    rates = [learning_rate] * check_int(num_epochs, "num_epochs")
    if final_learning_rate is not None:
        rates[-1] = final_learning_rate
    curves = []
    for epochs, rate in _runs(rates):
        if curves:  # the same optimizer and step function, at the new rate
            optimizer.learning_rate.assign(rate)
        curves.append(
            train_windows(
                step,
                x,
                y,
                batch_size=batch_size,
                num_steps=num_steps,
                num_epochs=epochs,
                zero_state=model.zero_state,
                every=every,
                progress=progress,
                desc=desc,
            )
        )
    return _joined(curves)


def _runs(rates):
    """[(epochs, rate)] for consecutive epochs at the same rate."""
    runs = []
    for rate in rates:
        if runs and runs[-1][1] == rate:
            runs[-1] = (runs[-1][0] + 1, rate)
        else:
            runs.append((1, rate))
    return runs


def _joined(curves):
    """One LearningCurve from consecutive runs, windows counted across them."""
    offsets = np.cumsum([0] + [c.window[-1] for c in curves])
    return curves[0]._replace(
        window=np.concatenate([c.window + o for c, o in zip(curves, offsets)]),
        loss=np.concatenate([c.loss for c in curves]),
        seconds=sum(c.seconds for c in curves),
    )


def labeller_step_losses(model, x, y, *, batch_size=10, num_steps=100):
    """(positions, losses) of a ``SequenceLabeller`` on x, y, its state carried, no
    training: every step's cross-entropy, as ``heldout_step_losses``."""

    @tf.function
    def step_losses(x_window, y_window, state):
        logits, state = model(x_window, state)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y_window, logits=logits
        )
        return losses, state  # losses: (batch_size, num_steps)

    return step_losses_over(
        lambda xw, yw, s: _numpy_losses(step_losses(xw, yw, s)),
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=model.zero_state,
    )
