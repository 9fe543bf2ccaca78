"""Chapter 4's schematic: what each way of unrolling a cell puts in a graph, and what
is traced once or recorded again, in the names each framework's page uses."""

from rnnlib._checks import check_int
from rnnlib.diagrams.draw import Canvas

#: Each framework's ways of unrolling, as its chapter 4 page compares them: a title
#: (code between backticks), what the graph holds ("copies": one copy of the cell per
#: step; "loop": one While op; "fused": one cuDNN call, one autograd node), and when it
#: is built.
WAYS = {
    "tf": [
        (
            "`static_unroll` in `tf.function`",
            "copies",
            "traced again for every new num_steps",
        ),
        (
            "`dynamic_unroll`: `tf.while_loop`",
            "loop",
            "one trace can serve every num_steps",
        ),
    ],
    "torch": [
        (
            "`static_unroll`, run eagerly",
            "copies",
            "recorded by autograd at every call",
        ),
        ("`torch.compile(model)`", "copies", "traced once per num_steps, then rerun"),
        ("`nn.RNN` on a GPU (cuDNN)", "fused", "one node at any num_steps"),
    ],
}
WIDTH = 4.55


def unrolled_graphs(framework, num_steps=4):
    """How ``framework`` ("tf" or "torch") unrolls a window of ``num_steps`` steps: a
    graph with one copy of the cell per step against one loop node (TensorFlow's
    ``While``; on a GPU, one cuDNN call that runs the whole loop with its own kernels),
    and when each is traced or recorded."""
    if framework not in WAYS:
        raise ValueError(f"framework must be one of {list(WAYS)}, got {framework!r}")
    num_steps = check_int(num_steps, "num_steps")
    if num_steps > 5:
        raise ValueError(
            f"num_steps must be at most 5 for this picture, got {num_steps}"
        )
    canvas = Canvas()
    size, gap = 0.6, min(0.28, (WIDTH - 0.5 - num_steps * 0.6) / num_steps)
    top = 0.0
    for title, kind, note in WAYS[framework]:
        canvas.runs(0.0, top, title, va="bottom")
        height = 1.3 if kind == "copies" else 1.05
        frame = canvas.box(
            0.0,
            top - 0.12 - height,
            WIDTH,
            height,
            role="muted",
            dashed=True,
            filled=False,
        )
        y = frame.top - 0.2 - 0.56 - (0.12 if kind != "copies" else 0.0)
        if kind == "copies":
            x = 0.3
            canvas.arrow((0.05, y + 0.28), (x, y + 0.28))
            for _ in range(num_steps):
                box = canvas.box(x, y, size, 0.56, "step")
                x = box.right + gap
                canvas.arrow(box.at("right"), (x, box.cy))
            canvas.bracket(
                0.3, box.right, y - 0.1, f"num_steps = {num_steps} copies of the cell"
            )
        else:
            loop = canvas.box(0.3, y - 0.08, 1.5, 0.72, role="gate")
            canvas.text(
                loop.x + 0.1,
                loop.cy,
                "While" if kind == "loop" else "cuDNN",
                ha="left",
                mono=kind == "loop",
            )
            body = canvas.box(loop.right - size - 0.1, y, size, 0.56, "step")
            canvas.arrow((0.05, body.cy), (loop.x, body.cy))
            canvas.arrow(loop.at("right"), (loop.right + 0.35, body.cy))
            if kind == "loop":  # the body turns num_steps times
                canvas.arrow(
                    body.at("top", 0.8),
                    (body.x + 0.8 * size, loop.top + 0.12),
                    (body.x + 0.2 * size, loop.top + 0.12),
                    body.at("top", 0.2),
                )
            lines = (
                ["runs its body", "num_steps times"]
                if kind == "loop"
                else ["the loop in one call,", "its backward in another"]
            )
            for i, line in enumerate(lines):
                canvas.text(loop.right + 0.5, loop.cy + 0.15 - 0.3 * i, line, ha="left")
        canvas.text(frame.x + 0.1, frame.y - 0.08, note, ha="left", va="top")
        top = frame.y - 0.75
    return canvas.done()
