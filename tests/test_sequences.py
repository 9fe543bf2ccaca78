"""Variable-length sequences: padding and masks, the two tasks and their best possible
scores, the last valid output, the shared output layer, the padded loss, and training
with a tuple state, in both frameworks."""

import rnnlib.tf as rtf  # first: sets TensorFlow's logging before TensorFlow loads

import numpy as np
import pytest
import tensorflow as tf
import torch

import rnnlib.torch as rtorch
from rnnlib.data import echo, padded, sequences, theory
from rnnlib.numpy import gated

FRAMEWORKS = {"tf": rtf, "torch": rtorch}


# ---------------------------------------------------------------- padding and masks


def test_pad_unpad_and_mask():
    batch, lengths = padded.pad([[1, 2, 3], [4], [5, 6]], value=-1)
    assert batch.tolist() == [[1, 2, 3], [4, -1, -1], [5, 6, -1]]
    assert lengths.tolist() == [3, 1, 2]
    assert [s.tolist() for s in padded.unpad(batch, lengths)] == [
        [1, 2, 3],
        [4],
        [5, 6],
    ]
    assert padded.mask(lengths).tolist() == [
        [True, True, True],
        [True, False, False],
        [True, True, False],
    ]
    assert padded.mask(lengths, 4).shape == (3, 4)
    assert padded.pad([[1.5]], max_length=3)[0].tolist() == [[1.5, 0.0, 0.0]]


def test_masked_mean_counts_every_valid_step_once():
    values = np.array([[1.0, 2.0, 3.0], [10.0, 99.0, 99.0]])
    assert padded.masked_mean(values, [3, 1]) == pytest.approx(16 / 4)


def test_batches_cover_every_sequence_once():
    rows = list(padded.batches(10, 4, seed=0))
    assert [len(r) for r in rows] == [4, 4, 2]
    assert sorted(np.concatenate(rows).tolist()) == list(range(10))
    assert [r.tolist() for r in padded.batches(10, 4, seed=0)] == [
        r.tolist() for r in rows
    ]


def test_padding_errors_are_named():
    with pytest.raises(
        ValueError, match=r"lengths must be <= max_length=2, got a length"
    ):
        padded.pad([[1, 2, 3]], max_length=2)
    with pytest.raises(ValueError, match=r"non-empty 1-D sequences"):
        padded.pad([[1], []])
    with pytest.raises(ValueError, match=r"lengths must be >= 1, got a length of 0"):
        padded.mask([2, 0])
    with pytest.raises(ValueError, match=r"lengths must be integers"):
        padded.mask([1.5])
    with pytest.raises(ValueError, match=r"values must have shape \(2, max_length\)"):
        padded.masked_mean(np.zeros((3, 4)), [1, 2])


# ---------------------------------------------------------------- the two tasks


def test_echo_segments_are_consecutive_stretches_of_one_echo_sequence():
    x, y, lengths = sequences.echo_segments(50, min_length=5, max_length=12, seed=3)
    assert x.shape == y.shape == (50, 12) and lengths.min() >= 5 and lengths.max() <= 12
    assert not x[~padded.mask(lengths, 12)].any()  # padded with 0
    # The stretches, joined, are echo.generate's sequence with the same generator.
    rng = np.random.default_rng(3)
    rng.integers(5, 13, size=50)
    x_all, y_all = echo.generate(int(lengths.sum()), seed=rng)
    assert np.array_equal(np.concatenate(padded.unpad(x, lengths)), x_all)
    assert np.array_equal(np.concatenate(padded.unpad(y, lengths)), y_all)


def test_segment_optimal_losses_follow_what_each_position_sees():
    x, y, lengths = sequences.echo_segments(20_000, min_length=5, max_length=30, seed=0)
    losses = sequences.segment_optimal_losses(x, y, lengths)
    valid = padded.mask(lengths, 30)
    assert np.isnan(losses[~valid]).all() and not np.isnan(losses[valid]).any()
    # Position 0 sees no lag: it predicts the mean P(Y = 1), 0.5 + 0.5/2 - 0.25/2.
    expected = np.where(y[:, 0] == 1, -np.log(0.625), -np.log(0.375))
    assert np.allclose(losses[:, 0], expected, rtol=1e-12)
    # Positions 3..7 see only t-3: the loss is that of 'only t-3' on average.
    for position, known in [(5, (3,)), (20, (3, 8))]:
        estimate = theory.estimate(losses[valid[:, position], position])
        assert estimate.low < theory.expected_loss(known) < estimate.high
    floor = sequences.segment_floor(lengths)
    estimate = theory.estimate(losses[valid])
    assert estimate.low < floor < estimate.high
    assert theory.expected_loss((3, 8)) < floor < theory.expected_loss((3,))


