"""Running a cell over the steps of a sequence in TensorFlow."""

import tensorflow as tf

__all__ = ["unroll"]


def unroll(cell, inputs, state):
    """Run ``cell.step`` over inputs (batch_size, num_steps, input_size) from ``state``.

    A Python loop: eager, it runs step by step; inside ``tf.function`` it is traced into
    one copy of the cell per step (TF1's ``static_rnn``). Returns (outputs (batch_size,
    num_steps, output_size), final state).
    """
    outputs = []
    for t in range(inputs.shape[1]):
        output, state = cell.step(inputs[:, t], state)
        outputs.append(output)
    return tf.stack(outputs, axis=1), state
