"""GRU and LSTM: the NumPy reference, the packings of Keras and PyTorch, the cells and
library layers of both frameworks against the reference, weights moved between the
frameworks, and parameter counts."""

import rnnlib.tf as rtf  # first: sets TensorFlow's logging before TensorFlow loads

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch

import rnnlib.torch as rtorch
from rnnlib.numpy import gated, layouts

CASES = [("lstm", True), ("gru", True), ("gru", False), ("rnn", True)]
CASE_IDS = ["lstm", "gru", "gru-reset-before", "rnn"]


def random_params(kind, input_size=3, state_size=5, seed=0):
    """Weights with every entry, biases included, away from zero."""
    rng = np.random.default_rng(seed)
    params = gated.init_gated(
        kind, input_size=input_size, state_size=state_size, seed=seed
    )
    return {k: v + rng.normal(scale=0.3, size=v.shape) for k, v in params.items()}


def inputs_and_state(kind, batch_size=2, num_steps=6, input_size=3, state_size=5):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(batch_size, num_steps, input_size))
    state = tuple(
        rng.normal(scale=0.5, size=(batch_size, state_size))
        for _ in gated.zero_state(kind, batch_size, state_size)
    )
    return x, state


# ---------------------------------------------------------------- the NumPy reference


def test_lstm_step_exact_numbers():
    """All weights zero: every gate is sigmoid(0) = 1/2 and the candidate tanh(0) = 0,
    so c = c / 2 and h = tanh(c / 2) / 2."""
    params = {k: np.zeros_like(v) for k, v in random_params("lstm").items()}
    h, c = np.zeros((1, 5)), np.full((1, 5), 1.0)
    output, (h, c) = gated.lstm_step(params, np.ones((1, 3)), (h, c))
    assert np.array_equal(c, np.full((1, 5), 0.5))
    assert np.allclose(h, 0.5 * np.tanh(0.5), rtol=0, atol=1e-15)
    assert output is h


def test_gru_step_exact_numbers_and_the_two_conventions():
    """Zero weights: z = 1/2 and n = tanh(0) = 0, so h halves. With only bh_n set, the
    conventions differ: reset_after multiplies bh_n by r = 1/2, the paper's does not."""
    params = {k: np.zeros_like(v) for k, v in random_params("gru").items()}
    h = np.full((1, 5), 0.8)
    for reset_after in (True, False):
        new, _ = gated.gru_step(params, np.ones((1, 3)), (h,), reset_after)
        assert np.allclose(new, 0.4, rtol=0, atol=1e-15)
    params["bh_n"][:] = 1.0
    after, _ = gated.gru_step(params, np.ones((1, 3)), (h,), reset_after=True)
    before, _ = gated.gru_step(params, np.ones((1, 3)), (h,), reset_after=False)
    assert np.allclose(after, 0.4 + 0.5 * np.tanh(0.5), rtol=0, atol=1e-15)
    assert np.allclose(before, 0.4 + 0.5 * np.tanh(1.0), rtol=0, atol=1e-15)


def test_init_is_keras_like():
    params = gated.init_gated("lstm", input_size=3, state_size=4, seed=2)
    _, Wh, bx, bh = gated.stacked("lstm", params)
    assert np.allclose(Wh @ Wh.T, np.eye(4), atol=1e-12)  # orthonormal rows
    assert np.array_equal(bx, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])  # forget 1
    assert not bh.any()
    assert np.abs(gated.stacked("lstm", params)[0]).max() <= np.sqrt(6 / (3 + 16))


def test_bad_params_and_inputs_are_named():
    params = random_params("gru")
    with pytest.raises(ValueError, match=r"kind must be one of .* got 'cnn'"):
        gated.check_gated("cnn", params)
    with pytest.raises(ValueError, match=r"missing \['Wx_i'"):
        gated.check_gated("lstm", params)
    params["Wh_z"] = np.zeros((5, 4))
    with pytest.raises(ValueError, match=r"params\['Wh_z'\] has shape \(5, 4\)"):
        gated.check_gated("gru", params)
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch_size, "):
        gated.run_gated("lstm", random_params("lstm"), np.zeros((2, 3, 4)))


# ---------------------------------------------------------------- packings


def labelled_params(kind, input_size=2, state_size=3):
    """Every gate's weights filled with the gate's number (1, 2, ...) in the neutral
    order, so that a packed array shows its gate order; bh = 10 * that number."""
    params = {}
    for number, g in enumerate(gated.GATES[kind], start=1):
        params[f"Wx_{g}"] = np.full((input_size, state_size), float(number))
        params[f"Wh_{g}"] = np.full((state_size, state_size), float(number))
        params[f"bx_{g}"] = np.full(state_size, float(number))
        params[f"bh_{g}"] = np.full(state_size, 10.0 * number)
    return params


