"""Data-parallel training of the MNIST LSTM with TensorFlow's own engine:
``tf.distribute.MultiWorkerMirroredStrategy``, one worker process per ``TF_CONFIG``.

``python -m rnnlib.tf.parallel --out DIR [options]`` is the worker script, which
``launch`` starts once per worker, each with a ``TF_CONFIG`` that lists every worker
(127.0.0.1 and a port) and says which one it is. Every worker builds the model in the
strategy's scope (mirrored variables, created from the chief's initial values), reads
its shard of every global batch, and ``apply_gradients`` sums the gradients over all
replicas before it steps; some runs break one thing on purpose or accumulate
micro-batches (``rnnlib.parallel.RUNS``). ``train_single`` trains one process on the
combined batches (``combined_batches``) to check against; ``count_correct`` scores a
model, as each worker scores its shard of the test set. As ``rnnlib.torch.parallel``.
"""

import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from rnnlib.tf.classify import classifier_optimizer
from rnnlib.tf.parallel_single import (
    build_model,
    combined_batches,
    epoch_order,
    train_single,
)
from rnnlib.tf.parallel_speed import time_allreduce, time_workers

import numpy as np
import tensorflow as tf

from rnnlib import parallel, recipes
from rnnlib.numpy import lstm_stack

__all__ = [
    "RUNS",
    "combined_batches",
    "count_correct",
    "launch",
    "main",
    "train_worker",
    "train_single",
    "worker",
]

#: no hand-rolled runs (Keras all-reduces in apply_gradients), and no restart: no
#: launcher restarts TensorFlow's workers (a cluster manager does)
RUNS = ("correct", "float32", "no-set-epoch", "per-rank-init", "accumulate")


def count_correct(model, x, y, *, batch_size=1000) -> int:
    """How many of x (n, num_steps, num_inputs) the model classifies as y (n,), in the
    model's own dtype (float64 models score in float64)."""
    dtype = model.weights[0].dtype
    correct = 0
    for i in range(0, len(x), batch_size):
        chunk = tf.constant(np.asarray(x[i : i + batch_size]), dtype)
        logits = model(chunk, training=False)  # (chunk, num_classes)
        correct += int(np.sum(np.argmax(logits, 1) == y[i : i + batch_size]))
    return correct


def distributed_batches(strategy, x, y, order, batch_size, dtype):
    """The strategy's dataset of the global batches ``order`` (steps, batch_size): each
    worker keeps every num_workers-th example (``shard``) and cuts its share of each
    batch (``batch``)."""

    def dataset_fn(context):  # called once per worker (input pipeline)
        ds = tf.data.Dataset.from_tensor_slices(order.reshape(-1))
        ds = ds.shard(context.num_input_pipelines, context.input_pipeline_id)
        ds = ds.batch(context.get_per_replica_batch_size(batch_size))
        return ds.map(lambda i: (tf.cast(tf.gather(x, i), dtype), tf.gather(y, i)))

    return strategy.distribute_datasets_from_function(dataset_fn)


def make_train_step(strategy, model, optimizer, batch_size, accumulate=1):
    """``train_step(x_batch, y_batch, learning_rate) -> this replica's loss``: one step
    on every replica; with ``accumulate`` > 1, the replica's share is cut into that many
    micro-batches whose gradients add up before the one all-reduce of the step."""
    variables = model.trainable_variables

    def replica_step(x_batch, y_batch):
        # x_batch: (batch_size // replicas, num_steps, num_inputs)
        total, local = None, []
        for xm, ym in zip(tf.split(x_batch, accumulate), tf.split(y_batch, accumulate)):
            with tf.GradientTape() as tape:
                logits = model(xm, training=True)  # (micro-batch, 10)
                losses = tf.nn.sparse_softmax_cross_entropy_with_logits(ym, logits)
                # the sum over these examples / the global batch size: the parts of
                # all micro-batches and replicas add up to the global batch's mean
                loss = tf.nn.compute_average_loss(losses, global_batch_size=batch_size)
            grads = tape.gradient(loss, variables)
            total = grads if total is None else [a + b for a, b in zip(total, grads)]
            local.append(losses)
        # sums every gradient over all replicas (an all-reduce), then steps
        optimizer.apply_gradients(zip(total, variables))
        return tf.reduce_mean(tf.concat(local, 0))  # this replica's own loss

    @tf.function
    def train_step(x_batch, y_batch, learning_rate):
        optimizer.learning_rate.assign(learning_rate)
        per_replica = strategy.run(replica_step, args=(x_batch, y_batch))
        return strategy.experimental_local_results(per_replica)[0]

    return train_step


