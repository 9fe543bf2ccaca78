"""One step of a recurrent cell in TensorFlow: ``step(x_t, state) -> (output, state)``.

A cell's state is always a tuple (``(h,)`` for the tanh cell), so that cells with
several state tensors (an LSTM's ``(h, c)``) fit the same loops. Inputs are float rows:
x_t of shape (batch_size, input_size).
"""

import numpy as np
import tensorflow as tf

__all__ = ["RNNCell"]


class RNNCell(tf.Module):
    """The tanh cell of chapter 3, one step: h_t = tanh([x_t, h_{t-1}] @ W + b).

    W: (input_size + state_size, state_size), b: (state_size,), as NumPy arrays (for
    instance ``init_params(...)["W"]``), so every framework starts from the same
    numbers.
    """

    def __init__(self, W, b, dtype=tf.float32):
        super().__init__()
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],) or W.shape[0] <= W.shape[1]:
            raise ValueError(
                f"W must have shape (input_size + state_size, state_size) and b "
                f"(state_size,), got {W.shape} and {b.shape}"
            )
        self.state_size = W.shape[1]
        self.input_size = W.shape[0] - self.state_size
        self.W = tf.Variable(tf.constant(W, dtype), name="W")
        self.b = tf.Variable(tf.constant(b, dtype), name="b")

    def zero_state(self, batch_size):
        return (tf.zeros((batch_size, self.state_size), self.W.dtype),)

    def step(self, x_t, state):
        (h,) = state  # (batch_size, state_size)
        h = tf.tanh(
            tf.concat([x_t, h], axis=1) @ self.W + self.b
        )  # (batch_size, state_size)
        return h, (h,)
