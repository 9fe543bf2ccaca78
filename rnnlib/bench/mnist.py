"""Benchmark ``mnist``: the MNIST chapter's two recipes in TensorFlow and PyTorch,
several seeds each, scored on the whole test set; and what a training step's speed
depends on (framework, threads), timed by ``rnnlib.timing``'s protocol.

For each seed both frameworks start from the same weights
(``rnnlib.numpy.lstm_stack.init_params(seed=seed)``) and see the same batches in the
same order (``rnnlib.recipes``), with the settings the MNIST pages use: Keras with
``unroll=True`` on a CPU, each framework's default threads. Each seed trains the
one-cycle recipe and the TF1 script's (constant Adam at 0.01, batches of 64), so that
the pages' comparison of the two recipes rests on several seeds, not one; each trains
on the 55,000 images after the first 5,000, as the pages do. The first seed's Keras
weights are then copied into PyTorch and both predict the test set.

Then the speed of a training step of the one-cycle recipe (batches of 128) in each of
THREAD_SETTINGS, each in a process of its own, since TensorFlow's thread pools and
OpenMP's wait policy are fixed at start-up. ``OMP_WAIT_POLICY=PASSIVE`` (threads sleep
as soon as they wait) is what the book's build and tests set (``_env.share_cores``);
the other settings run with OpenMP's default. The settings take turns, one process
each, at least five times; each times ``timing_steps`` steps after an untimed one, and
is reported as its median, minimum and maximum time per step; each comparison as the
ratio of medians and its verdict (``rnnlib.timing``: a direction only where the ranges
do not overlap).
"""

import os
import subprocess
import sys
import time
from typing import NamedTuple

import numpy as np

from rnnlib import config, recipes, timing
from rnnlib.bench import Result
from rnnlib.data import mnist
from rnnlib.numpy import lstm_stack

VALIDATION = 5000  # the first images of the training file, left out as on the pages
NAMES = {"tf": "TensorFlow", "torch": "PyTorch"}
RECIPES = {"one-cycle": recipes.ONE_CYCLE, "TF1 script": recipes.TF1_SCRIPT}
WAIT_POLICY = "OMP_WAIT_POLICY"  # OpenMP's, read when PyTorch's OpenMP runtime starts


class Setting(NamedTuple):
    """One way of running a training step, timed in a process of its own."""

    framework: str
    threads: int | None = None  # None: the framework's default
    wait_policy: str | None = None  # OMP_WAIT_POLICY; None: OpenMP's default (unset)


THREAD_SETTINGS = (
    Setting("tf"),
    Setting("tf", 1),
    Setting("torch"),
    Setting("torch", 1),
    Setting("torch", wait_policy="PASSIVE"),
)


def setup(framework: str, threads: int | None):
    """Import a framework with a thread setting; returns (module, model_kwargs)."""
    if framework == "tf":
        import rnnlib.tf as module  # first: TensorFlow's quiet environment

        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
        if threads is not None and not gpu:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
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
    """Seconds per training step of the one-cycle recipe (batches of 128), over
    ``num_steps`` steps after a first untimed step, in this process."""
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


def child_environment(setting: Setting) -> dict[str, str]:
    """This environment with the setting's OpenMP wait policy (unset: OpenMP's own)."""
    env = {k: v for k, v in os.environ.items() if k != WAIT_POLICY}
    if setting.wait_policy is not None:
        env[WAIT_POLICY] = setting.wait_policy
    return env


