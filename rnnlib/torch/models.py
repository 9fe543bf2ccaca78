"""The models in PyTorch: the echo task's hand-rolled cell unrolled over a window and
the same model from ``nn.RNN``; gated cells with a head (sequence labelling and
classification); the MNIST chapter's stacked LSTM classifier.

The echo models and the labeller take x of shape (batch_size, num_steps) (integer
token ids) and a tuple state, (h,) or (h, c), each part (batch_size, state_size), as
every cell of rnnlib does, and return (logits (batch_size, num_steps, num_classes),
final state); ``model.zero_state(batch_size)`` gives the zeros they start from. Weights
come from ``rnnlib.numpy.cell.init_params`` (the hand-rolled cell) or the neutral
layout of ``rnnlib.numpy.gated``, so every framework starts from the same numbers.
Chapter 3's PyTorch page writes ``HandRolledRNN`` out; a test checks that the page and
this module hold the same code.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib._checks import check_dropout
from rnnlib.numpy import layouts, lstm_stack
from rnnlib.numpy.cell import PARAM_NAMES, check_params
from rnnlib.numpy.gated import check_gated, check_head
from rnnlib.torch._checks import (
    check_batch_size,
    check_lengths,
    check_tokens,
    check_unroll,
)
from rnnlib.torch.layers import gated_layer, get_gated_weights, one_bias

__all__ = [
    "HandRolledRNN",
    "LibraryRNN",
    "MnistLSTM",
    "SequenceClassifier",
    "SequenceLabeller",
    "last_valid",
    "padded_cross_entropy",
]


class HandRolledRNN(nn.Module):
    """S_t = tanh([X_t, S_{t-1}] @ W + b), logits_t = S_t @ U + c, in a Python loop."""

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        # W: (num_classes + state_size, state_size)
        self.W = nn.Parameter(torch.tensor(params["W"], dtype=dtype))
        self.b = nn.Parameter(torch.tensor(params["b"], dtype=dtype))  # (state_size,)
        # U: (state_size, num_classes)
        self.U = nn.Parameter(torch.tensor(params["U"], dtype=dtype))
        self.c = nn.Parameter(torch.tensor(params["c"], dtype=dtype))  # (num_classes,)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (self.W.new_zeros(batch_size, self.state_size),)

    def forward(self, x, state):
        # x: (batch_size, num_steps) integer classes
        # state: (S,), S of shape (batch_size, state_size)
        check_tokens(x, self.num_classes)
        (S,) = state
        # inputs: (batch_size, num_steps, num_classes)
        inputs = F.one_hot(x, self.num_classes).to(self.W.dtype)
        states = []
        for t in range(x.shape[1]):
            # joined: (batch_size, num_classes + state_size)
            joined = torch.cat([inputs[:, t], S], dim=1)
            S = torch.tanh(joined @ self.W + self.b)  # (batch_size, state_size)
            states.append(S)
        states = torch.stack(states, dim=1)  # (batch_size, num_steps, state_size)
        logits = states @ self.U + self.c  # (batch_size, num_steps, num_classes)
        return logits, (S,)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        return {
            name: getattr(self, name).detach().cpu().numpy() for name in PARAM_NAMES
        }


class LibraryRNN(nn.Module):
    """The same model from the library: ``nn.RNN`` (tanh) followed by ``nn.Linear``,
    loaded through ``rnnlib.numpy.layouts`` (W's two row blocks, transposed). nn.RNN has
    two biases where the cell has one: the second stays frozen at zero, or training
    would move their sum at twice the rate and the model would train differently."""

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        cell, head = layouts.from_hand_rolled(params)
        self.rnn = gated_layer("rnn", cell, dtype=dtype)
        one_bias(self.rnn)
        self.output = linear_head(head, dtype)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        return (self.output.weight.new_zeros(batch_size, self.state_size),)

    def forward(self, x, state):
        check_tokens(x, self.num_classes)
        # inputs: (batch_size, num_steps, num_classes)
        inputs = F.one_hot(x, self.num_classes).to(self.output.weight.dtype)
        (S,) = state  # S: (batch_size, state_size); nn.RNN wants (1, batch_size, ...)
        # states: (batch_size, num_steps, state_size); final: (1, batch_size, ...)
        states, final = self.rnn(inputs, S[None])
        return self.output(states), (final[0],)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        return layouts.to_hand_rolled(
            get_gated_weights(self.rnn), linear_weights(self.output)
        )


# --------------------------------------------------------------- gated cells with heads
# (chapter 7). Inputs are token ids (batch_size, num_steps), one-hot encoded; weights in
# the neutral layout of rnnlib.numpy.gated, the head {"U", "c"} of init_head.


def linear_weights(output) -> dict[str, np.ndarray]:
    """{"U": (state_size, num_classes), "c": (num_classes,)} of an nn.Linear."""
    return {
        "U": output.weight.detach().cpu().numpy().T,
        "c": output.bias.detach().cpu().numpy(),
    }


def linear_head(head, dtype):
    """nn.Linear holding {"U": (state_size, num_classes), "c": (num_classes,)}."""
    U, c = np.asarray(head["U"]), np.asarray(head["c"])
    output = nn.Linear(*U.shape, dtype=dtype)
    with torch.no_grad():
        output.weight.copy_(torch.as_tensor(U.T))
        output.bias.copy_(torch.as_tensor(c))
    return output


class SequenceLabeller(nn.Module):
    """An nn.RNN, nn.GRU or nn.LSTM and ONE nn.Linear shared by every step.

    ``model(x, state=None) -> (logits (batch_size, num_steps, num_classes), state)``
    for token ids x (batch_size, num_steps); the state is a tuple, (h,) or (h, c), so
    that it can be carried from window to window (the echo task). ``params`` is the
    neutral layout of ``rnnlib.numpy.gated`` (``input_size`` token ids, one-hot),
    ``head`` {"U": (state_size, num_classes), "c": (num_classes,)}; ``params()`` and
    ``head()`` read them back. The LSTM and the tanh cell train one bias per gate
    (``rnnlib.torch.layers.one_bias``), as Keras's do.
    """

    def __init__(self, kind, params, head, *, reset_after=True, dtype=torch.float32):
        super().__init__()
        self.kind = kind
        self.input_size, self.state_size = check_gated(kind, params)
        self.num_classes = check_head(head, self.state_size)
        self.rnn = gated_layer(kind, params, reset_after=reset_after, dtype=dtype)
        if kind != "gru":
            one_bias(self.rnn)
        self.output = linear_head(head, dtype)

    def zero_state(self, batch_size):
        check_batch_size(batch_size)
        zeros = self.output.weight.new_zeros(batch_size, self.state_size)
        return (zeros, zeros) if self.kind == "lstm" else (zeros,)

    def forward(self, x, state=None):
        x = torch.as_tensor(x, device=self.output.weight.device)
        check_tokens(x, self.input_size)
        # inputs: (batch_size, num_steps, input_size)
        inputs = F.one_hot(x, self.input_size).to(self.output.weight.dtype)
        return self.forward_inputs(inputs, state)

    def forward_inputs(self, inputs, state=None):
        """The same from float inputs (batch_size, num_steps, input_size), one-hot or
        not: the gradient with respect to the inputs is then defined."""
        if state is None:
            state = self.zero_state(inputs.shape[0])
        # nn.LSTM takes and returns (h, c), each (num_layers, batch_size, state_size)
        layered = tuple(s[None].contiguous() for s in state)
        outputs, final = self.rnn(
            inputs, layered if self.kind == "lstm" else layered[0]
        )
        final = final if self.kind == "lstm" else (final,)
        # outputs: (batch_size, num_steps, state_size); Linear maps the last axis
        return self.output(outputs), tuple(s[0] for s in final)

    def params(self) -> dict[str, np.ndarray]:
        """The layer's weights in the neutral layout (one bias comes back as bx)."""
        return get_gated_weights(self.rnn)

    def head(self) -> dict[str, np.ndarray]:
        """The linear layer's weights: {"U": (state_size, num_classes), "c"}."""
        return linear_weights(self.output)


def last_valid(outputs, lengths):
    """outputs[i, lengths[i] - 1] for every row i: (batch_size, state_size), from
    outputs (batch_size, max_length, state_size) of padded sequences."""
    check_lengths(lengths, outputs.shape[1])
    lengths = torch.as_tensor(lengths, device=outputs.device)
    rows = torch.arange(outputs.shape[0], device=outputs.device)
    return outputs[rows, lengths - 1]


class SequenceClassifier(SequenceLabeller):
    """An nn.RNN, nn.GRU or nn.LSTM over padded sequences, and an nn.Linear on each
    sequence's last VALID output: ``model(x, lengths) -> logits (batch_size,
    num_classes)``. ``dropout`` drops that output in training mode (a new module's;
    ``model.eval()`` ends it), as TF1's ``DropoutWrapper(output_keep_prob=1 - p)``."""

    def __init__(self, kind, params, head, *, dropout=0.0, **options):
        super().__init__(kind, params, head, **options)
        self.dropout = nn.Dropout(check_dropout(dropout))

    def forward(self, x, lengths):
        x = torch.as_tensor(x, device=self.output.weight.device)
        check_tokens(x, self.input_size)
        check_lengths(lengths, x.shape[1])
        # inputs: (batch_size, max_length, input_size)
        inputs = F.one_hot(x, self.input_size).to(self.output.weight.dtype)
        outputs = self.rnn(inputs)[0]  # (batch_size, max_length, state_size)
        last = last_valid(outputs, lengths)  # (batch_size, state_size)
        return self.output(self.dropout(last))  # (batch_size, num_classes)


def padded_cross_entropy(logits, labels, lengths):
    """Mean cross-entropy over the valid steps only: logits (batch_size, max_length,
    num_classes), labels (batch_size, max_length), lengths (batch_size,)."""
    check_lengths(lengths, logits.shape[1])
    labels = torch.as_tensor(labels, device=logits.device)
    lengths = torch.as_tensor(lengths, device=logits.device)
    losses = F.cross_entropy(logits.transpose(1, 2), labels, reduction="none")
    steps = torch.arange(labels.shape[1], device=logits.device)
    mask = (steps[None, :] < lengths[:, None]).to(losses.dtype)  # like labels
    return (losses * mask).sum() / mask.sum()


class MnistLSTM(nn.Module):
    """The TF1 script's classifier: ``nn.LSTM`` layers (32 then 64 units), then
    ``nn.Linear`` on the top layer's last output.

    Built from a parameter dict of ``rnnlib.numpy.lstm_stack`` (its ``init_params``, or
    another model's ``params()``, from either framework). x: (batch_size, num_steps,
    num_inputs) -> logits (batch_size, num_classes). ``nn.LSTM`` stores each kernel
    transposed, (4 * state_size, inputs), with the gates in the same order as Keras
    (i, f, g, o), and has two biases where Keras has one: the second, ``bias_hh_l0``,
    stays frozen at zero, so that the model has Keras's parameters and trains the same.
    ``unroll``, Keras's option to write the loop out in the graph, must stay False:
    ``nn.LSTM`` runs its loop in C++ (or cuDNN), and PyTorch has no graph to unroll.
    """

    def __init__(self, params, *, unroll=False, dtype=torch.float32):
        super().__init__()
        check_unroll(unroll)
        num_inputs, self.state_sizes, self.num_classes = lstm_stack.check_params(params)
        sizes = (num_inputs,) + self.state_sizes
        self.lstms = nn.ModuleList(
            nn.LSTM(n_in, n, batch_first=True, dtype=dtype)
            for n_in, n in zip(sizes, sizes[1:])
        )
        self.dense = nn.Linear(self.state_sizes[-1], self.num_classes, dtype=dtype)

        def tensor(name):
            return torch.tensor(np.asarray(params[name]), dtype=dtype)

        with torch.no_grad():
            for layer, lstm in enumerate(self.lstms):
                lstm.weight_ih_l0.copy_(tensor(f"lstm{layer}.kernel").T)
                lstm.weight_hh_l0.copy_(tensor(f"lstm{layer}.recurrent_kernel").T)
                lstm.bias_ih_l0.copy_(tensor(f"lstm{layer}.bias"))
                lstm.bias_hh_l0.zero_()
                lstm.bias_hh_l0.requires_grad_(False)
            self.dense.weight.copy_(tensor("dense.kernel").T)
            self.dense.bias.copy_(tensor("dense.bias"))

    def forward(self, x):
        # x: (batch_size, num_steps, num_inputs)
        for lstm in self.lstms:
            x, _ = lstm(x)  # (batch_size, num_steps, state_size)
        return self.dense(x[:, -1])  # (batch_size, num_classes)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named and laid out as in rnnlib.numpy.lstm_stack
        (Keras's layout: kernels transposed back, the two biases added)."""

        def numpy(tensor):
            return tensor.detach().cpu().numpy()

        params = {}
        for layer, lstm in enumerate(self.lstms):
            params[f"lstm{layer}.kernel"] = numpy(lstm.weight_ih_l0.T)
            params[f"lstm{layer}.recurrent_kernel"] = numpy(lstm.weight_hh_l0.T)
            params[f"lstm{layer}.bias"] = numpy(lstm.bias_ih_l0 + lstm.bias_hh_l0)
        params["dense.kernel"] = numpy(self.dense.weight.T)
        params["dense.bias"] = numpy(self.dense.bias)
        return params
