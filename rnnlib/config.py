"""Every size a page or a benchmark uses, at full size and at the quick size, in one
place.

The book runs at full size. Set the environment variable ``RNNLIB_QUICK=1`` and every
page and benchmark shrinks its data and epochs so that it runs in seconds on two cores:
the tests run that way, and it suits a classroom. Both sizes run the same code; only
these numbers change. A page reads its sizes once, near the top::

    size = rnnlib.config.sizes("03-hand-rolled-cell-tf")
    x, y = echo.generate(size.n, seed=1)

and the instructors page prints this whole table (``rnnlib.config.table()``).
To add a page, add an entry named after its file (``NN-slug``, or ``bench.NAME``).
"""

import os
from collections.abc import Iterator, Mapping
from typing import NamedTuple

QUICK_ENV = "RNNLIB_QUICK"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_quick() -> bool:
    """True when ``RNNLIB_QUICK`` asks for the quick size."""
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"environment variable {QUICK_ENV}={os.environ[QUICK_ENV]!r}: expected one of "
        f"1/true/yes/on (quick size) or 0/false/no/off/empty (full size)"
    )


PROGRESS_ENV = "RNNLIB_PROGRESS"


def show_progress() -> bool:
    """Progress bars are on unless ``RNNLIB_PROGRESS=0`` (the book build and the tests
    set it: bars belong in a learner's notebook, not on a page)."""
    return os.environ.get(PROGRESS_ENV, "1").strip().lower() not in _FALSE - {""}


def size_name() -> str:
    """'quick' or 'full', for printing next to results."""
    return "quick" if is_quick() else "full"


class Size(NamedTuple):
    """One setting at both sizes, and what it counts."""

    full: int | float
    quick: int | float
    about: str


S = Size
# Twin TF and PyTorch pages read one entry: the same inputs in both frameworks.
_HAND_ROLLED_CELL = {
    "n": S(1_000_000, 100_000, "training steps of the main run"),
    "num_epochs": S(3, 2, "epochs of the main run"),
    "every": S(100, 10, "windows per point of a learning curve"),
    "n_heldout": S(100_000, 20_000, "held-out steps every model is scored on"),
    "n_sweep": S(50_000, 10_000, "training steps of each run of the sweep"),
    "every_sweep": S(25, 5, "windows per point of the sweep's curves"),
    "seeds": S(3, 1, "seeds (weights and data) per setting of the sweep"),
}

_GRADIENTS = {
    "num_seeds": S(3, 1, "seeds of every curve and every trained model"),
    "num_rows": S(100, 10, "rows of echo inputs a Jacobian norm is averaged over"),
    "n_train": S(500_000, 20_000, "training steps of each trained cell"),
    "n_explode": S(100_000, 10_000, "training steps of each exploding run"),
}

_GATED_CELLS = {
    "n_train": S(1_000_000, 200_000, "echo steps each GRU and LSTM trains on"),
    "num_epochs": S(3, 2, "echo epochs, the last at a tenth of the learning rate"),
    "n_heldout": S(1_000_000, 50_000, "held-out echo steps"),
    "every": S(50, 5, "windows per point of an echo learning curve"),
    "seeds": S(2, 1, "starting weights per cell, and per clipping setting"),
    "n_clip": S(200_000, 60_000, "echo steps of each gradient-clipping run"),
}

_SEQUENCES = {
    "n_segments": S(3_000, 1_000, "training stretches of the labelling task"),
    "seeds": S(2, 1, "starting weights per trained classifier and labeller"),
}

_MNIST_LSTM = {
    "n_train": S(55_000, 2_000, "training images (the first 5,000 are validation)"),
    "n_val": S(5_000, 500, "validation images, scored after every epoch"),
    "n_test": S(10_000, 1_000, "test images scored"),
    "num_epochs": S(10, 1, "epochs of each recipe"),
    "timing_steps": S(50, 3, "training steps timed for each variant"),
}

_DATA_PARALLEL = {
    "n_train": S(6_400, 640, "training images of every run (two epochs each)"),
}

