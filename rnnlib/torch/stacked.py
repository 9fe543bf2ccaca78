"""Several hand-rolled tanh cells trained at once in PyTorch: chapter 3's
``HandRolledRNN`` with a leading model axis.

A sweep over seeds trains the same small model M times. Stacked along a leading axis,
the M models share every call: one Python loop and one framework call per operation
for all of them instead of one per model. Every weight gains that axis (W of
shape (M, num_classes + state_size, state_size), ...), windows are (M, batch_size,
num_steps), states tuples (S,) with S of shape (M, batch_size, state_size), as every
model of rnnlib takes them. The loss is the sum of the models' mean
losses, so each weight's gradient is its own model's, and Adagrad, which acts weight by
weight, steps each model exactly as it would alone. (``torch.func.stack_module_state``
and ``torch.vmap`` stack any module this way; this one is written out, like the
TensorFlow twin.) ``rnnlib.sweeps.train_stacked`` is the outer loop; a test checks that
a stacked run equals separate runs.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib.numpy import stacked as numpy_stacked
from rnnlib.numpy.cell import PARAM_NAMES
from rnnlib.sweeps import train_stacked as train_windows_stacked
from rnnlib.torch._checks import check_batch_size
from rnnlib.torch.train import make_optimizer
from rnnlib.training import check_tokens_and_labels, step_losses_over

__all__ = ["StackedRNN", "stacked_step_losses", "train_stacked"]


class StackedRNN(nn.Module):
    """M hand-rolled cells: S_t = tanh([X_t, S_{t-1}] @ W + b), logits = S_t @ U + c,
    each weight with a leading model axis. ``params_list``: M dicts of
    ``rnnlib.numpy.cell.init_params``, all of one size."""

    def __init__(self, params_list, dtype=torch.float32):
        super().__init__()
        params = numpy_stacked.stack(params_list)
        self.num_models, self.state_size, self.num_classes = params["U"].shape
        # W: (M, num_classes + state_size, state_size); b: (M, state_size)
        self.W = nn.Parameter(torch.tensor(params["W"], dtype=dtype))
        self.b = nn.Parameter(torch.tensor(params["b"], dtype=dtype))
        # U: (M, state_size, num_classes); c: (M, num_classes)
        self.U = nn.Parameter(torch.tensor(params["U"], dtype=dtype))
        self.c = nn.Parameter(torch.tensor(params["c"], dtype=dtype))

    def forward(self, x, state):
        # x: (M, batch_size, num_steps) classes
        # state: (S,), S of shape (M, batch_size, state_size)
        (state,) = state
        inputs = F.one_hot(x, self.num_classes).to(self.W.dtype)  # (M, B, T, C)
        states = []
        for t in range(x.shape[2]):
            # joined: (M, batch_size, num_classes + state_size)
            joined = torch.cat([inputs[:, :, t], state], dim=2)
            state = torch.tanh(joined @ self.W + self.b[:, None])  # (M, B, state_size)
            states.append(state)
        states = torch.stack(states, dim=2)  # (M, batch_size, num_steps, state_size)
        # logits: (M, batch_size, num_steps, num_classes)
        logits = states @ self.U[:, None] + self.c[:, None, None]
        return logits, (state,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (
            torch.zeros(
                self.num_models,
                batch_size,
                self.state_size,
                dtype=self.W.dtype,
                device=self.W.device,
            ),
        )

    def params(self) -> list[dict[str, np.ndarray]]:
        """Each model's weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        arrays = {
            name: getattr(self, name).detach().cpu().numpy() for name in PARAM_NAMES
        }
        return [
            {name: arrays[name][m] for name in PARAM_NAMES}
            for m in range(self.num_models)
        ]


def train_stacked(
    model,
    xs,
    ys,
    *,
    batch_size=200,
    num_steps=10,
    num_epochs=1,
    optimizer="adagrad",
    learning_rate=0.1,
    every=100,
    progress=None,
    after_epoch=None,
    desc="PyTorch",
):
    """``rnnlib.torch.train`` for a ``StackedRNN``: xs, ys of shape (M, n), model m's
    sequence in row m. Returns one LearningCurve per model."""
    check_tokens_and_labels(model, xs, ys)
    optimizer = make_optimizer(model, optimizer, learning_rate)
    device = model.W.device

    def step(x_windows, y_windows, state):
        x = torch.as_tensor(x_windows, device=device)  # (M, batch_size, num_steps)
        y = torch.as_tensor(y_windows, device=device)
        logits, state = model(x, state)  # (M, batch_size, num_steps, num_classes)
        losses = F.cross_entropy(
            logits.permute(0, 3, 1, 2), y, reduction="none"
        )  # (M, batch_size, num_steps)
        per_model = losses.mean(dim=(1, 2))  # (M,)
        optimizer.zero_grad()
        per_model.sum().backward()  # each weight's gradient: its own model's
        optimizer.step()
        return per_model.detach().cpu().numpy(), tuple(s.detach() for s in state)

    return train_windows_stacked(
        step,
        xs,
        ys,
        batch_size=batch_size,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=model.zero_state,
        every=every,
        progress=progress,
        desc=desc,
        after_epoch=after_epoch,
    )


def stacked_step_losses(model, x, y, *, batch_size=10, num_steps=100):
    """(positions, losses) of every model on the same x, y of shape (n,): losses of
    shape (M, m), each row as ``rnnlib.torch.heldout_step_losses`` gives it for one
    model."""
    check_tokens_and_labels(model, x, y)
    device = model.W.device

    def run(x_window, y_window, state):
        x_all = torch.as_tensor(x_window, device=device).expand(
            model.num_models, -1, -1
        )
        y_all = torch.as_tensor(y_window, device=device).expand(
            model.num_models, -1, -1
        )
        with torch.no_grad():
            logits, state = model(x_all, state)
            losses = F.cross_entropy(
                logits.permute(0, 3, 1, 2), y_all, reduction="none"
            )
        # (batch_size, num_steps, M): step_losses_over concatenates along axis 1
        return losses.permute(1, 2, 0).cpu().numpy(), state

    positions, losses = step_losses_over(
        run,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=model.zero_state,
    )
    return positions, losses.reshape(-1, model.num_models).T
