"""Schematics of the gated cells: the LSTM and the GRU with every gate named as
``rnnlib.numpy.gated`` names it, and under each the order in which Keras and PyTorch
pack the gates (``rnnlib.numpy.layouts``) (chapter 7); and the paths along which each
carries its state with no weight matrix in the way (chapter 6)."""

from rnnlib.diagrams.draw import Canvas
from rnnlib.numpy import gated, layouts

#: One colour per gate, the same in the cell and in the strips of packed weights, so
#: that a gate can be followed from one to the other.
GATE_COLORS = {
    "i": "tab:cyan",
    "f": "tab:orange",
    "g": "tab:olive",
    "o": "tab:pink",
    "r": "tab:pink",
    "z": "tab:orange",
    "n": "tab:olive",
}
#: Keras's names for the neutral gates where they differ (layouts: "Keras's c is g, its
#: h is n").
KERAS_NAMES = {"g": "c", "n": "h"}
ACTIVATION = {"g": "tanh", "n": "tanh"}  # every other gate is a sigmoid


def sizes_of(kind, params):
    if params is None:
        params = gated.init_gated(kind, input_size=2, state_size=16)
    return gated.check_gated(kind, params)


def gate_strips(canvas, kind, y, input_size, state_size):
    """Keras's and PyTorch's packed input weights, one block per gate in each library's
    order (``layouts.KERAS_ORDER``, ``layouts.TORCH_ORDER``). Returns the bottom."""
    width = 0.5
    gates = len(gated.GATES[kind])
    rows = [
        (
            f"Keras `kernel` ({input_size}, {gates * state_size}), columns:",
            layouts.KERAS_ORDER[kind],
            True,
        ),
        (
            f"PyTorch `weight_ih` ({gates * state_size}, {input_size}), rows:",
            layouts.TORCH_ORDER[kind],
            False,
        ),
    ]
    for words, order, keras in rows:
        canvas.runs(0.0, y, words, va="top")
        y -= 0.34
        for j, gate in enumerate(order):
            name = KERAS_NAMES.get(gate, gate) if keras else gate
            canvas.box(
                0.1 + j * width,
                y - 0.34,
                width,
                0.34,
                f"${name}$",
                role=GATE_COLORS[gate],
                rounded=False,
            )
        canvas.text(
            0.2 + gates * width, y - 0.17, f"{gates} blocks of {state_size}", ha="left"
        )
        y -= 0.55
    return y


def gate_box(canvas, gate, x, y):
    """A gate: its activation in a box of its colour, its name beside the output."""
    box = canvas.box(
        x - 0.27,
        y,
        0.54,
        0.42,
        ACTIVATION.get(gate, "$\\sigma$"),
        role=GATE_COLORS[gate],
    )
    return box


