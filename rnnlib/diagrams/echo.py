"""Schematics of the echo task and of truncated backprop on it (chapters 2 and 5), drawn
from ``rnnlib.data``: the echo rule from ``echo.DEFAULT_EFFECTS`` and
``theory.optimal_predictions``, which labels' gradients reach a lag from
``truncation.reach`` and ``batching.labels_reaching``."""

import itertools

from rnnlib._checks import check_int
from rnnlib.data import batching, echo, theory, truncation
from rnnlib.diagrams.draw import Canvas

#: The plots' colours for the two echoes (chapter 2's bars, ``plots.FLOOR_STYLE``).
LAG_COLORS = ("tab:blue", "tab:purple")


def minus(text: str) -> str:
    """Typographic minus signs in place of hyphens."""
    return text.replace("-", "\N{MINUS SIGN}")


def lag_label(lag: int) -> str:
    return "$t$" if lag == 0 else f"$t-{lag}$"


def effect_text(effect: float) -> str:
    return minus(f"{effect:+g}")


def echo_rule(*, effects=None, base=echo.DEFAULT_BASE):
    """The echo rule: which past inputs set the probability of the label Y_t, by how
    much, and the probability for every pattern of them.

    ``effects`` ({lag: effect}, at most two lags) and ``base`` are those of
    ``echo.generate``; the defaults draw the book's task, 0.5 + 0.5 X_{t-3} - 0.25
    X_{t-8}. The table comes from ``theory.optimal_predictions``.
    """
    effects = echo.check_effects(effects)
    base = echo.check_base(base)
    lags = sorted(effects)
    if not 1 <= len(lags) <= 2:
        raise ValueError(
            f"effects must hold one or two lags for this picture, got {len(lags)}"
        )
    colors = dict(zip(sorted(lags), LAG_COLORS))
    span = max(lags) + 1  # inputs X_{t-span+1} ... X_t
    canvas = Canvas()
    cell = min(0.44, 4.4 / span)
    left = 0.0
    # The inputs, oldest on the left; the lags that matter in their echo's colour.
    roles = [
        "muted" if span - 1 - i not in effects else colors[span - 1 - i]
        for i in range(span)
    ]
    row = canvas.strip(left, 1.0, span, cell=cell, roles=roles)
    for i in range(span):
        lag = span - 1 - i
        x = left + (i + 0.5) * cell
        if lag in effects or lag == 0:  # the steps that matter, and the present
            canvas.text(x, row.y - 0.05, minus(lag_label(lag)), va="top")
        if lag in effects:
            canvas.text(x, row.cy, "$X$")
    # The label, above the present step, and one arrow from each input that moves it:
    # the older lag enters higher, so that the arrows never cross.
    label = canvas.box(
        row.right - cell - 0.05, 2.0, cell + 0.1, 0.66, "$Y_t$", role="output"
    )
    for k, lag in enumerate(sorted(lags, reverse=True)):
        x = left + (span - 1 - lag + 0.5) * cell
        level = label.y + label.h * (0.72 - 0.44 * k)
        canvas.arrow((x, row.top), (x, level), (label.left, level), role=colors[lag])
        canvas.text(
            x + 0.07,
            (row.top + label.y) / 2,
            effect_text(effects[lag]),
            role=colors[lag],
            ha="left",
        )
    terms = "".join(
        f" {'-' if effects[lag] < 0 else '+'} {abs(effects[lag]):g}\\,X_{{t-{lag}}}"
        for lag in lags
    )
    canvas.text(
        0.0,
        label.top + 0.16,
        minus(f"$P(Y_t = 1) = {base:g}{terms}$"),
        ha="left",
        va="bottom",
    )
    # Every pattern of the inputs that matter, and the probability it gives.
    table = theory.optimal_predictions(tuple(lags), effects=effects, base=base)
    patterns = list(itertools.product((0, 1), repeat=len(lags)))
    head, width, height, top = 1.45, 0.62, 0.34, 0.35
    for r, name in enumerate(
        [minus(f"$X_{{t-{lag}}}$") for lag in lags] + ["$P(Y_t = 1)$"]
    ):
        y = top - (r + 0.5) * height
        canvas.text(head - 0.1, y, name, ha="right")
        for c, pattern in enumerate(patterns):
            value = pattern[r] if r < len(lags) else f"{table[pattern]:g}"
            role = colors[lags[r]] if r < len(lags) else "output"
            canvas.box(
                head + c * width,
                y - height / 2,
                width,
                height,
                str(value),
                role=role,
                rounded=False,
                filled=r == len(lags),
            )
    return canvas.done()


