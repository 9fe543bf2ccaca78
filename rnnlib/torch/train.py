"""Truncated-backprop training and held-out scoring for the echo task's PyTorch models.

The outer loop (windows in order, the state carried, learning curves) is framework-free:
``rnnlib.training``. Here: the optimizer, one training step, and the held-out loss.
"""

import numpy as np
import torch
from torch.nn import functional as F

from rnnlib._checks import check_int
from rnnlib.training import step_losses_over, train_windows

__all__ = [
    "heldout_loss",
    "heldout_step_losses",
    "labeller_step_losses",
    "make_optimizer",
    "make_train_step",
    "train",
    "train_labeller",
    "zero_state",
]


def zero_state(model):
    """A function batch_size -> zeros of shape (batch_size, state_size) in the model's
    dtype."""
    parameter = next(model.parameters())
    return lambda batch_size: torch.zeros(
        batch_size, model.state_size, dtype=parameter.dtype, device=parameter.device
    )


def make_optimizer(model, name="adagrad", learning_rate=0.1) -> torch.optim.Optimizer:
    """Adagrad exactly as TF1's AdagradOptimizer, which the original used, or plain SGD.

    PyTorch's defaults differ (accumulators start at 0, eps 1e-10 added to the root);
    TF1 starts the accumulators at 0.1 and adds no epsilon.
    """
    if name == "adagrad":
        return torch.optim.Adagrad(
            model.parameters(), lr=learning_rate, initial_accumulator_value=0.1, eps=0.0
        )
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=learning_rate)
    raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {name!r}")


def make_train_step(model, optimizer):
    device = next(model.parameters()).device

    def step(x_window, y_window, state):
        x = torch.as_tensor(x_window, device=device)  # (batch_size, num_steps)
        y = torch.as_tensor(y_window, device=device)  # (batch_size, num_steps)
        # logits: (batch_size, num_steps, num_classes); state: (batch_size, state_size)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, model.num_classes), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item(), state.detach()

    return step


def train(
    model,
    x,
    y,
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
    """Train ``model`` by truncated backprop on x, y of shape (n,); returns a
    LearningCurve.

    ``after_epoch(epochs_done)`` runs after each epoch (see ``train_windows``).
    """
    step = make_train_step(model, make_optimizer(model, optimizer, learning_rate))
    return train_windows(
        step,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=zero_state(model),
        every=every,
        progress=progress,
        desc=desc,
        after_epoch=after_epoch,
    )


@torch.no_grad()
def heldout_step_losses(model, x, y, *, batch_size=10, num_steps=100):
    """(positions, losses): every step's cross-entropy on x, y, state carried, no
    training.

    See ``rnnlib.training.step_losses_over``; pair with the optimal predictor's losses.
    """
    device = next(model.parameters()).device

    def step_losses(x_window, y_window, state):
        logits, state = model(torch.as_tensor(x_window, device=device), state)
        target = torch.as_tensor(y_window, device=device)  # (batch_size, num_steps)
        losses = F.cross_entropy(logits.transpose(1, 2), target, reduction="none")
        return losses.cpu().numpy(), state

    return step_losses_over(
        step_losses,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=zero_state(model),
    )


def heldout_loss(model, x, y, *, batch_size=10, num_steps=100) -> float:
    """Mean cross-entropy (nats per step) on x, y of shape (n,), state carried, no
    training."""
    _, losses = heldout_step_losses(
        model, x, y, batch_size=batch_size, num_steps=num_steps
    )
    return float(np.mean(losses))


# ---------------------------------------------------------------- models with tuple
# states (chapter 7): a SequenceLabeller carried from window to window, trained by Adam.

#: Adam's epsilon. Keras adds it to sqrt(v) before the bias correction, PyTorch after,
#: so the same epsilon means different steps; one this small makes both negligible.
ADAM_EPSILON = 1e-10


def train_labeller(
    model,
    x,
    y,
    *,
    batch_size=200,
    num_steps=10,
    num_epochs=1,
    optimizer="adam",
    learning_rate=0.01,
    final_learning_rate=None,
    clip_norm=None,
    every=100,
    progress=None,
    desc="PyTorch",
):
    """Truncated backprop of a ``SequenceLabeller`` on x, y of shape (n,), its tuple
    state carried across windows, ``optimizer`` "adam" or "sgd" at ``learning_rate``,
    and at ``final_learning_rate`` for the last epoch if given; ``clip_norm`` rescales
    the gradients whenever their global norm exceeds it. Returns one LearningCurve."""
    if optimizer == "adam":
        optimizer = torch.optim.Adam(
            model.parameters(), lr=learning_rate, eps=ADAM_EPSILON
        )
    elif optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    else:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    device = next(model.parameters()).device

    def step(x_window, y_window, state):
        # logits: (batch_size, num_steps, num_classes); state: (h,) or (h, c)
        logits, state = model(x_window, state)
        y = torch.as_tensor(y_window, device=device)  # (batch_size, num_steps)
        loss = F.cross_entropy(logits.reshape(-1, model.num_classes), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        return loss.item(), tuple(s.detach() for s in state)

    rates = [learning_rate] * check_int(num_epochs, "num_epochs")
    if final_learning_rate is not None:
        rates[-1] = final_learning_rate
    curves = []
    for epochs, rate in _runs(rates):
        if curves:  # the same optimizer and step function, at the new rate
            for group in optimizer.param_groups:
                group["lr"] = rate
        curves.append(
            train_windows(
                step,
                x,
                y,
                batch_size=batch_size,
                num_steps=num_steps,
                num_epochs=epochs,
                zero_state=model.zero_state,
                every=every,
                progress=progress,
                desc=desc,
            )
        )
    return _joined(curves)


def _runs(rates):
    """[(epochs, rate)] for consecutive epochs at the same rate."""
    runs = []
    for rate in rates:
        if runs and runs[-1][1] == rate:
            runs[-1] = (runs[-1][0] + 1, rate)
        else:
            runs.append((1, rate))
    return runs


def _joined(curves):
    """One LearningCurve from consecutive runs, windows counted across them."""
    offsets = np.cumsum([0] + [c.window[-1] for c in curves])
    return curves[0]._replace(
        window=np.concatenate([c.window + o for c, o in zip(curves, offsets)]),
        loss=np.concatenate([c.loss for c in curves]),
        seconds=sum(c.seconds for c in curves),
    )


@torch.no_grad()
def labeller_step_losses(model, x, y, *, batch_size=10, num_steps=100):
    """(positions, losses) of a ``SequenceLabeller`` on x, y, its state carried, no
    training: every step's cross-entropy, as ``heldout_step_losses``."""
    device = next(model.parameters()).device

    def step_losses(x_window, y_window, state):
        logits, state = model(x_window, state)
        target = torch.as_tensor(y_window, device=device)  # (batch_size, num_steps)
        losses = F.cross_entropy(logits.transpose(1, 2), target, reduction="none")
        return losses.cpu().numpy(), state

    return step_losses_over(
        step_losses,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=model.zero_state,
    )
