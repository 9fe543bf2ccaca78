"""What a page glued, read back from the quick run's executed notebooks.

`make test` runs every notebook under nbval in its first phase, and tests/nbrecord.py
saves each one's outputs to ``_build/quick/executed/NAME.json``. A value glued with
``glue(name, value, display=False)`` is one of those outputs: a display_data whose
metadata names it (``scrapbook.name``) and whose data holds its text under the mime
type ``application/papermill.record/text/plain``. Tests of the second phase (marked
slow) read them here.
"""

import ast
import json
import re
from pathlib import Path

from conftest import missing
from nbrecord import EXECUTED

GLUE_MIME = "application/papermill.record/text/plain"
# ``{glue:text}`name:format` `` or ``{glue:text}`name` `` in a page's prose
GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z0-9_.]+)(?::([^`]*))?`")


def record(page: str) -> dict:
    """The executed record of ``page`` (a stem like '02-expected-loss'); without it,
    the test skips (fails in CI) and says why."""
    path = EXECUTED / f"{page}.json"
    if not path.exists():
        missing(
            f"{path} is missing: the first phase of `make test` (nbval, which records "
            "every notebook it runs) has not run this page"
        )
    return json.loads(path.read_text())


def parse(text: str):
    """The glued value back from its text/plain: numbers, strings, tuples, lists."""
    text = re.sub(r"np\.(?:float|int)\d+\((.*)\)", r"\1", text.strip())
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def glued_text(page: str) -> dict[str, str]:
    """{name: text/plain} of everything ``page`` glued in the quick run."""
    texts = {}
    for outputs in record(page)["outputs"]:
        for output in outputs:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None and GLUE_MIME in output.get("data", {}):
                texts[name] = output["data"][GLUE_MIME]
    return texts


def glued(page: str) -> dict:
    """{name: value} of everything ``page`` glued in the quick run."""
    return {name: parse(text) for name, text in glued_text(page).items()}


def prose(page_source: str) -> str:
    """The page's markdown without its code (where glue roles cannot be); a code
    cell's YAML header stays: figure captions may hold glue roles."""
    out, fence, header = [], None, None
    for line in page_source.splitlines():
        if fence is None and line.startswith("```{code-cell}"):
            fence, header = "```", "start"
        elif fence is not None and line.startswith(fence) and line.strip() == fence:
            fence = header = None
        elif fence is None:
            out.append(line)
        elif header == "start":
            header = "yaml" if line.strip() == "---" else None
        elif header == "yaml":
            if line.strip() == "---":
                header = None
            else:
                out.append(line)
    return "\n".join(out)


def glue_roles(page_file: Path) -> list[tuple[str, str]]:
    """Every (name, format) of a ``{glue:text}`` role in the page's prose, in order."""
    return GLUE_ROLE.findall(prose(page_file.read_text()))


def as_text(plain_text: str, spec: str) -> str:
    """A glued text/plain as myst-nb's ``{glue:text}`name:spec` `` writes it."""
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(plain_text, spec or "s")
