"""Sweeps trained at once (rnnlib.sweeps, rnnlib.numpy.stacked): a stacked run of M
models is M separate runs, model by model, up to rounding."""

import numpy as np
import pytest

from rnnlib import sweeps, training
from rnnlib.data import echo
from rnnlib.numpy import cell, stacked

STATE_SIZE = 4


def models(num_models=3, state_size=STATE_SIZE):
    return [cell.init_params(state_size=state_size, seed=s) for s in range(num_models)]


def test_stacked_cell_is_each_models_cell():
    params_list = models()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(3, 5, 7))  # (M, batch_size, num_steps)
    y = rng.integers(0, 2, size=(3, 5, 7))
    init_state = rng.uniform(-0.5, 0.5, size=(3, 5, STATE_SIZE))
    losses, grads, final = stacked.loss_and_gradients(
        stacked.stack(params_list), x, y, init_state
    )
    step_losses, _ = stacked.step_losses(stacked.stack(params_list), x, y, init_state)
    assert losses.shape == (3,) and final.shape == (3, 5, STATE_SIZE)
    for m, params in enumerate(params_list):
        loss, grads_m, final_m = cell.loss_and_gradients(
            params, x[m], y[m], init_state[m]
        )
        assert abs(losses[m] - loss) < 1e-14
        assert abs(step_losses[m].mean() - loss) < 1e-14
        for name in cell.PARAM_NAMES:
            np.testing.assert_allclose(grads[name][m], grads_m[name], atol=1e-14)
        np.testing.assert_allclose(final[m], final_m, atol=1e-14)


def test_stack_and_unstack_round_trip():
    params_list = models()
    back = stacked.unstack(stacked.stack(params_list))
    for a, b in zip(params_list, back):
        for name in cell.PARAM_NAMES:
            assert np.array_equal(a[name], b[name])


def test_a_stacked_sweep_equals_separate_runs():
    """Three seeds at three learning rates, each on its own data: the curves and the
    final weights of the stacked run are those of nine separate runs."""
    rates = (0.02, 0.2, 0.5)
    runs = [(rate, seed) for rate in rates for seed in range(3)]
    data = {seed: echo.generate(6_000, seed=10 + seed) for seed in range(3)}
    params = stacked.stack([cell.init_params(state_size=4, seed=s) for _, s in runs])
    step_sizes = np.array([rate for rate, _ in runs])

    def step(x_windows, y_windows, states):
        losses, grads, states = stacked.loss_and_gradients(
            params, x_windows, y_windows, states
        )
        for name in params:
            params[name] -= (
                step_sizes.reshape(-1, *[1] * grads[name][0].ndim) * (grads[name])
            )
        return losses, states

    curves = sweeps.train_stacked(
        step,
        np.stack([data[s][0] for _, s in runs]),
        np.stack([data[s][1] for _, s in runs]),
        batch_size=3,
        num_steps=10,
        num_epochs=2,
        zero_state=lambda rows: np.zeros((len(runs), rows, 4)),
        every=20,
        progress=False,
    )
    for m, (rate, seed) in enumerate(runs):
        alone = cell.init_params(state_size=4, seed=seed)

        def step_alone(x_window, y_window, state, alone=alone, rate=rate):
            loss, grads, state = cell.loss_and_gradients(
                alone, x_window, y_window, state
            )
            for name in alone:
                alone[name] -= rate * grads[name]
            return loss, state

        curve = training.train_windows(
            step_alone,
            *data[seed],
            batch_size=3,
            num_steps=10,
            num_epochs=2,
            zero_state=lambda rows: np.zeros((rows, 4)),
            every=20,
            progress=False,
        )
        assert np.array_equal(curve.window, curves[m].window)
        np.testing.assert_allclose(curve.loss, curves[m].loss, rtol=0, atol=1e-10)
        for name in alone:
            np.testing.assert_allclose(alone[name], params[name][m], atol=1e-10)


