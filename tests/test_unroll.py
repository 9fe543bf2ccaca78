"""Static and dynamic unrolling (rnnlib.tf.unroll, rnnlib.torch.unroll): every way of
running the cell gives the NumPy reference's outputs and gradients; the static graph
grows with num_steps and the dynamic one does not; padded rows get what they get alone.
"""

import rnnlib.tf  # noqa: F401  (first: TensorFlow's quiet environment)

import keras
import numpy as np
import pytest
import tensorflow as tf
import torch
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnlib.torch
from rnnlib.numpy import cell as numpy_cell
from rnnlib.numpy.gradcheck import relative_error

STATE_SIZE = 5
PARAMS = numpy_cell.init_params(state_size=STATE_SIZE, seed=3)
RNG = np.random.default_rng(7)
X = RNG.integers(0, 2, size=(3, 9))  # (batch_size, num_steps)
Y = RNG.integers(0, 2, size=(3, 9))
STATE = RNG.uniform(-1, 1, size=(3, STATE_SIZE))
_, REFERENCE_LOGITS = numpy_cell.forward(PARAMS, X, STATE)
_, REFERENCE_GRADS, _ = numpy_cell.loss_and_gradients(PARAMS, X, Y, STATE)
TF_UNROLLERS = {"static": rnnlib.tf.static_unroll, "dynamic": rnnlib.tf.dynamic_unroll}
TORCH_UNROLLERS = {
    "static": rnnlib.torch.static_unroll,
    "dynamic": rnnlib.torch.dynamic_unroll,
}


def tf_logits_and_grads(model, traced):
    def run(x, y, state):
        with tf.GradientTape() as tape:
            logits, _ = model(x, state)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        return logits, tape.gradient(loss, model.trainable_variables)

    run = tf.function(run) if traced else run
    return run(tf.constant(X), tf.constant(Y), (tf.constant(STATE),))


def assert_matches_reference(logits, grads):
    assert relative_error(np.asarray(logits), REFERENCE_LOGITS) < 1e-12
    for name, grad in grads.items():
        assert relative_error(np.asarray(grad), REFERENCE_GRADS[name]) < 1e-12, name


@pytest.mark.parametrize("traced", [False, True], ids=["eager", "tf.function"])
@pytest.mark.parametrize("name", TF_UNROLLERS)
def test_tf_unrollers_give_the_reference_outputs_and_gradients(name, traced):
    model = rnnlib.tf.UnrolledRNN(PARAMS, TF_UNROLLERS[name], dtype=tf.float64)
    logits, grads = tf_logits_and_grads(model, traced)
    by_name = dict(
        zip([v.name.split(":")[0] for v in model.trainable_variables], grads)
    )
    assert_matches_reference(logits, {k: by_name[k].numpy() for k in "WbUc"})


@pytest.mark.parametrize("unroll", [True, False], ids=["unroll=True", "unroll=False"])
def test_keras_unroll_switch_gives_the_reference_outputs_and_gradients(unroll):
    model = rnnlib.tf.LibraryRNN(PARAMS, tf.float64)
    model.rnn.unroll = unroll
    logits, grads = tf_logits_and_grads(model, traced=True)
    kernel, recurrent, bias, U, c = (g.numpy() for g in grads)
    W = np.concatenate([kernel, recurrent])
    assert_matches_reference(logits, {"W": W, "b": bias, "U": U, "c": c})


@pytest.mark.parametrize("name", TORCH_UNROLLERS)
def test_torch_unrollers_give_the_reference_outputs_and_gradients(name):
    model = rnnlib.torch.UnrolledRNN(PARAMS, TORCH_UNROLLERS[name], torch.float64)
    logits, _ = model(torch.as_tensor(X), (torch.as_tensor(STATE),))
    F.cross_entropy(logits.reshape(-1, 2), torch.as_tensor(Y).reshape(-1)).backward()
    grads = {"W": model.cell.W.grad, "b": model.cell.b.grad}
    grads |= {"U": model.U.grad, "c": model.c.grad}
    assert_matches_reference(
        logits.detach().numpy(), {k: g.numpy() for k, g in grads.items()}
    )


def test_the_unrolled_model_is_chapter_3s_model():
    x = RNG.integers(0, 2, size=(4, 6))
    for framework, zeros in [
        (rnnlib.tf, (tf.zeros((4, STATE_SIZE)),)),
        (rnnlib.torch, (torch.zeros(4, STATE_SIZE),)),
    ]:
        unrolled = framework.UnrolledRNN(PARAMS)
        hand_rolled = framework.HandRolledRNN(PARAMS)
        x_in = x if framework is rnnlib.tf else torch.as_tensor(x)
        with torch.no_grad():
            a, b = (model(x_in, zeros)[0].numpy() for model in (unrolled, hand_rolled))
        assert np.array_equal(a, b)
        assert framework.unroll is framework.static_unroll


# ---------------------------------------------------------------- the graphs


