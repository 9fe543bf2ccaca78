"""Sphinx extension for the Unrolled book: what Jupyter Book 1 does not do out of the
box.

- Executes every notebook with a quiet environment (no progress bars, no TensorFlow log
  lines), so anything that still reaches stderr is a real warning and fails the build
  (``stderr_output: warn``).
- Serves MathJax from the site itself (the ``django-static-mathjax`` package), so math
  renders offline.
- Writes a reader notebook for every notebook page, and a student edition for every
  page with exercises (``reader.py``, ``markdown.py``, ``notebooks.py``,
  ``editions.py``), and points the Colab, Binder and download buttons at them
  (``launch.py``).
- ``{nb-runtime}`docname``` role: how long that notebook took to execute in this build.
- Drops script tags that appear twice on a page (sphinx-thebe registers its inline
  config twice under Sphinx 7, and the second ``const THEBE_JS_URL`` is a JavaScript
  error in every browser).

The site's other parts have their own modules: ``layout`` (one header, working sidebar
toggles), ``figures`` (every page's figures in rnnlib.plots' style), ``numbering``
(Exercise 3.2, Figure 2.1), ``bibliography`` (author-year labels), ``twins`` (the
TensorFlow | PyTorch switch).
"""

import os
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from rnnlib._env import TF_QUIET_ENV

logger = logging.getLogger(__name__)

# rnnlib's tqdm bars belong in a learner's notebook, not on a page; TensorFlow's
# start-up lines nowhere (rnnlib/_env.py holds its settings, in one place).
QUIET_KERNEL_ENV = {"RNNLIB_PROGRESS": "0", **TF_QUIET_ENV}

MATHJAX_DIR = "mathjax"
MATHJAX_SCRIPT = "tex-mml-chtml.js"


# ---------------------------------------------------------------- quiet kernels


def quiet_kernels(app, config):
    for key, value in QUIET_KERNEL_ENV.items():
        os.environ.setdefault(key, value)  # kernels inherit the builder's environment


# ---------------------------------------------------------------- MathJax from the site


def mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax package: MathJax 3 as static files

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def use_local_mathjax(app, config):
    config.mathjax_path = f"{MATHJAX_DIR}/{MATHJAX_SCRIPT}"  # relative to _static


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    if (target / MATHJAX_SCRIPT).exists():
        return
    keep = {MATHJAX_SCRIPT, "input", "output", "a11y", "sre", "ui", "adaptors"}

    def ignore(directory, names):
        if Path(directory) == mathjax_source():
            return [name for name in names if name not in keep]
        return [
            name for name in names if name == "svg"
        ]  # the page uses the CHTML output only

    shutil.copytree(mathjax_source(), target, ignore=ignore, dirs_exist_ok=True)


# ---------------------------------------------------------------- scripts included
# twice


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (
            getattr(script, "filename", str(script)) or "",
            tuple(sorted((k, str(v)) for k, v in attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# ---------------------------------------------------------------- notebook run times


class runtime_node(nodes.Inline, nodes.TextElement):
    """Placeholder for a notebook's run time, filled in once every notebook has
    executed."""


def runtime_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    from myst_nb.ext.execution_tables import METADATA_KEY
    from myst_nb.sphinx_ import NbMetadataCollector

    # Re-render this page whenever a notebook re-executes (myst-nb does this for its own
    # tables).
    NbMetadataCollector.set_doc_data(env, env.docname, METADATA_KEY, True)
    return [runtime_node(rawtext, "", target=text.strip())], []


def format_seconds(seconds) -> str:
    if seconds is None:
        return "not executed"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class FillRuntimes(SphinxPostTransform):
    default_priority = 8

    def run(self, **kwargs):
        from myst_nb.sphinx_ import NbMetadataCollector

        metadata = NbMetadataCollector.get_doc_data(self.env)
        for node in list(self.document.findall(runtime_node)):
            target = node["target"]
            if target not in self.env.found_docs:
                logger.warning(f"nb-runtime: no page {target!r}", location=node)
            data = metadata.get(target, {}).get("exec_data") or {}
            node.replace_self(nodes.inline(text=format_seconds(data.get("runtime"))))


def setup(app):
    from unrolled import (
        bibliography,
        editions,
        figures,
        launch,
        layout,
        notebooks,
        numbering,
        twins,
    )

    for module in (bibliography, layout, figures, numbering, twins, launch, notebooks):
        module.setup(app)
    editions.setup(app)
    app.connect("config-inited", quiet_kernels)
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.add_node(runtime_node)
    app.add_role("nb-runtime", runtime_role)
    app.add_post_transform(FillRuntimes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
