"""Gradients through time (chapter 6): the NumPy Jacobian product against finite
differences and against TF and PyTorch autograd, LSTM and GRU Jacobians against finite
differences, the spectral-radius and orthogonal levers, clipping by global norm, the lag
signal, and the library layers loaded from shared weights."""

import rnnlib.tf  # first: sets TensorFlow's logging before TensorFlow loads

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch

import rnnlib.torch
from rnnlib.numpy import cell as numpy_cell
from rnnlib.numpy import gated, layouts
from rnnlib.numpy import gradients as ng
from rnnlib.numpy.gradcheck import relative_error

torch.set_num_threads(1)
STATE_SIZE = 8


def tanh_window(radius=1.0, seed=0, batch_size=4, num_steps=12):
    """A tanh cell with nonzero biases, random inputs and a nonzero first state."""
    rng = np.random.default_rng(seed)
    params = numpy_cell.init_params(state_size=STATE_SIZE, seed=seed)
    params["W"][2:] = ng.scale_to_radius(params["W"][2:], radius)
    params["b"] = rng.normal(scale=0.2, size=STATE_SIZE)
    x = rng.integers(0, 2, size=(batch_size, num_steps))
    init_state = rng.uniform(-0.5, 0.5, size=(batch_size, STATE_SIZE))
    return params, x, init_state


def one_hot(x):
    return np.eye(2)[x]  # (batch_size, num_steps, 2) float64


def max_difference(a, b):
    a, b = a.reshape(-1, *a.shape[-2:]), b.reshape(-1, *b.shape[-2:])
    return max(relative_error(p, q) for p, q in zip(a, b))


# ---------------------------------------------------------------- NumPy


@pytest.mark.parametrize("k", [1, 2, 7, 12])
def test_numpy_jacobians_match_finite_differences(k):
    params, x, init_state = tanh_window(radius=1.5)
    num_steps = x.shape[1]
    jacobians = ng.state_jacobians(params, x, init_state, num_steps)
    states, _ = numpy_cell.forward(params, x, init_state)
    start = states[:, num_steps - k - 1] if k < num_steps else init_state
    eps, numeric = 1e-6, np.zeros_like(jacobians[:, 0])
    for j in range(STATE_SIZE):
        nudge = np.zeros_like(start)
        nudge[:, j] = eps
        plus = numpy_cell.forward(params, x[:, num_steps - k :], start + nudge)[0]
        minus = numpy_cell.forward(params, x[:, num_steps - k :], start - nudge)[0]
        numeric[:, :, j] = (plus[:, -1] - minus[:, -1]) / (2 * eps)
    assert relative_error(jacobians[:, k - 1], numeric) < 1e-7


def test_numpy_jacobian_is_the_written_out_product():
    """d S_T / d S_(T-k) = prod diag(1 - S**2) W_s.T, multiplied out for one row."""
    params, x, init_state = tanh_window()
    states, _ = numpy_cell.forward(params, x, init_state)
    W_state = params["W"][2:]
    product = np.eye(STATE_SIZE)
    for t in range(x.shape[1] - 1, x.shape[1] - 6, -1):
        product = product @ (np.diag(1 - states[0, t] ** 2) @ W_state.T)
    jacobians = ng.state_jacobians(params, x, init_state, 5)
    assert relative_error(jacobians[0, 4], product) < 1e-14


def test_numpy_jacobian_arguments_are_checked():
    params, x, init_state = tanh_window()
    with pytest.raises(ValueError, match=r"num_back must be at most num_steps=12"):
        ng.state_jacobians(params, x, init_state, 13)
    with pytest.raises(ValueError, match=r"num_back must be an integer >= 1, got 0"):
        ng.state_jacobians(params, x, init_state, 0)
    with pytest.raises(ValueError, match=r"init_state must have shape \(4, 8\)"):
        ng.state_jacobians(params, x, init_state[:2], 3)


def test_jacobian_norms_are_the_largest_singular_values():
    matrices = np.random.default_rng(0).normal(size=(3, 5, 6, 6))
    expected = np.array([[np.linalg.norm(m, 2) for m in row] for row in matrices])
    assert np.allclose(ng.jacobian_norms(matrices), expected, rtol=1e-12)
    with pytest.raises(ValueError, match=r"jacobians must have shape \(\.\.\., m, n\)"):
        ng.jacobian_norms(np.ones(3))


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0])
def test_scale_to_radius_sets_the_spectral_radius(radius):
    matrix = np.random.default_rng(1).normal(size=(7, 7))
    scaled = ng.scale_to_radius(matrix, radius)
    assert ng.spectral_radius(scaled) == pytest.approx(radius, rel=1e-12)
    assert np.allclose(scaled / matrix, scaled[0, 0] / matrix[0, 0])  # one factor


