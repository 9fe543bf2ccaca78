"""Schematics of chapter 8's models of sequences: layers stacked with dropout between
them, a padded batch and its last valid outputs (from ``rnnlib.data.padded``), and one
output layer shared by every step of a labeller."""

import numpy as np

from rnnlib._checks import check_int
from rnnlib.data import padded, sequences
from rnnlib.diagrams.draw import Canvas

#: How each framework's page names dropout, the output layer and the last valid output.
NAMES = {
    "tf": {
        "dropout": "`keras.layers.Dropout({p:g})`",
        "head": "`Dense`",
        "last": ["`tf.gather(outputs, lengths - 1,`", "          `batch_dims=1)`"],
    },
    "torch": {
        "dropout": "`nn.Dropout({p:g})`",
        "head": "`nn.Linear`",
        "last": ["`outputs[rows, lengths - 1]`"],
    },
}
KIND_NAMES = {"gru": "GRU", "lstm": "LSTM", "rnn": "RNN"}


def check_framework(framework) -> str:
    if framework not in NAMES:
        raise ValueError(f"framework must be one of {list(NAMES)}, got {framework!r}")
    return framework


def stacked_layers(
    framework,
    *,
    num_layers=3,
    state_size=200,
    input_size=28,
    kind="gru",
    dropout=0.5,
    num_steps=3,
):
    """``num_layers`` recurrent layers stacked, unrolled over ``num_steps``: each layer
    its own weights and state, the state carried along its row, and dropout (``p =
    dropout``) only on the outputs one layer hands up to the next, not on the state, as
    in the tutorial's network (chapter 8 also drops the state, one mask per sequence).
    The defaults are that network (three GRUs of 200 on inputs of 28)."""
    framework = check_framework(framework)
    num_layers = check_int(num_layers, "num_layers")
    num_steps = check_int(num_steps, "num_steps")
    if num_layers > 4 or num_steps > 3:
        raise ValueError(
            "this picture draws at most 4 layers and 3 steps, got "
            f"num_layers={num_layers}, num_steps={num_steps}"
        )
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    canvas = Canvas()
    x0, dx, dy, w, h = 1.55, 1.05, 1.0, 0.7, 0.44
    name = KIND_NAMES.get(kind, kind)
    for layer in range(num_layers):
        y = layer * dy
        size_in = input_size if layer == 0 else state_size
        canvas.text(0.0, y + h / 2 + 0.14, f"layer {layer}", ha="left")
        canvas.text(0.0, y + h / 2 - 0.16, f"{size_in} → {state_size}", ha="left")
        previous = None
        for t in range(num_steps):
            box = canvas.box(x0 + t * dx, y, w, h, name)
            if previous is None:
                canvas.arrow((x0 - 0.3, box.cy), box.at("left"))
            else:
                canvas.arrow(previous.at("right"), box.at("left"))
            previous = box
            below = y - dy + h if layer else y - 0.5
            if layer == 0:
                canvas.arrow((box.cx, below), box.at("bottom"))
                canvas.text(box.cx, below - 0.05, f"$x_{{{t + 1}}}$", va="top")
            else:
                drop_arrow(canvas, box.cx, below, box.y, dropout)
        canvas.arrow(previous.at("right"), (previous.right + 0.3, previous.cy))
    top = (num_layers - 1) * dy + h
    for t in range(num_steps):
        cx = x0 + t * dx + w / 2
        drop_arrow(canvas, cx, top, top + dy - h, dropout)
    canvas.text(
        x0 + (num_steps * dx - dx + w) / 2,
        top + dy - h + 0.05,
        "to the output layer",
        va="bottom",
    )
    words = NAMES[framework]["dropout"].format(p=dropout)
    canvas.strip(0.0, -0.95 - 0.1, 1, cell=0.2, role="gate")
    canvas.runs(0.3, -0.95, f"{words}: outputs only", va="center")
    canvas.text(  # this network's state: Keras's recurrent_dropout would drop it
        0.0,
        -1.3,
        "the state, moving right, is not dropped here",
        ha="left",
        va="center",
    )
    return canvas.done()


def drop_arrow(canvas, x, y0, y1, p):
    """An arrow up from y0 to y1 through a dropout mask (a small square of the gate
    colour) when p > 0."""
    if p > 0:
        middle = (y0 + y1) / 2
        canvas.arrow((x, y0), (x, middle - 0.1), head=False)
        canvas.strip(x - 0.1, middle - 0.1, 1, cell=0.2, role="gate")
        canvas.arrow((x, middle + 0.1), (x, y1))
    else:
        canvas.arrow((x, y0), (x, y1))


