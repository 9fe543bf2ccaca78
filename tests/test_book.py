"""The whole book builds in quick mode with warnings as errors, and its pages hold
executed outputs."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from conftest import ROOT, notebook_pages, toc_pages
from site_helpers import (
    chapter_of,
    exercises,
    soup,
    svg_text_sizes,
    svg_width_pt,
    twin_pairs,
)

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


def launch_links(html_file: Path) -> list[str]:
    return [
        href
        for href in parse(html_file).hrefs
        if urlparse(href).hostname in LAUNCH_HOSTS
    ]


def repository() -> tuple[str, str, str]:
    """(owner, name, branch) of repository.url in _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    owner, name = urlparse(config["url"]).path.strip("/").split("/")
    return owner, name, config.get("branch", "main")


def test_every_page_is_built(built_site):
    for page in toc_pages():
        assert (built_site / f"{page}.html").exists(), page
    assert (built_site / "index.html").exists()


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_launch_buttons_open_the_published_reader_notebook(built_site, page):
    """Colab opens reader/NN.ipynb on gh-pages; Binder builds main's environment and
    pulls that notebook."""
    owner, name, branch = repository()
    every = launch_links(built_site / "book" / f"{page.stem}.html")
    student = [link for link in every if "/student/" in link]
    links = {urlparse(link).hostname: link for link in every if link not in student}
    # "Exercises in Colab" opens the student edition, on pages with exercises
    has_exercises = "{exercise}" in page.read_text()
    assert student == (
        [
            f"https://colab.research.google.com/github/{owner}/{name}/blob/gh-pages/"
            f"student/{page.stem}.ipynb"
        ]
        if has_exercises
        else []
    )
    if has_exercises:
        assert (built_site / "student" / f"{page.stem}.ipynb").exists()
    assert set(links) == set(LAUNCH_HOSTS), (
        f"expected Colab and Binder buttons, found {links}"
    )
    assert (built_site / "reader" / f"{page.stem}.ipynb").exists(), (
        "the reader notebook is not in the site"
    )

    colab = urlparse(links["colab.research.google.com"])
    assert (
        colab.path == f"/github/{owner}/{name}/blob/gh-pages/reader/{page.stem}.ipynb"
    ), links

    binder = urlparse(links["mybinder.org"])
    assert binder.path == f"/v2/gh/{owner}/{name}/{branch}", (
        "Binder builds the environment from binder/ on main"
    )
    pull = urlparse(parse_qs(binder.query)["urlpath"][0])
    assert pull.path == "git-pull", links["mybinder.org"]
    pull_query = {key: values[0] for key, values in parse_qs(pull.query).items()}
    assert (
        pull_query["repo"] == f"https://github.com/{owner}/{name}"
        and pull_query["branch"] == "gh-pages"
    )
    assert (
        pull_query["urlpath"]
        == f"lab/tree/{pull_query['targetpath']}/reader/{page.stem}.ipynb"
    )
    binder_requirements = (ROOT / "binder" / "requirements.txt").read_text()
    assert re.search(r"^nbgitpuller\b", binder_requirements, re.M), (
        "Binder needs nbgitpuller for these links"
    )


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_download_button_offers_the_reader_notebook(built_site, page):
    html = soup(built_site / "book" / f"{page.stem}.html")
    button = html.select_one("a.btn-download-notebook-button")
    assert button is not None, "no .ipynb in the download button"
    assert button["href"] == f"../reader/{page.stem}.ipynb"
    assert (built_site / "book" / button["href"]).resolve().exists()


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


# ---------------------------------------------------------------- numbering per chapter

CHAPTER_PAGES = [
    page for page in notebook_pages() if chapter_of(f"book/{page.stem}") is not None
]
TWINS = twin_pairs(CHAPTER_PAGES)
TWINNED = {stem for pair in TWINS for stem in pair}


def test_exercises_are_numbered_per_chapter(built_site):
    """Chapter NN's exercises read NN.1, NN.2, ...: framework-free pages first, then the
    twins' shared numbers."""
    by_chapter: dict[int, list[str]] = {}
    for page in toc_pages():
        stem = page.rsplit("/", 1)[-1]
        chapter = chapter_of(page)
        if chapter is None or stem in TWINNED:
            continue
        numbers = [number for _, number in exercises(built_site / f"{page}.html")]
        assert all(number and number.startswith(f"{chapter}.") for number in numbers), (
            stem,
            numbers,
        )
        by_chapter.setdefault(chapter, []).extend(numbers)
    for tf, torch in TWINS:  # numbered once, after the chapter's framework-free pages
        chapter = chapter_of(f"book/{tf}")
        longest = max(
            len(exercises(built_site / "book" / f"{stem}.html")) for stem in (tf, torch)
        )
        start = len(by_chapter.get(chapter, []))
        by_chapter.setdefault(chapter, []).extend(
            f"{chapter}.{start + i}" for i in range(1, longest + 1)
        )
        for stem in (tf, torch):
            numbers = [
                number for _, number in exercises(built_site / "book" / f"{stem}.html")
            ]
            assert numbers == [
                f"{chapter}.{start + i}" for i in range(1, len(numbers) + 1)
            ], (stem, numbers)
    assert by_chapter.get(3, [])[:4] == ["3.1", "3.2", "3.3", "3.4"], (
        "chapter 3's NumPy page comes first"
    )
    for chapter, numbers in by_chapter.items():
        assert numbers == [f"{chapter}.{i}" for i in range(1, len(numbers) + 1)], (
            chapter,
            numbers,
        )