def test_radius_arguments_are_checked():
    with pytest.raises(ValueError, match=r"matrix must be a square matrix, got shape"):
        ng.spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"radius must be a finite number > 0, got -1"):
        ng.scale_to_radius(np.eye(2), -1)
    with pytest.raises(ValueError, match=r"matrix has spectral radius 0"):
        ng.scale_to_radius(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match=r"matrix has spectral radius 0"):
        ng.scale_to_radius(np.triu(np.ones((3, 3)), 1), 1.0)  # nilpotent


def test_orthogonal_matrices_are_orthogonal_and_seeded():
    Q = ng.orthogonal(16, seed=3)
    assert np.allclose(Q.T @ Q, np.eye(16), atol=1e-12)
    assert ng.spectral_radius(Q) == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(np.linalg.svd(Q, compute_uv=False), 1.0)
    assert np.array_equal(Q, ng.orthogonal(16, seed=3))
    assert not np.allclose(Q, ng.orthogonal(16, seed=4))
    with pytest.raises(ValueError, match=r"size must be an integer >= 1, got 0"):
        ng.orthogonal(0)


def test_orthogonal_weights_keep_a_linear_product_at_norm_one():
    """Without the tanh, a product of orthogonal matrices has norm exactly 1."""
    Q = ng.orthogonal(8, seed=0)
    assert np.linalg.norm(np.linalg.matrix_power(Q.T, 50), 2) == pytest.approx(1.0)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gated_weights_follow_keras(kind):
    params = gated.init_gated(kind, input_size=2, state_size=5, forget_bias=1.5)
    Wx, Wh, bx, bh = gated.stacked(kind, params)
    gates = len(gated.GATES[kind])
    assert Wx.shape == (2, gates * 5) and Wh.shape == (5, gates * 5)
    assert np.allclose(Wh @ Wh.T, np.eye(5), atol=1e-12)  # orthonormal rows
    expected = np.zeros(gates * 5)
    if kind == "lstm":
        expected[5:10] = 1.5  # the forget gate's block: (i, f, g, o)
    assert np.array_equal(bx, expected) and not bh.any()


# ---------------------------------------------------------------- clipping


def flat(grads):
    values = grads.values() if isinstance(grads, dict) else grads
    return np.concatenate([np.asarray(g).ravel() for g in values])


def cosine(a, b):
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


@pytest.fixture
def window_grads():
    params, x, init_state = tanh_window(radius=2.0, num_steps=30)
    y = np.random.default_rng(9).integers(0, 2, size=x.shape)
    return numpy_cell.loss_and_gradients(params, x, y, init_state)[1]


def as_tf(grads):
    return [tf.constant(g) for g in grads.values()]


def as_torch(grads):
    return [torch.tensor(g) for g in grads.values()]


CLIPPERS = {
    "numpy": lambda g, m: ng.clip_by_global_norm(g, m),
    "tf": lambda g, m: rnnlib.tf.clip_by_global_norm(as_tf(g), m),
    "torch": lambda g, m: rnnlib.torch.clip_by_global_norm(as_torch(g), m),
}


@pytest.mark.parametrize("name", list(CLIPPERS))
@pytest.mark.parametrize("fraction", [0.01, 0.5, 2.0])
def test_clipping_keeps_the_direction_and_caps_the_norm(window_grads, name, fraction):
    norm = ng.global_norm(window_grads)
    max_norm = fraction * norm
    clipped, reported = CLIPPERS[name](window_grads, max_norm)
    original, clipped = flat(window_grads), flat(clipped)
    assert reported == pytest.approx(norm, rel=1e-12)
    assert np.linalg.norm(clipped) <= max_norm * (1 + 1e-12)
    assert cosine(original, clipped) == pytest.approx(1.0, abs=1e-12)
    if fraction > 1:  # below the threshold nothing changes
        assert np.allclose(clipped, original, rtol=1e-12, atol=0)
    else:
        assert np.linalg.norm(clipped) == pytest.approx(max_norm, rel=1e-5)