def count_ops(concrete_function):
    graph_def = concrete_function.graph.as_graph_def()
    return len(graph_def.node) + sum(
        len(f.node_def) for f in graph_def.library.function
    )


def training_step_ops(unroll, num_steps):
    model = rnnlib.tf.UnrolledRNN(PARAMS, unroll)
    step = rnnlib.tf.make_train_step(model, rnnlib.tf.make_optimizer(model))
    x = tf.zeros((4, num_steps), tf.int64)
    return count_ops(step.get_concrete_function(x, x, model.zero_state(4)))


def test_static_graph_grows_linearly_and_the_dynamic_one_not_at_all():
    lengths = (2, 4, 8)
    static = [training_step_ops(rnnlib.tf.static_unroll, n) for n in lengths]
    dynamic = [training_step_ops(rnnlib.tf.dynamic_unroll, n) for n in lengths]
    per_step = (static[1] - static[0]) / 2
    assert per_step > 10 and static[2] - static[1] == 4 * per_step
    assert dynamic[0] == dynamic[1] == dynamic[2] < static[2]


def test_one_dynamic_trace_serves_every_length_and_static_refuses():
    signature = [
        tf.TensorSpec((None, None), tf.int64),
        (tf.TensorSpec((None, STATE_SIZE), tf.float32),),
    ]
    dynamic = tf.function(
        rnnlib.tf.UnrolledRNN(PARAMS, rnnlib.tf.dynamic_unroll),
        input_signature=signature,
    )
    for num_steps in (3, 5):
        logits, _ = dynamic(
            tf.zeros((2, num_steps), tf.int64), (tf.zeros((2, STATE_SIZE)),)
        )
        assert logits.shape == (2, num_steps, 2)
    assert dynamic.experimental_get_tracing_count() == 1
    static = tf.function(
        rnnlib.tf.UnrolledRNN(PARAMS, rnnlib.tf.static_unroll),
        input_signature=signature,
    )
    with pytest.raises(
        ValueError, match="static_unroll needs num_steps when it traces"
    ):
        static(tf.zeros((2, 3), tf.int64), (tf.zeros((2, STATE_SIZE)),))


def test_xla_compiles_the_dynamic_loop_and_gives_the_same_step():
    """tf.while_loop's gradient under jit_compile needs maximum_iterations: the
    library's dynamic_unroll passes it, and the compiled step trains the same
    numbers."""
    x = tf.constant(X)
    results = []
    for jit_compile in (False, True):
        model = rnnlib.tf.UnrolledRNN(PARAMS, rnnlib.tf.dynamic_unroll, tf.float64)
        step = rnnlib.tf.make_train_step(model, rnnlib.tf.make_optimizer(model))
        if jit_compile:
            step = tf.function(step, jit_compile=True)
        loss, (state,) = step(x, tf.constant(Y), (tf.constant(STATE),))
        results.append((float(loss), state.numpy(), model.cell.W.numpy()))
    (loss_a, state_a, W_a), (loss_b, state_b, W_b) = results
    assert loss_a == pytest.approx(loss_b, rel=1e-12)
    assert relative_error(state_b, state_a) < 1e-12
    assert relative_error(W_b, W_a) < 1e-12


# ---------------------------------------------------------------- variable lengths

LENGTHS = np.array([6, 2, 9, 1, 4], np.int32)
SEQUENCES = [RNG.integers(0, 2, size=n) for n in LENGTHS]
PADDED = np.zeros((len(LENGTHS), LENGTHS.max()), np.int64)
for _i, _seq in enumerate(SEQUENCES):
    PADDED[_i, : len(_seq)] = _seq


def assert_rows_as_alone(outputs, final, alone, zeros_after=True):
    """Each padded row's outputs up to its length, and its final state, are those of
    the sequence run alone (``alone(i)`` -> (outputs, final state))."""
    for i, n in enumerate(LENGTHS):
        alone_outputs, alone_final = alone(i)
        assert relative_error(outputs[i, :n], alone_outputs) < 1e-12
        assert relative_error(final[i], alone_final) < 1e-12
        if zeros_after:
            assert not np.asarray(outputs[i, n:]).any()


@pytest.mark.parametrize("name", TF_UNROLLERS)
def test_tf_padded_rows_get_what_they_get_alone(name):
    cell = rnnlib.tf.RNNCell(PARAMS["W"], PARAMS["b"], tf.float64)
    inputs = tf.one_hot(PADDED, 2, dtype=tf.float64)
    start = tf.zeros((len(LENGTHS), STATE_SIZE), tf.float64)
    outputs, (final,) = TF_UNROLLERS[name](cell, inputs, (start,), LENGTHS)

    def alone(i):
        one = tf.one_hot(SEQUENCES[i][None], 2, dtype=tf.float64)
        out, (state,) = rnnlib.tf.static_unroll(cell, one, (start[:1],))
        return out[0].numpy(), state[0].numpy()

    assert_rows_as_alone(outputs.numpy(), final.numpy(), alone)


