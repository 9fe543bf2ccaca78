"""The gradient check: backprop's gradients against central finite differences.

Slow and simple on purpose: two forward passes per weight. In float64 with eps = 1e-6 a
correct backprop agrees to a relative error near 1e-9; above about 1e-6 means a bug.
"""

import numpy as np

from rnnlib.numpy.cell import forward, loss_and_gradients, mean_cross_entropy

__all__ = ["gradient_check", "numerical_gradients", "relative_error"]


def numerical_gradients(params, x, y, init_state, eps=1e-6):
    """Central differences of the window's loss, one weight at a time."""
    params = {
        name: value.copy() for name, value in params.items()
    }  # nudged in place below
    grads = {}
    for name, value in params.items():
        grads[name] = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + eps
            loss_plus = mean_cross_entropy(forward(params, x, init_state)[1], y)
            value[index] = original - eps
            loss_minus = mean_cross_entropy(forward(params, x, init_state)[1], y)
            value[index] = original
            grads[name][index] = (loss_plus - loss_minus) / (2 * eps)
    return grads


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 for equal arrays, about 1 for unrelated ones."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(params, x, y, init_state, *, eps=1e-6) -> dict[str, float]:
    """Relative error of backprop's gradient against finite differences, per parameter.

    Use float64 parameters: float32 rounding swamps a difference quotient.
    """
    _, analytic, _ = loss_and_gradients(params, x, y, init_state)
    numeric = numerical_gradients(params, x, y, init_state, eps=eps)
    return {name: relative_error(analytic[name], numeric[name]) for name in params}
