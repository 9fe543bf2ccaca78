"""The table of sizes: every setting a page or a benchmark uses, at full size and at
the quick size (``rnnlib.config`` reads it; ``RNNLIB_QUICK=1`` picks the quick column).

An entry is named after its page's file (``NN-slug``; twin TF and PyTorch pages read
one entry) or its benchmark (``bench.NAME``); each setting is a ``Size(full, quick,
"what it counts")``.
"""

from typing import NamedTuple


class Size(NamedTuple):
    """One setting at both sizes, and what it counts."""

    full: int | float
    quick: int | float
    about: str


S = Size
# Twin TF and PyTorch pages read one entry: the same inputs in both frameworks.
_HAND_ROLLED_CELL = {
    "n": S(1_000_000, 100_000, "training steps of the main run"),
    "num_epochs": S(3, 2, "epochs of the main run"),
    "every": S(100, 10, "windows per point of a learning curve"),
    "n_heldout": S(100_000, 20_000, "held-out steps every model is scored on"),
    "n_sweep": S(50_000, 10_000, "training steps of each run of the sweep"),
    "every_sweep": S(25, 5, "windows per point of the sweep's curves"),
    "seeds": S(3, 1, "seeds (weights and data) per setting of the sweep"),
}

_GRADIENTS = {
    "num_seeds": S(3, 1, "seeds of every curve and every trained model"),
    "num_rows": S(100, 10, "rows of echo inputs a Jacobian norm is averaged over"),
    "n_train": S(500_000, 20_000, "training steps of each trained cell"),
    "n_explode": S(300_000, 10_000, "training steps of each exploding run"),
}

_GATED_CELLS = {
    "n_train": S(1_000_000, 200_000, "echo steps each trained cell reads per epoch"),
    "num_epochs": S(3, 2, "echo epochs, the last at a tenth of the learning rate"),
    "n_heldout": S(1_000_000, 50_000, "held-out echo steps"),
    "every": S(50, 5, "windows per point of an echo learning curve"),
    "seeds": S(2, 1, "starting weights per cell, and per clipping setting"),
    "n_clip": S(200_000, 60_000, "echo steps of each gradient-clipping run"),
}

_SEQUENCES = {
    "n_segments": S(3_000, 1_000, "training stretches of the labelling task"),
    "seeds": S(2, 1, "starting weights per trained classifier and labeller"),
}

_MNIST_LSTM = {
    "n_train": S(55_000, 2_000, "training images (the first 5,000 are validation)"),
    "n_val": S(5_000, 500, "validation images, scored after every epoch"),
    "n_test": S(10_000, 1_000, "test images scored"),
    "num_epochs": S(10, 1, "epochs of each recipe"),
    "timing_steps": S(20, 3, "training steps in each timed block"),
    "timing_repeats": S(5, 5, "timed blocks of each candidate, taking turns"),
}

_DATA_PARALLEL = {
    "n_train": S(6_400, 640, "training images of every run (two epochs each)"),
    "n_test": S(10_000, 1_000, "test images the workers score in shards"),
    "timing_repeats": S(7, 5, "timed blocks of one worker and of all, each"),
    "timing_steps": S(20, 3, "training steps in each timed block"),
}

_CHAR_LSTM = {
    "n_train": S(1_003_854, 100_000, "training characters (all of the 90 % split)"),
    "n_val": S(111_540, 5_000, "validation characters read (all of the 10 % split)"),
    "state_size": S(256, 64, "LSTM units of the page's model"),
    "train_steps": S(600, 30, "training steps (windows of 32 x 100 characters)"),
    "sample_chars": S(600, 200, "characters sampled at each setting"),
}

_ECHO_PROBE = {
    "n_train": S(1_000_000, 100_000, "echo steps each probed cell trains on"),
    "num_epochs": S(3, 1, "epochs of each probed echo cell"),
    "n_heldout": S(100_000, 20_000, "held-out echo steps the probes read"),
    "seeds": S(3, 2, "seeds of each num_steps"),
}