def test_keras_masking_gives_padded_rows_what_they_get_alone():
    rnn = rnnlib.tf.LibraryRNN(PARAMS, tf.float64).rnn
    inputs = tf.one_hot(PADDED, 2, dtype=tf.float64)
    start = tf.zeros((len(LENGTHS), STATE_SIZE), tf.float64)
    mask = tf.sequence_mask(LENGTHS, PADDED.shape[1])
    outputs, final = rnn(inputs, initial_state=[start], mask=mask)

    def alone(i):
        out, state = rnn(
            tf.one_hot(SEQUENCES[i][None], 2, dtype=tf.float64),
            initial_state=[start[:1]],
        )
        return out[0].numpy(), state[0].numpy()

    assert_rows_as_alone(outputs.numpy(), final.numpy(), alone, zeros_after=False)


@pytest.mark.parametrize("name", TORCH_UNROLLERS)
def test_torch_padded_rows_get_what_they_get_alone(name):
    cell = rnnlib.torch.RNNCell(PARAMS["W"], PARAMS["b"], torch.float64)
    inputs = F.one_hot(torch.as_tensor(PADDED), 2).double()
    start = torch.zeros(len(LENGTHS), STATE_SIZE, dtype=torch.float64)
    with torch.no_grad():
        outputs, (final,) = TORCH_UNROLLERS[name](
            cell, inputs, (start,), torch.as_tensor(LENGTHS)
        )

        def alone(i):
            one = F.one_hot(torch.as_tensor(SEQUENCES[i][None]), 2).double()
            out, (state,) = rnnlib.torch.static_unroll(cell, one, (start[:1],))
            return out[0].numpy(), state[0].numpy()

        assert_rows_as_alone(outputs.numpy(), final.numpy(), alone)


def test_packed_sequences_give_padded_rows_what_they_get_alone():
    rnn = rnnlib.torch.LibraryRNN(PARAMS, torch.float64).rnn
    inputs = F.one_hot(torch.as_tensor(PADDED), 2).double()
    start = torch.zeros(1, len(LENGTHS), STATE_SIZE, dtype=torch.float64)
    lengths = torch.as_tensor(LENGTHS, dtype=torch.int64)
    with torch.no_grad():
        packed = pack_padded_sequence(
            inputs, lengths, batch_first=True, enforce_sorted=False
        )
        packed_outputs, final = rnn(packed, start)
        outputs, _ = pad_packed_sequence(
            packed_outputs, batch_first=True, total_length=PADDED.shape[1]
        )

        def alone(i):
            one = F.one_hot(torch.as_tensor(SEQUENCES[i][None]), 2).double()
            out, state = rnn(one, start[:, :1])
            return out[0].numpy(), state[0, 0].numpy()

        assert_rows_as_alone(outputs.numpy(), final[0].numpy(), alone)


class CountingCell:
    """A cell that counts its steps."""

    def __init__(self, cell):
        self.cell, self.steps = cell, 0

    def step(self, x_t, state):
        self.steps += 1
        return self.cell.step(x_t, state)


def test_dynamic_unrolling_stops_at_the_longest_sequence():
    short = np.array([2, 3, 1, 3, 2], np.int32)
    for framework, inputs, lengths in [
        (rnnlib.tf, tf.one_hot(PADDED, 2, dtype=tf.float64), short),
        (
            rnnlib.torch,
            F.one_hot(torch.as_tensor(PADDED), 2).double(),
            torch.tensor(short),
        ),
    ]:
        counts = {}
        for name in ("static_unroll", "dynamic_unroll"):
            cell = CountingCell(
                framework.RNNCell(PARAMS["W"], PARAMS["b"], inputs.dtype)
            )
            start = cell.cell.zero_state(len(short))
            getattr(framework, name)(cell, inputs, start, lengths)  # eagerly
            counts[name] = cell.steps
        assert counts == {"static_unroll": PADDED.shape[1], "dynamic_unroll": 3}


# ---------------------------------------------------------------- clear errors


@pytest.mark.parametrize("framework", [rnnlib.tf, rnnlib.torch], ids=["tf", "torch"])
def test_bad_arguments_are_named(framework):
    cell = framework.RNNCell(PARAMS["W"], PARAMS["b"])
    inputs = np.zeros((2, 4, 2), np.float32)
    inputs = tf.constant(inputs) if framework is rnnlib.tf else torch.tensor(inputs)
    state = cell.zero_state(2)
    for unroll in (framework.static_unroll, framework.dynamic_unroll):
        with pytest.raises(
            ValueError, match=r"inputs must .*shape \(batch_size, num_steps"
        ):
            unroll(cell, inputs[0], state)
        with pytest.raises(
            ValueError, match=r"sequence_length must lie in 1..num_steps=4"
        ):
            unroll(cell, inputs, state, np.array([2, 5]))
        with pytest.raises(ValueError, match=r"sequence_length must have shape"):
            unroll(cell, inputs, state, np.array([[2, 3]]))


def test_keras_is_the_installed_keras_3():
    assert keras.__version__.startswith("3.")  # the page's error messages assume it
