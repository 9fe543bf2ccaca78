"""Benchmark ``echo``: the hand-rolled cell trained to the floor in TensorFlow and in
PyTorch.

Both frameworks start from the same weights (``rnnlib.numpy.cell.init_params``) and
train on the same data with the same settings; each is then scored on a fresh held-out
sequence, the state carried and nothing trained. The floor is the best expected loss any
model can reach (chapter 2). Target at full size: both held-out losses within 0.003 of
the floor, each training in under 30 s on two CPU cores.
"""

import time

from rnnlib import config
from rnnlib.bench import Result
from rnnlib.data import echo, theory
from rnnlib.numpy.cell import init_params

SETTINGS = {
    "num_steps": 10,
    "state_size": 16,
    "batch_size": 200,
    "optimizer": "adagrad",
    "learning_rate": 0.3,
}
TRAIN_SEED, HELDOUT_SEED, INIT_SEED = 1, 2, 0


def train_and_score(
    framework, train_data, heldout_data, num_epochs
) -> tuple[float, float]:
    """Train the framework's HandRolledRNN; return (held-out loss, training seconds)."""
    model = framework.HandRolledRNN(
        init_params(state_size=SETTINGS["state_size"], seed=INIT_SEED)
    )
    start = time.perf_counter()
    framework.train(
        model,
        *train_data,
        batch_size=SETTINGS["batch_size"],
        num_steps=SETTINGS["num_steps"],
        num_epochs=num_epochs,
        optimizer=SETTINGS["optimizer"],
        learning_rate=SETTINGS["learning_rate"],
        progress=False,
    )
    seconds = time.perf_counter() - start
    return framework.heldout_loss(model, *heldout_data, batch_size=100), seconds


def run() -> Result:
    import rnnlib.tf

    import torch

    import rnnlib.torch

    # The cell's ops are tiny: one thread is fastest, and a second thread that spins
    # waiting for work
    # makes PyTorch ten times slower whenever anything else runs on the machine.
    torch.set_num_threads(1)

    size = config.sizes("bench.echo")
    train_data = echo.generate(size.n_train, seed=TRAIN_SEED)
    heldout_data = echo.generate(size.n_heldout, seed=HELDOUT_SEED)
    floor = theory.expected_loss((3, 8))
    optimal = float(theory.optimal_step_losses(*heldout_data).mean())

    results = {
        name: train_and_score(framework, train_data, heldout_data, size.num_epochs)
        for name, framework in (("tf", rnnlib.tf), ("torch", rnnlib.torch))
    }
    rows = [
        {
            "framework": {"tf": "TensorFlow", "torch": "PyTorch"}[name],
            "held-out loss": loss,
            "above floor": loss - floor,
            "learned": theory.which_learned(loss),
            "train seconds": seconds,
        }
        for name, (loss, seconds) in results.items()
    ]
    summary = {
        "tf_heldout_loss": results["tf"][0],
        "torch_heldout_loss": results["torch"][0],
        "floor": round(floor, 6),
        "optimal_on_heldout": optimal,
        "tf_seconds": results["tf"][1],
        "torch_seconds": results["torch"][1],
        "epochs": size.num_epochs,
        "train_steps": size.n_train,
        "learning_rate": SETTINGS["learning_rate"],
        "size": size.name,
    }
    return Result(rows, summary)
