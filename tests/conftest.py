"""Shared fixtures: the repository's paths, notebook records, one quick book build per
session.

Every notebook executes once per `make test`: nbval runs it (in parallel with the unit
tests, under pytest-xdist), the hooks below record each cell's outputs, and the quick
book build of the second phase takes them from the cache instead of executing the
notebook again.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from rnnlib._env import quiet_tensorflow  # noqa: E402

# As the book build does (see _ext/unrolled.py): quiet TensorFlow, no progress bars.
quiet_tensorflow()
os.environ.setdefault("RNNLIB_PROGRESS", "0")

QUICK_BUILD = ROOT / "_build" / "quick"  # the test build, kept for a look afterwards
EXECUTED = QUICK_BUILD / "executed"  # nbval's executed notebooks, one record per page


def toc_pages() -> list[str]:
    """Every page in _toc.yml, as docnames like 'book/01-echo-task', in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            pages += [chapter["file"]] + [
                section["file"] for section in chapter.get("sections", [])
            ]
    return pages


def notebook_pages() -> list[Path]:
    """The book/*.md files that are notebooks (they name a kernel)."""
    return sorted(
        p
        for p in (ROOT / "book").glob("*.md")
        if "\nkernelspec:" in p.read_text().split("\n---", 2)[0]
    )


# ---------------------------------------------------------------- recording nbval's
# execution


def _is_notebook_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_notebook_cell(item):
        return
    report = outcome.get_result()
    notebook = item.parent
    if not hasattr(
        notebook, "unrolled_record"
    ):  # its first cell: forget any earlier run
        (EXECUTED / f"{Path(str(notebook.fspath)).stem}.json").unlink(missing_ok=True)
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
        record["outputs"].append([dict(output) for output in (item.test_outputs or [])])


def pytest_runtest_teardown(item, nextitem):
    """After a notebook's last cell: save what it printed, if every cell passed."""
    if not _is_notebook_cell(item) or (
        nextitem is not None and nextitem.parent is item.parent
    ):
        return
    record = getattr(item.parent, "unrolled_record", None)
    if not record or not record["ok"]:
        return
    import nbcache

    nbcache.write_record(
        EXECUTED / f"{Path(str(item.parent.fspath)).stem}.json",
        record["sources"],
        record["outputs"],
        time.perf_counter() - record["start"],
    )


# ---------------------------------------------------------------- the quick book


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book in quick mode with warnings as errors; return its html folder.

    Notebooks that nbval executed in this `make test` come from the cache; any other is
    executed by the build.
    """
    import nbcache

    build = QUICK_BUILD / "_build"
    shutil.rmtree(build, ignore_errors=True)
    cached = (
        nbcache.cache_records(EXECUTED, build / ".jupyter_cache")
        if EXECUTED.exists()
        else []
    )
    print(
        f"\nthe book build reuses {len(cached)} notebooks executed by nbval: {cached}"
    )
    env = {**os.environ, "RNNLIB_QUICK": "1"}
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(ROOT),
        "--path-output",
        str(QUICK_BUILD),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=1800
    )
    if result.returncode != 0:
        pytest.fail(
            f"the book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        )
    return build / "html"
