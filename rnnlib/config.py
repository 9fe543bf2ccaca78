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
#: page or benchmark -> setting -> Size. Settings that do not change with the size stay
#: in the pages: this table holds only what the quick switch changes.
SIZES: dict[str, dict[str, Size]] = {
    "01-echo-task": {
        "n": S(1_000_000, 100_000, "steps of echo data generated"),
        "n_check": S(100_000, 10_000, "steps on which the original loop is reproduced"),
    },
    "02-expected-loss": {
        "n": S(2_000_000, 200_000, "steps per Monte Carlo estimate of a floor"),
    },
    "03-hand-rolled-cell": {
        "n": S(1_000_000, 50_000, "training steps"),
        "num_epochs": S(5, 1, "epochs of the main run"),
        "every": S(1000, 100, "windows per point of a learning curve"),
        "n_short": S(300_000, 50_000, "training steps of the learning-rate exercise"),
        "every_short": S(500, 100, "windows per point in the learning-rate exercise"),
    },
    "03-hand-rolled-cell-tf": {
        "n": S(1_000_000, 100_000, "training steps"),
        "num_epochs": S(10, 2, "epochs of each run"),
        "every": S(100, 10, "windows per point of a learning curve"),
    },
    "03-hand-rolled-cell-torch": {
        "n": S(1_000_000, 100_000, "training steps"),
        "num_epochs": S(10, 2, "epochs of each run"),
        "every": S(100, 10, "windows per point of a learning curve"),
    },
    "09-mnist-lstm-tf": {
        "n_train": S(55_000, 2_000, "training images (the first 5,000 are validation)"),
        "n_val": S(5_000, 500, "validation images, scored after every epoch"),
        "n_test": S(10_000, 1_000, "test images scored"),
        "num_epochs": S(10, 1, "epochs of each recipe"),
        "timing_steps": S(50, 3, "training steps timed for each variant"),
    },
    "09-mnist-lstm-torch": {
        "n_train": S(55_000, 2_000, "training images (the first 5,000 are validation)"),
        "n_val": S(5_000, 500, "validation images, scored after every epoch"),
        "n_test": S(10_000, 1_000, "test images scored"),
        "num_epochs": S(10, 1, "epochs of each recipe"),
        "timing_steps": S(50, 3, "training steps timed for each variant"),
    },
    "bench.data": {
        "n": S(1_000_000, 100_000, "steps each generator makes"),
    },
    "bench.echo": {
        "n_train": S(1_000_000, 100_000, "training steps"),
        "num_epochs": S(10, 2, "epochs"),
        "n_heldout": S(1_000_000, 100_000, "held-out steps"),
    },
    "bench.mnist": {
        "n_train": S(55_000, 1_024, "training images"),
        "n_test": S(10_000, 500, "test images scored"),
        "num_epochs": S(10, 1, "epochs of the one-cycle recipe"),
        "num_seeds": S(3, 1, "seeds (weights and batch order) per framework"),
        "timing_steps": S(100, 0, "steps timed per thread setting (0: not timed)"),
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
