"""The two styles of truncated backprop, framework-free: how far back each error's
gradient reaches, what each costs, and the windows each trains on.

Williams and Peng (1990) name truncated backprop BPTT(h; h'): every h' steps, run
backprop h steps back. Two styles with the same n are compared in chapter 5:

- ``"tf"``, the TensorFlow style, BPTT(n; n): the sequence cut into disjoint windows of
  n steps (``batching.windows``), the state carried from window to window. The error
  at window position j (0 .. n-1) is backpropagated through the j + 1 steps of its
  window only, so it reaches the inputs up to j steps back: most errors reach less
  than n - 1.
- ``"true"``, true n-step truncation, BPTT(n; 1): every error is backpropagated through
  n steps, reaching n - 1 steps back. Here it is made from the TF style itself: n
  copies of every row, copy o shifted by o steps, cut into the same windows of n, and
  only each window's last position scored. Every label past the first n - 1 of a row
  is scored once per epoch, as in the TF style, at n times the cost.

``echo_learned`` says what a trained model learned of each echo, paired against the
optimal predictors on the same held-out steps. NumPy only; ``rnnlib.torch.truncation``
and ``rnnlib.tf.truncation`` train with the rest.
"""

import numpy as np

from rnnlib._checks import check_int
from rnnlib.data.batching import split_rows
from rnnlib.data.echo import check_positions
from rnnlib.data.theory import estimate, optimal_step_losses

__all__ = [
    "STYLES",
    "cell_steps_per_label",
    "echo_learned",
    "reach",
    "share_reaching",
    "shifted_rows",
    "style_sequences",
]

#: The styles, by the names the chapter uses.
STYLES = ("tf", "true")


def check_style(style) -> str:
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    return style


def reach(style, num_steps) -> np.ndarray:
    """How many steps back each scored error's gradient reaches, one per scored window
    position: (0, 1, ..., n-1) in the TF style, (n-1,) in the true style."""
    style, num_steps = check_style(style), check_int(num_steps, "num_steps")
    if style == "tf":
        return np.arange(num_steps)
    return np.array([num_steps - 1])


def share_reaching(style, num_steps, lag) -> float:
    """The share of scored errors whose gradient reaches the input ``lag`` steps back.

    TF style: (n - lag) / n for lag < n, else 0; true style: 1 for lag < n, else 0.
    """
    lag = check_int(lag, "lag", minimum=0)
    return float(np.mean(reach(style, num_steps) >= lag))


def cell_steps_per_label(style, num_steps) -> int:
    """Steps of the cell run forward (and back) for each label scored: 1 in the TF
    style, n in the true style (n overlapping windows of n steps, one label each)."""
    style, num_steps = check_style(style), check_int(num_steps, "num_steps")
    return 1 if style == "tf" else num_steps


def shifted_rows(seq, *, batch_size, num_steps):
    """``num_steps`` copies of each row of ``split_rows(seq, batch_size)``, copy o
    starting o steps later: shape (num_steps * batch_size, row_length - num_steps + 1).

    Row ``o * batch_size + i`` is row i from step o on. Cut into windows of
    ``num_steps``, the windows of copy o end at steps o + num_steps - 1, o + 2 *
    num_steps - 1, ...: over all copies, every step from num_steps - 1 on ends a window
    exactly once.
    """
    num_steps = check_int(num_steps, "num_steps")
    rows = split_rows(seq, batch_size)  # (batch_size, row_length)
    length = rows.shape[1] - num_steps + 1
    if length < num_steps:
        raise ValueError(
            f"num_steps={num_steps} is too long for rows of {rows.shape[1]} steps: "
            f"the true style needs rows of at least 2 * num_steps - 1 steps"
        )
    return np.concatenate([rows[:, o : o + length] for o in range(num_steps)])


def style_sequences(x, y, *, style, batch_size, num_steps):
    """What ``rnnlib.training.train_windows`` cuts for ``style``: ``(x, y,
    batch_size)``.

    TF style: the data as it is. True style: the shifted copies of ``shifted_rows``
    laid end to end (shape (num_steps * batch_size * length,)), with ``num_steps *
    batch_size`` rows, so that ``batching.windows`` cuts exactly those rows back out;
    the training step then scores only each window's last position.
    """
    style = check_style(style)
    if style == "tf":
        return np.asarray(x), np.asarray(y), check_int(batch_size, "batch_size")
    x_rows = shifted_rows(x, batch_size=batch_size, num_steps=num_steps)
    y_rows = shifted_rows(y, batch_size=batch_size, num_steps=num_steps)
    return x_rows.ravel(), y_rows.ravel(), x_rows.shape[0]


def echo_learned(x, y, positions, losses, *, confidence=0.95) -> dict:
    """What a model learned of the echo task, from its losses on held-out x, y.

    ``positions, losses`` are what ``heldout_step_losses`` returns (shape (m,)). Each
    estimate pairs the model's loss with an optimal predictor's on the same steps:

    - ``"excess"``: losses minus the optimal predictor's that knows both echoes (the
      floor); zero for a perfect model.
    - ``"uses_3"`` / ``"uses_8"``: losses minus the best predictor's that lacks the
      three-step (knows only (8,)) / the eight-step echo (knows only (3,)); an interval
      wholly below zero says the model uses that echo, since nothing without it can
      score lower.
    - ``"share_8"``: the share of the eight-step echo's worth the model has, mean(best
      without it - model) / mean(best without it - best with both): 0 for the best model
      that knows only t-3, 1 for the floor. A float.
    """
    x, y = np.asarray(x), np.asarray(y)
    positions, losses = np.asarray(positions), np.asarray(losses, dtype=float)
    if positions.shape != losses.shape or positions.ndim != 1:
        raise ValueError(
            f"positions and losses must have the same shape (m,), got "
            f"{positions.shape} and {losses.shape}"
        )
    check_positions(positions, len(x))
    optimal = {
        known: optimal_step_losses(x, y, known)[positions]
        for known in ((3, 8), (3,), (8,))
    }
    worth_8 = np.mean(optimal[3,] - optimal[3, 8])
    return {
        "excess": estimate(losses - optimal[3, 8], confidence=confidence),
        "uses_3": estimate(losses - optimal[8,], confidence=confidence),
        "uses_8": estimate(losses - optimal[3,], confidence=confidence),
        "share_8": float(np.mean(optimal[3,] - losses) / worth_8),
    }
