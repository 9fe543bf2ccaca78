"""The two styles of truncated backprop (rnnlib.data.truncation and the framework
steps): how far each error reaches, which labels each scores, the same updates in
TensorFlow and PyTorch, and what echo_learned reads from held-out losses."""

import rnnlib.tf  # noqa: F401  (first: TensorFlow's quiet environment)

import numpy as np
import pytest
import tensorflow as tf
import torch
from torch.nn import functional as F

import rnnlib.torch
from rnnlib.data import echo, theory, truncation
from rnnlib.data.batching import windows
from rnnlib.numpy.cell import init_params


def test_reach_share_and_cost():
    assert list(truncation.reach("tf", 4)) == [0, 1, 2, 3]
    assert list(truncation.reach("true", 4)) == [3]
    assert truncation.share_reaching("tf", 9, 8) == pytest.approx(1 / 9)
    assert truncation.share_reaching("tf", 12, 8) == pytest.approx(4 / 12)
    assert truncation.share_reaching("tf", 8, 8) == 0.0
    assert truncation.share_reaching("true", 9, 8) == 1.0
    assert truncation.share_reaching("true", 8, 8) == 0.0
    assert truncation.cell_steps_per_label("tf", 7) == 1
    assert truncation.cell_steps_per_label("true", 7) == 7
    # BPTT(2n; n): every error reaches n to 2n - 1 back, at twice the cell steps.
    assert list(truncation.reach("2n", 4)) == [4, 5, 6, 7]
    assert truncation.share_reaching("2n", 4, 4) == 1.0
    assert truncation.share_reaching("2n", 4, 7) == pytest.approx(1 / 4)
    assert truncation.share_reaching("2n", 4, 8) == 0.0
    assert truncation.cell_steps_per_label("2n", 7) == 2
    assert truncation.bptt_notation("tf", 5) == (5, 5)
    assert truncation.bptt_notation("true", 5) == (5, 1)
    assert truncation.bptt_notation("2n", 5) == (10, 5)
    assert [truncation.window_length(s, 5) for s in truncation.STYLES] == [5, 5, 10]


