"""How many threads NumPy's BLAS (OpenBLAS) uses for a matrix product, set at run time.

A recurrent cell in NumPy multiplies small matrices thousands of times a second.
OpenBLAS splits each product over every core, and on small matrices the threads can
spend longer handing the work over than doing it; on a busy machine a thread that lost
its core stalls every product. More threads can then be slower than one (the book
measures no such speed; it only keeps the products on one core). The usual switch,
the variable ``OPENBLAS_NUM_THREADS``, works only before NumPy is imported; this module
calls OpenBLAS's own setter, found among the libraries the process has loaded (as the
package threadpoolctl does). NumPy and the standard library only.
"""

import ctypes
from pathlib import Path

__all__ = ["blas_threads", "set_blas_threads"]

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
_GETTERS = tuple(name.replace("_set_", "_get_") for name in _SETTERS)


def _openblas():
    import numpy  # noqa: F401  (loads OpenBLAS)

    maps = Path("/proc/self/maps")
    if not maps.exists():
        return None
    paths = {
        line.split()[-1]
        for line in maps.read_text().splitlines()
        if "openblas" in line.lower() and line.split()[-1].startswith("/")
    }
    for path in sorted(paths):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _function(names):
    library = _openblas()
    for name in names:
        function = getattr(library, name, None) if library is not None else None
        if function is not None:
            return function
    return None


def set_blas_threads(threads: int) -> bool:
    """Let OpenBLAS use ``threads`` threads from now on; False where no OpenBLAS was
    found (another BLAS, or not Linux), which then keeps its own setting."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be an integer >= 1, got {threads!r}")
    setter = _function(_SETTERS)
    if setter is None:
        return False
    setter.restype = None
    setter(threads)
    return True


def blas_threads() -> int | None:
    """The number of threads OpenBLAS uses now, or None where it was not found."""
    getter = _function(_GETTERS)
    return None if getter is None else int(getter())
