"""Write each twin chapter's TensorFlow and PyTorch pages from its one source.

A chapter taught in both frameworks is written once, as ``book/twins/NN-slug.md``: a
MyST notebook (jupytext's format) that holds everything the two pages share once, and
marks what only one framework's page holds with the cell tag ``tf`` or ``torch``::

    Shared prose, for both pages.

    +++ {"tags": ["tf"]}

    A paragraph only the TensorFlow page shows.

    +++

    ```{code-cell} ipython3
    :tags: [torch]

    import torch  # a cell only the PyTorch page runs
    ```

In prose (and in a cell's options: captions, figure names, ``:same-as:``), words that
differ are a choice, inline or around whole paragraphs::

    The {% tf %}Keras{% torch %}PyTorch{% end %} layer ...   (either part may be empty)

and a name that differs only by framework is a substitution: ``{{ framework }}``
(TensorFlow, PyTorch), ``{{ fw }}`` (tf, torch), ``{{ other_framework }}`` and
``{{ other_fw }}``; a source may add its own in its front matter, under
``frameworks: {tf: {...}, torch: {...}}``. Code stays plain Python: a cell whose code
differs is written once per framework, with its tag.

From each source this writes ``book/NN-slug-tf.md`` and ``book/NN-slug-torch.md`` and
their paired ``notebooks/*.ipynb`` (markdown cells that meet after the other framework's
cells are dropped become one cell). It refuses a source whose two pages would differ in
their sections or exercises, so the twins have the same ones by construction.

    python tools/twins.py            # write the generated pages (`make sync` runs it)
    python tools/twins.py --check    # fail if a generated page is out of date
    python tools/twins.py --format   # sort imports, ruff-format the sources' code
"""

import argparse
import copy
import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from unrolled.pages import ROOT, twin_sources  # noqa: E402

FRAMEWORKS = {
    "tf": {
        "framework": "TensorFlow",
        "fw": "tf",
        "other_framework": "PyTorch",
        "other_fw": "torch",
    },
    "torch": {
        "framework": "PyTorch",
        "fw": "torch",
        "other_framework": "TensorFlow",
        "other_fw": "tf",
    },
}
PAIRED = "book///md:myst,notebooks///ipynb"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
CHOICE = re.compile(
    r"\{% (tf|torch) %\}(.*?)(?:\{% (tf|torch) %\}(.*?))?\{% end %\}", re.S
)
MARK = re.compile(r"\{%.*?%\}")
COMMAND = "make sync"


def shown(path: Path) -> str:
    path = path.resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def generated_notice(source: Path) -> str:
    return (
        f"# Generated from {shown(source)} by tools/twins.py: "
        f"edit that file, then {COMMAND}."
    )


def substitute(text: str, names: dict[str, str], where: str) -> str:
    """Choices and substitutions resolved for the framework ``names["fw"]``."""

    def choose(match):
        parts = {match[1]: match[2], match[3]: match[4] or ""}
        chosen = parts.get(names["fw"], "")
        if chosen.startswith("\n") and chosen.endswith("\n"):  # markers on own lines
            chosen = chosen[1:-1]
        return chosen

    def replace(match):
        if match[1] not in names:
            raise ValueError(f"{where}: unknown substitution {match[0]!r}")
        return names[match[1]]

    text = CHOICE.sub(choose, text)
    if MARK.search(text):
        raise ValueError(f"{where}: unmatched {MARK.search(text)[0]!r}")
    text = re.sub(r"\n{3,}", "\n\n", text)  # where a paragraph was left out
    return PLACEHOLDER.sub(replace, text)


def substitute_all(value, names, where):
    """Substitutions in every string of a cell's metadata (captions, names, options)."""
    if isinstance(value, str):
        return substitute(value, names, where)
    if isinstance(value, list):
        return [substitute_all(item, names, where) for item in value]
    if isinstance(value, dict):
        return {k: substitute_all(item, names, where) for k, item in value.items()}
    return value


