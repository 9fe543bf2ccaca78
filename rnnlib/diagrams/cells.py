"""Schematics of chapter 3's tanh cell: one step, with the shapes of its weights read
from the parameters, and a window of steps unrolled, the state carried in from the
previous window and the gradient stopping at it; and chapter 6's product of Jacobians
along the chain of states."""

from rnnlib._checks import check_int
from rnnlib.diagrams.draw import Canvas
from rnnlib.numpy import cell as numpy_cell

#: How each framework stops the gradient at a window's first state, as its page writes
#: it (chapter 3): None is the NumPy page, whose loop simply ends.
STOPS = {
    None: "the backward loop ends there",
    "tf": "it was computed outside the tape",
    "torch": "`state.detach()` cut it off",
}


def shape(*sizes) -> str:
    return "(" + ", ".join(str(s) for s in sizes) + ")"


def tanh_cell(params=None):
    """One step of chapter 3's cell: X_t and S_{t-1} joined into one row, times W (its
    blocks W_x and W_s lined up with the entries they multiply), plus b, through tanh
    to S_t, which goes on to the next step and up through U and c to the logits and the
    softmax.

    Sizes come from ``params`` (``rnnlib.numpy.cell.init_params()`` by default): W
    (num_classes + state_size, state_size), U (state_size, num_classes).
    """
    params = numpy_cell.init_params() if params is None else params
    num_classes, state_size = numpy_cell.sizes(params)
    joined = num_classes + state_size
    canvas = Canvas()
    cw = min(0.24, 1.5 / joined, 1.0 / state_size)
    # [X_t, S_{t-1}]: the step's input and the previous state, side by side in one row.
    row = canvas.strip(
        0.0,
        0.75,
        joined,
        cell=cw,
        roles=["input"] * num_classes + ["state"] * state_size,
    )
    x_part = row.x + num_classes * cw / 2
    s_part = row.x + (num_classes + state_size / 2) * cw
    canvas.arrow((x_part, 0.32), (x_part, row.y))
    canvas.arrow((s_part, 0.32), (s_part, row.y))
    canvas.text(row.cx, row.top + 0.05, "$[X_t, S_{t-1}]$", va="bottom")
    canvas.text(x_part, 0.28, "$X_t$", va="top")
    canvas.text(s_part, 0.28, "$S_{t-1}$", va="top")
    # W, its rows beside the entries they multiply: W_x the input's, W_s the state's.
    gx = row.right + 0.42
    top = row.cy + joined * cw / 2
    canvas.text((row.right + gx) / 2, row.cy, "@", mono=True)
    for r in range(joined):
        canvas.strip(
            gx,
            top - (r + 1) * cw,
            state_size,
            cell=cw,
            role="input" if r < num_classes else "state",
        )
    grid = (gx, top - joined * cw, state_size * cw, joined * cw)
    right = gx + state_size * cw + 0.08
    canvas.text(right, top - num_classes * cw / 2, "$W_x$", ha="left")
    canvas.text(right, top - (num_classes + state_size / 2) * cw, "$W_s$", ha="left")
    canvas.text(
        right + 0.45,
        top - joined * cw / 2,
        f"W {shape(joined, state_size)}",
        ha="left",
        mono=True,
    )
    # + b, tanh: S_t, one number per column of W.
    cx = gx + grid[2] / 2
    plus = canvas.op(cx, top + 0.42, "$+$")
    canvas.arrow((cx, top), plus.at("bottom"))
    canvas.arrow((cx - 0.6, plus.cy), plus.at("left"))
    canvas.text(cx - 0.64, plus.cy, "$b$", ha="right")
    squash = canvas.op(cx, plus.top + 0.45, "tanh", r=0.26)
    canvas.arrow(plus.at("top"), squash.at("bottom"))
    state = canvas.strip(gx, squash.top + 0.32, state_size, cell=cw)
    canvas.arrow(squash.at("top"), (cx, state.y))
    canvas.text(gx - 0.08, state.cy, "$S_t$", ha="right")
    # S_t goes on to the next step, and up to the head.
    canvas.arrow(state.at("right"), (state.right + 0.9, state.cy))
    canvas.text(state.right + 0.95, state.cy, "step $t+1$", ha="left")
    head = canvas.box(
        cx - 0.75, state.top + 0.35, 1.5, 0.42, r"$S_t\,U + c$", role="output"
    )
    canvas.arrow((cx, state.top), head.at("bottom"))
    canvas.text(
        head.right + 0.1,
        head.cy,
        f"U {shape(state_size, num_classes)}",
        ha="left",
        mono=True,
    )
    logits = canvas.strip(
        cx - num_classes * cw / 2, head.top + 0.32, num_classes, cell=cw, role="output"
    )
    canvas.arrow(head.at("top"), (cx, logits.y))
    canvas.text(logits.x - 0.1, logits.cy, "logits$_t$", ha="right")
    probs = canvas.strip(
        logits.right + 1.1, logits.y, num_classes, cell=cw, role="output"
    )
    canvas.arrow(logits.at("right"), probs.at("left"))
    canvas.text((logits.right + probs.x) / 2, logits.top + 0.05, "softmax", va="bottom")
    canvas.text(probs.right + 0.1, probs.cy, "$P_t$", ha="left")
    return canvas.done()