@pytest.mark.parametrize(
    "kind, keras_order, torch_order",
    [("lstm", [1, 2, 3, 4], [1, 2, 3, 4]), ("gru", [2, 1, 3], [1, 2, 3])],
)
def test_gate_orders(kind, keras_order, torch_order):
    """Keras LSTM i, f, c, o and PyTorch i, f, g, o; Keras GRU z, r, h and PyTorch r,
    z, n (neutral: i, f, g, o and r, z, n)."""
    params = labelled_params(kind)
    kernel, recurrent, bias = layouts.to_keras(kind, params)
    assert list(kernel[0, ::3]) == keras_order
    assert list(recurrent[0, ::3]) == keras_order
    arrays = layouts.to_torch(kind, params)
    assert list(arrays["weight_ih"][::3, 0]) == torch_order
    assert list(arrays["bias_hh"][::3]) == [10 * n for n in torch_order]
    if kind == "lstm":  # one bias: bx + bh
        assert list(bias[::3]) == [11 * n for n in keras_order]
    else:  # reset_after=True: the input row, then the recurrent row
        assert bias.shape == (2, 9) and list(bias[1, ::3]) == [
            10 * n for n in [2, 1, 3]
        ]


@pytest.mark.parametrize("kind, reset_after", CASES, ids=CASE_IDS)
def test_packings_round_trip(kind, reset_after):
    params = random_params(kind)
    back = layouts.from_torch(kind, layouts.to_torch(kind, params))
    assert all(np.array_equal(back[k], params[k]) for k in params)
    back = layouts.from_keras(
        kind,
        layouts.to_keras(kind, params, reset_after=reset_after),
        reset_after=reset_after,
    )
    for key in params:
        if key.startswith("bh_") and not (kind == "gru" and reset_after):
            assert not back[key].any()  # one bias in Keras: it comes back as bx
            assert np.allclose(
                back[key.replace("bh", "bx")],
                params[key.replace("bh", "bx")] + params[key],
            )
        elif not key.startswith("bx_") or (kind == "gru" and reset_after):
            assert np.array_equal(back[key], params[key]), key


def test_packing_errors_name_the_problem():
    weights = layouts.to_keras("gru", random_params("gru"), reset_after=True)
    with pytest.raises(ValueError, match=r"reset_after=True has a bias of shape"):
        layouts.from_keras("gru", weights[:2] + [weights[2][0]], reset_after=True)
    with pytest.raises(ValueError, match=r"bias must have shape \(15,\)"):
        layouts.from_keras("gru", weights, reset_after=False)
    with pytest.raises(ValueError, match=r"\[kernel, recurrent_kernel, bias\]"):
        layouts.from_keras("gru", weights[:2])
    with pytest.raises(ValueError, match=r"missing \['bias_hh'\]"):
        arrays = layouts.to_torch("lstm", random_params("lstm"))
        del arrays["bias_hh"]
        layouts.from_torch("lstm", arrays)


# ---------------------------------------------------------------- cells and layers


def framework_runs(kind, params, reset_after, x, state):
    """{name: (outputs, final state)} from every implementation that can compute this
    case, in float64."""
    runs = {}
    if kind != "rnn":
        cell_classes = {"lstm": (rtf.LSTMCell, rtorch.LSTMCell)}
        tf_cell_class, torch_cell_class = cell_classes.get(
            kind, (rtf.GRUCell, rtorch.GRUCell)
        )
        extra = {} if kind == "lstm" else {"reset_after": reset_after}
        tf_cell = tf_cell_class(params, dtype=tf.float64, **extra)
        outputs, final = rtf.unroll(
            tf_cell, tf.constant(x), tuple(map(tf.constant, state))
        )
        runs["tf cell"] = outputs.numpy(), [s.numpy() for s in final]
        torch_cell = torch_cell_class(params, dtype=torch.float64, **extra)
        with torch.no_grad():
            outputs, final = rtorch.unroll(
                torch_cell, torch.tensor(x), tuple(map(torch.tensor, state))
            )
        runs["torch cell"] = outputs.numpy(), [s.numpy() for s in final]
    layer = rtf.gated_layer(kind, params, reset_after=reset_after, dtype=tf.float64)
    outputs, *final = layer(x, initial_state=[tf.constant(s) for s in state])
    runs["keras layer"] = outputs.numpy(), [s.numpy() for s in final]
    if reset_after:
        module = rtorch.gated_layer(kind, params, dtype=torch.float64)
        initial = tuple(torch.tensor(s)[None] for s in state)
        with torch.no_grad():
            outputs, final = module(
                torch.tensor(x), initial if kind == "lstm" else initial[0]
            )
        final = final if kind == "lstm" else (final,)
        runs["torch layer"] = outputs.numpy(), [s[0].numpy() for s in final]
    return runs


