"""Schematics of the capstone's models of text: an n-gram's orders mixed down to the
uniform distribution (chapter 12, ``rnnlib.data.ngram``), chapter 3's tanh cell unrolled
on one-hot characters (chapter 13, sizes from ``rnnlib.numpy.cell``), the character LSTM
with its state carried from window to window (chapter 14, layers from
``rnnlib.numpy.charlstm``), and a linear probe reading a cell's state (chapter 15)."""

from rnnlib._checks import check_int
from rnnlib.data import ngram
from rnnlib.diagrams.draw import Canvas
from rnnlib.numpy import cell, charlstm

#: What each smoothing gives the shorter context (``ngram.METHODS``), in the page's
#: notation.
MIXING = {
    "witten-bell": ["weight of the shorter context:", "$T(h)\\,/\\,(c(h) + T(h))$"],
    "kneser-ney": [
        "weight of the shorter context: $D\\,T(h)\\,/\\,c(h)$;",
        "shorter contexts count distinct",
        "characters before them",
    ],
}
#: How each framework's page cuts the state from the graph between windows.
CUTS = {
    "tf": "the state leaves the `tf.function`",
    "torch": "`detach(state)`",
}


def quoted(chars_: str) -> str:
    """A context as the page prints it, a space shown as a visible space."""
    return chars_.replace(" ", "\N{OPEN BOX}").replace("\n", "\N{RETURN SYMBOL}")


def ngram_mixing(*, context="Citize", order=3, vocab_size=65, method="witten-bell"):
    """How an interpolated n-gram of ``order`` predicts the character after
    ``context``: the model of each order k reads the last k characters h and mixes its
    counts with the prediction of order k - 1, handed up from below, down to order 0
    and the uniform distribution over ``vocab_size`` characters. ``method`` is one of
    ``ngram.METHODS`` and says what weight the shorter context gets."""
    order = check_int(order, "order", minimum=1)
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    if order > min(4, ngram.MAX_ORDER):
        raise ValueError(f"this picture draws orders up to 4, got order={order}")
    if len(context) < order:
        raise ValueError(
            f"context must hold at least order={order} characters, got {context!r}"
        )
    if method not in ngram.METHODS:
        raise ValueError(f"method must be one of {ngram.METHODS}, got {method!r}")
    canvas = Canvas()
    cell_, dy, h = 0.3, 0.78, 0.44
    strip_right = 1.05 + order * cell_
    box_x, box_w = strip_right + 0.45, 1.75
    canvas.text(strip_right - order * cell_ / 2, h + 0.22, "context h", va="bottom")
    canvas.text(box_x + box_w / 2, h + 0.22, "predicts w", va="bottom")
    boxes = []
    for row, k in enumerate(range(order, -1, -1)):
        y = -row * dy
        canvas.text(0.0, y + h / 2, f"order {k}", ha="left")
        if k:
            shown = context[len(context) - k :]
            canvas.strip(
                strip_right - k * cell_,
                y + (h - cell_) / 2,
                k,
                cell=cell_,
                role="input",
                values=[quoted(c) for c in shown],
                mono=True,
            )
        else:
            canvas.text(strip_right, y + h / 2, "none", role="muted", ha="right")
        box = canvas.box(box_x, y, box_w, h, f"$P_{{{k}}}(w \\mid h)$", role="output")
        canvas.arrow((strip_right + 0.05, y + h / 2), box.at("left"))
        boxes.append(box)
    y = -(order + 1) * dy
    uniform = canvas.box(box_x, y, box_w, h, f"uniform, 1/{vocab_size}", role="muted")
    boxes.append(uniform)
    for upper, lower in zip(boxes, boxes[1:]):  # each order hands its prediction up
        canvas.arrow(lower.at("top"), upper.at("bottom"))
    for i, line in enumerate(MIXING[method]):
        canvas.text(0.0, y - 0.5 - 0.3 * i, line, ha="left")
    return canvas.done()