#: page or benchmark -> setting -> Size. Settings that do not change with the size stay
#: in the pages: this table holds only what the quick switch changes.
SIZES: dict[str, dict[str, Size]] = {
    "01-echo-task": {
        "n": S(1_000_000, 100_000, "steps of echo data generated"),
        "n_check": S(100_000, 10_000, "steps on which the original loop is reproduced"),
        "seeds": S(
            3, 1, "runs (weights and data seeds) of the nested-batching exhibit"
        ),
        "n_seed": S(
            10_000, 2_000, "steps of each run of that exhibit (the seed's 10,000)"
        ),
    },
    "02-expected-loss": {
        "n": S(2_000_000, 200_000, "steps per Monte Carlo estimate of a floor"),
    },
    "03-hand-rolled-cell": {
        "n": S(1_000_000, 50_000, "training steps"),
        "num_epochs": S(1, 1, "epochs of the main run"),
        "every": S(1000, 100, "windows per point of a learning curve"),
        "n_short": S(200_000, 20_000, "training steps of each run of the exercises"),
        "every_short": S(250, 100, "windows per point in the exercises' curves"),
        "seeds": S(3, 2, "seeds (weights and data) per setting in the exercises"),
    },
    "03-hand-rolled-cell-tf": _HAND_ROLLED_CELL,
    "03-hand-rolled-cell-torch": _HAND_ROLLED_CELL,
    "04-unrolling-tf": {
        "longest": S(200, 50, "longest num_steps measured (of 10, 50, 100, 200)"),
        "repeats": S(15, 5, "timed training steps per variant and num_steps"),
        "fold_steps": S(200, 100, "steps of the constant-folding example"),
        "xla_steps": S(50, 10, "num_steps compiled with XLA"),
    },
    "04-unrolling-torch": {
        "longest": S(200, 50, "longest num_steps measured (of 10, 50, 100, 200)"),
        "repeats": S(15, 5, "timed training steps per variant and num_steps"),
        "compiled_steps": S(10, 0, "num_steps run under torch.compile (0: none)"),
    },
    "05-truncated-backprop-torch": {
        "n_train": S(300_000, 40_000, "training steps (equal data)"),
        "num_epochs": S(5, 1, "epochs"),
        "n_heldout": S(100_000, 20_000, "held-out steps"),
        "repeats": S(10, 5, "timed updates per style, interleaved"),
        "bias_rows": S(200, 50, "rows of echo data the gradient bias is measured on"),
    },
    "06-gradients": {
        "num_seeds": S(3, 1, "seeds of every curve and every trained model"),
        "num_rows": S(100, 20, "rows of echo inputs a Jacobian norm is averaged over"),
        "n_train": S(1_000_000, 50_000, "training steps of each trained cell"),
        "n_explode": S(300_000, 10_000, "training steps of each exploding run"),
    },
    "06-gradients-tf": _GRADIENTS,
    "06-gradients-torch": _GRADIENTS,
    "07-gated-cells-tf": _GATED_CELLS,
    "07-gated-cells-torch": _GATED_CELLS,
    "08-sequences-tf": _SEQUENCES,
    "08-sequences-torch": _SEQUENCES,
    "10-mnist-lstm-tf": _MNIST_LSTM,
    "10-mnist-lstm-torch": _MNIST_LSTM,
    "11-data-parallel-tf": _DATA_PARALLEL,
    "11-data-parallel-torch": _DATA_PARALLEL,
    "12-char-baselines": {
        "n_train": S(1_003_854, 200_000, "training characters the n-grams count"),
        "sample_chars": S(400, 200, "characters sampled from the best n-gram model"),
    },
    "13-min-char-rnn": {
        "n_train": S(1_003_854, 100_000, "training characters (all of the 90 % split)"),
        "n_val": S(111_540, 10_000, "validation characters read"),
        "state_size": S(128, 64, "units of the tanh cell"),
        "num_epochs": S(4, 1, "passes over the training text"),
    },
    "14-char-lstm-tf": _CHAR_LSTM,
    "14-char-lstm-torch": _CHAR_LSTM,
    "15-state-probe": {
        **_ECHO_PROBE,
        "n_lm_train": S(1_003_854, 100_000, "characters the language model trains on"),
        "lm_epochs": S(2, 1, "passes of the language model over them"),
        "lm_state_size": S(128, 32, "units of the language model probed"),
        "n_val": S(111_540, 20_000, "validation characters whose states are probed"),
    },
    "bench.data": {
        "n": S(1_000_000, 100_000, "steps each generator makes"),
    },
    "bench.gradients": {
        "num_rows": S(100, 10, "rows of echo inputs a Jacobian norm is averaged over"),
        "num_seeds": S(3, 1, "seeds of each cell's starting weights"),
    },
    "bench.echo": {
        "n_train": S(1_000_000, 100_000, "training steps"),
        "num_epochs": S(10, 2, "epochs"),
        "n_heldout": S(1_000_000, 100_000, "held-out steps"),
    },
    "bench.unroll": {
        "num_lengths": S(
            4, 2, "how many num_steps of (10, 100, 50, 200), in that order"
        ),
        "longest_compiled": S(100, 0, "longest num_steps run under torch.compile"),
        "repeats": S(30, 5, "timed training steps per variant"),
    },
    "bench.truncation": {
        "n_train": S(300_000, 40_000, "training steps (equal data)"),
        "num_epochs": S(5, 1, "epochs"),
        "n_heldout": S(100_000, 20_000, "held-out steps"),
        "seeds": S(3, 1, "initial weights per style and n"),
        "num_lengths": S(
            9, 2, "how many n of (4, 9, 16, 5, 6, 7, 8, 10, 12), in that order"
        ),
        "repeats": S(10, 5, "timed updates per style and n, interleaved"),
    },
    "bench.cells": {
        "n_train": S(1_000_000, 50_000, "training steps"),
        "num_epochs": S(3, 2, "epochs, the last at a tenth of the learning rate"),
        "n_heldout": S(1_000_000, 50_000, "held-out steps"),
    },
    "bench.mnist": {
        "n_train": S(55_000, 1_024, "training images"),
        "n_test": S(10_000, 500, "test images scored"),
        "num_epochs": S(10, 1, "epochs of the one-cycle recipe"),
        "num_seeds": S(
            3, 1, "seeds (weights and batch order) per framework and recipe"
        ),
        "timing_steps": S(100, 0, "steps timed per thread setting (0: not timed)"),
        "timing_repeats": S(5, 5, "processes per setting, the settings taking turns"),
    },
    "bench.text": {
        "train_steps": S(1300, 8, "training steps of each run (64 x 100 characters)"),
        "state_size": S(512, 16, "LSTM units"),
        "num_seeds": S(3, 1, "seeds per framework"),
        "threads": S(2, 1, "threads of each framework (two cores; one in tests)"),
    },
    "bench.probe": _ECHO_PROBE,
    "bench.parallel": {
        "n_train": S(6_400, 256, "training images (two epochs, global batch 128)"),
        "timing_repeats": S(7, 5, "timed blocks of one worker and of all, each"),
        "timing_steps": S(20, 2, "training steps in each timed block"),
    },
}
del S
