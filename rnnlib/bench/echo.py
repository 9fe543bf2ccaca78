"""Benchmark ``echo``: the hand-rolled cell trained to the floor in TensorFlow and in PyTorch.

Both frameworks start from the same weights (``cell_numpy.init_params``) and train on the same data
with the same settings; each is then scored on a fresh held-out sequence, the state carried and
nothing trained. The floor is the best expected loss any model can reach (chapter 2). Target at full
size: both held-out losses within 0.003 of the floor, each training in under 30 s on two CPU cores.
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlib import echo, pick, size_name  # noqa: E402
from rnnlib.bench import Result  # noqa: E402
from rnnlib.cell_numpy import init_params  # noqa: E402

SETTINGS = {
    "num_steps": 10,
    "state_size": 16,
    "batch_size": 200,
    "optimizer": "adagrad",
    "learning_rate": 0.3,
}
TRAIN_SEED, HELDOUT_SEED, INIT_SEED = 1, 2, 0


def train_and_score(cell_module, train_data, heldout_data, num_epochs) -> tuple[float, float]:
    """Train the module's HandRolledRNN; return (held-out loss, training seconds)."""
    model = cell_module.HandRolledRNN(init_params(state_size=SETTINGS["state_size"], seed=INIT_SEED))
    start = time.perf_counter()
    cell_module.train(
        model, *train_data, batch_size=SETTINGS["batch_size"], num_steps=SETTINGS["num_steps"],
        num_epochs=num_epochs, optimizer=SETTINGS["optimizer"], learning_rate=SETTINGS["learning_rate"],
        progress=False,
    )
    seconds = time.perf_counter() - start
    return cell_module.heldout_loss(model, *heldout_data, batch_size=100), seconds


def run() -> Result:
    import torch

    from rnnlib import cell_tf, cell_torch

    # The cell's ops are tiny: one thread is fastest, and a second thread that spins waiting for work
    # makes PyTorch ten times slower whenever anything else runs on the machine.
    torch.set_num_threads(1)

    n_train = pick(full=1_000_000, quick=100_000)
    num_epochs = pick(full=10, quick=2)
    train_data = echo.generate(n_train, seed=TRAIN_SEED)
    heldout_data = echo.generate(pick(full=1_000_000, quick=100_000), seed=HELDOUT_SEED)
    floor = echo.expected_loss((3, 8))
    optimal = echo.monte_carlo_loss((3, 8), n=len(heldout_data[0]), seed=HELDOUT_SEED).mean

    results = {name: train_and_score(module, train_data, heldout_data, num_epochs)
               for name, module in (("tf", cell_tf), ("torch", cell_torch))}
    rows = [
        {"framework": {"tf": "TensorFlow", "torch": "PyTorch"}[name], "held-out loss": loss,
         "above floor": loss - floor, "learned": echo.which_learned(loss), "train seconds": seconds}
        for name, (loss, seconds) in results.items()
    ]
    summary = {
        "tf_heldout_loss": results["tf"][0],
        "torch_heldout_loss": results["torch"][0],
        "floor": round(floor, 6),
        "optimal_on_heldout": optimal,
        "tf_seconds": results["tf"][1],
        "torch_seconds": results["torch"][1],
        "epochs": num_epochs,
        "train_steps": n_train,
        "learning_rate": SETTINGS["learning_rate"],
        "size": size_name(),
    }
    return Result(rows, summary)
