"""The one process a data-parallel TensorFlow run must equal: the global batches of
every epoch, the batches all workers of a MultiWorkerMirroredStrategy run read
together, and one process trained on them with the same recipe and starting weights
(``rnnlib.tf.parallel`` re-exports them)."""

import time

from rnnlib.tf.classify import classifier_optimizer, make_classifier_step
from rnnlib.tf.models import MnistLSTM

import numpy as np

from rnnlib import parallel, recipes
from rnnlib.numpy import lstm_stack

__all__ = ["combined_batches", "train_single"]


def epoch_order(n_train, batch_size, epoch, seed=0) -> np.ndarray:
    """The global batches (steps, batch_size) of epoch ``epoch``: a fresh shuffle."""
    order = np.random.default_rng([seed, epoch]).permutation(n_train)
    steps = n_train // batch_size
    return order[: steps * batch_size].reshape(steps, batch_size)


def combined_batches(n_train, batch_size, num_workers, epoch, seed=0) -> np.ndarray:
    """The indices (steps, batch_size) all ``num_workers`` workers read together in
    epoch ``epoch``: worker r's shard is every num_workers-th example from r on (as
    ``Dataset.shard`` takes it), the shards side by side."""
    parallel.check_options(num_workers, n_train, epoch + 1, batch_size)
    order = epoch_order(n_train, batch_size, epoch, seed)
    return np.concatenate([order[:, r::num_workers] for r in range(num_workers)], 1)


# Keras's own loop over the 28 steps (unroll=False), as on a GPU (cuDNN): its graph
# holds the step once, not 28 times, and the workers trace once per run.


def build_model(params, dtype):
    """The MNIST chapter's model with variables of ``dtype``, "float32" or "float64"."""
    return MnistLSTM(params, unroll=False, dtype=dtype)


def train_single(
    x, y, *, num_workers, num_epochs=2, batch_size=128, seed=0, dtype="float64"
):
    """One process, one model, trained on the combined batches of ``num_workers``
    workers with the same recipe and starting weights: what the strategy must reproduce.
    Returns the model and the seconds of every step."""
    recipe = parallel.recipe(batch_size, num_epochs)
    x = np.asarray(x, dtype)  # (n, num_steps, num_inputs)
    model = build_model(lstm_stack.init_params(seed=seed), dtype)
    step = make_classifier_step(model, classifier_optimizer(model, recipe))
    batches = [
        combined_batches(len(x), batch_size, num_workers, epoch, seed)
        for epoch in range(num_epochs)
    ]
    rates = recipes.learning_rates(recipe, len(batches[0]))
    seconds = []
    for i, batch in enumerate(np.concatenate(batches)):  # (steps, batch_size) each
        x_batch, y_batch = x[batch], y[batch]  # (batch_size, 28, 28), (batch_size,)
        start = time.perf_counter()
        float(step(x_batch, y_batch, rates[i]))
        seconds.append(time.perf_counter() - start)
    return model, np.array(seconds)