def brute_force_posterior(tokens, length, agreement, lags):
    """P(rule | sequence) by the definition, multiplying probabilities step by step."""
    x, y = (tokens[:length] - 1) // 2, (tokens[:length] - 1) % 2
    likelihoods = []
    for lag in lags:
        p = 1.0
        for t in range(length):
            if t < lag:
                p *= 0.5
            else:
                p *= agreement if y[t] == x[t - lag] else 1 - agreement
        likelihoods.append(p)
    return np.array(likelihoods) / sum(likelihoods)


def test_rule_posteriors_are_exact():
    tokens, lengths, labels = sequences.echo_rules(
        40, min_length=3, max_length=9, agreement=0.8, seed=1
    )
    assert set(np.unique(tokens)) <= {0, 1, 2, 3, 4} and set(labels) <= {0, 1, 2}
    posteriors = sequences.rule_posteriors(tokens, lengths, agreement=0.8)
    for row in range(40):
        expected = brute_force_posterior(
            tokens[row], lengths[row], 0.8, sequences.RULE_LAGS
        )
        assert np.allclose(posteriors[row], expected, rtol=1e-12)


def test_echo_rules_follow_their_rule():
    """Under its own rule y_t agrees with x_{t-lag} 3 times in 4; under another, half
    the time."""
    tokens, lengths, labels = sequences.echo_rules(
        4000, min_length=30, max_length=30, seed=2
    )
    x, y = (tokens - 1) // 2, (tokens - 1) % 2
    for label, lag in enumerate(sequences.RULE_LAGS):
        rows = labels == label
        for other in sequences.RULE_LAGS:
            agree = (y[rows, other:] == x[rows, :-other]).mean()
            assert agree == pytest.approx(0.75 if other == lag else 0.5, abs=0.01)


def test_task_errors_are_named():
    with pytest.raises(ValueError, match=r"max_length must be >= min_length=5, got 4"):
        sequences.echo_rules(3, min_length=5, max_length=4)
    with pytest.raises(ValueError, match=r"agreement must lie in \[0.5, 1\), got 1"):
        sequences.echo_rules(3, min_length=5, max_length=6, agreement=1)


# ---------------------------------------------------------------- models and losses


def models(framework, kind="gru", input_size=5, num_classes=3, dtype="float64"):
    params = gated.init_gated(kind, input_size=input_size, state_size=6, seed=1)
    head = gated.init_head(state_size=6, num_classes=num_classes, seed=1)
    head["c"] = np.array([0.1, -0.2, 0.3][:num_classes])
    module = FRAMEWORKS[framework]
    dtype = getattr(tf if framework == "tf" else torch, dtype)
    return (
        module.SequenceClassifier(kind, params, head, dtype=dtype),
        module.SequenceLabeller(kind, params, head, dtype=dtype),
    )


def numpy_logits(x, kind="gru", input_size=5, num_classes=3):
    """The labeller's logits for one unpadded sequence x, from the NumPy reference."""
    params = gated.init_gated(kind, input_size=input_size, state_size=6, seed=1)
    head = gated.init_head(state_size=6, num_classes=num_classes, seed=1)
    head["c"] = np.array([0.1, -0.2, 0.3][:num_classes])
    outputs, _ = gated.run_gated(kind, params, np.eye(input_size)[x][None])
    return outputs[0] @ head["U"] + head["c"]  # (steps, num_classes)


def to_numpy(value):
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value.numpy()


