"""Execute the book's notebook pages, two at a time, for the book build and the checks.

    make verify                           # every page at full size; fail on any assert
    make verify PAGES="04-unrolling-tf"   # some pages
    python tools/verify.py --missing      # pages the build cache lacks (make book)
    RNNLIB_QUICK=1 python tools/verify.py --missing   # the same for the quick build

Each page runs top to bottom in a fresh kernel, at the size RNNLIB_QUICK selects (full
when unset, so every claim-bearing assert runs), ``--jobs`` pages at a time (default 2,
longest first by results/runtimes.json, so the two cores finish together). Each
executed notebook goes to the build's cache (``_build/.jupyter_cache``, or
``_build/quick/_build/.jupyter_cache`` for the quick size): `jupyter-book build`
afterwards renders it without executing it again. At full size the run times are saved
in results/runtimes.json, with how many pages ran at once (the instructors page shows
them). A failed assert fails the run, with the page and its error.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import nbcache

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))
from unrolled.pages import notebook_pages  # noqa: E402

ROOT = nbcache.ROOT
# Pages that start worker processes of their own (two or four each, see
# rnnlib.{tf,torch}.parallel.launch): at most one of them runs at a time, since two
# would put eight processes on two cores, with the workers spinning on each other.
STARTS_PROCESSES = ("11-data-parallel-tf", "11-data-parallel-torch")
RUNTIMES = ROOT / "results" / "runtimes.json"
QUICK_ENV = "RNNLIB_QUICK"


def build_dir(quick: bool) -> Path:
    """Where `jupyter-book build` puts its _build for this size (see the Makefile)."""
    return ROOT / "_build" / "quick" / "_build" if quick else ROOT / "_build"


def records_dir(quick: bool) -> Path:
    """Where executed notebooks are recorded (the quick ones beside nbval's)."""
    return ROOT / "_build" / ("quick/executed" if quick else "verified")


def is_quick() -> bool:
    return os.environ.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false")


def prepare_environment() -> None:
    """The kernels' environment: quiet, no progress bars, the book's figure style, the
    two cores shared between two pages (``rnnlib._env.share_cores``), and the data
    folder as an absolute path."""
    os.environ.setdefault("RNNLIB_PROGRESS", "0")
    from rnnlib._env import quiet_tensorflow, share_cores
    from rnnlib.data.download import absolute_data_env

    quiet_tensorflow()
    share_cores()
    absolute_data_env()  # the kernels run in book/
    from unrolled.figures import write_profile  # the book's figure style

    os.environ["IPYTHONDIR"] = str(write_profile(ROOT / "_build" / "ipython"))


def execute(page: Path, quick: bool) -> tuple[str, float, str | None]:
    """Run one page and store it in the build's cache: (name, seconds, error)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    prepare_environment()
    notebook = nbcache.book_notebook(page)
    client = NotebookClient(
        notebook,
        timeout=3600,
        kernel_name="python3",
        resources={"metadata": {"path": str(page.parent)}},
        # The outputs are in once the last cell has replied: end the kernel then, as
        # nbval does, instead of waiting for it to exit (a kernel that loaded TensorFlow
        # took about 2.5 s to, a quarter of the quick book's execution in all).
        shutdown_kernel="immediate",
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        return page.stem, time.perf_counter() - start, str(error)
    seconds = time.perf_counter() - start
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    record = records_dir(quick) / f"{page.stem}.json"
    nbcache.write_record(
        record,
        [cell.source for cell in code],
        [[dict(o) for o in cell.outputs] for cell in code],
        seconds,
    )
    nbcache.cache_record(page, record, build_dir(quick) / ".jupyter_cache")
    return page.stem, seconds, None


def known_runtimes() -> dict[str, dict]:
    return json.loads(RUNTIMES.read_text())["pages"] if RUNTIMES.exists() else {}


def save_runtimes(seconds: dict[str, float], jobs: int) -> None:
    """Merge this run's times into results/runtimes.json (pages not run keep theirs)."""
    known = {"pages": known_runtimes()}
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}"
    for name, value in seconds.items():
        known["pages"][name] = {
            "seconds": round(value, 1),
            "date": now,
            "machine": machine,
            "pages_at_once": jobs,
        }
    RUNTIMES.parent.mkdir(exist_ok=True)
    RUNTIMES.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")


def select(names: list[str], missing: bool, quick: bool) -> list[Path]:
    pages = notebook_pages()
    if names:
        known = {p.stem: p for p in pages}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise SystemExit(f"no notebook page {unknown}; pages are {sorted(known)}")
        pages = [known[name] for name in names]
    if missing:
        cache = build_dir(quick) / ".jupyter_cache"
        pages = [page for page in pages if not nbcache.is_cached(page, cache)]
    estimate = known_runtimes()
    return sorted(pages, key=lambda p: -estimate.get(p.stem, {}).get("seconds", 60))


def schedule(pending: list[Path], running: list[Path], jobs: int) -> list[Path]:
    """The pages to start now, in ``pending``'s order: as many as free slots allow,
    never a second page of STARTS_PROCESSES while one runs (a page that has to wait
    lets the next one go first)."""
    chosen: list[Path] = []
    for page in pending:
        if len(running) + len(chosen) >= jobs:
            break
        busy = [p.stem for p in running + chosen if p.stem in STARTS_PROCESSES]
        if page.stem in STARTS_PROCESSES and busy:
            continue
        chosen.append(page)
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", help="page names (NN-slug); default: all")
    parser.add_argument("--jobs", type=int, default=2, help="pages at a time (2)")
    parser.add_argument(
        "--missing", action="store_true", help="only pages the build's cache lacks"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    quick = is_quick()
    pages = select(args.pages, args.missing, quick)
    size = "quick" if quick else "full"
    print(f"{len(pages)} pages at {size} size, {args.jobs} at a time", flush=True)
    from rnnlib._env import PAGES_AT_ONCE_ENV  # pages that time say so

    os.environ[PAGES_AT_ONCE_ENV] = str(min(args.jobs, len(pages)))
    times, failures = {}, {}
    total = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        pending, running = list(pages), {}
        while pending or running:
            for page in schedule(pending, list(running.values()), args.jobs):
                pending.remove(page)
                running[pool.submit(execute, page, quick)] = page
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                del running[future]
                name, seconds, error = future.result()
                print(f"{name:36s} {seconds:7.1f} s  {'FAILED' if error else 'ok'}")
                (failures if error else times)[name] = error or seconds
    if not quick and times:
        save_runtimes(times, args.jobs)
    print(f"{'all pages':36s} {time.perf_counter() - total:7.1f} s")
    for name, error in failures.items():
        print(f"\n{name} failed at {size} size:\n{error[-3000:]}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
