"""The hand-rolled RNN cell in TensorFlow 2, the same model from Keras, and truncated-backprop training.

Both models take x of shape (batch_size, num_steps) (integer classes) and a state of shape
(batch_size, state_size), and return (logits (batch_size, num_steps, num_classes), final_state).
Parameters come from ``rnnlib.cell_numpy.init_params`` so every framework starts from the same numbers.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ log lines off the pages
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # its start-up line ignores the level; small ops run faster without

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnnlib.cell_numpy import sizes  # noqa: E402
from rnnlib.training import mean_loss_over, train_windows  # noqa: E402


class HandRolledRNN(tf.Module):
    """S_t = tanh([X_t, S_{t-1}] @ W + b), logits_t = S_t @ U + c, unrolled by a Python loop."""

    def __init__(self, params, dtype=tf.float32):
        super().__init__()
        self.num_classes, self.state_size = sizes(params)
        self.W = tf.Variable(tf.constant(params["W"], dtype), name="W")  # (num_classes + state_size, state_size)
        self.b = tf.Variable(tf.constant(params["b"], dtype), name="b")  # (state_size,)
        self.U = tf.Variable(tf.constant(params["U"], dtype), name="U")  # (state_size, num_classes)
        self.c = tf.Variable(tf.constant(params["c"], dtype), name="c")  # (num_classes,)

    def __call__(self, x, state):
        inputs = tf.one_hot(x, self.num_classes, dtype=self.W.dtype)  # (batch, num_steps, num_classes)
        states = []
        for t in range(x.shape[1]):  # a Python loop: tf.function unrolls it into the graph
            state = tf.tanh(tf.concat([inputs[:, t], state], axis=1) @ self.W + self.b)
            states.append(state)
        states = tf.stack(states, axis=1)  # (batch, num_steps, state_size)
        return states @ self.U + self.c, state

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.cell_numpy."""
        return {name: getattr(self, name).numpy() for name in ("W", "b", "U", "c")}


class LibraryRNN(tf.Module):
    """The same model from the library: ``keras.layers.SimpleRNN`` (tanh) followed by ``keras.layers.Dense``."""

    def __init__(self, params, dtype=tf.float32):
        super().__init__()
        self.num_classes, self.state_size = sizes(params)
        dtype = tf.as_dtype(dtype).name
        self.rnn = keras.layers.SimpleRNN(self.state_size, return_sequences=True, return_state=True, dtype=dtype)
        self.output = keras.layers.Dense(self.num_classes, dtype=dtype)
        self.rnn.build((None, None, self.num_classes))
        self.output.build((None, self.state_size))
        W = np.asarray(params["W"])
        # SimpleRNN computes x @ kernel + h @ recurrent_kernel + bias: W's two blocks as they are.
        self.rnn.set_weights([W[: self.num_classes], W[self.num_classes :], np.asarray(params["b"])])
        self.output.set_weights([np.asarray(params["U"]), np.asarray(params["c"])])

    def __call__(self, x, state):
        inputs = tf.one_hot(x, self.num_classes, dtype=self.output.kernel.dtype)  # (batch, num_steps, num_classes)
        states, final = self.rnn(inputs, initial_state=[state])  # (batch, num_steps, state_size), (batch, state_size)
        return self.output(states), final

    @property
    def trainable_variables(self):
        return tuple(self.rnn.trainable_variables) + tuple(self.output.trainable_variables)


def zero_state(model):
    """A function batch_size -> zeros of shape (batch_size, state_size) in the model's dtype."""
    dtype = model.trainable_variables[0].dtype
    return lambda batch_size: tf.zeros((batch_size, model.state_size), dtype=dtype)


def make_optimizer(name="adagrad", learning_rate=0.1) -> keras.optimizers.Optimizer:
    """Adagrad exactly as TF1's AdagradOptimizer, which the original used, or plain SGD.

    TF1 divides by sqrt(accumulator) with no epsilon; the accumulators start at 0.1, so that is safe.
    """
    if name == "adagrad":
        return keras.optimizers.Adagrad(learning_rate=learning_rate, initial_accumulator_value=0.1, epsilon=0.0)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {name!r}")


def window_loss(model, x, y, state):
    """Mean cross-entropy over a window, and the final state."""
    logits, state = model(x, state)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)  # (batch, num_steps)
    return tf.reduce_mean(losses), state


def make_train_step(model, optimizer):
    """One window of truncated backprop as a tf.function: forward, loss, gradients, update."""
    variables = model.trainable_variables

    @tf.function(reduce_retracing=True)
    def step(x, y, state):
        with tf.GradientTape() as tape:
            loss, state = window_loss(model, x, y, state)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        # The returned state is a plain tensor: the next window's tape cannot reach back into this one.
        return loss, state

    return step


def train(model, x, y, *, batch_size=200, num_steps=10, num_epochs=1, optimizer="adagrad",
          learning_rate=0.1, every=100, progress=None, desc="TensorFlow"):
    """Train ``model`` by truncated backprop on the sequences x, y of shape (n,); returns a LearningCurve."""
    step = make_train_step(model, make_optimizer(optimizer, learning_rate))
    return train_windows(step, x, y, batch_size=batch_size, num_steps=num_steps, num_epochs=num_epochs,
                         zero_state=zero_state(model), every=every, progress=progress, desc=desc)


def heldout_loss(model, x, y, *, batch_size=10, num_steps=100) -> float:
    """Mean cross-entropy (nats per step) on sequences x, y of shape (n,), state carried, no training."""

    @tf.function
    def loss_sum(x_window, y_window, state):
        logits, state = model(x_window, state)
        return tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_window, logits=logits)), state

    return mean_loss_over(loss_sum, x, y, batch_size=batch_size, num_steps=num_steps, zero_state=zero_state(model))
