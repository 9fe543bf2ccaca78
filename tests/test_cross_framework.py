"""The same weights and inputs give the same states, logits, loss and gradients in
NumPy, TF and PyTorch."""

import rnnlib.tf as cell_tf  # first: sets TensorFlow's logging before TensorFlow loads

import numpy as np
import pytest
import tensorflow as tf
import torch

import rnnlib.torch as cell_torch
from rnnlib.data import echo
from rnnlib.numpy import cell as cn
from rnnlib.numpy.gradcheck import relative_error

TOLERANCE = {"float64": 1e-10, "float32": 1e-5}


def window(state_size=4, seed=0):
    rng = np.random.default_rng(seed)
    params = cn.init_params(state_size=state_size, seed=seed)
    params["b"] = rng.normal(scale=0.1, size=state_size)
    params["c"] = rng.normal(scale=0.1, size=2)
    x = rng.integers(0, 2, size=(3, 6))
    y = rng.integers(0, 2, size=(3, 6))
    state = rng.normal(scale=0.5, size=(3, state_size))
    return params, x, y, state


def tf_run(model, x, y, state):
    """(logits, final_state, loss, grads named as in cell_numpy) from a TF model."""
    variables = model.trainable_variables
    with tf.GradientTape() as tape:
        logits, (final,) = model(
            tf.constant(x), (tf.constant(state, variables[0].dtype),)
        )
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
        )
    if isinstance(model, cell_tf.HandRolledRNN):
        targets = {name: getattr(model, name) for name in ("W", "b", "U", "c")}
        named = {name: g.numpy() for name, g in tape.gradient(loss, targets).items()}
    else:  # SimpleRNN: kernel, recurrent_kernel, bias; Dense: kernel, bias
        grads = [g.numpy() for g in tape.gradient(loss, variables)]
        named = {
            "W": np.concatenate(grads[:2]),
            "b": grads[2],
            "U": grads[3],
            "c": grads[4],
        }
    return logits.numpy(), final.numpy(), float(loss), named


def torch_run(model, x, y, state):
    dtype = next(model.parameters()).dtype
    logits, (final,) = model(torch.tensor(x), (torch.tensor(state, dtype=dtype),))
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, 2), torch.tensor(y).reshape(-1)
    )
    model.zero_grad()
    loss.backward()
    if isinstance(model, cell_torch.HandRolledRNN):
        named = {
            name: getattr(model, name).grad.numpy() for name in ("W", "b", "U", "c")
        }
    else:
        rnn = model.rnn
        named = {
            "W": np.concatenate(
                [rnn.weight_ih_l0.grad.numpy().T, rnn.weight_hh_l0.grad.numpy().T]
            ),
            "b": rnn.bias_ih_l0.grad.numpy(),
            "U": model.output.weight.grad.numpy().T,
            "c": model.output.bias.grad.numpy(),
        }
    return logits.detach().numpy(), final.detach().numpy(), loss.item(), named


