"""The models in PyTorch: the echo task's hand-rolled cell unrolled over a window and
the same model from ``nn.RNN``; the MNIST chapter's stacked LSTM classifier.

Both take x of shape (batch_size, num_steps) (integer classes) and a state of shape
(batch_size, state_size), and return (logits (batch_size, num_steps, num_classes), final
state). Weights come from ``rnnlib.numpy.cell.init_params``, so every framework starts
from the same numbers. Chapter 3's PyTorch page writes ``HandRolledRNN`` out; a test
checks that the page and this module hold the same code.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib.numpy import lstm_stack
from rnnlib.numpy.cell import PARAM_NAMES, check_params
from rnnlib.numpy.gated import check_gated
from rnnlib.torch.layers import gated_layer

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

    def forward(self, x, state):
        # x: (batch_size, num_steps) integer classes; state: (batch_size, state_size)
        # inputs: (batch_size, num_steps, num_classes)
        inputs = F.one_hot(x, self.num_classes).to(self.W.dtype)
        states = []
        for t in range(x.shape[1]):
            # joined: (batch_size, num_classes + state_size)
            joined = torch.cat([inputs[:, t], state], dim=1)
            state = torch.tanh(joined @ self.W + self.b)  # (batch_size, state_size)
            states.append(state)
        states = torch.stack(states, dim=1)  # (batch_size, num_steps, state_size)
        logits = states @ self.U + self.c  # (batch_size, num_steps, num_classes)
        return logits, state

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.numpy.cell."""
        return {
            name: getattr(self, name).detach().cpu().numpy() for name in PARAM_NAMES
        }


class LibraryRNN(nn.Module):
    """The same model from the library: ``nn.RNN`` (tanh) followed by ``nn.Linear``."""

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
        check_params(params)
        self.state_size, self.num_classes = params["U"].shape
        self.rnn = nn.RNN(
            self.num_classes,
            self.state_size,
            nonlinearity="tanh",
            batch_first=True,
            dtype=dtype,
        )
        self.output = nn.Linear(self.state_size, self.num_classes, dtype=dtype)
        W = torch.tensor(np.asarray(params["W"]), dtype=dtype)
        with torch.no_grad():
            # nn.RNN computes x @ W_ih.T + b_ih + h @ W_hh.T + b_hh: W's two blocks,
            # transposed.
            self.rnn.weight_ih_l0.copy_(W[: self.num_classes].T)
            self.rnn.weight_hh_l0.copy_(W[self.num_classes :].T)
            self.rnn.bias_ih_l0.copy_(
                torch.tensor(np.asarray(params["b"]), dtype=dtype)
            )
            self.rnn.bias_hh_l0.zero_()
            self.output.weight.copy_(
                torch.tensor(np.asarray(params["U"]).T, dtype=dtype)
            )
            self.output.bias.copy_(torch.tensor(np.asarray(params["c"]), dtype=dtype))
        # nn.RNN has two biases where the cell has one: freeze the second at zero, or
        # training
        # would move their sum at twice the rate and the library model would train
        # differently.
        self.rnn.bias_hh_l0.requires_grad_(False)

    def forward(self, x, state):
        # inputs: (batch_size, num_steps, num_classes)
        inputs = F.one_hot(x, self.num_classes).to(self.output.weight.dtype)
        # states: (batch_size, num_steps, state_size); final: (1, batch_size,
        # state_size)
        states, final = self.rnn(inputs, state[None])
        return self.output(states), final[0]

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays, named as in rnnlib.numpy.cell (W's blocks
        stacked)."""
        rnn = {
            name: value.detach().cpu().numpy()
            for name, value in self.rnn.named_parameters()
        }
        return {
            "W": np.concatenate([rnn["weight_ih_l0"].T, rnn["weight_hh_l0"].T]),
            "b": rnn["bias_ih_l0"] + rnn["bias_hh_l0"],
            "U": self.output.weight.detach().cpu().numpy().T,
            "c": self.output.bias.detach().cpu().numpy(),
        }


# --------------------------------------------------------------- gated cells with heads
# (chapter 7). Inputs are token ids (batch_size, num_steps), one-hot encoded; weights in
# the neutral layout of rnnlib.numpy.gated, the head {"U", "c"} of init_head.


def linear_head(head, dtype):
    """nn.Linear holding {"U": (state_size, num_classes), "c": (num_classes,)}."""
    U, c = np.asarray(head["U"]), np.asarray(head["c"])
    output = nn.Linear(*U.shape, dtype=dtype)
    with torch.no_grad():
        output.weight.copy_(torch.as_tensor(U.T))
        output.bias.copy_(torch.as_tensor(c))
    return output


def one_bias(layer):
    """Keep one bias per gate, as Keras's LSTM and SimpleRNN do: bias_ih takes the sum
    and bias_hh is frozen at zero. Two trained biases would move their sum at twice the
    rate, and the model would train differently from Keras's."""
    with torch.no_grad():
        layer.bias_ih_l0 += layer.bias_hh_l0
        layer.bias_hh_l0.zero_()
    layer.bias_hh_l0.requires_grad_(False)


