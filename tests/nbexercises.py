"""A pytest plugin (pyproject's ``-p nbexercises``): the student edition's stubs must
fail.

While nbval runs a page (the instructor edition: every solution must pass), just before
the first solution cell of each code exercise it runs that exercise's student version
(the stubs and the check cells of _ext/unrolled/editions.py) in the same kernel, on a
copy of the notebook's variables, so nothing the student code does reaches the book's
run. The student version must fail with NotImplementedError or an AssertionError: a stub
can never give the answer away, and a solution can never rot. Each outcome is recorded
in ``_build/quick/exercises/NAME.json``; tests/test_editions.py checks every code
exercise of every chapter has one. It costs almost nothing: a stub fails at once.
"""

import json
from pathlib import Path

import pytest

EXERCISES = Path(__file__).resolve().parents[1] / "_build" / "quick" / "exercises"
FAILS_AS_EXPECTED = ("NotImplementedError", "AssertionError")

RUNNER = """
def _unrolled_student(sources):
    namespace = dict(globals())
    for source in sources:
        try:
            exec(compile(source, "<student edition>", "exec"), namespace)
        except BaseException as error:
            return f"{type(error).__name__}: {str(error)[:200]}"
    return "passed"

_unrolled_outcome = _unrolled_student(SOURCES)
del _unrolled_student
"""


def plan(notebook_item):
    """{index of its first solution cell: (exercise, student sources)}, per page."""
    from unrolled import editions  # _ext/, on pytest's pythonpath

    if not hasattr(notebook_item, "unrolled_exercises"):  # its first cell
        stem = Path(str(notebook_item.fspath)).stem
        (EXERCISES / f"{stem}.json").unlink(missing_ok=True)  # forget earlier runs
        page_numbers = editions.numbers(editions.book_pages()).get(stem, {})
        cells = notebook_item.nb.cells
        planned = {}
        for exercise in editions.exercises(notebook_item.nb, page_numbers):
            if not exercise.solution_cells:
                continue
            sources = [
                editions.stub(cells[i].source, exercise.number)
                if i in exercise.solution_cells
                else cells[i].source
                for i in sorted(exercise.solution_cells + exercise.check_cells)
            ]
            planned[exercise.solution_cells[0]] = (exercise, sources)
        notebook_item.unrolled_exercises = planned
        notebook_item.unrolled_outcomes = {}
    return notebook_item.unrolled_exercises


def run_in_kernel(kernel, code, timeout=600) -> str:
    """Execute ``code`` in nbval's kernel; return the value of ``_unrolled_outcome``."""
    msg_id = kernel.kc.execute(
        code,
        store_history=False,
        stop_on_error=False,
        user_expressions={"outcome": "_unrolled_outcome"},
    )
    while True:
        reply = kernel.kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    kernel.await_idle(msg_id, timeout)
    content = reply["content"]
    if content["status"] != "ok":
        return f"the student runner itself failed: {content.get('ename')}"
    outcome = content["user_expressions"]["outcome"]
    return (
        eval(outcome["data"]["text/plain"]) if outcome["status"] == "ok" else "unknown"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    if type(item).__name__ != "IPyNbCell":
        return
    notebook = item.parent
    index = next(i for i, cell in enumerate(notebook.nb.cells) if cell is item.cell)
    planned = plan(notebook)
    if index not in planned:
        return
    exercise, sources = planned[index]
    outcome = run_in_kernel(notebook.kernel, RUNNER.replace("SOURCES", repr(sources)))
    notebook.unrolled_outcomes[exercise.label] = {
        "number": exercise.number,
        "student": outcome,
    }
    EXERCISES.mkdir(parents=True, exist_ok=True)
    path = EXERCISES / f"{Path(str(notebook.fspath)).stem}.json"
    path.write_text(json.dumps(notebook.unrolled_outcomes, indent=1))
    if not outcome.startswith(FAILS_AS_EXPECTED):
        raise AssertionError(
            f"Exercise {exercise.number} ({exercise.label}): the student edition "
            "should fail with NotImplementedError or an AssertionError, but got: "
            f"{outcome}"
        )
