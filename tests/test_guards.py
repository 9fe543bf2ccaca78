"""Every entry point guarded: bad input, as a user would give it, gets a ValueError or
TypeError that names the argument, the value received and what is accepted, in the same
words in TensorFlow and PyTorch (issue 23).

Each case is run in both frameworks where it applies, and the two messages are compared
with each other, not only with a pattern.
"""

import re

import rnnlib.tf as rtf  # first: sets TensorFlow's logging before TensorFlow loads

import numpy as np
import pytest
import tensorflow as tf
import torch

import rnnlib.torch as rtorch
from rnnlib import recipes
from rnnlib.bench import saved
from rnnlib.data import echo, sequences, theory, truncation
from rnnlib.numpy import cell, gated, layouts, lstm_stack
from rnnlib.numpy import gradients as ng

LIBS = {"tf": (rtf, tf.constant), "torch": (rtorch, torch.as_tensor)}
X, Y = echo.generate(1000, seed=0)
PARAMS = cell.init_params(state_size=4, seed=0)


def message(call) -> tuple[type, str]:
    with pytest.raises((ValueError, TypeError)) as error:
        call()
    return error.type, str(error.value)


def same_in_both(make_call, pattern):
    """The error of ``make_call(lib, tensor)`` in both frameworks: the same type and
    message, matching ``pattern``."""
    found = {
        name: message(lambda lib=lib: make_call(*lib)) for name, lib in LIBS.items()
    }
    assert found["tf"] == found["torch"], found
    assert re.search(pattern, found["tf"][1]), found["tf"][1]


def hand_rolled(lib, tensor):
    return lib.HandRolledRNN(PARAMS)


# ---------------------------------------------------------------- training settings


@pytest.mark.parametrize(
    "options, pattern",
    [
        ({"learning_rate": -1}, r"learning_rate must be a finite number > 0, got -1"),
        (
            {"final_learning_rate": -1, "num_epochs": 2},
            r"final_learning_rate must be a finite number > 0, got -1",
        ),
        ({"clip_norm": -1.0}, r"clip_norm must be None or a finite number > 0, got -1"),
        ({"clip_norm": 0}, r"clip_norm must be None or a finite number > 0, got 0"),
        ({"num_steps": 0}, r"num_steps must be an integer >= 1, got 0"),
        ({"batch_size": 0}, r"batch_size must be an integer >= 1, got 0"),
        ({"optimizer": "rms"}, r"optimizer must be one of .* got 'rms'"),
    ],
)
def test_train_refuses_bad_settings(options, pattern):
    same_in_both(
        lambda lib, t: lib.train(hand_rolled(lib, t), X, Y, progress=False, **options),
        pattern,
    )


def test_training_with_norms_refuses_a_negative_max_norm():
    same_in_both(
        lambda lib, t: lib.train_with_norms(
            hand_rolled(lib, t),
            X,
            Y,
            batch_size=10,
            num_steps=10,
            learning_rate=0.1,
            max_norm=-1,
        ),
        r"max_norm must be None or a finite number > 0, got -1",
    )


def test_truncated_training_refuses_a_negative_learning_rate():
    same_in_both(
        lambda lib, t: lib.train_truncated(
            hand_rolled(lib, t), X, Y, style="true", batch_size=20, learning_rate=-0.1
        ),
        r"learning_rate must be a finite number > 0, got -0.1",
    )


# ---------------------------------------------------------------- tokens and lengths


