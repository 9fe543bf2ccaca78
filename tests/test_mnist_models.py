"""The MNIST chapter's classifier: the NumPy reference, both frameworks' MnistLSTM, the
weights copied across, the recipes (schedule, batches, loop) and one training step.

Random inputs stand in for digits: what is tested is arithmetic, not accuracy.
"""

import rnnlib.tf as rtf  # first: sets TensorFlow's logging before TensorFlow loads

import numpy as np
import pytest
import torch

import rnnlib.torch as rtorch
from rnnlib import recipes
from rnnlib.numpy import gated, lstm_stack
from rnnlib.numpy.gradcheck import relative_error

SIZES = {"num_inputs": 5, "state_sizes": (3, 4), "num_classes": 6}


def trained_looking_params(seed=0, **sizes):
    """init_params with every bias (and the dense layer) made nonzero, so that a test
    notices a bias or a block that is copied to the wrong place."""
    params = lstm_stack.init_params(seed=seed, **(sizes or SIZES))
    rng = np.random.default_rng(seed + 100)
    return {
        name: (value + rng.normal(scale=0.3, size=value.shape)).astype(np.float32)
        for name, value in params.items()
    }


def inputs(batch_size=7, num_steps=9, num_inputs=5, seed=1):
    return np.random.default_rng(seed).random((batch_size, num_steps, num_inputs))


def torch_logits(model, x):
    with torch.no_grad():
        return model(torch.as_tensor(x, dtype=torch.float32)).numpy()


# ---------------------------------------------------------------- NumPy reference


def test_init_params_follow_keras_defaults():
    params = lstm_stack.init_params(seed=3)
    assert lstm_stack.check_params(params) == (28, (32, 64), 10)
    assert all(value.dtype == np.float32 for value in params.values())
    for layer, (n_in, n) in enumerate([(28, 32), (32, 64)]):
        kernel = params[f"lstm{layer}.kernel"]
        assert np.abs(kernel).max() <= np.sqrt(6 / (n_in + 4 * n))
        recurrent = params[f"lstm{layer}.recurrent_kernel"].astype(np.float64)
        assert np.allclose(recurrent @ recurrent.T, np.eye(n), atol=1e-6)  # orthogonal
        bias = params[f"lstm{layer}.bias"].reshape(4, n)  # one row per gate
        assert gated.GATES["lstm"][1] == "f"  # the forget gate
        assert (bias[1] == 1).all() and not bias[[0, 2, 3]].any()
    assert not params["dense.bias"].any()
    again = lstm_stack.init_params(seed=3)
    assert all(np.array_equal(params[k], again[k]) for k in params)


def test_lstm_layer_final_h_is_the_last_output_and_c_is_not():
    params = trained_looking_params()
    x = inputs()
    outputs, (h, c) = lstm_stack.lstm_layer(
        x,
        params["lstm0.kernel"],
        params["lstm0.recurrent_kernel"],
        params["lstm0.bias"],
    )
    assert outputs.shape == (7, 9, 3) and h.shape == c.shape == (7, 3)
    assert np.array_equal(h, outputs[:, -1])
    assert not np.allclose(c, h)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p.pop("dense.bias"), r"missing \['dense.bias'\]"),
        (lambda p: p.update({"extra": 1}), r"unexpected \['extra'\]"),
        (lambda p: p.clear(), "must hold lstm0.kernel"),
        (
            lambda p: p.update({"lstm1.bias": np.zeros(3)}),
            r"params\['lstm1.bias'\] has shape \(3,\), expected \(16,\)",
        ),
    ],
)
def test_check_params_names_what_is_wrong(change, message):
    params = trained_looking_params()
    change(params)
    with pytest.raises(ValueError, match=message):
        lstm_stack.check_params(params)


def test_forward_checks_its_input():
    with pytest.raises(
        ValueError, match=r"x must have shape \(batch_size, num_steps, 5\)"
    ):
        lstm_stack.forward(trained_looking_params(), np.zeros((2, 3, 4)))


# ---------------------------------------------------------------- both frameworks

MODELS = {
    "tf while_loop": lambda p: rtf.MnistLSTM(p),
    "tf unrolled": lambda p: rtf.MnistLSTM(p, unroll=True),
    "torch": lambda p: rtorch.MnistLSTM(p),
}


def logits_of(name, model, x):
    if name.startswith("tf"):
        return model(x.astype(np.float32)).numpy()
    return torch_logits(model, x)


@pytest.mark.parametrize("name", list(MODELS))
def test_models_match_numpy_and_return_their_weights(name):
    params = trained_looking_params()
    model = MODELS[name](params)
    back = model.params()
    assert list(back) == lstm_stack.param_names(2)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    x = inputs()
    reference = lstm_stack.forward(
        {k: v.astype(np.float64) for k, v in params.items()}, x
    )
    assert relative_error(logits_of(name, model, x), reference) < 1e-6


