"""The models in TensorFlow 2: the echo task's hand-rolled cell unrolled over a window
and the same model from Keras layers; gated cells with a head (sequence labelling and
classification); the MNIST chapter's stacked LSTM classifier.

The echo models and the labeller take x of shape (batch_size, num_steps) (integer
token ids) and a tuple state, (h,) or (h, c), each part (batch_size, state_size), as
every cell of rnnlib does, and return (logits (batch_size, num_steps, num_classes),
final state); ``model.zero_state(batch_size)`` gives the zeros they start from. Weights
come from ``rnnlib.numpy.cell.init_params`` (the hand-rolled cell) or the neutral
layout of ``rnnlib.numpy.gated``, so every framework starts from the same numbers.
Chapter 3's TensorFlow page writes ``HandRolledRNN`` out; a test checks that the page
and this module hold the same code.
"""

from rnnlib.tf._checks import check_batch_size, check_lengths, check_tokens
from rnnlib.tf.layers import gated_layer, get_gated_weights

import keras
import numpy as np
import tensorflow as tf

from rnnlib._checks import check_dropout
from rnnlib.numpy import layouts, lstm_stack
from rnnlib.numpy.cell import PARAM_NAMES, check_params
from rnnlib.numpy.gated import check_gated, check_head

__all__ = [
    "HandRolledRNN",
    "LibraryRNN",
    "MnistLSTM",
    "SequenceClassifier",
    "SequenceLabeller",
    "last_valid",
    "padded_cross_entropy",
]