def test_out_of_range_classes_are_refused_not_encoded_as_zeros():
    """TensorFlow's one_hot encodes an id of 2 as [0, 0]; both frameworks refuse it."""
    pattern = r"x must hold classes in \[0, 2\), got values from 0 to 2"
    bad = np.array([[0, 1, 2], [1, 1, 0]])
    for make in (
        lambda lib: lib.HandRolledRNN(PARAMS),
        lambda lib: lib.LibraryRNN(PARAMS),
    ):
        same_in_both(
            lambda lib, t, make=make: make(lib)(t(bad), make(lib).zero_state(2)),
            pattern,
        )
    same_in_both(
        lambda lib, t: lib.UnrolledRNN(PARAMS)(t(bad), (t(np.zeros((2, 4), "f")),)),
        pattern,
    )
    x = X.copy()
    x[5] = 2
    same_in_both(
        lambda lib, t: lib.heldout_loss(hand_rolled(lib, t), x, Y),
        r"x must hold classes in \[0, 2\), got values from 0 to 2",
    )
    y = Y.copy()
    y[7] = -1
    same_in_both(
        lambda lib, t: lib.heldout_loss(hand_rolled(lib, t), X, y),
        r"y must hold classes in \[0, 2\), got values from -1 to 1",
    )


def labeller(lib, cls="SequenceLabeller", input_size=5):
    return getattr(lib, cls)(
        "gru",
        gated.init_gated("gru", input_size=input_size, state_size=3),
        gated.init_head(state_size=3, num_classes=3),
    )


def test_labeller_and_classifier_refuse_bad_tokens_and_windows():
    same_in_both(
        lambda lib, t: labeller(lib)(t(np.full((2, 4), 5))),
        r"x must hold classes in \[0, 5\), got values from 5 to 5",
    )
    same_in_both(
        lambda lib, t: labeller(lib)(t(np.zeros((2, 0), np.int64))),
        r"x must have shape \(batch_size, num_steps\), both >= 1, got \(2, 0\)",
    )
    same_in_both(
        lambda lib, t: labeller(lib, "SequenceClassifier")(
            t(np.full((2, 4), -1)), np.array([2, 4])
        ),
        r"x must hold classes in \[0, 5\), got values from -1 to -1",
    )


@pytest.mark.parametrize("lengths", [[0, 4], [-1, 2], [2, 9]])
def test_padded_lengths_must_lie_in_one_to_max_length(lengths):
    """A length of 0 would read the last step (index -1); 9 would read past a row of
    4 (PyTorch clamped it in padded_cross_entropy, and divided 0 by 0 when all were
    0)."""
    lengths = np.array(lengths)
    pattern = r"lengths must lie in \[1, 4\] \(the padded length\), got values from"
    outputs = np.zeros((2, 4, 3), np.float32)
    same_in_both(lambda lib, t: lib.last_valid(t(outputs), lengths), pattern)
    same_in_both(
        lambda lib, t: lib.padded_cross_entropy(
            t(outputs), np.zeros((2, 4), np.int64), lengths
        ),
        pattern,
    )
    same_in_both(
        lambda lib, t: labeller(lib, "SequenceClassifier")(
            t(np.ones((2, 4), np.int64)), lengths
        ),
        pattern,
    )
    same_in_both(
        lambda lib, t: lib.padded_cross_entropy(
            t(outputs), np.zeros((2, 4), np.int64), np.array([0, 0])
        ),
        pattern,
    )


def test_sequence_lengths_must_be_integers():
    """A float length made the static and the dynamic unroll of PyTorch disagree."""
    params = gated.init_gated("gru", input_size=2, state_size=3)
    for unroll in ("static_unroll", "dynamic_unroll"):
        same_in_both(
            lambda lib, t, unroll=unroll: getattr(lib, unroll)(
                lib.make_cell("gru", params),
                t(np.zeros((2, 4, 2), np.float32)),
                (t(np.zeros((2, 3), np.float32)),),
                np.array([2.5, 3.0]),
            ),
            r"sequence_length must hold integers, got dtype float64",
        )


