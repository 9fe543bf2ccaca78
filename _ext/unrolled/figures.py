"""Every page's figures in the book's style, whether or not the page imports
``rnnlib.plots``.

The build's kernels start from an IPython profile of the build's own (``IPYTHONDIR``),
whose one line applies ``rnnlib.plots.use_book_style()``: a default size that fits the
text column, fonts sized for it, and SVG output (see rnnlib/plots.py). The kernels that
execute notebooks for the build elsewhere (nbval in the tests, the full-size check) use
the same profile. Notebooks a reader runs (JupyterLab, Colab) are not affected, except
where they import ``rnnlib.plots`` themselves.

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


def write_profile(ipython_dir: Path) -> Path:
    """Write the book's kernel profile under ``ipython_dir``; return that folder."""
    profile = Path(ipython_dir) / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    target = profile / "ipython_kernel_config.py"
    if not target.exists() or target.read_text() != PROFILE_CONFIG:
        target.write_text(PROFILE_CONFIG)
    return Path(ipython_dir)


def kernel_profile(app, config):
    # Kernels inherit the builder's environment. nbval's kernels (tests/nbrecord.py) and
    # the full-size check's (tools/verify.py) get the same profile, so the notebooks
    # they execute for the build look the same.
    os.environ["IPYTHONDIR"] = str(write_profile(Path(app.outdir).parent / "ipython"))


def setup(app):
    app.connect("config-inited", kernel_profile)