MODELS = {
    "tf hand-rolled": lambda p, d: (tf_run, cell_tf.HandRolledRNN(p, getattr(tf, d))),
    "tf keras SimpleRNN": lambda p, d: (tf_run, cell_tf.LibraryRNN(p, getattr(tf, d))),
    "torch hand-rolled": lambda p, d: (
        torch_run,
        cell_torch.HandRolledRNN(p, getattr(torch, d)),
    ),
    "torch nn.RNN": lambda p, d: (
        torch_run,
        cell_torch.LibraryRNN(p, getattr(torch, d)),
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(MODELS))
def test_outputs_loss_and_gradients_match_numpy(name, dtype):
    params, x, y, state = window()
    ref_states, ref_logits = cn.forward(params, x, state)
    ref_loss, ref_grads, _ = cn.loss_and_gradients(params, x, y, state)
    run, model = MODELS[name](params, dtype)
    logits, final, loss, grads = run(model, x, y, state)
    tolerance = TOLERANCE[dtype]
    assert relative_error(logits, ref_logits) < tolerance
    assert relative_error(final, ref_states[:, -1]) < tolerance
    assert abs(loss - ref_loss) / ref_loss < tolerance
    for key in ("W", "b", "U", "c"):
        assert relative_error(grads[key], ref_grads[key]) < tolerance, key


def test_models_return_their_weights_unchanged():
    params = window()[0]
    for model in (
        cell_tf.HandRolledRNN(params, tf.float64),
        cell_torch.HandRolledRNN(params, torch.float64),
        cell_tf.LibraryRNN(params, tf.float64),
        cell_torch.LibraryRNN(params, torch.float64),
    ):
        assert all(np.array_equal(model.params()[k], params[k]) for k in params), type(
            model
        )


def test_heldout_step_losses_are_the_losses_of_each_position():
    """Scored step by step, a model's losses line up with the sequence: a model that
    predicts P(Y=1) = 0.75 everywhere pays -ln 0.75 where y is 1 and -ln 0.25 where it
    is 0."""
    params = {k: np.zeros_like(v) for k, v in cn.init_params(state_size=3).items()}
    params["c"] = np.array([0.0, np.log(3.0)])  # softmax([0, ln 3]) = [0.25, 0.75]
    x, y = echo.generate(2003, seed=3)
    for module, dtype in ((cell_tf, tf.float64), (cell_torch, torch.float64)):
        positions, losses = module.heldout_step_losses(
            module.HandRolledRNN(params, dtype), x, y, batch_size=10, num_steps=20
        )
        assert len(positions) == 10 * 200  # 200 steps per row; the last 3 steps dropped
        assert np.array_equal(
            np.sort(positions),
            np.concatenate([np.arange(i * 200, i * 200 + 200) for i in range(10)]),
        )
        expected = np.where(y[positions] == 1, -np.log(0.75), -np.log(0.25))
        assert np.allclose(losses, expected, rtol=1e-12)


def test_tf_and_torch_training_steps_agree():
    """Three Adagrad windows from the same weights leave TF and PyTorch with the same
    weights."""
    params = cn.init_params(state_size=4, seed=5)
    x, y = echo.generate(3 * 4 * 8, seed=5)
    tf_model = cell_tf.HandRolledRNN(params, tf.float64)
    torch_model = cell_torch.HandRolledRNN(params, torch.float64)
    for module, model in ((cell_tf, tf_model), (cell_torch, torch_model)):
        module.train(
            model,
            x,
            y,
            batch_size=4,
            num_steps=8,
            num_epochs=1,
            every=1,
            progress=False,
        )
    for key in params:
        # Not 1e-10: Keras keeps the learning rate in a float32 variable (0.1 becomes
        # 0.10000000149).
        assert (
            relative_error(tf_model.params()[key], torch_model.params()[key]) < 1e-8
        ), key
        assert not np.allclose(
            tf_model.params()[key], params[key]
        )  # training moved every weight


def test_heldout_loss_of_a_silent_model_is_ln2():
    params = {k: np.zeros_like(v) for k, v in cn.init_params(state_size=3).items()}
    x, y = echo.generate(2000, seed=0)
    for module, dtype in ((cell_tf, tf.float64), (cell_torch, torch.float64)):
        model = module.HandRolledRNN(params, dtype)
        assert module.heldout_loss(
            model, x, y, batch_size=10, num_steps=20
        ) == pytest.approx(np.log(2), abs=1e-12)


def test_library_and_hand_rolled_models_train_alike():
    """Training moves the library models exactly as the hand-rolled ones (nn.RNN's
    second bias is frozen)."""
    params = cn.init_params(state_size=4, seed=6)
    x, y = echo.generate(2000, seed=6)
    for module, dtype in ((cell_tf, tf.float64), (cell_torch, torch.float64)):
        hand, library = (
            module.HandRolledRNN(params, dtype),
            module.LibraryRNN(params, dtype),
        )
        curves = [
            module.train(m, x, y, batch_size=10, num_steps=10, every=5, progress=False)
            for m in (hand, library)
        ]
        assert np.allclose(curves[0].loss, curves[1].loss, rtol=1e-9, atol=0)


def test_library_and_hand_rolled_heldout_losses_agree():
    params = cn.init_params(state_size=8, seed=2)
    x, y = echo.generate(5000, seed=4)
    for module in (cell_tf, cell_torch):
        hand = module.heldout_loss(
            module.HandRolledRNN(params), x, y, batch_size=10, num_steps=50
        )
        library = module.heldout_loss(
            module.LibraryRNN(params), x, y, batch_size=10, num_steps=50
        )
        assert hand == pytest.approx(library, rel=1e-5)


def test_unknown_optimizer_is_named():
    for module in (cell_tf, cell_torch):
        with pytest.raises(
            ValueError,
            match=r"optimizer must be one of \['adagrad', 'sgd', 'adam'\], got 'rms'",
        ):
            module.make_optimizer(module.HandRolledRNN(cn.init_params()), "rms")


def test_bad_params_are_named_by_every_framework():
    params = cn.init_params()
    params["U"] = np.zeros((4, 3))
    for module in (cell_tf, cell_torch):
        with pytest.raises(
            ValueError, match=r"params\['W'\] has shape \(6, 4\), expected \(7, 4\)"
        ):
            module.HandRolledRNN(params)


def test_scoring_a_model_again_sees_its_new_weights():
    """TF keeps the traced scorer on the model; after training, a second score must be
    that of the trained weights (the same as a fresh model built from them), not the
    first score again."""
    x, y = echo.generate(4_000, seed=6)
    for module, dtype in ((cell_tf, tf.float64), (cell_torch, torch.float64)):
        model = module.HandRolledRNN(cn.init_params(state_size=4, seed=6), dtype)
        before = module.heldout_loss(model, x, y, batch_size=10, num_steps=20)
        module.train(model, x, y, batch_size=20, num_steps=5, every=10, progress=False)
        after = module.heldout_loss(model, x, y, batch_size=10, num_steps=20)
        fresh = module.heldout_loss(
            module.HandRolledRNN(model.params(), dtype),
            x,
            y,
            batch_size=10,
            num_steps=20,
        )
        assert after != before and abs(after - fresh) < 1e-12