def test_zero_batch_sizes_and_empty_inputs_are_named():
    same_in_both(
        lambda lib, t: hand_rolled(lib, t).zero_state(0),
        r"batch_size must be an integer >= 1, got 0",
    )
    same_in_both(
        lambda lib, t: hand_rolled(lib, t)(
            t(np.zeros((2, 0), np.int64)), hand_rolled(lib, t).zero_state(2)
        ),
        r"x must have shape \(batch_size, num_steps\), both >= 1, got \(2, 0\)",
    )
    same_in_both(
        lambda lib, t: lib.static_unroll(
            lib.make_cell("lstm", gated.init_gated("lstm", input_size=2, state_size=3)),
            t(np.zeros((2, 0, 2), np.float32)),
            None,
        ),
        r"inputs must have shape \(batch_size, num_steps, input_size\), batch_size "
        r"and num_steps >= 1, got shape \(2, 0, 2\)",
    )


# ---------------------------------------------------------------- layouts


def test_mismatched_layouts_are_named():
    lstm = gated.init_gated("lstm", input_size=2, state_size=3)
    same_in_both(
        lambda lib, t: lib.make_cell("gru", lstm),
        r"params of a gru is missing \['Wx_r', ",
    )
    same_in_both(
        lambda lib, t: lib.make_cell("tanh", lstm),
        r"kind must be one of \['rnn', 'gru', 'lstm'\], got 'tanh'",
    )
    arrays = layouts.to_torch("lstm", lstm)
    arrays["weight_ih"] = arrays["weight_ih"].T
    with pytest.raises(
        ValueError, match=r"weight_ih of a PyTorch lstm has shape .* got \(2, 12\)"
    ):
        layouts.from_torch("lstm", arrays)
    with pytest.raises(ValueError, match=r"head\['U'\] must have shape \(3, num_cl"):
        rtf.SequenceLabeller("lstm", lstm, gated.init_head(state_size=4, num_classes=2))


def test_pytorch_refuses_keras_only_options_by_name():
    params = lstm_stack.init_params(num_inputs=3, state_sizes=(4,), num_classes=2)
    with pytest.raises(ValueError, match=r"unroll must be False in PyTorch: .* True"):
        rtorch.MnistLSTM(params, unroll=True)
    with pytest.raises(ValueError, match=r"index must be 0 for a Keras layer, .* 1"):
        rtf.set_gated_weights(
            rtf.gated_layer("rnn", gated.init_gated("rnn", input_size=2, state_size=3)),
            gated.init_gated("rnn", input_size=2, state_size=3),
            index=1,
        )


# ---------------------------------------------------------------- classifiers


def mnist_model(lib, t):
    return lib.MnistLSTM(
        lstm_stack.init_params(num_inputs=3, state_sizes=(4,), num_classes=2)
    )


CLASSIFIER_X = np.zeros((8, 2, 3), np.float32)


@pytest.mark.parametrize(
    "change, pattern",
    [
        ({"clip_norm": -1.0}, r"recipe.clip_norm must be None or a finite number > 0"),
        ({"learning_rate": -0.01}, r"recipe.learning_rate must be a finite number > 0"),
        ({"batch_size": 0}, r"recipe.batch_size must be an integer >= 1, got 0"),
        ({"weight_decay": -1.0}, r"recipe.weight_decay must be a finite number >= 0"),
        ({"warmup": 1.5}, r"recipe.warmup must lie in \(0, 1\), got 1.5"),
    ],
)
def test_recipes_are_checked_before_training(change, pattern):
    recipe = recipes.SEED_001._replace(**{"batch_size": 4, "num_epochs": 1, **change})
    same_in_both(
        lambda lib, t: lib.train_classifier(
            mnist_model(lib, t), CLASSIFIER_X, np.zeros(8, int), recipe, progress=False
        ),
        pattern,
    )


