"""Running a cell over the steps of a sequence in PyTorch, and what static and dynamic
mean when the graph is built by running.

TF1 had two unrollers: ``static_rnn`` put one copy of the cell per step into a graph
built before anything ran, so the length was fixed when the graph was built;
``dynamic_rnn`` put in one loop op whose number of turns was read when the graph ran.
PyTorch builds its graph by running (define-by-run): autograd records each step as the
Python loop executes it, anew at every call. Every Python loop is therefore dynamic in
TF1's sense (its length is read at run time, per call) and unrolled in the graph it
records (one copy of the cell per step run). What is static in PyTorch is a graph fixed
ahead of running: ``torch.compile`` (or ``torch.jit.trace``) traces this loop into one,
unrolled for one num_steps, and traces again for another.

So the two functions here run the same loop and give the same numbers; they differ
only in the steps after the batch's longest sequence, which ``dynamic_rnn``'s loop never
ran (TF1's ``static_rnn``, given ``sequence_length``, skipped them too, with a ``cond``
at every step of its graph; ``static_unroll`` runs them):

- ``static_unroll``: always num_steps steps, the window's length.
- ``dynamic_unroll``: stops at the longest ``sequence_length`` in the batch.
- ``unroll``: the name chapter 3 used, the same function as ``static_unroll``.
- ``UnrolledRNN``: the echo task's model (chapter 3's) with the unroller as an argument.

Both take ``sequence_length`` (one length per row, as ``dynamic_rnn`` did): past its
length a row keeps its state and outputs zeros, so a padded row ends in the state it
would reach alone. Chapter 4 measures them.
"""

import torch
from torch import nn
from torch.nn import functional as F

from rnnlib.numpy.cell import check_params
from rnnlib.torch._checks import check_tokens
from rnnlib.torch.cells import RNNCell

__all__ = ["UnrolledRNN", "dynamic_unroll", "static_unroll", "unroll"]


def check_inputs(inputs):
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(
            "inputs must be a tensor of shape (batch_size, num_steps, input_size), got "
            f"{type(inputs).__name__}"
        )
    if inputs.dim() != 3 or 0 in inputs.shape[:2]:
        raise ValueError(
            f"inputs must have shape (batch_size, num_steps, input_size), batch_size "
            f"and num_steps >= 1, got shape {tuple(inputs.shape)}"
        )
    return inputs


def check_sequence_length(sequence_length, inputs):
    """None, or a tensor of shape (batch_size,) on the inputs' device, checked."""
    if sequence_length is None:
        return None
    sequence_length = torch.as_tensor(sequence_length, device=inputs.device)
    if sequence_length.is_floating_point() or sequence_length.is_complex():
        raise ValueError(
            f"sequence_length must hold integers, got dtype "
            f"{str(sequence_length.dtype).removeprefix('torch.')}"
        )
    if sequence_length.dim() != 1 or len(sequence_length) != inputs.shape[0]:
        raise ValueError(
            f"sequence_length must have shape (batch_size,) = ({inputs.shape[0]},), "
            f"got shape {tuple(sequence_length.shape)}"
        )
    low, high = int(sequence_length.min()), int(sequence_length.max())
    if low < 1 or high > inputs.shape[1]:
        raise ValueError(
            f"sequence_length must lie in 1..num_steps={inputs.shape[1]}, got "
            f"values from {low} to {high}"
        )
    return sequence_length


def keep_finished(t, sequence_length, output, new_state, state):
    """Rows whose length is over keep their state and output zeros; the rest step."""
    if sequence_length is None:
        return output, new_state
    running = (t < sequence_length)[:, None]  # (batch_size, 1)
    output = torch.where(running, output, torch.zeros_like(output))
    state = tuple(torch.where(running, new, old) for new, old in zip(new_state, state))
    return output, state


def static_unroll(cell, inputs, state, sequence_length=None):
    """Run ``cell.step`` over inputs (batch_size, num_steps, input_size), every step.

    Returns (outputs (batch_size, num_steps, output_size), final state). Autograd
    records one copy of the cell per step, at every call.
    """
    inputs = check_inputs(inputs)
    sequence_length = check_sequence_length(sequence_length, inputs)
    outputs = []
    for t in range(inputs.shape[1]):
        output, new_state = cell.step(inputs[:, t], state)
        output, state = keep_finished(t, sequence_length, output, new_state, state)
        outputs.append(output)
    return torch.stack(outputs, dim=1), state


def dynamic_unroll(cell, inputs, state, sequence_length=None):
    """The same loop, stopped at the longest ``sequence_length`` (or num_steps).

    Returns (outputs (batch_size, num_steps, output_size), final state), the same
    numbers as ``static_unroll``; the steps after the longest sequence output zeros
    and are never run, so autograd records nothing for them.
    """
    inputs = check_inputs(inputs)
    sequence_length = check_sequence_length(sequence_length, inputs)
    num_steps = inputs.shape[1]
    stop = num_steps if sequence_length is None else int(sequence_length.max())
    outputs = []
    for t in range(stop):  # read when it runs: define-by-run
        output, new_state = cell.step(inputs[:, t], state)
        output, state = keep_finished(t, sequence_length, output, new_state, state)
        outputs.append(output)
    outputs = torch.stack(outputs, dim=1)  # (batch_size, stop, output_size)
    padding = outputs.new_zeros(outputs.shape[0], num_steps - stop, outputs.shape[2])
    return torch.cat([outputs, padding], dim=1), state


#: Chapter 3's name for the Python loop.
unroll = static_unroll


class UnrolledRNN(nn.Module):
    """logits_t = S_t @ U + c over ``RNNCell``'s states S_t, unrolled by ``unroll``.

    Chapter 3's model with the loop taken out: it takes x (batch_size, num_steps)
    integer classes and a state (S,), S (batch_size, state_size), like
    ``HandRolledRNN``, and returns (logits (batch_size, num_steps, num_classes), final
    state), so that
    ``rnnlib.torch.train`` trains it. Weights from ``rnnlib.numpy.cell.init_params``.
    """

    def __init__(self, params, unroll=static_unroll, dtype=torch.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        self.cell = RNNCell(params["W"], params["b"], dtype)
        # U: (state_size, num_classes); c: (num_classes,)
        self.U = nn.Parameter(torch.tensor(params["U"], dtype=dtype))
        self.c = nn.Parameter(torch.tensor(params["c"], dtype=dtype))
        self.unroll = unroll

    def zero_state(self, batch_size):
        return self.cell.zero_state(batch_size)

    def forward(self, x, state, sequence_length=None):
        check_tokens(x, self.num_classes)
        # inputs: (batch_size, num_steps, num_classes)
        inputs = F.one_hot(x, self.num_classes).to(self.U.dtype)
        lengths = () if sequence_length is None else (sequence_length,)
        # states: (batch_size, num_steps, state_size); state: (S,)
        states, state = self.unroll(self.cell, inputs, state, *lengths)
        return states @ self.U + self.c, state