def test_weights_copied_across_give_the_same_logits():
    params = trained_looking_params(seed=5)
    x = inputs(seed=6)
    keras_model = rtf.MnistLSTM(params)
    torch_model = rtorch.MnistLSTM(keras_model.params())  # Keras -> PyTorch
    keras_again = rtf.MnistLSTM(torch_model.params())  # and back
    reference = keras_model(x.astype(np.float32)).numpy()
    assert np.abs(torch_logits(torch_model, x) - reference).max() < 1e-5
    assert np.array_equal(keras_again(x.astype(np.float32)).numpy(), reference)


def test_a_wrong_gate_order_is_noticed():
    """The check above can fail: swapping two gate blocks changes the logits."""
    params = trained_looking_params()
    swapped = dict(params)
    for name in ("lstm0.kernel", "lstm0.recurrent_kernel", "lstm0.bias"):
        i, f, g, o = np.split(params[name], 4, axis=-1)
        swapped[name] = np.concatenate([i, g, f, o], axis=-1)  # TF1's i, j, f, o
    x = inputs()
    assert (
        relative_error(lstm_stack.forward(swapped, x), lstm_stack.forward(params, x))
        > 1e-2
    )


def test_torch_model_has_keras_parameters_and_a_frozen_second_bias():
    model = rtorch.MnistLSTM(lstm_stack.init_params())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    keras_count = rtf.MnistLSTM(lstm_stack.init_params()).count_params()
    assert (
        trainable
        == keras_count
        == 4 * 32 * (28 + 32 + 1) + 4 * 64 * (32 + 64 + 1) + (64 * 10 + 10)
    )
    for lstm in model.lstms:
        assert not lstm.bias_hh_l0.requires_grad and not lstm.bias_hh_l0.any()


@pytest.mark.parametrize("module", [rtf, rtorch], ids=["tf", "torch"])
def test_predict_logits_in_chunks_is_the_whole_forward_pass(module):
    params = trained_looking_params()
    model = module.MnistLSTM(params)
    x = inputs(batch_size=23)
    whole = lstm_stack.forward(params, x)
    chunked = module.predict_logits(model, x, batch_size=5)  # 5 chunks, the last of 3
    assert chunked.shape == (23, 6) and np.abs(chunked - whole).max() < 1e-5


# ---------------------------------------------------------------- recipes


@pytest.mark.parametrize("total_steps", [10, 37, 4300])
def test_one_cycle_is_pytorchs_onecycle_without_momentum(total_steps):
    recipe = recipes.ONE_CYCLE._replace(num_epochs=1)
    rates = recipes.learning_rates(recipe, total_steps)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.01, total_steps=total_steps, cycle_momentum=False
    )
    expected = []
    for _ in range(total_steps):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert np.allclose(rates, expected, rtol=1e-12, atol=0)
    assert 0.0099 < rates.max() <= 0.01 and rates[0] == pytest.approx(0.01 / 25)
    assert rates[-1] == pytest.approx(0.01 / 25 / 1e4)


def test_constant_schedule_and_bad_schedules():
    assert (recipes.learning_rates(recipes.SEED_001, 3) == 0.01).all()
    assert len(recipes.learning_rates(recipes.SEED_001, 3)) == 30
    with pytest.raises(ValueError, match="recipe.schedule must be"):
        recipes.learning_rates(recipes.SEED_001._replace(schedule="step"), 3)
    with pytest.raises(ValueError, match="warm-up of at least two steps"):
        recipes.learning_rates(recipes.ONE_CYCLE._replace(num_epochs=1), 3)


def test_epoch_batches_drop_the_remainder_and_never_repeat():
    rng = np.random.default_rng(0)
    batches = recipes.epoch_batches(10, 3, rng)
    assert batches.shape == (3, 3) and len(set(batches.ravel())) == 9
    with pytest.raises(ValueError, match="batch_size must be at most .* 10; got 11"):
        recipes.epoch_batches(10, 11, rng)


def test_train_epochs_feeds_the_schedule_and_the_same_batches_for_a_seed():
    x = np.arange(20.0)
    recipe = recipes.ONE_CYCLE._replace(batch_size=4, num_epochs=3)
    seen = []

    def step(x_batch, y_batch, learning_rate):
        seen.append((x_batch.copy(), learning_rate))
        return x_batch.mean()

    history = recipes.train_epochs(step, x, x, recipe, seed=4, progress=False)
    assert len(seen) == 15 and history.loss.shape == (3,)
    assert [rate for _, rate in seen] == list(recipes.learning_rates(recipe, 5))
    for epoch in range(3):  # each epoch is a permutation of the data
        assert sorted(
            np.concatenate([b for b, _ in seen[5 * epoch : 5 * epoch + 5]])
        ) == list(x)
        assert history.loss[epoch] == pytest.approx(9.5)
    assert np.isnan(history.val_accuracy).all()
    orders = [np.concatenate([b for b, _ in seen[5 * e : 5 * e + 5]]) for e in range(3)]
    assert not np.array_equal(orders[0], orders[1])  # a fresh shuffle every epoch
    first = [b for b, _ in seen]
    seen.clear()
    recipes.train_epochs(step, x, x, recipe, seed=4, progress=False)
    assert all(np.array_equal(a, b) for a, (b, _) in zip(first, seen))