class HandRolledRNN(tf.Module):
    """S_t = tanh([X_t, S_{t-1}] @ W + b), logits_t = S_t @ U + c, in a Python loop."""

    def __init__(self, params, dtype=tf.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        # W: (num_classes + state_size, state_size)
        self.W = tf.Variable(tf.constant(params["W"], dtype), name="W")
        self.b = tf.Variable(tf.constant(params["b"], dtype), name="b")  # (state_size,)
        # U: (state_size, num_classes)
        self.U = tf.Variable(tf.constant(params["U"], dtype), name="U")
        self.c = tf.Variable(
            tf.constant(params["c"], dtype), name="c"
        )  # (num_classes,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (tf.zeros((batch_size, self.state_size), self.W.dtype),)

    def __call__(self, x, state):
        # x: (batch_size, num_steps) integer classes
        # state: (S,), S of shape (batch_size, state_size)
        check_tokens(x, self.num_classes)
        (S,) = state
        # inputs: (batch_size, num_steps, num_classes)
        inputs = tf.one_hot(x, self.num_classes, dtype=self.W.dtype)
        states = []
        for t in range(x.shape[1]):
            # joined: (batch_size, num_classes + state_size)
            joined = tf.concat([inputs[:, t], S], axis=1)
            S = tf.tanh(joined @ self.W + self.b)  # (batch_size, state_size)
            states.append(S)
        states = tf.stack(states, axis=1)  # (batch_size, num_steps, state_size)
        logits = states @ self.U + self.c  # (batch_size, num_steps, num_classes)
        return logits, (S,)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        return {name: getattr(self, name).numpy() for name in PARAM_NAMES}


class LibraryRNN(tf.Module):
    """The same model from the library: ``keras.layers.SimpleRNN`` (tanh), then
    ``Dense``, loaded through ``rnnlib.numpy.layouts`` (SimpleRNN computes x @ kernel +
    h @ recurrent_kernel + bias: W's two row blocks)."""

    def __init__(self, params, dtype=tf.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        cell, head = layouts.from_hand_rolled(params)
        self.rnn = gated_layer("rnn", cell, dtype=dtype)
        self.output = dense_head(head, self.rnn.dtype)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (tf.zeros((batch_size, self.state_size), self.output.kernel.dtype),)

    def __call__(self, x, state):
        check_tokens(x, self.num_classes)
        # inputs: (batch_size, num_steps, num_classes)
        inputs = tf.one_hot(x, self.num_classes, dtype=self.output.kernel.dtype)
        # states: (batch_size, num_steps, state_size); final: (batch_size, state_size)
        states, final = self.rnn(inputs, initial_state=list(state))
        return self.output(states), (final,)

    @property
    def trainable_variables(self):
        return tuple(self.rnn.trainable_variables) + tuple(
            self.output.trainable_variables
        )

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        return layouts.to_hand_rolled(
            get_gated_weights(self.rnn), dense_weights(self.output)
        )


def dense_head(head, dtype):
    """A built Dense layer holding {"U": (state_size, num_classes), "c"}."""
    output = keras.layers.Dense(np.shape(head["U"])[1], dtype=dtype)
    output.build((None, np.shape(head["U"])[0]))
    output.set_weights([np.asarray(head["U"]), np.asarray(head["c"])])
    return output


def dense_weights(output) -> dict[str, np.ndarray]:
    """{"U": (state_size, num_classes), "c": (num_classes,)} of a Dense layer."""
    U, c = output.get_weights()
    return {"U": U, "c": c}


# --------------------------------------------------------------- gated cells with heads
# (chapter 7). Inputs are token ids (batch_size, num_steps), one-hot encoded; weights in
# the neutral layout of rnnlib.numpy.gated, the head {"U", "c"} of init_head.


class SequenceLabeller(tf.Module):
    """A Keras SimpleRNN, GRU or LSTM and ONE Dense layer shared by every step.

    ``model(x, state=None) -> (logits (batch_size, num_steps, num_classes), state)``
    for token ids x (batch_size, num_steps); the state is a tuple, (h,) or (h, c), so
    that it can be carried from window to window (the echo task). ``params`` is the
    neutral layout of ``rnnlib.numpy.gated`` (``input_size`` token ids, one-hot),
    ``head`` {"U": (state_size, num_classes), "c": (num_classes,)}; ``params()`` and
    ``head()`` read them back.
    """

    def __init__(self, kind, params, head, *, reset_after=True, dtype=tf.float32):
        super().__init__()
        self.kind = kind
        self.input_size, self.state_size = check_gated(kind, params)
        self.num_classes = check_head(head, self.state_size)
        self.rnn = gated_layer(kind, params, reset_after=reset_after, dtype=dtype)
        self.output = dense_head(head, self.rnn.dtype)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        zeros = tf.zeros((batch_size, self.state_size), self.rnn.dtype)
        return (zeros, zeros) if self.kind == "lstm" else (zeros,)

    def __call__(self, x, state=None):
        check_tokens(x, self.input_size)
        # inputs: (batch_size, num_steps, input_size)
        inputs = tf.one_hot(x, self.input_size, dtype=self.rnn.dtype)
        return self.forward_inputs(inputs, state)

    def forward_inputs(self, inputs, state=None):
        """The same from float inputs (batch_size, num_steps, input_size), one-hot or
        not: the gradient with respect to the inputs is then defined."""
        if state is None:
            state = self.zero_state(tf.shape(inputs)[0])
        # outputs: (batch_size, num_steps, state_size); state: (h,) or (h, c)
        outputs, *state = self.rnn(inputs, initial_state=list(state))
        return self.output(outputs), tuple(state)  # Dense maps the last axis

    @property
    def trainable_variables(self):
        return tuple(self.rnn.trainable_variables) + tuple(
            self.output.trainable_variables
        )

    def params(self) -> dict[str, np.ndarray]:
        """The layer's weights in the neutral layout (one bias comes back as bx)."""
        return get_gated_weights(self.rnn)

    def head(self) -> dict[str, np.ndarray]:
        """The Dense layer's weights: {"U": (state_size, num_classes), "c"}."""
        return dense_weights(self.output)


def last_valid(outputs, lengths):
    """outputs[i, lengths[i] - 1] for every row i: (batch_size, state_size), from
    outputs (batch_size, max_length, state_size) of padded sequences."""
    check_lengths(lengths, outputs.shape[1])
    return tf.gather(outputs, tf.cast(lengths, tf.int32) - 1, batch_dims=1)


class SequenceClassifier(SequenceLabeller):
    """A Keras SimpleRNN, GRU or LSTM over padded sequences, and a Dense layer on each
    sequence's last VALID output: ``model(x, lengths, training=False) -> logits
    (batch_size, num_classes)``. ``dropout`` drops that output before the Dense layer
    when called with ``training=True`` (TF1's ``DropoutWrapper(output_keep_prob=1 -
    dropout)`` on the last cell)."""

    def __init__(self, kind, params, head, *, dropout=0.0, **options):
        super().__init__(kind, params, head, **options)
        self.dropout = keras.layers.Dropout(
            check_dropout(dropout), dtype=self.rnn.dtype
        )

    def __call__(self, x, lengths, training=False):
        check_tokens(x, self.input_size)
        check_lengths(lengths, np.shape(x)[1])
        # inputs: (batch_size, max_length, input_size)
        inputs = tf.one_hot(x, self.input_size, dtype=self.rnn.dtype)
        outputs = self.rnn(inputs)[0]  # (batch_size, max_length, state_size)
        last = last_valid(outputs, lengths)  # (batch_size, state_size)
        return self.output(self.dropout(last, training=training))


def padded_cross_entropy(logits, labels, lengths):
    """Mean cross-entropy over the valid steps only: logits (batch_size, max_length,
    num_classes), labels (batch_size, max_length), lengths (batch_size,)."""
    check_lengths(lengths, logits.shape[1])
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits
    )
    mask = tf.sequence_mask(lengths, tf.shape(labels)[1], dtype=losses.dtype)
    return tf.reduce_sum(losses * mask) / tf.reduce_sum(mask)  # losses: like labels


class MnistLSTM(keras.Model):
    """The TF1 script's classifier: Keras ``LSTM`` layers (32 then 64 units), then a
    ``Dense`` layer on the top layer's last output.

    Built from a parameter dict of ``rnnlib.numpy.lstm_stack`` (its ``init_params``, or
    another model's ``params()``, from either framework). x: (batch_size, num_steps,
    num_inputs) -> logits (batch_size, num_classes). ``unroll=True`` writes the 28 steps
    out in the graph instead of a ``tf.while_loop`` (faster on a CPU; on a GPU only
    ``unroll=False`` uses cuDNN). ``dtype``: the variables' (Keras's float32 default).
    """

    def __init__(self, params, *, unroll=False, dtype=tf.float32):
        dtype = tf.as_dtype(dtype).name
        super().__init__(dtype=dtype)  # its inputs are cast to dtype too
        num_inputs, self.state_sizes, self.num_classes = lstm_stack.check_params(params)
        self.lstms = [
            keras.layers.LSTM(n, return_sequences=True, unroll=unroll, dtype=dtype)
            for n in self.state_sizes
        ]
        self.dense = keras.layers.Dense(self.num_classes, dtype=dtype)
        self(np.zeros((1, 1, num_inputs), np.float32))  # creates the weights
        weights = [
            np.asarray(params[name])
            for name in lstm_stack.param_names(len(self.state_sizes))
        ]
        self.set_weights(weights)  # in the order of param_names, as Keras keeps them

    def call(self, x):
        # x: (batch_size, num_steps, num_inputs)
        for lstm in self.lstms:
            x = lstm(x)  # (batch_size, num_steps, state_size)
        return self.dense(x[:, -1])  # (batch_size, num_classes)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named and laid out as in rnnlib.numpy.lstm_stack
        (Keras's own layout)."""
        names = lstm_stack.param_names(len(self.state_sizes))
        return dict(zip(names, self.get_weights()))
