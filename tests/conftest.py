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
import yaml
from nbrecord import EXECUTED, QUICK_BUILD

ROOT = Path(__file__).resolve().parents[1]


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
