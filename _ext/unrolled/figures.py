"""Every page's figures in the book's style, whether or not the page imports
``rnnlib.plots``.

The build's kernels start from an IPython profile of the build's own (``IPYTHONDIR``),
whose one line applies ``rnnlib.plots.use_book_style()``: a default size that fits the
text column, fonts sized for it, and SVG output (see rnnlib/plots.py). Notebooks run
elsewhere (JupyterLab, Colab, the tests' nbval) are not affected, except where they
import ``rnnlib.plots`` themselves.

jupyter-cache keys executed notebooks by their code, not by this style: after changing
the style, delete the build's ``.jupyter_cache`` folder (``make clean`` does) to see it
on every page.
"""

import os
from pathlib import Path

PROFILE_CONFIG = """# Written by the book build (_ext/unrolled/figures.py): every page's
# figures in the book's style.
c.InteractiveShellApp.exec_lines = [
    "import rnnlib.plots as _plots; _plots.use_book_style(); del _plots",
]
"""


def kernel_profile(app, config):
    ipython_dir = Path(app.outdir).parent / "ipython"
    profile = ipython_dir / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    target = profile / "ipython_kernel_config.py"
    if not target.exists() or target.read_text() != PROFILE_CONFIG:
        target.write_text(PROFILE_CONFIG)
    os.environ["IPYTHONDIR"] = str(
        ipython_dir
    )  # kernels inherit the builder's environment


def setup(app):
    app.connect("config-inited", kernel_profile)
