"""The numbers in the prose are the numbers the notebooks computed.

Every ``{glue:text}`` role of a page must render, in the built page, the value that the
page's own run glued (read back from the quick run's executed notebooks, see
tests/gluevalues.py), formatted as the role asks: not merely somewhere on the page (a
code cell prints most of them too), but in the text the role produced. And the values
that have an exact answer are checked against it: chapter 2's floors against
``rnnlib.data.theory``.

Second phase of `make test` (slow): it needs the records of the first phase and the
quick book build.
"""

from collections import Counter
from html.parser import HTMLParser

import pytest
from conftest import ROOT, notebook_pages
from gluevalues import as_text, glue_roles, glued, glued_text

from rnnlib.data import theory

pytestmark = pytest.mark.slow

PAGES = [page for page in notebook_pages() if glue_roles(page)]


class PastedText(HTMLParser):
    """The text of every ``<span class="pasted-text">``: what a glue role rendered."""

    def __init__(self):
        super().__init__()
        self.texts, self._depth = [], 0

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += tag == "span"
        elif tag == "span" and "pasted-text" in (dict(attrs).get("class") or ""):
            self._depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self._depth and tag == "span":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.texts[-1] += data


SMART = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def rendered_glue(html: str) -> list[str]:
    """The glued texts of a page, with the site's typographic quotes made plain again
    (the text a page glues may hold an apostrophe; Sphinx renders it curly)."""
    parser = PastedText()
    parser.feed(html)
    return [text.translate(SMART) for text in parser.texts]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_glue_role_renders_the_value_the_page_computed(built_site, page):
    texts = glued_text(page.stem)
    roles = glue_roles(page)
    never_glued = sorted({name for name, _ in roles} - set(texts))
    assert not never_glued, f"{page.name} cites values it never glues: {never_glued}"
    expected = Counter(
        as_text(texts[name], spec).translate(SMART) for name, spec in roles
    )
    html = (built_site / "book" / f"{page.stem}.html").read_text()
    shown = Counter(rendered_glue(html))
    assert shown == expected, (
        f"{page.name}: the built page shows glued text that its quick run did not "
        f"compute.\nshown, not computed: {shown - expected}\n"
        f"computed, not shown: {expected - shown}"
    )


def test_the_glue_reader_can_fail():
    """The parser finds pasted text, nested spans and all, and only that."""
    html = (
        '<p>a <span class="pasted-text">0.4545</span> b <span>0.5</span> '
        '<span class="pasted-text"><span>only</span> t-3</span></p>'
    )
    assert rendered_glue(html) == ["0.4545", "only t-3"]


def test_chapter_2_states_the_floors_that_theory_computes():
    values = glued("02-expected-loss")
    floors = theory.floors()
    for glue_name, floor in [
        ("loss_neither", "neither"),
        ("loss_only_3", "only t-3"),
        ("loss_only_8", "only t-8"),
        ("loss_both", "both"),
    ]:
        assert values[glue_name] == pytest.approx(floors[floor], abs=1e-12), glue_name
    assert values["gain_3"] == pytest.approx(floors["neither"] - floors["only t-3"])
    assert values["gain_8"] == pytest.approx(floors["only t-3"] - floors["both"])


def test_chapter_1_compares_the_seed_printout_with_the_floor():
    values = glued("01-echo-task")
    assert values["floor_both"] == pytest.approx(theory.expected_loss((3, 8)))
    # the exhibit: the printout and our reproduction of it sit below the floor
    assert values["seed_first"] < values["floor_both"]
    assert values["nested_mean_max"] < values["floor_both"] < values["correct_mean_min"]
    assert values["zero_share_percent"] == pytest.approx(100 * 199 / 400)


def test_pages_are_read_from_the_book():
    assert all(page.parent == ROOT / "book" for page in PAGES)
    assert {p.stem for p in PAGES} >= {"01-echo-task", "02-expected-loss"}
