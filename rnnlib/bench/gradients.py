"""Benchmark ``gradients``: how fast the gradient through time vanishes, per cell, and
how closely NumPy, TensorFlow and PyTorch agree on it (chapter 6).

For each cell at initialisation, state_size 16, the norm of the state's Jacobian
d S_T / d S_(T-k) is averaged over rows of the echo task's inputs (30 steps from the
zero state, then 50 measured; geometric mean over the rows), and the key is the ratio
of the averages at k = 20 and k = 1, the median over the seeds. The tanh cell starts
from chapter 3's weights with the recurrent block scaled to spectral radius 0.5, 1 and
2; the LSTM (forget-gate bias 1, Keras's default) and the GRU from Keras's
initialisation (``rnnlib.numpy.gated.init_gated``). Every Jacobian is computed
in float64 by NumPy's recursion (tanh cell only) and by TensorFlow's and PyTorch's
autograd; ``max_framework_rel_diff`` is the largest relative difference,
||a - b|| / (||a|| + ||b||), between any two of them over every matrix measured.

Float64 rounding is the yardstick: ``numpy_rounding_rel_diff`` is how far NumPy's
Jacobians move when NumPy computes them with other, mathematically equal arithmetic
(``state_jacobians_reordered``), and ``tanh_framework_over_rounding`` the largest ratio,
over the tanh cells, of a framework's difference from NumPy to that rounding (target:
below 10, as chapter 6 asserts). Timing, by ``rnnlib.timing``'s protocol (interleaved
repeats, median and range, a verdict only where ranges do not overlap): one LSTM's
Jacobians over the probe in TensorFlow run eagerly and traced once by ``tf.function``
(the cell reloaded with ``load_cell``), and in PyTorch.
"""

import itertools
import statistics

import numpy as np

from rnnlib import config, timing
from rnnlib.bench import Result
from rnnlib.data import echo
from rnnlib.numpy import cell as numpy_cell
from rnnlib.numpy import gated, layouts
from rnnlib.numpy import gradients as numpy_gradients
from rnnlib.numpy.gradcheck import relative_error

STATE_SIZE, BURN_IN, NUM_BACK, PROBE_SEED = 16, 30, 50, 2
RADII = {"tanh_r05": 0.5, "tanh_r1": 1.0, "tanh_r2": 2.0}


def cell_weights(name, seed):
    """The starting weights of the cell ``name`` for ``seed``: chapter 3's {W, b, U, c}
    for the tanh cells, the neutral layout of ``rnnlib.numpy.gated`` for the others."""
    if name in RADII:
        params = numpy_cell.init_params(state_size=STATE_SIZE, seed=seed)
        W_state = params["W"][2:]
        params["W"][2:] = numpy_gradients.scale_to_radius(W_state, RADII[name])
        return params
    return gated.init_gated(name, input_size=2, state_size=STATE_SIZE, seed=seed)


def max_difference(a, b) -> float:
    """The largest relative difference over the matrices of two (..., m, m) arrays."""
    a, b = a.reshape(-1, *a.shape[-2:]), b.reshape(-1, *b.shape[-2:])
    return max(relative_error(p, q) for p, q in zip(a, b))


def ratio_20(jacobians) -> float:
    """||d S_T / d S_(T-20)|| over ||d S_T / d S_(T-1)||, geometric means over rows."""
    norms = numpy_gradients.jacobian_norms(jacobians)  # (num_rows, NUM_BACK)
    typical = np.exp(np.log(norms).mean(axis=0))
    return float(typical[19] / typical[0])


