"""rnnlib: the tested helpers behind Unrolled, a curriculum on recurrent neural
networks.

The rooms, bottom to top (each imports only from the rooms below it):

- ``rnnlib.data``: the echo task, its theory (expected losses, floors), windows for
  truncated backprop, padded batches, MNIST. NumPy only.
- ``rnnlib.numpy``: the reference cell, backprop through time by hand, the gradient
  check.
- ``rnnlib.tf`` and ``rnnlib.torch``: the same modules with the same public names in
  each framework (cells, unroll, models, train).
- ``rnnlib.bench``: ``python -m rnnlib.bench NAME``, the measurements behind the book's
  claims.

Beside them, framework-free: ``config`` (every size, quick and full), ``training`` (the
outer loop of truncated backprop), ``sweeps`` (that loop for several models at once),
``plots`` and ``tables``. Importing rnnlib never
imports TensorFlow or PyTorch.
"""

from rnnlib.config import QUICK_ENV, is_quick, size_name, sizes

__all__ = ["QUICK_ENV", "is_quick", "size_name", "sizes"]
__version__ = "0.1.0"
