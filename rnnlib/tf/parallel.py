"""Data-parallel training of the MNIST LSTM with TensorFlow's own engine:
``tf.distribute.MultiWorkerMirroredStrategy``, one worker process per ``TF_CONFIG``.

``python -m rnnlib.tf.parallel --out DIR [options]`` is the worker script: ``launch``
starts it once per worker, each with a ``TF_CONFIG`` that lists every worker's address
(127.0.0.1 and a port) and says which one it is. Every worker builds the same model in
the strategy's scope (its variables are mirrored: created from the chief's initial
values), reads its shard of every global batch through a dataset the strategy
distributes, and ``apply_gradients`` sums the gradients over all replicas before it
steps. Some runs break one thing on purpose (``rnnlib.parallel.RUNS``).
``train_single`` trains one process on the combined batches, in the same order
(``combined_batches``), to check against. The same options and public names as
``rnnlib.torch.parallel``.
"""

import json
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from rnnlib import parallel, recipes
from rnnlib.numpy import lstm_stack
from rnnlib.tf.classify import classifier_optimizer, make_classifier_step
from rnnlib.tf.models import MnistLSTM

__all__ = [
    "RUNS",
    "combined_batches",
    "launch",
    "main",
    "train_worker",
    "train_single",
    "worker",
]

RUNS = ("correct", "float32", "no-set-epoch", "per-rank-init")  # no hand-rolled ones
ALLREDUCE_REPEATS = 20  # all-reduces timed, after training, for the communication share


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


# Keras's own loop over the 28 steps (unroll=False), as on a GPU (cuDNN): it traces in
# half the time of the unrolled graph, and the workers trace once per run.


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


def train_worker(strategy, x, y, run, *, batch_size, num_epochs, seed, log=print):
    """One worker's share of one run (a name of ``RUNS``) under ``strategy``; returns
    (the model, its optimizer, losses, seconds per step)."""
    _, set_epoch, same_init, dtype = parallel.RUNS[run]
    rank = strategy.cluster_resolver.task_id or 0
    recipe = parallel.recipe(batch_size, num_epochs)
    # every epoch's global batches, one after the other: (num_epochs * steps, batch)
    epochs = range(num_epochs) if set_epoch else [0] * num_epochs  # the bug: epoch 0
    order = np.concatenate([epoch_order(len(x), batch_size, e, seed) for e in epochs])

    def dataset_fn(context):  # called once per worker (input pipeline)
        ds = tf.data.Dataset.from_tensor_slices(order.reshape(-1))
        ds = ds.shard(context.num_input_pipelines, context.input_pipeline_id)
        ds = ds.batch(context.get_per_replica_batch_size(batch_size))
        return ds.map(lambda i: (tf.cast(tf.gather(x, i), dtype), tf.gather(y, i)))

    with strategy.scope():  # variables mirrored on every replica of every worker
        params = lstm_stack.init_params(seed=seed if same_init else seed + rank)
        model = build_model(params, dtype)
        optimizer = classifier_optimizer(model, recipe)
        optimizer.build(model.trainable_variables)

    def replica_step(x_batch, y_batch):
        # x_batch: (batch_size // replicas, num_steps, num_inputs)
        with tf.GradientTape() as tape:
            logits = model(x_batch, training=True)  # (batch_size // replicas, 10)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(y_batch, logits)
            # the sum over the replica's examples / the global batch size: the
            # replicas' losses add up to the mean over the global batch
            loss = tf.nn.compute_average_loss(losses, global_batch_size=batch_size)
        grads = tape.gradient(loss, model.trainable_variables)
        # sums every gradient over all replicas (an all-reduce), then steps
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return tf.reduce_mean(losses)  # this replica's own loss

    @tf.function
    def train_step(x_batch, y_batch, learning_rate):
        optimizer.learning_rate.assign(learning_rate)
        per_replica = strategy.run(replica_step, args=(x_batch, y_batch))
        return strategy.experimental_local_results(per_replica)[0]

    steps = len(order) // num_epochs
    rates = recipes.learning_rates(recipe, steps)
    batches = iter(strategy.distribute_datasets_from_function(dataset_fn))
    losses, seconds = [], []
    for i in range(len(order)):  # never past the end: no waiting for the others
        x_batch, y_batch = next(batches)
        start = time.perf_counter()
        rate = tf.constant(rates[i], tf.float32)
        losses.append(float(train_step(x_batch, y_batch, rate)))
        seconds.append(time.perf_counter() - start)
        if rank == 0 and (i + 1) % steps == 0:  # one log, not one per worker
            mean = np.mean(losses[-steps:])
            log(f"[{run}] epoch {(i + 1) // steps}: mean loss {mean:.4f} (worker 0's)")
    return model, optimizer, losses, seconds


