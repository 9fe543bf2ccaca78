"""tools/verify.py's order of pages: the free slots filled in order, and never two pages
that start worker processes at once."""

from pathlib import Path

import verify  # tools/, on pytest's pythonpath
from unrolled.pages import notebook_pages


def pages(*names):
    return [Path(f"book/{name}.md") for name in names]


def test_slots_are_filled_in_order():
    pending = pages("a", "b", "c")
    assert verify.schedule(pending, [], jobs=2) == pages("a", "b")
    assert verify.schedule(pending, pages("x"), jobs=2) == pages("a")
    assert verify.schedule(pending, pages("x", "y"), jobs=2) == []


def test_two_pages_that_start_processes_never_run_together():
    tf, torch = verify.STARTS_PROCESSES
    pending = pages(tf, torch, "a", "b")
    assert verify.schedule(pending, [], jobs=2) == pages(tf, "a")  # torch waits
    assert verify.schedule(pages(torch, "b"), pages(tf), jobs=2) == pages("b")
    assert verify.schedule(pages(torch), pages(tf), jobs=2) == []
    assert verify.schedule(pages(torch), pages("a"), jobs=2) == pages(torch)


def test_the_pages_that_start_processes_are_the_ones_that_launch_workers():
    launching = {
        page.stem for page in notebook_pages() if "parallel.launch(" in page.read_text()
    }
    assert launching == set(verify.STARTS_PROCESSES)
