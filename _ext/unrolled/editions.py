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
- everything else reads as the reader notebook does (``notebooks.py``), without outputs.

Students get no outputs, so nothing needs to run: ``make student`` (``main``) reads the
book with execution off and writes ``_build/student/NN-slug.ipynb`` for every page with
exercises with the ``student`` builder below, in well under two minutes; the numbers a
page glues into its prose show as "…" there. The HTML build writes the same editions,
with those numbers, beside the reader notebooks (``_build/html/student/``), which each
chapter's "Exercises in Colab" button opens.

tests/nbexercises.py checks, while nbval runs the book, that each code exercise's
student version fails (NotImplementedError or an assertion) where the book's solution
passes: it finds the exercises of a notebook with ``exercises`` and stubs them with
``stub``.
"""

import ast
import re
import shutil
import sys
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
from docutils import nodes
from sphinx.builders import Builder

from unrolled.numbering import chapter_numbers
from unrolled.pages import ROOT, notebook_pages, toc_pages

CHECK_TAG = "check"
EXERCISE = re.compile(
    r"^(`{3,})\{exercise\}[^\n]*\n(?::[^\n]*\n)*?:label:\s*(\S+)", re.M
)
SOLUTION_START = re.compile(
    r"^(`{3,})\{solution-start\}\s*(\S+)[^\n]*\n.*?^\1\s*$", re.M | re.S
)
SOLUTION_END = re.compile(r"^(`{3,})\{solution-end\}[^\n]*\n.*?^\1\s*$\n?", re.M | re.S)
OUT = ROOT / "_build" / "student"


class Exercise(NamedTuple):
    """One exercise of a page: its label, number and the indices of its code cells."""

    label: str
    number: str  # "3.2"
    solution_cells: list[int]  # code cells to stub
    check_cells: list[int]  # code cells kept in both editions


def book_pages() -> list[Path]:
    """The notebook pages of the book in table-of-contents order."""
    notebooks = set(notebook_pages(ROOT))
    pages = [ROOT / f"{name}.md" for name in toc_pages(ROOT)]
    return [page for page in pages if page in notebooks]


def numbers(pages: list[Path]) -> dict[str, dict[str, str]]:
    """Exercise numbers per page, as the site numbers them (``numbering.py``): page
    stem -> {label: "3.2"}, for pages given in reading order."""
    docnames = [f"book/{page.stem}" for page in pages]
    labels = {
        f"book/{page.stem}": [m.group(2) for m in EXERCISE.finditer(page.read_text())]
        for page in pages
    }
    found = chapter_numbers(docnames, labels)
    return {
        docname.removeprefix("book/"): {
            label: ".".join(map(str, number)) for label, number in by_label.items()
        }
        for docname, by_label in found.items()
        if all(len(number) == 2 for number in by_label.values())
    }


def exercises(notebook, page_numbers: dict[str, str]) -> list[Exercise]:
    """The exercises of a notebook (jupytext's reading of a page), with code cells."""
    found, current, inside = [], None, False
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            events = sorted(
                [(m.start(), "exercise", m[2]) for m in EXERCISE.finditer(cell.source)]
                + [
                    (m.start(), "start", m[2])
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
            cells = current.check_cells if CHECK_TAG in tags else current.solution_cells
            cells.append(index)
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
            function = ast.FunctionDef(
                name=node.name,
                args=node.args,
                body=body,
                decorator_list=node.decorator_list,
                returns=node.returns,
                type_params=[],
                lineno=0,
            )
            kept.append(ast.unparse(function))
    if not any(line.startswith("def ") for line in kept):
        kept.append(f"raise NotImplementedError({message!r})")
    return "\n\n\n".join(kept) + "\n"


# ---------------------------------------------------------------- make student


def placeholder_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """A glued value where nothing executed: "…"."""
    return [nodes.inline(rawtext, "…", classes=["glue-placeholder"])], []


class StudentBuilder(Builder):
    """Writes the student edition of every page with exercises, and nothing else."""

    name = "student"
    format = "ipynb"
    epilog = "The student editions are in %(outdir)s."
    allow_parallel = False

    def get_outdated_docs(self):
        return self.env.found_docs

    def get_target_uri(self, docname, typ=None):
        return f"{docname}.html"  # the site's addresses: links point at its pages

    def prepare_writing(self, docnames):
        pass

    def write_doc(self, docname, doctree):
        from unrolled.launch import has_exercises, is_notebook_page, reader_name
        from unrolled.notebooks import student_notebook

        if is_notebook_page(self.app, docname) and has_exercises(self.app, docname):
            notebook = student_notebook(self.app, docname, doctree)
            nbformat.write(notebook, Path(self.outdir) / reader_name(docname))

    def finish(self):
        pass


def use_placeholders(app, config):
    if config.unrolled_edition == "student":
        for role in ("", "any", "text", "md"):
            app.add_role_to_domain("glue", role, placeholder_role, override=True)


def build(source: Path = ROOT, out: Path = OUT) -> int:
    """Write the student editions of the book in ``source`` to ``out``, executing
    nothing; return Sphinx's status."""
    from jupyter_book.sphinx import build_sphinx

    work = source / "_build" / ".student"  # its own doctrees and notebooks
    shutil.rmtree(work / "notebooks", ignore_errors=True)
    status = build_sphinx(
        source,
        work / "notebooks",
        path_config=str(source / "_config.yml"),
        noconfig=True,
        confoverrides={
            "nb_execution_mode": "off",
            "unrolled_edition": "student",
            "external_toc_path": str(source / "_toc.yml"),
            "latex_individualpages": False,
        },
        builder="student",
        quiet=True,
    )
    if status == 0:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(work / "notebooks", out)
    return status if isinstance(status, int) else 1


def main(argv=None) -> int:
    """``make student``: the student edition of every chapter, in _build/student/."""
    start = time.perf_counter()
    status = build()
    if status == 0:
        for notebook in sorted(OUT.glob("*.ipynb")):
            print(notebook.relative_to(ROOT))
        print(f"student editions written in {time.perf_counter() - start:.0f} s")
    return status


def setup(app):
    app.add_config_value("unrolled_edition", "", "env")
    app.add_builder(StudentBuilder)
    app.connect("config-inited", use_placeholders)


if __name__ == "__main__":
    sys.exit(main())
