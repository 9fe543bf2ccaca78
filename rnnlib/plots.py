"""Plots the chapters share: learning curves against the floors of the echo task."""

from collections.abc import Mapping

import matplotlib.pyplot as plt

from rnnlib.data.theory import floors as echo_floors

FLOOR_STYLE = {"neither": "tab:gray", "only t-3": "tab:blue", "both": "tab:green"}


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
            fontsize=8,
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
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
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
    ax.legend(fontsize=8, ncol=2, loc="upper right")
    return ax