def test_the_frameworks_own_clipping_matches_numpy(window_grads):
    max_norm = 0.1 * ng.global_norm(window_grads)
    expected, _ = ng.clip_by_global_norm(window_grads, max_norm)
    tf_clipped, _ = tf.clip_by_global_norm(as_tf(window_grads), max_norm)
    assert relative_error(flat([g.numpy() for g in tf_clipped]), flat(expected)) < 1e-14
    parameters = [
        torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
        for g in window_grads.values()
    ]
    for parameter, g in zip(parameters, as_torch(window_grads)):
        parameter.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    torch_clipped = flat([p.grad.numpy() for p in parameters])
    assert relative_error(torch_clipped, flat(expected)) < 1e-5  # PyTorch adds 1e-6
    ours = flat(rnnlib.torch.clip_by_global_norm(as_torch(window_grads), max_norm)[0])
    assert relative_error(ours, torch_clipped) < 1e-14


def test_keras_global_clipnorm_is_global_and_clipnorm_is_not(window_grads):
    max_norm = 0.1 * ng.global_norm(window_grads)
    expected = flat(ng.clip_by_global_norm(window_grads, max_norm)[0])

    def step(**clipping):
        variables = [tf.Variable(tf.zeros_like(g)) for g in as_tf(window_grads)]
        optimizer = keras.optimizers.SGD(learning_rate=1.0, **clipping)
        optimizer.apply_gradients(zip(as_tf(window_grads), variables))
        return -flat([v.numpy() for v in variables])

    assert relative_error(step(global_clipnorm=max_norm), expected) < 1e-12
    assert cosine(step(clipnorm=max_norm), flat(window_grads)) < 0.999


def test_clipping_arguments_are_checked(window_grads):
    for clip in CLIPPERS.values():
        with pytest.raises(
            ValueError, match=r"max_norm must be a finite number > 0, got 0"
        ):
            clip(window_grads, 0)


# ---------------------------------------------------------------- autograd


FRAMEWORKS = {
    "tf": (rnnlib.tf, lambda a: tf.constant(a), tf.float64),
    "torch": (rnnlib.torch, lambda a: torch.as_tensor(a), torch.float64),
}


@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_numpy_jacobian_product_equals_autograd(framework, radius):
    lib, tensor, float64 = FRAMEWORKS[framework]
    params, x, init_state = tanh_window(radius=radius, num_steps=20)
    expected = ng.state_jacobians(params, x, init_state, 20)
    cell = lib.make_cell("rnn", layouts.from_hand_rolled(params)[0], dtype=float64)
    found = np.asarray(
        lib.state_jacobians(cell, tensor(one_hot(x)), (tensor(init_state),), 20)
    )
    assert found.shape == expected.shape == (4, 20, STATE_SIZE, STATE_SIZE)
    # float64 rounding and nothing more: no further from NumPy than NumPy is from
    # itself when it rounds differently (up to a factor of 10)
    rounding = max_difference(
        ng.state_jacobians_reordered(params, x, init_state, 20), expected
    )
    assert 0 < rounding < 1e-12
    assert max_difference(found, expected) < 10 * rounding


def test_reordered_jacobians_are_the_same_mathematics():
    params, x, init_state = tanh_window(radius=1.5)
    expected = ng.state_jacobians(params, x, init_state, 12)
    reordered = ng.state_jacobians_reordered(params, x, init_state, 12)
    assert reordered.shape == expected.shape
    assert 0 < max_difference(reordered, expected) < 1e-13
    with pytest.raises(ValueError, match="num_back must be at most num_steps=12"):
        ng.state_jacobians_reordered(params, x, init_state, 13)


def to_numpy(value):
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value.numpy()


def numerical_state_jacobian(lib, tensor, cell, inputs, state, k):
    """Central differences of the whole state S_T with respect to S_(T-k), every part
    of the state nudged separately, in float64."""
    num_steps = inputs.shape[1]
    for t in range(num_steps - k):
        _, state = cell.step(tensor(inputs[:, t]), state)
    state = [to_numpy(part) for part in state]
    sizes = [part.shape[1] for part in state]
    flat_state = np.concatenate(state, axis=1)

    def run(flat_start):
        parts = np.split(flat_start, np.cumsum(sizes)[:-1], axis=1)
        current = tuple(tensor(part) for part in parts)
        for t in range(num_steps - k, num_steps):
            _, current = cell.step(tensor(inputs[:, t]), current)
        return np.concatenate([to_numpy(part) for part in current], axis=1)

    eps, columns = 1e-6, []
    for j in range(flat_state.shape[1]):
        nudge = np.zeros_like(flat_state)
        nudge[:, j] = eps
        columns.append((run(flat_state + nudge) - run(flat_state - nudge)) / (2 * eps))
    return np.stack(columns, axis=-1)


