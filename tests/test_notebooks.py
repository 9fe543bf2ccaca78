"""book/ (the source) and notebooks/ (the paired .ipynb) hold the same notebooks; no
outputs are committed."""

import json

import jupytext
import pytest
from conftest import ROOT, notebook_pages, toc_pages

PAGES = notebook_pages()


def cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_notebook_page_is_in_the_table_of_contents():
    in_toc = set(toc_pages())
    missing = [p.stem for p in PAGES if f"book/{p.stem}" not in in_toc]
    assert not missing, f"notebook pages missing from _toc.yml: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_book_and_notebook_are_in_sync(page):
    paired = ROOT / "notebooks" / f"{page.stem}.ipynb"
    assert paired.exists(), f"{paired.relative_to(ROOT)} is missing: run `make sync`"
    assert cells(jupytext.read(page)) == cells(jupytext.read(paired)), (
        f"{page.relative_to(ROOT)} and {paired.relative_to(ROOT)} differ: "
        "run `make sync`"
    )


@pytest.mark.parametrize(
    "paired", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem
)
def test_notebooks_have_a_source_and_no_outputs(paired):
    assert (ROOT / "book" / f"{paired.stem}.md").exists(), (
        f"{paired.name} has no book/{paired.stem}.md"
    )
    notebook = json.loads(paired.read_text())
    with_outputs = [
        i
        for i, cell in enumerate(notebook["cells"])
        if cell.get("outputs") or cell.get("execution_count")
    ]
    assert not with_outputs, (
        f"{paired.name} has outputs in cells {with_outputs}: "
        "commit notebooks without outputs"
    )


#: Pages that import both frameworks: the results page shows every benchmark; the TF1
#: map runs TF1 code next to its TensorFlow 2 and PyTorch equivalents; chapter 9 shows
#: both frameworks compute the same embedding, side by side; chapter 5, a PyTorch page
#: with no TensorFlow twin, shows Keras's stateful layers beside PyTorch's detach.
BOTH_FRAMEWORKS = {"results", "tf1-map", "09-embedding", "05-truncated-backprop-torch"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_framework_imports_stay_on_framework_pages(page):
    text = page.read_text()
    imports_tf = "import tensorflow" in text or "import keras" in text
    imports_torch = "import torch" in text
    if page.stem in BOTH_FRAMEWORKS:
        return
    if page.stem.endswith("-tf"):
        assert not imports_torch
    elif page.stem.endswith("-torch"):
        assert not imports_tf
    else:
        assert not (imports_tf or imports_torch), (
            f"{page.name} is framework-free and must not import a framework"
        )


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.stem[:2].isdigit()], ids=lambda p: p.stem
)
def test_chapters_end_with_a_summary_and_three_exercises(page):
    text = page.read_text()
    assert "## Summary" in text and "## Exercises" in text
    assert text.count("```{exercise}") >= 3
    assert text.count(":class: dropdown") >= text.count("```{exercise}"), (
        "every solution is hidden until clicked"
    )