def framework_page(source: Path, framework: str) -> nbformat.NotebookNode:
    """The notebook of one framework's page, from a twin source."""
    source = source.resolve()
    notebook = jupytext.read(source, fmt="md:myst")
    metadata = dict(notebook.metadata)
    extra = metadata.pop("frameworks", {}) or {}
    names = {**FRAMEWORKS[framework], **extra.get(framework, {})}
    cells = []
    for index, cell in enumerate(notebook.cells):
        where = f"{shown(source)}, cell {index + 1}"
        tags = list(cell.metadata.get("tags", []))
        only = [tag for tag in tags if tag in FRAMEWORKS]
        if only and framework not in only:
            continue
        cell = copy.deepcopy(cell)
        if only:
            tags = [tag for tag in tags if tag not in FRAMEWORKS]
            if tags:
                cell.metadata["tags"] = tags
            else:
                del cell.metadata["tags"]
        cell.metadata = substitute_all(dict(cell.metadata), names, where)
        if cell.cell_type == "code":
            if PLACEHOLDER.search(cell.source):
                raise ValueError(f"{where}: code stays Python; write one cell a page")
        else:
            cell.source = substitute(cell.source, names, where).strip("\n")
            if not cell.source:
                continue
        if cell.cell_type == "markdown" and cells and cells[-1].cell_type == "markdown":
            if not cell.metadata:
                cells[-1].source += "\n\n" + cell.source
                continue
        cells.append(cell)
    for cell in cells:
        digest = hashlib.sha256(f"{cell.cell_type}\n{cell.source}".encode())
        cell["id"] = digest.hexdigest()[:8]
    seen = set()
    for position, cell in enumerate(cells):  # ids are unique within a notebook
        if cell["id"] in seen:
            cell["id"] = f"{cell['id'][:5]}{position:03d}"
        seen.add(cell["id"])
    metadata["jupytext"] = {"formats": PAIRED, **metadata.get("jupytext", {})}
    notebook.metadata = metadata
    notebook.cells = cells
    return notebook


def outline(notebook) -> list[str]:
    """The sections (## and deeper headings) and the exercises of a page, in order."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        tokens = MarkdownIt().parse(cell.source)
        for token, following in zip(tokens, tokens[1:]):
            if token.type == "heading_open" and token.tag != "h1":
                found.append(f"{token.markup} {following.content}")
            if token.type == "fence" and token.info.startswith("{exercise}"):
                found.append("exercise")
    return found


def outputs(source: Path, root: Path = ROOT) -> dict[Path, str]:
    """Every file a source generates, with its text."""
    files, notebooks = {}, {fw: framework_page(source, fw) for fw in FRAMEWORKS}
    if outline(notebooks["tf"]) != outline(notebooks["torch"]):
        raise ValueError(
            f"{shown(source)}: the two pages would differ in their sections "
            "or exercises; headings and exercises belong in shared prose"
        )
    for framework, notebook in notebooks.items():
        page = f"{source.stem}-{framework}"
        text = jupytext.writes(notebook, fmt="md:myst")
        first, rest = text.split("\n", 1)  # the notice goes inside the front matter
        files[root / "book" / f"{page}.md"] = (
            f"{first}\n{generated_notice(source)}\n{rest}"
        )
        files[root / "notebooks" / f"{page}.ipynb"] = jupytext.writes(
            notebook, fmt="ipynb"
        )
    return files


def stale() -> list[Path]:
    """Generated files that differ from what the sources generate now."""
    return [
        path
        for source in twin_sources()
        for path, text in outputs(source).items()
        if not path.exists() or path.read_text() != text
    ]


def write() -> list[Path]:
    changed = stale()
    for source in twin_sources():
        for path, text in outputs(source).items():
            if path in changed:
                temporary = path.with_suffix(path.suffix + ".tmp")
                temporary.write_text(text)
                temporary.replace(path)
    return changed


def format_sources(ruff: str) -> None:
    """Sort the imports (ruff's isort rules) and ruff-format the code cells of every
    source, through a temporary notebook checked with the project's ruff settings."""
    settings = ["--config", str(ROOT / "pyproject.toml"), "--quiet"]
    for source in twin_sources():
        notebook = jupytext.read(source, fmt="md:myst")
        with tempfile.TemporaryDirectory() as folder:
            temporary = Path(folder) / "cells.ipynb"
            jupytext.write(notebook, temporary, fmt="ipynb")
            fix = [ruff, "check", "--fix", "--select", "I", *settings, str(temporary)]
            subprocess.run(fix, check=False)  # other rules are make lint's to report
            subprocess.run([ruff, "format", *settings, str(temporary)], check=True)
            formatted = jupytext.read(temporary, fmt="ipynb")
        for cell, new in zip(notebook.cells, formatted.cells, strict=True):
            cell.source = new.source
        text = jupytext.writes(notebook, fmt="md:myst")
        if text != source.read_text():
            source.write_text(text)
            print(f"formatted {shown(source)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing")
    parser.add_argument("--format", action="store_true", help="ruff-format sources")
    args = parser.parse_args(argv)
    if args.format:
        ruff = Path(sys.executable).parent / "ruff"
        format_sources(str(ruff) if ruff.exists() else "ruff")
    if args.check:
        differ = stale()
        for path in differ:
            print(f"{shown(path)} is not what its source generates")
        if differ:
            print(f"Run `{COMMAND}` (or python tools/twins.py) to write them again.")
        return 1 if differ else 0
    for path in write():
        print(f"wrote {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
