"""Benchmarks behind every claim the book makes about speed or quality.

``python -m rnnlib.bench NAME`` runs one and prints a table, then, as its last line,
``key=value`` pairs separated by spaces. The names and keys are stable: the book and the
notes quote them.
"""

from importlib import import_module
from typing import NamedTuple

#: name -> (module under rnnlib.bench, one line on what it measures)
BENCHMARKS = {
    "data": (
        "data",
        "vectorized echo generators against the original loop, 1,000,000 steps",
    ),
    "echo": (
        "echo",
        "TF and PyTorch hand-rolled cells trained to the floor of the echo task",
    ),
    "unroll": (
        "unroll",
        "static against dynamic unrolling: graph ops, tracing and step times",
    ),
    "truncation": (
        "truncation",
        "TF-style, true n-step and BPTT(2n; n) truncated backprop on the echo task",
    ),
    "gradients": (
        "gradients",
        "how fast the gradient through time vanishes per cell; NumPy, TF and PyTorch "
        "Jacobians compared",
    ),
    "cells": (
        "cells",
        "the tanh cell, GRU and LSTM layers of TF and PyTorch on the echo task",
    ),
    "mnist": (
        "mnist",
        "LSTM on MNIST, one-cycle recipe, TF and PyTorch, 3 seeds; thread settings",
    ),
    "text": (
        "text",
        "character LSTM on Tiny Shakespeare, TF and PyTorch, 3 seeds, against the "
        "best n-gram",
    ),
    "probe": (
        "probe",
        "linear probes read X(t-3) and X(t-8) from echo cells trained with num_steps "
        "1, 5 and 10",
    ),
    "parallel": (
        "parallel",
        "data-parallel MNIST LSTM: DDP and MultiWorkerMirroredStrategy against one "
        "process; samples/s for 1 and 2 processes",
    ),
}


class Result(NamedTuple):
    """What a benchmark measured: table rows for people, key=value pairs for scripts."""

    rows: list[dict]
    summary: dict


def run(name: str) -> Result:
    """Run the benchmark ``name`` and return its Result."""
    if name not in BENCHMARKS:
        raise ValueError(
            f"unknown benchmark {name!r}; expected one of {sorted(BENCHMARKS)}"
        )
    module = import_module(f"rnnlib.bench.{BENCHMARKS[name][0]}")
    return module.run()


def summary_line(summary: dict) -> str:
    """The last line a benchmark prints: ``key=value`` pairs separated by spaces."""

    def show(value):
        return f"{value:.6g}" if isinstance(value, float) else str(value)

    return " ".join(f"{key}={show(value)}" for key, value in summary.items())
