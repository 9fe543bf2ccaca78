"""Course editions: the book is the instructor edition; the student edition is
generated.

An exercise is written once, in ``book/``: an ``{exercise}`` block (the question), then
its solution, either a prose ``{solution}`` block, or a ``{solution-start}`` ...
``{solution-end}`` span whose code cells are the solution. A code cell tagged ``check``
inside the span is a check: it asserts what a correct answer produces, and both editions
keep it. The student edition, cell by cell:

- every solution code cell becomes a stub: the functions it defines keep their signature
  and docstring and their body becomes ``raise NotImplementedError("Exercise 3.2:
  ...")``; a solution cell that defines no function becomes that single ``raise``;
- the prose of every solution is removed, the questions and check cells stay;
- everything else is unchanged.

The site build (``_ext/unrolled/reader.py``) writes the student edition of every page
with exercises next to its reader notebook, converted the same way (roles, numbers,
links), without outputs: ``_build/html/student/NN-slug.ipynb``, opened from each
chapter's "Exercises in Colab" button. ``make student`` copies them to
``_build/student/``. tests/nbexercises.py checks, while nbval runs the book, that each
code exercise's student version fails (NotImplementedError or an assertion) where the
book's solution passes.
"""

import ast
import re
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat

from unrolled.pages import ROOT, notebook_pages, toc_pages

CHECK_TAG = "check"
EXERCISE = re.compile(
    r"^(`{3,})\{exercise\}[^\n]*\n(?::[^\n]*\n)*?:label:\s*(\S+)", re.M
)
SOLUTION_BLOCK = re.compile(
    r"^(`{3,})\{solution\}\s*(\S+)[^\n]*\n.*?^\1\s*$\n?", re.M | re.S
)
SOLUTION_START = re.compile(
    r"^(`{3,})\{solution-start\}\s*(\S+)[^\n]*\n.*?^\1\s*$", re.M | re.S
)
SOLUTION_END = re.compile(r"^(`{3,})\{solution-end\}[^\n]*\n.*?^\1\s*$\n?", re.M | re.S)


class Exercise(NamedTuple):
    """One exercise of a page: its label, number and the indices of its code cells."""

    label: str
    number: str  # "3.2"
    solution_cells: list[int]  # code cells to stub
    check_cells: list[int]  # code cells kept in both editions


def chapter_of(page: Path) -> int | None:
    """The chapter number of ``book/NN-slug*.md``; None for pages outside chapters."""
    match = re.match(r"(\d\d)-", page.name)
    return int(match.group(1)) if match else None


def twin_key(page: Path) -> str:
    """Twin framework pages share their exercises: NN-slug-tf and NN-slug-torch ->
    NN-slug+."""
    return re.sub(r"-(tf|torch)$", "+", page.stem)


def exercise_labels(page: Path) -> list[str]:
    return [match.group(2) for match in EXERCISE.finditer(page.read_text())]


def numbers(pages: list[Path]) -> dict[str, dict[str, str]]:
    """Exercise numbers per page, per chapter: page stem -> {label: "3.2"}.

    Within a chapter, pages count in the order given (the table of contents); twin pages
    (NN-slug-tf and NN-slug-torch) number their exercises once, the i-th exercise of
    each twin sharing one number.
    """
    result, counters, seen_twins = {}, {}, {}
    for page in pages:
        chapter = chapter_of(page)
        labels = exercise_labels(page)
        if chapter is None:
            continue
        key = twin_key(page)
        if key.endswith("+") and key in seen_twins:
            first = seen_twins[key]
            result[page.stem] = dict(zip(labels, first))
            continue
        start = counters.get(chapter, 0)
        assigned = [f"{chapter}.{start + i + 1}" for i in range(len(labels))]
        counters[chapter] = start + len(labels)
        if key.endswith("+"):
            seen_twins[key] = assigned
        result[page.stem] = dict(zip(labels, assigned))
    return result


