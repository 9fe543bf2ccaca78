"""rnnlib: the tested helpers behind Unrolled, a curriculum on recurrent neural
networks.

The rooms, bottom to top (each imports from rnnlib only its own room and those below;
the table is in CONTRIBUTING.md, and ``tests/test_layout.py`` checks every import
against it):

- foundation: ``config`` (the quick switch), ``sizes_table`` (every size, quick and
  full), ``_checks`` (argument checks), ``_env`` (the frameworks' environment).
- ``rnnlib.data``: the echo task (``echo``), its theory (``theory``), windows for
  truncated backprop (``batching``), padded batches (``padded``), variable-length
  tasks (``sequences``), the styles of truncation (``truncation``), MNIST (``mnist``),
  Tiny Shakespeare (``shakespeare``) and their one downloader (``download``), characters
  as tokens (``chars``), n-gram baselines (``ngram``). NumPy only.
- ``rnnlib.numpy``: the hand-rolled cell (``cell``) and several at once
  (``stacked``), the gradient check
  (``gradcheck``), gradients through time (``gradients``), the GRU and LSTM and their
  gates (``gated``), every path between weight layouts (``layouts``), the MNIST
  chapter's stacked LSTM (``lstm_stack``), min-char-rnn (``charrnn``), the character
  LSTM's reference (``charlstm``), linear probes (``probe``), BLAS threads (``blas``).
- top level, framework-free: ``training`` (the outer loop of truncated backprop),
  ``sweeps`` (that loop for several models at once),
  ``recipes`` (a classifier's recipes and loop), ``parallel`` (data-parallel workers'
  plumbing), ``lm`` (a language model's fixed-step training loop), ``probing``
  (probes of the echo cell's state), ``plots``, ``tables``, ``timing`` (the timing
  protocol).
- ``rnnlib.diagrams``: the book's schematics, drawn from the code (``style``,
  ``draw``, ``echo``, ``cells``, ``graphs``, ``gated``, ``sequences``, ``inputs``,
  ``parallel``, ``text``). Framework-free.
- ``rnnlib.tf`` and ``rnnlib.torch``: the same modules with the same public names and
  signatures in each framework (``cells``, ``unroll``, ``models``, ``layers``,
  ``train``, ``truncation``, ``gradients``, ``classify``, ``stacked``, ``parallel``
  with ``parallel_single`` and ``parallel_speed``, ``charlm``).
- ``rnnlib.bench``: ``python -m rnnlib.bench NAME``, the measurements behind the book's
  claims, and ``saved``, their results; nothing in rnnlib imports it.

Importing rnnlib never imports TensorFlow or PyTorch.
"""

from rnnlib.config import QUICK_ENV, is_quick, size_name, sizes

__all__ = ["QUICK_ENV", "is_quick", "size_name", "sizes"]
__version__ = "0.1.0"
