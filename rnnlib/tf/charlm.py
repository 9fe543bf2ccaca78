"""The character-level LSTM language model in TensorFlow: the model, one training step
with the state carried, reading a whole text, and sampling.

``CharLSTM`` is built from a parameter dict of ``rnnlib.numpy.charlstm`` (its
``init_params``, or another model's ``params()``, from either framework): a Keras
``Embedding``, one ``LSTM`` layer per layer (``return_state=True``, started from an
explicit ``initial_state``), ``Dropout`` after each layer, ``Dense`` on every step.
``model(x, state) -> (logits, state)``, x (batch_size, num_steps) ids, a state
((h, c), ...) one pair per layer. The state is passed in and out explicitly, as in
PyTorch, rather than kept inside ``stateful=True`` layers. The training loop is
``rnnlib.lm.train_steps``.
"""

import keras
import numpy as np
import tensorflow as tf

from rnnlib import lm
from rnnlib.data.chars import sample_next
from rnnlib.numpy import charlstm

__all__ = [
    "CharLSTM",
    "lm_optimizer",
    "make_lm_step",
    "read_text",
    "sample_text",
    "train_lm",
]


class CharLSTM(keras.Model):
    """Embedding, LSTM layers and a dense layer over characters (module docstring)."""

    def __init__(self, params, *, dropout=0.0, dtype=tf.float32):
        super().__init__(dtype=dtype)
        self.state_dtype = tf.as_dtype(dtype)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        vocab_size, embed_size, self.state_sizes = charlstm.check_params(params)
        self.embedding = keras.layers.Embedding(vocab_size, embed_size, dtype=dtype)
        self.lstms = [
            keras.layers.LSTM(n, return_sequences=True, return_state=True, dtype=dtype)
            for n in self.state_sizes
        ]
        self.dropout = keras.layers.Dropout(dropout, dtype=dtype)
        self.dense = keras.layers.Dense(vocab_size, dtype=dtype)
        self(np.zeros((1, 1), np.int64), self.zero_state(1))  # creates the weights
        names = charlstm.param_names(len(self.state_sizes))
        self.set_weights([np.asarray(params[name]) for name in names])

    def zero_state(self, batch_size):
        """((h, c), ...) of zeros, one pair per layer, each (batch_size, state_size)."""
        return tuple(
            (
                tf.zeros((batch_size, n), self.state_dtype),
                tf.zeros((batch_size, n), self.state_dtype),
            )
            for n in self.state_sizes
        )

    def call(self, x, state=None, training=False):
        state = self.zero_state(tf.shape(x)[0]) if state is None else state
        inputs = self.embedding(x)  # (batch_size, num_steps, embed_size)
        final = []
        for lstm, (h, c) in zip(self.lstms, state):
            inputs, h, c = lstm(inputs, initial_state=[h, c], training=training)
            inputs = self.dropout(inputs, training=training)  # (batch, steps, state)
            final.append((h, c))
        return self.dense(inputs), tuple(final)  # (batch_size, num_steps, vocab_size)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays in ``rnnlib.numpy.charlstm``'s layout (Keras's
        own)."""
        names = charlstm.param_names(len(self.state_sizes))
        return dict(zip(names, self.get_weights()))


def lm_optimizer(model, learning_rate=2e-3):
    """Adam with epsilon 1e-8 (as PyTorch's default)."""
    return keras.optimizers.Adam(learning_rate=learning_rate, epsilon=1e-8)


def make_lm_step(model, optimizer, *, clip_norm=1.0):
    """``step(x, y, state, learning_rate) -> (loss, state, grad_norm)`` for
    ``rnnlib.lm.train_steps``: one update on a window, gradients clipped to a global
    norm of ``clip_norm``. The state comes in as a tensor the tape never watched, so
    backprop stops at the window's first state.

    The embedding's gradient arrives as ``tf.IndexedSlices``, one row per character
    read, a character's row repeated each time it occurs. Keras 3's Adam squares those
    rows one by one before the repeats are summed (``ops.square`` on the slices), so its
    second moment holds a sum of squares where Adam wants the square of the sum, and a
    row read n times can move up to sqrt(n) times the learning rate in one step. The
    gradients are made dense first (``tf.convert_to_tensor`` sums the repeats), as
    PyTorch's dense ``nn.Embedding`` gradient is: then both frameworks give the same
    losses and move the embedding alike (``tests/test_charlm.py``)."""
    variables = model.trainable_variables
    optimizer.build(variables)  # its slots now, or tf.function traces the step twice

    @tf.function
    def train_step(x, y, state, learning_rate):
        optimizer.learning_rate.assign(learning_rate)
        with tf.GradientTape() as tape:
            logits, state = model(x, state, training=True)  # (batch, steps, vocab)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]
        grads, norm = tf.clip_by_global_norm(grads, clip_norm)
        optimizer.apply_gradients(zip(grads, variables))
        return loss, state, norm

    def step(x, y, state, learning_rate):
        return train_step(
            tf.constant(x),
            tf.constant(y),
            state,
            tf.constant(learning_rate, tf.float32),
        )

    return step


def train_lm(model, ids, *, learning_rate=2e-3, clip_norm=1.0, **settings):
    """Train ``model`` on the text ``ids`` with Adam and a cosine learning rate;
    ``settings`` go to ``rnnlib.lm.train_steps`` (batch_size, num_steps, steps, ...).
    Returns its LMHistory."""
    step = make_lm_step(model, lm_optimizer(model, learning_rate), clip_norm=clip_norm)
    return lm.train_steps(
        step, ids, zero_state=model.zero_state, learning_rate=learning_rate, **settings
    )


_forward = {}  # id(model) -> (model, its forward pass as a tf.function)


def _forward_of(model):
    if id(model) not in _forward or _forward[id(model)][0] is not model:
        forward = tf.function(lambda x, state: model(x, state, training=False))
        _forward[id(model)] = (model, forward)
    return _forward[id(model)][1]


def read_text(model, ids, *, num_steps=1000) -> np.ndarray:
    """-ln P(ids[t + 1] | ids[:t + 1]) for every t, shape (n - 1,): the text read as
    ONE stream from a zero state, the state carried from each window of ``num_steps``
    to the next, dropout off."""
    forward = _forward_of(model)
    ids = np.asarray(ids)
    state, losses = model.zero_state(1), []
    for start in range(0, len(ids) - 1, num_steps):
        x = ids[start : start + num_steps][: len(ids) - 1 - start]
        y = ids[start + 1 : start + 1 + len(x)]
        logits, state = forward(tf.constant(x[None]), state)  # (1, len(x), vocab)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits[0])
        losses.append(loss.numpy())
    return np.concatenate(losses).astype(np.float64)


def sample_text(model, prompt_ids, num_chars, rng, *, temperature=1.0, top_k=None):
    """``num_chars`` ids drawn one at a time after reading ``prompt_ids``, each fed
    back as the next input; the draws come from ``rng`` (``rnnlib.data.chars
    .sample_next``), so the same seed gives the same text in both frameworks."""
    forward = _forward_of(model)
    prompt = np.asarray(prompt_ids, np.int64)
    logits, state = forward(tf.constant(prompt[None]), model.zero_state(1))
    ids = []
    for _ in range(num_chars):
        last = logits[0, -1].numpy().astype(np.float64)
        ids.append(sample_next(last, rng, temperature=temperature, top_k=top_k))
        logits, state = forward(tf.constant([[ids[-1]]], tf.int64), state)
    return np.array(ids, np.int64)
