"""Benchmark ``probe``: what a linear probe reads from the echo cell's state.

Chapter 3's NumPy cell (state_size 4, batch_size 200, Adagrad 0.1 as TF1 ran it) is
trained on the echo task with num_steps 1, 5 and 10, ``num_seeds`` starting weights
each (``rnnlib.probing``); a logistic probe fitted on half of a held-out sequence then
reads X_{t-3} and X_{t-8} from the state S_t on the other half. Chance is 0.5. Keys:
``probe_acc_lag{3,8}_ns{1,5,10}`` (mean over seeds), the same for the untrained cells
(``..._ns0``), and each model's held-out accuracy in the table.
"""

import time

import numpy as np

from rnnlib import config, probing
from rnnlib.bench import Result
from rnnlib.data import echo
from rnnlib.numpy import cell
from rnnlib.numpy.blas import set_blas_threads

NUM_STEPS = (1, 5, 10)
TRAIN_SEED, HELDOUT_SEED = 1, 2


def run() -> Result:
    size = config.sizes("bench.probe")
    set_blas_threads(1)  # small matrices: more threads can be slower than one
    x, y = echo.generate(size.n_train, seed=TRAIN_SEED)
    x_heldout, _ = echo.generate(size.n_heldout, seed=HELDOUT_SEED)
    rows, accuracy = [], {}
    for num_steps in (0,) + NUM_STEPS:  # 0: the untrained cell
        for seed in range(size.seeds):
            start = time.perf_counter()
            if num_steps == 0:
                params = cell.init_params(num_classes=2, state_size=4, seed=seed)
            else:
                params = probing.train_echo_cell(
                    x, y, num_steps=num_steps, seed=seed, num_epochs=size.num_epochs
                )
            correct = probing.probe_lags(params, x_heldout)
            row = {"num_steps": num_steps or "untrained", "seed": seed}
            for lag, values in correct.items():
                accuracy.setdefault((lag, num_steps), []).append(values.mean())
                row[f"X(t-{lag}) accuracy"] = float(values.mean())
            row["seconds"] = round(time.perf_counter() - start, 1)
            rows.append(row)
    summary = {
        f"probe_acc_lag{lag}_ns{num_steps}": float(np.mean(accuracy[lag, num_steps]))
        for num_steps in NUM_STEPS + (0,)
        for lag in probing.LAGS
    }
    summary |= {
        "seeds": size.seeds,
        "n_train": size.n_train,
        "num_epochs": size.num_epochs,
        "n_heldout": size.n_heldout,
        "size": size.name,
    }
    return Result(rows, summary)