def train_worker(strategy, x, y, run, *, batch_size, num_epochs, seed, log=print):
    """One worker's share of one run (a name of ``RUNS``) under ``strategy``; returns
    (the model, its optimizer, losses, seconds per step)."""
    setting = parallel.RUNS[run]
    rank = strategy.cluster_resolver.task_id or 0
    share = batch_size // strategy.num_replicas_in_sync
    parallel.micro_batch_size(share, setting.accumulate)
    recipe = parallel.recipe(batch_size, num_epochs)
    # every epoch's global batches, one after the other: (num_epochs * steps, batch)
    epochs = range(num_epochs) if setting.set_epoch else [0] * num_epochs  # the bug
    order = np.concatenate([epoch_order(len(x), batch_size, e, seed) for e in epochs])
    with strategy.scope():  # variables mirrored on every replica of every worker
        params = lstm_stack.init_params(seed=seed if setting.same_init else seed + rank)
        model = build_model(params, setting.dtype)
        optimizer = classifier_optimizer(model, recipe)
        optimizer.build(model.trainable_variables)
    micro = setting.accumulate  # micro-batches a step
    train_step = make_train_step(strategy, model, optimizer, batch_size, micro)
    steps = len(order) // num_epochs
    rates = recipes.learning_rates(recipe, steps)
    dataset = distributed_batches(strategy, x, y, order, batch_size, setting.dtype)
    batches = iter(dataset)
    losses, seconds = [], []
    for i in range(len(order)):  # never past the end: no waiting for the others
        x_batch, y_batch = next(batches)
        start = time.perf_counter()
        rate = tf.constant(rates[i], tf.float32)
        losses.append(float(train_step(x_batch, y_batch, rate)))
        seconds.append(time.perf_counter() - start)
        if rank == 0 and (i + 1) % steps == 0:  # one log, not one per worker
            mean = np.mean(losses[-steps:])  # this epoch's steps only
            log(f"[{run}] epoch {(i + 1) // steps}: mean loss {mean:.4f} (worker 0's)")
    return model, optimizer, losses, seconds


def count_workers(strategy) -> int:
    """The strategy's worker processes (each may hold several replicas, one per GPU)."""
    spec = strategy.cluster_resolver.cluster_spec()
    return spec.num_tasks("worker") if "worker" in spec.jobs else 1


def make_sum(strategy):
    """``total(values) -> values summed over the workers``: one all-reduce, which also
    serves as a barrier (no worker leaves it before all have entered). Every replica of
    a worker holds the worker's values and adds its share of them."""
    replicas = strategy.num_replicas_in_sync // count_workers(strategy)  # per worker

    @tf.function
    def total(values):
        per_replica = strategy.run(lambda: tf.identity(values) / replicas)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return total


def save_checkpoint(model, out, rank) -> Path:
    """TensorFlow's multi-worker guide: every worker saves, the chief (worker 0) to the
    real path and the others to temporary paths of their own that they delete, because
    saving may all-reduce variables, which every worker must join. Returns the path."""
    folder = Path(out) if rank == 0 else Path(out) / f"worker{rank}-temporary"
    folder.mkdir(parents=True, exist_ok=True)
    model.save_weights(str(folder / "checkpoint.weights.h5"))
    if rank != 0:
        shutil.rmtree(folder)
    return Path(out) / "checkpoint.weights.h5"


