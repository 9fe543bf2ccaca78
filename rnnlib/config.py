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

from rnnlib.sizes_table import SIZES, Size  # noqa: F401  (the table itself)

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
