"""Truncated-backprop training and held-out scoring for the echo task's PyTorch models.

Every model here takes ``model(x, state) -> (logits, state)`` with x (batch_size,
num_steps) token ids and a tuple state, and has ``model.zero_state(batch_size)``. The
outer loop (windows in order, the state carried, learning curves, one learning rate per
epoch) is framework-free: ``rnnlib.training``. Here: the optimizer, one training step,
and the held-out loss.
"""

import numpy as np
import torch
from torch.nn import functional as F

from rnnlib._checks import check_learning_rate, check_optional_positive
from rnnlib.training import (
    ADAM_EPSILON,
    check_optimizer,
    check_tokens_and_labels,
    epoch_learning_rates,
    step_losses_over,
    train_at_rates,
)

__all__ = [
    "heldout_loss",
    "heldout_step_losses",
    "make_optimizer",
    "make_train_step",
    "train",
]


def make_optimizer(
    model, name="adagrad", learning_rate=0.1, *, clip_norm=None
) -> torch.optim.Optimizer:
    """Adagrad exactly as TF1's AdagradOptimizer, which the original used, plain SGD,
    or Adam, for ``model``'s trainable parameters.

    PyTorch's Adagrad defaults differ (accumulators start at 0, eps 1e-10 added to the
    root); TF1 starts the accumulators at 0.1 and adds no epsilon. With ``clip_norm``,
    every ``optimizer.step()`` first scales the gradients so that their global norm is
    at most ``clip_norm`` (``clip_grad_norm_``, run by a step pre-hook: what Keras's
    ``global_clipnorm`` does in TensorFlow).
    """
    check_optimizer(name)
    learning_rate = check_learning_rate(learning_rate)
    clip_norm = check_optional_positive(clip_norm, "clip_norm")
    parameters = [p for p in model.parameters() if p.requires_grad]
    if name == "adagrad":
        optimizer = torch.optim.Adagrad(
            parameters, lr=learning_rate, initial_accumulator_value=0.1, eps=0.0
        )
    elif name == "sgd":
        optimizer = torch.optim.SGD(parameters, lr=learning_rate)
    else:
        optimizer = torch.optim.Adam(parameters, lr=learning_rate, eps=ADAM_EPSILON)
    if clip_norm is not None:
        clip_before_step(optimizer, clip_norm)
    return optimizer


def clip_before_step(optimizer, clip_norm) -> None:
    """Make every ``optimizer.step()`` clip the global norm of its parameters'
    gradients to ``clip_norm`` first."""
    parameters = [p for group in optimizer.param_groups for p in group["params"]]

    def clip(optimizer, args, kwargs):
        torch.nn.utils.clip_grad_norm_(parameters, clip_norm)

    optimizer.register_step_pre_hook(clip)


def set_learning_rate(optimizer, learning_rate) -> None:
    for group in optimizer.param_groups:
        group["lr"] = learning_rate


def make_train_step(model, optimizer):
    device = next(model.parameters()).device

    def step(x_window, y_window, state):
        x = torch.as_tensor(x_window, device=device)  # (batch_size, num_steps)
        y = torch.as_tensor(y_window, device=device)  # (batch_size, num_steps)
        # logits: (batch_size, num_steps, num_classes)
        # state: a tuple of (batch_size, state_size) tensors
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, model.num_classes), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item(), tuple(s.detach() for s in state)

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
    final_learning_rate=None,
    clip_norm=None,
    every=100,
    progress=None,
    after_epoch=None,
    desc="PyTorch",
):
    """Train ``model`` by truncated backprop on x, y of shape (n,), its state carried
    from window to window; returns one LearningCurve.

    ``optimizer`` is one of ``rnnlib.training.OPTIMIZERS`` at ``learning_rate``, and at
    ``final_learning_rate`` for the last epoch if given; ``clip_norm`` caps the
    gradients' global norm at every update. ``after_epoch(epochs_done)`` runs after each
    epoch (see ``rnnlib.training.train_windows``).
    """
    check_tokens_and_labels(model, x, y)
    rates = epoch_learning_rates(learning_rate, num_epochs, final_learning_rate)
    optimizer = make_optimizer(model, optimizer, rates[0], clip_norm=clip_norm)
    return train_at_rates(
        make_train_step(model, optimizer),
        lambda rate: set_learning_rate(optimizer, rate),
        x,
        y,
        learning_rates=rates,
        batch_size=batch_size,
        num_steps=num_steps,
        zero_state=model.zero_state,
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
    check_tokens_and_labels(model, x, y)
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
        zero_state=model.zero_state,
    )


def heldout_loss(model, x, y, *, batch_size=10, num_steps=100) -> float:
    """Mean cross-entropy (nats per step) on x, y of shape (n,), state carried, no
    training."""
    _, losses = heldout_step_losses(
        model, x, y, batch_size=batch_size, num_steps=num_steps
    )
    return float(np.mean(losses))