class SequenceLabeller(nn.Module):
    """An nn.RNN, nn.GRU or nn.LSTM and ONE nn.Linear shared by every step.

    ``model(x, state=None) -> (logits (batch_size, num_steps, num_classes), state)``
    for token ids x (batch_size, num_steps); the state is a tuple, (h,) or (h, c), so
    that it can be carried from window to window (the echo task). The LSTM and the tanh
    cell train one bias per gate (``one_bias``), as Keras's do.
    """

    def __init__(self, kind, params, head, *, reset_after=True, dtype=torch.float32):
        super().__init__()
        self.kind = kind
        self.input_size, self.state_size = check_gated(kind, params)
        self.num_classes = np.shape(head["c"])[0]
        self.rnn = gated_layer(kind, params, reset_after=reset_after, dtype=dtype)
        if kind != "gru":
            one_bias(self.rnn)
        self.output = linear_head(head, dtype)

    def zero_state(self, batch_size):
        zeros = self.output.weight.new_zeros(batch_size, self.state_size)
        return (zeros, zeros) if self.kind == "lstm" else (zeros,)

    def forward(self, x, state=None):
        x = torch.as_tensor(x, device=self.output.weight.device)
        # inputs: (batch_size, num_steps, input_size)
        inputs = F.one_hot(x, self.input_size).to(self.output.weight.dtype)
        if state is None:
            state = self.zero_state(inputs.shape[0])
        # nn.LSTM takes and returns (h, c), each (num_layers, batch_size, state_size)
        layered = tuple(s[None] for s in state)
        outputs, final = self.rnn(
            inputs, layered if self.kind == "lstm" else layered[0]
        )
        final = final if self.kind == "lstm" else (final,)
        # outputs: (batch_size, num_steps, state_size); Linear maps the last axis
        return self.output(outputs), tuple(s[0] for s in final)


def last_valid(outputs, lengths):
    """outputs[i, lengths[i] - 1] for every row i: (batch_size, state_size), from
    outputs (batch_size, max_length, state_size) of padded sequences."""
    lengths = torch.as_tensor(lengths, device=outputs.device)
    rows = torch.arange(outputs.shape[0], device=outputs.device)
    return outputs[rows, lengths - 1]


def check_dropout(dropout) -> float:
    """A dropout rate in [0, 1), or a ValueError naming it."""
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise TypeError(f"dropout must be a number, got {type(dropout).__name__}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must lie in [0, 1), got {dropout!r}")
    return float(dropout)


class SequenceClassifier(SequenceLabeller):
    """An nn.RNN, nn.GRU or nn.LSTM over padded sequences, and an nn.Linear on each
    sequence's last VALID output: ``model(x, lengths) -> logits (batch_size,
    num_classes)``. ``dropout`` drops that output before the nn.Linear in training
    mode (``model.train()``, a module's mode when created; ``model.eval()`` turns it
    off), as TF1's ``DropoutWrapper(output_keep_prob=1 - dropout)`` on the last cell."""

    def __init__(self, kind, params, head, *, dropout=0.0, **options):
        super().__init__(kind, params, head, **options)
        self.dropout = nn.Dropout(check_dropout(dropout))

    def forward(self, x, lengths):
        x = torch.as_tensor(x, device=self.output.weight.device)
        # inputs: (batch_size, max_length, input_size)
        inputs = F.one_hot(x, self.input_size).to(self.output.weight.dtype)
        outputs = self.rnn(inputs)[0]  # (batch_size, max_length, state_size)
        last = last_valid(outputs, lengths)  # (batch_size, state_size)
        return self.output(self.dropout(last))  # (batch_size, num_classes)


def padded_cross_entropy(logits, labels, lengths):
    """Mean cross-entropy over the valid steps only: logits (batch_size, max_length,
    num_classes), labels (batch_size, max_length), lengths (batch_size,)."""
    labels = torch.as_tensor(labels, device=logits.device)
    lengths = torch.as_tensor(lengths, device=logits.device)
    losses = F.cross_entropy(logits.transpose(1, 2), labels, reduction="none")
    steps = torch.arange(labels.shape[1], device=logits.device)
    mask = (steps[None, :] < lengths[:, None]).to(losses.dtype)  # like labels
    return (losses * mask).sum() / mask.sum()


class MnistLSTM(nn.Module):
    """Seed 001's classifier: ``nn.LSTM`` layers (32 then 64 units), then ``nn.Linear``
    on the top layer's last output.

    Built from a parameter dict of ``rnnlib.numpy.lstm_stack`` (its ``init_params``, or
    another model's ``params()``, from either framework). x: (batch_size, num_steps,
    num_inputs) -> logits (batch_size, num_classes). ``nn.LSTM`` stores each kernel
    transposed, (4 * state_size, inputs), with the gates in the same order as Keras
    (i, f, g, o), and has two biases where Keras has one: the second, ``bias_hh_l0``,
    stays frozen at zero, so that the model has Keras's parameters and trains the same.
    """

    def __init__(self, params, dtype=torch.float32):
        super().__init__()
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
