"""The course editions (_ext/unrolled/editions.py): stubs, removed solutions,
numbers."""

import ast
import json
import re
import textwrap

import jupytext
import nbformat
import pytest
from conftest import REQUIRE_ALL, ROOT, missing
from nbexercises import EXERCISES, FAILS_AS_EXPECTED
from nbrecord import EXECUTED
from unrolled import editions

PAGE = textwrap.dedent('''\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3 (ipykernel)
      language: python
      name: python3
    ---
    # A page

    ```{exercise}
    :label: ex-a

    Write f.
    ```

    ````{solution-start} ex-a
    :class: dropdown
    ````

    The answer is to double it.

    ```{code-cell} ipython3
    import math


    def f(x):
        """Twice x."""
        return 2 * x
    ```

    ```{code-cell} ipython3
    :tags: [check]
    assert f(2) == 4
    ```

    ````{solution-end}
    ````

    ```{exercise}
    :label: ex-b

    Think about it.
    ```

    ```{solution} ex-b
    :class: dropdown

    Secret prose.
    ```

    ```{exercise}
    :label: ex-c

    Compute y.
    ```

    ````{solution-start} ex-c
    :class: dropdown
    ````

    ```{code-cell} ipython3
    y = 42
    ```

    ````{solution-end}
    ````
    ''')


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "03-demo.md"
    path.write_text(PAGE)
    return path


def test_exercises_find_solution_and_check_cells(page):
    notebook = jupytext.read(page)
    found = editions.exercises(notebook, {"ex-a": "3.1", "ex-b": "3.2", "ex-c": "3.3"})
    assert [e.label for e in found] == ["ex-a", "ex-b", "ex-c"]
    a, b, c = found
    assert len(a.solution_cells) == 1 and len(a.check_cells) == 1
    assert "def f" in notebook.cells[a.solution_cells[0]].source
    assert not b.solution_cells and not b.check_cells  # a question with a prose answer
    assert len(c.solution_cells) == 1 and not c.check_cells


CONFIG = f"""\
title: Demo
only_build_toc_files: true
execute:
  execute_notebooks: "off"
parse:
  myst_enable_extensions: [amsmath, colon_fence, dollarmath]
sphinx:
  local_extensions:
    unrolled: {ROOT / "_ext"}
  extra_extensions: [sphinx_exercise]
"""
GLUED = (
    "\n\nThe answer was {glue:text}`answer:.2f` last time; see {ref}`ex-b`.\n\n"
    "```{code-cell} ipython3\nimport rnnlib\n```\n"
)


@pytest.fixture
def student_book(tmp_path, page):
    """The page as a one-page book, and its student edition as make student writes it
    (the student builder, nothing executed)."""
    (tmp_path / "book").mkdir()
    text = page.read_text().replace("# A page\n", "# A page\n" + GLUED)
    (tmp_path / "book" / page.name).write_text(text)
    (tmp_path / "_config.yml").write_text(CONFIG)
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: book/{page.stem}\n")
    assert editions.build(tmp_path, tmp_path / "student") == 0
    return nbformat.read(tmp_path / "student" / f"{page.stem}.ipynb", as_version=4)


def test_the_student_edition_keeps_questions_and_checks_and_stubs_solutions(
    student_book,
):
    nbformat.validate(student_book)
    text = "\n".join(cell.source for cell in student_book.cells)
    for kept in (
        "Write f.",
        "Think about it.",
        "Compute y.",
        "assert f(2) == 4",
        "import math",
        'def f(x):\n    """Twice x."""',
        "### Exercise 3.1",
        "### Exercise 3.3",
    ):
        assert kept in text
    for removed in ("double it", "Secret prose", "return 2 * x", "y = 42", "Solution"):
        assert removed not in text
    assert "raise NotImplementedError('Exercise 3.1: your code here')" in text
    assert "raise NotImplementedError('Exercise 3.3: your code here')" in text
    # nothing ran: a glued number reads "…", and the note at the top says why
    assert "The answer was … last time" in text
    assert "compute them, or read them on the page" in text
    assert "[Exercise 3.2](https://" in text and "03-demo.html#ex-b)" in text
    code = [cell for cell in student_book.cells if cell.cell_type == "code"]
    assert not any(cell.outputs for cell in code)
    namespace = {}
    exec(next(cell.source for cell in code if "def f" in cell.source), namespace)
    with pytest.raises(NotImplementedError, match="Exercise 3.1"):
        namespace["f"](2)


def test_twins_share_numbers_and_chapters_count_from_one(tmp_path):
    def write(name, labels):
        path = tmp_path / f"{name}.md"
        path.write_text(
            "".join(
                f"```{{exercise}}\n:label: {label}\n\nQ\n```\n\n" for label in labels
            )
        )
        return path

    pages = [
        write("03-cell", ["n1", "n2"]),
        write("03-cell-tf", ["t1", "t2", "t3"]),
        write("03-cell-torch", ["p1", "p2", "p3"]),
        write("04-next", ["x"]),
        write("glossary", ["g"]),
    ]
    numbers = editions.numbers(pages)
    assert numbers["03-cell"] == {"n1": "3.1", "n2": "3.2"}
    assert numbers["03-cell-tf"] == {"t1": "3.3", "t2": "3.4", "t3": "3.5"}
    assert numbers["03-cell-torch"] == {"p1": "3.3", "p2": "3.4", "p3": "3.5"}
    assert numbers["04-next"] == {"x": "4.1"} and "glossary" not in numbers


