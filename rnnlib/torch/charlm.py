"""The character-level LSTM language model in PyTorch: the model, one training step with
the state carried, reading a whole text, and sampling.

``CharLSTM`` is built from a parameter dict of ``rnnlib.numpy.charlstm`` (its
``init_params``, or another model's ``params()``, from either framework):
``nn.Embedding``, one ``nn.LSTM`` per layer (``bias_hh`` frozen at zero, so that the
model has Keras's parameters), ``nn.Dropout`` after each layer, ``nn.Linear`` on every
step. ``model(x, state) -> (logits, state)``, x (batch_size, num_steps) ids, a state
((h, c), ...) one pair per layer. The training loop is ``rnnlib.lm.train_steps``.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rnnlib import lm
from rnnlib.data.chars import sample_next
from rnnlib.numpy import charlstm

__all__ = [
    "CharLSTM",
    "lm_optimizer",
    "make_lm_step",
    "read_text",
    "sample_text",
    "train_lm",
]


class CharLSTM(nn.Module):
    """Embedding, LSTM layers and a dense layer over characters (module docstring)."""

    def __init__(self, params, *, dropout=0.0, dtype=torch.float32):
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        vocab_size, embed_size, self.state_sizes = charlstm.check_params(params)
        self.embedding = nn.Embedding(vocab_size, embed_size, dtype=dtype)
        sizes = (embed_size,) + self.state_sizes
        self.lstms = nn.ModuleList(
            nn.LSTM(n_in, n, batch_first=True, dtype=dtype)
            for n_in, n in zip(sizes, sizes[1:])
        )
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(self.state_sizes[-1], vocab_size, dtype=dtype)

        def tensor(name):
            return torch.tensor(np.asarray(params[name]), dtype=dtype)

        with torch.no_grad():
            self.embedding.weight.copy_(tensor("embedding"))
            for layer, lstm in enumerate(self.lstms):
                lstm.weight_ih_l0.copy_(tensor(f"lstm{layer}.kernel").T)
                lstm.weight_hh_l0.copy_(tensor(f"lstm{layer}.recurrent_kernel").T)
                lstm.bias_ih_l0.copy_(tensor(f"lstm{layer}.bias"))
                lstm.bias_hh_l0.zero_()
                lstm.bias_hh_l0.requires_grad_(False)
            self.dense.weight.copy_(tensor("dense.kernel").T)
            self.dense.bias.copy_(tensor("dense.bias"))

    def zero_state(self, batch_size):
        """((h, c), ...) of zeros, one pair per layer, each (batch_size, state_size)."""
        weight = self.dense.weight
        return tuple(
            (weight.new_zeros(batch_size, n), weight.new_zeros(batch_size, n))
            for n in self.state_sizes
        )

    def forward(self, x, state=None):
        x = torch.as_tensor(x, device=self.dense.weight.device)
        state = self.zero_state(x.shape[0]) if state is None else state
        inputs = self.embedding(x)  # (batch_size, num_steps, embed_size)
        final = []
        for lstm, (h, c) in zip(self.lstms, state):
            # nn.LSTM takes and returns states with a leading axis of one layer
            inputs, (h, c) = lstm(inputs, (h[None], c[None]))
            inputs = self.dropout(inputs)  # (batch_size, num_steps, state_size)
            final.append((h[0], c[0]))
        return self.dense(inputs), tuple(final)  # (batch_size, num_steps, vocab_size)

    def params(self) -> dict[str, np.ndarray]:
        """The weights as NumPy arrays in ``rnnlib.numpy.charlstm``'s layout."""

        def numpy(tensor):  # a copy: training on does not change what was returned
            return tensor.detach().cpu().numpy().copy()

        params = {"embedding": numpy(self.embedding.weight)}
        for layer, lstm in enumerate(self.lstms):
            params[f"lstm{layer}.kernel"] = numpy(lstm.weight_ih_l0.T)
            params[f"lstm{layer}.recurrent_kernel"] = numpy(lstm.weight_hh_l0.T)
            params[f"lstm{layer}.bias"] = numpy(lstm.bias_ih_l0 + lstm.bias_hh_l0)
        params["dense.kernel"] = numpy(self.dense.weight.T)
        params["dense.bias"] = numpy(self.dense.bias)
        return params


def detach(state):
    """The same state cut from the graph: the next window's backprop stops here."""
    return tuple((h.detach(), c.detach()) for h, c in state)


def lm_optimizer(model, learning_rate=2e-3):
    """Adam with epsilon 1e-8 over the trained parameters."""
    trained = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.Adam(trained, lr=learning_rate, eps=1e-8)


def make_lm_step(model, optimizer, *, clip_norm=1.0):
    """``step(x, y, state, learning_rate) -> (loss, state, grad_norm)`` for
    ``rnnlib.lm.train_steps``: one update on a window, gradients clipped to a global
    norm of ``clip_norm``, the final state detached."""
    trained = [p for p in model.parameters() if p.requires_grad]
    device = model.dense.weight.device

    def step(x, y, state, learning_rate):
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate
        x = torch.as_tensor(x, device=device)
        y = torch.as_tensor(y, device=device)
        logits, state = model(x, state)  # (batch_size, num_steps, vocab_size)
        loss = F.cross_entropy(logits.transpose(1, 2), y)  # y: (batch, num_steps)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(trained, clip_norm)
        optimizer.step()
        return loss.detach(), detach(state), norm

    return step


def train_lm(model, ids, *, learning_rate=2e-3, clip_norm=1.0, **settings):
    """Train ``model`` on the text ``ids`` with Adam and a cosine learning rate;
    ``settings`` go to ``rnnlib.lm.train_steps`` (batch_size, num_steps, steps, ...).
    Returns its LMHistory."""
    step = make_lm_step(model, lm_optimizer(model, learning_rate), clip_norm=clip_norm)
    return lm.train_steps(
        step, ids, zero_state=model.zero_state, learning_rate=learning_rate, **settings
    )


@torch.no_grad()
def read_text(model, ids, *, num_steps=1000) -> np.ndarray:
    """-ln P(ids[t + 1] | ids[:t + 1]) for every t, shape (n - 1,): the text read as
    ONE stream from a zero state, the state carried from each window of ``num_steps``
    to the next, dropout off."""
    model.eval()
    ids = np.asarray(ids)
    state, losses = model.zero_state(1), []
    for start in range(0, len(ids) - 1, num_steps):
        x = ids[start : start + num_steps][: len(ids) - 1 - start]
        y = torch.as_tensor(ids[start + 1 : start + 1 + len(x)])
        logits, state = model(x[None], state)  # (1, len(x), vocab_size)
        losses.append(F.cross_entropy(logits[0].cpu(), y, reduction="none").numpy())
    return np.concatenate(losses).astype(np.float64)


@torch.no_grad()
def sample_text(model, prompt_ids, num_chars, rng, *, temperature=1.0, top_k=None):
    """``num_chars`` ids drawn one at a time after reading ``prompt_ids``, each fed
    back as the next input; the draws come from ``rng`` (``rnnlib.data.chars
    .sample_next``), so the same seed gives the same text in both frameworks."""
    model.eval()
    prompt = np.asarray(prompt_ids, np.int64)
    logits, state = model(prompt[None])  # (1, len(prompt), vocab_size)
    ids = []
    for _ in range(num_chars):
        last = logits[0, -1].double().cpu().numpy()
        ids.append(sample_next(last, rng, temperature=temperature, top_k=top_k))
        logits, state = model(np.array([[ids[-1]]]), state)
    return np.array(ids, np.int64)