def run() -> Result:
    import rnnlib.tf

    import tensorflow as tf
    import torch

    import rnnlib.torch

    torch.set_num_threads(1)
    size = config.sizes("bench.gradients")
    x, _ = echo.generate(size.num_rows * (BURN_IN + NUM_BACK), seed=PROBE_SEED)
    x = x.reshape(size.num_rows, BURN_IN + NUM_BACK)
    inputs = np.eye(2)[x]  # (num_rows, 80, 2) one-hot, float64
    zero = np.zeros((size.num_rows, STATE_SIZE))

    traced = tf.function(rnnlib.tf.state_jacobians)
    probe_cells = {}  # one TensorFlow cell per kind, reloaded: one trace per kind

    def tf_jacobians(kind, params):
        if kind not in probe_cells:
            probe_cells[kind] = rnnlib.tf.make_cell(kind, params, dtype=tf.float64)
        cell = probe_cells[kind]
        rnnlib.tf.load_cell(cell, params)
        return traced(cell, tf.constant(inputs), cell.zero_state(len(x)), NUM_BACK)

    rows, ratios, differences, rounding, over = [], {}, {}, [], []
    for name, seed in itertools.product([*RADII, "lstm", "gru"], range(size.num_seeds)):
        weights = cell_weights(name, seed)
        kind = "rnn" if name in RADII else name
        params = layouts.from_hand_rolled(weights)[0] if kind == "rnn" else weights
        torch_cell = rnnlib.torch.make_cell(kind, params, dtype=torch.float64)
        found = {
            "TensorFlow": np.asarray(tf_jacobians(kind, params)),
            "PyTorch": rnnlib.torch.state_jacobians(
                torch_cell,
                torch.as_tensor(inputs),
                torch_cell.zero_state(len(x)),
                NUM_BACK,
            ),
        }
        if kind == "rnn":
            found["NumPy"] = numpy_gradients.state_jacobians(weights, x, zero, NUM_BACK)
            rounding.append(
                max_difference(
                    numpy_gradients.state_jacobians_reordered(
                        weights, x, zero, NUM_BACK
                    ),
                    found["NumPy"],
                )
            )
            over.append(
                max(
                    max_difference(found[fw], found["NumPy"])
                    for fw in ("TensorFlow", "PyTorch")
                )
                / rounding[-1]
            )
        difference = max(
            max_difference(found[a], found[b])
            for a, b in itertools.combinations(found, 2)
        )
        ratios.setdefault(name, []).append(ratio_20(found["PyTorch"]))
        differences.setdefault(name, []).append(difference)
        rows.append(
            {
                "cell": name,
                "seed": seed,
                "ratio_20": f"{ratios[name][-1]:.3g}",
                "frameworks compared": ", ".join(found),
                "max relative difference": f"{difference:.1e}",
                "NumPy's own rounding": f"{rounding[-1]:.1e}" if kind == "rnn" else "",
            }
        )
    summary = {f"{name}_ratio_20": statistics.median(r) for name, r in ratios.items()}
    summary["max_framework_rel_diff"] = max(max(d) for d in differences.values())
    summary["numpy_rounding_rel_diff"] = max(rounding)
    summary["tanh_framework_over_rounding"] = max(over)
    summary.update(time_lstm_jacobians(tf, torch, inputs, traced))
    summary["size"] = size.name
    return Result(rows, summary)


def time_lstm_jacobians(tf, torch, inputs, traced) -> dict:
    """Milliseconds per call of one LSTM's Jacobians over the probe: TensorFlow eager
    and traced, PyTorch eager; interleaved repeats, median and range, verdicts."""
    import rnnlib.tf

    import rnnlib.torch

    weights = cell_weights("lstm", 0)
    tf_cell = rnnlib.tf.make_cell("lstm", weights, dtype=tf.float64)
    torch_cell = rnnlib.torch.make_cell("lstm", weights, dtype=torch.float64)
    tf_inputs, torch_inputs = tf.constant(inputs), torch.as_tensor(inputs)
    candidates = {
        "tf_eager": lambda: rnnlib.tf.state_jacobians(
            tf_cell, tf_inputs, tf_cell.zero_state(len(inputs)), NUM_BACK
        ),
        "tf_traced": lambda: traced(
            tf_cell, tf_inputs, tf_cell.zero_state(len(inputs)), NUM_BACK
        ),
        "torch": lambda: rnnlib.torch.state_jacobians(
            torch_cell, torch_inputs, torch_cell.zero_state(len(inputs)), NUM_BACK
        ),
    }
    times = timing.interleaved(candidates, repeats=timing.MIN_REPEATS)
    summary = {}
    for name, found in times.items():
        for key, value in found.as_dict(per=1e-3).items():
            summary[f"lstm_jacobians_{name}_ms_{key}"] = value
    # the verdict word, spaces as underscores to keep the key=value line parseable
    verdict = timing.verdict(times["tf_traced"], times["tf_eager"])
    summary["tf_traced_vs_eager"] = verdict.replace(" ", "_")
    summary["tf_traced_speedup"] = timing.speedup(times["tf_traced"], times["tf_eager"])
    return summary
