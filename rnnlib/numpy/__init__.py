"""The NumPy reference: the hand-rolled cell, backprop through time by hand, the
gradient check; the GRU and LSTM in a framework-neutral weight layout (``gated``) and
how Keras and PyTorch pack it (``layouts``); min-char-rnn (``charrnn``), the character
LSTM's reference (``charlstm``), linear probes (``probe``), BLAS threads (``blas``).

- ``cell``: the hand-rolled tanh cell of chapter 3, forward and backprop through time.
- ``stacked``: that cell for several models at once, each array with a leading model
  axis (a sweep's seeds trained side by side).
- ``gradcheck``: backprop's gradients against central finite differences.
- ``gradients``: state Jacobians, their norms, the spectral radius, clipping.
- ``gated``: the GRU and LSTM (and the tanh cell) in one framework-neutral weight
  layout; ``GATES``, the kinds of cell and their gates; rnnlib's one NumPy sigmoid and
  LSTM.
- ``layouts``: how Keras and PyTorch pack that layout, and chapter 3's {W, b, U, c}:
  every path between two weight layouts.
- ``lstm_stack``: the MNIST chapter's stacked LSTM classifier, its weights in Keras's
  layout.
"""
