"""Running a cell over the steps of a sequence in PyTorch."""

import torch

__all__ = ["unroll"]


def unroll(cell, inputs, state):
    """Run ``cell.step`` over inputs (batch_size, num_steps, input_size) from ``state``.

    A Python loop, run eagerly: autograd records the graph anew at every call. Returns
    (outputs (batch_size, num_steps, output_size), final state).
    """
    outputs = []
    for t in range(inputs.shape[1]):
        output, state = cell.step(inputs[:, t], state)
        outputs.append(output)
    return torch.stack(outputs, dim=1), state