def book_pages() -> list[Path]:
    """The notebook pages of the book in table-of-contents order."""
    notebooks = set(notebook_pages(ROOT))
    pages = [ROOT / f"{name}.md" for name in toc_pages(ROOT)]
    return [page for page in pages if page in notebooks]


def exercises(notebook, page_numbers: dict[str, str]) -> list[Exercise]:
    """The exercises of a notebook (jupytext's reading of a page), with code cells."""
    found, current, inside = [], None, False
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            events = sorted(
                [
                    (m.start(), "exercise", m.group(2))
                    for m in EXERCISE.finditer(cell.source)
                ]
                + [
                    (m.start(), "start", m.group(2))
                    for m in SOLUTION_START.finditer(cell.source)
                ]
                + [(m.start(), "end", None) for m in SOLUTION_END.finditer(cell.source)]
            )
            for _, kind, label in events:
                if kind == "exercise":
                    current = Exercise(label, page_numbers.get(label, "?"), [], [])
                    found.append(current)
                elif kind == "start":
                    if current is None or current.label != label:
                        raise ValueError(
                            f"solution of {label!r} is not under its exercise"
                        )
                    inside = True
                else:
                    inside = False
        elif inside and current is not None:
            tags = cell.metadata.get("tags", [])
            (
                current.check_cells if CHECK_TAG in tags else current.solution_cells
            ).append(index)
    return found


def stub(source: str, number: str) -> str:
    """The student version of a solution cell (see the module docstring)."""
    message = f"Exercise {number}: your code here"
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython syntax: nothing to keep
        tree = ast.Module(body=[], type_ignores=[])
    kept = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            kept.append(ast.unparse(node))
        elif isinstance(node, ast.FunctionDef):
            body = [node.body[0]] if ast.get_docstring(node) else []
            body.append(ast.parse(f"raise NotImplementedError({message!r})").body[0])
            kept.append(
                ast.unparse(
                    ast.FunctionDef(
                        name=node.name,
                        args=node.args,
                        body=body,
                        decorator_list=node.decorator_list,
                        returns=node.returns,
                        type_params=[],
                        lineno=0,
                    )
                )
            )
    if not any(line.startswith("def ") for line in kept):
        kept.append(f"raise NotImplementedError({message!r})")
    return "\n\n\n".join(kept) + "\n"


def student_notebook(notebook, page_numbers: dict[str, str]):
    """The student edition of a notebook: solutions stubbed, prose solutions removed."""
    notebook = nbformat.from_dict(notebook)  # a copy
    stubbed = {}
    for exercise in exercises(notebook, page_numbers):
        for index in exercise.solution_cells:
            stubbed[index] = exercise.number
    inside = False
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            text = SOLUTION_BLOCK.sub("", cell.source)
            pieces, position = [], 0
            for match in sorted(
                list(SOLUTION_START.finditer(text)) + list(SOLUTION_END.finditer(text)),
                key=lambda m: m.start(),
            ):
                if not inside:
                    pieces.append(text[position : match.start()])
                inside = "solution-start" in match.group(0)
                position = match.end()
            if not inside:
                pieces.append(text[position:])
            cell.source = "".join(pieces).strip()
        elif index in stubbed:
            cell.source = stub(cell.source, stubbed[index])
    notebook.cells = [
        c for c in notebook.cells if c.cell_type != "markdown" or c.source
    ]
    return notebook


def main(argv=None) -> int:
    """``make student``: copy the student edition of a built site (``make book`` writes
    it to ``_build/html/student/``, the quick build of ``make test`` to
    ``_build/quick/_build/html/student/``) to ``_build/student/``."""
    import argparse
    import shutil

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--from",
        dest="site",
        type=Path,
        default=ROOT / "_build" / "html",
        help="the built site's html folder (default: _build/html)",
    )
    args = parser.parse_args(argv)
    built = args.site / "student"
    if not built.is_dir():
        print(
            f"no student edition in {built}: build the book first (make book)",
            file=sys.stderr,
        )
        return 1
    out = ROOT / "_build" / "student"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(built, out)
    for notebook in sorted(out.glob("*.ipynb")):
        print(notebook.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
