"""Shared fixtures: the repository's paths and one quick book build per session.

Every notebook executes once per `make test`: nbval runs it (in parallel with the unit
tests, under pytest-xdist), the plugin tests/nbrecord.py records each cell's outputs,
and the quick book build of the second phase takes them from the cache instead of
executing the notebook again.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbrecord import EXECUTED, QUICK_BUILD
from unrolled.pages import notebook_pages, toc_pages  # noqa: F401 (the one list)

ROOT = Path(__file__).resolve().parents[1]
# In CI (.ci/run sets it) a test whose prerequisite is missing fails, with the reason;
# elsewhere it skips, with the reason.
REQUIRE_ALL = os.environ.get("RNNLIB_REQUIRE_ALL") == "1"


# ---------------------------------------------------------------- prerequisites


def missing(reason: str, required: bool = REQUIRE_ALL):
    """A test cannot run here: fail with the reason in CI, skip with it elsewhere."""
    if required:
        pytest.fail(f"{reason} (RNNLIB_REQUIRE_ALL=1: in CI every test runs)", False)
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "prerequisite(present, reason): the test needs something outside the "
        "repository (a data copy, a browser); without it, it skips, or fails in CI",
    )


def pytest_runtest_setup(item):
    for mark in item.iter_markers("prerequisite"):
        present = mark.args[0] if mark.args else mark.kwargs["present"]
        if not present:
            missing(mark.kwargs.get("reason") or mark.args[1])


# ---------------------------------------------------------------- the quick book


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book in quick mode with warnings as errors; return its html folder.

    Notebooks that nbval executed in this `make test` come from the cache; any other is
    executed by the build. RNNLIB_BUILT_SITE=path/to/html tests a site built before
    (a quick build of this tree) instead of building one.
    """
    import nbcache  # tools/, on pytest's pythonpath

    if os.environ.get("RNNLIB_BUILT_SITE"):
        return Path(os.environ["RNNLIB_BUILT_SITE"]).resolve()

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
