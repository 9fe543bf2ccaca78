"""The full-size check: execute every notebook page at full size; fail on any failed
assert.

    make verify                           # every page, one after another
    make verify PAGES="04-unrolling-tf"   # some pages

Each page runs top to bottom in a fresh kernel, at full size (RNNLIB_QUICK unset), so
every claim-bearing assert runs, including those the quick size skips. Prints each
page's run time, records the times in results/runtimes.json (the instructors page shows
them), and hands the executed notebooks to the full book build's cache: a `make book`
afterwards renders them without executing them again. Not part of CI: at full size it
takes a while.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import nbcache

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from unrolled.pages import notebook_pages  # noqa: E402

ROOT = nbcache.ROOT
RECORDS = ROOT / "_build" / "verified"
CACHE = (
    ROOT / "_build" / ".jupyter_cache"
)  # where `make book` (outdir _build/html) looks
RUNTIMES = ROOT / "results" / "runtimes.json"


def execute(page: Path) -> tuple[float, str | None]:
    """Run one page at full size, store it for the book build; (seconds, error)."""
    notebook = nbcache.book_notebook(page)
    client = NotebookClient(
        notebook,
        timeout=3600,
        kernel_name="python3",
        resources={"metadata": {"path": str(page.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        return time.perf_counter() - start, str(error)
    seconds = time.perf_counter() - start
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    record = RECORDS / f"{page.stem}.json"
    nbcache.write_record(
        record,
        [cell.source for cell in code],
        [[dict(o) for o in cell.outputs] for cell in code],
        seconds,
    )
    nbcache.cache_record(page, record, CACHE)
    return seconds, None


def save_runtimes(seconds: dict[str, float]) -> None:
    """Merge this run's times into results/runtimes.json (pages not run keep theirs)."""
    known = json.loads(RUNTIMES.read_text()) if RUNTIMES.exists() else {"pages": {}}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}"
    for name, value in seconds.items():
        known["pages"][name] = {
            "seconds": round(value, 1),
            "date": now,
            "machine": machine,
        }
    RUNTIMES.parent.mkdir(exist_ok=True)
    RUNTIMES.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", help="page names (NN-slug); default: all")
    args = parser.parse_args(argv)
    pages = notebook_pages()
    if args.pages:
        known = {p.stem: p for p in pages}
        unknown = [name for name in args.pages if name not in known]
        if unknown:
            parser.error(f"no notebook page {unknown}; pages are {sorted(known)}")
        pages = [known[name] for name in args.pages]
    os.environ.pop("RNNLIB_QUICK", None)  # full size
    os.environ.setdefault("RNNLIB_PROGRESS", "0")
    from rnnlib._env import quiet_tensorflow

    quiet_tensorflow()
    sys.path.insert(0, str(ROOT / "_ext"))
    from unrolled.figures import (
        write_profile,
    )  # the book's figure style, as in the build

    os.environ["IPYTHONDIR"] = str(write_profile(ROOT / "_build" / "ipython"))
    times, failures = {}, {}
    total = time.perf_counter()
    for page in pages:
        print(f"{page.stem:36s} ", end="", flush=True)
        seconds, error = execute(page)
        print(f"{seconds:7.1f} s  {'FAILED' if error else 'ok'}", flush=True)
        (failures if error else times)[page.stem] = error or seconds
    save_runtimes(times)
    print(f"{'all pages':36s} {time.perf_counter() - total:7.1f} s")
    for name, error in failures.items():
        print(f"\n{name} failed at full size:\n{error[-3000:]}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
