"""Benchmark results saved with when and where they were measured, for the results page.

``python -m rnnlib.bench NAME --save`` writes ``results/NAME.json``: the table, the
key=value summary, the date, the machine, the library versions and the git commit. The
book's results page shows these files instead of running every benchmark during the
build.

Pages may import this module (and ``rnnlib.bench.BENCHMARKS``) to *read* saved results;
no page runs a benchmark, and nothing in rnnlib imports ``rnnlib.bench``. ``load()``
finds the repository's ``results/`` folder (``results_dir``): the folder named by
``RNNLIB_RESULTS``, else the one beside the ``rnnlib`` package of a clone, else
``results`` or ``../results`` from where the notebook runs. Where there is none (rnnlib
installed alone, as on Colab), it returns no records and the pages say so.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path("results")
RESULTS_ENV = "RNNLIB_RESULTS"
PACKAGES = ("numpy", "tensorflow", "tensorflow-cpu", "keras", "torch")


def machine() -> str:
    """The processor, as /proc/cpuinfo names it where it can, and the number of CPUs."""
    name = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return f"{name}, {os.cpu_count()} CPUs, {platform.system()}"


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


def git_commit() -> str:
    """The commit the code ran from, with "-dirty" where rnnlib/ differs from it (the
    code that ran is then not the commit's)."""
    here = Path(__file__).resolve().parents[1]  # rnnlib/
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=here,
        )
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            cwd=here,
        )
    except OSError:
        return "unknown"
    commit = result.stdout.strip()
    if not commit:
        return "unknown"
    return commit + ("-dirty" if changed.stdout.strip() else "")


def save(name: str, about: str, result, directory: Path = RESULTS_DIR) -> Path:
    """Write ``directory/NAME.json``; returns its path."""
    record = {
        "name": name,
        "about": about,
        "command": f"python -m rnnlib.bench {name}",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "commit": git_commit(),
        "argv": sys.argv[1:],
        "rows": result.rows,
        "summary": result.summary,
    }
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1, default=str) + "\n")
    temporary.replace(path)
    return path


def results_dir() -> Path | None:
    """The saved results' folder, or None where there is none (see the module's
    docstring for where it looks)."""
    if os.environ.get(RESULTS_ENV):
        return Path(os.environ[RESULTS_ENV])
    beside_package = Path(__file__).resolve().parents[2] / RESULTS_DIR
    for candidate in (beside_package, RESULTS_DIR, Path("..") / RESULTS_DIR):
        if candidate.is_dir():
            return candidate
    return None


def load(directory: Path | None = None) -> dict[str, dict]:
    """Every saved result in ``directory`` (default: ``results_dir()``): name ->
    record, in name order; {} where there is no such folder. A file that is not a
    saved result's JSON is named in the error."""
    directory = results_dir() if directory is None else Path(directory)
    if directory is None or not directory.is_dir():
        return {}
    records = {}
    for path in sorted(directory.glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(
                f"{path} is not valid JSON ({error}): rerun `python -m rnnlib.bench "
                f"{path.stem} --save`, or restore the file from git"
            ) from error
        if isinstance(record, dict) and "summary" in record and "rows" in record:
            records[record["name"]] = record
    return records
