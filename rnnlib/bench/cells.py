"""Benchmark ``cells``: the tanh cell, the GRU and the LSTM trained on the echo task in
TensorFlow and in PyTorch.

Each is a library layer (Keras SimpleRNN / GRU / LSTM, PyTorch nn.RNN / nn.GRU /
nn.LSTM) with one output layer shared by every step, state_size 16, started from the
same weights in both frameworks (``rnnlib.numpy.gated``), trained by truncated backprop
with the state carried (num_steps 10, batch_size 200) by Adam at 0.01, then 0.001 for
the last epoch; then scored on a fresh held-out sequence, the state carried and nothing
trained, step by step against the optimal predictor on the same steps. Target at full
size: the GRU and the LSTM within 0.003 of the floor in both frameworks (chapter 7).

The interval of each excess over the optimal predictor is taken over means of blocks of
``BLOCK`` consecutive held-out steps (``theory.paired_excess(..., block=BLOCK)``), not
over single steps: a model's errors at nearby steps share its state, so per-step losses
may be autocorrelated, and an interval that treated them as independent would then be
too narrow. It covers the held-out noise only, not
the spread over seeds (one seed here). Speed, by ``rnnlib.timing``'s protocol: a short
training run (``TIMED_STEPS`` steps, tracing included) per framework and cell,
interleaved repeats, median and range, and a verdict word only where ranges do not
overlap.
"""

from rnnlib import config, timing
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
BLOCK = 1000  # held-out steps per block of the interval
TIMED_STEPS = 40_000  # steps of each timed training run: 20 windows


def new_model(framework, kind):
    return framework.SequenceLabeller(
        kind,
        gated.init_gated(
            kind, input_size=2, state_size=SETTINGS["state_size"], seed=INIT_SEED
        ),
        gated.init_head(
            state_size=SETTINGS["state_size"], num_classes=2, seed=INIT_SEED
        ),
    )


def train(framework, model, x, y, num_epochs):
    framework.train(
        model,
        x,
        y,
        optimizer="adam",
        batch_size=SETTINGS["batch_size"],
        num_steps=SETTINGS["num_steps"],
        num_epochs=num_epochs,
        learning_rate=SETTINGS["learning_rate"],
        final_learning_rate=SETTINGS["final_learning_rate"],
        progress=False,
    )


def train_and_score(framework, kind, train_data, heldout_data, size):
    """(positions, held-out losses step by step)."""
    model = new_model(framework, kind)
    train(framework, model, *train_data, size.num_epochs)
    return framework.heldout_step_losses(
        model, *heldout_data, batch_size=100, num_steps=100
    )


def time_training(frameworks, train_data) -> dict:
    """One short training run (TIMED_STEPS steps, tracing included) per framework and
    cell, interleaved repeats: {(name, kind): Timing}."""
    x, y = (v[:TIMED_STEPS] for v in train_data)
    candidates = {
        (name, kind): (
            lambda f=framework, k=kind: train(f, new_model(f, k), x, y, num_epochs=1)
        )
        for name, framework in frameworks
        for kind in KINDS
    }
    return timing.interleaved(candidates, repeats=timing.MIN_REPEATS)


def run() -> Result:
    import rnnlib.tf

    import torch

    import rnnlib.torch

    torch.set_num_threads(1)  # one thread, as the book's pages run these cells
    size = config.sizes("bench.cells")
    train_data = echo.generate(size.n_train, seed=TRAIN_SEED)
    heldout_data = echo.generate(size.n_heldout, seed=HELDOUT_SEED)
    floor = theory.expected_loss((3, 8))
    optimal = theory.optimal_step_losses(*heldout_data)
    frameworks = (("tf", rnnlib.tf), ("torch", rnnlib.torch))
    times = time_training(frameworks, train_data)
    rows, summary = [], {}
    for name, framework in frameworks:
        for kind in KINDS:
            positions, losses = train_and_score(
                framework, kind, train_data, heldout_data, size
            )
            excess = theory.paired_excess(losses, *heldout_data, positions, block=BLOCK)
            run_ms = times[name, kind].as_dict(per=1e-3)
            rows.append(
                {
                    "framework": {"tf": "TensorFlow", "torch": "PyTorch"}[name],
                    "cell": kind,
                    "held-out loss": float(losses.mean()),
                    "above optimal": excess.mean,
                    f"95% interval ({BLOCK}-step blocks)": (
                        f"[{excess.low:.4f}, {excess.high:.4f}]"
                    ),
                    "learned": theory.which_learned(float(losses.mean())),
                    "short run ms (median, min-max)": (
                        f"{run_ms['median']:.0f} ({run_ms['min']:.0f}-"
                        f"{run_ms['max']:.0f})"
                    ),
                }
            )
            summary[f"{name}_{kind}_heldout"] = float(losses.mean())
            summary[f"{name}_{kind}_excess_low"] = excess.low
            summary[f"{name}_{kind}_excess_high"] = excess.high
            for key, value in run_ms.items():
                summary[f"{name}_{kind}_run_ms_{key}"] = value
    for kind in KINDS:  # the verdict word, spaces as underscores (key=value line)
        verdict = timing.verdict(times["torch", kind], times["tf", kind])
        summary[f"{kind}_torch_vs_tf"] = verdict.replace(" ", "_")
    summary.update(
        {
            "floor": round(floor, 6),
            "optimal_on_heldout": float(optimal[positions].mean()),
            "epochs": size.num_epochs,
            "train_steps": size.n_train,
            "timed_steps": TIMED_STEPS,
            "size": size.name,
        }
    )
    return Result(rows, summary)
