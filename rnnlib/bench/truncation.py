"""Benchmark ``truncation``: TF-style against true n-step truncated backprop on the echo
task.

For each n of ``LENGTHS`` (the first ``num_lengths`` of them at the quick size), each
style and each of ``seeds`` initial weights, the hand-rolled PyTorch cell (state_size
16, batch_size 200, Adagrad at 0.3) trains on the same data for the same epochs: the
TF style on disjoint windows of n, the true style with every error backpropagated n
steps (``rnnlib.data.truncation``). Both score every label once per epoch; the true
style runs n times as many cell steps. At equal compute, the true style trains on 1/n
of the data instead. Each model is scored on a held-out sequence, paired against the
optimal predictors on the same steps (``rnnlib.data.truncation.echo_learned``).

Keys: ``tf_style_heldout_N`` and ``true_style_heldout_N`` (mean held-out loss over the
seeds, equal data), ``*_share8_N`` (mean share of the eight-step echo learned),
``true_style_equal_compute_heldout_N``, and ``smallest_n_lag8_tf`` /
``smallest_n_lag8_true``: the smallest n at which every seed learned at least half of
the eight-step echo.
"""

import time

import numpy as np

from rnnlib import config
from rnnlib.bench import Result
from rnnlib.data import echo, theory
from rnnlib.data.truncation import STYLES, echo_learned
from rnnlib.numpy.cell import init_params

#: n, in the order the quick size takes them (the first ``num_lengths``).
LENGTHS = (4, 9, 16, 6, 8, 10, 12)
SETTINGS = {"state_size": 16, "batch_size": 200, "learning_rate": 0.3}
TRAIN_SEED, HELDOUT_SEED = 1, 2
#: "learned the eight-step echo": at least this share of it, in every seed.
LEARNED_SHARE = 0.5


def train_and_score(style, num_steps, seed, train_data, heldout_data, num_epochs):
    """Train one model; returns (echo_learned's dict, held-out loss, seconds)."""
    import rnnlib.torch

    model = rnnlib.torch.HandRolledRNN(
        init_params(state_size=SETTINGS["state_size"], seed=seed)
    )
    start = time.perf_counter()
    rnnlib.torch.train_truncated(
        model,
        *train_data,
        style=style,
        batch_size=SETTINGS["batch_size"],
        num_steps=num_steps,
        num_epochs=num_epochs,
        learning_rate=SETTINGS["learning_rate"],
        progress=False,
    )
    seconds = time.perf_counter() - start
    positions, losses = rnnlib.torch.heldout_step_losses(model, *heldout_data)
    return echo_learned(*heldout_data, positions, losses), float(losses.mean()), seconds


def smallest_learning(rows, style, lengths):
    """The smallest n whose every seed learned LEARNED_SHARE of the eight-step echo."""
    for n in sorted(lengths):
        shares = [
            r["share of t-8"]
            for r in rows
            if r["style"] == style and r["n"] == n and r["budget"] == "equal data"
        ]
        if min(shares) >= LEARNED_SHARE:
            return n
    return "none"


def run() -> Result:
    import torch

    import rnnlib.torch

    torch.set_num_threads(1)  # tiny ops: one thread is fastest, and robust to load
    size = config.sizes("bench.truncation")
    lengths = sorted(LENGTHS[: size.num_lengths])
    train_data = echo.generate(size.n_train, seed=TRAIN_SEED)
    heldout_data = echo.generate(size.n_heldout, seed=HELDOUT_SEED)
    # A first, untimed run: PyTorch's one-time start-up costs stay out of the timings.
    warm_up = rnnlib.torch.HandRolledRNN(init_params(state_size=4, seed=0))
    rnnlib.torch.train_truncated(
        warm_up, *(part[:20_000] for part in train_data), style="tf", progress=False
    )
    rows = []
    for n in lengths:
        budgets = [(style, "equal data", size.n_train) for style in STYLES]
        budgets.append(("true", "equal compute", size.n_train // n))
        for style, budget, n_train in budgets:
            data = tuple(part[:n_train] for part in train_data)
            for seed in range(size.seeds):
                learned, loss, seconds = train_and_score(
                    style, n, seed, data, heldout_data, size.num_epochs
                )
                rows.append(
                    {"n": n, "style": style, "budget": budget, "seed": seed}
                    | {"held-out loss": loss, "excess": learned["excess"].mean}
                    | {"share of t-8": learned["share_8"]}
                    | {"uses t-8": learned["uses_8"].high < 0, "seconds": seconds}
                )

    def mean_of(style, n, column, budget="equal data"):
        return float(
            np.mean(
                [
                    r[column]
                    for r in rows
                    if (r["style"], r["n"], r["budget"]) == (style, n, budget)
                ]
            )
        )

    summary = {}
    for style in STYLES:
        for n in lengths:
            summary[f"{style}_style_heldout_{n}"] = mean_of(style, n, "held-out loss")
    for style in STYLES:
        for n in lengths:
            summary[f"{style}_style_share8_{n}"] = mean_of(style, n, "share of t-8")
    for n in lengths:
        summary[f"true_style_equal_compute_heldout_{n}"] = mean_of(
            "true", n, "held-out loss", "equal compute"
        )
    for n in lengths:
        summary[f"true_over_tf_seconds_{n}"] = mean_of("true", n, "seconds") / mean_of(
            "tf", n, "seconds"
        )
    for style in STYLES:
        summary[f"smallest_n_lag8_{style}"] = smallest_learning(rows, style, lengths)
    summary["floor"] = round(theory.expected_loss((3, 8)), 6)
    summary["seeds"] = size.seeds
    summary["train_steps"] = size.n_train
    summary["epochs"] = size.num_epochs
    summary["size"] = size.name
    return Result(rows, summary)
