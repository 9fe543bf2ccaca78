"""Gradients through time in NumPy: state Jacobians, their norms, the two levers on them
(the recurrent weights' spectral radius, orthogonal initialisation), and clipping.

For the tanh cell S_t = tanh([X_t, S_{t-1}] @ W + b), whose block W_s = W[num_classes:]
multiplies the previous state, one step back is

    d S_t / d S_{t-1} = diag(1 - S_t**2) @ W_s.T            (state_size, state_size)

and k steps back is the product of k such factors, from step t down to step t-k+1.
``state_jacobians`` computes every such product with the backprop-through-time
recursion of ``rnnlib.numpy.cell`` run on the rows of the identity matrix. Chapter 6's
NumPy page writes these functions out; ``rnnlib.tf.gradients`` and
``rnnlib.torch.gradients`` compute the same Jacobians by autograd (for the LSTM and the
GRU too, whose starting weights are ``rnnlib.numpy.gated.init_gated``'s). NumPy only.
"""

import numpy as np

from rnnlib._checks import check_int, check_positive
from rnnlib.numpy.cell import check_window, forward

__all__ = [
    "check_num_back",
    "clip_by_global_norm",
    "global_norm",
    "jacobian_norms",
    "orthogonal",
    "scale_to_radius",
    "spectral_radius",
    "state_jacobians",
    "state_jacobians_reordered",
]


def check_num_back(num_back, num_steps) -> int:
    """A clear error unless 1 <= num_back <= num_steps (S_0 is the earliest state)."""
    num_back = check_int(num_back, "num_back")
    if num_back > num_steps:
        raise ValueError(
            f"num_back must be at most num_steps={num_steps}, got {num_back}"
        )
    return num_back


def check_square(matrix, name="matrix") -> np.ndarray:
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    return matrix


def check_scalable(matrix) -> None:
    """A clear error unless some multiple of ``matrix`` can have a given radius."""
    if spectral_radius(matrix) == 0:
        raise ValueError(
            "matrix has spectral radius 0 (every eigenvalue is 0, as for a zero "
            "matrix): no multiple of it has another radius"
        )


def check_gradients(grads):
    """``grads`` as a dict or a list: a generator would be used up by the norm and
    leave nothing to clip."""
    if isinstance(grads, dict):
        return grads
    if isinstance(grads, (str, bytes)) or not hasattr(grads, "__iter__"):
        raise TypeError(
            f"grads must be a dict or a list of arrays, got {type(grads).__name__}"
        )
    return list(grads)


# ---------------------------------------------------------------- Jacobians


def state_jacobians(params, x, init_state, num_back):
    """d S_T / d S_{T-k} for k = 1 ... num_back, T the last step of the window.

    x: (batch_size, num_steps) classes; init_state: (batch_size, state_size) is S_0, so
    num_back may reach num_steps. Returns (batch_size, num_back, state_size,
    state_size): entry [:, k - 1, i, j] is d S_T[i] / d S_{T-k}[j].
    """
    check_window(params, x, init_state)
    num_back = check_num_back(num_back, np.shape(x)[1])
    num_classes = params["U"].shape[1]
    states, _ = forward(params, x, init_state)  # (batch_size, num_steps, state_size)
    batch_size, num_steps, state_size = states.shape
    W_state = params["W"][num_classes:]  # (state_size, state_size)
    # Row i starts as d S_T[i] / d S_T: the identity, one copy per row of the batch.
    jacobian = np.broadcast_to(np.eye(state_size), (batch_size, state_size, state_size))
    jacobians = []
    for k in range(1, num_back + 1):
        # tanh' at S_{T-k+1}: (batch_size, state_size)
        tanh_slope = 1.0 - states[:, num_steps - k] ** 2
        # chapter 3's backward step, dpre = dstate * (1 - S**2), then dpre @ W_s.T
        jacobian = (jacobian * tanh_slope[:, None, :]) @ W_state.T
        jacobians.append(jacobian)
    return np.stack(jacobians, axis=1)  # (batch_size, num_back, state_size, state_size)


def state_jacobians_reordered(params, x, init_state, num_back):
    """``state_jacobians`` by other float64 arithmetic, to see the size of rounding.

    The same mathematics, rounded differently: the states from two products,
    X_t @ W_x + S_{t-1} @ W_s, instead of one product of the joined row, and the k
    factors of d S_T / d S_{T-k} multiplied from the far end,
    J_T (J_{T-1} (... J_{T-k+1})), instead of from the near end. Returns (batch_size,
    num_back, state_size, state_size).
    """
    check_window(params, x, init_state)
    num_back = check_num_back(num_back, np.shape(x)[1])
    num_classes = params["U"].shape[1]
    W_input, W_state = params["W"][:num_classes], params["W"][num_classes:]
    inputs, state, states = np.eye(num_classes)[x], init_state, []
    for t in range(x.shape[1]):
        state = np.tanh(inputs[:, t] @ W_input + state @ W_state + params["b"])
        states.append(state)
    # factors[j] = d S_(T-j) / d S_(T-j-1): (batch_size, state_size, state_size)
    factors = [
        (1.0 - states[-1 - j] ** 2)[:, :, None] * W_state.T for j in range(num_back)
    ]
    jacobians = []
    for k in range(1, num_back + 1):
        product = factors[k - 1]
        for j in reversed(range(k - 1)):  # J_(T-j) @ (...), the far factors first
            product = factors[j] @ product
        jacobians.append(product)
    return np.stack(jacobians, axis=1)  # (batch_size, num_back, state_size, state_size)


def jacobian_norms(jacobians):
    """The spectral norm (largest singular value) of each matrix in (..., m, n)."""
    jacobians = np.asarray(jacobians)
    if jacobians.ndim < 2:
        raise ValueError(
            f"jacobians must have shape (..., m, n), got shape {jacobians.shape}"
        )
    return np.linalg.svd(jacobians, compute_uv=False)[..., 0]  # (...,)


# ---------------------------------------------------------------- the recurrent weights


def spectral_radius(matrix) -> float:
    """The largest absolute eigenvalue of a square matrix."""
    matrix = check_square(matrix)
    return float(np.abs(np.linalg.eigvals(matrix)).max())


def scale_to_radius(matrix, radius):
    """``matrix`` times the number that makes its spectral radius ``radius``."""
    radius = check_positive(radius, "radius")
    check_scalable(matrix)
    return matrix * (radius / spectral_radius(matrix))


def orthogonal(size, seed=0):
    """A random orthogonal matrix of shape (size, size), uniform over the orthogonal
    group: Q of the QR decomposition of a Gaussian matrix, with the signs of R's
    diagonal moved into Q (without them, Q would not be uniform)."""
    size = check_int(size, "size")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.normal(size=(size, size)))
    return q * np.sign(np.diag(r))  # (size, size)


# ---------------------------------------------------------------- clipping


def global_norm(grads) -> float:
    """sqrt of the sum of every squared entry of every gradient in ``grads`` (a dict of
    arrays, or a list)."""
    values = grads.values() if isinstance(grads, dict) else grads
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in values)))


def clip_by_global_norm(grads, max_norm):
    """Every gradient times min(1, max_norm / global norm): (clipped, global norm).

    One factor for all of them, so the direction of the whole gradient is kept and only
    its length is capped (``tf.clip_by_global_norm``, ``clip_grad_norm_``).
    """
    max_norm = check_positive(max_norm, "max_norm")
    grads = check_gradients(grads)
    norm = global_norm(grads)
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    if isinstance(grads, dict):
        return {name: g * factor for name, g in grads.items()}, norm
    return [g * factor for g in grads], norm
