"""The frameworks' environment, set in one place before they are imported.

``rnnlib.tf`` applies TensorFlow's on import; the book build and the tests apply it to
every kernel. The book build, the tests and the text benchmark also share the cores
with ``share_cores``.
"""

import os

#: No C++ info and warning lines on the pages; no oneDNN start-up notice, and the same
#: float32 numbers on every machine (oneDNN's fused kernels round differently).
TF_QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}


def quiet_tensorflow() -> None:
    """Set TF_QUIET_ENV, keeping any value the user set; call before importing
    TensorFlow."""
    for key, value in TF_QUIET_ENV.items():
        os.environ.setdefault(key, value)


#: OpenMP threads that sleep while they wait. PyTorch's spin by default, and when two
#: jobs share the two cores (two pages, two test workers) a spinning thread holds a core
#: the other job needs.
SHARED_CORES_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


#: How many pages (or test files) the book's build and tests run at once, for pages that
#: time something to say so (``rnnlib.timing.openmp_wait_note``).
PAGES_AT_ONCE_ENV = "RNNLIB_PAGES_AT_ONCE"


def share_cores() -> None:
    """Set SHARED_CORES_ENV, keeping any value the user set; call before PyTorch
    loads (the setting is read when its OpenMP runtime starts)."""
    for key, value in SHARED_CORES_ENV.items():
        os.environ.setdefault(key, value)
