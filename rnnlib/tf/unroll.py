"""Running a cell over the steps of a sequence in TensorFlow: unrolled, or in a loop op.

- ``static_unroll``: a Python ``for`` loop over the window's steps. Run eagerly it goes
  step by step; inside ``tf.function`` it is traced into one copy of the cell per step,
  as TF1's ``tf.nn.static_rnn`` built it, so the graph grows with num_steps and each new
  num_steps is a new trace.
- ``dynamic_unroll``: one ``tf.while_loop`` over a ``tf.TensorArray``, as TF1's
  ``tf.nn.dynamic_rnn`` built it: one loop op whatever the length, which may be known
  only when the graph runs.
- ``unroll``: the name chapter 3 used, the same function as ``static_unroll``.
- ``UnrolledRNN``: the echo task's model (chapter 3's) with the unroller as an argument.

Both take ``sequence_length`` (one length per row, as ``dynamic_rnn`` did): past its
length a row keeps its state and outputs zeros, so a padded row ends in the state it
would reach alone. ``dynamic_unroll`` also stops at the longest length in the batch.
Chapter 4 measures the two.
"""

from rnnlib.tf._checks import check_tokens
from rnnlib.tf.cells import RNNCell

import tensorflow as tf

from rnnlib.numpy.cell import check_params

__all__ = ["UnrolledRNN", "dynamic_unroll", "static_unroll", "unroll"]


def check_inputs(inputs):
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank != 3 or 0 in inputs.shape[:2]:
        raise ValueError(
            f"inputs must have shape (batch_size, num_steps, input_size), batch_size "
            f"and num_steps >= 1, got shape {tuple(inputs.shape)}"
        )
    return inputs


def check_static_length(inputs):
    if inputs.shape[1] is None:
        raise ValueError(
            "static_unroll needs num_steps when it traces, but inputs have shape "
            f"{tuple(inputs.shape)}: give tf.function an input_signature with a fixed "
            "num_steps, or use dynamic_unroll"
        )


def check_sequence_length(sequence_length, inputs):
    """None, or an int32 tensor of shape (batch_size,); checked eagerly where it can."""
    if sequence_length is None:
        return None
    sequence_length = tf.convert_to_tensor(sequence_length)
    if not sequence_length.dtype.is_integer:
        raise ValueError(
            f"sequence_length must hold integers, got dtype "
            f"{sequence_length.dtype.name}"
        )
    sequence_length = tf.cast(sequence_length, tf.int32)
    batch_size = inputs.shape[0]
    if sequence_length.shape.rank != 1 or (
        batch_size is not None
        and sequence_length.shape[0] is not None
        and sequence_length.shape[0] != batch_size
    ):
        raise ValueError(
            f"sequence_length must have shape (batch_size,) = ({batch_size},), got "
            f"shape {tuple(sequence_length.shape)}"
        )
    if tf.executing_eagerly():
        num_steps = inputs.shape[1]
        low, high = (
            int(tf.reduce_min(sequence_length)),
            int(tf.reduce_max(sequence_length)),
        )
        if low < 1 or high > num_steps:
            raise ValueError(
                f"sequence_length must lie in 1..num_steps={num_steps}, got "
                f"values from {low} to {high}"
            )
    return sequence_length


def keep_finished(t, sequence_length, output, new_state, state):
    """Rows whose length is over keep their state and output zeros; the rest step."""
    if sequence_length is None:
        return output, new_state
    running = (t < sequence_length)[:, None]  # (batch_size, 1)
    output = tf.where(running, output, tf.zeros_like(output))
    state = tuple(tf.where(running, new, old) for new, old in zip(new_state, state))
    return output, state


def static_unroll(cell, inputs, state, sequence_length=None):
    """Run ``cell.step`` over inputs (batch_size, num_steps, input_size), Python loop.

    Returns (outputs (batch_size, num_steps, output_size), final state). Inside
    ``tf.function`` every step becomes its own ops in the graph.
    """
    inputs = check_inputs(inputs)
    check_static_length(inputs)
    sequence_length = check_sequence_length(sequence_length, inputs)
    outputs = []
    for t in range(inputs.shape[1]):  # a Python int: traced num_steps times
        output, new_state = cell.step(inputs[:, t], state)
        output, state = keep_finished(t, sequence_length, output, new_state, state)
        outputs.append(output)
    return tf.stack(outputs, axis=1), state


def dynamic_unroll(cell, inputs, state, sequence_length=None):
    """Run ``cell.step`` over inputs (batch_size, num_steps, input_size), while loop.

    Returns (outputs (batch_size, num_steps, output_size), final state), the same
    numbers as ``static_unroll``. The loop runs to the longest ``sequence_length`` (or
    num_steps) and the steps after it output zeros. Inside ``tf.function`` the graph
    holds one ``While`` op whose body is one copy of the cell, whatever num_steps.
    """
    inputs = check_inputs(inputs)
    sequence_length = check_sequence_length(sequence_length, inputs)
    num_steps = tf.shape(inputs)[1]
    stop = num_steps if sequence_length is None else tf.reduce_max(sequence_length)
    steps = tf.transpose(inputs, [1, 0, 2])  # (num_steps, batch_size, input_size)
    outputs = tf.TensorArray(inputs.dtype, size=stop)

    def body(t, state, outputs):
        output, new_state = cell.step(steps[t], state)
        output, state = keep_finished(t, sequence_length, output, new_state, state)
        return t + 1, state, outputs.write(t, output)

    _, state, outputs = tf.while_loop(
        lambda t, state, outputs: t < stop,
        body,
        (tf.constant(0), tuple(state), outputs),
        maximum_iterations=num_steps,  # a bound XLA needs to compile the gradient
    )
    outputs = tf.transpose(
        outputs.stack(), [1, 0, 2]
    )  # (batch_size, stop, output_size)
    # The steps after the longest sequence: zeros, as dynamic_rnn returned them.
    outputs = tf.pad(outputs, [[0, 0], [0, num_steps - stop], [0, 0]])
    outputs.set_shape(inputs.shape[:2].concatenate([None]))  # the length, if known
    return outputs, state


#: Chapter 3's name for the Python loop.
unroll = static_unroll


class UnrolledRNN(tf.Module):
    """logits_t = S_t @ U + c over ``RNNCell``'s states S_t, unrolled by ``unroll``.

    Chapter 3's model with the loop taken out: it takes x (batch_size, num_steps)
    integer classes and a state (S,), S (batch_size, state_size), like
    ``HandRolledRNN``, and returns (logits (batch_size, num_steps, num_classes), final
    state), so that
    ``rnnlib.tf.train`` trains it. Weights from ``rnnlib.numpy.cell.init_params``.
    """

    def __init__(self, params, unroll=static_unroll, dtype=tf.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        self.cell = RNNCell(params["W"], params["b"], dtype)
        # U: (state_size, num_classes); c: (num_classes,)
        self.U = tf.Variable(tf.constant(params["U"], dtype), name="U")
        self.c = tf.Variable(tf.constant(params["c"], dtype), name="c")
        self.unroll = unroll

    def zero_state(self, batch_size):
        return self.cell.zero_state(batch_size)

    def __call__(self, x, state, sequence_length=None):
        check_tokens(x, self.num_classes)
        # inputs: (batch_size, num_steps, num_classes)
        inputs = tf.one_hot(x, self.num_classes, dtype=self.U.dtype)
        lengths = () if sequence_length is None else (sequence_length,)
        # states: (batch_size, num_steps, state_size); state: (S,)
        states, state = self.unroll(self.cell, inputs, state, *lengths)
        return states @ self.U + self.c, state
