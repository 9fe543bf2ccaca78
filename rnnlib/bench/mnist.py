"""Benchmark ``mnist``: the one-cycle recipe in TensorFlow and PyTorch, several seeds,
scored on the whole MNIST test set; and what threads do to the speed of a step.

For each seed both frameworks start from the same weights
(``rnnlib.numpy.lstm_stack.init_params(seed=seed)``) and see the same batches in the
same order (``rnnlib.recipes``), with the settings the MNIST pages use: Keras with
``unroll=True`` and one thread per TensorFlow pool on a CPU, PyTorch with one thread.
The first seed's Keras weights are then copied into PyTorch and both predict the test
set. Training uses the 55,000 images after the first 5,000, as the pages do. Then each
thread setting is timed in a process of its own (TensorFlow fixes its thread pools at
start-up). Targets at full size: both mean accuracies at least 0.990 and within 0.003
of each other, every seed at least 0.988, at most 15 s per epoch on two CPU cores.
"""

import subprocess
import sys
import time

import numpy as np

from rnnlib import config, recipes
from rnnlib.bench import Result
from rnnlib.data import mnist
from rnnlib.numpy import lstm_stack

VALIDATION = 5000  # the first images of the training file, left out as on the pages
NAMES = {"tf": "TensorFlow", "torch": "PyTorch"}
# (framework, threads) timed in separate processes; threads None = the framework's own
THREAD_SETTINGS = (("tf", None), ("tf", 1), ("torch", 1), ("torch", 2))


def setup(framework: str, threads: int | None):
    """Import a framework with a thread setting; returns (module, model_kwargs)."""
    if framework == "tf":
        import rnnlib.tf as module  # first: TensorFlow's quiet environment
        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
        if threads is not None and not gpu:
            try:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            except RuntimeError:  # TensorFlow already started in this process
                pass
        return module, {"unroll": not gpu}
    import torch

    import rnnlib.torch as module

    if threads is not None:
        torch.set_num_threads(threads)
    return module, {}


def to_device(framework, model):
    if framework == "torch":
        import torch

        return model.to("cuda" if torch.cuda.is_available() else "cpu")
    return model


def train_and_score(framework, module, kwargs, data, recipe, seed):
    """Train one seed; returns (model, test logits, History)."""
    x_train, y_train, x_test, y_test = data
    params = lstm_stack.init_params(seed=seed)
    model = to_device(framework, module.MnistLSTM(params, **kwargs))
    history = module.train_classifier(
        model, x_train, y_train, recipe, seed=seed, progress=False
    )
    return model, module.predict_logits(model, x_test), history


def time_steps(framework: str, threads: int | None, num_steps: int) -> float:
    """Seconds per training step of the one-cycle recipe (batches of 128), after a first
    untimed step, in this process."""
    module, kwargs = setup(framework, threads)
    images, labels = mnist.load("train")
    x = mnist.as_sequences(images[VALIDATION:])
    y = labels[VALIDATION:].astype(np.int64)
    model = to_device(framework, module.MnistLSTM(lstm_stack.init_params(), **kwargs))
    optimizer = module.classifier_optimizer(model, recipes.ONE_CYCLE)
    if framework == "tf":
        step = module.make_classifier_step(model, optimizer)
    else:
        step = module.make_classifier_step(model, optimizer, clip_norm=1.0)
    batches = recipes.epoch_batches(len(x), 128, np.random.default_rng(1))
    float(step(x[batches[0]], y[batches[0]], 1e-4))
    start = time.perf_counter()
    for batch in batches[1 : 1 + num_steps]:
        loss = step(x[batch], y[batch], 1e-4)
    float(loss)
    return (time.perf_counter() - start) / num_steps


def time_in_subprocess(framework, threads, num_steps) -> float:
    code = (
        "import sys; from rnnlib.bench.mnist import time_steps; "
        f"print(time_steps({framework!r}, {threads!r}, {num_steps}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=1800
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"timing {framework} with {threads} threads failed:\n"
            + result.stderr[-2000:]
        )
    return float(result.stdout.strip().splitlines()[-1])


def row(what, accuracy, per_step, steps_per_epoch, first_epoch=None):
    return {
        "what": what,
        "test accuracy": "" if accuracy is None else float(accuracy),
        "ms per step": f"{1000 * per_step:.1f}",
        "seconds per epoch": f"{steps_per_epoch * per_step:.1f}",
        "first epoch (s)": "" if first_epoch is None else f"{first_epoch:.1f}",
    }