def lstm_cell(params=None):
    """The LSTM, one step (chapter 7): gates i, f, g, o from x_t and h_{t-1}; the cell
    state c_{t-1} -> f_t * c_{t-1} + i_t * g_t -> c_t along the top; h_t = o_t *
    tanh(c_t). Under it, the order of the gate blocks in Keras's ``kernel`` and
    PyTorch's ``weight_ih``, with the shapes of ``params`` (``gated.init_gated("lstm",
    input_size=2, state_size=16)`` by default)."""
    input_size, state_size = sizes_of("lstm", params)
    if tuple(gated.GATES["lstm"]) != ("i", "f", "g", "o"):
        raise ValueError(f"this picture draws the gates i, f, g, o, not {gated.GATES}")
    canvas = Canvas()
    lane, bus, row = 2.5, 0.3, 0.62  # heights of the c lane, the input bus, the gates
    frame = canvas.box(0.55, 0.05, 3.45, 2.75, role="muted", filled=False)
    # inputs: h_{t-1} from the left, x_t from below, onto one bus under the gates
    xs = {"f": 1.0, "i": 1.65, "g": 2.3, "o": 3.05}
    canvas.arrow((0.0, bus), (xs["o"], bus), head=False)
    canvas.text(0.05, bus + 0.08, "$h_{t-1}$", ha="left", va="bottom")
    canvas.arrow((0.75, -0.35), (0.75, bus), head=False)
    canvas.text(0.75, -0.4, "$x_t$", va="top")
    canvas.dot(0.75, bus, r=0.04)
    boxes = {}
    for gate, x in xs.items():
        canvas.arrow((x, bus), (x, row))
        boxes[gate] = gate_box(canvas, gate, x, row)
    # the cell state, along the top
    keep = canvas.op(xs["f"], lane, "$\\times$")
    add = canvas.op(1.975, lane, "$+$")
    canvas.arrow((0.0, lane), keep.at("left"))
    canvas.text(0.05, lane + 0.08, "$c_{t-1}$", ha="left", va="bottom")
    canvas.arrow(keep.at("right"), add.at("left"))
    canvas.arrow(add.at("right"), (frame.right + 0.45, lane))
    canvas.text(frame.right + 0.4, lane + 0.08, "$c_t$", ha="right", va="bottom")
    canvas.arrow(boxes["f"].at("top"), keep.at("bottom"))
    canvas.text(xs["f"] + 0.07, 1.55, "$f_t$", ha="left")
    both = canvas.op(1.975, 1.55, "$\\times$")
    canvas.arrow(boxes["i"].at("top"), (xs["i"], both.cy), both.at("left"))
    canvas.arrow(boxes["g"].at("top"), (xs["g"], both.cy), both.at("right"))
    canvas.text(xs["i"] - 0.07, 1.2, "$i_t$", ha="right")
    canvas.text(xs["g"] + 0.07, 1.2, "$g_t$", ha="left")
    canvas.arrow(both.at("top"), add.at("bottom"))
    # h_t = o_t * tanh(c_t)
    x = 3.6
    squash = canvas.op(x, 1.95, "tanh", r=0.27)
    canvas.arrow((x, lane), squash.at("top"))
    canvas.dot(x, lane, r=0.04)
    out = canvas.op(x, 1.2, "$\\times$")
    canvas.arrow(squash.at("bottom"), out.at("top"))
    canvas.arrow(boxes["o"].at("top"), (xs["o"], out.cy), out.at("left"))
    canvas.text(xs["o"] + 0.07, 1.3, "$o_t$", ha="left", va="bottom")
    canvas.arrow(out.at("right"), (frame.right + 0.45, out.cy))
    canvas.text(frame.right + 0.4, out.cy + 0.08, "$h_t$", ha="right", va="bottom")
    gate_strips(canvas, "lstm", -0.85, input_size, state_size)
    return canvas.done()


def gru_cell(params=None):
    """The GRU, one step, as PyTorch and Keras (reset_after=True) compute it (chapter
    7): gates r and z and the candidate n from x_t and h_{t-1}, the reset gate applied
    to h_{t-1} W_hn + b_hn inside n, and h_t = (1 - z_t) * n_t + z_t * h_{t-1} along
    the top. Under it, the gate order of Keras's ``kernel`` and PyTorch's
    ``weight_ih``."""
    input_size, state_size = sizes_of("gru", params)
    if tuple(gated.GATES["gru"]) != ("r", "z", "n"):
        raise ValueError(f"this picture draws the gates r, z, n, not {gated.GATES}")
    canvas = Canvas()
    lane, bus, row = 2.5, 0.3, 0.62
    frame = canvas.box(0.55, 0.05, 3.45, 2.75, role="muted", filled=False)
    xs = {"z": 1.0, "r": 1.85, "n": 2.9}
    # h_{t-1} runs along the top, and down onto the bus that feeds the gates with x_t
    canvas.arrow((0.3, lane), (0.3, bus), (xs["n"], bus), head=False)
    canvas.dot(0.3, lane, r=0.04)
    canvas.text(0.05, lane + 0.08, "$h_{t-1}$", ha="left", va="bottom")
    canvas.arrow((0.75, -0.35), (0.75, bus), head=False)
    canvas.text(0.75, -0.4, "$x_t$", va="top")
    canvas.dot(0.75, bus, r=0.04)
    boxes = {}
    for gate, x in xs.items():
        canvas.arrow((x, bus), (x, row))
        boxes[gate] = gate_box(canvas, gate, x, row)
    # z_t keeps part of h_{t-1}; the rest, 1 - z_t, comes from the candidate n_t
    keep = canvas.op(xs["z"], lane, "$\\times$")
    add = canvas.op(3.55, lane, "$+$")
    canvas.arrow((0.0, lane), keep.at("left"))
    canvas.arrow(keep.at("right"), add.at("left"))
    canvas.arrow(add.at("right"), (frame.right + 0.45, lane))
    canvas.text(frame.right + 0.4, lane + 0.08, "$h_t$", ha="right", va="bottom")
    canvas.arrow(boxes["z"].at("top"), keep.at("bottom"))
    canvas.text(xs["z"] - 0.07, 1.35, "$z_t$", ha="right")
    mid = 1.75  # the 1 - z_t branch, clear of the r_t line below it
    one_minus = canvas.op(xs["z"] + 0.65, mid, "$1-$", r=0.27)
    canvas.arrow((xs["z"], mid), one_minus.at("left"))
    canvas.dot(xs["z"], mid, r=0.04)
    mix = canvas.op(3.55, mid, "$\\times$")
    canvas.arrow(one_minus.at("right"), mix.at("left"))
    canvas.arrow(boxes["n"].at("right"), (mix.cx, boxes["n"].cy), mix.at("bottom"))
    canvas.text(mix.cx + 0.07, 1.0, "$n_t$", ha="left")
    canvas.arrow(mix.at("top"), add.at("bottom"))
    # r_t scales h_{t-1} W_hn + b_hn inside the candidate (reset_after=True)
    canvas.arrow(
        boxes["r"].at("top"), (xs["r"], 1.25), (xs["n"], 1.25), boxes["n"].at("top")
    )
    canvas.text((xs["r"] + xs["n"]) / 2, 1.3, "$r_t$", va="bottom")
    gate_strips(canvas, "gru", -0.85, input_size, state_size)
    return canvas.done()


