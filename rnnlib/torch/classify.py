"""Training and scoring a classifier in PyTorch with a recipe of ``rnnlib.recipes``.

The loop over epochs and batches is framework-free (``rnnlib.recipes.train_epochs``);
here: the optimizer a recipe names, one training step, and the logits of a whole data
set, computed in chunks.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib._checks import check_int, check_optional_positive
from rnnlib.recipes import (
    History,
    Recipe,
    check_classifier_data,
    check_recipe,
    train_epochs,
)

__all__ = [
    "classifier_optimizer",
    "make_classifier_step",
    "predict_logits",
    "train_classifier",
]


def classifier_optimizer(model, recipe: Recipe) -> torch.optim.Optimizer:
    """Adam or AdamW with the recipe's settings (the step function clips the
    gradients)."""
    check_recipe(recipe)
    parameters = [p for p in model.parameters() if p.requires_grad]
    if recipe.optimizer == "adam":
        return torch.optim.Adam(parameters, lr=recipe.learning_rate, eps=recipe.epsilon)
    return torch.optim.AdamW(
        parameters,
        lr=recipe.learning_rate,
        eps=recipe.epsilon,
        weight_decay=recipe.weight_decay,
    )


def make_classifier_step(model, optimizer, *, clip_norm=None, jit_compile=False):
    """``step(x, y, learning_rate) -> loss``: one update on a batch x (batch_size,
    num_steps, num_inputs) with integer labels y (batch_size,). ``clip_norm`` caps the
    gradients' global norm before the update; ``jit_compile=True`` runs the model
    through ``torch.compile`` (PyTorch's counterpart of TensorFlow's XLA)."""
    clip_norm = check_optional_positive(clip_norm, "clip_norm")
    device = next(model.parameters()).device
    forward = torch.compile(model) if jit_compile else model

    def step(x, y, learning_rate):
        x = torch.as_tensor(x, device=device)  # (batch_size, num_steps, num_inputs)
        y = torch.as_tensor(y, device=device)  # (batch_size,)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate
        logits = forward(x)  # (batch_size, num_classes)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        return loss.item()

    return step


@torch.no_grad()
def predict_logits(model, x, *, batch_size=1000) -> np.ndarray:
    """The logits (n, num_classes) of x (n, num_steps, num_inputs), batch_size at a
    time, as a NumPy array."""
    batch_size = check_int(batch_size, "batch_size")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    x = np.asarray(x, np.float32)
    logits = [
        model(torch.as_tensor(x[i : i + batch_size], device=device)).cpu().numpy()
        for i in range(0, len(x), batch_size)
    ]
    model.train(was_training)
    return np.concatenate(logits)


def train_classifier(
    model,
    x,
    y,
    recipe: Recipe,
    *,
    x_val=None,
    y_val=None,
    seed=0,
    jit_compile=False,
    progress=None,
    desc="PyTorch",
) -> History:
    """Train ``model`` on x (n, num_steps, num_inputs), y (n,) integer labels with
    ``recipe``; the validation accuracy after each epoch when x_val, y_val are given.
    ``jit_compile=True`` runs the model through ``torch.compile``."""
    check_classifier_data(x, y, model.num_classes, x_val, y_val)
    optimizer = classifier_optimizer(model, recipe)
    step = make_classifier_step(
        model, optimizer, clip_norm=recipe.clip_norm, jit_compile=jit_compile
    )

    def evaluate():
        return np.mean(predict_logits(model, x_val).argmax(axis=1) == y_val)

    model.train()
    return train_epochs(
        step,
        x,
        y,
        recipe,
        evaluate=None if x_val is None else evaluate,
        seed=seed,
        progress=progress,
        desc=desc,
    )
