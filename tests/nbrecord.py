"""A pytest plugin (pyproject's ``-p nbrecord``): record what nbval executes.

When the last cell of a notebook has passed, the outputs of every cell are saved to
``_build/quick/executed/NAME.json``; the quick book build hands them to its cache
(tools/nbcache.py) and so executes nothing a second time.
"""

import os
import time
from pathlib import Path

import pytest
from unrolled.figures import write_profile  # _ext/, on pytest's pythonpath

from rnnlib._env import PAGES_AT_ONCE_ENV, quiet_tensorflow, share_cores
from rnnlib.data.download import absolute_data_env

QUICK_BUILD = Path(__file__).resolve().parents[1] / "_build" / "quick"
EXECUTED = QUICK_BUILD / "executed"  # nbval's executed notebooks, one record per page

# Notebook kernels inherit this environment, as the book build's do (tools/verify.py):
# quiet TensorFlow, no progress bars (on stderr they would fail the book build), the
# book's figure style (its IPython profile), so that what nbval executes for the build
# looks as the build's own execution would; the cores shared between two test workers
# (before any test or kernel loads PyTorch), the data folder as an absolute path (the
# kernels run in book/), and how many test files run at once (pages that time say so).
quiet_tensorflow()
os.environ.setdefault("RNNLIB_PROGRESS", "0")
os.environ["IPYTHONDIR"] = str(write_profile(QUICK_BUILD / "ipython"))
share_cores()
absolute_data_env()
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:  # set in each worker, not the controller
    os.environ[PAGES_AT_ONCE_ENV] = os.environ["PYTEST_XDIST_WORKER_COUNT"]


def is_notebook_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def record_path(notebook) -> Path:
    return EXECUTED / f"{Path(str(notebook.fspath)).stem}.json"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not is_notebook_cell(item):
        return
    report = outcome.get_result()
    notebook = item.parent
    if not hasattr(notebook, "unrolled_record"):  # its first cell: forget earlier runs
        record_path(notebook).unlink(missing_ok=True)
        notebook.unrolled_record = {
            "outputs": [],
            "sources": [],
            "ok": True,
            "start": time.perf_counter(),
        }
    record = notebook.unrolled_record
    if report.failed or report.skipped:
        record["ok"] = False
    if call.when == "call" and report.passed:
        record["sources"].append(item.cell.source)
        record["outputs"].append([dict(out) for out in (item.test_outputs or [])])


def pytest_runtest_teardown(item, nextitem):
    """After a notebook's last cell: save what it printed, if every cell passed."""
    if not is_notebook_cell(item):
        return
    if nextitem is not None and nextitem.parent is item.parent:
        return
    record = getattr(item.parent, "unrolled_record", None)
    if not record or not record["ok"]:
        return
    import nbcache  # tools/, on pytest's pythonpath

    seconds = time.perf_counter() - record["start"]
    nbcache.write_record(
        record_path(item.parent), record["sources"], record["outputs"], seconds
    )
