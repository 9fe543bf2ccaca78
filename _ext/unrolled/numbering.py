"""Number exercises, figures and tables per chapter: Exercise 3.2, Figure 2.1.

Sphinx numbers every captioned figure and every exercise (sphinx-exercise registers
exercises as numbered nodes) through the whole book: Exercise 1 to 17. Once Sphinx has
assigned its numbers (``env.toc_fignumbers``, on ``env-get-updated``), this module
rewrites them:

- The chapter is the ``NN`` of the page's file name, ``book/NN-slug*.md``.
- Within a chapter the framework-free page(s) come first, in the order of the table of
  contents.
- Framework twins, ``NN-slug-tf`` and ``NN-slug-torch``, come next and share their
  numbers: the i-th exercise (or figure) of the TensorFlow page has the number of the
  i-th of the PyTorch page. Both are written from one source (``tools/twins.py``), so
  they have the same exercises; where one has more figures, its extra ones continue the
  sequence on that page only.
- Pages outside the chapters (intro, instructors, ...) are numbered 1, 2, ... among
  themselves.

Titles, ``{numref}`` and ``{ref}`` all read ``env.toc_fignumbers``, so they show the new
numbers.

Page titles carry the chapter's number the same way: "3. The hand-rolled cell in
TensorFlow", in the page's heading and in the sidebar (``number_title``); references to
the page by ``{doc}`` keep the title alone, so that they read in a sentence.
"""

import re

from docutils import nodes

CHAPTER_PAGE = re.compile(r"^book/(?P<chapter>\d+)-(?P<slug>[^/]+?)$")
TWIN_PAGE = re.compile(r"^(?P<pair>book/\d+-[^/]+)-(?P<framework>tf|torch)$")
FRAMEWORKS = ("tf", "torch")


def chapter_of(docname: str) -> int | None:
    """The chapter number of a page, from its file name: book/03-hand-rolled-cell-tf ->
    3."""
    match = CHAPTER_PAGE.match(docname)
    return int(match["chapter"]) if match else None


def twin_of(docname: str) -> str | None:
    """The twin of a framework page: book/03-x-tf -> book/03-x-torch."""
    match = TWIN_PAGE.match(docname)
    if not match:
        return None
    other = FRAMEWORKS[1 - FRAMEWORKS.index(match["framework"])]
    return f"{match['pair']}-{other}"


def reading_order(env) -> list[str]:
    """Every page reachable from the root document, in the order of the table of
    contents."""
    order, seen = [], set()

    def visit(docname):
        if docname in seen:
            return
        seen.add(docname)
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order + sorted(set(env.found_docs) - seen)


def chapter_numbers(
    docnames: list[str], ids_by_doc: dict[str, list[str]]
) -> dict[str, dict[str, tuple]]:
    """New numbers for one kind of node: {docname: {node id: number}}, given the ids in
    reading order."""
    numbers: dict[str, dict[str, tuple]] = {}
    chapters: dict[int | None, list[str]] = {}
    for docname in docnames:
        chapters.setdefault(chapter_of(docname), []).append(docname)

    for chapter, pages in chapters.items():
        prefix = () if chapter is None else (chapter,)
        count = 0
        plain = [page for page in pages if not TWIN_PAGE.match(page)]
        pairs: dict[str, list[str]] = {}
        for page in pages:
            match = TWIN_PAGE.match(page)
            if match:
                pairs.setdefault(match["pair"], []).append(page)
        for page in plain:
            for node_id in ids_by_doc.get(page, []):
                count += 1
                numbers.setdefault(page, {})[node_id] = (*prefix, count)
        for twins in pairs.values():
            start, longest = count, 0
            for page in twins:
                ids = ids_by_doc.get(page, [])
                for position, node_id in enumerate(ids, start=1):
                    numbers.setdefault(page, {})[node_id] = (*prefix, start + position)
                longest = max(longest, len(ids))
            count = start + longest
    return numbers


def renumber(app, env):
    """After Sphinx numbers figures and exercises through the book, number them per
    chapter."""
    docnames = reading_order(env)
    figtypes = {
        figtype for fignumbers in env.toc_fignumbers.values() for figtype in fignumbers
    }
    changed = set()
    for figtype in sorted(figtypes):
        ids_by_doc = {
            docname: list(
                env.toc_fignumbers.get(docname, {}).get(figtype, {})
            )  # in document order
            for docname in docnames
        }
        for docname, numbers in chapter_numbers(docnames, ids_by_doc).items():
            current = env.toc_fignumbers[docname][figtype]
            if current != numbers:
                current.clear()
                current.update(numbers)
            if (
                getattr(env, "unrolled_fignumbers", {}).get((docname, figtype))
                != numbers
            ):
                changed.add(docname)
    env.unrolled_fignumbers = {
        (docname, figtype): dict(numbers)
        for docname, by_type in env.toc_fignumbers.items()
        for figtype, numbers in by_type.items()
    }
    return sorted(changed)


def number_title(app, doctree):
    """Prefix a chapter page's title, and its entry in the sidebar, with "N. ".

    Runs after Sphinx's collectors have read the page (so ``env.titles``, which
    ``{doc}`` prints, keeps the plain title) and before the page's doctree is saved."""
    chapter = chapter_of(app.env.docname)
    section = next(doctree.findall(nodes.section), None)
    if chapter is None or section is None or not isinstance(section[0], nodes.title):
        return
    prefix = f"{chapter}. "
    section[0].insert(0, nodes.inline(prefix, prefix, classes=["chapter-number"]))
    toc = app.env.tocs.get(app.env.docname)
    entry = next(toc.findall(nodes.reference), None) if toc is not None else None
    if entry is not None and not entry.astext().startswith(prefix):
        entry.insert(0, nodes.Text(prefix))


def setup(app):
    app.connect("doctree-read", number_title, priority=900)
    # Sphinx's own numbering runs on the same event at the default priority (500); this
    # runs after it.
    app.connect("env-get-updated", renumber, priority=900)
