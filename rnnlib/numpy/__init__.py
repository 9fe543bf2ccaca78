"""The NumPy reference: the hand-rolled cell, backprop through time by hand, the
gradient check; the GRU and LSTM in a framework-neutral weight layout (``gated``) and
how Keras and PyTorch pack it (``layouts``); min-char-rnn (``charrnn``), the character
LSTM's reference (``charlstm``), linear probes (``probe``), BLAS threads (``blas``).

Every framework's cell is tested against these functions. NumPy only.
"""
