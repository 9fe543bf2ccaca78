"""Shared fixtures: the repository's paths and one quick build of the whole book per test session."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

# As the book build does (see _ext/unrolled.py): quiet TensorFlow, and no progress bars in test output.
for key, value in {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "RNNLIB_PROGRESS": "0"}.items():
    os.environ.setdefault(key, value)

ROOT = Path(__file__).resolve().parents[1]
QUICK_BUILD = ROOT / "_build" / "quick"  # the test build, kept for a look afterwards (screenshots too)


def toc_pages() -> list[str]:
    """Every page in _toc.yml, as docnames like 'book/01-echo-task', in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            pages += [chapter["file"]] + [section["file"] for section in chapter.get("sections", [])]
    return pages


def notebook_pages() -> list[Path]:
    """The book/*.md files that are notebooks (they name a kernel)."""
    return sorted(p for p in (ROOT / "book").glob("*.md") if "\nkernelspec:" in p.read_text().split("\n---", 2)[0])


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book in quick mode with warnings as errors; return its html folder."""
    shutil.rmtree(QUICK_BUILD, ignore_errors=True)  # execute every notebook afresh
    env = {**os.environ, "RNNLIB_QUICK": "1"}
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output",
               str(QUICK_BUILD), "--builder", "html", "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode != 0:
        pytest.fail(f"the book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return QUICK_BUILD / "_build" / "html"
