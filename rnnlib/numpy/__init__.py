"""The NumPy reference: the hand-rolled cell, backprop through time by hand, the
gradient check; the same cell for several models at once (``stacked``); the GRU and
LSTM in a framework-neutral weight layout (``gated``) and how Keras and PyTorch pack it
(``layouts``).

Every framework's cell is tested against these functions. NumPy only.
"""
