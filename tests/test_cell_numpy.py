"""rnnlib.numpy: the reference forward pass and backprop through time, checked by finite
differences."""

import numpy as np
import pytest

from rnnlib.numpy import cell as cn
from rnnlib.numpy import gradcheck


def window(batch_size=3, num_steps=5, state_size=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(batch_size, num_steps))
    y = rng.integers(0, 2, size=(batch_size, num_steps))
    state = rng.normal(scale=0.5, size=(batch_size, state_size))
    params = cn.init_params(state_size=state_size, seed=seed)
    params["b"] = rng.normal(
        scale=0.1, size=state_size
    )  # nonzero biases so their gradients are tested
    params["c"] = rng.normal(scale=0.1, size=2)
    return params, x, y, state


def test_init_params_shapes_and_glorot_range():
    params = cn.init_params(num_classes=3, state_size=5, seed=1)
    assert {k: v.shape for k, v in params.items()} == {
        "W": (8, 5),
        "b": (5,),
        "U": (5, 3),
        "c": (3,),
    }
    assert np.abs(params["W"]).max() <= np.sqrt(6 / 13) and not params["b"].any()
    assert np.array_equal(
        params["W"], cn.init_params(num_classes=3, state_size=5, seed=1)["W"]
    )


def test_forward_shapes_and_the_recurrence():
    params, x, _, state = window()
    states, logits = cn.forward(params, x, state)
    assert states.shape == (3, 5, 4) and logits.shape == (3, 5, 2)
    first = np.tanh(
        np.concatenate([np.eye(2)[x[:, 0]], state], axis=1) @ params["W"] + params["b"]
    )
    assert np.allclose(states[:, 0], first)
    second = np.tanh(
        np.concatenate([np.eye(2)[x[:, 1]], first], axis=1) @ params["W"] + params["b"]
    )
    assert np.allclose(states[:, 1], second)
    assert np.allclose(logits, states @ params["U"] + params["c"])


@pytest.mark.parametrize(
    "batch_size, num_steps, state_size, seed",
    [(3, 5, 4, 0), (1, 1, 2, 1), (4, 10, 16, 2)],
)
def test_backprop_matches_finite_differences(batch_size, num_steps, state_size, seed):
    errors = gradcheck.gradient_check(*window(batch_size, num_steps, state_size, seed))
    assert max(errors.values()) < 1e-6, errors


def test_the_gradient_check_can_fail():
    params, x, y, state = window()
    _, grads, _ = cn.loss_and_gradients(params, x, y, state)
    numeric = gradcheck.numerical_gradients(params, x, y, state)
    wrong = grads["W"].copy()
    wrong[2:] *= (
        1.5  # a typical slip: the recurrent block of the gradient off by a factor
    )
    assert gradcheck.relative_error(wrong, numeric["W"]) > 1e-2


def test_the_gradient_stops_at_the_initial_state():
    """Truncated backprop: the second window's gradient treats the state it starts from
    as a constant. It equals finite differences with that state frozen, not through both
    windows."""
    params, x, y, state = window(num_steps=10)
    states, _ = cn.forward(params, x[:, :5], state)
    middle = states[:, -1]  # the state the second window starts from
    _, grads, _ = cn.loss_and_gradients(params, x[:, 5:], y[:, 5:], middle)
    frozen = gradcheck.numerical_gradients(params, x[:, 5:], y[:, 5:], middle)

    eps, through_both = 1e-6, np.zeros_like(params["W"])
    for index in np.ndindex(params["W"].shape):
        losses = []
        for sign in (1, -1):
            nudged = {**params, "W": params["W"].copy()}
            nudged["W"][index] += sign * eps
            logits = cn.forward(nudged, x, state)[1]
            losses.append(cn.mean_cross_entropy(logits[:, 5:], y[:, 5:]))
        through_both[index] = (losses[0] - losses[1]) / (2 * eps)
    assert gradcheck.relative_error(grads["W"], frozen["W"]) < 1e-6
    assert gradcheck.relative_error(grads["W"], through_both) > 1e-3


def test_softmax_and_cross_entropy_are_stable():
    logits = np.array([[1000.0, 0.0], [0.0, 0.0]])
    assert np.allclose(cn.softmax(logits), [[1, 0], [0.5, 0.5]])
    assert cn.mean_cross_entropy(logits, np.array([0, 1])) == pytest.approx(
        np.log(2) / 2
    )


def test_bad_shapes_are_named():
    params, x, y, state = window()
    with pytest.raises(
        ValueError, match=r"init_state must have shape \(3, 4\), got \(3, 5\)"
    ):
        cn.forward(params, x, np.zeros((3, 5)))
    with pytest.raises(
        ValueError, match=r"x must have shape \(batch_size, num_steps\), .*got \(15,\)"
    ):
        cn.forward(params, x.ravel(), state)
    with pytest.raises(ValueError, match=r"y must have the shape of x"):
        cn.loss_and_gradients(params, x, y[:, :2], state)
    with pytest.raises(ValueError, match=r"x must hold classes in \[0, 2\)"):
        cn.forward(params, x + 1, state)
    with pytest.raises(
        ValueError, match=r"x must hold integer classes in \[0, 2\), got dtype float64"
    ):
        cn.forward(params, x.astype(float), state)
    with pytest.raises(ValueError, match=r"y must hold classes in \[0, 2\)"):
        cn.loss_and_gradients(params, x, y + 2, state)
    with pytest.raises(
        ValueError, match=r"params\['W'\] has shape \(6, 3\), expected \(6, 4\)"
    ):
        cn.forward({**params, "W": np.zeros((6, 3))}, x, state)
    with pytest.raises(ValueError, match=r"params is missing \['c'\]"):
        cn.forward({k: v for k, v in params.items() if k != "c"}, x, state)
    with pytest.raises(ValueError, match=r"state_size must be an integer >= 1, got 0"):
        cn.init_params(state_size=0)
