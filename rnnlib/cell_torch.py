"""The hand-rolled RNN cell in PyTorch, the same model from ``nn.RNN``, and truncated-backprop training.

Both models take x of shape (batch_size, num_steps) (integer classes) and a state of shape
(batch_size, state_size), and return (logits (batch_size, num_steps, num_classes), final_state).
Parameters come from ``rnnlib.cell_numpy.init_params`` so every framework starts from the same numbers.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib.cell_numpy import sizes
from rnnlib.training import mean_loss_over, train_windows


def _tensor(array, dtype) -> torch.Tensor:
    return torch.tensor(np.asarray(array), dtype=dtype)


class HandRolledRNN(nn.Module):
    """S_t = tanh([X_t, S_{t-1}] @ W + b), logits_t = S_t @ U + c, unrolled by a Python loop."""

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
        self.num_classes, self.state_size = sizes(params)
        self.W = nn.Parameter(_tensor(params["W"], dtype))  # (num_classes + state_size, state_size)
        self.b = nn.Parameter(_tensor(params["b"], dtype))  # (state_size,)
        self.U = nn.Parameter(_tensor(params["U"], dtype))  # (state_size, num_classes)
        self.c = nn.Parameter(_tensor(params["c"], dtype))  # (num_classes,)

    def forward(self, x, state):
        inputs = F.one_hot(x, self.num_classes).to(self.W.dtype)  # (batch, num_steps, num_classes)
        states = []
        for t in range(x.shape[1]):
            state = torch.tanh(torch.cat([inputs[:, t], state], dim=1) @ self.W + self.b)
            states.append(state)
        states = torch.stack(states, dim=1)  # (batch, num_steps, state_size)
        return states @ self.U + self.c, state

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.cell_numpy."""
        return {name: getattr(self, name).detach().cpu().numpy() for name in ("W", "b", "U", "c")}


class LibraryRNN(nn.Module):
    """The same model from the library: ``nn.RNN`` (tanh) followed by ``nn.Linear``."""

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
        self.num_classes, self.state_size = sizes(params)
        self.rnn = nn.RNN(self.num_classes, self.state_size, nonlinearity="tanh", batch_first=True, dtype=dtype)
        self.output = nn.Linear(self.state_size, self.num_classes, dtype=dtype)
        W = np.asarray(params["W"])
        with torch.no_grad():
            # nn.RNN computes x @ W_ih.T + b_ih + h @ W_hh.T + b_hh: W's two blocks, transposed.
            self.rnn.weight_ih_l0.copy_(_tensor(W[: self.num_classes].T, dtype))
            self.rnn.weight_hh_l0.copy_(_tensor(W[self.num_classes :].T, dtype))
            self.rnn.bias_ih_l0.copy_(_tensor(params["b"], dtype))
            self.rnn.bias_hh_l0.zero_()
            self.output.weight.copy_(_tensor(np.asarray(params["U"]).T, dtype))
            self.output.bias.copy_(_tensor(params["c"], dtype))
        # nn.RNN has two biases where the cell has one: freeze the second at zero, or training would
        # move their sum at twice the learning rate and the library model would train differently.
        self.rnn.bias_hh_l0.requires_grad_(False)

    def forward(self, x, state):
        inputs = F.one_hot(x, self.num_classes).to(self.output.weight.dtype)  # (batch, num_steps, num_classes)
        states, final = self.rnn(inputs, state[None])  # (batch, num_steps, state_size), (1, batch, state_size)
        return self.output(states), final[0]


def zero_state(model) -> callable:
    """A function batch_size -> zeros of shape (batch_size, state_size) in the model's dtype."""
    dtype = next(model.parameters()).dtype
    device = next(model.parameters()).device
    return lambda batch_size: torch.zeros(batch_size, model.state_size, dtype=dtype, device=device)


def make_optimizer(model, name="adagrad", learning_rate=0.1) -> torch.optim.Optimizer:
    """Adagrad exactly as TF1's AdagradOptimizer, which the original used, or plain SGD.

    PyTorch's defaults differ (accumulators start at 0, eps 1e-10 added to the root); TF1 starts the
    accumulators at 0.1 and adds no epsilon.
    """
    if name == "adagrad":
        return torch.optim.Adagrad(model.parameters(), lr=learning_rate, initial_accumulator_value=0.1, eps=0.0)
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=learning_rate)
    raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {name!r}")


def make_train_step(model, optimizer):
    """One window of truncated backprop: forward, loss, backward, update; the state comes back detached."""
    device = next(model.parameters()).device

    def step(x_window, y_window, state):
        x = torch.as_tensor(x_window, device=device)
        y = torch.as_tensor(y_window, device=device)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, model.num_classes), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        # Without detach the next window's backward would run into this window's freed graph.
        return loss.detach(), state.detach()

    return step


def train(model, x, y, *, batch_size=200, num_steps=10, num_epochs=1, optimizer="adagrad",
          learning_rate=0.1, every=100, progress=None, desc="PyTorch"):
    """Train ``model`` by truncated backprop on the sequences x, y of shape (n,); returns a LearningCurve."""
    step = make_train_step(model, make_optimizer(model, optimizer, learning_rate))
    return train_windows(step, x, y, batch_size=batch_size, num_steps=num_steps, num_epochs=num_epochs,
                         zero_state=zero_state(model), every=every, progress=progress, desc=desc)


@torch.no_grad()
def heldout_loss(model, x, y, *, batch_size=10, num_steps=100) -> float:
    """Mean cross-entropy (nats per step) on sequences x, y of shape (n,), state carried, no training."""
    device = next(model.parameters()).device

    def loss_sum(x_window, y_window, state):
        logits, state = model(torch.as_tensor(x_window, device=device), state)
        target = torch.as_tensor(y_window, device=device).reshape(-1)
        return F.cross_entropy(logits.reshape(-1, model.num_classes), target, reduction="sum").item(), state

    return mean_loss_over(loss_sum, x, y, batch_size=batch_size, num_steps=num_steps, zero_state=zero_state(model))
