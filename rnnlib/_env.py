"""TensorFlow's environment, set in one place before TensorFlow is imported.

``rnnlib.tf`` applies it on import; the book build and the tests apply it to every
kernel.
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
