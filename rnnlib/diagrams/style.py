"""The style of the book's schematics: sizes, the meaning of each colour, and the box
every shape is placed by, in inches.

Colours are matplotlib's tab10, the plots' own cycle, one per role (``ROLES``): a box is
a light tint of its role's colour with an edge in the colour itself, so black text on it
keeps its contrast in the site's light and dark themes alike (the dark theme shows
images on a light card).
"""

from typing import NamedTuple

import matplotlib.colors as mcolors

#: The widest drawing, in inches. A notebook adds 0.1 in of margin on each side, so the
#: image is at most 5 in (480 px): a phone's column of 326 px shows it at 0.68 of its
#: size, and mathtext's subscripts (0.7 of ``FONT``) at 8 px.
MAX_WIDTH = 4.8
#: Every label's size, in points (subscripts are 0.7 of it).
FONT = 13
#: Code names (``state.detach()``) in a monospace font, as in the text.
MONO = "DejaVu Sans Mono"
INK = "#1a1a1a"  # text and plain lines: near black
LINE = 1.4  # points, boxes and arrows

#: What each colour means, in every schematic.
ROLES = {
    "input": "tab:gray",  # data read in: inputs, tokens, pixels, labels
    "state": "tab:blue",  # recurrent state and the cell that computes it
    "gate": "tab:orange",  # gates, and the weights of one layer in a strip
    "output": "tab:green",  # logits, probabilities, heads, losses
    "gradient": "tab:red",  # backward paths and where they stop
    "weight": "tab:purple",  # weight matrices and parameters
    "plain": INK,
    "muted": "#9a9a9a",  # padding, what is left out
}


def check_role(role) -> str:
    """A role of ``ROLES``, or one of the plots' own colours ("tab:blue"), as a page's
    plots colour the same thing (chapter 2: the three-step echo blue)."""
    if role not in ROLES and role not in mcolors.TABLEAU_COLORS:
        raise ValueError(
            f"role must be one of {sorted(ROLES)} or a tab: colour, got {role!r}"
        )
    return role


def rgb(role) -> tuple:
    return mcolors.to_rgb(ROLES.get(check_role(role), role))


def edge(role) -> tuple:
    """The role's colour, darkened a little so that thin lines and text in it read on
    white."""
    red, green, blue = rgb(role)
    return (0.8 * red, 0.8 * green, 0.8 * blue)


def tint(role, amount=0.82) -> tuple:
    """The role's colour mixed with white (``amount`` of white): a box's fill."""
    red, green, blue = rgb(role)
    return tuple(c + (1 - c) * amount for c in (red, green, blue))


class Box(NamedTuple):
    """A rectangle in inches: lower-left corner (x, y), width w, height h."""

    x: float
    y: float
    w: float
    h: float

    @property
    def left(self):
        return self.x

    @property
    def right(self):
        return self.x + self.w

    @property
    def bottom(self):
        return self.y

    @property
    def top(self):
        return self.y + self.h

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2

    def at(self, side, share=0.5) -> tuple[float, float]:
        """A point on one side ("left", "right", "top", "bottom"), ``share`` of the way
        along it (left to right, bottom to top), or the centre ("center")."""
        if side == "left":
            return (self.x, self.y + share * self.h)
        if side == "right":
            return (self.right, self.y + share * self.h)
        if side == "top":
            return (self.x + share * self.w, self.top)
        if side == "bottom":
            return (self.x + share * self.w, self.y)
        if side == "center":
            return (self.cx, self.cy)
        raise ValueError(
            f"side must be left, right, top, bottom or center, got {side!r}"
        )
