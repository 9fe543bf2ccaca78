"""Linear probes: what can a straight line read off a model's state?

A probe is a small model fitted on states S_t to predict something about the input that
the state might hold (X_{t-3}, being inside a speaker's name). If a linear probe reads
it on states it was not fitted on, the state holds it in a form the next layer can use;
if it cannot, the information is missing or tangled. Probes are fitted on one half of a
sequence and scored on the other.

- ``cell_states``: the tanh cell's states over a long sequence, the state carried;
- ``fit_logistic`` / ``logistic_accuracy``: a binary probe (logistic regression, a
  little L2, Newton's method);
- ``fit_linear`` / ``r_squared``: a probe for a number (least squares);
- ``unit_correlations``: how well each single unit follows a quantity;
- ``block_interval``: a mean with a 95 % interval over contiguous blocks, because
  neighbouring steps are not independent.

NumPy only.
"""

import math

import numpy as np

from rnnlib._checks import check_int
from rnnlib.numpy.cell import forward

__all__ = [
    "block_interval",
    "cell_states",
    "fit_linear",
    "fit_logistic",
    "logistic_accuracy",
    "r_squared",
    "unit_correlations",
]


def cell_states(params, x, *, num_steps=1000) -> np.ndarray:
    """S_t after reading x[t], for every t: shape (n, state_size), from a zero state,
    x (n,) read as one stream in windows of ``num_steps``, the state carried."""
    x = np.asarray(x)
    state = np.zeros((1, params["U"].shape[0]))
    states = []
    for start in range(0, len(x), num_steps):
        window, _ = forward(params, x[None, start : start + num_steps], state)
        states.append(window[0])  # (window length, state_size)
        state = window[:, -1]
    return np.concatenate(states)


def _with_bias(features) -> np.ndarray:
    features = np.asarray(features, np.float64)
    if features.ndim != 2:
        raise ValueError(
            f"features must have shape (n, num_features), got {features.shape}"
        )
    return np.hstack([features, np.ones((len(features), 1))])


def fit_logistic(features, labels, *, l2=1e-4, iterations=25) -> np.ndarray:
    """Weights (num_features + 1,) of the logistic regression of 0/1 ``labels`` (n,) on
    ``features`` (n, num_features), the last weight the bias; Newton's method on the
    mean log-loss plus ``l2`` times the squared weights (the bias spared)."""
    X = _with_bias(features)
    y = np.asarray(labels, np.float64)
    if y.shape != (len(X),) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"labels must be 0 or 1, shape ({len(X)},), got {y.shape}")
    iterations = check_int(iterations, "iterations")
    w = np.zeros(X.shape[1])
    penalty = np.full(X.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ w, -30, 30)))
        grad = X.T @ (p - y) / len(X) + 2 * penalty * w
        hessian = (X * (p * (1 - p))[:, None]).T @ X / len(X) + np.diag(2 * penalty)
        step = np.linalg.solve(hessian + 1e-10 * np.eye(len(w)), grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def logistic_accuracy(weights, features, labels) -> np.ndarray:
    """1.0 where the probe's prediction (probability > 0.5) equals the label, else 0.0:
    shape (n,), so that intervals can be taken over blocks."""
    predicted = _with_bias(features) @ weights > 0
    return (predicted == (np.asarray(labels) == 1)).astype(np.float64)


def fit_linear(features, targets, *, l2=1e-6) -> np.ndarray:
    """Least-squares weights (num_features + 1,) predicting ``targets`` (n,)."""
    X = _with_bias(features)
    y = np.asarray(targets, np.float64)
    gram = X.T @ X / len(X) + l2 * np.eye(X.shape[1])
    return np.linalg.solve(gram, X.T @ y / len(X))


def r_squared(weights, features, targets) -> float:
    """1 - residual variance / variance of ``targets``: 1 for a perfect fit, 0 for
    predicting the mean."""
    y = np.asarray(targets, np.float64)
    residual = y - _with_bias(features) @ weights
    return float(1.0 - residual.var() / y.var())


def unit_correlations(states, target) -> np.ndarray:
    """Pearson correlation of each unit of ``states`` (n, num_units) with ``target``
    (n,): shape (num_units,); 0 for a unit that never changes."""
    states = np.asarray(states, np.float64)
    target = np.asarray(target, np.float64)
    centred = states - states.mean(axis=0)
    t = target - target.mean()
    norms = np.linalg.norm(centred, axis=0) * np.linalg.norm(t)
    return np.divide(
        centred.T @ t, norms, out=np.zeros(states.shape[1]), where=norms > 0
    )


# Student's t quantiles for a two-sided 95 % interval, by degrees of freedom.
_T95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    15: 2.131,
    20: 2.086,
    30: 2.042,
}


def t95(dof: int) -> float:
    """The 97.5 % quantile of Student's t with ``dof`` degrees of freedom (from the
    next tabulated value at or below it; 1.96 beyond 30)."""
    dof = check_int(dof, "dof")
    if dof > 30:
        return 1.96
    return _T95[max(k for k in _T95 if k <= dof)]


def block_interval(values, num_blocks=10) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of ``values`` (n,) and a 95 % t-interval from
    the means of ``num_blocks`` contiguous blocks (neighbouring steps are correlated;
    blocks far apart much less)."""
    values = np.asarray(values, np.float64)
    num_blocks = check_int(num_blocks, "num_blocks", minimum=2)
    if len(values) < num_blocks:
        raise ValueError(
            f"values must have at least num_blocks={num_blocks} entries, "
            f"got {len(values)}"
        )
    means = np.array([block.mean() for block in np.array_split(values, num_blocks)])
    half = t95(num_blocks - 1) * means.std(ddof=1) / math.sqrt(num_blocks)
    mean = float(values.mean())
    return mean, mean - half, mean + half