#: Each style's heading in the picture, as chapter 5 names them.
STYLE_NAMES = {"tf": "TF style", "true": "true style", "2n": "BPTT(2n; n)"}


def truncation_styles(num_steps=5, lag=8):
    """Which labels' gradients reach the input ``lag`` steps back in each style of
    truncated backprop with n = ``num_steps`` (chapter 5).

    One block per style of ``truncation.STYLES``, one row per scored label, shaded over
    the steps its gradient runs back through (``truncation.reach``) and cut off by a bar
    where the window starts: in the TF style BPTT(n; n) the n labels of one window; in
    the true style BPTT(n; 1) n labels in a row, each the last of its own window of n;
    in BPTT(2n; n) the last n labels of one window of 2n. A dot marks the input ``lag``
    steps before each label, filled where the gradient reaches it; the counts are
    ``batching.labels_reaching`` (TF style) and ``truncation.share_reaching``.
    """
    num_steps = check_int(num_steps, "num_steps")
    lag = check_int(lag, "lag", minimum=0)
    reaches = {style: truncation.reach(style, num_steps) for style in truncation.STYLES}
    # the oldest step drawn, relative to the first scored label's position
    first = -max(num_steps, lag)
    columns = num_steps - first
    cell = min(0.2, 4.3 / columns)
    canvas = Canvas()
    top = 0.0
    for style in truncation.STYLES:
        if style == "tf":
            count = batching.labels_reaching(num_steps, lag)
        else:
            share = truncation.share_reaching(style, num_steps, lag)
            count = round(share * num_steps)
        h, h_prime = truncation.bptt_notation(style, num_steps)
        heading = f"{STYLE_NAMES[style]}, BPTT({h}; {h_prime})"
        if style == "2n":
            heading = f"BPTT(2n; n) = BPTT({h}; {h_prime})"
        canvas.text(0.0, top, heading, ha="left", va="bottom", bold=True)
        canvas.text(
            0.0,
            top - 0.3,
            minus(f"{count} of {num_steps} labels reach $t-{lag}$"),
            ha="left",
            va="bottom",
        )
        y0 = top - 0.45
        reach = reaches[style]
        backs = [int(reach[p % len(reach)]) for p in range(num_steps)]
        if sum(back >= lag for back in backs) != count:
            raise RuntimeError(
                f"truncation.reach and the count of labels reaching {lag} steps back "
                f"disagree for the {style} style: the picture would contradict itself"
            )
        for position, back in enumerate(backs):
            y = y0 - (position + 1) * cell
            reached = back >= lag
            for step in range(position - back, position + 1):
                role = (
                    "output"
                    if step == position
                    else ("gradient" if reached else "muted")
                )
                canvas.strip((step - first) * cell, y, 1, cell=cell, role=role)
            canvas.stop((position - back - first) * cell, y + cell / 2, h=cell * 0.9)
            target = position - lag
            if target >= first:
                canvas.dot((target - first + 0.5) * cell, y + cell / 2, filled=reached)
        note = {
            "tf": "one window of n, every label scored",
            "true": "n windows of n, each scoring its last label",
            "2n": "one window of 2n, its last n labels scored",
        }[style]
        canvas.text(0.0, y0 - num_steps * cell - 0.05, note, ha="left", va="top")
        top = y0 - num_steps * cell - 0.75
    canvas.key(
        0.0,
        top + 0.3,
        [
            ("output", "label"),
            ("gradient", minus(f"reaches $t-{lag}$")),
            ("muted", "falls short"),
        ],
    )
    canvas.key(
        0.0,
        top,
        [("dot", minus(f"input at $t-{lag}$: reached")), ("ring", "not reached")],
    )
    return canvas.done()