@pytest.mark.parametrize(
    "tf,torch", TWINS, ids=[tf.removesuffix("-tf") for tf, _ in TWINS]
)
def test_twin_pages_give_the_same_exercise_the_same_number(built_site, tf, torch):
    tf_exercises = exercises(built_site / "book" / f"{tf}.html")
    torch_exercises = exercises(built_site / "book" / f"{torch}.html")
    shared = min(len(tf_exercises), len(torch_exercises))
    assert shared, "twin pages without exercises"
    for (tf_id, tf_number), (torch_id, torch_number) in zip(
        tf_exercises, torch_exercises
    ):
        assert tf_number == torch_number, (
            f"{tf_id} is {tf_number} but its twin {torch_id} is {torch_number}"
        )


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=lambda p: p.stem)
def test_references_to_exercises_show_their_numbers(built_site, page):
    """Solution titles and {ref}/{numref} links that name an exercise by number name the
    number it has."""
    numbers = {}
    for html_file in (built_site / "book").glob("*.html"):
        numbers.update(
            {
                f"{html_file.name}#{ex_id}": number
                for ex_id, number in exercises(html_file)
            }
        )
    html_file = built_site / "book" / f"{page.stem}.html"
    checked = 0
    for link in soup(html_file).select("a.reference.internal[href*='#']"):
        href = (
            link["href"]
            if link["href"].split("#")[0]
            else f"{html_file.name}{link['href']}"
        )
        shown = re.search(r"Exercise\s+([\d.]+)", link.get_text(" ", strip=True))
        if href in numbers and shown:
            assert shown[1] == numbers[href], (
                f"a link to {href} says Exercise {shown[1]}, not {numbers[href]}"
            )
            checked += 1
    if exercises(html_file):
        assert checked >= len(exercises(html_file)), (
            "every exercise's solution names it by number"
        )


def test_figures_are_numbered_per_chapter(built_site):
    figure = soup(built_site / "book" / "02-expected-loss.html").select_one(
        "figure#fig-floors"
    )
    assert figure is not None, (
        "chapter 2's bar chart is a named figure (mystnb: figure: name: fig-floors)"
    )
    assert figure.select_one(".caption-number").get_text(strip=True) == "Figure 2.2"
    assert "floor" in figure.select_one(".caption-text").get_text()
    assert figure.select_one("img")["src"].endswith(".svg")


# ---------------------------------------------------------------- figures


@pytest.mark.parametrize("page", notebook_pages(), ids=lambda p: p.stem)
def test_plots_are_svg_with_text_no_smaller_than_8pt(built_site, page):
    images = [
        img["src"]
        for img in soup(built_site / "book" / f"{page.stem}.html").select("article img")
        if "_images/" in img.get("src", "")
    ]
    for src in images:
        assert src.endswith(".svg"), (
            f"{src}: plots are SVG "
            "(rnnlib.plots.STYLE, applied by _ext/unrolled/figures.py)"
        )
        svg = (built_site / "book" / src).resolve().read_text()
        sizes = svg_text_sizes(svg)
        assert sizes and min(sizes) >= 8, (
            f"{src}: text at {min(sizes, default=0):.1f} pt"
        )
        assert svg_width_pt(svg) > 0


# ---------------------------------------------------------------- bibliography


def test_citations_read_as_the_bibliography_labels_them(built_site):
    bibliography = soup(built_site / "book" / "bibliography.html")
    labels = {
        entry.get("id"): entry.select_one("span.label").get_text(strip=True).strip("[]")
        for entry in bibliography.select("div.citation")
    }
    assert "Pitis 2016a" in labels.values() and "Pitis 2016b" in labels.values()
    assert len(set(labels.values())) == len(labels), "two entries with the same label"
    assert all(
        re.fullmatch(r".+ (\d{4}[a-z]?|n\.d\.)", label) for label in labels.values()
    ), labels
    assert list(labels.values()) == sorted(labels.values(), key=str.lower), (
        "the list is in author-year order"
    )
    cited = 0
    for html_file in (built_site / "book").glob("*.html"):
        for link in soup(html_file).select("a[href^='bibliography.html#']"):
            entry_id = link["href"].split("#", 1)[1]
            text, label = link.get_text(strip=True), labels[entry_id]
            # {cite}: the whole label links; {cite:t}: "Bengio et al. (1994)", the year
            assert text == label or label.endswith(f" {text}"), (
                f"{html_file.name}: {link}"
            )
            cited += 1
    assert cited >= 10
    text = (built_site / "book" / "03-hand-rolled-cell-tf.html").read_text()
    assert re.search(
        r"\(<a [^>]*href=\"bibliography.html#[^\"]+\"[^>]*>Pitis 2016a</a>\)", text
    )


# ---------------------------------------------------------------- framework switch


@pytest.mark.parametrize(
    "tf,torch", TWINS, ids=[tf.removesuffix("-tf") for tf, _ in TWINS]
)
def test_each_section_of_a_framework_page_links_to_the_same_section_of_its_twin(
    built_site, tf, torch
):
    for this, other in ((tf, torch), (torch, tf)):
        page, twin = (
            soup(built_site / "book" / f"{stem}.html") for stem in (this, other)
        )
        twin_ids = {element.get("id") for element in twin.select("[id]")}
        sections = page.select("article section")
        top = [s for s in sections if s.find_parent("section") is None]
        second = [
            s
            for s in sections
            if s.find_parent("section") in top
            and s.find_parent("section").find_parent("section") is None
        ]
        assert len(second) >= 5
        for section in top + second:
            switch = section.find("nav", class_="framework-switch", recursive=False)
            assert switch is not None, (
                f"{this}: no framework switch in section {section.get('id')}"
            )
            link = switch.select_one("a")
            target, _, anchor = link["href"].partition("#")
            assert target == f"{other}.html", link
            if section in second:
                assert anchor == section["id"] and anchor in twin_ids, (
                    f"{this}#{section['id']} -> {link['href']}"
                )
