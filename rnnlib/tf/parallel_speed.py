"""How fast MultiWorkerMirroredStrategy trains here: one worker against all of them,
timed inside a launch by ``rnnlib.timing``'s protocol, and one all-reduce of every
gradient timed alone (the worker script of ``rnnlib.tf.parallel`` calls both)."""

import time

from rnnlib.tf.classify import classifier_optimizer, make_classifier_step
from rnnlib.tf.parallel_single import build_model, epoch_order

import numpy as np
import tensorflow as tf

from rnnlib import parallel, timing
from rnnlib.numpy import lstm_stack

__all__ = ["time_allreduce", "time_workers"]

ALLREDUCE_REPEATS = 20  # all-reduces timed, after training, for the communication share


def time_workers(strategy, x, y, *, batch_size, repeats, steps, seed) -> dict:
    """The speed comparison, by rnnlib.timing's protocol: blocks of ``steps`` training
    steps in float32 on global batches of ``batch_size``, by worker 0 alone (a model of
    its own, the whole batch, while the others wait in an all-reduce) and by all workers
    under the strategy (a share each), interleaved, ``repeats`` times each after one
    untimed block each. Returns worker 0's seconds per block by candidate."""
    # the worker's own pieces (rnnlib.tf.parallel imports this module)
    from rnnlib.tf.parallel import distributed_batches, make_sum, make_train_step

    rank = strategy.cluster_resolver.task_id or 0
    params = lstm_stack.init_params(seed=seed)
    recipe = parallel.recipe(batch_size, 1)
    rate = tf.constant(recipe.learning_rate / 25, tf.float32)  # small and constant
    order = epoch_order(len(x), batch_size, 0, seed)
    with strategy.scope():
        together = build_model(params, "float32")
        optimizer = classifier_optimizer(together, recipe)
        optimizer.build(together.trainable_variables)
    together_step = make_train_step(strategy, together, optimizer, batch_size)
    repeated = np.concatenate([order] * (steps // len(order) + 1))[:steps]
    barrier = make_sum(strategy)
    zero = tf.constant(0.0)
    every_block = np.concatenate([repeated] * (repeats + 1))  # built once, read on
    batches = iter(
        distributed_batches(strategy, x, y, every_block, batch_size, "float32")
    )

    def all_workers():
        for _ in range(steps):
            float(together_step(*next(batches), rate))

    if rank != 0:
        for _ in range(repeats + 1):  # worker 0's warm-up block, then its repeats
            barrier(zero)  # while worker 0 trains alone
            all_workers()
        return {}
    alone = build_model(params, "float32")  # outside the scope: not mirrored
    alone_step = make_classifier_step(alone, classifier_optimizer(alone, recipe))
    xs, ys = np.asarray(x), np.asarray(y)

    def one_worker():
        for batch in repeated:
            float(alone_step(xs[batch], ys[batch], float(rate)))
        barrier(zero)  # the others wait here meanwhile

    found = timing.interleaved(
        {parallel.ONE: one_worker, parallel.ALL: all_workers}, repeats=repeats
    )
    return {name: list(t.samples) for name, t in found.items()}


def time_allreduce(strategy, model) -> float:
    """Seconds of one all-reduce of as many floats as the model has parameters, timed
    alone (NaN for a single replica)."""
    from rnnlib.tf.parallel import make_sum  # (rnnlib.tf.parallel imports this module)

    if strategy.num_replicas_in_sync == 1:
        return float("nan")
    flat = tf.zeros([sum(int(np.prod(v.shape)) for v in model.trainable_variables)])
    reduce_once = make_sum(strategy)
    reduce_once(flat).numpy()  # once untimed: traced, connections set up
    start = time.perf_counter()
    for _ in range(ALLREDUCE_REPEATS):
        result = reduce_once(flat)
    result.numpy()
    return (time.perf_counter() - start) / ALLREDUCE_REPEATS
