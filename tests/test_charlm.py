"""The character LSTM: NumPy, TensorFlow and PyTorch compute the same logits from the
same weights; a model copied across frameworks reads a text to the same loss; carrying
the state across windows equals one long pass; the training loop runs fixed steps."""

import rnnlib.tf  # noqa: F401  (first: TensorFlow's quiet environment)

import numpy as np
import pytest

import rnnlib.torch
from rnnlib import lm
from rnnlib.numpy import charlstm

VOCAB = 11


@pytest.fixture(scope="module")
def params():
    return charlstm.init_params(
        vocab_size=VOCAB, embed_size=5, state_sizes=(7, 6), seed=3
    )


@pytest.fixture(scope="module")
def text():
    rng = np.random.default_rng(0)
    return rng.integers(0, VOCAB, 300)


def models(params):
    return rnnlib.tf.CharLSTM(params), rnnlib.torch.CharLSTM(params)


def test_params_round_trip_and_shapes(params):
    assert charlstm.check_params(params) == (VOCAB, 5, (7, 6))
    for model in models(params):
        back = model.params()
        assert sorted(back) == sorted(params)
        for name in params:
            np.testing.assert_allclose(back[name], params[name], atol=1e-7)
    with pytest.raises(ValueError, match=r"params\['embedding'\] has shape"):
        charlstm.check_params({**params, "embedding": np.zeros((VOCAB, 4))})
    with pytest.raises(ValueError, match="dropout must be in"):
        rnnlib.torch.CharLSTM(params, dropout=1.0)


def test_numpy_tf_torch_same_logits_and_states(params, text):
    x = text[:24].reshape(3, 8)
    state = tuple(
        (np.full((3, n), 0.1 * k), np.full((3, n), -0.2 * k))
        for k, n in enumerate((7, 6), 1)
    )
    want, want_state = charlstm.forward(params, x, state)  # (3, 8, VOCAB)
    tf_model, torch_model = models(params)
    import tensorflow as tf
    import torch

    tf_logits, tf_state = tf_model(
        x,
        tuple(
            (tf.constant(h, tf.float32), tf.constant(c, tf.float32)) for h, c in state
        ),
    )
    torch_logits, torch_state = torch_model(
        x, tuple((torch.tensor(h).float(), torch.tensor(c).float()) for h, c in state)
    )
    np.testing.assert_allclose(np.asarray(tf_logits), want, atol=1e-5)
    np.testing.assert_allclose(torch_logits.detach().numpy(), want, atol=1e-5)
    for (h, c), (th, _), (_, pc) in zip(want_state, tf_state, torch_state):
        np.testing.assert_allclose(np.asarray(th), h, atol=1e-5)
        np.testing.assert_allclose(pc.detach().numpy(), c, atol=1e-5)


def test_state_carried_across_windows_equals_one_pass(params, text):
    """read_text with windows of 7 gives the losses of one forward pass of the whole
    text: the state is carried, nothing restarts."""
    logits, _ = charlstm.forward(params, text[None, :-1])
    shifted = logits[0] - logits[0].max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    want = -log_p[np.arange(len(text) - 1), text[1:]]
    for model in models(params):
        framework = type(model).__module__.split(".")[1]
        module = getattr(rnnlib, framework)
        got = module.read_text(model, text, num_steps=7)
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_copy_check_trained_tf_model_reads_like_torch(params, text):
    """The copy check of chapter 14: a trained Keras model's weights in PyTorch give
    the same loss on a text, within 1e-4."""
    tf_model = rnnlib.tf.CharLSTM(params, dropout=0.1)
    history = rnnlib.tf.train_lm(
        tf_model,
        text,
        batch_size=4,
        num_steps=10,
        steps=12,
        learning_rate=0.02,
        progress=False,
    )
    assert len(history.loss) == 12 and history.windows_per_epoch == 7
    copied = rnnlib.torch.CharLSTM(tf_model.params())
    tf_loss = rnnlib.tf.read_text(tf_model, text).mean()
    torch_loss = rnnlib.torch.read_text(copied, text).mean()
    assert abs(tf_loss - torch_loss) < 1e-4
    untrained = rnnlib.torch.read_text(rnnlib.torch.CharLSTM(params), text).mean()
    assert abs(untrained - torch_loss) > 1e-3  # the copy check could fail


