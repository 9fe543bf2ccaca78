"""Gradients through time in PyTorch: state Jacobians by autograd, the gradient signal
that reaches an input k steps back, gradient norms, and clipping by global norm.

``state_jacobians`` is ``rnnlib.numpy.gradients.state_jacobians`` for any cell with a
``step(x_t, state)``: the tanh cell, ``nn.LSTMCell``, ``nn.GRUCell``
(``rnnlib.torch.layers.make_cell``). It replicates each row once per entry of the state
and seeds one backward pass with the identity matrix, so copy i of a row carries row i
of every Jacobian back: the NumPy recursion run on the identity, by autograd. The
derivatives are taken with respect to zeros added to every state, so that an LSTM's c
and h count as separate inputs of the next step (h is computed from c, and a gradient
with respect to c itself would include that path too).
"""

import numpy as np
import torch
from torch.nn import functional as F

from rnnlib._checks import check_int, check_optional_positive, check_positive
from rnnlib.numpy import layouts
from rnnlib.numpy.gradients import check_num_back
from rnnlib.torch.cells import RNNCell
from rnnlib.torch.layers import LibraryCell, load_arrays, one_bias, set_gated_weights
from rnnlib.torch.models import SequenceLabeller
from rnnlib.torch.train import make_optimizer
from rnnlib.training import check_tokens_and_labels, train_windows

__all__ = [
    "clip_by_global_norm",
    "global_norm",
    "lag_signal",
    "load_cell",
    "load_labeller",
    "reset_optimizer",
    "state_jacobians",
    "train_with_norms",
]


def state_jacobians(cell, inputs, init_state, num_back):
    """d S_T / d S_{T-k} for k = 1 ... num_back, T the last step, S the whole state.

    inputs: (batch_size, num_steps, input_size); init_state: a tuple of (batch_size,
    part_size) tensors, S_0. The parts of a state (an LSTM's h and c) are joined side by
    side. Returns a NumPy array (batch_size, num_back, state_size, state_size).
    """
    batch_size, num_steps, _ = inputs.shape
    num_back = check_num_back(num_back, num_steps)
    state = init_state
    with torch.no_grad():  # the steps before S_(T - num_back) need no gradient
        for t in range(num_steps - num_back):
            _, state = cell.step(inputs[:, t], state)
    state_size = sum(part.shape[1] for part in state)
    # copy i of each row carries row i of the Jacobian: (batch_size * state_size, ...)
    inputs = inputs[:, num_steps - num_back :].repeat_interleave(state_size, dim=0)
    state = tuple(part.repeat_interleave(state_size, dim=0) for part in state)
    nudges = []  # zeros added to every state: d S_T / d nudge is d S_T / d that state
    for t in range(num_back):
        nudge = tuple(torch.zeros_like(part, requires_grad=True) for part in state)
        state = tuple(part + zero for part, zero in zip(state, nudge))
        nudges.append(nudge)
        _, state = cell.step(inputs[:, t], state)
    final = torch.cat(state, dim=1)  # (batch_size * state_size, state_size)
    identity = torch.eye(state_size, dtype=final.dtype, device=final.device)
    identity = identity.repeat(batch_size, 1)  # like final: one identity per row
    sources = [part for k in range(1, num_back + 1) for part in nudges[num_back - k]]
    grads = torch.autograd.grad(final, sources, identity, materialize_grads=True)
    parts = len(init_state)
    per_k = [
        torch.cat(grads[i : i + parts], dim=1) for i in range(0, len(grads), parts)
    ]
    # (batch_size * state_size, num_back, state_size) -> (batch, num_back, i, j)
    jacobians = torch.stack(per_k, dim=1).reshape(batch_size, state_size, num_back, -1)
    return jacobians.transpose(1, 2).detach().cpu().numpy()


# ---------------------------------------------------------------- reusing objects
# The same names as rnnlib.tf, where reusing a cell, a model and an optimizer saves
# TensorFlow a trace per seed. PyTorch traces nothing, but the pages share their code.


def load_cell(cell, params) -> None:
    """Load ``params`` (the neutral layout ``make_cell`` takes) into a cell it made."""
    if isinstance(cell, RNNCell):
        weights = layouts.to_hand_rolled(params)
        with torch.no_grad():
            cell.W.copy_(torch.as_tensor(np.asarray(weights["W"])))
            cell.b.copy_(torch.as_tensor(np.asarray(weights["b"])))
    elif isinstance(cell, LibraryCell):
        load_arrays(cell.cell, layouts.to_torch(cell.kind, params))
        if cell.kind == "lstm":
            one_bias(cell.cell, suffix="")
    else:
        raise TypeError(
            f"cell must come from rnnlib.torch.make_cell, got {type(cell).__name__}"
        )


def load_labeller(model, params, head) -> None:
    """Load ``params`` (the neutral layout) and ``head`` {"U", "c"} into a
    ``SequenceLabeller``, as its constructor would."""
    if not isinstance(model, SequenceLabeller):
        raise TypeError(
            f"model must be an rnnlib.torch.SequenceLabeller, got "
            f"{type(model).__name__}"
        )
    set_gated_weights(model.rnn, params)
    if model.kind != "gru":
        one_bias(model.rnn)
    with torch.no_grad():
        model.output.weight.copy_(torch.as_tensor(np.asarray(head["U"]).T))
        model.output.bias.copy_(torch.as_tensor(np.asarray(head["c"])))