@pytest.mark.parametrize("recipe", [recipes.SEED_001, recipes.ONE_CYCLE], ids=str)
def test_tf_and_torch_training_steps_agree(recipe):
    """Three updates from the same weights on the same batches leave both frameworks
    with the same weights: the optimizers, weight decay, clipping and the frozen second
    bias all match.

    Up to epsilon: Keras (like TF1) adds it to sqrt(v) before Adam's bias correction,
    PyTorch after it, so the same epsilon is a larger one in Keras, which shows on
    weights whose gradients are tiny. With epsilon near zero the two are one algorithm.
    """
    # a small clip norm, so that clipping acts on these gradients (norms near 1)
    recipe = recipe._replace(epsilon=1e-12, clip_norm=recipe.clip_norm and 0.05)
    params = trained_looking_params(seed=2)
    keras_model, torch_model = rtf.MnistLSTM(params), rtorch.MnistLSTM(params)
    steps = [
        rtf.make_classifier_step(
            keras_model, rtf.classifier_optimizer(keras_model, recipe)
        ),
        rtorch.make_classifier_step(
            torch_model,
            rtorch.classifier_optimizer(torch_model, recipe),
            clip_norm=recipe.clip_norm,
        ),
    ]
    rng = np.random.default_rng(3)
    for rate in (0.01, 0.004, 0.02):
        x = rng.random((8, 9, 5)).astype(np.float32) * 3
        y = rng.integers(0, 6, size=8)
        tf_loss, torch_loss = (float(step(x, y, rate)) for step in steps)
        assert tf_loss == pytest.approx(torch_loss, rel=1e-5)
    after_tf, after_torch = keras_model.params(), torch_model.params()
    for name in params:
        assert np.abs(after_tf[name] - params[name]).max() > 1e-3, name  # it moved
        assert np.abs(after_tf[name] - after_torch[name]).max() < 1e-5, name


@pytest.mark.parametrize("module", [rtf, rtorch], ids=["tf", "torch"])
def test_optimizer_names_must_be_known(module):
    recipe = recipes.SEED_001._replace(optimizer="sgd")
    model = module.MnistLSTM(trained_looking_params())
    with pytest.raises(
        ValueError,
        match=r"recipe.optimizer must be one of \['adam', 'adamw'\], got 'sgd'",
    ):
        module.classifier_optimizer(model, recipe)


def flat(params):
    return np.concatenate([params[name].ravel() for name in sorted(params)])


@pytest.mark.parametrize("module", [rtf, rtorch], ids=["tf", "torch"])
def test_the_classifier_step_clips_in_both_frameworks(module):
    """One SGD step at learning rate 1 with clip_norm c moves the weights by exactly c
    when the gradient's global norm exceeds it."""
    params = trained_looking_params(seed=4)
    model = module.MnistLSTM(params)
    if module is rtf:
        import keras

        optimizer = keras.optimizers.SGD(learning_rate=1.0)
    else:
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.SGD(trainable, lr=1.0)
    step = module.make_classifier_step(model, optimizer, clip_norm=1e-3)
    rng = np.random.default_rng(5)
    x = rng.random((8, 9, 5)).astype(np.float32)
    step(x, rng.integers(0, 6, size=8), 1.0)
    moved = np.linalg.norm(flat(model.params()) - flat(params))
    # To 1e-4: float32 weights, and PyTorch divides by the norm plus 1e-6.
    assert moved == pytest.approx(1e-3, rel=1e-4)


def test_jit_compile_runs_the_pytorch_model_through_torch_compile(monkeypatch):
    """The wiring, not the compiler (which takes minutes on two cores): with
    jit_compile=True the step calls what torch.compile returned."""
    compiled = []

    def fake_compile(model):
        compiled.append(model)
        return model

    monkeypatch.setattr(torch, "compile", fake_compile)
    model = rtorch.MnistLSTM(trained_looking_params())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    rtorch.make_classifier_step(model, optimizer)
    assert compiled == []
    step = rtorch.make_classifier_step(model, optimizer, jit_compile=True)
    assert compiled == [model]
    x = np.zeros((2, 9, 5), np.float32)
    assert np.isfinite(step(x, np.zeros(2, int), 0.0))


def test_both_models_take_their_dtype():
    params = trained_looking_params()
    keras_model = rtf.MnistLSTM(params, dtype="float64")
    assert {v.dtype for v in keras_model.trainable_variables} == {"float64"}
    torch_model = rtorch.MnistLSTM(params, dtype=torch.float64)
    assert {p.dtype for p in torch_model.parameters()} == {torch.float64}
    x = inputs()
    assert np.allclose(
        keras_model(x).numpy(),
        torch_model(torch.as_tensor(x)).detach().numpy(),
        0,
        1e-12,
    )
