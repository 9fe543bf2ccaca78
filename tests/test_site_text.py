"""What readers see in the text of the site: no placeholder numbers, no raw syntax, and
titles numbered like the chapters; and the Markdown the reader notebooks are written in.

The tests marked slow read the quick build (``built_site``); the others need nothing.
"""

import re

import pytest
from conftest import notebook_pages, toc_pages
from docutils import nodes
from site_helpers import chapter_of, soup
from unrolled.markdown import Markdown

from rnnlib.tables import markdown_table

# "nan", "inf", "-inf" as words: what Python prints for a glued NaN or infinity (the
# prose may still speak of NaN)
NOT_A_NUMBER = re.compile(r"(?<![\w.])-?(nan|inf)(?![\w(])")
# Markdown the page did not parse: a pipe table's rule, a LaTeX command
RAW_TABLE = re.compile(r"\|\s*:?-{3,}")
RAW_LATEX = re.compile(r"\\[a-z]+\{|\\texttt|\\emph")


def prose(html_file) -> list[str]:
    """The text a reader reads on a page: paragraphs, lists, headings, captions, table
    cells and image descriptions, without code cells and their outputs."""
    article = soup(html_file).select_one("article")
    texts = []
    for element in article.select("p, li, h1, h2, h3, h4, dt, dd, figcaption, td, th"):
        if element.find_parent(class_="cell") or element.find_parent("pre"):
            continue
        # math is TeX until MathJax typesets it; inline code is code
        words = element.find_all(string=True)
        texts.append(
            " ".join(
                w
                for w in words
                if not w.find_parent(class_="math") and not w.find_parent("code")
            )
        )
    texts += [img.get("alt", "") for img in article.select("img")]
    return texts


# Pages that still show a placeholder (each page's branch fixes it, then drops it)
NAN_TODAY: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=pytest.mark.xfail(strict=True, reason=NAN_TODAY[page]))
        if page in NAN_TODAY
        else page
        for page in toc_pages()
    ],
)
def test_prose_shows_no_nan_no_inf_no_raw_syntax(built_site, page):
    """A number a sentence states is a number: a placeholder glued into a sentence that
    needs the full size reads "nan" to a reader."""
    for text in prose(built_site / f"{page}.html"):
        found = NOT_A_NUMBER.search(text)
        assert not found, f"{page}: {found[0]!r} in the prose: {text[:200]!r}"
        assert not RAW_TABLE.search(text), f"{page}: a table left as text: {text[:200]}"
        assert not RAW_LATEX.search(text), f"{page}: raw LaTeX: {text[:200]!r}"


@pytest.mark.slow
def test_bibliography_entries_read_as_text(built_site):
    entries = [
        entry.get_text(" ", strip=True)
        for entry in soup(built_site / "book" / "bibliography.html").select(
            "div.citation"
        )
    ]
    assert len(entries) >= 20
    for entry in entries:
        assert not RAW_LATEX.search(entry) and "{" not in entry, entry
        assert not re.search(r"\b\d+ edition\b", entry), f"'2 edition': {entry}"


@pytest.mark.slow
def test_chapter_titles_carry_their_number_in_the_page_and_the_sidebar(built_site):
    """ "3. The hand-rolled cell in TensorFlow": the number comes from the file name
    (_ext/unrolled/numbering.py), as figures' and exercises' numbers do."""
    chapters = [page for page in toc_pages() if chapter_of(page) is not None]
    assert len(chapters) >= 10
    sidebar = {
        link["href"].rsplit("/", 1)[-1].removesuffix(".html"): link.get_text(
            " ", strip=True
        )
        for link in soup(built_site / "book" / "intro.html").select(
            ".bd-sidebar-primary a.reference.internal"
        )
    }
    for page in toc_pages():
        stem, chapter = page.rsplit("/", 1)[-1], chapter_of(page)
        title = soup(built_site / f"{page}.html").select_one("article h1")
        title = title.get_text(" ", strip=True).rstrip("#").strip()
        prefix = f"{chapter}. " if chapter is not None else None
        if prefix:
            assert title.startswith(prefix), f"{page}: {title!r}"
            assert sidebar[stem].startswith(prefix), f"{page}: {sidebar[stem]!r}"
        else:
            assert not re.match(r"\d+\. ", title), f"{page}: {title!r}"


@pytest.mark.slow
def test_doc_references_keep_the_plain_title(built_site):
    """In a sentence, {doc}`02-expected-loss` reads "Expected cross-entropy"."""
    links = soup(built_site / "book" / "intro.html").select(
        "article a[href='02-expected-loss.html']"
    )
    assert links and all(link.get_text(strip=True)[0].isalpha() for link in links)


def test_notebook_pages_are_in_the_table_of_contents():
    assert {f"book/{p.stem}" for p in notebook_pages()} <= set(toc_pages())


# ---------------------------------------------------------------- Markdown


def convert(node) -> str:
    return Markdown(lambda target: "https://site/book/" + target).block(node)


def paragraph(*children) -> nodes.paragraph:
    return nodes.paragraph("", "", *children)


def test_text_reads_as_itself_in_markdown():
    text = "a * b, [x](y), `c`, $5, a|b, <tag>, snake_case and _emphasis_"
    converted = convert(paragraph(nodes.Text(text)))
    assert "snake_case" in converted and r"\_emphasis\_" in converted
    for raw in ("*", "[", "`", "$", "|", "<"):
        assert f"\\{raw}" in converted, raw
    # a line that starts a list, a heading or a quote in Markdown is only text here
    for start in ("+ \\ldots", "- x", "1. x", "# x"):
        assert convert(paragraph(nodes.Text(start))).startswith("\\"), start
    soft = convert(paragraph(nodes.Text("first line\n+ second")))
    assert soft == "first line + second", "a soft line break is a space"


def test_inline_markup_links_and_math_become_markdown():
    node = paragraph(
        nodes.emphasis("", "", nodes.Text("very ")),
        nodes.Text("and "),
        nodes.strong("", "bold"),
        nodes.Text(" "),
        nodes.literal("", "a`b"),
        nodes.Text(" "),
        nodes.reference("", "the glossary", refuri="glossary.html#term-nats"),
        nodes.Text(" "),
        nodes.math("", r"c_t = f_t\n+ x"),
    )
    converted = convert(node)
    assert converted.startswith("*very* and **bold** ``a`b`` ")
    assert "[the glossary](https://site/book/glossary.html#term-nats)" in converted
    assert converted.endswith(r"$c_t = f_t\n+ x$")


def test_a_table_keeps_its_pipes_inside_cells():
    def row(*cells):
        return nodes.row(
            "", *(nodes.entry("", paragraph(nodes.Text(c))) for c in cells)
        )

    table = nodes.table(
        "",
        nodes.tgroup(
            "", nodes.thead("", row("max |diff|", "b")), nodes.tbody("", row("1", "2"))
        ),
    )
    assert convert(table).splitlines() == [
        r"| max \|diff\| | b |",
        "|---|---|",
        "| 1 | 2 |",
    ]


def test_markdown_tables_escape_a_pipe_in_a_cell():
    table = markdown_table([{"max |param - one process|": "1e-9", "n": 2}])
    assert table.splitlines()[0] == r"| max \|param - one process\| | n |"
    assert len(re.findall(r"(?<!\\)\|", table.splitlines()[0])) == 3