def test_adam_moves_the_embedding_as_pytorch_does(params, text):
    """From the same weights, on the same windows, both frameworks' Adam moves each
    weight by at most about the learning rate a step (a first Adam step is lr x
    g / (|g| + eps)), and the embedding the same in both, within a twentieth of lr.
    A character occurs many times in a window, so Keras's embedding gradient has
    repeated rows; fed to Adam as they came, a row moved about 5 x lr in one step.
    (Other weights may differ by more where a gradient is below about 1e-6: Keras adds
    eps to the uncorrected sqrt(v), PyTorch to the corrected one.)"""
    rate, steps, trained, losses = 0.01, 3, {}, {}
    windows = list(lm.windows(text[:-1], text[1:], batch_size=4, num_steps=10))
    for module in (rnnlib.tf, rnnlib.torch):
        model = module.CharLSTM(params)
        step = module.make_lm_step(model, module.lm_optimizer(model), clip_norm=10.0)
        state, losses[module] = model.zero_state(4), []
        for x, y in windows[:steps]:
            loss, state, _ = step(x, y, state, rate)
            losses[module].append(float(loss))
        trained[module] = model.params()
        for name, start in params.items():
            moved = np.abs(trained[module][name] - start).max()
            assert moved <= 1.05 * steps * rate, (module.__name__, name, moved)
    np.testing.assert_allclose(losses[rnnlib.tf], losses[rnnlib.torch], atol=1e-4)
    embeddings = trained[rnnlib.tf]["embedding"], trained[rnnlib.torch]["embedding"]
    assert np.abs(embeddings[0] - params["embedding"]).max() > steps * rate / 2
    np.testing.assert_allclose(*embeddings, atol=rate / 20)


def test_params_are_a_copy_not_a_view(params, text):
    """``params()`` returns arrays that later training does not change."""
    for module in (rnnlib.tf, rnnlib.torch):
        model = module.CharLSTM(params)
        before = model.params()
        saved = {name: value.copy() for name, value in before.items()}
        module.train_lm(
            model, text, batch_size=4, num_steps=10, steps=2, progress=False
        )
        for name, value in before.items():
            np.testing.assert_array_equal(value, saved[name])


def test_training_lowers_the_loss_on_a_repeated_text(params):
    """A text that repeats a 9-character phrase is learned in 150 steps, in
    both frameworks, with the same history length and learning-rate schedule."""
    phrase = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9])
    text = np.tile(phrase, 60)
    for module in (rnnlib.tf, rnnlib.torch):
        model = module.CharLSTM(params)
        history = module.train_lm(
            model,
            text,
            batch_size=4,
            num_steps=9,
            steps=150,
            learning_rate=0.05,
            progress=False,
        )
        assert history.loss[-5:].mean() < 0.5 * history.loss[:5].mean()
        assert history.learning_rate[0] == pytest.approx(0.05)
        assert history.learning_rate[-1] == pytest.approx(0.005)
        assert np.all(history.grad_norm > 0)


def test_sampling_is_seeded_and_the_same_in_both_frameworks(params):
    tf_model, torch_model = models(params)
    prompt = np.array([1, 2, 3])
    draws = [
        module.sample_text(model, prompt, 40, np.random.default_rng(7), top_k=5)
        for module, model in ((rnnlib.tf, tf_model), (rnnlib.torch, torch_model))
    ]
    assert draws[0].shape == (40,) and np.array_equal(draws[0], draws[1])
    again = rnnlib.torch.sample_text(
        torch_model, prompt, 40, np.random.default_rng(7), top_k=5
    )
    assert np.array_equal(again, draws[1])


def test_cosine_rate_and_bad_arguments():
    assert lm.cosine_rate(0, 10, 1.0) == 1.0
    assert lm.cosine_rate(9, 10, 1.0) == pytest.approx(0.1)
    assert lm.cosine_rate(0, 1, 0.5) == 0.5
    with pytest.raises(ValueError, match="too short for one window"):
        lm.train_steps(
            lambda *a: None,
            np.arange(10),
            zero_state=lambda b: None,
            batch_size=4,
            num_steps=5,
            steps=1,
            learning_rate=0.1,
        )