def time_in_subprocess(setting: Setting, num_steps: int) -> float:
    """``time_steps`` in a fresh Python process: one sample of the protocol."""
    code = (
        "from rnnlib.bench.mnist import time_steps; "
        f"print(time_steps({setting.framework!r}, {setting.threads!r}, {num_steps}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=1800,
        env=child_environment(setting),
    )
    if result.returncode != 0:
        raise RuntimeError(f"timing {setting} failed:\n" + result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


def time_settings(num_steps: int, repeats: int) -> dict:
    """Each of THREAD_SETTINGS timed ``repeats`` times, the settings taking turns (A B C
    D E A B C D E ...): Setting -> Timing of seconds per step."""
    if repeats < timing.MIN_REPEATS:
        raise ValueError(
            f"repeats must be at least {timing.MIN_REPEATS} (the book's timing "
            f"protocol), got {repeats}"
        )
    samples = {setting: [] for setting in THREAD_SETTINGS}
    for _ in range(repeats):
        for setting in THREAD_SETTINGS:
            samples[setting].append(time_in_subprocess(setting, num_steps))
    return {setting: timing.Timing(tuple(s)) for setting, s in samples.items()}


def row(what, accuracy, per_step=None, first_epoch=None):
    return {
        "what": what,
        "test accuracy": "" if accuracy is None else float(accuracy),
        "ms per step": "" if per_step is None else per_step,
        "first epoch (s)": "" if first_epoch is None else f"{first_epoch:.1f}",
    }


def label(setting: Setting) -> str:
    """The setting as the saved table names it."""
    one = "1 thread" + (" per pool" if setting.framework == "tf" else "")
    threads = "default threads" if setting.threads is None else one
    policy = f", {WAIT_POLICY}={setting.wait_policy}" if setting.wait_policy else ""
    return f"{NAMES[setting.framework]} step, {threads}{policy}"


def key(setting: Setting) -> str:
    """The setting's name in the summary: tf_default, torch_1thread, torch_passive."""
    if setting.wait_policy is not None:
        return f"{setting.framework}_{setting.wait_policy.lower()}"
    threads = "default" if setting.threads is None else f"{setting.threads}thread"
    return f"{setting.framework}_{threads}"


def run() -> Result:
    size = config.sizes("bench.mnist")
    images, labels = mnist.load("train")
    test_images, test_labels = mnist.load("test")
    data = (
        mnist.as_sequences(images[VALIDATION : VALIDATION + size.n_train]),
        labels[VALIDATION : VALIDATION + size.n_train].astype(np.int64),
        mnist.as_sequences(test_images[: size.n_test]),
        test_labels[: size.n_test].astype(np.int64),
    )
    y_test = data[3]
    frameworks = {name: setup(name, None) for name in NAMES}
    rows, accuracy, per_epoch, first_epoch, first_models = [], {}, {}, {}, {}
    for seed in range(size.num_seeds):
        for recipe_name, recipe in RECIPES.items():
            recipe = recipe._replace(num_epochs=size.num_epochs)
            for name, (module, kwargs) in frameworks.items():  # interleaved
                model, logits, history = train_and_score(
                    name, module, kwargs, data, recipe, seed
                )
                acc = float(np.mean(logits.argmax(axis=1) == y_test))
                accuracy.setdefault((name, recipe_name), []).append(acc)
                if recipe_name == "one-cycle":
                    per_epoch.setdefault(name, []).extend(history.seconds[1:])
                    first_epoch.setdefault(name, []).append(history.seconds[0])
                    if seed == 0:
                        first_models[name] = (model, logits)
                rows.append(
                    row(
                        f"{NAMES[name]}, {recipe_name}, seed {seed}",
                        acc,
                        None,
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

    def seconds(name):
        values = per_epoch[name] or first_epoch[name]
        return float(np.median(values))

    one_cycle = {name: accuracy[name, "one-cycle"] for name in NAMES}
    script = {name: accuracy[name, "TF1 script"] for name in NAMES}
    summary = {  # the first six keys as the book has always quoted them
        "tf_test_acc": float(np.mean(one_cycle["tf"])),
        "torch_test_acc": float(np.mean(one_cycle["torch"])),
        "tf_test_acc_min": min(one_cycle["tf"]),
        "torch_test_acc_min": min(one_cycle["torch"]),
        "tf_seconds_per_epoch": seconds("tf"),
        "torch_seconds_per_epoch": seconds("torch"),
        "tf_test_acc_max": max(one_cycle["tf"]),
        "torch_test_acc_max": max(one_cycle["torch"]),
        "acc_gap": float(np.mean(one_cycle["tf"]) - np.mean(one_cycle["torch"])),
    }
    for name in NAMES:  # the TF1 script's recipe, the same seeds
        summary |= {
            f"{name}_script_acc": float(np.mean(script[name])),
            f"{name}_script_acc_min": min(script[name]),
            f"{name}_script_acc_max": max(script[name]),
        }
    summary |= {
        "tf_first_epoch_seconds": float(np.mean(first_epoch["tf"])),
        "torch_first_epoch_seconds": float(np.mean(first_epoch["torch"])),
        "copied_agreement": agreement,
        "copied_max_logit_diff": logit_diff,
    }
    if size.timing_steps:
        timed = time_settings(size.timing_steps, size.timing_repeats)
        for setting, found in timed.items():
            ms = found.as_dict(per=1e-3)  # milliseconds
            rows.append(
                row(
                    label(setting),
                    None,
                    f"{ms['median']:.1f} ({ms['min']:.1f}-{ms['max']:.1f})",
                )
            )
            name = f"{key(setting)}_ms"
            summary |= {
                name: ms["median"],
                f"{name}_min": ms["min"],
                f"{name}_max": ms["max"],
            }

        def compare(name, a, b):  # a against b: the ratio of medians and the verdict
            summary[f"{name}_speedup"] = timing.speedup(timed[a], timed[b])
            summary[f"{name}_verdict"] = timing.verdict(timed[a], timed[b]).replace(
                " ", "_"
            )

        tf, tf_1, torch, torch_1, torch_passive = THREAD_SETTINGS
        compare("tf_threads", tf_1, tf)  # one thread per pool against the default
        compare("torch_threads", torch_1, torch)  # one thread against the default
        compare("tf_vs_torch", tf, torch)  # TensorFlow against PyTorch
        compare("torch_passive", torch_passive, torch)  # sleeping threads, default
        summary["timing_repeats"] = size.timing_repeats
        summary["timed_steps"] = size.timing_steps
    summary |= {
        "seeds": size.num_seeds,
        "epochs": size.num_epochs,
        "train_images": len(data[0]),
        "test_images": len(y_test),
        "size": size.name,
    }
    return Result(rows, summary)
