"""The one switch between the book's full size and a quick size for tests and classrooms.

Set the environment variable ``RNNLIB_QUICK=1`` and every chapter shrinks its data and epochs;
leave it unset (or ``0``) for the full size the book shows. Both sizes run the same code.
"""

import os

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


def pick(*, full, quick):
    """Return ``quick`` under the quick switch, else ``full``: ``pick(full=100_000, quick=2_000)``."""
    return quick if is_quick() else full


def size_name() -> str:
    """'quick' or 'full', for printing next to results."""
    return "quick" if is_quick() else "full"