def reset_optimizer(optimizer) -> None:
    """Restart a ``torch.optim.Adam`` or ``SGD`` as if new: its per-parameter state
    (Adam's step count and moments, SGD's momentum) cleared, its learning rate kept."""
    if not isinstance(optimizer, (torch.optim.Adam, torch.optim.SGD)):
        raise ValueError(
            f"optimizer must be a torch.optim Adam or SGD to restart, got "
            f"{type(optimizer).__name__}"
        )
    optimizer.state.clear()


def lag_signal(model, x, y, state, lags=(3, 8)) -> dict[int, float]:
    """How strongly each label's loss reaches the input ``lag`` steps before it, within
    the window: the mean over rows and over the window's labels of
    || d L_t / d X_{t-lag} ||, a label with no input that far back in the window
    counting 0.

    ``model.forward_inputs(inputs, state)`` (a ``SequenceLabeller``); x, y:
    (batch_size, num_steps) classes; state: the window's first state, a tuple. Returns
    {lag: signal}.
    """
    lags = check_lags(lags)
    parameter = next(model.parameters())
    dtype, device = parameter.dtype, parameter.device
    x, y = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
    batch_size, num_steps = x.shape
    # copy p of each row scores the label at position p only: (num_steps * batch_size,)
    inputs = F.one_hot(x, model.input_size).to(dtype).repeat(num_steps, 1, 1)
    inputs.requires_grad_()
    state = tuple(part.repeat(num_steps, 1) for part in state)
    logits, _ = model.forward_inputs(inputs, state)
    losses = F.cross_entropy(
        logits.transpose(1, 2), y.repeat(num_steps, 1), reduction="none"
    )  # (num_steps * batch_size, num_steps)
    # copy p keeps only position p: (num_steps, 1, num_steps) mask
    mask = torch.eye(num_steps, dtype=dtype, device=device)[:, None, :]
    picked = losses.reshape(num_steps, batch_size, num_steps) * mask
    (grad,) = torch.autograd.grad(picked.sum(), inputs)
    # norms[p, b, s] = || d L_p / d X_s || in row b
    norms = grad.norm(dim=-1).reshape(num_steps, batch_size, num_steps)
    signal = {}
    for lag in lags:
        reached = [norms[p, :, p - lag] for p in range(lag, num_steps)]
        total = torch.stack(reached).sum().item() if reached else 0.0
        signal[lag] = total / (batch_size * num_steps)
    return signal


def check_lags(lags) -> tuple[int, ...]:
    """The lags as ints >= 0 (a negative lag would read the window from its end)."""
    return tuple(check_int(lag, "lags[i]", minimum=0) for lag in lags)


def global_norm(grads) -> float:
    """sqrt of the sum of every squared entry of every tensor in ``grads``."""
    return float(torch.nn.utils.get_total_norm([g for g in grads if g is not None]))


def clip_by_global_norm(grads, max_norm):
    """(clipped copies, global norm): each tensor times min(1, max_norm / (norm +
    1e-6)), what ``torch.nn.utils.clip_grad_norm_`` does to parameters' ``.grad``."""
    max_norm = check_positive(max_norm, "max_norm")
    grads = [g.detach() for g in grads]
    norm = torch.nn.utils.get_total_norm(grads)
    factor = torch.clamp(max_norm / (norm + 1e-6), max=1.0)
    return [g * factor for g in grads], float(norm)


def train_with_norms(
    model,
    x,
    y,
    *,
    batch_size,
    num_steps,
    learning_rate,
    max_norm=None,
    optimizer="sgd",
    num_epochs=1,
):
    """Train by truncated backprop, recording every window's global gradient norm.

    With ``max_norm``, ``clip_grad_norm_`` scales the gradient to at most that norm
    before each update. Returns (LearningCurve with one point per window, norms of
    shape (num_windows,), measured before clipping).
    """
    check_tokens_and_labels(model, x, y)
    max_norm = check_optional_positive(max_norm, "max_norm")
    optimizer = make_optimizer(model, optimizer, learning_rate)
    parameters = [p for p in model.parameters() if p.requires_grad]
    device, norms = parameters[0].device, []

    def step(x_window, y_window, state):
        x = torch.as_tensor(x_window, device=device)  # (batch_size, num_steps)
        y = torch.as_tensor(y_window, device=device)  # (batch_size, num_steps)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, model.num_classes), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        if max_norm is None:
            norm = global_norm(p.grad for p in parameters)
        else:  # returns the norm before clipping
            norm = float(torch.nn.utils.clip_grad_norm_(parameters, max_norm))
        optimizer.step()
        norms.append(norm)
        return loss.item(), tuple(s.detach() for s in state)

    curve = train_windows(
        step,
        x,
        y,
        batch_size=batch_size,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=model.zero_state,
        every=1,
        progress=False,
    )
    return curve, np.array(norms)
