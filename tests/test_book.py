"""The whole book builds in quick mode with warnings as errors, and its pages hold
executed outputs."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import ROOT, notebook_pages, toc_pages

pytestmark = pytest.mark.slow

LAUNCH_HOSTS = ("colab.research.google.com", "mybinder.org")


class Links(HTMLParser):
    """Collects <a href> and <img src/alt> of a page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs)


def parse(html_file: Path) -> Links:
    links = Links()
    links.feed(html_file.read_text())
    return links


def repository_path(url: str) -> str:
    """The file a Colab or Binder launch URL opens, relative to the repository root."""
    parsed = urlparse(url)
    if parsed.hostname == "colab.research.google.com":
        return parsed.path.split("/blob/", 1)[1].split("/", 1)[
            1
        ]  # after /blob/<branch>/
    urlpath = parse_qs(parsed.query)["urlpath"][0]
    return (
        urlpath.split("/tree/", 1)[1]
        if "/tree/" in urlpath
        else urlpath.split("tree/", 1)[1]
    )


def launch_links(html_file: Path) -> list[str]:
    return [
        href
        for href in parse(html_file).hrefs
        if urlparse(href).hostname in LAUNCH_HOSTS
    ]


def test_every_page_is_built(built_site):
    for page in toc_pages():
        assert (built_site / f"{page}.html").exists(), page
    assert (built_site / "index.html").exists()


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_notebook_pages_launch_their_paired_notebook(built_site, page):
    links = launch_links(built_site / "book" / f"{page.stem}.html")
    hosts = {urlparse(link).hostname for link in links}
    assert hosts == set(LAUNCH_HOSTS), (
        f"expected Colab and Binder buttons, found {links}"
    )
    for link in links:
        target = repository_path(link)
        assert target == f"notebooks/{page.stem}.ipynb", link
        assert (ROOT / target).exists(), (
            f"{link} points at {target}, which is not in the repository"
        )


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_notebook_pages_offer_the_notebook_for_download(built_site, page):
    html = (built_site / "book" / f"{page.stem}.html").read_text()
    assert f"_sources/book/{page.stem}.ipynb" in html
    assert (built_site / "_sources" / "book" / f"{page.stem}.ipynb").exists()


def test_pages_hold_executed_outputs_and_plots(built_site):
    chapter1 = (built_site / "book" / "01-echo-task.html").read_text()
    assert "identical on" in chapter1  # a printed output, so the notebook ran
    for page in ("01-echo-task", "02-expected-loss"):
        images = [
            img
            for img in parse(built_site / "book" / f"{page}.html").images
            if "_images/" in img.get("src", "")
        ]
        assert images, f"{page} shows no plot"
        for img in images:
            assert (built_site / "book" / img["src"]).resolve().exists(), img["src"]
            assert len(img.get("alt", "")) > 20, (
                f"{page}: a plot without alt text: {img}"
            )


def test_glued_numbers_appear_in_the_prose(built_site):
    chapter2 = (built_site / "book" / "02-expected-loss.html").read_text()
    for value in ("0.6616", "0.5192", "0.6277", "0.4545"):
        assert value in chapter2
    assert not re.search(r"glue[^\"]*(not found|missing)", chapter2, re.I)


def test_exercises_have_hidden_solutions(built_site):
    chapter1 = (built_site / "book" / "01-echo-task.html").read_text()
    assert (
        chapter1.count('class="admonition solution') >= 3
        or chapter1.count("solution dropdown") >= 3
    )
    assert "dropdown" in chapter1


def test_math_is_served_from_the_site(built_site):
    html = (built_site / "book" / "02-expected-loss.html").read_text()
    assert "_static/mathjax/tex-mml-chtml.js" in html and "cdn.jsdelivr" not in html
    assert (built_site / "_static" / "mathjax" / "tex-mml-chtml.js").exists()


def test_instructors_page_shows_measured_run_times(built_site):
    html = (built_site / "book" / "instructors.html").read_text()
    times = re.findall(r"\b\d+ s\b|\b\d+ min \d+ s\b", html)
    assert len(times) >= 5 and "not executed" not in html


def test_results_page_shows_every_benchmark(built_site):
    html = (built_site / "book" / "results.html").read_text()
    for key in ("speedup_vs_loop", "tf_heldout_loss", "torch_heldout_loss", "floor"):
        assert key in html
