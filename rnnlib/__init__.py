"""rnnlib: the tested helpers behind Unrolled, a curriculum on recurrent neural networks.

Importing rnnlib (and its task, batching and NumPy modules) never imports TensorFlow or
PyTorch; the framework code lives in ``*_tf`` and ``*_torch`` modules.
"""

from rnnlib.size import QUICK_ENV, is_quick, pick, size_name

__all__ = ["QUICK_ENV", "is_quick", "pick", "size_name"]
__version__ = "0.1.0"