def noisy_gated(kind, seed, forget_bias=1.0):
    """init_gated's weights with every bias moved away from its start."""
    params = gated.init_gated(
        kind, input_size=2, state_size=STATE_SIZE, seed=seed, forget_bias=forget_bias
    )
    rng = np.random.default_rng(seed + 1)
    for key in params:
        if key.startswith("b"):
            params[key] = params[key] + rng.normal(scale=0.3, size=STATE_SIZE)
    return params


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_gated_jacobians_match_finite_differences(framework, kind):
    """h and c count as separate inputs: the Jacobian of the map S_(T-k) -> S_T."""
    lib, tensor, float64 = FRAMEWORKS[framework]
    cell = lib.make_cell(kind, noisy_gated(kind, 0), dtype=float64)
    rng = np.random.default_rng(1)
    inputs = one_hot(rng.integers(0, 2, size=(3, 9)))
    parts = 2 if kind == "lstm" else 1
    init = tuple(rng.uniform(-0.5, 0.5, size=(3, STATE_SIZE)) for _ in range(parts))
    jacobians = np.asarray(
        lib.state_jacobians(cell, tensor(inputs), tuple(tensor(p) for p in init), 9)
    )
    for k in (1, 4, 9):
        numeric = numerical_state_jacobian(
            lib, tensor, cell, inputs, tuple(tensor(p) for p in init), k
        )
        assert relative_error(jacobians[:, k - 1], numeric) < 1e-7, k


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_tf_and_torch_gated_cells_agree(kind):
    params = noisy_gated(kind, 2, forget_bias=0.5)
    inputs = one_hot(np.random.default_rng(2).integers(0, 2, size=(5, 15)))
    found = {}
    for name, (lib, tensor, float64) in FRAMEWORKS.items():
        cell = lib.make_cell(kind, params, dtype=float64)
        found[name] = np.asarray(
            lib.state_jacobians(cell, tensor(inputs), cell.zero_state(5), 15)
        )
    assert max_difference(found["tf"], found["torch"]) < 1e-12


def test_lstm_memory_block_one_step_back_is_the_forget_gate():
    params = gated.init_gated("lstm", input_size=2, state_size=STATE_SIZE, seed=3)
    cell = rnnlib.torch.make_cell("lstm", params, dtype=torch.float64)
    inputs = one_hot(np.random.default_rng(3).integers(0, 2, size=(4, 6)))
    jacobians = rnnlib.torch.state_jacobians(
        cell, torch.as_tensor(inputs), cell.zero_state(4), 1
    )
    state = cell.zero_state(4)
    for t in range(5):
        h, state = cell.step(torch.as_tensor(inputs[:, t]), state)
    pre = gated.gate(params, "f", inputs[:, 5], h.detach().numpy())
    forget = gated.sigmoid(pre)
    memory = jacobians[:, 0, STATE_SIZE:, STATE_SIZE:]  # d c_T / d c_(T-1)
    assert np.allclose(memory, forget[:, :, None] * np.eye(STATE_SIZE), atol=1e-15)


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_make_cell_names_the_kinds_and_the_layout(framework):
    lib = FRAMEWORKS[framework][0]
    with pytest.raises(
        ValueError, match=r"kind must be one of \['rnn', 'gru', 'lstm'\], got 'tanh'"
    ):
        lib.make_cell("tanh", {})
    lstm = gated.init_gated("lstm", input_size=2, state_size=3)
    with pytest.raises(ValueError, match=r"params of a gru is missing \['Wx_r'"):
        lib.make_cell("gru", lstm)  # an LSTM's weights: named, not an IndexError
    with pytest.raises(TypeError, match=r"params must be a dict of arrays"):
        lib.make_cell("lstm", [lstm])


# ---------------------------------------------------------------- the echo models


def echo_weights(kind, seed=0):
    """(params, head): chapter 3's cell for "rnn", noisy gated weights otherwise."""
    if kind == "rnn":
        params = numpy_cell.init_params(state_size=STATE_SIZE, seed=seed)
        return layouts.from_hand_rolled(params)
    head = gated.init_head(state_size=STATE_SIZE, num_classes=2, seed=seed)
    return noisy_gated(kind, seed), head