def test_after_epoch_runs_outside_the_timing():
    epochs_seen = []
    xs = np.zeros((2, 100), dtype=int)
    curves = sweeps.train_stacked(
        lambda x, y, s: (np.zeros(2), s),
        xs,
        xs,
        batch_size=2,
        num_steps=5,
        num_epochs=3,
        zero_state=lambda rows: None,
        every=4,
        progress=False,
        after_epoch=epochs_seen.append,
    )
    assert epochs_seen == [1, 2, 3] and len(curves) == 2
    assert curves[0].windows_per_epoch == 10 and curves[0].window[-1] == 30


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="xs and ys"):
        list(
            sweeps.stacked_windows(
                np.zeros((2, 10)), np.zeros((3, 10)), batch_size=1, num_steps=2
            )
        )
    with pytest.raises(ValueError, match="one size"):
        stacked.stack([cell.init_params(state_size=4), cell.init_params(state_size=8)])
    with pytest.raises(ValueError, match="at least one"):
        stacked.stack([])
    params = stacked.stack(models())
    with pytest.raises(ValueError, match="x must have shape"):
        stacked.forward(params, np.zeros((2, 5, 7), dtype=int), np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="init_state"):
        stacked.forward(params, np.zeros((3, 5, 7), dtype=int), np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="stacked"):
        stacked.forward(models()[0], np.zeros((3, 5, 7), dtype=int), None)


# ---------------------------------------------------------------- TensorFlow, PyTorch


def frameworks():
    import rnnlib.tf  # first: sets TensorFlow's logging before TensorFlow loads

    import tensorflow as tf
    import torch

    import rnnlib.torch

    torch.set_num_threads(1)
    return {
        "tf": (rnnlib.tf, tf.float64),
        "torch": (rnnlib.torch, torch.float64),
    }


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_a_stacked_framework_sweep_equals_separate_runs(framework):
    """Three seeds, each on its own data, Adagrad as TF1 had it, two epochs with a
    score after the first: the stacked run's curves, weights and held-out losses are
    those of three separate runs, in float64."""
    lib, float64 = frameworks()[framework]
    data = {seed: echo.generate(4_000, seed=10 + seed) for seed in range(3)}
    x_test, y_test = echo.generate(2_000, seed=2)
    params_list = [cell.init_params(state_size=4, seed=s) for s in range(3)]
    model = lib.StackedRNN(params_list, dtype=float64)
    scored = {}
    curves = lib.train_stacked(
        model,
        np.stack([data[s][0] for s in range(3)]),
        np.stack([data[s][1] for s in range(3)]),
        batch_size=20,
        num_steps=5,
        num_epochs=2,
        learning_rate=0.1,
        every=5,
        progress=False,
        after_epoch=lambda epochs: scored.setdefault(
            epochs, lib.stacked_step_losses(model, x_test, y_test, num_steps=20)
        ),
    )
    positions, losses = lib.stacked_step_losses(model, x_test, y_test, num_steps=20)
    assert losses.shape == (3, len(positions)) and set(scored) == {1, 2}
    for m, seed in enumerate(range(3)):
        alone = lib.HandRolledRNN(params_list[m], dtype=float64)
        curve = lib.train(
            alone,
            *data[seed],
            batch_size=20,
            num_steps=5,
            num_epochs=2,
            learning_rate=0.1,
            every=5,
            progress=False,
        )
        np.testing.assert_allclose(curve.loss, curves[m].loss, rtol=0, atol=1e-12)
        for name, value in alone.params().items():
            np.testing.assert_allclose(
                value, model.params()[m][name], rtol=0, atol=1e-12
            )
        alone_positions, alone_losses = lib.heldout_step_losses(
            alone, x_test, y_test, num_steps=20
        )
        assert np.array_equal(alone_positions, positions)
        np.testing.assert_allclose(alone_losses, losses[m], rtol=0, atol=1e-12)


def test_stacked_models_take_tuple_states_and_refuse_bad_data_alike():
    """A StackedRNN's state is a tuple (S,), as every rnnlib model's; out-of-range
    classes and a zero batch size get the same error in both frameworks."""
    libs = frameworks()
    params_list = models(num_models=2)
    xs = np.zeros((2, 100), dtype=int)
    found = {}
    for name, (lib, float64) in libs.items():
        model = lib.StackedRNN(params_list, dtype=float64)
        (state,) = model.zero_state(3)
        assert tuple(state.shape) == (2, 3, STATE_SIZE)
        errors = []
        for call in (
            lambda lib=lib, model=model: lib.train_stacked(
                model, xs + 2, xs, progress=False
            ),
            lambda lib=lib, model=model: lib.stacked_step_losses(
                model, xs[0], xs[0] - 1
            ),
            lambda model=model: model.zero_state(0),
        ):
            with pytest.raises(ValueError) as error:
                call()
            errors.append(str(error.value))
        found[name] = errors
    assert found["tf"] == found["torch"]
    assert "x must hold classes in [0, 2)" in found["tf"][0]
    assert "y must hold classes in [0, 2)" in found["tf"][1]
    assert "batch_size must be an integer >= 1, got 0" in found["tf"][2]