def char_rnn(params=None, *, text="love"):
    """Chapter 3's tanh cell read on characters (chapter 13): at step t the character
    ``text[t]`` enters as a one-hot vector X_t of ``num_classes``, the state S_t
    (``state_size``) comes from X_t and S_{t-1}, and the logits Y_t score the next
    character, ``text[t + 1]``, the label. Sizes from ``params``
    (``cell.init_params(num_classes=65, state_size=100)`` by default)."""
    if params is None:
        params = cell.init_params(num_classes=65, state_size=100)
    num_classes, state_size = cell.sizes(params)
    if not 3 <= len(text) <= 4:
        raise ValueError(f"text must hold 3 or 4 characters, got {text!r}")
    canvas = Canvas()
    x0, dx, w, h = 1.3, 1.0, 0.62, 0.44
    rows = {"input": 0.0, "state": 1.0, "output": 2.0, "label": 2.85}
    canvas.text(0.0, rows["input"] + h / 2, f"$X_t$ ({num_classes})", ha="left")
    canvas.text(0.0, rows["state"] + h / 2, f"$S_t$ ({state_size})", ha="left")
    canvas.text(0.0, rows["output"] + h / 2, f"$Y_t$ ({num_classes})", ha="left")
    canvas.text(0.0, rows["label"], "label", ha="left")
    previous = None
    for t, (now, following) in enumerate(zip(text, text[1:])):
        x = x0 + t * dx
        # the one-hot input: one cell lit, the rest grey, its character beneath
        one_hot = canvas.strip(x, rows["input"], 4, cell=w / 4, roles=_lit(t % 4))
        canvas.text(x + w / 2, rows["input"] - 0.1, repr(now), va="top", mono=True)
        state = canvas.box(x, rows["state"], w, h, "tanh")
        canvas.arrow(one_hot.at("top"), state.at("bottom"))
        if previous is None:
            canvas.arrow((x - 0.32, state.cy), state.at("left"))
        else:
            canvas.arrow(previous.at("right"), state.at("left"))
        previous = state
        out = canvas.box(x, rows["output"], w, h, "$U$", role="output")
        canvas.arrow(state.at("top"), out.at("bottom"))
        canvas.text(x + w / 2, rows["label"], repr(following), mono=True, role="output")
    canvas.arrow(previous.at("right"), (previous.right + 0.3, previous.cy))
    canvas.text(0.0, -0.75, "$S_t = \\tanh([X_t, S_{t-1}]\\,W + b)$", ha="left")
    return canvas.done()


def _lit(k, n=4):
    return ["input" if i == k else "muted" for i in range(n)]


