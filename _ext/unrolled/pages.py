"""Which files are the book's pages: the one place that says so.

- ``toc_pages``: every page in ``_toc.yml``, in reading order, as docnames.
- ``notebook_pages``: the ``book/*.md`` files that are notebooks (their front matter
  names a kernel); the rest of ``book/`` is prose.
- ``twin_sources`` and ``generated_pages``: ``book/twins/NN-slug.md`` holds a chapter
  taught in both frameworks once; ``tools/twins.py`` writes its pages
  ``book/NN-slug-tf.md`` and ``book/NN-slug-torch.md`` from it.
- ``hand_written_pages``: notebook pages that are not generated (``make sync`` pairs
  them with ``notebooks/`` by jupytext).

The Makefile, the tests, ``tools/verify.py`` and the editions read these lists:
``python -m unrolled.pages KIND`` prints one.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
TWIN_SOURCES = BOOK / "twins"
FRAMEWORKS = ("tf", "torch")


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page in _toc.yml, as docnames like 'book/01-echo-task', in order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            pages += [chapter["file"]] + [
                section["file"] for section in chapter.get("sections", [])
            ]
    return pages


def is_notebook(page: Path) -> bool:
    return "\nkernelspec:" in page.read_text().split("\n---", 2)[0]


def notebook_pages(root: Path = ROOT) -> list[Path]:
    """The book/*.md files that are notebooks (they name a kernel)."""
    return sorted(page for page in (root / "book").glob("*.md") if is_notebook(page))


def twin_sources(root: Path = ROOT) -> list[Path]:
    return sorted((root / "book" / "twins").glob("*.md"))


def generated_pages(root: Path = ROOT) -> list[Path]:
    """The pages tools/twins.py writes: NN-slug-tf.md and NN-slug-torch.md."""
    return [
        root / "book" / f"{source.stem}-{framework}.md"
        for source in twin_sources(root)
        for framework in FRAMEWORKS
    ]


def hand_written_pages(root: Path = ROOT) -> list[Path]:
    generated = set(generated_pages(root))
    return [page for page in notebook_pages(root) if page not in generated]


KINDS = {
    "notebooks": notebook_pages,
    "generated": generated_pages,
    "hand-written": hand_written_pages,
}

if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind not in KINDS:
        sys.exit(f"usage: python -m unrolled.pages {{{','.join(KINDS)}}}")
    print(" ".join(str(page.relative_to(ROOT)) for page in KINDS[kind]()))
