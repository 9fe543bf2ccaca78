"""The built site in a real browser: every page loads cleanly, typesets its math, shows
its images.

Drives Debian's Chromium (or the one named by $CHROMIUM) headless through Playwright,
against the quick build served on 127.0.0.1. Writes one screenshot per page, light and
dark, to _build/quick/screenshots/.
"""

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from conftest import QUICK_BUILD, notebook_pages, toc_pages

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]
NOTEBOOKS = {f"book/{p.stem}" for p in notebook_pages()}


def find_chromium():
    candidates = [
        os.environ.get("CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ]
    return next((c for c in candidates if c and os.path.exists(c)), None)


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (in .[test])"
    )
    chromium = find_chromium()
    if chromium is None and os.environ.get("RNNLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "Chromium not found, and RNNLIB_REQUIRE_BROWSER=1 (as in CI) requires the "
            "browser test to run"
        )
    if chromium is None:
        pytest.skip(
            "Chromium not found, so the browser test cannot run. Install it "
            "(Debian/Ubuntu: "
            "`sudo apt-get install chromium`; macOS: `brew install --cask chromium`) "
            "or set CHROMIUM=/path/to/it."
        )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(built_site):
    """Serve the built html on 127.0.0.1; yield its base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(built_site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def open_page(browser, url, theme):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "requestfailed",
        lambda r: problems.append(f"request failed: {r.url} ({r.failure})"),
    )
    page.add_init_script(
        f"localStorage.setItem('theme', '{theme}');"
        f"localStorage.setItem('mode', '{theme}');"
    )
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => !window.MathJax || !window.MathJax.startup"
        " || window.MathJax.startup.promise"
    )
    page.evaluate(
        "() => window.MathJax && window.MathJax.startup"
        " ? window.MathJax.startup.promise : null"
    )
    page.wait_for_load_state("networkidle")
    return page, problems


@pytest.mark.parametrize("docname", toc_pages())
def test_page_in_a_real_browser(browser, site, docname):
    shots = QUICK_BUILD / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page, problems = open_page(browser, f"{site}/{docname}.html", "light")
    try:
        assert not problems, problems

        math = page.evaluate("""() =>
            Array.from(document.querySelectorAll('article .math'))
            .map(el => el.querySelector('mjx-container') !== null)""")
        assert all(math), (
            f"{math.count(False)} of {len(math)} math elements were not typeset"
        )
        if docname in ("book/02-expected-loss", "book/03-hand-rolled-cell"):
            assert math, "this page has equations"

        images = page.evaluate("""() => Array.from(document.images).map(img => ({
            src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
            alt: img.getAttribute('alt') || '',
            content: img.closest('article') !== null}))""")
        assert all(img["loaded"] for img in images), [
            img["src"] for img in images if not img["loaded"]
        ]
        assert all(img["alt"].strip() for img in images if img["content"]), (
            "content images need alt text"
        )

        hrefs = page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
        )
        launches = [
            h
            for h in hrefs
            if urlparse(h).hostname in ("colab.research.google.com", "mybinder.org")
        ]
        if docname in NOTEBOOKS:
            notebook = f"notebooks/{docname.split('/')[-1]}.ipynb"
            assert len(launches) == 2 and all(notebook in h for h in launches), launches
        page.screenshot(
            path=str(shots / f"{docname.split('/')[-1]}.png"), full_page=True
        )
    finally:
        page.close()

    dark, problems = open_page(browser, f"{site}/{docname}.html", "dark")
    try:
        assert not problems, problems
        assert dark.evaluate("() => document.documentElement.dataset.theme") == "dark"
        background = dark.evaluate(
            "() => getComputedStyle(document.body).backgroundColor"
        )
        red, green, blue = (
            int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3]
        )
        assert red + green + blue < 200, (
            f"dark mode did not darken the page: {background}"
        )
        dark.screenshot(
            path=str(shots / f"{docname.split('/')[-1]}-dark.png"), full_page=True
        )
    finally:
        dark.close()