@pytest.mark.parametrize("num_steps", [1, 3, 5])
@pytest.mark.parametrize("batch_size", [1, 4])
def test_true_style_scores_every_label_from_n_minus_1_once(batch_size, num_steps):
    positions = np.arange(240)
    x, y, rows = truncation.style_sequences(
        positions, positions, style="true", batch_size=batch_size, num_steps=num_steps
    )
    assert rows == batch_size * num_steps
    scored = np.concatenate(
        [w[:, -1] for w, _ in windows(x, y, batch_size=rows, num_steps=num_steps)]
    )
    assert len(np.unique(scored)) == len(scored)  # once each
    row_length = 240 // batch_size
    first = num_steps - 1
    for row in range(batch_size):  # a contiguous run from step n - 1 of every row
        mine = np.sort(scored[scored // row_length == row]) % row_length
        assert list(mine) == list(range(first, first + len(mine)))
        assert len(mine) > row_length - 2 * num_steps  # only the ragged end is lost
    # Every window holds consecutive steps of one row: the gradient spans n steps.
    for w, _ in windows(x, y, batch_size=rows, num_steps=num_steps):
        assert (np.diff(w, axis=1) == 1).all()


@pytest.mark.parametrize("num_steps", [1, 3, 5])
@pytest.mark.parametrize("batch_size", [2, 4])
def test_2n_style_scores_every_label_from_n_once(batch_size, num_steps):
    positions = np.arange(480)
    x, y, rows = truncation.style_sequences(
        positions, positions, style="2n", batch_size=batch_size, num_steps=num_steps
    )
    window = 2 * num_steps
    assert rows == batch_size  # two copies of batch_size / 2 rows
    scored = np.concatenate(
        [
            w[:, -num_steps:].ravel()
            for w, _ in windows(x, y, batch_size=rows, num_steps=window)
        ]
    )
    assert len(np.unique(scored)) == len(scored)  # once each
    row_length = 480 // (batch_size // 2)
    for row in range(batch_size // 2):  # a contiguous run from step n of every row
        mine = np.sort(scored[scored // row_length == row]) % row_length
        assert list(mine) == list(range(num_steps, num_steps + len(mine)))
        assert len(mine) > row_length - 3 * window  # only the ragged end is lost
    for w, _ in windows(x, y, batch_size=rows, num_steps=window):
        assert (np.diff(w, axis=1) == 1).all()  # consecutive steps of one row


@pytest.mark.parametrize("style", truncation.STYLES)
def test_every_style_makes_about_as_many_updates_from_as_many_labels(style):
    n, batch_size = 4, 10
    x = np.arange(40_000)
    x2, _, rows = truncation.style_sequences(
        x, x, style=style, batch_size=batch_size, num_steps=n
    )
    h, h_prime = truncation.bptt_notation(style, n)
    updates = len(list(windows(x2, x2, batch_size=rows, num_steps=h)))
    tf_updates = len(x) // (batch_size * n)
    assert abs(updates - tf_updates) <= 2 * n
    assert rows * h_prime == batch_size * n  # labels scored per update


def test_block_means_and_intervals_over_blocks():
    rng = np.random.default_rng(0)
    positions = rng.permutation(2_000)
    values = positions.astype(float)  # block means of 0..1999 in blocks of 500
    means = truncation.block_means(positions, values, block=500)
    assert list(means) == [249.5, 749.5, 1249.5, 1749.5]
    with pytest.raises(ValueError, match="block=1500 leaves fewer than 2 blocks"):
        truncation.block_means(positions, values, block=1500)
    # Correlated noise (a moving average of 50 white-noise values): block means give a
    # wider, honest interval than single steps would.
    noise = np.convolve(rng.normal(size=20_000), np.ones(50) / 50, mode="same")
    single = theory.estimate(noise)
    blocked = theory.estimate(truncation.block_means(np.arange(20_000), noise))
    assert blocked.high - blocked.low > 3 * (single.high - single.low)


def test_tf_style_leaves_the_data_alone():
    x, y = np.arange(100), np.arange(100) * 2
    x2, y2, rows = truncation.style_sequences(
        x, y, style="tf", batch_size=5, num_steps=4
    )
    assert rows == 5 and np.array_equal(x2, x) and np.array_equal(y2, y)


def test_true_style_gradient_reaches_exactly_n_minus_1_steps_back():
    params = init_params(state_size=6, seed=0)
    cell = rnnlib.torch.RNNCell(params["W"], params["b"])
    for num_steps in (2, 5):
        x = torch.tensor([[0, 1] * num_steps])[:, :num_steps]
        inputs = F.one_hot(x, 2).float().requires_grad_()
        outputs, _ = rnnlib.torch.static_unroll(cell, inputs, cell.zero_state(1))
        (grad,) = torch.autograd.grad(outputs[0, -1].sum(), inputs)
        assert (grad[0].abs().sum(dim=1) > 0).all()  # every input of the window
        # and no further: two steps before the window, its first state carried and cut
        longer = torch.tensor([[0, 1] * (num_steps + 2)])[:, : num_steps + 2]
        inputs = F.one_hot(longer, 2).float().requires_grad_()
        _, state = rnnlib.torch.static_unroll(cell, inputs[:, :2], cell.zero_state(1))
        state = tuple(s.detach() for s in state)
        outputs, _ = rnnlib.torch.static_unroll(cell, inputs[:, 2:], state)
        (grad,) = torch.autograd.grad(outputs[0, -1].sum(), inputs)
        reached = grad[0].abs().sum(dim=1) > 0  # (num_steps + 2,)
        assert not reached[:2].any() and reached[2:].all()


def test_the_last_step_loss_is_the_last_positions_cross_entropy():
    params = init_params(state_size=4, seed=1)
    model = rnnlib.torch.HandRolledRNN(params)
    copy = rnnlib.torch.HandRolledRNN(params)
    x = np.array([[0, 1, 1], [1, 0, 1]])
    y = np.array([[1, 1, 0], [0, 1, 1]])
    step = rnnlib.torch.make_last_step_train_step(
        model, torch.optim.SGD(model.parameters(), lr=0.0)
    )
    loss, _ = step(x, y, (torch.zeros(2, 4),))
    logits, _ = copy(torch.as_tensor(x), (torch.zeros(2, 4),))
    expected = F.cross_entropy(logits[:, -1], torch.as_tensor(y[:, -1]))
    assert loss == pytest.approx(expected.item(), abs=1e-7)
    two = rnnlib.torch.make_last_step_train_step(
        copy, torch.optim.SGD(copy.parameters(), lr=0.0), num_scored=2
    )
    loss, _ = two(x, y, (torch.zeros(2, 4),))
    expected = F.cross_entropy(
        logits[:, 1:].reshape(-1, 2), torch.as_tensor(y[:, 1:]).reshape(-1)
    )
    assert loss == pytest.approx(expected.item(), abs=1e-7)


@pytest.mark.parametrize("style", truncation.STYLES)
def test_tf_and_torch_train_the_same_in_either_style(style):
    x, y = echo.generate(4_000, seed=1)
    params = init_params(state_size=4, seed=0)
    settings = dict(style=style, batch_size=20, num_steps=4, every=5, progress=False)
    tf_model = rnnlib.tf.HandRolledRNN(params)
    torch_model = rnnlib.torch.HandRolledRNN(params)
    tf_curve = rnnlib.tf.train_truncated(tf_model, x, y, **settings)
    torch_curve = rnnlib.torch.train_truncated(torch_model, x, y, **settings)
    assert tf_curve.windows_per_epoch == torch_curve.windows_per_epoch
    assert np.abs(tf_curve.loss - torch_curve.loss).max() < 1e-4
    for name, value in tf_model.params().items():
        assert np.abs(value - torch_model.params()[name]).max() < 1e-4, name


def test_the_styles_differ():
    x, y = echo.generate(4_000, seed=1)
    params = init_params(state_size=4, seed=0)
    trained = {}
    for style in truncation.STYLES:
        model = rnnlib.torch.HandRolledRNN(params)
        rnnlib.torch.train_truncated(
            model, x, y, style=style, batch_size=20, num_steps=4, progress=False
        )
        trained[style] = model.params()["W"]
    assert np.abs(trained["tf"] - trained["true"]).max() > 1e-3


def test_echo_learned_reads_the_optimal_predictors():
    x, y = echo.generate(20_000, seed=5)
    positions = np.arange(len(x))
    for known, excess_zero, share in [((3, 8), True, 1.0), ((3,), False, 0.0)]:
        losses = theory.optimal_step_losses(x, y, known)
        learned = truncation.echo_learned(x, y, positions, losses)
        assert learned["share_8"] == pytest.approx(share, abs=1e-12)
        assert (abs(learned["excess"].mean) < 1e-12) == excess_zero
    best = truncation.echo_learned(
        x, y, positions, theory.optimal_step_losses(x, y, (3, 8))
    )
    assert best["uses_3"].high < 0 and best["uses_8"].high < 0
    with pytest.raises(ValueError, match="positions and losses must have the same"):
        truncation.echo_learned(x, y, positions[:5], np.zeros(4))


def test_bad_styles_and_lengths_are_named():
    with pytest.raises(
        ValueError, match=r"style must be one of \('tf', 'true', '2n'\)"
    ):
        truncation.reach("full", 3)
    with pytest.raises(ValueError, match="these windows need rows of at least 11"):
        truncation.shifted_rows(np.arange(20), batch_size=2, num_steps=6)
    with pytest.raises(ValueError, match="batch_size=5 must be even for style '2n'"):
        truncation.style_sequences(
            np.arange(400), np.arange(400), style="2n", batch_size=5, num_steps=4
        )
    with pytest.raises(ValueError, match="style must be one of"):
        rnnlib.torch.train_truncated(
            rnnlib.torch.HandRolledRNN(init_params()),
            np.zeros(100, np.int64),
            np.zeros(100, np.int64),
            style="TF",
        )
    assert tf.__version__  # TensorFlow was imported for the cross-framework test