@pytest.mark.slow
def test_every_code_exercise_failed_as_a_student_and_passed_as_the_book():
    """Reads what tests/nbexercises.py recorded while nbval ran the book (make test)."""
    if not EXECUTED.exists():
        missing("no notebook has run in this tree yet: run `make test`")
    pages = editions.book_pages()
    numbers = editions.numbers(pages)
    checked, not_run = 0, []
    for page in pages:
        if not (EXECUTED / f"{page.stem}.json").exists():
            not_run.append(page.stem)  # nbval did not run this page here
            continue
        code_exercises = [
            e.label
            for e in editions.exercises(jupytext.read(page), numbers.get(page.stem, {}))
            if e.solution_cells
        ]
        if not code_exercises:
            continue
        record = EXERCISES / f"{page.stem}.json"
        assert record.exists(), f"{page.stem} ran without tests/nbexercises.py"
        outcomes = json.loads(record.read_text())
        for label in code_exercises:
            assert label in outcomes, f"{page.stem}: {label} has no student outcome"
            assert outcomes[label]["student"].startswith(FAILS_AS_EXPECTED), label
            checked += 1
    if not_run and REQUIRE_ALL:
        pytest.fail(f"nbval did not run {not_run}: their exercises are not checked")
    assert checked > 0


@pytest.mark.slow
def test_make_student_writes_a_student_edition_of_every_chapter():
    """make student, from the book's source alone: one notebook per page with
    exercises, no outputs, no solution text, every solution cell a stub, every check
    cell kept."""
    assert editions.main() == 0
    out = ROOT / "_build" / "student"
    written = sorted(p.stem for p in out.glob("*.ipynb"))
    with_exercises = [
        p.stem for p in editions.book_pages() if "{exercise}" in p.read_text()
    ]
    assert written == sorted(with_exercises)
    all_numbers = editions.numbers(editions.book_pages())
    for page in editions.book_pages():
        if page.stem not in written:
            continue
        student = nbformat.read(out / f"{page.stem}.ipynb", as_version=4)
        nbformat.validate(student)
        code = [c for c in student.cells if c.cell_type == "code"]
        assert not any(c.outputs for c in code), f"{page.stem}: outputs"
        text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
        assert "Solution to" not in text, f"{page.stem}: a solution's text"
        book = jupytext.read(page)
        for exercise in editions.exercises(book, all_numbers[page.stem]):
            assert f"Exercise {exercise.number}" in text, exercise.label
            stubs = [
                c
                for c in code
                if f"Exercise {exercise.number}: your code here" in c.source
            ]
            shown = [
                i
                for i in exercise.solution_cells
                if "remove-cell" not in book.cells[i].metadata.get("tags", [])
            ]
            assert len(stubs) == len(shown), exercise.label
            for index in exercise.check_cells:
                assert any(
                    c.source.strip() == book.cells[index].source.strip() for c in code
                ), f"{exercise.label}: a check cell is missing"


# ---------------------------------------------------------------- questions and stubs

QUESTION = re.compile(r"^(`{3,})\{exercise\}[^\n]*\n(?P<body>.*?)^\1\s*$", re.M | re.S)
# "Write `f(a, b)`", "Extend `g`": a function the student is asked to write
ASKED = re.compile(
    r"\b(?i:write|extend|implement|define|complete|finish)\b[^.`]{0,40}"
    r"`(?P<name>[A-Za-z_][\w.]*)(?:\((?P<args>[^`]*)\))?`"
)
# Known mismatches, by exercise label (the page's branch fixes each, then drops it).
MISMATCHED_TODAY: dict[str, str] = {}


def asked_functions():
    """(page, exercise label, name, args or None, {function: parameters} its solution
    defines) for every function a question asks the student to write."""
    found = []
    pages = editions.book_pages()
    numbers = editions.numbers(pages)
    for page in pages:
        questions = {
            re.search(r":label:\s*(\S+)", m["body"])[1]: m["body"]
            for m in QUESTION.finditer(page.read_text())
        }
        notebook = jupytext.read(page)
        for exercise in editions.exercises(notebook, numbers.get(page.stem, {})):
            defined = {}
            for index in exercise.solution_cells:
                for node in ast.parse(notebook.cells[index].source).body:
                    if isinstance(node, ast.FunctionDef):
                        defined[node.name] = [a.arg for a in node.args.args]
            for match in ASKED.finditer(questions[exercise.label]):
                found.append(
                    (page.stem, exercise.label, match["name"], match["args"], defined)
                )
    return found


ASKED_FUNCTIONS = asked_functions()


@pytest.mark.parametrize(
    "stem, label, name, args, defined",
    [
        pytest.param(
            *asked,
            marks=[pytest.mark.xfail(strict=True, reason=MISMATCHED_TODAY[asked[1]])]
            if asked[1] in MISMATCHED_TODAY
            else [],
            id=f"{asked[0]}:{asked[1]}",
        )
        for asked in ASKED_FUNCTIONS
    ],
)
def test_the_function_an_exercise_asks_for_is_its_stub(
    stem, label, name, args, defined
):
    """The student edition stubs the function the question names, with the parameters
    it names: "Write `f(a, b)`" needs ``def f(a, b)`` among the solution's cells."""
    assert name in defined, (
        f"{stem} {label}: the question asks for `{name}`, the solution (and so the "
        f"student's stub) defines {sorted(defined) or 'no function'}"
    )
    if args is not None:
        asked = [arg.split("=")[0].strip() for arg in args.split(",") if arg.strip()]
        assert asked == defined[name], (
            f"{stem} {label}: the question writes {name}({args}), the stub "
            f"{name}({', '.join(defined[name])})"
        )


def test_the_question_check_can_fail():
    assert len(ASKED_FUNCTIONS) >= 4
    found = ASKED.search("Extend `loss_and_gradients` to return it")
    assert found["name"] == "loss_and_gradients" and found["args"] is None
    found = ASKED.search("Write `worker_indices(order, num_workers, index)`, which")
    assert found["args"] == "order, num_workers, index"
