"""The drawing helper behind the book's schematics: boxes, arrows, labels, operation
circles and strips of cells, placed in inches, in the book's figure style.

A ``Canvas`` is a matplotlib figure whose one axes fills it with 1 data unit = 1 inch,
so that a box 0.6 wide is 0.6 inches on the page and text of ``FONT`` points has a known
size next to it. ``Canvas.done()`` crops the figure to what was drawn and refuses a
drawing wider than ``MAX_WIDTH``: the text of every schematic then reads at 390 px
(a phone) as well as at a desktop's width (CONTRIBUTING-site.md, "Figures"). Colours and
sizes are in ``rnnlib.diagrams.style``. Nothing here imports a framework.
"""

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Bbox

import rnnlib.plots  # noqa: F401  (applies the book's figure style)
from rnnlib.diagrams import style
from rnnlib.diagrams.style import FONT, INK, LINE, MONO, Box, edge, tint


class Canvas:
    """One schematic. Draw in inches from (0, 0), y upwards; ``done()`` returns the
    Figure, cropped to the drawing."""

    def __init__(self):
        self.figure = Figure(figsize=(12, 12), layout="none")
        FigureCanvasAgg(self.figure)  # a renderer for measuring text
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set(xlim=(0, 12), ylim=(0, 12))
        self.ax.set_aspect("equal")
        self.ax.axis("off")

    # ---------------------------------------------------------------- text

    def text(
        self,
        x,
        y,
        words,
        *,
        role="plain",
        mono=False,
        bold=False,
        size=FONT,
        ha="center",
        va="center",
    ):
        """A label at (x, y); ``$...$`` is math (matplotlib's mathtext), ``mono`` sets
        code names in the monospace font."""
        if size < FONT:
            raise ValueError(f"size must be at least FONT={FONT} pt, got {size}")
        color = INK if role in ("plain", "state", "input", "weight") else edge(role)
        color = "#6b6b6b" if role == "muted" else color
        style = {"fontfamily": MONO} if mono else {}
        style |= {"fontweight": "bold"} if bold else {}
        return self.ax.text(
            x, y, words, ha=ha, va=va, fontsize=size, color=color, zorder=5, **style
        )

    def width_of(self, label) -> float:
        """The width in inches of a label already drawn."""
        renderer = self.figure.canvas.get_renderer()
        box = label.get_window_extent(renderer).transformed(
            self.ax.transData.inverted()
        )
        return box.width

    def runs(self, x, y, words, *, role="plain", va="center"):
        """One line from (x, y), left to right, code names between backticks in the
        monospace font: "`state.detach()` cut it off". Returns where the line ends."""
        space = 0.4 * FONT / 72  # a word space, in inches
        for i, part in enumerate(words.split("`")):
            if part.strip():
                if i % 2 == 0 and part.startswith(" "):
                    x += space
                label = self.text(
                    x, y, part.strip(), role=role, ha="left", va=va, mono=i % 2 == 1
                )
                x += self.width_of(label)
                if i % 2 == 0 and part.endswith(" "):
                    x += space
            elif part:  # spaces alone, between two code names
                x += space
        return x

    # ---------------------------------------------------------------- shapes

    def box(
        self,
        x,
        y,
        w,
        h,
        label=None,
        *,
        role="state",
        dashed=False,
        filled=True,
        mono=False,
        rounded=True,
    ) -> Box:
        """A box with its lower-left corner at (x, y) and an optional centred label."""
        pad = 0.05 if rounded else 0.0
        patch = FancyBboxPatch(
            (x + pad, y + pad),
            w - 2 * pad,
            h - 2 * pad,
            boxstyle=f"round,pad={pad}" if rounded else "square,pad=0",
            facecolor=tint(role) if filled else "none",
            edgecolor=edge(role),
            linewidth=LINE,
            linestyle=(0, (4, 2.5)) if dashed else "solid",
            zorder=2,
        )
        self.ax.add_patch(patch)
        box = Box(x, y, w, h)
        if label is not None:
            self.text(box.cx, box.cy, label, mono=mono)
        return box

    def op(self, x, y, symbol, *, role="state", r=0.17) -> Box:
        """A circle centred at (x, y) holding an operation's symbol (``$+$``,
        ``$\\odot$``, ``$\\sigma$``, ``tanh``)."""
        self.ax.add_patch(
            Circle(
                (x, y),
                r,
                facecolor=tint(role, 0.9),
                edgecolor=edge(role),
                linewidth=LINE,
                zorder=3,
            )
        )
        self.text(x, y, symbol)
        return Box(x - r, y - r, 2 * r, 2 * r)

    def strip(
        self,
        x,
        y,
        n,
        *,
        cell=0.22,
        role="state",
        values=None,
        roles=None,
        vertical=False,
        mono=False,
    ) -> Box:
        """``n`` square cells side by side from (x, y) (downwards if ``vertical``): a
        vector of n numbers. ``values`` labels the cells, ``roles`` colours each."""
        roles = [role] * n if roles is None else list(roles)
        if len(roles) != n or (values is not None and len(values) != n):
            raise ValueError(f"values and roles must hold n={n} entries each")
        for i in range(n):
            cx, cy = (x, y - (i + 1) * cell) if vertical else (x + i * cell, y)
            self.ax.add_patch(
                Rectangle(
                    (cx, cy),
                    cell,
                    cell,
                    facecolor=tint(roles[i], 0.7 if roles[i] != "muted" else 0.93),
                    edgecolor=edge(roles[i]) if roles[i] != "muted" else "#8a8a8a",
                    linewidth=LINE * 0.7,
                    zorder=2,
                )
            )
            if values is not None:
                self.text(
                    cx + cell / 2,
                    cy + cell / 2,
                    str(values[i]),
                    mono=mono,
                    role="muted" if roles[i] == "muted" else "plain",
                )
        if vertical:
            return Box(x, y - n * cell, cell, n * cell)
        return Box(x, y, n * cell, cell)

    def arrow(self, *points, role="plain", dashed=False, head=True, width=LINE):
        """A line through ``points`` (two or more (x, y) in inches), with an arrowhead
        at the last one unless ``head`` is False."""
        if len(points) < 2:
            raise ValueError(f"an arrow needs at least two points, got {len(points)}")
        codes = [Path.MOVETO] + [Path.LINETO] * (len(points) - 1)
        patch = FancyArrowPatch(
            path=Path(points, codes),
            arrowstyle="-|>,head_length=0.45,head_width=0.22" if head else "-",
            mutation_scale=14,
            color=edge(role) if role != "plain" else INK,
            linewidth=width,
            linestyle=(0, (4, 2.5)) if dashed else "solid",
            joinstyle="miter",
            capstyle="butt",
            zorder=4,
        )
        self.ax.add_patch(patch)
        return patch

    def stop(self, x, y, *, h=0.5, role="gradient"):
        """A thick bar across a path at (x, y): where a gradient stops."""
        self.ax.plot(
            [x, x],
            [y - h / 2, y + h / 2],
            color=edge(role),
            linewidth=3.2,
            solid_capstyle="butt",
            zorder=6,
        )

    def dot(self, x, y, *, filled=True, r=0.055, role="plain"):
        """A small disc at (x, y), hollow unless ``filled``: a marker in a strip."""
        color = edge(role) if role != "plain" else INK
        self.ax.add_patch(
            Circle(
                (x, y),
                r,
                facecolor=color if filled else "white",
                edgecolor=color,
                linewidth=LINE,
                zorder=6,
            )
        )

    def key(self, x, y, items, *, cell=0.2):
        """A line of keys from (x, y): ``items`` are (marker, words), the marker a role
        (a filled square of its tint) or "dot" / "ring" (a filled or hollow disc)."""
        for marker, words in items:
            if marker in ("dot", "ring"):
                self.dot(x + cell / 2, y, filled=marker == "dot")
            else:
                self.strip(x, y - cell / 2, 1, cell=cell, role=marker)
            x = self.runs(x + cell + 0.08, y, words) + 0.28
        return x

    def ring(self, x, y, r, *, role="output"):
        """A circle outline of radius r around (x, y): marks a cell without hiding
        it."""
        self.ax.add_patch(
            Circle(
                (x, y),
                r,
                facecolor="none",
                edgecolor=edge(role),
                linewidth=LINE * 1.3,
                zorder=6,
            )
        )

    def bracket(self, x0, x1, y, label=None, *, role="plain", down=True):
        """A square bracket under (``down``) or over a span from x0 to x1, labelled."""
        tick = -0.08 if down else 0.08
        self.ax.plot(
            [x0, x0, x1, x1],
            [y - tick, y, y, y - tick],
            color=edge(role) if role != "plain" else INK,
            linewidth=LINE * 0.8,
            zorder=4,
        )
        if label is not None:
            self.text(
                (x0 + x1) / 2,
                y + (-0.07 if down else 0.07),
                label,
                role=role,
                va="top" if down else "bottom",
            )

    # ---------------------------------------------------------------- the figure

    def extent(self) -> Bbox:
        """What has been drawn, in inches."""
        renderer = self.figure.canvas.get_renderer()
        artists = [*self.ax.texts, *self.ax.patches, *self.ax.lines]
        if not artists:
            raise ValueError("nothing has been drawn")
        boxes = [a.get_window_extent(renderer) for a in artists]
        return Bbox.union(boxes).transformed(self.ax.transData.inverted())

    def done(self, margin=0.04) -> Figure:
        """The figure, cropped to the drawing plus ``margin`` inches; a ValueError if
        the drawing is wider than ``MAX_WIDTH``."""
        box = self.extent()
        width, height = box.width + 2 * margin, box.height + 2 * margin
        if width > style.MAX_WIDTH + 1e-6:
            raise ValueError(
                f"the drawing is {width:.2f} in wide, more than "
                f"MAX_WIDTH={style.MAX_WIDTH} in: its text would read too small on a "
                "phone"
            )
        self.ax.set(
            xlim=(box.x0 - margin, box.x1 + margin),
            ylim=(box.y0 - margin, box.y1 + margin),
        )
        self.figure.set_size_inches(width, height)
        return self.figure
