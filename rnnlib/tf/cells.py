"""One step of a recurrent cell in TensorFlow: ``step(x_t, state) -> (output, state)``.

A cell's state is always a tuple (``(h,)`` for the tanh cell and the GRU, ``(h, c)``
for the LSTM), so that every cell fits the same loops. Inputs are float rows: x_t of
shape (batch_size, input_size). The GRU and LSTM take their weights in the neutral
layout of ``rnnlib.numpy.gated``, so every framework starts from the same numbers.
"""

from rnnlib.tf._checks import check_batch_size

import numpy as np
import tensorflow as tf

from rnnlib.numpy import gated

__all__ = ["GRUCell", "LSTMCell", "RNNCell"]


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
        check_batch_size(batch_size)
        return (tf.zeros((batch_size, self.state_size), self.W.dtype),)

    def step(self, x_t, state):
        (h,) = state  # (batch_size, state_size)
        h = tf.tanh(
            tf.concat([x_t, h], axis=1) @ self.W + self.b
        )  # (batch_size, state_size)
        return h, (h,)


class LSTMCell(tf.Module):
    """One LSTM step (Hochreiter and Schmidhuber 1997, with a forget gate).

    i, f, o = sigmoid(...), g = tanh(...), each of x_t @ Wx + h @ Wh + b for its gate;
    c = f * c + i * g; h = o * tanh(c). State (h, c). ``params``: the neutral layout of
    ``rnnlib.numpy.gated`` (its two biases are added into one).
    """

    def __init__(self, params, dtype=tf.float32):
        super().__init__()
        Wx, Wh, bx, bh = gated.stacked("lstm", params)  # gates i, f, g, o side by side
        self.state_size = Wh.shape[0]
        self.Wx = tf.Variable(
            Wx, dtype=dtype, name="Wx"
        )  # (input_size, 4 * state_size)
        self.Wh = tf.Variable(
            Wh, dtype=dtype, name="Wh"
        )  # (state_size, 4 * state_size)
        self.b = tf.Variable(bx + bh, dtype=dtype, name="b")  # (4 * state_size,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        zeros = tf.zeros((batch_size, self.state_size), self.Wx.dtype)
        return (zeros, zeros)

    def step(self, x_t, state):
        h, c = state  # each (batch_size, state_size)
        a = x_t @ self.Wx + h @ self.Wh + self.b  # (batch_size, 4 * state_size)
        i, f, g, o = tf.split(a, 4, axis=1)  # each (batch_size, state_size)
        c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h = tf.sigmoid(o) * tf.tanh(c)
        return h, (h, c)


class GRUCell(tf.Module):
    """One GRU step (Cho et al. 2014). State (h,).

    r, z = sigmoid(...) (reset, update); n = tanh(x_t @ Wx_n + bx_n + r * (h @ Wh_n +
    bh_n)) with ``reset_after=True`` (PyTorch, cuDNN, Keras's default), or tanh(x_t @
    Wx_n + bx_n + (r * h) @ Wh_n + bh_n) with ``reset_after=False`` (the paper's);
    h = (1 - z) * n + z * h.
    """

    def __init__(self, params, reset_after=True, dtype=tf.float32):
        super().__init__()
        Wx, Wh, bx, bh = gated.stacked("gru", params)  # gates r, z, n side by side
        self.state_size = Wh.shape[0]
        self.reset_after = reset_after
        self.Wx = tf.Variable(
            Wx, dtype=dtype, name="Wx"
        )  # (input_size, 3 * state_size)
        self.Wh = tf.Variable(
            Wh, dtype=dtype, name="Wh"
        )  # (state_size, 3 * state_size)
        self.bx = tf.Variable(bx, dtype=dtype, name="bx")  # (3 * state_size,)
        self.bh = tf.Variable(bh, dtype=dtype, name="bh")  # (3 * state_size,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (tf.zeros((batch_size, self.state_size), self.Wx.dtype),)

    def step(self, x_t, state):
        (h,) = state  # (batch_size, state_size)
        x_r, x_z, x_n = tf.split(x_t @ self.Wx + self.bx, 3, axis=1)
        h_r, h_z, h_n = tf.split(h @ self.Wh + self.bh, 3, axis=1)
        r = tf.sigmoid(x_r + h_r)  # reset gate, (batch_size, state_size)
        z = tf.sigmoid(x_z + h_z)  # update gate
        if self.reset_after:
            n = tf.tanh(x_n + r * h_n)
        else:
            Wh_n = self.Wh[:, 2 * self.state_size :]
            bh_n = self.bh[2 * self.state_size :]
            n = tf.tanh(x_n + (r * h) @ Wh_n + bh_n)
        h = (1 - z) * n + z * h
        return h, (h,)