def worker(args) -> None:
    """Every run of ``args.runs`` in turn, as one worker, from the parsed options
    (``rnnlib.parallel.worker_parser``); ``TF_CONFIG`` says which worker."""
    runs = parallel.check_runs(args.runs, RUNS)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    rank = strategy.cluster_resolver.task_id or 0
    num_workers = count_workers(strategy)  # processes, not their replicas
    x, y = (tf.constant(a) for a in parallel.load_train(args.n_train))
    for run in runs:
        model, _, losses, seconds = train_worker(
            strategy,
            x,
            y,
            run,
            batch_size=args.batch_size,
            num_epochs=args.num_epochs,
            seed=args.seed,
        )
        out = Path(args.out) / run
        save_checkpoint(model, out, rank)
        extra = {}
        if run == runs[0]:  # once per launch: the same network every run
            extra["allreduce_seconds"] = time_allreduce(strategy, model)
            if args.n_test:  # each worker scores its shard; the counts are summed
                x_test, y_test = parallel.load_test(args.n_test)
                mine = parallel.shard(args.n_test, rank, num_workers)
                counts = [
                    count_correct(model, x_test[mine], y_test[mine]),
                    len(y_test[mine]),
                ]
                total = make_sum(strategy)(tf.constant(counts, tf.float64))
                correct, scored = np.round(total.numpy()).astype(int)
                extra |= {"correct": int(correct), "scored": int(scored)}
        if run == "float32" and args.timing_repeats:
            extra["timings"] = time_workers(
                strategy,
                x,
                y,
                batch_size=args.batch_size,
                repeats=args.timing_repeats,
                steps=args.timing_steps,
                seed=args.seed,
            )
            extra["timed_steps"] = args.timing_steps
        parallel.write_rank(out, rank, model.params(), losses, seconds, **extra)


def tf_config(ports, index) -> str:
    """The TF_CONFIG of worker ``index`` of a cluster on 127.0.0.1 (one port each)."""
    cluster = {"worker": [f"{parallel.HOST}:{port}" for port in ports]}
    return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})


def launch(
    num_workers,
    out,
    *,
    runs=("correct",),
    n_train=55_000,
    num_epochs=2,
    batch_size=128,
    seed=0,
    threads=1,
    timing=(0, 10),
    n_test=0,
    max_restarts=0,
    timeout=1200.0,
) -> dict[str, parallel.Run]:
    """Run the worker script ``num_workers`` times on this machine, each with its
    TF_CONFIG (a single worker needs none) and a GPU of its own if there is one for
    each (else none), each of ``runs`` in turn; ``timing`` is (repeats, steps a block)
    of the speed comparison after the run float32, ``n_test`` the test images the first
    run scores; ``max_restarts`` must stay 0 (no launcher restarts TensorFlow's
    workers). Returns each run's Run, read back from what the workers wrote."""
    parallel.check_options(
        num_workers, n_train, num_epochs, batch_size, timing[0], n_test
    )
    if max_restarts != 0:
        raise ValueError(
            "max_restarts must be 0 in TensorFlow (no launcher restarts its workers; "
            f"a cluster manager does), got {max_restarts!r}"
        )
    runs = parallel.check_runs(runs, RUNS)
    Path(out).mkdir(parents=True, exist_ok=True)
    flags = (n_train, num_epochs, batch_size, seed, threads, runs, timing, n_test)
    command = [sys.executable, "-m", "rnnlib.tf.parallel", f"--out={out}"]
    command += parallel.worker_flags(*flags)
    ports = [parallel.free_port() for _ in range(num_workers)]
    gpus = len(tf.config.list_physical_devices("GPU"))
    on_gpus = parallel.use_gpus(gpus, num_workers)  # one GPU each, or the CPU for all
    envs = [
        parallel.loopback_env()
        | ({"TF_CONFIG": tf_config(ports, r)} if num_workers > 1 else {})
        | ({"CUDA_VISIBLE_DEVICES": str(r) if on_gpus else "-1"} if gpus else {})
        for r in range(num_workers)
    ]
    logs = parallel.run_processes([command] * num_workers, envs, timeout=timeout)
    shown = shlex.join(["python", *command[1:]])
    if num_workers > 1:
        shown = f"TF_CONFIG={shlex.quote(envs[0]['TF_CONFIG'])} {shown}"
    return parallel.read_runs(out, runs, num_workers, shown, logs[0])


def main(argv=None) -> None:
    """The worker script: ``python -m rnnlib.tf.parallel --out DIR ...``."""
    args = parallel.worker_parser("rnnlib.tf.parallel").parse_args(argv)
    worker(args)
    # Everything is written. TensorFlow's collective runtime can take many seconds to
    # shut down with the interpreter; end the process now instead.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