def worker(args) -> None:
    """Every run of ``args.runs`` in turn, as one worker, from the parsed options
    (``rnnlib.parallel.worker_parser``); ``TF_CONFIG`` says which worker."""
    runs = parallel.check_runs(args.runs, RUNS)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    rank = strategy.cluster_resolver.task_id or 0
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
        if rank == 0:  # one checkpoint, written by the chief
            out.mkdir(parents=True, exist_ok=True)
            model.save_weights(str(out / "checkpoint.weights.h5"))
        if run == runs[0]:  # once per launch: the same network every run
            allreduce = time_allreduce(strategy, model)
        parallel.write_rank(out, rank, model.params(), losses, seconds, allreduce)


def time_allreduce(strategy, model) -> float:
    """Seconds of one all-reduce of as many floats as the model has parameters, timed
    alone (NaN for a single replica)."""
    if strategy.num_replicas_in_sync == 1:
        return float("nan")
    flat = tf.zeros([sum(int(np.prod(v.shape)) for v in model.trainable_variables)])

    @tf.function
    def reduce_once():
        def replica_fn():
            context = tf.distribute.get_replica_context()
            return context.all_reduce(tf.distribute.ReduceOp.SUM, flat)

        return strategy.experimental_local_results(strategy.run(replica_fn))[0]

    reduce_once().numpy()  # once untimed: traced, connections set up
    start = time.perf_counter()
    for _ in range(ALLREDUCE_REPEATS):
        result = reduce_once()
    result.numpy()
    return (time.perf_counter() - start) / ALLREDUCE_REPEATS


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
    timeout=1200.0,
) -> dict[str, parallel.Run]:
    """Run the worker script ``num_workers`` times on this machine, each with its
    TF_CONFIG (a single worker needs none), each of ``runs`` in turn; returns each
    run's Run, read back from what the workers wrote into ``out``."""
    parallel.check_options(num_workers, n_train, num_epochs, batch_size)
    runs = parallel.check_runs(runs, RUNS)
    Path(out).mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "rnnlib.tf.parallel",
        f"--out={out}",
        *parallel.worker_flags(n_train, num_epochs, batch_size, seed, threads, runs),
    ]
    ports = [parallel.free_port() for _ in range(num_workers)]
    gpus = len(tf.config.list_physical_devices("GPU"))
    envs = [
        parallel.loopback_env()
        | ({"TF_CONFIG": tf_config(ports, r)} if num_workers > 1 else {})
        | ({"CUDA_VISIBLE_DEVICES": str(r % gpus)} if gpus else {})  # one GPU each
        for r in range(num_workers)
    ]
    logs = parallel.run_processes([command] * num_workers, envs, timeout=timeout)
    shown = shlex.join(["python", *command[1:]])
    if num_workers > 1:
        shown = f"TF_CONFIG={shlex.quote(envs[0]['TF_CONFIG'])} {shown}"
    return parallel.read_runs(out, runs, num_workers, batch_size, shown, logs[0])


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
