"""Benchmark ``cells``: the tanh cell, the GRU and the LSTM trained on the echo task in
TensorFlow and in PyTorch.

Each is a library layer (Keras SimpleRNN / GRU / LSTM, PyTorch nn.RNN / nn.GRU /
nn.LSTM) with one output layer shared by every step, state_size 16, started from the
same weights in both frameworks (``rnnlib.numpy.gated``), trained by truncated backprop
with the state carried (num_steps 10, batch_size 200) by Adam at 0.01, then 0.001 for
the last epoch; then scored on a fresh held-out sequence, the state carried and nothing
trained, step by step against the optimal predictor on the same steps. Target at full
size: the GRU and the LSTM within 0.003 of the floor in both frameworks (chapter 7).
"""

import time

from rnnlib import config
from rnnlib.bench import Result
from rnnlib.data import echo, theory
from rnnlib.numpy import gated

SETTINGS = {
    "state_size": 16,
    "num_steps": 10,
    "batch_size": 200,
    "learning_rate": 0.01,
    "final_learning_rate": 0.001,
}
TRAIN_SEED, HELDOUT_SEED, INIT_SEED = 1, 2, 0
KINDS = ("rnn", "gru", "lstm")


def train_and_score(framework, kind, train_data, heldout_data, size):
    """(held-out losses step by step, their positions, training seconds)."""
    model = framework.SequenceLabeller(
        kind,
        gated.init_gated(
            kind, input_size=2, state_size=SETTINGS["state_size"], seed=INIT_SEED
        ),
        gated.init_head(
            state_size=SETTINGS["state_size"], num_classes=2, seed=INIT_SEED
        ),
    )
    start = time.perf_counter()
    framework.train(
        model,
        *train_data,
        optimizer="adam",
        batch_size=SETTINGS["batch_size"],
        num_steps=SETTINGS["num_steps"],
        num_epochs=size.num_epochs,
        learning_rate=SETTINGS["learning_rate"],
        final_learning_rate=SETTINGS["final_learning_rate"],
        progress=False,
    )
    seconds = time.perf_counter() - start
    positions, losses = framework.heldout_step_losses(
        model, *heldout_data, batch_size=100, num_steps=100
    )
    return positions, losses, seconds


def run() -> Result:
    import torch

    import rnnlib.tf
    import rnnlib.torch

    torch.set_num_threads(1)  # the cells' operations are tiny: one thread is fastest
    size = config.sizes("bench.cells")
    train_data = echo.generate(size.n_train, seed=TRAIN_SEED)
    heldout_data = echo.generate(size.n_heldout, seed=HELDOUT_SEED)
    floor = theory.expected_loss((3, 8))
    optimal = theory.optimal_step_losses(*heldout_data)
    rows, summary = [], {}
    for name, framework in (("tf", rnnlib.tf), ("torch", rnnlib.torch)):
        for kind in KINDS:
            positions, losses, seconds = train_and_score(
                framework, kind, train_data, heldout_data, size
            )
            excess = theory.estimate(losses - optimal[positions])
            rows.append(
                {
                    "framework": {"tf": "TensorFlow", "torch": "PyTorch"}[name],
                    "cell": kind,
                    "held-out loss": float(losses.mean()),
                    "above optimal": excess.mean,
                    "95% interval": f"[{excess.low:.4f}, {excess.high:.4f}]",
                    "learned": theory.which_learned(float(losses.mean())),
                    "train seconds": seconds,
                }
            )
            summary[f"{name}_{kind}_heldout"] = float(losses.mean())
            summary[f"{name}_{kind}_seconds"] = seconds
    summary.update(
        {
            "floor": round(floor, 6),
            "optimal_on_heldout": float(optimal[positions].mean()),
            "epochs": size.num_epochs,
            "train_steps": size.n_train,
            "size": size.name,
        }
    )
    return Result(rows, summary)