@pytest.mark.parametrize("kind, reset_after", CASES, ids=CASE_IDS)
def test_every_implementation_matches_the_numpy_reference(kind, reset_after):
    params = random_params(kind)
    x, state = inputs_and_state(kind)
    ref_outputs, ref_state = gated.run_gated(
        kind, params, x, state, reset_after=reset_after
    )
    runs = framework_runs(kind, params, reset_after, x, state)
    assert len(runs) == {"rnn": 2, "gru": 4 if reset_after else 3, "lstm": 4}[kind]
    for name, (outputs, final) in runs.items():
        assert np.allclose(outputs, ref_outputs, rtol=0, atol=1e-12), name
        for got, want in zip(final, ref_state):
            assert np.allclose(got, want, rtol=0, atol=1e-12), name


def test_the_two_gru_conventions_differ():
    params = random_params("gru")
    x, state = inputs_and_state("gru")
    after, _ = gated.run_gated("gru", params, x, state, reset_after=True)
    before, _ = gated.run_gated("gru", params, x, state, reset_after=False)
    assert np.abs(after - before).max() > 0.01


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_weights_move_from_keras_to_pytorch_and_back(kind):
    """A Keras layer with Keras's own random weights, read out and loaded into PyTorch,
    computes the same outputs; and a PyTorch layer's own weights, into Keras."""
    x, _ = inputs_and_state(kind)
    keras.utils.set_random_seed(3)
    layer = {
        "lstm": keras.layers.LSTM,
        "gru": keras.layers.GRU,
        "rnn": keras.layers.SimpleRNN,
    }[kind](5, return_sequences=True, dtype="float64")
    keras_out = layer(x).numpy()
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](
        3, 5, batch_first=True, dtype=torch.float64
    )
    rtorch.set_gated_weights(module, rtf.get_gated_weights(layer))
    with torch.no_grad():
        torch_out = module(torch.tensor(x))[0].numpy()
    assert np.allclose(torch_out, keras_out, rtol=0, atol=1e-12)

    torch.manual_seed(3)
    module = type(module)(3, 5, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        torch_out = module(torch.tensor(x))[0].numpy()
    rtf.set_gated_weights(layer, rtorch.get_gated_weights(module))
    assert np.allclose(layer(x).numpy(), torch_out, rtol=0, atol=1e-12)


def test_pytorch_refuses_the_papers_gru_and_wrong_layers():
    params = random_params("gru")
    with pytest.raises(ValueError, match=r"reset_after must be True"):
        rtorch.gated_layer("gru", params, reset_after=False)
    with pytest.raises(ValueError, match=r"layer must be an nn.RNN, nn.GRU or nn.LSTM"):
        rtorch.get_gated_weights(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"layer must be a keras.layers.SimpleRNN"):
        rtf.get_gated_weights(keras.layers.Dense(2))
    stack = torch.nn.GRU(3, 5, num_layers=2)
    with pytest.raises(
        ValueError, match=r"index must name one of the layer's 2 layers"
    ):
        rtorch.set_gated_weights(stack, params, index=2)
    with pytest.raises(ValueError, match=r"weight_ih_l1 has shape \(15, 5\)"):
        rtorch.set_gated_weights(stack, params, index=1)  # layer 1 reads 5 inputs


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_each_direction_of_a_bidirectional_layer_loads_and_reads_back(kind):
    """reverse=True loads the backward direction: run on the reversed sequence, it is
    the NumPy reference, and the forward direction is untouched."""
    forward, backward = random_params(kind, seed=1), random_params(kind, seed=2)
    layer = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    layer = layer(3, 5, batch_first=True, bidirectional=True, dtype=torch.float64)
    rtorch.set_gated_weights(layer, forward)
    rtorch.set_gated_weights(layer, backward, reverse=True)
    x, _ = inputs_and_state(kind)
    with torch.no_grad():
        outputs = layer(torch.tensor(x))[0].numpy()  # (batch, steps, 2 * 5)
    ahead, _ = gated.run_gated(kind, forward, x)
    behind, _ = gated.run_gated(kind, backward, x[:, ::-1])
    assert np.allclose(outputs[..., :5], ahead, rtol=0, atol=1e-12)
    assert np.allclose(outputs[..., 5:], behind[:, ::-1], rtol=0, atol=1e-12)
    read = rtorch.get_gated_weights(layer, reverse=True)
    assert all(np.allclose(read[k], backward[k], rtol=0, atol=1e-12) for k in read)
    with pytest.raises(ValueError, match=r"reverse=True needs a bidirectional layer"):
        rtorch.set_gated_weights(torch.nn.GRU(3, 5), backward, reverse=True)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_each_direction_of_a_keras_bidirectional_loads_and_reads_back(kind):
    """The same in Keras: reverse=True names the Bidirectional's backward layer."""
    forward, backward = random_params(kind, seed=1), random_params(kind, seed=2)
    options = {"return_state": False, "dtype": tf.float64}
    layer = keras.layers.Bidirectional(
        rtf.gated_layer(kind, random_params(kind, seed=3), **options),
        backward_layer=rtf.gated_layer(
            kind, random_params(kind, seed=4), go_backwards=True, **options
        ),
        dtype="float64",  # its own, or it returns float32
    )
    layer.build((None, None, 3))
    rtf.set_gated_weights(layer, forward)
    rtf.set_gated_weights(layer, backward, reverse=True)
    x, _ = inputs_and_state(kind)
    outputs = layer(tf.constant(x)).numpy()  # (batch, steps, 2 * 5)
    ahead, _ = gated.run_gated(kind, forward, x)
    behind, _ = gated.run_gated(kind, backward, x[:, ::-1])
    assert np.allclose(outputs[..., :5], ahead, rtol=0, atol=1e-12)
    assert np.allclose(outputs[..., 5:], behind[:, ::-1], rtol=0, atol=1e-12)
    for reverse, params in [(False, forward), (True, backward)]:
        read = rtf.get_gated_weights(layer, reverse=reverse)  # Keras's LSTM: one bias
        again, _ = gated.run_gated(kind, read, x)
        assert np.allclose(
            again, gated.run_gated(kind, params, x)[0], rtol=0, atol=1e-12
        )
    with pytest.raises(ValueError, match=r"reverse=True needs a bidirectional layer"):
        rtf.set_gated_weights(layer.forward_layer, backward, reverse=True)


# ---------------------------------------------------------------- parameter counts


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_parameter_counts_match_the_formula(kind):
    input_size, state_size = 7, 11
    gates = len(gated.GATES[kind])
    torch_layer = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[
        kind
    ](input_size, state_size)
    torch_count = sum(p.numel() for p in torch_layer.parameters())
    assert torch_count == gated.num_params(
        kind, input_size=input_size, state_size=state_size, biases=2
    )
    assert torch_count == gates * (
        input_size * state_size + state_size**2 + 2 * state_size
    )
    options = [{"reset_after": True}, {"reset_after": False}] if kind == "gru" else [{}]
    for option in options:
        layer = {
            "lstm": keras.layers.LSTM,
            "gru": keras.layers.GRU,
            "rnn": keras.layers.SimpleRNN,
        }[kind](state_size, **option)
        layer.build((None, None, input_size))
        biases = 2 if option.get("reset_after") else 1
        assert layer.count_params() == gated.num_params(
            kind, input_size=input_size, state_size=state_size, biases=biases
        )


def test_one_cell_object_in_every_layer_of_a_stack_shares_its_weights():
    """Seed 002's MultiRNNCell([cell] * num_layers), today: the same object three times
    holds one layer's weights, in Keras and in PyTorch."""
    state_size, num_layers = 8, 3
    one = gated.num_params(
        "gru", input_size=state_size, state_size=state_size, biases=2
    )
    cell = keras.layers.GRUCell(state_size)
    shared = keras.layers.RNN(keras.layers.StackedRNNCells([cell] * num_layers))
    shared.build((None, None, state_size))
    separate = keras.layers.RNN(
        keras.layers.StackedRNNCells(
            [keras.layers.GRUCell(state_size) for _ in range(num_layers)]
        )
    )
    separate.build((None, None, state_size))
    assert shared.count_params() == one
    assert separate.count_params() == num_layers * one
    cell = torch.nn.GRUCell(state_size, state_size)
    shared = torch.nn.ModuleList([cell] * num_layers)
    separate = torch.nn.ModuleList(
        [torch.nn.GRUCell(state_size, state_size) for _ in range(num_layers)]
    )
    assert sum(p.numel() for p in shared.parameters()) == one
    assert sum(p.numel() for p in separate.parameters()) == num_layers * one
    stacked = torch.nn.GRU(state_size, state_size, num_layers=num_layers)
    assert sum(p.numel() for p in stacked.parameters()) == num_layers * one


def test_the_neutral_layout_loads_no_framework():
    import subprocess
    import sys

    code = (
        "import sys, rnnlib.numpy.gated, rnnlib.numpy.layouts\n"
        "import rnnlib.data.padded, rnnlib.data.sequences\n"
        "print(sorted({'tensorflow', 'keras', 'torch'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