def char_lstm(framework, params=None, *, num_steps=2):
    """Chapter 14's model over two windows of ``num_steps`` characters: each id picks a
    row of the embedding table, the LSTM layers read it (state (h, c) carried along the
    row), a dense layer gives the logits; the state the first window ends with starts
    the second, cut from the graph, so backprop stops there. Layers and sizes from
    ``params`` (``charlstm.init_params(state_sizes=(256,))`` by default)."""
    if framework not in CUTS:
        raise ValueError(f"framework must be one of {list(CUTS)}, got {framework!r}")
    if params is None:
        params = charlstm.init_params(state_sizes=(256,))
    vocab_size, embed_size, state_sizes = charlstm.check_params(params)
    num_steps = check_int(num_steps, "num_steps")
    if num_steps > 2 or len(state_sizes) > 2:
        raise ValueError(
            "this picture draws at most 2 steps a window and 2 layers, got "
            f"num_steps={num_steps}, state_sizes={state_sizes}"
        )
    canvas = Canvas()
    w, h, dx, gap = 0.56, 0.42, 0.7, 0.4
    x0 = 1.3
    layers = [("embedding", embed_size, "input")]
    layers += [("LSTM", size, "state") for size in state_sizes]
    layers += [("dense", vocab_size, "output")]
    columns = [
        x0 + k * dx + (gap if k >= num_steps else 0) for k in range(2 * num_steps)
    ]
    cut = (columns[num_steps - 1] + w + columns[num_steps]) / 2
    top = 0.0
    for row, (name, size, role) in enumerate(layers):
        y = row * 0.8
        top = y + h
        canvas.text(0.0, y + h / 2 + 0.14, name, ha="left")
        canvas.text(0.0, y + h / 2 - 0.16, str(size), ha="left")
        previous = None
        for k, x in enumerate(columns):
            box = canvas.box(x, y, w, h, role=role)
            if row:
                canvas.arrow((x + w / 2, y - 0.8 + h), box.at("bottom"))
            else:
                canvas.arrow((x + w / 2, y - 0.32), box.at("bottom"))
                canvas.text(x + w / 2, y - 0.36, "id", va="top", mono=True)
            if role == "state":
                if previous is None:
                    canvas.arrow((x - 0.3, box.cy), box.at("left"))
                else:
                    canvas.arrow(previous.at("right"), box.at("left"))
                    if k == num_steps:  # the first window's last state: cut
                        canvas.stop(cut, box.cy, h=0.4)
            previous = box
    canvas.text(
        (columns[0] + columns[num_steps - 1] + w) / 2,
        top + 0.12,
        "window k",
        va="bottom",
    )
    canvas.text(
        (columns[num_steps] + columns[-1] + w) / 2,
        top + 0.12,
        "window k + 1",
        va="bottom",
    )
    canvas.ax.plot(
        [cut, cut], [-0.6, top + 0.05], color="#8a8a8a", linewidth=1.0, zorder=1
    )
    canvas.text(0.0, -0.95, "(h, c) carried, backprop stops:", ha="left")
    canvas.runs(0.0, -1.3, CUTS[framework])
    return canvas.done()


def state_probe(*, lag=3, state_size=4, num_shown=5):
    """A linear probe (chapter 15): the cell reads X_1, X_2, ... and its state S_t
    (``state_size`` numbers) is all the probe sees; a logistic regression on S_t,
    sigma(w . S_t + b), is fitted to say X_{t-lag}, which the picture rings among the
    last ``num_shown`` inputs. The cell's weights stay as trained; only w and b are
    fitted."""
    lag = check_int(lag, "lag")
    state_size = check_int(state_size, "state_size")
    num_shown = check_int(num_shown, "num_shown", minimum=2)
    if lag >= num_shown or num_shown > 9 or state_size > 8:
        raise ValueError(
            "this picture draws lag < num_shown <= 9 inputs and at most 8 units, got "
            f"lag={lag}, num_shown={num_shown}, state_size={state_size}"
        )
    canvas = Canvas()
    cell_ = 0.6
    x0 = 0.0
    lags = list(range(num_shown - 1, -1, -1))  # t - lags[i] at cell i
    names = [f"$X_{{t-{k}}}$" if k else "$X_t$" for k in lags]
    canvas.strip(x0, 0.0, num_shown, cell=cell_, role="input")
    for i, name in enumerate(names):
        canvas.text(x0 + (i + 0.5) * cell_, -0.1, name, va="top")
    ringed = x0 + (lags.index(lag) + 0.5) * cell_
    canvas.ring(ringed, cell_ / 2, cell_ * 0.42)
    right = x0 + num_shown * cell_
    state = canvas.box(x0, 0.9, right - x0, 0.46, "the cell, trained, fixed")
    canvas.arrow((state.cx, cell_ + 0.02), state.at("bottom"))
    units = canvas.strip(
        state.cx - state_size * 0.3 / 2, 1.85, state_size, cell=0.3, role="state"
    )
    canvas.arrow(state.at("top"), units.at("bottom"))
    canvas.text(units.right + 0.12, units.cy, f"$S_t$ ({state_size})", ha="left")
    probe = canvas.box(
        x0, 2.6, right - x0, 0.46, "$\\sigma(w \\cdot S_t + b)$", role="output"
    )
    canvas.arrow(units.at("top"), probe.at("bottom"))
    canvas.text(probe.cx, probe.top + 0.1, f"probe: says $X_{{t-{lag}}}$", va="bottom")
    canvas.text(0.0, -0.75, "only w and b are fitted", ha="left")
    return canvas.done()
