"""The book's schematics: pictures of what each chapter builds, drawn from the sizes,
names and facts the code holds (CONTRIBUTING-site.md, "Figures").

Each function returns a matplotlib Figure in the book's style (``draw.Canvas``); a page
shows one from a ``remove-input`` cell. Framework-free: nothing here imports TensorFlow
or PyTorch.

Modules: ``style`` (sizes and one colour per role), ``draw`` (the ``Canvas``: boxes,
arrows, labels), and one module per family of pictures: ``echo``, ``cells``,
``graphs``, ``gated``, ``sequences``, ``inputs``, ``parallel``, ``text``.
"""

from rnnlib.diagrams.cells import jacobian_chain, tanh_cell, unrolled_window
from rnnlib.diagrams.echo import echo_rule, truncation_styles
from rnnlib.diagrams.gated import gru_cell, lstm_cell, memory_paths
from rnnlib.diagrams.graphs import unrolled_graphs
from rnnlib.diagrams.inputs import embedding_lookup, mnist_rows
from rnnlib.diagrams.parallel import data_parallel
from rnnlib.diagrams.sequences import padded_batch, shared_head, stacked_layers
from rnnlib.diagrams.text import char_lstm, char_rnn, ngram_mixing, state_probe

__all__ = [
    "data_parallel",
    "embedding_lookup",
    "mnist_rows",
    "padded_batch",
    "shared_head",
    "stacked_layers",
    "gru_cell",
    "lstm_cell",
    "memory_paths",
    "jacobian_chain",
    "echo_rule",
    "tanh_cell",
    "truncation_styles",
    "unrolled_graphs",
    "unrolled_window",
    "ngram_mixing",
    "char_rnn",
    "char_lstm",
    "state_probe",
]
