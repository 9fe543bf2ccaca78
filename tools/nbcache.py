"""Hand notebooks executed outside the book build to the build's cache, so it reuses
them.

`make test` executes every notebook once, under nbval (tests/conftest.py records each
cell's outputs); `make verify` executes them once at full size (tools/verify.py). Both
then store the executed notebooks in the jupyter-cache that myst-nb's
``execute_notebooks: cache`` reads, keyed exactly as the build keys them (the code cells
of ``book/NAME.md`` as myst-nb reads it), so the book build that follows renders them
without executing anything again. A notebook whose code has changed since it ran simply
misses the cache and the build executes it.
"""

import json
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig

ROOT = Path(__file__).resolve().parents[1]


def book_notebook(page: Path) -> nbformat.NotebookNode:
    """``book/NAME.md`` as the book build reads it (myst-nb's reader, as in its Sphinx
    parser)."""
    return read_myst_markdown_notebook(
        page.read_text(), config=MdParserConfig(), add_source_map=True, path=str(page)
    )


def code_sources(notebook) -> list[str]:
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


def write_record(
    path: Path, sources: list[str], outputs: list[list[dict]], seconds: float
):
    """Save one executed notebook: the code it ran, each code cell's outputs, its run
    time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"sources": sources, "outputs": outputs, "seconds": seconds}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record))
    temporary.replace(path)  # never a half-written record


def cache_record(page: Path, record_path: Path, cache_path: Path) -> bool:
    """Store the executed notebook saved at ``record_path`` in the cache at
    ``cache_path``.

    Returns False (and stores nothing) when ``page``'s code is no longer the code that
    ran.
    """
    record = json.loads(record_path.read_text())
    notebook = book_notebook(page)
    if code_sources(notebook) != [source.strip() for source in record["sources"]]:
        return False
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for count, (cell, outputs) in enumerate(zip(code, record["outputs"]), start=1):
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
        cell.execution_count = count
        for output in cell.outputs:
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
    cache = get_cache(str(cache_path))
    cache.cache_notebook_bundle(
        CacheBundleIn(
            notebook, str(page), data={"execution_seconds": record["seconds"]}
        ),
        check_validity=False,
        overwrite=True,
    )
    return True


def is_cached(page: Path, cache_path: Path) -> bool:
    """Whether the cache at ``cache_path`` holds ``page`` executed with its current
    code (the build would render it without executing it)."""
    if not (cache_path / "global.db").exists():
        return False
    try:
        get_cache(str(cache_path)).match_cache_notebook(book_notebook(page))
    except KeyError:
        return False
    return True


def cache_records(records: Path, cache_path: Path) -> list[str]:
    """Store every record in ``records`` (one NAME.json per page); return the names
    cached."""
    cached = []
    for record_path in sorted(records.glob("*.json")):
        page = ROOT / "book" / f"{record_path.stem}.md"
        if page.exists() and cache_record(page, record_path, cache_path):
            cached.append(record_path.stem)
    return cached