def labellers(kind, params, head):
    return {
        "tf": rnnlib.tf.SequenceLabeller(kind, params, head, dtype=tf.float64),
        "torch": rnnlib.torch.SequenceLabeller(kind, params, head, dtype=torch.float64),
    }


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_echo_models_agree_across_frameworks_and_return_their_weights(kind):
    params, head = echo_weights(kind)
    models = labellers(kind, params, head)
    rng = np.random.default_rng(4)
    x = rng.integers(0, 2, size=(3, 7))
    state = tuple(
        rng.uniform(-0.5, 0.5, size=(3, STATE_SIZE)) for _ in models["tf"].zero_state(3)
    )
    tf_logits, tf_state = models["tf"](tf.constant(x), tuple(map(tf.constant, state)))
    torch_logits, torch_state = models["torch"](
        torch.as_tensor(x), tuple(map(torch.tensor, state))
    )
    assert relative_error(tf_logits.numpy(), torch_logits.detach().numpy()) < 1e-12
    for a, b in zip(tf_state, torch_state, strict=True):
        assert relative_error(a.numpy(), b.detach().numpy()) < 1e-12
    summed = kind != "gru"  # one bias per gate: bx + bh comes back as bx
    for model in models.values():
        returned = model.params()
        assert set(returned) == set(params)
        for name in params:
            want = params[name]
            if summed and name.startswith("bx"):
                want = want + params[name.replace("bx", "bh")]
            elif summed and name.startswith("bh"):
                want = 0 * want
            assert np.allclose(returned[name], want, rtol=0, atol=1e-15), name
        for name in head:
            assert np.allclose(model.head()[name], head[name], rtol=0, atol=1e-15)


def test_the_tanh_echo_model_is_chapter_3s_cell():
    params = numpy_cell.init_params(state_size=STATE_SIZE, seed=0)
    x = np.random.default_rng(5).integers(0, 2, size=(2, 6))
    state = np.zeros((2, STATE_SIZE))
    model = rnnlib.torch.SequenceLabeller(
        "rnn", *layouts.from_hand_rolled(params), dtype=torch.float64
    )
    logits, _ = model(torch.as_tensor(x), (torch.tensor(state),))
    _, expected = numpy_cell.forward(params, x, state)
    assert relative_error(logits.detach().numpy(), expected) < 1e-12


def brute_force_lag_signal(model, x, y, state, lag):
    """|| d L_p / d X_(p - lag) || label by label, one backward pass each."""
    inputs = torch.nn.functional.one_hot(torch.as_tensor(x), 2).double()
    total = 0.0
    for p in range(lag, x.shape[1]):
        leaf = inputs.clone().requires_grad_()
        logits, _ = model.forward_inputs(leaf, tuple(map(torch.tensor, state)))
        losses = torch.nn.functional.cross_entropy(
            logits[:, p], torch.as_tensor(y[:, p]), reduction="sum"
        )
        (grad,) = torch.autograd.grad(losses, leaf)
        total += grad[:, p - lag].norm(dim=-1).sum().item()
    return total / x.size


def test_lag_signal_is_the_gradient_reaching_lag_steps_back():
    models = labellers("lstm", *echo_weights("lstm"))
    rng = np.random.default_rng(6)
    x, y = rng.integers(0, 2, size=(4, 10)), rng.integers(0, 2, size=(4, 10))
    state = tuple(rng.uniform(-0.5, 0.5, size=(4, STATE_SIZE)) for _ in range(2))
    torch_signal = rnnlib.torch.lag_signal(
        models["torch"], x, y, tuple(map(torch.tensor, state)), lags=(0, 3, 8, 10)
    )
    tf_signal = rnnlib.tf.lag_signal(
        models["tf"], x, y, tuple(map(tf.constant, state)), (0, 3, 8, 10)
    )
    for lag in (0, 3, 8):
        expected = brute_force_lag_signal(models["torch"], x, y, state, lag)
        assert torch_signal[lag] == pytest.approx(expected, rel=1e-10)
        assert tf_signal[lag] == pytest.approx(expected, rel=1e-10)
    assert (
        torch_signal[10] == tf_signal[10] == 0
    )  # no label has its input in the window


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_training_records_norms_and_clipping_bounds_every_step(framework):
    lib, tensor, float64 = FRAMEWORKS[framework]
    params = numpy_cell.init_params(state_size=STATE_SIZE, seed=0)
    params["W"][2:] = ng.scale_to_radius(params["W"][2:], 2.0)
    rng = np.random.default_rng(7)
    x, y = rng.integers(0, 2, size=400), rng.integers(0, 2, size=400)
    _, grads, _ = numpy_cell.loss_and_gradients(
        params, x.reshape(4, 100)[:, :50], y.reshape(4, 100)[:, :50], np.zeros((4, 8))
    )
    model = lib.SequenceLabeller(
        "rnn", *layouts.from_hand_rolled(params), dtype=float64
    )
    curve, norms = lib.train_with_norms(
        model, x, y, batch_size=4, num_steps=50, learning_rate=1.0, max_norm=1e-3
    )
    assert len(norms) == len(curve.loss) == 2
    assert norms[0] == pytest.approx(ng.global_norm(grads), rel=1e-10)
    trained = layouts.to_hand_rolled(model.params(), model.head())
    moved = {name: trained[name] - params[name] for name in params}
    assert ng.global_norm(moved) <= 2 * 1e-3 * (
        1 + 1e-9
    )  # two steps of rate * max_norm