def unrolled_window(num_steps=5, framework=None):
    """A window of ``num_steps`` steps of the cell, unrolled: the state S_0 carried in
    from the previous window, S_n handed on to the next, one prediction per step, and
    the gradient running back from every prediction along the chain to S_0, where it
    stops, as ``framework``'s page stops it (None: the NumPy page; "tf"; "torch")."""
    num_steps = check_int(num_steps, "num_steps")
    if framework not in STOPS:
        raise ValueError(f"framework must be one of {list(STOPS)}, got {framework!r}")
    canvas = Canvas()
    size = 0.52
    gap = min(0.4, (3.75 - num_steps * size) / max(num_steps - 1, 1))
    if gap < 0.2:
        raise ValueError(
            f"num_steps must be at most 6 for this picture, got {num_steps}"
        )
    start = 0.5
    cells = [
        canvas.box(start + t * (size + gap), 1.0, size, size, "tanh")
        for t in range(num_steps)
    ]
    for t, box in enumerate(cells, start=1):
        canvas.arrow((box.cx, 0.62), box.at("bottom"))
        canvas.text(box.cx, 0.58, f"$X_{{{t}}}$", va="top")
        out = canvas.box(
            box.x + 0.04, 1.95, size - 0.08, 0.4, f"$P_{{{t}}}$", role="output"
        )
        canvas.arrow(box.at("top"), out.at("bottom"))
        # the gradient of each prediction's loss comes back down into its step
        canvas.arrow(
            out.at("bottom", 0.82), box.at("top", 0.82), role="gradient", dashed=True
        )
    for a, b in zip(cells, cells[1:]):
        canvas.arrow(a.at("right", 0.62), b.at("left", 0.62))
        canvas.arrow(
            b.at("left", 0.28), a.at("right", 0.28), role="gradient", dashed=True
        )
    # S_0 comes in from the previous window; the gradient stops where it enters.
    first, last = cells[0], cells[-1]
    canvas.arrow((0.0, first.y + 0.62 * size), first.at("left", 0.62))
    canvas.text(0.02, first.y + 0.62 * size + 0.07, "$S_0$", ha="left", va="bottom")
    canvas.arrow(
        first.at("left", 0.28),
        (first.x - 0.26, first.y + 0.28 * size),
        role="gradient",
        dashed=True,
        head=False,
    )
    canvas.stop(first.x - 0.3, first.y + 0.28 * size, h=0.34)
    canvas.arrow(last.at("right", 0.62), (last.right + 0.42, last.y + 0.62 * size))
    canvas.text(
        last.right + 0.05,
        last.y + 0.62 * size + 0.07,
        f"$S_{{{num_steps}}}$",
        ha="left",
        va="bottom",
    )
    canvas.bracket(first.x, last.right, 0.2, f"one window, num_steps = {num_steps}")
    # What stops it, in the page's own words.
    canvas.text(
        0.0, -0.32, "the gradient stops at $S_0$:", role="gradient", ha="left", va="top"
    )
    canvas.runs(0.0, -0.62, STOPS[framework], role="gradient", va="top")
    return canvas.done()


def jacobian_chain(k=3, params=None):
    """The gradient carried k steps back through the tanh cell (chapter 6): the chain of
    states S_{t-k} ... S_t, one Jacobian diag(1 - S^2) W_s^T per step, and their
    product, each factor (state_size, state_size) as ``params`` has it
    (``init_params(state_size=16)`` by default)."""
    k = check_int(k, "k")
    if k > 4:
        raise ValueError(f"k must be at most 4 for this picture, got {k}")
    params = numpy_cell.init_params(state_size=16) if params is None else params
    _, state_size = numpy_cell.sizes(params)
    canvas = Canvas()
    step = 0.95
    boxes = []
    for j in range(k + 1):  # S_t at the top, S_{t-k} at the bottom
        name = "$S_t$" if j == 0 else f"$S_{{t-{j}}}$"
        boxes.append(canvas.box(0.0, -j * step, 0.8, 0.45, name))
    for j, (upper, lower) in enumerate(zip(boxes, boxes[1:])):
        canvas.arrow(lower.at("top", 0.3), upper.at("bottom", 0.3))
        canvas.arrow(upper.at("bottom", 0.7), lower.at("top", 0.7), role="gradient")
        s_j = "S_t" if j == 0 else f"S_{{t-{j}}}"
        canvas.text(
            0.92,
            (upper.y + lower.top) / 2,
            f"$\\times\\ \\mathrm{{diag}}(1 - {s_j}^{{\\,2}})\\, W_s^\\top$",
            ha="left",
            role="gradient",
        )
    top, bottom = boxes[0], boxes[-1]
    canvas.arrow((top.x + 0.56, top.top + 0.45), top.at("top", 0.7), role="gradient")
    canvas.text(
        top.x + 0.66,
        top.top + 0.3,
        "$\\partial L / \\partial S_t$",
        ha="left",
        role="gradient",
    )
    canvas.arrow(
        bottom.at("bottom", 0.7), (bottom.x + 0.56, bottom.y - 0.4), role="gradient"
    )
    canvas.text(
        bottom.x + 0.66,
        bottom.y - 0.3,
        f"$\\partial L / \\partial S_{{t-{k}}}$",
        ha="left",
        va="center",
        role="gradient",
    )
    x = 3.42
    canvas.ax.plot(
        [x, x + 0.1, x + 0.1, x],
        [top.y, top.y, bottom.top, bottom.top],
        color="#1a1a1a",
        lw=1.1,
    )
    for i, line in enumerate([f"{k} factors,", f"{state_size} × {state_size}", "each"]):
        canvas.text(x + 0.2, (top.y + bottom.top) / 2 + 0.3 - 0.3 * i, line, ha="left")
    canvas.text(
        0.0,
        bottom.y - 0.75,
        f"$\\partial L / \\partial S_{{t-{k}}} = \\partial L / \\partial S_t$ "
        f"times the {k} factors",
        ha="left",
        va="top",
    )
    canvas.text(
        0.0,
        bottom.y - 1.07,
        f"$W_s$: the last {state_size} rows of $W$",
        ha="left",
        va="top",
    )
    return canvas.done()
