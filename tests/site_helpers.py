"""Reading the built site: what the tests of the book, the browser and the reader
notebooks share."""

import functools
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import ROOT

sys.path.insert(
    0, str(ROOT / "_ext")
)  # the book's extension, for the rules the tests check against

from unrolled.numbering import TWIN_PAGE, chapter_of, twin_of  # noqa: E402,F401

CHAPTER_PAGE = re.compile(r"^(?P<chapter>\d+)-")


def soup(html_file: Path) -> BeautifulSoup:
    """The parsed page (parsed once per test session: read it, do not change it)."""
    html_file = Path(html_file).resolve()
    return _parsed(html_file, html_file.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _parsed(html_file: Path, mtime_ns: int) -> BeautifulSoup:
    return BeautifulSoup(html_file.read_text(), "html.parser")


def exercises(html_file: Path) -> list[tuple[str, str]]:
    """[(exercise id, number as shown)] of a built page, in page order:
    [('ex-loss-half', '2.1'), ...]."""
    found = []
    for box in soup(html_file).select("div.exercise"):
        caption = box.select_one(".admonition-title .caption-number")
        match = (
            re.fullmatch(r"Exercise\s+([\d.]+)", caption.get_text(strip=True))
            if caption
            else None
        )
        found.append((box.get("id"), match[1] if match else None))
    return found


def twin_pairs(pages) -> list[tuple[str, str]]:
    """(tf page, torch page) stems among book pages, e.g.
    ('03-hand-rolled-cell-tf', '03-hand-rolled-cell-torch')."""
    stems = {page.stem for page in pages}
    return sorted(
        (stem, stem[: -len("-tf")] + "-torch")
        for stem in stems
        if stem.endswith("-tf") and stem[: -len("-tf")] + "-torch" in stems
    )


def svg_text_sizes(svg: str) -> list[float]:
    """Font sizes (pt) of the text in a matplotlib SVG drawn with svg.fonttype 'path'
    (or 'none')."""
    scaled = [
        float(s) * 100 for s in re.findall(r"scale\(([\d.]+) -\1\)", svg)
    ]  # glyphs at 1/100 pt
    styled = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    return scaled + styled


def svg_width_pt(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)[1])
