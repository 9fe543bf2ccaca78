"""Where the reader notebooks are published, and the page buttons that open them.

Each notebook page's Colab and Binder buttons open its reader notebook
(``reader/NN-slug.ipynb``, written by ``reader.py``) from the ``gh-pages`` branch that
``make publish`` pushes the site to; its download button offers the same notebook; on a
page with exercises "Exercises in Colab" opens the student edition
(``student/NN-slug.ipynb``, ``editions.py``). The repository is the one named by
``repository.url`` in ``_config.yml``, so a fork changes one line.
"""

import os
from pathlib import Path
from urllib.parse import urlencode, urlparse

from unrolled.pages import is_notebook

READER_DIR = "reader"  # in the built site: <html>/reader/NN-slug.ipynb
STUDENT_DIR = "student"  # the student edition: <html>/student/NN-slug.ipynb
# Where `make publish` (ghp-import) puts the built site; the launch buttons open the
# notebooks there. `make release` builds with UNROLLED_LAUNCH_REF=book-vX.Y.Z, a tag of
# that branch, so a course's links do not move.
PUBLISH_BRANCH = os.environ.get("UNROLLED_LAUNCH_REF") or "gh-pages"
# The folder nbgitpuller clones the published site into, on Binder.
BINDER_TARGET = "reader-notebooks"


# ---------------------------------------------------------------- where things are
# published


def repository(config) -> tuple[str, str, str] | None:
    """(owner, name, branch) of the GitHub repository named by repository.url in
    _config.yml."""
    options = config.html_theme_options or {}
    url = (options.get("repository_url") or "").rstrip("/")
    parsed = urlparse(url)
    parts = [part for part in parsed.path.split("/") if part]
    if parsed.hostname != "github.com" or len(parts) != 2:
        return None
    return (
        parts[0],
        parts[1].removesuffix(".git"),
        options.get("repository_branch") or "main",
    )


def default_site_url(config) -> str:
    """Where ghp-import publishes the site: https://OWNER.github.io/NAME/."""
    repo = repository(config)
    return f"https://{repo[0]}.github.io/{repo[1]}/" if repo else ""


def set_site_url(app, config):
    """html_baseurl defaults to the GitHub Pages address of repository.url (html.baseurl
    overrides it)."""
    if not config.html_baseurl:
        config.html_baseurl = default_site_url(config)


def site_url(app) -> str:
    url = app.config.html_baseurl or default_site_url(app.config)
    return url if url.endswith("/") else url + "/"


def reader_name(docname: str) -> str:
    return f"{docname.rsplit('/', 1)[-1]}.ipynb"


def colab_url(app, docname: str, folder: str = READER_DIR) -> str | None:
    repo = repository(app.config)
    if repo is None:
        return None
    owner, name, _ = repo
    return (
        f"https://colab.research.google.com/github/{owner}/{name}/blob/{PUBLISH_BRANCH}/"
        f"{folder}/{reader_name(docname)}"
    )


def binder_url(app, docname: str, binderhub="https://mybinder.org") -> str | None:
    """The environment from binder/ on the main branch; the notebook pulled from
    gh-pages by nbgitpuller."""
    repo = repository(app.config)
    if repo is None:
        return None
    owner, name, branch = repo
    pull = urlencode(
        {
            "repo": f"https://github.com/{owner}/{name}",
            "branch": PUBLISH_BRANCH,
            "targetpath": BINDER_TARGET,
            "urlpath": f"lab/tree/{BINDER_TARGET}/{READER_DIR}/{reader_name(docname)}",
        }
    )
    query = urlencode({"urlpath": "git-pull?" + pull})
    return f"{binderhub.rstrip('/')}/v2/gh/{owner}/{name}/{branch}?{query}"


# ---------------------------------------------------------------- the page's buttons


def is_notebook_page(app, docname: str) -> bool:
    """Whether the page is a notebook (``pages.is_notebook``), and so has a reader
    notebook."""
    path = Path(app.env.doc2path(docname))
    return path.suffix == ".md" and path.exists() and is_notebook(path)


def has_exercises(app, docname: str) -> bool:
    """Whether the page has exercises, and so a student edition."""
    return "{exercise}" in Path(app.env.doc2path(docname)).read_text()


def launch_links(app, pagename, templatename, context, doctree):
    """Colab, Binder and the download button open the reader notebook of a notebook
    page; on a page with exercises, "Exercises in Colab" opens its student edition."""
    if app.builder.format != "html" or not is_notebook_page(app, pagename):
        return
    student = colab_url(app, pagename, STUDENT_DIR)
    if student and has_exercises(app, pagename):
        for group in context.get("header_buttons", []):
            colab = [b for b in group.get("buttons", []) if b.get("text") == "Colab"]
            if group.get("label") == "launch-buttons" and colab:
                group["buttons"].append(
                    {
                        **colab[0],
                        "text": "Exercises in Colab",
                        "tooltip": "Open the exercises (the student edition) in Colab",
                        "label": "launch-student-colab-button",
                        "url": student,
                    }
                )
    relative = "../" * pagename.count("/") + f"{READER_DIR}/{reader_name(pagename)}"
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            text = button.get("text", "")
            if group.get("label") == "launch-buttons" and text == "Colab":
                button["url"] = colab_url(app, pagename) or button["url"]
            elif group.get("label") == "launch-buttons" and text == "Binder":
                binderhub = (
                    app.config.html_theme_options.get("launch_buttons") or {}
                ).get("binderhub_url")
                button["url"] = (
                    binder_url(app, pagename, binderhub or "https://mybinder.org")
                    or button["url"]
                )
            elif (
                group.get("label") == "download-buttons"
                and button.get("label") == "download-notebook-button"
            ):
                button["url"] = relative
                button["tooltip"] = "Download the notebook"


def setup(app):
    app.connect("config-inited", set_site_url)
    # after the theme has made its buttons
    app.connect("html-page-context", launch_links, priority=900)