def test_classifier_data_is_checked():
    recipe = recipes.SEED_001._replace(batch_size=4, num_epochs=1)
    same_in_both(
        lambda lib, t: lib.train_classifier(
            mnist_model(lib, t),
            CLASSIFIER_X,
            np.zeros(8, int),
            recipe,
            x_val=CLASSIFIER_X[:2],
            progress=False,
        ),
        r"x_val was given without y_val: pass both",
    )
    same_in_both(
        lambda lib, t: lib.train_classifier(
            mnist_model(lib, t), CLASSIFIER_X, np.full(8, 7), recipe, progress=False
        ),
        r"y must hold classes in \[0, 2\), got values from 7 to 7",
    )
    same_in_both(
        lambda lib, t: lib.make_classifier_step(
            mnist_model(lib, t), None, clip_norm=-1
        ),
        r"clip_norm must be None or a finite number > 0, got -1",
    )
    same_in_both(
        lambda lib, t: lib.predict_logits(
            mnist_model(lib, t), CLASSIFIER_X, batch_size=0
        ),
        r"batch_size must be an integer >= 1, got 0",
    )


# ---------------------------------------------------------------- NumPy and data


def test_numpy_guards():
    with pytest.raises(ValueError, match=r"y must hold classes in \[0, 3\), got .*-1"):
        cell.mean_cross_entropy(np.zeros((1, 2, 3)), np.array([[0, -1]]))
    with pytest.raises(ValueError, match=r"input_size must be an integer >= 1, got -3"):
        gated.num_params("lstm", input_size=-3, state_size=4)
    with pytest.raises(ValueError, match=r"matrix has spectral radius 0"):
        ng.scale_to_radius(np.zeros((2, 2)), 1.0)
    clipped, norm = ng.clip_by_global_norm((g for g in [np.full(4, 2.0)]), 1.0)
    assert norm == 4.0 and len(clipped) == 1 and np.allclose(clipped[0], 0.5)
    with pytest.raises(TypeError, match=r"grads must be a dict or a list of arrays"):
        ng.clip_by_global_norm(3.0, 1.0)


def test_echo_task_guards():
    with pytest.raises(
        ValueError, match=r"x must hold the echo task's 0s and 1s, got 2"
    ):
        theory.optimal_step_losses(np.array([0, 2, 1] * 5), np.zeros(15, int))
    losses = np.full(2, 0.5)
    for positions in ([-1, 2], [0.5, 1.0], [0, 1000]):
        with pytest.raises(ValueError, match=r"positions must be integer indices"):
            truncation.echo_learned(X, Y, np.array(positions), losses)
        with pytest.raises(ValueError, match=r"positions must be integer indices"):
            theory.paired_excess(losses, X, Y, np.array(positions))
    for lags in ((0, 1), (-2, 1)):
        with pytest.raises(ValueError, match=r"lags\[i\] must be an integer >= 1"):
            sequences.echo_rules(3, min_length=2, max_length=4, lags=lags)
    with pytest.raises(ValueError, match=r"lags must name at least one lag, each once"):
        sequences.rule_posteriors(np.ones((1, 3), int), [3], lags=(1, 1))


def test_absurd_sizes_are_refused_with_the_memory_they_need():
    with pytest.raises(
        ValueError,
        match=r"n=10,000,000,000 would need 298.0 GiB of memory for 10,000,000,000 "
        r"echo steps; rnnlib refuses requests over 8 GiB, at most 268,435,456",
    ):
        echo.generate(10**10)
    with pytest.raises(ValueError, match=r"max_length=1,000,000,000 would need .* GiB"):
        sequences.echo_segments(10, min_length=1, max_length=10**9)
    with pytest.raises(ValueError, match=r"max_length=100,000,000 would need .* GiB"):
        sequences.echo_rules(1000, min_length=1, max_length=10**8)


def test_a_corrupt_saved_result_is_named(tmp_path):
    (tmp_path / "echo.json").write_text('{"name": "echo", "rows": [')
    with pytest.raises(ValueError, match=r"echo.json is not valid JSON"):
        saved.load(tmp_path)
    assert saved.load(tmp_path / "nowhere") == {}
