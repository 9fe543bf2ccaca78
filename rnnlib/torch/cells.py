"""One step of a recurrent cell in PyTorch: ``step(x_t, state) -> (output, state)``.

A cell's state is always a tuple (``(h,)`` for the tanh cell and the GRU, ``(h, c)``
for the LSTM), so that every cell fits the same loops. Inputs are float rows: x_t of
shape (batch_size, input_size). The GRU and LSTM take their weights in the neutral
layout of ``rnnlib.numpy.gated``, so every framework starts from the same numbers.
"""

import numpy as np
import torch
from torch import nn

from rnnlib.numpy import gated
from rnnlib.torch._checks import check_batch_size

__all__ = ["GRUCell", "LSTMCell", "RNNCell"]


class RNNCell(nn.Module):
    """The tanh cell of chapter 3, one step: h_t = tanh([x_t, h_{t-1}] @ W + b).

    W: (input_size + state_size, state_size), b: (state_size,), as NumPy arrays (for
    instance ``init_params(...)["W"]``), so every framework starts from the same
    numbers.
    """

    def __init__(self, W, b, dtype=torch.float32):
        super().__init__()
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],) or W.shape[0] <= W.shape[1]:
            raise ValueError(
                f"W must have shape (input_size + state_size, state_size) and b "
                f"(state_size,), got {W.shape} and {b.shape}"
            )
        self.state_size = W.shape[1]
        self.input_size = W.shape[0] - self.state_size
        self.W = nn.Parameter(torch.tensor(W, dtype=dtype))
        self.b = nn.Parameter(torch.tensor(b, dtype=dtype))

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (
            torch.zeros(
                batch_size, self.state_size, dtype=self.W.dtype, device=self.W.device
            ),
        )

    def step(self, x_t, state):
        (h,) = state  # (batch_size, state_size)
        h = torch.tanh(
            torch.cat([x_t, h], dim=1) @ self.W + self.b
        )  # (batch_size, state_size)
        return h, (h,)


class LSTMCell(nn.Module):
    """One LSTM step (Hochreiter and Schmidhuber 1997, with a forget gate).

    i, f, o = sigmoid(...), g = tanh(...), each of x_t @ Wx + h @ Wh + b for its gate;
    c = f * c + i * g; h = o * tanh(c). State (h, c). ``params``: the neutral layout of
    ``rnnlib.numpy.gated`` (its two biases are added into one).
    """

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
        Wx, Wh, bx, bh = gated.stacked("lstm", params)  # gates i, f, g, o side by side
        self.state_size = Wh.shape[0]
        self.Wx = nn.Parameter(torch.tensor(Wx, dtype=dtype))  # (input_size, 4 * state)
        self.Wh = nn.Parameter(torch.tensor(Wh, dtype=dtype))  # (state, 4 * state)
        self.b = nn.Parameter(torch.tensor(bx + bh, dtype=dtype))  # (4 * state_size,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        zeros = self.Wx.new_zeros(batch_size, self.state_size)
        return (zeros, zeros)

    def step(self, x_t, state):
        h, c = state  # each (batch_size, state_size)
        a = x_t @ self.Wx + h @ self.Wh + self.b  # (batch_size, 4 * state_size)
        i, f, g, o = a.chunk(4, dim=1)  # each (batch_size, state_size)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, (h, c)


class GRUCell(nn.Module):
    """One GRU step (Cho et al. 2014). State (h,).

    r, z = sigmoid(...) (reset, update); n = tanh(x_t @ Wx_n + bx_n + r * (h @ Wh_n +
    bh_n)) with ``reset_after=True`` (PyTorch, cuDNN, Keras's default), or tanh(x_t @
    Wx_n + bx_n + (r * h) @ Wh_n + bh_n) with ``reset_after=False`` (the paper's);
    h = (1 - z) * n + z * h.
    """

    def __init__(self, params, reset_after=True, dtype=torch.float32):
        super().__init__()
        Wx, Wh, bx, bh = gated.stacked("gru", params)  # gates r, z, n side by side
        self.state_size = Wh.shape[0]
        self.reset_after = reset_after
        self.Wx = nn.Parameter(torch.tensor(Wx, dtype=dtype))  # (input_size, 3 * state)
        self.Wh = nn.Parameter(torch.tensor(Wh, dtype=dtype))  # (state, 3 * state)
        self.bx = nn.Parameter(torch.tensor(bx, dtype=dtype))  # (3 * state_size,)
        self.bh = nn.Parameter(torch.tensor(bh, dtype=dtype))  # (3 * state_size,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (self.Wx.new_zeros(batch_size, self.state_size),)

    def step(self, x_t, state):
        (h,) = state  # (batch_size, state_size)
        x_r, x_z, x_n = (x_t @ self.Wx + self.bx).chunk(3, dim=1)
        h_r, h_z, h_n = (h @ self.Wh + self.bh).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)  # reset gate, (batch_size, state_size)
        z = torch.sigmoid(x_z + h_z)  # update gate
        if self.reset_after:
            n = torch.tanh(x_n + r * h_n)
        else:
            Wh_n = self.Wh[:, 2 * self.state_size :]
            bh_n = self.bh[2 * self.state_size :]
            n = torch.tanh(x_n + (r * h) @ Wh_n + bh_n)
        h = (1 - z) * n + z * h
        return h, (h,)