def padded_batch(framework, tokens=None, lengths=None):
    """A padded batch (``padded.pad``): one row per sequence, its tokens and then
    padding, the lengths beside it; a ring around each row's last valid output, at
    ``lengths - 1``, and a cross where ``outputs[:, -1]`` reads padding instead.

    ``tokens`` (batch_size, max_length) and ``lengths`` (batch_size,) default to four
    sequences of ``sequences.echo_rules`` of 3 to 12 steps.
    """
    framework = check_framework(framework)
    if tokens is None:
        tokens, lengths, _ = sequences.echo_rules(
            4, min_length=3, max_length=12, seed=3
        )
    tokens = np.asarray(tokens)
    lengths = padded.check_lengths(lengths, tokens.shape[1])
    if tokens.shape[0] > 6 or tokens.shape[1] > 14:
        raise ValueError(
            f"this picture draws at most 6 rows of 14 steps, got {tokens.shape}"
        )
    valid = padded.mask(lengths, tokens.shape[1])
    canvas = Canvas()
    cell = 0.27
    right = tokens.shape[1] * cell
    canvas.text(right + 0.35, 0.05, "lengths", ha="left", va="bottom")
    for row, (values, keep) in enumerate(zip(tokens, valid)):
        y = -(row + 1) * cell * 1.3
        roles = ["input" if k else "muted" for k in keep]
        canvas.strip(
            0.0, y, len(values), cell=cell, roles=roles, values=[str(v) for v in values]
        )
        canvas.text(right + 0.75, y + cell / 2, str(lengths[row]))
        last = lengths[row] - 1
        canvas.ring((last + 0.5) * cell, y + cell / 2, cell * 0.62, role="output")
        if not keep[-1]:  # outputs[:, -1] lands on padding
            canvas.box(
                right - cell,
                y,
                cell,
                cell,
                role="gradient",
                filled=False,
                rounded=False,
            )
    bottom = -(len(tokens) + 1) * cell * 1.3
    canvas.ring(0.14, bottom, 0.14, role="output")
    canvas.text(0.4, bottom, "the last valid output, at", ha="left")
    y = bottom - 0.32
    for line in NAMES[framework]["last"]:
        indent = (len(line) - len(line.lstrip())) * 0.6 * 13 / 72
        canvas.runs(0.4 + indent, y, line.strip())
        y -= 0.3
    canvas.box(0.0, y - 0.14, 0.28, 0.28, role="gradient", filled=False, rounded=False)
    canvas.runs(0.4, y, "`outputs[:, -1]` reads padding")
    canvas.key(0.0, y - 0.34, [("muted", "padding, token 0")])
    return canvas.done()


def shared_head(framework, *, num_steps=4, state_size=16, num_classes=2, kind="gru"):
    """A labeller (chapter 8): one output layer, the same U (state_size, num_classes)
    and c (num_classes,), applied to the output of every step."""
    framework = check_framework(framework)
    num_steps = check_int(num_steps, "num_steps")
    if num_steps > 5:
        raise ValueError(
            f"num_steps must be at most 5 for this picture, got {num_steps}"
        )
    canvas = Canvas()
    dx, w = 0.88, 0.66
    previous = None
    heads = []
    for t in range(num_steps):
        x = 0.3 + t * dx
        box = canvas.box(x, 0.0, w, 0.44, KIND_NAMES.get(kind, kind))
        canvas.arrow((box.cx, -0.4), box.at("bottom"))
        canvas.text(box.cx, -0.45, f"$x_{{{t + 1}}}$", va="top")
        canvas.arrow(
            previous.at("right") if previous else (0.0, box.cy), box.at("left")
        )
        previous = box
        head = canvas.box(x, 0.85, w, 0.44, "$U, c$", role="output")
        canvas.arrow(box.at("top"), head.at("bottom"))
        canvas.arrow(head.at("top"), (head.cx, head.top + 0.35))
        canvas.text(head.cx, head.top + 0.4, f"$\\hat{{y}}_{{{t + 1}}}$", va="bottom")
        heads.append(head)
    y = heads[0].top + 0.8
    canvas.bracket(heads[0].x, heads[-1].right, y, down=False)
    canvas.runs(
        0.0,
        y + 0.18,
        f"one {NAMES[framework]['head']} for every step: $U$ "
        f"({state_size}, {num_classes}), $c$ ({num_classes},)",
        va="bottom",
    )
    return canvas.done()
