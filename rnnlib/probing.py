"""What the state remembers, on the echo task: chapter 3's NumPy cell trained with a
given num_steps, then linear probes that read X_{t-lag} from its state S_t.

Chapter 15 writes these functions out; the ``probe`` benchmark runs them for num_steps
1, 5 and 10 and three seeds. The settings are chapter 3's original run: state_size 4,
batch_size 200, Adagrad at 0.1 with TF1's accumulators (starting at 0.1, no epsilon),
TF-style truncated backprop with the state carried across windows. NumPy only.
"""

import numpy as np

from rnnlib import training
from rnnlib.numpy import cell, charrnn
from rnnlib.numpy.probe import cell_states, fit_logistic, logistic_accuracy

__all__ = ["LAGS", "probe_lags", "train_echo_cell"]

LAGS = (3, 8)  # the echo task's two dependencies


def train_echo_cell(x, y, *, num_steps, seed, num_epochs, state_size=4):
    """Chapter 3's cell trained on echo data x, y (shape (n,)) with windows of
    ``num_steps``; returns its params. ``seed`` picks the starting weights."""
    params = cell.init_params(num_classes=2, state_size=state_size, seed=seed)
    step = charrnn.make_train_step(
        params, 0.1, clip=None, initial_accumulator=0.1, eps=0.0
    )
    training.train_windows(
        step,
        x,
        y,
        batch_size=200,
        num_steps=num_steps,
        num_epochs=num_epochs,
        zero_state=lambda batch_size: np.zeros((batch_size, state_size)),
        progress=False,
    )
    return params


def probe_lags(params, x_heldout, lags=(3, 8)) -> dict[int, np.ndarray]:
    """For each lag, whether a logistic probe fitted on the first half of the held-out
    sequence reads X_{t-lag} right from S_t on the second half: lag -> (m,) of 0/1."""
    states = cell_states(params, x_heldout)  # (n, state_size): S_t after X_t
    half = len(x_heldout) // 2
    correct = {}
    for lag in lags:
        features, labels = states[lag:], x_heldout[:-lag]  # S_t and X_{t-lag}
        weights = fit_logistic(features[:half], labels[:half])
        correct[lag] = logistic_accuracy(weights, features[half:], labels[half:])
    return correct