def memory_paths():
    """One step back along each cell's state (chapter 6): the tanh cell multiplies the
    gradient by diag(1 - S_t^2) W_s^T, a weight matrix and a slope, at every step; the
    LSTM's cell state has a path where it is multiplied by diag(f_t) alone, and the
    GRU's state one where it is multiplied by diag(z_t)."""
    canvas = Canvas()
    top = 0.0
    for name, state, gate, extra, jacobian in [
        (
            "tanh cell",
            "S",
            None,
            r"$X_t\,W_x + b$",
            "\\mathrm{diag}(1 - S_t^{\\,2})\\,W_s^\\top",
        ),
        ("LSTM", "c", "f", "$i_t \\odot g_t$", "\\mathrm{diag}(f_t)"),
        ("GRU", "h", "z", "$(1 - z_t) \\odot n_t$", "\\mathrm{diag}(z_t)"),
    ]:
        canvas.text(0.0, top, name, ha="left", va="bottom", bold=True)
        lane = top - 0.45
        if gate is None:  # the whole state goes through W_s and the tanh
            keep = canvas.box(0.95, lane - 0.25, 0.8, 0.5, "$@\\,W_s$")
            add = canvas.op(2.45, lane, "$+$")
            squash = canvas.op(3.25, lane, "tanh", r=0.27)
            canvas.arrow(add.at("right"), squash.at("left"))
            end = squash.right
        else:
            keep = canvas.op(1.35, lane, "$\\times$")
            add = canvas.op(2.45, lane, "$+$")
            canvas.arrow(
                (keep.cx, lane - 0.55), keep.at("bottom"), role=GATE_COLORS[gate]
            )
            canvas.text(
                keep.cx, lane - 0.6, f"${gate}_t$", va="top", role=GATE_COLORS[gate]
            )
            end = add.right
        canvas.arrow((0.0, lane), keep.at("left"))
        canvas.text(0.05, lane + 0.08, f"${state}_{{t-1}}$", ha="left", va="bottom")
        canvas.arrow(keep.at("right"), add.at("left"))
        canvas.arrow((end, lane), (4.0, lane))
        canvas.text(3.95, lane + 0.08, f"${state}_t$", ha="right", va="bottom")
        canvas.arrow((add.cx, lane - 0.55), add.at("bottom"))
        canvas.text(add.cx, lane - 0.6, extra, va="top")
        back = lane - 1.05
        canvas.arrow((4.0, back), (0.0, back), role="gradient", dashed=True)
        path = "" if gate is None else " along this path"
        canvas.text(
            0.0,
            back - 0.08,
            f"$\\partial {state}_t / \\partial {state}_{{t-1}} = {jacobian}$" + path,
            role="gradient",
            ha="left",
            va="top",
        )
        top = back - 0.7
    return canvas.done()
