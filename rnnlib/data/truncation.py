"""The styles of truncated backprop, framework-free: how far back each error's gradient
reaches, what each costs, and the windows each trains on.

Williams and Peng (1990) name truncated backprop BPTT(h; h'): every h' steps, run
backprop h steps back, injecting the errors of the last h' steps (Sutskever's thesis
writes the same with k1 = h' and k2 = h). Chapter 5 compares three styles with the same
n:

- ``"tf"``, the TensorFlow style, BPTT(n; n): the sequence cut into disjoint windows of
  n steps (``batching.windows``), the state carried from window to window. The error
  at window position j (0 .. n-1) is backpropagated through the j + 1 steps of its
  window only, so it reaches the inputs up to j steps back: most errors reach less
  than n - 1.
- ``"true"``, true n-step truncation, BPTT(n; 1): every error is backpropagated through
  n steps, reaching n - 1 steps back.
- ``"2n"``, BPTT(2n; n): every n steps, backprop 2n steps back with the errors of the
  last n steps, which reach n to 2n - 1 steps back.

All three are made from the TF style's own windows: m = h / h' copies of every row,
copy o starting o * h' steps later, cut into windows of h, and only each window's last
h' positions scored. Every label past the first h - h' of a row is scored once per
epoch; rows are batch_size * n / h per copy, so every style makes about the same
number of updates from the same number of labels, at h / h' cell steps per label.
The updates differ from BPTT(h; h') run online, one update every h' steps: here the
scored errors of a window are averaged over a batch of windows and applied once per
window, and each window's first state was carried from the copy's previous window,
computed with the weights of one update before.

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
    "BLOCK",
    "STYLES",
    "block_means",
    "bptt_notation",
    "cell_steps_per_label",
    "echo_learned",
    "reach",
    "share_reaching",
    "shifted_rows",
    "style_sequences",
    "window_length",
]

#: The styles, by the names the chapter uses.
STYLES = ("tf", "true", "2n")
#: Held-out steps per block mean: neighbouring steps' losses are correlated, blocks of
#: this many are not (chapter 5 checks), so intervals are taken over block means.
BLOCK = 500


def check_style(style) -> str:
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    return style


def bptt_notation(style, num_steps) -> tuple[int, int]:
    """Williams and Peng's (h, h') for ``style`` with n = num_steps: (n, n) for "tf",
    (n, 1) for "true", (2n, n) for "2n"."""
    style, n = check_style(style), check_int(num_steps, "num_steps")
    return {"tf": (n, n), "true": (n, 1), "2n": (2 * n, n)}[style]


def window_length(style, num_steps) -> int:
    """Steps in each window the style trains on: h of BPTT(h; h')."""
    return bptt_notation(style, num_steps)[0]


def reach(style, num_steps) -> np.ndarray:
    """How many steps back each scored error's gradient reaches, one per scored window
    position: (0, 1, ..., n-1) in the TF style, (n-1,) in the true style, (n, ...,
    2n-1) in BPTT(2n; n)."""
    h, h_prime = bptt_notation(style, num_steps)
    return np.arange(h - h_prime, h)


def share_reaching(style, num_steps, lag) -> float:
    """The share of scored errors whose gradient reaches the input ``lag`` steps back.

    TF style: (n - lag) / n for lag < n, else 0; true style: 1 for lag < n, else 0;
    BPTT(2n; n): 1 for lag < n + 1, then falling to 1/n at lag 2n - 1.
    """
    lag = check_int(lag, "lag", minimum=0)
    return float(np.mean(reach(style, num_steps) >= lag))


def cell_steps_per_label(style, num_steps) -> int:
    """Steps of the cell run forward (and back) for each label scored: h / h', so 1 in
    the TF style, n in the true style, 2 in BPTT(2n; n)."""
    h, h_prime = bptt_notation(style, num_steps)
    return h // h_prime


def _check_copies(num_steps, every, row_length):
    if num_steps % every:
        raise ValueError(
            f"every={every} must divide num_steps={num_steps}: the copies are shifted "
            "by every steps and the windows hold num_steps"
        )
    needed = num_steps + (num_steps // every - 1) * every
    if row_length < needed:
        raise ValueError(
            f"num_steps={num_steps} is too long for rows of {row_length} steps: "
            f"these windows need rows of at least {needed} steps"
        )


def shifted_rows(seq, *, batch_size, num_steps, every=1):
    """``num_steps // every`` copies of each row of ``split_rows(seq, batch_size)``,
    copy o starting o * every steps later: shape (copies * batch_size, row_length -
    (copies - 1) * every).

    Row ``o * batch_size + i`` is row i from step o * every on. Cut into windows of
    ``num_steps``, the windows of copy o end at steps o * every + num_steps - 1,
    o * every + 2 * num_steps - 1, ...: over all copies, the last ``every`` steps of
    the windows cover every step from num_steps - every on exactly once.
    """
    num_steps = check_int(num_steps, "num_steps")
    every = check_int(every, "every")
    copies = num_steps // every
    rows = split_rows(seq, batch_size)  # (batch_size, row_length)
    _check_copies(num_steps, every, rows.shape[1])
    length = rows.shape[1] - (copies - 1) * every
    return np.concatenate(
        [rows[:, o * every : o * every + length] for o in range(copies)]
    )


def style_sequences(x, y, *, style, batch_size, num_steps):
    """What ``rnnlib.training.train_windows`` cuts for ``style``: ``(x, y,
    batch_size)``, to be cut into windows of ``window_length(style, num_steps)``.

    TF style: the data as it is. The other styles: the shifted copies of
    ``shifted_rows`` laid end to end, with as many rows as the copies hold, so that
    ``batching.windows`` cuts exactly those rows back out; the training step then
    scores only the last h' positions of each window. BPTT(2n; n) splits the data into
    batch_size / 2 rows (twice as long), so that its windows of 2n make as many updates
    as the TF style's windows of n.
    """
    h, h_prime = bptt_notation(style, num_steps)
    batch_size = check_int(batch_size, "batch_size")
    if h_prime == h:
        return np.asarray(x), np.asarray(y), batch_size
    rows_per_copy = batch_size * num_steps // h
    if rows_per_copy * h != batch_size * num_steps:
        raise ValueError(
            f"batch_size={batch_size} must be even for style {style!r}: its windows of "
            "2n take batch_size / 2 rows"
        )
    shift = {"batch_size": rows_per_copy, "num_steps": h, "every": h_prime}
    x_rows, y_rows = shifted_rows(x, **shift), shifted_rows(y, **shift)
    return x_rows.ravel(), y_rows.ravel(), x_rows.shape[0]


def block_means(positions, values, block=BLOCK) -> np.ndarray:
    """Means of ``values`` over blocks of ``block`` consecutive positions, shape
    (len(values) // block,); a last, incomplete block is left out.

    Neighbouring steps' losses are correlated (the state carries the same inputs for
    several steps), so an interval over single steps is too narrow; block means of
    blocks much longer than the correlation are close to independent.
    """
    block = check_int(block, "block")
    values = np.asarray(values, dtype=float)[np.argsort(positions, kind="stable")]
    if len(values) < 2 * block:
        raise ValueError(
            f"block={block} leaves fewer than 2 blocks of {len(values)} values"
        )
    count = len(values) // block
    return values[: count * block].reshape(count, block).mean(axis=1)


def echo_learned(x, y, positions, losses, *, confidence=0.95, block=BLOCK) -> dict:
    """What a model learned of the echo task, from its losses on held-out x, y.

    ``positions, losses`` are what ``heldout_step_losses`` returns (shape (m,)). Each
    estimate pairs the model's loss with an optimal predictor's on the same steps, and
    its interval is taken over means of blocks of ``block`` steps (``block_means``):
    it covers the held-out sample's noise for this one trained model, not the spread
    between training seeds.

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

    def paired(reference):
        differences = block_means(positions, losses - reference, block)
        return estimate(differences, confidence=confidence)

    return {
        "excess": paired(optimal[3, 8]),
        "uses_3": paired(optimal[8,]),
        "uses_8": paired(optimal[3,]),
        "share_8": float(np.mean(optimal[3,] - losses) / worth_8),
    }