# ---------------------------------------------------------------- reusing objects


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_a_reloaded_cell_is_a_new_cell(framework, kind):
    """load_cell gives an existing cell new weights: its Jacobians, traced or not, are
    those of a cell made with them."""
    lib, tensor, float64 = FRAMEWORKS[framework]
    (first, _), (second, _) = echo_weights(kind, seed=0), echo_weights(kind, seed=1)
    inputs = tensor(one_hot(np.random.default_rng(8).integers(0, 2, size=(3, 9))))
    reused = lib.make_cell(kind, first, dtype=float64)
    run = tf.function(lib.state_jacobians) if framework == "tf" else lib.state_jacobians
    run(reused, inputs, reused.zero_state(3), 6)  # traced with the first weights
    lib.load_cell(reused, second)
    found = np.asarray(run(reused, inputs, reused.zero_state(3), 6))
    fresh = lib.make_cell(kind, second, dtype=float64)
    expected = np.asarray(lib.state_jacobians(fresh, inputs, fresh.zero_state(3), 6))
    assert max_difference(found, expected) < 1e-13
    with pytest.raises(TypeError, match="make_cell"):
        lib.load_cell(object(), second)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_a_restarted_model_and_optimizer_train_like_new_ones(framework, kind):
    """load_labeller + reset_optimizer, after a run with other weights, then a run: the
    same weights as a new model and a new Adam given the same windows."""
    lib, tensor, float64 = FRAMEWORKS[framework]
    rng = np.random.default_rng(9)
    x, y = rng.integers(0, 2, size=(4, 15)), rng.integers(0, 2, size=(4, 15))
    reused = lib.SequenceLabeller(kind, *echo_weights(kind, seed=0), dtype=float64)
    optimizer = lib.make_optimizer(reused, "adam", 0.01)
    step = lib.make_train_step(reused, optimizer)
    state = reused.zero_state(4)
    for _ in range(2):  # an earlier run: moments and step count that must go
        _, state = step(x[:, :5], y[:, :5], state)
    lib.load_labeller(reused, *echo_weights(kind, seed=1))
    lib.reset_optimizer(optimizer)
    state = reused.zero_state(4)
    for window in range(3):
        columns = slice(5 * window, 5 * (window + 1))
        _, state = step(x[:, columns], y[:, columns], state)
    fresh = lib.SequenceLabeller(kind, *echo_weights(kind, seed=1), dtype=float64)
    fresh_step = lib.make_train_step(fresh, lib.make_optimizer(fresh, "adam", 0.01))
    state = fresh.zero_state(4)
    for window in range(3):
        columns = slice(5 * window, 5 * (window + 1))
        _, state = fresh_step(x[:, columns], y[:, columns], state)
    found = {**reused.params(), **reused.head()}
    expected = {**fresh.params(), **fresh.head()}
    for name in expected:
        np.testing.assert_allclose(found[name], expected[name], rtol=0, atol=1e-12)
    untrained = lib.SequenceLabeller(kind, *echo_weights(kind, seed=1), dtype=float64)
    start = {**untrained.params(), **untrained.head()}
    assert any(  # and training did move the weights
        not np.allclose(expected[name], start[name]) for name in expected
    )
    with pytest.raises(TypeError, match="SequenceLabeller"):
        lib.load_labeller(object(), *echo_weights(kind, seed=1))


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_reset_optimizer_names_what_it_can_restart(framework):
    lib = FRAMEWORKS[framework][0]
    if framework == "tf":
        other = keras.optimizers.Adagrad()
    else:
        other = torch.optim.Adagrad([torch.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match="Adam or .*SGD"):
        lib.reset_optimizer(other)
