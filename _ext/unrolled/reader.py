"""Reader notebooks: each notebook page as a notebook that reads cleanly outside the
site (Colab, Binder, a download).

They are written from the page's *resolved* doctree, the one Sphinx hands its HTML
writer (``doctree-resolved``): glued values are filled in, citations, cross-references
and numbers resolved, so nothing here parses MyST. The prose between code cells becomes
Markdown (``markdown.py``); each code cell comes from the notebook myst-nb saved for the
page (``jupyter_execute/<page>.ipynb``; outputs from jupyter-cache where the build took
them from there), found by the ``cell_index`` myst-nb leaves on the cell's node.

In a reader notebook ``{doc}``/``{ref}``/``{numref}``/``{term}``/``{cite}`` are links to
the published site, exercises are headings ("### Exercise 3.2"), solution prose is
folded in ``<details>``, solution code cells are folded (``jupyter.source_hidden`` for
JupyterLab, a ``#@title`` form for Colab) without their outputs, and each figure's
numbered caption follows its cell. Cells tagged ``remove-cell`` are left out, except the
cell that installs ``rnnlib`` on Colab, which comes first with the quick switch.

The student edition (``editions.py``) is the same conversion with every solution's code
stubbed and its prose left out, written by the HTML build beside the reader notebook and
by ``make student`` without executing anything.
"""

import copy
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from docutils import nodes
from sphinx.util import logging

from unrolled.launch import (
    site_url,
)
from unrolled.markdown import Markdown

logger = logging.getLogger(__name__)

INSTALL_CELL = re.compile(
    r"^\s*%?pip install|find_spec\(\s*[\"']rnnlib[\"']\s*\)", re.M
)
HIDDEN_TAGS = {"remove-cell", "remove_cell"}
PLACEHOLDER = "glue-placeholder"  # a glued value of a page that did not execute


def is_cell(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


def kind(node) -> str:
    return type(node).__name__  # sphinx-exercise's nodes, without importing it


@dataclass
class Piece:
    """A run of the page in reading order: Markdown, or the code cell numbered
    ``index``; ``solution`` is the exercise's label inside its solution."""

    text: str = ""
    index: int | None = None
    solution: str | None = None
    caption: str | None = None


class PageReader:
    """One page's resolved doctree, as pieces of a notebook."""

    def __init__(self, app, docname: str, doctree):
        self.app, self.env, self.docname = app, app.env, docname
        page = site_url(app) + app.builder.get_target_uri(docname)
        self.page_url = page
        self.md = Markdown(lambda target: urljoin(page, target))
        self.title = self.env.titles[docname].astext()
        self.executed = not any(
            PLACEHOLDER in node["classes"] for node in doctree.findall(nodes.inline)
        )
        self.pieces: list[Piece] = []
        self.walk(doctree, None)

    # ------------------------------------------------------------ numbers

    def number(self, figtype: str, docname: str, node_id: str) -> str | None:
        numbers = self.env.toc_fignumbers.get(docname, {}).get(figtype, {})
        found = numbers.get(node_id)
        return ".".join(map(str, found)) if found else None

    def exercise_title(self, label: str) -> str:
        docname, anchor = self.env.get_domain("std").anonlabels.get(
            label, (self.docname, label)
        )
        number = self.number("exercise", docname, anchor)
        return f"Exercise {number}" if number else "Exercise"

    # ------------------------------------------------------------ the walk

    def add(self, text: str, solution: str | None):
        if text.strip():
            self.pieces.append(Piece(text=text, solution=solution))

    @staticmethod
    def level(node) -> int:
        """How deep a node sits: the number of titled sections around it."""
        depth = 0
        while node is not None:
            if isinstance(node, nodes.section) and isinstance(
                node.next_node(nodes.title), nodes.title
            ):
                depth += node.next_node(nodes.title).parent is node
            node = node.parent
        return depth

    def walk(self, parent, solution: str | None):
        for child in parent.children:
            self.visit(child, parent, solution)

    def visit(self, child, parent, solution: str | None):
        if isinstance(child, nodes.title) and isinstance(parent, nodes.section):
            heading = "#" * min(self.level(parent), 6)
            self.add(f"{heading} {self.md.inline(child)}", solution)
        elif is_cell(child):
            self.code(child, solution)
        elif kind(child) == "solution_node":
            self.walk_body(child, child["target_label"])
        elif kind(child) in ("exercise_enumerable_node", "exercise_node"):
            self.exercise(child, solution)
        elif isinstance(child, nodes.section) or any(child.findall(is_cell)):
            self.walk(child, solution)
        else:
            self.add(self.md.block(child), solution)

    def walk_body(self, node, solution):
        """The content of an exercise or a solution, without its title."""
        for child in node.children:
            if not isinstance(child, nodes.title):
                self.visit(child, node, solution)

    def exercise(self, node, solution):
        title = self.exercise_title(node["label"])
        subtitle = node.next_node(nodes.subtitle)
        if subtitle is not None:
            title += f" ({self.md.inline(subtitle)})"
        depth = min(max(3, self.level(node) + 1), 6)  # under a "## Exercises" heading
        self.add(f"{'#' * depth} {title}", solution)
        self.walk_body(node, solution)

    def code(self, node, solution):
        caption = None
        figure = next(node.findall(nodes.figure), None)
        text = figure.next_node(nodes.caption) if figure is not None else None
        if text is not None and figure["ids"]:
            number = self.number("figure", self.docname, figure["ids"][0])
            head = f"Figure {number}" if number else "Figure"
            caption = f"**{head}.** {self.md.inline(text)}"
        self.pieces.append(
            Piece(index=node["cell_index"], solution=solution, caption=caption)
        )


def merged(pieces: list[Piece]) -> list[Piece]:
    """Consecutive Markdown pieces with the same solution joined into one cell."""
    out: list[Piece] = []
    for piece in pieces:
        last = out[-1] if out else None
        if (
            piece.index is None
            and last is not None
            and last.index is None
            and last.solution == piece.solution
        ):
            last.text += "\n\n" + piece.text
        else:
            out.append(copy.copy(piece))
    return out
