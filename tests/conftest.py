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


# ---------------------------------------------------------------- the quick book


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book in quick mode with warnings as errors; return its html folder.

    Notebooks that nbval executed in this `make test` come from the cache; any other is
    executed by the build.
    """
    import nbcache  # tools/, on pytest's pythonpath

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
