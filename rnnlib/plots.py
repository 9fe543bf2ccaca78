"""Plots the chapters share: learning curves drawn against the floors of the echo task.

Importing this module also applies the book's figure style (``use_book_style``): a
default size that fits the book's text column, fonts that read at that size, and, in a
notebook, SVG output. A figure wider than the column is shrunk by the browser, and its
text with it: keep figures at ``COLUMN_WIDTH_INCHES`` or narrower (CONTRIBUTING-site.md,
"Figures"). The book's build applies the same style to every page, whether or not it
imports this module (``_ext/unrolled/figures.py``).
"""

from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt

from rnnlib.data.theory import floors as echo_floors

FLOOR_STYLE = {"neither": "tab:gray", "only t-3": "tab:blue", "both": "tab:green"}

# The book's text column at desktop width is about 690 CSS pixels; a 7-inch SVG is 672
# (96 px per inch), so a figure this wide is shown at its natural size and 10 pt text is
# 13 px on screen. A wider figure is shrunk to the column, its text with it: the rule is
# that its smallest text still shows at MIN_TEXT_PX (max_width_inches; the browser test
# checks every figure of the built site).
COLUMN_WIDTH_INCHES = 7.0
DESKTOP_COLUMN_PX = 690
MIN_TEXT_PX = 9


def max_width_inches(smallest_text_pt: float, column_px: float = DESKTOP_COLUMN_PX):
    """How wide a figure may be drawn so that its smallest text, ``smallest_text_pt``,
    still shows at MIN_TEXT_PX in the desktop column: 8.5 in for 8 pt text, 10.6 in for
    the style's 10 pt ticks."""
    if smallest_text_pt <= 0 or column_px <= 0:
        raise ValueError(
            f"smallest_text_pt and column_px must be positive, got "
            f"{smallest_text_pt} and {column_px}"
        )
    return column_px * smallest_text_pt / MIN_TEXT_PX / 72


STYLE = {
    "figure.figsize": (COLUMN_WIDTH_INCHES, 3.5),
    # Labels and legends outside the axes are not cut off.
    "figure.constrained_layout.use": True,
    # A PNG, where someone asks for one, is sharp on high-density screens.
    "savefig.dpi": 200,
    "svg.fonttype": "path",  # SVG text as outlines: the same on every reader's machine
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
}


def _ipython_shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _backend_name() -> str:
    """The configured backend's name, without making matplotlib pick one."""
    try:
        return str(mpl.get_backend(auto_select=False))  # matplotlib 3.10 and later
    except TypeError:
        return str(mpl.rcParams._get("backend"))


def use_book_style():
    """Apply the book's figure style; in a Jupyter kernel, also show figures as SVG."""
    shell = _ipython_shell()
    inline = shell is not None and "inline" in _backend_name().lower()
    if inline:
        # Importing the inline backend configures it (once), which may reset rcParams:
        # do it first.
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    mpl.rcParams.update(STYLE)
    if inline:
        set_matplotlib_formats(
            "svg"
        )  # sharp at any zoom; the text is outlines (svg.fonttype)


def draw_floors(ax, floors=None, names=("neither", "only t-3", "both")):
    """Dotted horizontal lines at the expected losses of chapter 2, labelled at the
    right edge."""
    floors = echo_floors() if floors is None else floors
    for name in names:
        ax.axhline(
            floors[name],
            color=FLOOR_STYLE.get(name, "black"),
            linestyle=":",
            linewidth=1.2,
        )
        ax.annotate(
            f"{name}: {floors[name]:.4f}",
            xy=(1.0, floors[name]),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
            color=FLOOR_STYLE.get(name, "black"),
        )


def plot_learning_curves(
    curves: Mapping, *, ax=None, title=None, floors=None, ylim=(0.43, 0.70)
):
    """One line per LearningCurve in ``curves`` ({label: curve}), against epochs of
    training.

    Each point is the mean training loss over the ``curve.every`` windows before it.
    Epochs, not windows, on the x axis, so that runs with different ``num_steps`` line
    up by data seen.
    """
    if not curves:
        raise ValueError("curves must hold at least one {label: LearningCurve}")
    if ax is None:
        _, ax = plt.subplots(figsize=(COLUMN_WIDTH_INCHES, 3.6), layout="constrained")
    for label, curve in curves.items():
        ax.plot(curve.epoch, curve.loss, label=label, linewidth=1.4)
    draw_floors(ax, floors)
    every = next(iter(curves.values())).every
    ax.set(
        xlabel="epochs of training",
        ylabel=f"mean loss over {every} windows (nats)",
        ylim=ylim,
    )
    if title:
        ax.set_title(title)
    ax.legend(ncol=2, loc="upper right")
    return ax


use_book_style()