@pytest.mark.parametrize("framework", ["tf", "torch"])
@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_classifier_reads_the_last_valid_output(framework, kind):
    """Padded and batched, each sequence gets the logits it gets when run alone."""
    tokens, lengths, _ = sequences.echo_rules(6, min_length=2, max_length=9, seed=5)
    classifier, _ = models(framework, kind)
    logits = to_numpy(classifier(tokens, lengths))  # (6, 3)
    for row in range(6):
        alone = numpy_logits(tokens[row, : lengths[row]], kind)[-1]
        assert np.allclose(logits[row], alone, rtol=0, atol=1e-12), row
    assert (lengths < 9).any()  # some rows are padded, so the test can fail


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_classifier_dropout_acts_in_training_only(framework):
    """dropout=0.5 before the output layer: in training, about half of the last valid
    outputs are zeroed (logits move, and differ between calls); in eval it is the
    model without dropout, exactly."""
    tokens, lengths, _ = sequences.echo_rules(200, min_length=2, max_length=9, seed=5)
    plain, _ = models(framework)
    module = FRAMEWORKS[framework]
    params = gated.init_gated("gru", input_size=5, state_size=6, seed=1)
    head = gated.init_head(state_size=6, num_classes=3, seed=1)
    head["c"] = np.array([0.1, -0.2, 0.3])
    dtype = tf.float64 if framework == "tf" else torch.float64
    dropped = module.SequenceClassifier("gru", params, head, dropout=0.5, dtype=dtype)
    expected = to_numpy(plain(tokens, lengths))
    if framework == "tf":
        test = dropped(tokens, lengths).numpy()
        train = [dropped(tokens, lengths, training=True).numpy() for _ in range(2)]
    else:
        with torch.no_grad():
            train = [dropped(tokens, lengths).numpy() for _ in range(2)]  # train mode
            test = dropped.eval()(tokens, lengths).numpy()
    assert np.array_equal(test, expected)
    assert not np.allclose(train[0], expected) and not np.allclose(train[0], train[1])


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_classifier_dropout_rate_is_checked(framework):
    module = FRAMEWORKS[framework]
    params = gated.init_gated("gru", input_size=5, state_size=6)
    head = gated.init_head(state_size=6, num_classes=3)
    with pytest.raises(ValueError, match=r"dropout must lie in \[0, 1\), got 1"):
        module.SequenceClassifier("gru", params, head, dropout=1)
    with pytest.raises(TypeError, match=r"dropout must be a number, got str"):
        module.SequenceClassifier("gru", params, head, dropout="0.5")


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_last_valid_picks_one_step_per_row(framework):
    outputs = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3)
    if framework == "torch":
        picked = rtorch.last_valid(torch.tensor(outputs), np.array([2, 4])).numpy()
    else:
        picked = rtf.last_valid(tf.constant(outputs), np.array([2, 4])).numpy()
    assert np.array_equal(picked, outputs[[0, 1], [1, 3]])


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_labeller_applies_one_output_layer_at_every_step(framework):
    """The shared softmax: the labeller's logits are the per-step loop's."""
    x = np.random.default_rng(0).integers(0, 5, size=(3, 7))
    _, labeller = models(framework)
    logits, state = labeller(x)
    logits = to_numpy(logits)
    assert logits.shape == (3, 7, 3) and len(state) == 1
    for row in range(3):
        assert np.allclose(logits[row], numpy_logits(x[row]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_labeller_carries_its_state(framework):
    """Two windows with the state carried equal one window of both."""
    x = np.random.default_rng(1).integers(0, 5, size=(2, 8))
    _, labeller = models(framework, "lstm")
    whole, _ = labeller(x)
    first, state = labeller(x[:, :5])
    second, _ = labeller(x[:, 5:], state)
    assert len(state) == 2  # (h, c)
    assert np.allclose(to_numpy(second), to_numpy(whole)[:, 5:], rtol=0, atol=1e-12)


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_padded_cross_entropy_averages_over_valid_steps_only(framework):
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(3, 5, 4))
    labels = rng.integers(0, 4, size=(3, 5))
    lengths = np.array([5, 2, 3])
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    per_step = -np.take_along_axis(log_p, labels[..., None], -1)[..., 0]
    expected = np.concatenate([per_step[i, :n] for i, n in enumerate(lengths)]).mean()
    junk = logits.copy()
    junk[~padded.mask(lengths, 5)] = 1e3  # whatever sits at padded steps
    module = FRAMEWORKS[framework]
    convert = tf.constant if framework == "tf" else torch.tensor
    for value in (logits, junk):
        loss = module.padded_cross_entropy(convert(value), labels, lengths)
        assert float(loss) == pytest.approx(expected, rel=1e-12)
    uniform = module.padded_cross_entropy(
        convert(np.zeros((2, 3, 4))), labels[:2, :3], [1, 3]
    )
    assert float(uniform) == pytest.approx(np.log(4), rel=1e-12)


# ---------------------------------------------------------------- training


def echo_labeller(framework, kind="gru", seed=0, dtype="float64"):
    module = FRAMEWORKS[framework]
    dtype = getattr(tf if framework == "tf" else torch, dtype)
    return module.SequenceLabeller(
        kind,
        gated.init_gated(kind, input_size=2, state_size=5, seed=seed),
        gated.init_head(state_size=5, num_classes=2, seed=seed),
        dtype=dtype,
    )


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_tf_and_torch_train_alike(kind):
    """Adam from the same weights on the same windows, the state carried and the rate
    lowered for the last epoch: the same losses and weights in both frameworks (to
    1e-5: Keras computes Adam's bias corrections in float32)."""
    x, y = echo.generate(2 * 4 * 6 * 3, seed=4)
    curves, weights = [], []
    for framework in ("tf", "torch"):
        model = echo_labeller(framework, kind)
        curves.append(
            FRAMEWORKS[framework].train(
                model,
                x,
                y,
                optimizer="adam",
                batch_size=4,
                num_steps=6,
                num_epochs=2,
                learning_rate=0.05,
                final_learning_rate=0.01,
                every=1,
                progress=False,
            )
        )
        get = rtf.get_gated_weights if framework == "tf" else rtorch.get_gated_weights
        weights.append(get(model.rnn))
    assert len(curves[0].loss) == 2 * 6 and curves[0].window[-1] == 12
    assert np.allclose(curves[0].loss, curves[1].loss, rtol=1e-5, atol=0)
    start = gated.init_gated(kind, input_size=2, state_size=5, seed=0)
    for key in weights[0]:
        # Adam divides by the root of a running mean of squared gradients: where a
        # gradient is near zero, float32 differences reach 1e-4 of a step of 0.05.
        assert np.allclose(weights[0][key], weights[1][key], rtol=0, atol=1e-3), key
        if not (kind == "lstm" and key.startswith("bh")):  # the LSTM's bh stays 0
            assert not np.allclose(weights[1][key], start[key]), (
                key
            )  # training moved it


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_final_learning_rate_applies_to_the_last_epoch_only(framework):
    """With a final rate of 1e-300 the last epoch leaves the weights as they were (a
    rate must be > 0)."""
    x, y = echo.generate(4 * 5 * 4, seed=5)
    module = FRAMEWORKS[framework]
    get = rtf.get_gated_weights if framework == "tf" else rtorch.get_gated_weights
    one, two = echo_labeller(framework, seed=1), echo_labeller(framework, seed=1)
    options = dict(
        batch_size=4, num_steps=5, optimizer="adam", learning_rate=0.05, progress=False
    )
    module.train(one, x, y, num_epochs=1, **options)
    module.train(two, x, y, num_epochs=2, final_learning_rate=1e-300, **options)
    first, second = get(one.rnn), get(two.rnn)
    assert all(np.allclose(first[k], second[k], rtol=0, atol=1e-12) for k in first)


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_clipping_bounds_each_step(framework):
    """One SGD step with clip_norm c moves the weights by exactly lr * c when the
    gradient's norm exceeds c."""
    x, y = echo.generate(4 * 3, seed=6)  # one window of 4 rows and 3 steps
    module = FRAMEWORKS[framework]
    model = echo_labeller(framework, "rnn", seed=2)
    before = flat_weights(framework, model)
    module.train(
        model,
        x,
        y,
        batch_size=4,
        num_steps=3,
        optimizer="sgd",
        learning_rate=0.5,
        clip_norm=1e-3,
        progress=False,
    )
    moved = np.linalg.norm(flat_weights(framework, model) - before)
    # To 1e-5: PyTorch's clip_grad_norm_ divides by the norm plus 1e-6.
    assert moved == pytest.approx(0.5 * 1e-3, rel=1e-5)


def flat_weights(framework, model):
    if framework == "tf":
        return np.concatenate([v.numpy().ravel() for v in model.trainable_variables])
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


@pytest.mark.parametrize("framework", ["tf", "torch"])
def test_heldout_step_losses_of_a_silent_labeller_are_ln2(framework):
    zero = {
        k: np.zeros_like(v)
        for k, v in gated.init_gated("lstm", input_size=2, state_size=5).items()
    }
    module = FRAMEWORKS[framework]
    model = module.SequenceLabeller(
        "lstm", zero, {"U": np.zeros((5, 2)), "c": np.zeros(2)}
    )
    x, y = echo.generate(1000, seed=7)
    positions, losses = module.heldout_step_losses(
        model, x, y, batch_size=10, num_steps=20
    )
    assert len(positions) == 1000 and np.allclose(losses, np.log(2), rtol=1e-6)


def test_unknown_optimizer_is_named_in_both_frameworks():
    x, y = echo.generate(100, seed=0)
    for framework, module in FRAMEWORKS.items():
        with pytest.raises(
            ValueError,
            match=r"optimizer must be one of \['adagrad', 'sgd', 'adam'\], got 'rms'",
        ):
            module.train(echo_labeller(framework), x, y, optimizer="rms")
