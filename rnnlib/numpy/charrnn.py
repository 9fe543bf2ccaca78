"""min-char-rnn with the book's tanh cell: Adagrad, reading a whole text, and sampling.

Karpathy's min-char-rnn (2015) trains a tanh RNN on one-hot characters with backprop
through time written by hand and Adagrad. Chapter 13 does the same with the cell of
``rnnlib.numpy.cell`` (its forward pass and ``loss_and_gradients``, unchanged: a
character is a class, and the cell takes any ``num_classes``), on windows of contiguous
rows so that the state carries across windows. This module holds what the page adds:

- ``adagrad_update``: min-char-rnn's optimizer, in place;
- ``make_train_step``: one window's loss, gradients, update and final state;
- ``read``: the states and step losses of one long text, the state carried all through;
- ``sample``: characters drawn one at a time, each fed back as the next input.

NumPy only.
"""

import numpy as np

from rnnlib.data.chars import sample_next
from rnnlib.numpy.cell import (
    check_params,
    forward,
    log_softmax,
    loss_and_gradients,
)

__all__ = ["adagrad_update", "make_train_step", "read", "sample"]


def adagrad_update(params, grads, memory, learning_rate, eps=1e-8) -> None:
    """Adagrad, as min-char-rnn writes it: memory += g**2; param -= lr g / sqrt(memory
    + eps). ``params`` and ``memory`` (zeros at the start, shaped like params) change
    in place."""
    for name in params:
        memory[name] += grads[name] ** 2
        params[name] -= learning_rate * grads[name] / np.sqrt(memory[name] + eps)


def make_train_step(
    params, learning_rate, *, clip=5.0, initial_accumulator=0.0, eps=1e-8
):
    """``step(x_window, y_window, state) -> (loss, state)`` for
    ``rnnlib.training.train_windows``: backprop through the window, every gradient
    clipped to [-clip, clip] as min-char-rnn does (``clip=None``: not clipped), one
    Adagrad update of ``params`` (in place). The Adagrad memory lives in the closure
    and starts at ``initial_accumulator`` (min-char-rnn: 0; TF1's
    ``AdagradOptimizer``, which chapter 3 follows: 0.1 with ``eps=0``)."""
    memory = {
        name: np.full_like(value, initial_accumulator) for name, value in params.items()
    }

    def step(x_window, y_window, state):
        loss, grads, state = loss_and_gradients(params, x_window, y_window, state)
        if clip is not None:
            for grad in grads.values():
                np.clip(grad, -clip, clip, out=grad)
        adagrad_update(params, grads, memory, learning_rate, eps)
        return loss, state

    return step


def read(params, ids, *, num_steps=1000) -> tuple[np.ndarray, np.ndarray]:
    """``(states, losses)`` of the whole text ``ids`` (shape (n,)), read as ONE stream
    from a zero state, the state carried from each window of ``num_steps`` to the next:
    states (n - 1, state_size) holds S_t after reading ids[t]; losses (n - 1,) holds
    -ln P(ids[t + 1]) from it. Nothing is trained."""
    check_params(params)
    ids = np.asarray(ids)
    state_size = params["U"].shape[0]
    state = np.zeros((1, state_size))
    all_states, all_losses = [], []
    for start in range(0, len(ids) - 1, num_steps):
        x = ids[start : start + num_steps][: len(ids) - 1 - start]
        y = ids[start + 1 : start + 1 + len(x)]
        states, logits = forward(params, x[None], state)  # (1, len(x), ...)
        log_p = np.take_along_axis(log_softmax(logits[0]), y[:, None], axis=1)
        all_states.append(states[0])
        all_losses.append(-log_p[:, 0])
        state = states[:, -1]
    return np.concatenate(all_states), np.concatenate(all_losses)


def sample(
    params, state, first_id, num_chars, rng, *, temperature=1.0, top_k=None
) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, state)``: ``num_chars`` ids drawn one at a time from the model, starting
    after ``first_id`` from ``state`` (shape (state_size,) or (1, state_size)), each
    fed back as the next input; ``rng`` a seeded ``np.random.Generator``."""
    check_params(params)
    num_classes = params["U"].shape[1]
    state = np.asarray(state, np.float64).reshape(1, -1)
    W, b, U, c = (params[name] for name in ("W", "b", "U", "c"))
    ids, current = [], int(first_id)
    for _ in range(num_chars):
        # one step of the cell: W's first num_classes rows multiply the one-hot input
        state = np.tanh(W[current] + state @ W[num_classes:] + b)  # (1, state_size)
        logits = state[0] @ U + c  # (num_classes,)
        current = sample_next(logits, rng, temperature=temperature, top_k=top_k)
        ids.append(current)
    return np.array(ids, np.int64), state[0]