#: page or benchmark -> setting -> Size. Settings that do not change with the size stay
#: in the pages: this table holds only what the quick switch changes.
SIZES: dict[str, dict[str, Size]] = {
    "01-echo-task": {
        "n": S(1_000_000, 100_000, "steps of echo data generated"),
        "n_check": S(100_000, 10_000, "steps on which the original loop is reproduced"),
        "seeds": S(
            3, 1, "runs (weights and data seeds) of the nested-batching exhibit"
        ),
        "n_seed": S(
            10_000, 2_000, "steps of each run of that exhibit (the seed's 10,000)"
        ),
    },
    "02-expected-loss": {
        "n": S(2_000_000, 200_000, "steps per Monte Carlo estimate of a floor"),
    },
    "03-hand-rolled-cell": {
        "n": S(1_000_000, 50_000, "training steps"),
        "num_epochs": S(2, 1, "epochs of the main run"),
        "every": S(1000, 100, "windows per point of a learning curve"),
        "n_short": S(200_000, 20_000, "training steps of each run of the exercises"),
        "every_short": S(250, 100, "windows per point in the exercises' curves"),
        "seeds": S(3, 2, "seeds (weights and data) per setting in the exercises"),
    },
    "03-hand-rolled-cell-tf": _HAND_ROLLED_CELL,
    "03-hand-rolled-cell-torch": _HAND_ROLLED_CELL,
    "04-unrolling-tf": {
        "longest": S(200, 50, "longest num_steps measured (of 10, 50, 100, 200)"),
        "repeats": S(30, 5, "timed training steps per variant and num_steps"),
        "fold_steps": S(200, 100, "steps of the constant-folding example"),
    },
    "04-unrolling-torch": {
        "longest": S(200, 50, "longest num_steps measured (of 10, 50, 100, 200)"),
        "repeats": S(30, 5, "timed training steps per variant and num_steps"),
        "compiled_steps": S(10, 0, "num_steps run under torch.compile (0: none)"),
    },
    "05-truncated-backprop-torch": {
        "n_train": S(300_000, 40_000, "training steps (equal data)"),
        "num_epochs": S(5, 1, "epochs"),
        "n_heldout": S(100_000, 20_000, "held-out steps"),
    },
    "06-gradients": {
        "num_seeds": S(3, 1, "seeds of every curve and every trained model"),
        "num_rows": S(100, 20, "rows of echo inputs a Jacobian norm is averaged over"),
        "n_train": S(1_000_000, 50_000, "training steps of each trained cell"),
        "n_explode": S(100_000, 10_000, "training steps of each exploding run"),
    },
    "06-gradients-tf": _GRADIENTS,
    "06-gradients-torch": _GRADIENTS,
    "07-gated-cells-tf": _GATED_CELLS,
    "07-gated-cells-torch": _GATED_CELLS,
    "08-sequences-tf": _SEQUENCES,
    "08-sequences-torch": _SEQUENCES,
    "10-mnist-lstm-tf": _MNIST_LSTM,
    "10-mnist-lstm-torch": _MNIST_LSTM,
    "11-data-parallel-tf": _DATA_PARALLEL,
    "11-data-parallel-torch": _DATA_PARALLEL,
    "bench.data": {
        "n": S(1_000_000, 100_000, "steps each generator makes"),
    },
    "bench.gradients": {
        "num_rows": S(100, 10, "rows of echo inputs a Jacobian norm is averaged over"),
        "num_seeds": S(3, 1, "seeds of each cell's starting weights"),
    },
    "bench.echo": {
        "n_train": S(1_000_000, 100_000, "training steps"),
        "num_epochs": S(10, 2, "epochs"),
        "n_heldout": S(1_000_000, 100_000, "held-out steps"),
    },
    "bench.unroll": {
        "num_lengths": S(
            4, 2, "how many num_steps of (10, 100, 50, 200), in that order"
        ),
        "longest_compiled": S(100, 0, "longest num_steps run under torch.compile"),
        "repeats": S(30, 5, "timed training steps per variant"),
    },
    "bench.truncation": {
        "n_train": S(300_000, 40_000, "training steps (equal data)"),
        "num_epochs": S(5, 1, "epochs"),
        "n_heldout": S(100_000, 20_000, "held-out steps"),
        "seeds": S(3, 1, "initial weights per style and n"),
        "num_lengths": S(7, 2, "how many n of (4, 9, 16, 6, 8, 10, 12), in that order"),
    },
    "bench.cells": {
        "n_train": S(1_000_000, 50_000, "training steps"),
        "num_epochs": S(3, 2, "epochs, the last at a tenth of the learning rate"),
        "n_heldout": S(1_000_000, 50_000, "held-out steps"),
    },
    "bench.mnist": {
        "n_train": S(55_000, 1_024, "training images"),
        "n_test": S(10_000, 500, "test images scored"),
        "num_epochs": S(10, 1, "epochs of the one-cycle recipe"),
        "num_seeds": S(3, 1, "seeds (weights and batch order) per framework"),
        "timing_steps": S(100, 0, "steps timed per thread setting (0: not timed)"),
    },
    "bench.parallel": {
        "n_train": S(6_400, 256, "training images (two epochs, global batch 128)"),
    },
}
del S


class Sizes(Mapping):
    """The settings of one page at the current size: ``size.n``, ``size["n"]``."""

    def __init__(self, name: str, quick: bool):
        self.page, self.name = name, "quick" if quick else "full"
        self._values = {
            key: s.quick if quick else s.full for key, s in SIZES[name].items()
        }

    def __getattr__(self, key):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(
                f"{self.page!r} has no setting {key!r} in rnnlib.config.SIZES; "
                f"it has {sorted(self._values)}"
            ) from None

    def __getitem__(self, key):
        return self.__getattr__(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        values = ", ".join(f"{key}={value!r}" for key, value in self._values.items())
        return f"Sizes({self.page!r}, {self.name}: {values})"


def sizes(name: str, *, quick: bool | None = None) -> Sizes:
    """The settings of page or benchmark ``name`` at the current size (or the one asked
    for)."""
    if name not in SIZES:
        raise ValueError(
            f"name must be a page or benchmark of rnnlib.config.SIZES, "
            f"one of {sorted(SIZES)}; got {name!r}"
        )
    return Sizes(name, is_quick() if quick is None else quick)


def table() -> list[dict]:
    """Every setting at both sizes, one row each, for the instructors page."""
    return [
        {
            "page": name,
            "setting": key,
            "full": s.full,
            "quick": s.quick,
            "what": s.about,
        }
        for name, settings in SIZES.items()
        for key, s in settings.items()
    ]
