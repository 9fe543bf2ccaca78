"""Benchmark ``text``: the character LSTM on Tiny Shakespeare against the best n-gram,
in TensorFlow and PyTorch, several seeds, a fixed number of steps.

Settings (the issue's calibration, with a learning-rate schedule and dropout): one LSTM
layer of ``state_size`` units on a 64-wide embedding, dropout 0.2 after it, batches of
64 rows x 100 characters with the state carried across windows, Adam at 2e-3 along a
cosine to a tenth of it, gradients clipped to a global norm of 1. For each seed both
frameworks start from the same weights (``rnnlib.numpy.charlstm.init_params``: the
embedding standard normal; Keras's own U(-0.05, 0.05) left 512 units near 1.65 nats
after 1,200 steps where N(0, 1) reached 1.50) and read the same windows; each run trains
``train_steps`` steps (not a time budget) on ``threads`` threads (two at full size; for
TensorFlow two intra-op and two inter-op threads, 0.41 s a step against 0.52 with one
inter-op thread on a quiet machine) and its seconds are recorded. Every model reads
the whole validation text as one stream, the state carried. The first seed's Keras
weights are then copied into PyTorch and read the validation text again
(``copied_val_diff``).
The n-grams (orders 0 to 6) are scored with both smoothings of ``rnnlib.data.ngram``:
``ngram_wb_*`` the best interpolated Witten-Bell, ``ngram_kn_*`` the best interpolated
Kneser-Ney (one discount, 0.75), ``ngram_best_*`` the better of the two
(``ngram_best_method``), which the target is judged against. ``*_train_seconds`` is the
mean over seeds, ``*_train_seconds_max`` the longest run.
Targets at full size: each framework's mean at most 1.50 nats per character, at least
0.15 below the best n-gram of either kind, within 0.02 of the other; the copy within
1e-4; at most 10 minutes (600 s) per run.
"""

import numpy as np

from rnnlib import _env, config
from rnnlib.bench import Result
from rnnlib.data import chars, ngram, shakespeare
from rnnlib.numpy import charlstm

NAMES = {"tf": "TensorFlow", "torch": "PyTorch"}
METHOD_NAMES = {"witten-bell": "Witten-Bell", "kneser-ney": "Kneser-Ney"}
SETTINGS = {
    "embed_size": 64,
    "dropout": 0.2,
    "batch_size": 64,
    "num_steps": 100,
    "learning_rate": 2e-3,
    "clip_norm": 1.0,
}
MAX_ORDER = 6


def frameworks(threads):
    """{"tf": rnnlib.tf, "torch": rnnlib.torch}, each set to ``threads`` threads, with
    OpenMP threads that sleep while they wait (``rnnlib._env.share_cores``, before
    PyTorch loads): spinning ones stall badly when anything else runs on the cores."""
    _env.share_cores()
    import rnnlib.tf  # first: TensorFlow's quiet environment

    import tensorflow as tf
    import torch

    import rnnlib.torch

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # TensorFlow already started in this process
        pass
    torch.set_num_threads(threads)
    return {"tf": rnnlib.tf, "torch": rnnlib.torch}


def seed_everything(seed):
    import keras
    import torch

    keras.utils.set_random_seed(seed)
    torch.manual_seed(seed)


def seconds_per_step(framework: str, steps: int = 10, threads=None) -> float:
    """Median seconds of one full-size training step in ``framework`` ("tf" or
    "torch"), after two untimed ones: to size ``train_steps`` to the 10-minute budget
    on a new machine before running the benchmark (``steps`` x this = a run's time).
    ``threads`` defaults to the full size's."""
    import time

    size = config.sizes("bench.text", quick=False)
    module = frameworks(size.threads if threads is None else threads)[framework]
    params = charlstm.init_params(state_sizes=(size.state_size,), seed=0)
    model = module.CharLSTM(params, dropout=SETTINGS["dropout"])
    step = module.make_lm_step(model, module.lm_optimizer(model), clip_norm=1.0)
    rng = np.random.default_rng(0)
    shape = (SETTINGS["batch_size"], SETTINGS["num_steps"])
    state, times = model.zero_state(shape[0]), []
    for _ in range(steps + 2):
        x, y = rng.integers(0, 65, shape), rng.integers(0, 65, shape)
        start = time.perf_counter()
        loss, state, _ = step(x, y, state, SETTINGS["learning_rate"])
        float(loss)
        times.append(time.perf_counter() - start)
    return float(np.median(times[2:]))


