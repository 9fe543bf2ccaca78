"""The reader notebooks and student editions, written from ``reader.PageReader``'s
pieces of a page: prose cells, code cells from the notebook myst-nb saved, the install
cell and the quick switch first.

- The HTML build writes both while it writes each page (``doctree-resolved``):
  ``<html>/reader/NN-slug.ipynb`` for every notebook page, with the book's outputs, and
  ``<html>/student/NN-slug.ipynb`` for every page with exercises.
- ``make student`` writes the student editions alone, without executing anything
  (``editions.py``'s builder calls ``student_notebook``).
"""

import copy
from pathlib import Path

import nbformat
from sphinx.util import logging

from unrolled.launch import (
    READER_DIR,
    STUDENT_DIR,
    has_exercises,
    is_notebook_page,
    reader_name,
    site_url,
)
from unrolled.reader import HIDDEN_TAGS, INSTALL_CELL, PageReader, merged

logger = logging.getLogger(__name__)


def details(summary: str, body: str) -> str:
    summary = f"<summary><b>{summary}</b></summary>"
    return f"<details>\n{summary}\n\n{body.strip()}\n\n</details>"


def clean_code_cell(cell):
    """A code cell as a reader sees it: the site's tags become JupyterLab's folding."""
    cell = copy.deepcopy(cell)
    tags = set(cell.metadata.get("tags", [])) - HIDDEN_TAGS
    jupyter = {}
    if {"hide-input", "remove-input", "hide-cell"} & tags:
        jupyter["source_hidden"] = True
    if {"hide-output", "hide-cell"} & tags:
        jupyter["outputs_hidden"] = True
    if "remove-output" in tags:
        cell.outputs = []
    dropped = ("tags", "mystnb", "execution", "editable", "slideshow")
    metadata = {k: v for k, v in cell.metadata.items() if k not in dropped}
    if jupyter:
        metadata["jupyter"] = jupyter
    cell.metadata = nbformat.NotebookNode(metadata)
    return cell


def folded(cell, title: str):
    """A solution's code cell, folded in JupyterLab (source_hidden) and on Colab (a
    #@title form), without the outputs that would give the answer away."""
    cell = clean_code_cell(cell)
    cell.source = f"#@title {title}\n" + cell.source
    cell.outputs, cell.execution_count = [], None
    cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    cell.metadata["cellView"] = "form"
    return cell


def stubbed(cell, number: str):
    """A solution's code cell in the student edition: a check cell as it is, any other
    cell a stub (``editions.stub``)."""
    from unrolled.editions import CHECK_TAG, stub

    is_check = CHECK_TAG in (cell.metadata.get("tags") or [])
    cell = clean_code_cell(cell)
    if not is_check:
        cell.source = stub(cell.source, number)
    return cell


def with_outputs(app, notebook):
    """The notebook with its outputs from jupyter-cache.

    myst-nb saves the executed notebook with its outputs only when it ran it in this
    build; when it took the outputs from jupyter-cache it saves the notebook without
    them. The cache has them either way (matched by the code of the cells). Glued
    values that the page does not display are dropped.
    """
    from myst_nb.ext.glue import extract_glue_data_cell

    config = app.env.mystnb_config
    cache_path = Path(config.execution_cache_path or "")
    if config.execution_mode == "cache" and (cache_path / "global.db").exists():
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
        except KeyError:
            pass  # not in the cache: keep the outputs it has, if any
    for cell in notebook.cells:
        if cell.cell_type == "code":
            extract_glue_data_cell(cell)  # drops glue(..., display=False) outputs
    return notebook


# ---------------------------------------------------------------- the notebook


def front_cells(page: PageReader, student: bool) -> list:
    """A note on where the notebook comes from and on the quick switch, and the cell
    that sets the switch."""
    if student:
        edition = (
            "This is its student edition: each exercise's code is left for you (a cell "
            "that raises `NotImplementedError`), and the check cells after it tell you "
            "when your answer is right."
        )
        if not page.executed:
            edition += (
                " The numbers the page computes show as … here: run the notebook to "
                "compute them, or read them on the page."
            )
    else:
        edition = "The outputs below are the book's; run the cells to make your own."
    return [
        nbformat.v4.new_markdown_cell(
            f"*This notebook is a page of [Unrolled]({site_url(page.app)}), where you "
            "can read it with its figures and cross-references: "
            f"[{page.title}]({page.page_url}). {edition}*\n\n"
            "**The quick switch.** Every chapter runs at the book's full size by "
            'default. Set `RNNLIB_QUICK` to `"1"` in the next cell (before any '
            "`rnnlib` code runs) and the notebook shrinks its data and epochs so "
            "that every cell runs in seconds, on a laptop or on a free Colab machine; "
            "the numbers then differ from the book's, but the code is the same."
        ),
        nbformat.v4.new_code_cell(
            "import os\n\n"
            '# "1": the quick size, every cell in seconds; "0": the full size.\n'
            'os.environ.setdefault("RNNLIB_QUICK", "0")'
        ),
    ]


