"""Schematics of how inputs enter a recurrent layer: a token through an embedding table
(chapter 9), and an MNIST image read row by row into the stacked LSTM of chapter 10,
whose layers and sizes come from its parameters (``rnnlib.numpy.lstm_stack``)."""

import numpy as np

from rnnlib._checks import check_int
from rnnlib.data import mnist
from rnnlib.diagrams.draw import Canvas
from rnnlib.numpy import lstm_stack


def number(value) -> str:
    """One decimal, with a typographic minus sign."""
    return f"{value:.1f}".replace("-", "\N{MINUS SIGN}")


def embedding_lookup(*, vocab_size=10, embedding_size=4, token=3, table=None):
    """The one-hot vector of ``token`` times the table W (vocab_size, embedding_size):
    each entry of the one-hot vector multiplies the row of W beside it, so the product
    is row ``token``, which is what the lookup ``W[token]`` reads. With ``table`` given,
    the row and the result show its numbers."""
    vocab_size = check_int(vocab_size, "vocab_size")
    embedding_size = check_int(embedding_size, "embedding_size")
    token = check_int(token, "token", minimum=0)
    if token >= vocab_size:
        raise ValueError(f"token must be below vocab_size={vocab_size}, got {token}")
    if vocab_size > 12 or embedding_size > 6:
        raise ValueError("this picture draws at most 12 tokens and 6 columns")
    if table is not None:
        table = np.asarray(table)
        if table.shape != (vocab_size, embedding_size):
            raise ValueError(
                f"table must have shape {(vocab_size, embedding_size)}, "
                f"got {table.shape}"
            )
    canvas = Canvas()
    cell, width = 0.27, 0.56 if table is not None else 0.3
    top = 0.0
    one_hot = [int(k == token) for k in range(vocab_size)]
    roles = ["weight" if k == token else "muted" for k in range(vocab_size)]
    canvas.strip(
        1.2, top, vocab_size, cell=cell, vertical=True, roles=roles, values=one_hot
    )
    canvas.text(1.2 + cell / 2, top + 0.08, f"one_hot({token})", va="bottom", mono=True)
    x = 1.2 + cell + 0.55
    canvas.text(x - 0.28, top - vocab_size * cell / 2, "@", mono=True)
    for k in range(vocab_size):
        y = top - (k + 1) * cell
        canvas.text(0.95, y + cell / 2, str(k), ha="right", role="muted")
        values = (
            [number(v) for v in table[k]] if table is not None and k == token else None
        )
        for j in range(embedding_size):
            canvas.box(
                x + j * width,
                y,
                width,
                cell,
                None if values is None else values[j],
                role="weight" if k == token else "muted",
                rounded=False,
            )
    canvas.text(
        x + embedding_size * width / 2,
        top + 0.08,
        f"W ({vocab_size}, {embedding_size})",
        va="bottom",
        mono=True,
    )
    # the product: every row times 0 but row `token`, times 1; the result under W
    out_y = top - (vocab_size + 1) * cell - 0.25
    canvas.text(x - 0.28, out_y + cell / 2, "=")
    values = [number(v) for v in table[token]] if table is not None else None
    for j in range(embedding_size):
        canvas.box(
            x + j * width,
            out_y,
            width,
            cell,
            None if values is None else values[j],
            role="weight",
            rounded=False,
        )
    canvas.text(
        x + embedding_size * width + 0.1,
        out_y + cell / 2,
        f"W[{token}]",
        ha="left",
        mono=True,
    )
    return canvas.done()


def mnist_rows(params=None, image=None):
    """An MNIST image read as a sequence (chapter 10): row t of the image is the input
    at step t, ``mnist.SIDE`` steps of ``num_inputs`` pixels, into the LSTM layers of
    ``params`` (``lstm_stack.init_params()`` by default: 32 and 64 units), each layer's
    state carried down the steps, and the dense layer on the top layer's last output.
    ``image`` (SIDE, SIDE) shows a real digit."""
    params = lstm_stack.init_params() if params is None else params
    num_inputs, state_sizes, num_classes = lstm_stack.check_params(params)
    num_steps = mnist.SIDE
    if len(state_sizes) > 2:
        raise ValueError(
            f"this picture draws at most 2 layers, got {len(state_sizes)}: "
            f"state_sizes={state_sizes}"
        )
    image = np.zeros((num_steps, num_inputs)) if image is None else np.asarray(image)
    if image.shape != (num_steps, num_inputs):
        raise ValueError(
            f"image must have shape {(num_steps, num_inputs)}, got {image.shape}"
        )
    canvas = Canvas()
    side = 1.12  # inches for the whole image
    pixel = side / num_steps
    canvas.ax.imshow(
        image,
        cmap="gray_r",
        vmin=0,
        vmax=max(1e-9, image.max()),
        extent=(0, side, -side, 0),
        interpolation="nearest",
        zorder=1,
    )
    canvas.box(0, -side, side, side, role="muted", filled=False, rounded=False)
    canvas.text(side / 2, 0.08, f"{num_steps} × {num_inputs}", va="bottom")
    middle = num_steps // 2  # rows with ink: the first rows of a digit are blank
    shown = [0, None, middle - 1, middle, None, num_steps - 1]  # None: rows between
    dy, strip_x, strip_w = 0.62, side + 0.35, 1.0
    layer_x = [strip_x + strip_w + 0.35 + i * 0.95 for i in range(len(state_sizes))]
    for i, size in enumerate(state_sizes):
        canvas.text(layer_x[i] + 0.33, 0.08, f"LSTM {size}", va="bottom")
    canvas.text(strip_x + strip_w / 2, 0.08, "$x_t$: row $t$", va="bottom")
    previous = [None] * len(state_sizes)
    for k, t in enumerate(shown):
        y = -k * dy - 0.45
        if t is None:
            canvas.text(strip_x + strip_w / 2, y + 0.22, "⋮")
            for i in range(len(state_sizes)):
                canvas.text(layer_x[i] + 0.33, y + 0.22, "⋮")
            previous = [None] * len(state_sizes)
            continue
        # row t of the image, outlined there and drawn again as the step's input
        canvas.box(
            0, -(t + 1) * pixel, side, pixel, role="output", filled=False, rounded=False
        )
        canvas.ax.imshow(
            image[t : t + 1],
            cmap="gray_r",
            vmin=0,
            vmax=max(1e-9, image.max()),
            aspect="auto",
            extent=(strip_x, strip_x + strip_w, y + 0.1, y + 0.34),
            interpolation="nearest",
            zorder=1,
        )
        canvas.box(
            strip_x, y + 0.1, strip_w, 0.24, role="output", filled=False, rounded=False
        )
        canvas.text(strip_x - 0.06, y + 0.22, str(t), ha="right", role="muted")
        source = (strip_x + strip_w, y + 0.22)
        for i in range(len(state_sizes)):
            box = canvas.box(layer_x[i], y, 0.66, 0.44, None)
            canvas.arrow(source, box.at("left"))
            source = box.at("right")
            if previous[i] is not None:
                canvas.arrow(previous[i].at("bottom"), box.at("top"))
            previous[i] = box
    last = previous[-1]
    head = canvas.box(
        last.cx - 0.6, last.y - 0.95, 1.2, 0.44, f"dense {num_classes}", role="output"
    )
    canvas.arrow(last.at("bottom"), head.at("top"))
    canvas.text(head.x - 0.08, head.cy, "logits", ha="right")
    return canvas.done()