def run() -> Result:
    size = config.sizes("bench.mnist")
    recipe = recipes.ONE_CYCLE._replace(num_epochs=size.num_epochs)
    images, labels = mnist.load("train")
    test_images, test_labels = mnist.load("test")
    data = (
        mnist.as_sequences(images[VALIDATION : VALIDATION + size.n_train]),
        labels[VALIDATION : VALIDATION + size.n_train].astype(np.int64),
        mnist.as_sequences(test_images[: size.n_test]),
        test_labels[: size.n_test].astype(np.int64),
    )
    y_test = data[3]
    steps_per_epoch = len(data[0]) // recipe.batch_size
    frameworks = {name: setup(name, 1) for name in NAMES}
    rows, accuracy, per_epoch, first_epoch, first_models = [], {}, {}, {}, {}
    for seed in range(size.num_seeds):
        for name, (module, kwargs) in frameworks.items():  # interleaved: fair to both
            model, logits, history = train_and_score(
                name, module, kwargs, data, recipe, seed
            )
            acc = float(np.mean(logits.argmax(axis=1) == y_test))
            accuracy.setdefault(name, []).append(acc)
            per_epoch.setdefault(name, []).extend(history.seconds[1:])
            first_epoch.setdefault(name, []).append(history.seconds[0])
            if seed == 0:
                first_models[name] = (model, logits)
            median = np.median(
                history.seconds[1:] if recipe.num_epochs > 1 else history.seconds
            )
            rows.append(
                row(
                    f"{NAMES[name]}, seed {seed}",
                    acc,
                    median / steps_per_epoch,
                    steps_per_epoch,
                    history.seconds[0],
                )
            )

    # The same weights in both frameworks: Keras's trained model copied into PyTorch.
    keras_model, keras_logits = first_models["tf"]
    torch_module = frameworks["torch"][0]
    copy = to_device("torch", torch_module.MnistLSTM(keras_model.params()))
    copy_logits = torch_module.predict_logits(copy, data[2])
    agreement = float(np.mean(copy_logits.argmax(1) == keras_logits.argmax(1)))
    logit_diff = float(np.abs(copy_logits - keras_logits).max())

    timed = {}
    if size.timing_steps:
        for name, threads in THREAD_SETTINGS:
            per_step = time_in_subprocess(name, threads, size.timing_steps)
            label = (
                "default thread pools"
                if threads is None
                else (
                    f"{threads} thread{'s' * (threads > 1)}"
                    + (" per pool" if name == "tf" else "")
                )
            )
            timed[name, threads] = per_step
            rows.append(
                row(f"{NAMES[name]} step, {label}", None, per_step, steps_per_epoch)
            )

    def seconds(name):
        values = per_epoch[name] or first_epoch[name]
        return float(np.median(values))

    summary = {
        "tf_test_acc": float(np.mean(accuracy["tf"])),
        "torch_test_acc": float(np.mean(accuracy["torch"])),
        "tf_test_acc_min": min(accuracy["tf"]),
        "torch_test_acc_min": min(accuracy["torch"]),
        "tf_seconds_per_epoch": seconds("tf"),
        "torch_seconds_per_epoch": seconds("torch"),
        "tf_test_acc_max": max(accuracy["tf"]),
        "torch_test_acc_max": max(accuracy["torch"]),
        "acc_gap": float(np.mean(accuracy["tf"]) - np.mean(accuracy["torch"])),
        "tf_first_epoch_seconds": float(np.mean(first_epoch["tf"])),
        "torch_first_epoch_seconds": float(np.mean(first_epoch["torch"])),
        "copied_agreement": agreement,
        "copied_max_logit_diff": logit_diff,
    }
    if timed:
        summary["tf_threads_speedup"] = timed["tf", None] / timed["tf", 1]
        summary["torch_threads_speedup"] = timed["torch", 2] / timed["torch", 1]
    summary |= {
        "seeds": size.num_seeds,
        "epochs": recipe.num_epochs,
        "train_images": len(data[0]),
        "test_images": len(y_test),
        "size": size.name,
    }
    return Result(rows, summary)
