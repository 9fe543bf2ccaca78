"""The built site in a real browser: every page loads cleanly, typesets its math, shows
its images.

Drives Debian's Chromium (or the one named by $CHROMIUM) headless through Playwright,
against the quick build served on 127.0.0.1. With RNNLIB_SCREENSHOTS=1 (``make look``)
it also writes a full-page screenshot of every page, light and dark, at desktop width
and on a phone, to _build/quick/screenshots/, for a person to look at.
"""

import functools
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

import pytest
from conftest import (
    QUICK_BUILD,
    REQUIRE_ALL,
    ROOT,
    missing,
    notebook_pages,
    toc_pages,
)

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
    if chromium is None:
        missing(
            "Chromium not found, so the browser test cannot run. Install it "
            "(Debian/Ubuntu: `sudo apt-get install chromium`; macOS: "
            "`brew install --cask chromium`) or set CHROMIUM=/path/to/it.",
            required=REQUIRE_ALL or os.environ.get("RNNLIB_REQUIRE_BROWSER") == "1",
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


SCREENSHOTS = os.environ.get("RNNLIB_SCREENSHOTS") == "1"


def source_of(docname: str) -> str:
    return (ROOT / f"{docname}.md").read_text()


def screenshot(page, name):
    shots = QUICK_BUILD / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


# How wide the page is, and what sticks out of the viewport when it is too wide
SIDEWAYS = """() => {
    const viewport = window.innerWidth, page = document.documentElement.scrollWidth;
    const all = Array.from(document.querySelectorAll('article *'));
    const wide = page <= viewport ? [] : all
        .filter(el => el.getBoundingClientRect().right > viewport + 1)
        .map(el => `${el.tagName.toLowerCase()}.${el.className}: ${
            (el.textContent || '').trim().slice(0, 60)}`);
    return {page, viewport, wide: wide.slice(-3)};
}"""


@pytest.mark.parametrize("docname", toc_pages())
def test_page_in_a_real_browser(browser, site, docname):
    """Every page loads without errors, typesets its math, shows its images with alt
    text, opens its own reader notebook, and on a phone never scrolls sideways."""
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
        if (
            docname in NOTEBOOKS
        ):  # both open the page's reader notebook (Binder's link quotes it twice)
            name = f"{docname.split('/')[-1]}.ipynb"
            reader = [h for h in launches if f"reader/{name}" in unquote(unquote(h))]
            student = [h for h in launches if f"student/{name}" in h]
            assert len(reader) == 2 and len(launches) == 2 + len(student), launches
            assert len(student) == ("{exercise}" in source_of(docname)), student
        if SCREENSHOTS:
            screenshot(page, docname.split("/")[-1])
        page.set_viewport_size(dict(zip(("width", "height"), WIDTHS["phone"])))
        sideways = page.evaluate(SIDEWAYS)
        assert sideways["page"] <= sideways["viewport"], (
            f"on a phone the page scrolls sideways: {sideways}"
        )
        if SCREENSHOTS:
            screenshot(page, docname.split("/")[-1] + "-phone")
    finally:
        page.close()
    if SCREENSHOTS:
        dark, _ = open_page(browser, f"{site}/{docname}.html", "dark")
        screenshot(dark, docname.split("/")[-1] + "-dark")
        dark.close()


@pytest.mark.parametrize("docname", ["book/intro", "book/03-hand-rolled-cell-tf"])
def test_dark_mode_darkens_the_page(browser, site, docname):
    """The theme is one stylesheet for the whole site: two pages stand for all."""
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
    finally:
        dark.close()


# ---------------------------------------------------------------- layout at phone and
# desktop widths

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
ON_SCREEN = """(selector) => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return {visible: style.visibility !== 'hidden' && style.display !== 'none'
                     && box.width > 0 && box.height > 0,
            onScreen: box.right > 1 && box.left < window.innerWidth - 1
                      && box.bottom > 0 && box.top < window.innerHeight};
}"""


def open_at(browser, url, width):
    page = browser.new_page(viewport=dict(zip(("width", "height"), WIDTHS[width])))
    problems = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, problems


def shown(page, selector):
    state = page.evaluate(ON_SCREEN, selector)
    return bool(state and state["visible"] and state["onScreen"])


PANELS = {
    ".primary-toggle": ".bd-sidebar-primary",
    ".secondary-toggle": ".bd-sidebar-secondary",
}


@pytest.mark.parametrize("width", WIDTHS)
def test_one_header_one_search_and_sidebar_toggles_that_work(browser, site, width):
    """No empty top bar, one search, and the ☰ and "On this page" buttons open their
    panels.

    Where a panel is always shown (a desktop), its button, if it has one, folds it away
    and brings it back. On a phone the theme moves a panel, classes and all, into a
    dialog when it opens: the first element with the panel's class is the dialog then,
    the sidebar before.
    """
    page, problems = open_at(browser, f"{site}/book/03-hand-rolled-cell-tf.html", width)
    try:
        searches = page.locator(".search-button__button, .search-button-field")
        assert (
            sum(searches.nth(i).is_visible() for i in range(searches.count())) == 1
        ), "one search control"
        top_bar = page.evaluate(
            "() => { const h = document.querySelector('#pst-header'); "
            "return h ? h.getBoundingClientRect().height : 0; }"
        )
        assert top_bar == 0, "no empty top bar above the page's own header"

        for toggle, panel in PANELS.items():
            buttons = page.locator(toggle)
            visible_buttons = [
                i for i in range(buttons.count()) if buttons.nth(i).is_visible()
            ]
            if (
                not visible_buttons
            ):  # a desktop shows this panel all the time, without a button
                assert shown(page, panel), (
                    f"{toggle} is hidden, so its panel must be on screen"
                )
                continue
            assert len(visible_buttons) == 1, (
                f"{len(visible_buttons)} visible {toggle} buttons"
            )
            button = buttons.nth(visible_buttons[0])
            was_shown = shown(page, panel)
            button.click()
            page.wait_for_timeout(400)  # the panels slide in
            # The desktop's sidebar: the button folds it away; a second click brings it
            # back.
            if was_shown:
                assert not shown(page, panel), f"{toggle} did not hide its panel"
                button.click()
                page.wait_for_timeout(400)
            assert shown(page, panel), (
                f"{toggle} did not open its panel at {width} width"
            )
            page.keyboard.press(
                "Escape"
            )  # close a dialog before trying the next button
            page.wait_for_timeout(400)
        assert not problems, problems
    finally:
        page.close()


CODE_AND_MATH = """() => {
    const probe = document.createElement('span');
    const first = document.querySelector('article div.cell_input pre');
    probe.textContent = 'x'.repeat(88);
    first.appendChild(probe);
    const padding = parseFloat(getComputedStyle(first).paddingLeft)
        + parseFloat(getComputedStyle(first).paddingRight);
    const width = first.clientWidth - padding + 0.5;
    const fits88 = probe.getBoundingClientRect().width <= width;
    probe.remove();
    const all = (selector) => Array.from(document.querySelectorAll(selector));
    const boxes = (selector) => all(selector).map(el => {
        const box = el.getBoundingClientRect(), style = getComputedStyle(el);
        const lines = el.textContent.split('\\n');
        return {longest: Math.max(...lines.map(line => line.length)),
                scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                overflowX: style.overflowX, right: box.right,
                text: el.textContent.slice(0, 60)};
    });
    return {fits88, code: boxes('article div.cell_input pre'),
            outputs: boxes('article div.cell_output pre'),
            math: boxes('article mjx-container[display="true"]'),
            pageWidth: document.documentElement.scrollWidth,
            viewport: window.innerWidth};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "docname", ["book/03-hand-rolled-cell", "book/03-hand-rolled-cell-tf"]
)
def test_code_and_equations_fit_or_scroll(browser, site, width, docname):
    """88 columns of code fit a desktop's column; wider code and equations scroll inside
    their box, never clipped."""
    page, _ = open_at(browser, f"{site}/{docname}.html", width)
    try:
        page.evaluate(
            "() => window.MathJax && window.MathJax.startup"
            " ? window.MathJax.startup.promise : null"
        )
        found = page.evaluate(CODE_AND_MATH)
        assert found["code"], "the page has code"
        if docname == "book/03-hand-rolled-cell":
            assert found["math"], "the page has display equations"
        if width == "desktop":
            assert found["fits88"], "88 characters of code do not fit the code column"
            for box in found["code"]:
                if box["longest"] <= 88:
                    assert box["scrollWidth"] <= box["clientWidth"], (
                        f"code of 88 columns or fewer is cut: {box}"
                    )
        for box in found["code"] + found["outputs"] + found["math"]:
            if box["scrollWidth"] > box["clientWidth"] + 1:
                assert box["overflowX"] in ("auto", "scroll"), (
                    f"wider than its box and not scrollable: {box}"
                )
            assert box["right"] <= found["viewport"] + 1, f"runs off the screen: {box}"
        assert found["pageWidth"] <= found["viewport"], (
            "the page itself scrolls sideways"
        )
    finally:
        page.close()


@pytest.fixture(scope="module")
def desktop_column(browser, site):
    """The width of the text column on a desktop, in CSS pixels, where figures are at
    most that wide."""
    page, _ = open_at(browser, f"{site}/book/02-expected-loss.html", "desktop")
    try:
        return page.evaluate(
            "() => document.querySelector('article section p')"
            ".getBoundingClientRect().width"
        )
    finally:
        page.close()


@pytest.mark.parametrize("docname", sorted(NOTEBOOKS))
def test_plots_are_legible_at_desktop_width(built_site, desktop_column, docname):
    """The smallest text of every plot shows at rnnlib.plots.MIN_TEXT_PX (9 CSS pixels)
    or more where a desktop's column shows it (CONTRIBUTING-site.md, Figures).

    An SVG is shown at its own size (1 pt = 4/3 px) unless it is wider than the column,
    which shrinks it and its text. Plots in folded solutions count too: they open at the
    same width.
    """
    from site_helpers import soup, svg_text_sizes, svg_width_pt

    from rnnlib.plots import DESKTOP_COLUMN_PX, MIN_TEXT_PX, max_width_inches

    sources = [
        img["src"]
        for img in soup(built_site / f"{docname}.html").select("article img")
        if "_images/" in img.get("src", "")
    ]
    assert sources or docname not in ("book/01-echo-task", "book/02-expected-loss"), (
        "this page has plots"
    )
    assert abs(desktop_column - DESKTOP_COLUMN_PX) < 60, (
        f"the desktop column is {desktop_column:.0f} px: update DESKTOP_COLUMN_PX"
    )
    for src in sources:
        svg = (built_site / "book" / src).resolve().read_text()
        natural = svg_width_pt(svg) * 4 / 3
        smallest = min(svg_text_sizes(svg)) * 4 / 3 * min(1, desktop_column / natural)
        assert smallest >= MIN_TEXT_PX, (
            f"{src}: its smallest text shows at {smallest:.1f} px; draw the figure at "
            f"most {max_width_inches(min(svg_text_sizes(svg)), desktop_column):.1f} in "
            "wide, or its text larger (CONTRIBUTING-site.md, Figures)"
        )


# ---------------------------------------------------------------- schematics
# Every chapter from 2 on draws what it builds (rnnlib.diagrams), in a figure whose name
# starts with "fig-schematic-" (CONTRIBUTING-site.md, Figures). Its smallest glyph, a
# subscript, must read where the page shows it: 8 px on a phone, 9 px on a desktop,
# measured in the dark theme, whose padding around images leaves the least room.

CHAPTERS_FROM_2 = [
    name
    for name in toc_pages()
    if re.match(r"book/(\d+)-", name) and int(re.match(r"book/(\d+)-", name)[1]) >= 2
]
# Pages whose schematic cells are waiting to be inserted; drop an entry once they are.
WITHOUT_SCHEMATIC_TODAY: dict[str, str] = {}
SCHEMATICS = """async () => {
    const images = Array.from(
        document.querySelectorAll('article figure[id^="fig-schematic-"] img'));
    await Promise.all(images.map(img => {
        img.loading = 'eager';
        return img.decode().catch(() => null);
    }));
    return images.map(img => {
        const style = getComputedStyle(img), box = img.getBoundingClientRect();
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        const border = parseFloat(style.borderLeftWidth)
            + parseFloat(style.borderRightWidth);
        return {id: img.closest('figure').id, src: img.getAttribute('src'),
                shown: box.width - padding - border, natural: img.naturalWidth,
                right: box.right, viewport: window.innerWidth};
    });
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "docname",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason=WITHOUT_SCHEMATIC_TODAY[name]),
        )
        if name in WITHOUT_SCHEMATIC_TODAY
        else name
        for name in CHAPTERS_FROM_2
    ],
)
def test_chapter_draws_a_legible_schematic(browser, site, built_site, docname, width):
    """Each chapter page from 2 on has a schematic, and its text reads at a phone's
    width (390 px) and a desktop's (1280 px), without running off the screen."""
    from schematics import PREFIX, SMALLEST_PX, smallest_px

    page = browser.new_page(viewport=dict(zip(("width", "height"), WIDTHS[width])))
    try:
        page.add_init_script(
            "localStorage.setItem('theme', 'dark');"
            "localStorage.setItem('mode', 'dark');"
        )
        page.goto(f"{site}/{docname}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        found = page.evaluate(SCHEMATICS)
        assert found, (
            f"{docname} has no schematic: a figure named {PREFIX}... that draws "
            "what the chapter builds (rnnlib.diagrams)"
        )
        for figure in found:
            assert figure["id"].startswith(PREFIX)
            svg = (built_site / "book" / figure["src"]).resolve().read_text()
            assert figure["natural"] > 0, f"{figure['src']} did not load"
            px = smallest_px(svg, figure["shown"], figure["natural"])
            assert px >= SMALLEST_PX[width], (
                f"{figure['id']}: its smallest text shows at {px:.1f} px at {width} "
                f"width, below {SMALLEST_PX[width]} px: draw it narrower or its text "
                "larger (rnnlib.diagrams.style.MAX_WIDTH)"
            )
            assert figure["right"] <= figure["viewport"] + 1, f"{figure} runs off"
    finally:
        page.close()


def test_framework_switch_keeps_the_section(browser, site):
    page, problems = open_at(
        browser,
        f"{site}/book/03-hand-rolled-cell-tf.html#truncated-backprop",
        "desktop",
    )
    try:
        page.locator("section#truncated-backprop > nav.framework-switch a").click()
        page.wait_for_load_state("load")
        assert page.url.endswith(
            "/book/03-hand-rolled-cell-torch.html#truncated-backprop"
        ), page.url
        heading = page.evaluate(
            "() => document.querySelector('#truncated-backprop h2')"
            ".getBoundingClientRect().top"
        )
        assert 0 <= heading < 200, (
            "the PyTorch page did not open at the same section "
            f"(heading at {heading}px)"
        )
        assert (
            "PyTorch"
            in page.locator(
                "section#truncated-backprop > nav.framework-switch [aria-current]"
            ).inner_text()
        )
        assert not problems, problems
    finally:
        page.close()
