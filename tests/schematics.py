"""How big the text of a schematic shows: the size of every glyph of a matplotlib SVG,
and the rule a schematic's text must meet at a phone's and a desktop's width.

matplotlib writes text as glyph outlines (``svg.fonttype: path``): each glyph is a
``<use>`` of a path drawn at 100 units per point, scaled by the text's size, and
mathtext's subscripts and superscripts by a further ``scale(0.7)``. The product of the
scales along the way is the glyph's size. Shared by tests/test_diagrams.py and the
schematic check of tests/test_browser.py.
"""

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"

#: A schematic is a figure whose name starts with this (CONTRIBUTING-site.md, Figures).
PREFIX = "fig-schematic-"
#: The smallest glyph, subscripts included, in CSS pixels where the page shows it.
SMALLEST_PX = {"phone": 8.0, "desktop": 9.0}
#: A notebook saves a figure with bbox_inches="tight", which adds this margin (inches)
#: on every side.
NOTEBOOK_PAD = 0.1


def scale_of(transform) -> float:
    factor = 1.0
    for x, _ in re.findall(
        r"scale\(\s*([-\d.e]+)(?:[\s,]+([-\d.e]+))?\s*\)", transform or ""
    ):
        factor *= abs(float(x))
    return factor


def glyph_sizes(svg: str) -> list[float]:
    """The size in points of every glyph drawn in a matplotlib SVG."""
    sizes = []

    def walk(element, factor):
        factor *= scale_of(element.get("transform"))
        tag = element.tag.replace(SVG, "")
        if tag == "defs":
            return
        if tag == "use" and (element.get(HREF) or "").startswith("#DejaVu"):
            sizes.append(factor * 100)
        for child in element:
            walk(child, factor)

    walk(ET.fromstring(svg), 1.0)
    return sizes


def smallest_px(svg: str, shown_px: float, natural_px: float) -> float:
    """The smallest glyph in CSS pixels when an SVG of ``natural_px`` width is shown
    ``shown_px`` wide (1 pt = 4/3 px)."""
    return min(glyph_sizes(svg)) * 4 / 3 * min(1.0, shown_px / natural_px)