def run() -> Result:
    size = config.sizes("bench.text")
    train, val = shakespeare.split(shakespeare.load())
    vocab = chars.Vocabulary(train)
    train_ids, val_ids = vocab.encode(train), vocab.encode(val)

    counts = ngram.fit(train_ids, MAX_ORDER, len(vocab))
    ngram_val = {  # method -> [validation nats of orders 0 .. MAX_ORDER]
        method: [
            float(ngram.step_losses(counts, val_ids, k, method=method).mean())
            for k in range(MAX_ORDER + 1)
        ]
        for method in ngram.METHODS
    }
    best = {
        method: int(np.argmin(losses)) for method, losses in ngram_val.items()
    }  # method -> its best order
    best_method = min(ngram.METHODS, key=lambda m: ngram_val[m][best[m]])
    rows = [
        {
            "model": f"n-gram, order {k}, {METHOD_NAMES[method]}",
            "validation nats/char": v,
            "last train loss": "",
            "train seconds": "",
        }
        for method, losses in ngram_val.items()
        for k, v in enumerate(losses)
    ]

    modules = frameworks(size.threads)
    val_nats, seconds, first = {}, {}, {}
    for seed in range(size.num_seeds):
        params = charlstm.init_params(
            vocab_size=len(vocab),
            embed_size=SETTINGS["embed_size"],
            state_sizes=(size.state_size,),
            seed=seed,
        )
        for name, module in modules.items():  # interleaved: fair to both
            seed_everything(seed)
            model = module.CharLSTM(params, dropout=SETTINGS["dropout"])
            history = module.train_lm(
                model,
                train_ids,
                learning_rate=SETTINGS["learning_rate"],
                clip_norm=SETTINGS["clip_norm"],
                batch_size=SETTINGS["batch_size"],
                num_steps=SETTINGS["num_steps"],
                steps=size.train_steps,
                progress=False,
            )
            loss = float(module.read_text(model, val_ids).mean())
            val_nats.setdefault(name, []).append(loss)
            seconds.setdefault(name, []).append(history.seconds)
            if seed == 0:
                first[name] = model
            rows.append(
                {
                    "model": f"{NAMES[name]} LSTM {size.state_size}, seed {seed}",
                    "validation nats/char": loss,
                    "last train loss": f"{history.loss[-20:].mean():.3f}",
                    "train seconds": f"{history.seconds:.0f}",
                }
            )
    copied = modules["torch"].CharLSTM(first["tf"].params())
    copied_val = float(modules["torch"].read_text(copied, val_ids).mean())
    summary = {
        "ngram_best_val_nats": ngram_val[best_method][best[best_method]],
        "ngram_best_order": best[best_method],
        "tf_val_nats": float(np.mean(val_nats["tf"])),
        "torch_val_nats": float(np.mean(val_nats["torch"])),
        "tf_val_nats_max": max(val_nats["tf"]),
        "torch_val_nats_max": max(val_nats["torch"]),
        "tf_train_seconds": float(np.mean(seconds["tf"])),
        "torch_train_seconds": float(np.mean(seconds["torch"])),
        "copied_val_diff": abs(copied_val - val_nats["tf"][0]),
        "ngram_best_method": best_method,
        "ngram_wb_best_val_nats": ngram_val["witten-bell"][best["witten-bell"]],
        "ngram_wb_best_order": best["witten-bell"],
        "ngram_kn_best_val_nats": ngram_val["kneser-ney"][best["kneser-ney"]],
        "ngram_kn_best_order": best["kneser-ney"],
        "tf_train_seconds_max": max(seconds["tf"]),
        "torch_train_seconds_max": max(seconds["torch"]),
        "tf_val_nats_min": min(val_nats["tf"]),
        "torch_val_nats_min": min(val_nats["torch"]),
        "seeds": size.num_seeds,
        "train_steps": size.train_steps,
        "state_size": size.state_size,
        "threads": size.threads,
        "val_chars": len(val_ids),
        "size": size.name,
        **SETTINGS,  # the settings it ran with, so a page can tell a stale record
        "embedding_init": charlstm.EMBEDDING_INIT,
    }
    return Result(rows, summary)
