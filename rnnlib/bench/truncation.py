"""Benchmark ``truncation``: the styles of truncated backprop on the echo task.

For each n of ``LENGTHS`` (the first ``num_lengths`` of them at the quick size), each
style and each of ``seeds`` initial weights, the hand-rolled PyTorch cell (state_size
16, batch_size 200, Adagrad at 0.3) trains on the same data for the same epochs: the TF
style BPTT(n; n) on disjoint windows of n, the true style BPTT(n; 1) with every error
backpropagated n steps, and BPTT(2n; n) with the errors of the last n steps of windows
of 2n (``rnnlib.data.truncation``). All score every label once per epoch with about the
same number of updates; the true style runs n times as many cell steps, BPTT(2n; n)
twice as many. At equal compute, the true style trains on 1/n of the data instead.
Each model is scored on a held-out sequence, paired against the optimal predictors on
the same steps (``rnnlib.data.truncation.echo_learned``). One update of each style is
timed with ``rnnlib.timing`` (interleaved repeats, median and range).

Keys: ``{style}_style_heldout_N`` (mean held-out loss over the seeds, equal data),
``..._heldout_min_N`` / ``..._heldout_max_N`` (the seeds' range), ``*_share8_N`` (mean
share of the eight-step echo learned) with its ``_min`` / ``_max``,
``true_style_equal_compute_heldout_N``, ``true_vs_tf_N``, ``2n_vs_tf_N`` and
``true_compute_vs_tf_N`` (the held-out loss of that style, or of the true style at
equal compute, against the TF style's: "lower" or "higher" only where the seeds' ranges
do not overlap, else "no clear difference"), ``update_ms_{style}_N``
(median time of one update, with ``_min`` / ``_max``), and ``smallest_n_lag8_tf`` /
``smallest_n_lag8_true`` / ``smallest_n_lag8_2n``: the smallest n of the sweep at which
every seed learned at least half of the eight-step echo.
"""

import time

import numpy as np

from rnnlib import config, timing
from rnnlib.bench import Result
from rnnlib.data import echo, theory
from rnnlib.data.batching import split_rows
from rnnlib.data.truncation import (
    STYLES,
    bptt_notation,
    echo_learned,
    style_sequences,
)
from rnnlib.numpy.cell import init_params

#: n, in the order the quick size takes them (the first ``num_lengths``).
LENGTHS = (4, 9, 16, 5, 6, 7, 8, 10, 12)
SETTINGS = {"state_size": 16, "batch_size": 200, "learning_rate": 0.3}
TRAIN_SEED, HELDOUT_SEED = 1, 2
#: "learned the eight-step echo": at least this share of it, in every seed.
LEARNED_SHARE = 0.5
#: (style, budget) pairs every n trains, seeds each.
BUDGETS = (
    ("tf", "equal data"),
    ("true", "equal data"),
    ("2n", "equal data"),
    ("true", "equal compute"),
)


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


def update_timings(num_steps, train_data, repeats) -> dict[str, timing.Timing]:
    """One update of each style at n = num_steps (its first window), interleaved."""

    import rnnlib.torch

    steps = {}
    for style in STYLES:
        model = rnnlib.torch.HandRolledRNN(init_params(state_size=16, seed=0))
        optimizer = rnnlib.torch.make_optimizer(model, "adagrad", 0.3)
        window, num_scored = bptt_notation(style, num_steps)
        if num_scored == window:
            step = rnnlib.torch.make_train_step(model, optimizer)
        else:
            step = rnnlib.torch.make_last_step_train_step(model, optimizer, num_scored)
        x, y, rows = style_sequences(
            *train_data, style=style, batch_size=200, num_steps=num_steps
        )
        x_window = split_rows(x, rows)[:, :window]  # (rows, window): the first one
        y_window = split_rows(y, rows)[:, :window]
        state = model.zero_state(rows)  # (S,)
        steps[style] = lambda step=step, x=x_window, y=y_window, s=state: step(x, y, s)
    return timing.interleaved(steps, repeats=repeats)


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


def seed_verdict(these, those) -> str:
    """ "lower" or "higher" when every value of ``these`` lies below (above) every value
    of ``those``; else "no clear difference" (the seeds' ranges overlap, or a side has
    fewer than two seeds)."""
    if min(len(these), len(those)) < 2:
        return timing.NO_CLEAR_DIFFERENCE
    if max(these) < min(those):
        return "lower"
    if min(these) > max(those):
        return "higher"
    return timing.NO_CLEAR_DIFFERENCE


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
        for style, budget in BUDGETS:
            n_train = size.n_train if budget == "equal data" else size.n_train // n
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

    def column(style, n, name, budget="equal data"):
        return [
            r[name]
            for r in rows
            if (r["style"], r["n"], r["budget"]) == (style, n, budget)
        ]

    summary = {}
    for style in STYLES:
        for n in lengths:
            losses = column(style, n, "held-out loss")
            summary[f"{style}_style_heldout_{n}"] = float(np.mean(losses))
            summary[f"{style}_style_heldout_min_{n}"] = float(min(losses))
            summary[f"{style}_style_heldout_max_{n}"] = float(max(losses))
    for style in STYLES:
        for n in lengths:
            shares = column(style, n, "share of t-8")
            summary[f"{style}_style_share8_{n}"] = float(np.mean(shares))
            summary[f"{style}_style_share8_min_{n}"] = float(min(shares))
            summary[f"{style}_style_share8_max_{n}"] = float(max(shares))
    for n in lengths:
        losses = column("true", n, "held-out loss", "equal compute")
        summary[f"true_style_equal_compute_heldout_{n}"] = float(np.mean(losses))
        summary[f"true_style_equal_compute_heldout_min_{n}"] = float(min(losses))
    for style in ("true", "2n"):
        for n in lengths:
            summary[f"{style}_vs_tf_{n}"] = seed_verdict(
                column(style, n, "held-out loss"), column("tf", n, "held-out loss")
            )
    for n in lengths:
        summary[f"true_compute_vs_tf_{n}"] = seed_verdict(
            column("true", n, "held-out loss", "equal compute"),
            column("tf", n, "held-out loss"),
        )
    for n in lengths:
        timings = update_timings(n, train_data, size.repeats)
        for style, measured in timings.items():
            for key, value in measured.as_dict(per=1e-3).items():
                suffix = "" if key == "median" else f"_{key}"
                summary[f"update_ms_{style}{suffix}_{n}"] = value
    for style in STYLES:
        summary[f"smallest_n_lag8_{style}"] = smallest_learning(rows, style, lengths)
    summary["floor"] = round(theory.expected_loss((3, 8)), 6)
    summary["seeds"] = size.seeds
    summary["train_steps"] = size.n_train
    summary["epochs"] = size.num_epochs
    summary["size"] = size.name
    return Result(rows, summary)