def code_cells(page: PageReader, notebook) -> list:
    """The page's pieces with every code cell the page keeps: a cell myst-nb did not
    render (no input and no output) still belongs to the notebook, in its place."""
    shown = {piece.index for piece in page.pieces if piece.index is not None}
    wanted = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and not HIDDEN_TAGS & set(cell.metadata.get("tags", []))
    ]
    pieces, last = [], -1
    for piece in merged(page.pieces):
        if piece.index is not None:
            for index in wanted:
                if last < index < piece.index and index not in shown:
                    pieces.append(type(piece)(index=index, solution=piece.solution))
            last = piece.index
        pieces.append(piece)
    return pieces


def page_notebook(page: PageReader, notebook, student: bool = False):
    """The reader notebook of a page, or with ``student`` its student edition:
    solutions' code stubbed (check cells kept), solutions' prose left out, no
    outputs."""
    cells, begun = [], set()
    for piece in code_cells(page, notebook):
        title = page.exercise_title(piece.solution) if piece.solution else ""
        if piece.index is None:
            if piece.solution and student:
                continue
            text = piece.text
            if piece.solution:
                more = " (continued)" if piece.solution in begun else ""
                begun.add(piece.solution)
                text = details(f"Solution to {title}{more}", text)
            cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        cell = notebook.cells[piece.index]
        if piece.solution and student:
            cells.append(stubbed(cell, title.rsplit(" ", 1)[-1]))
            continue
        if piece.solution:
            begun.add(piece.solution)
            cells.append(folded(cell, f"Solution to {title}"))
        else:
            cells.append(clean_code_cell(cell))
        if piece.caption:
            cells.append(nbformat.v4.new_markdown_cell(piece.caption))

    install = next(
        (
            cell
            for cell in notebook.cells
            if cell.cell_type == "code"
            and HIDDEN_TAGS & set(cell.metadata.get("tags", []))
            and INSTALL_CELL.search(cell.source)
        ),
        None,
    )
    front = [clean_code_cell(install)] if install is not None else []
    if any(c.cell_type == "code" and "rnnlib" in c.source for c in cells):
        front += front_cells(page, student)
    title_end = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells = cells[:title_end] + front + cells[title_end:]

    reader = nbformat.v4.new_notebook()
    reader.cells = cells
    reader.metadata = nbformat.NotebookNode(
        {
            k: v
            for k, v in notebook.metadata.items()
            if k in ("kernelspec", "language_info")
        }
    )
    reader.metadata["colab"] = {"name": reader_name(page.docname), "provenance": []}
    for index, cell in enumerate(reader.cells):
        cell["id"] = f"cell-{index}"
        if cell.cell_type == "code" and (student or index < title_end + len(front)):
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(reader)
    return reader


# ---------------------------------------------------------------- writing


def saved_notebook(app, docname: str) -> Path:
    """Where myst-nb saved the page's notebook (executed where the build executed
    it), in its output folder next to the builder's."""
    config = getattr(app.env, "mystnb_config", None)
    folder = config.output_folder if config else None
    return Path(folder or Path(app.outdir).parent / "jupyter_execute") / (
        docname + ".ipynb"
    )


def student_notebook(app, docname: str, doctree):
    """The student edition of a page (no outputs, so the unexecuted notebook serves)."""
    notebook = nbformat.read(saved_notebook(app, docname), as_version=4)
    return page_notebook(PageReader(app, docname, doctree), notebook, student=True)


def write_page_notebooks(app, doctree, docname):
    """In the HTML build: the page's reader notebook and, with exercises, its student
    edition."""
    if app.builder.name not in ("html", "dirhtml") or not is_notebook_page(
        app, docname
    ):
        return
    page = PageReader(app, docname, doctree)
    notebook = with_outputs(app, nbformat.read(saved_notebook(app, docname), 4))
    name = reader_name(docname)
    for folder, student in ((READER_DIR, False), (STUDENT_DIR, True)):
        if student and not has_exercises(app, docname):
            continue
        target = Path(app.outdir) / folder
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(page_notebook(page, notebook, student), target / name)


def drop_stale_notebooks(app, exception):
    """Notebooks of pages that are gone (or lost their exercises) leave the site."""
    if exception is not None or app.builder.name not in ("html", "dirhtml"):
        return
    pages = [d for d in app.env.found_docs if is_notebook_page(app, d)]
    keep = {
        READER_DIR: {reader_name(d) for d in pages},
        STUDENT_DIR: {reader_name(d) for d in pages if has_exercises(app, d)},
    }
    for folder, names in keep.items():
        for stale in (Path(app.outdir) / folder).glob("*.ipynb"):
            if stale.name not in names:
                stale.unlink()


def setup(app):
    app.connect("doctree-resolved", write_page_notebooks)
    app.connect("build-finished", drop_stale_notebooks)
