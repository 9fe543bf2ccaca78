"""Training and scoring a classifier in TensorFlow with a recipe of ``rnnlib.recipes``.

The loop over epochs and batches is framework-free (``rnnlib.recipes.train_epochs``);
here: the optimizer a recipe names, one training step as a ``tf.function``, and the
logits of a whole data set, computed in chunks.
"""

import logging

import keras
import numpy as np
import tensorflow as tf

from rnnlib._checks import check_int, check_optional_positive
from rnnlib.recipes import (
    History,
    Recipe,
    check_classifier_data,
    check_recipe,
    train_epochs,
)

__all__ = [
    "classifier_optimizer",
    "make_classifier_step",
    "predict_logits",
    "train_classifier",
]


def classifier_optimizer(model, recipe: Recipe) -> keras.optimizers.Optimizer:
    """Adam or AdamW with the recipe's settings; ``global_clipnorm`` clips the norm of
    all gradients together, as PyTorch's ``clip_grad_norm_`` does (Keras's
    ``clipnorm`` would clip each variable's gradient on its own)."""
    check_recipe(recipe)
    common = {
        "learning_rate": recipe.learning_rate,
        "epsilon": recipe.epsilon,
        "global_clipnorm": recipe.clip_norm,
    }
    if recipe.optimizer == "adam":
        return keras.optimizers.Adam(**common)
    return keras.optimizers.AdamW(weight_decay=recipe.weight_decay, **common)


def make_classifier_step(model, optimizer, *, clip_norm=None, jit_compile=False):
    """``step(x, y, learning_rate) -> loss``: one update on a batch x (batch_size,
    num_steps, num_inputs) with integer labels y (batch_size,). ``clip_norm`` caps the
    gradients' global norm before the update; ``jit_compile=True`` compiles the whole
    step with XLA."""
    clip_norm = check_optional_positive(clip_norm, "clip_norm")
    variables = model.trainable_variables
    optimizer.build(variables)  # its slots now, or tf.function traces the step twice

    @tf.function(jit_compile=jit_compile)
    def train_step(x, y, learning_rate):
        optimizer.learning_rate.assign(learning_rate)
        with tf.GradientTape() as tape:
            logits = model(x, training=True)  # (batch_size, num_classes)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=logits
            )
            loss = tf.reduce_mean(losses)  # losses: (batch_size,)
        grads = tape.gradient(loss, variables)
        if clip_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, clip_norm)
        optimizer.apply_gradients(zip(grads, variables))
        return loss

    def step(x, y, learning_rate):
        return train_step(x, y, tf.constant(learning_rate, tf.float32))

    return step


_forward = {}  # (id(model), example shape) -> (model, its forward tf.function)


def predict_logits(model, x, *, batch_size=1000) -> np.ndarray:
    """The logits (n, num_classes) of x (n, num_steps, num_inputs), batch_size at a
    time, as a NumPy array. The forward pass is traced once per model and example shape,
    for any number of examples."""
    batch_size = check_int(batch_size, "batch_size")
    x = np.asarray(x, np.float32)
    key = (id(model), x.shape[1:])
    if key not in _forward or _forward[key][0] is not model:
        signature = [tf.TensorSpec((None, *x.shape[1:]), tf.float32)]
        forward = tf.function(
            lambda chunk: model(chunk, training=False), input_signature=signature
        )
        _forward[key] = (model, forward)
    forward = _forward[key][1]
    # One function per model is the design, so TensorFlow's warning about functions that
    # trace often (it counts all of them as one) does not apply: keep it off the page.
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        chunks = [forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
    finally:
        logger.setLevel(level)
    return np.concatenate([chunk.numpy() for chunk in chunks])


def train_classifier(
    model,
    x,
    y,
    recipe: Recipe,
    *,
    x_val=None,
    y_val=None,
    seed=0,
    jit_compile=False,
    progress=None,
    desc="TensorFlow",
) -> History:
    """Train ``model`` on x (n, num_steps, num_inputs), y (n,) integer labels with
    ``recipe``; the validation accuracy after each epoch when x_val, y_val are given.
    ``jit_compile=True`` compiles the training step with XLA."""
    check_classifier_data(x, y, model.num_classes, x_val, y_val)
    step = make_classifier_step(
        model, classifier_optimizer(model, recipe), jit_compile=jit_compile
    )

    def evaluate():
        return np.mean(predict_logits(model, x_val).argmax(axis=1) == y_val)

    return train_epochs(
        step,
        x,
        y,
        recipe,
        evaluate=None if x_val is None else evaluate,
        seed=seed,
        progress=progress,
        desc=desc,
    )
