"""A resolved doctree as the Markdown that Jupyter and Colab render.

By the time Sphinx writes a page, MyST is gone: glued values are text, citations are
"(Pitis 2016a)" linked to the bibliography, ``{doc}``, ``{ref}``, ``{numref}`` and
``{term}`` are links with their numbers and titles, math is math. This module writes
those nodes back as CommonMark (with GitHub tables, ``$`` math, ``<details>``): a few
dozen node types, each a line or two. ``reader.py`` decides what becomes a cell;
``to_markdown`` turns everything in between into text.

- Links become absolute (``url(refuri)``): a reader notebook opens on Colab, far from
  the site, so every cross-reference points at the published page.
- Soft line breaks become spaces: a paragraph is one line, so no line of it can start
  a list or a heading by accident.
- Raw HTML (the site's framework switch, Thebe's configuration) and index entries,
  targets and comments are the site's business and are left out.

Why not a library: sphinx-tojupyter (0.6 on PyPI) converts pages in a builder of its
own, a second build beside the HTML one; its own notes list admonitions, ``:::`` fences
and nested directives as degraded or missing, and it documents nothing for
sphinx-exercise's numbered exercises and gated solutions. A Markdown builder
(sphinx-markdown-builder) writes whole pages, not cells. The nodes this book uses fit in
this module.
"""

import re
from collections.abc import Callable

from docutils import nodes

SPECIAL = re.compile(r"([\\`*\[\]<>$|~])")
# an underscore opens or closes emphasis only at a word's edge; snake_case stays as is
EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
BLOCK_START = re.compile(r"^(\s*)([#+=-]|\d+[.)])(?=\s|$)")
ADMONITIONS = (nodes.Admonition, nodes.topic, nodes.sidebar)
SKIPPED = (
    nodes.raw,
    nodes.target,
    nodes.comment,
    nodes.substitution_definition,
    nodes.system_message,
    nodes.problematic,
    nodes.colspec,
)


def escape(text: str) -> str:
    """Plain text as Markdown that shows exactly that text."""
    text = SPECIAL.sub(r"\\\1", " ".join(text.split("\n")))
    return EDGE_UNDERSCORE.sub(r"\\_", text)


def code_span(text: str) -> str:
    text = " ".join(text.split("\n"))
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(code: str, language: str = "") -> str:
    ticks = "`" * max(3, max((len(r) for r in re.findall("`+", code)), default=0) + 1)
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}"


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def indent(text: str, prefix: str) -> str:
    pad = " " * len(prefix)
    lines = text.split("\n")
    return "\n".join(
        [prefix + lines[0]] + [pad + line if line else "" for line in lines[1:]]
    )


def wrap(marker: str, inner: str) -> str:
    """*emphasis* or **strong** around text whose edges may be spaces."""
    stripped = inner.strip()
    if not stripped:
        return inner
    left = inner[: len(inner) - len(inner.lstrip())]
    right = inner[len(inner.rstrip()) :]
    return f"{left}{marker}{stripped}{marker}{right}"


class Markdown:
    """Converts nodes of one page; ``url`` makes a link's target absolute."""

    def __init__(self, url: Callable[[str], str]):
        self.url = url
        self.in_link = False

    # ------------------------------------------------------------ blocks

    def blocks(self, children) -> str:
        parts = [self.block(child) for child in children]
        return "\n\n".join(part for part in parts if part.strip())

    def block(self, node) -> str:
        if isinstance(node, SKIPPED) or isinstance(node, nodes.Invisible):
            return ""
        if isinstance(node, nodes.section):
            return self.section(node)
        if isinstance(node, nodes.paragraph):
            return self.paragraph(node)
        if isinstance(node, nodes.literal_block):
            return fence(node.astext(), node.get("language", ""))
        if isinstance(node, nodes.math_block):
            return f"$$\n{node.astext().strip()}\n$$"
        if isinstance(node, nodes.bullet_list | nodes.enumerated_list):
            return self.list(node)
        if isinstance(node, nodes.definition_list):
            return "\n\n".join(self.definition(item) for item in node.children)
        if isinstance(node, nodes.block_quote):
            return quote(self.blocks(node.children))
        if isinstance(node, nodes.table):
            return self.table(node)
        if isinstance(node, ADMONITIONS):
            return self.admonition(node)
        if isinstance(node, nodes.figure):
            return self.blocks(node.children)
        if isinstance(node, nodes.caption | nodes.rubric):
            return f"**{self.inline(node)}**"
        if isinstance(node, nodes.image):
            return self.image(node)
        if isinstance(node, nodes.line_block):
            return "  \n".join(self.inline(line) for line in node.children)
        if isinstance(node, nodes.transition):
            return "---"
        if isinstance(node, nodes.citation):
            label = node.next_node(nodes.label)
            body = [child for child in node.children if child is not label]
            return f"**{label.astext() if label else ''}** {self.blocks(body)}".strip()
        if isinstance(node, nodes.TextElement):
            return self.paragraph(node)
        return self.blocks(node.children)

    def section(self, node) -> str:
        title = node.next_node(nodes.title)
        body = [child for child in node.children if child is not title]
        if title is None or title.parent is not node:
            return self.blocks(body)
        level = min(6, 1 + sum(1 for _ in ancestors(node, nodes.section)))
        return self.blocks_with(f"{'#' * level} {self.inline(title)}", body)

    def blocks_with(self, head: str, children) -> str:
        rest = self.blocks(children)
        return f"{head}\n\n{rest}" if rest else head

    def paragraph(self, node) -> str:
        text = self.inline(node).strip()
        return BLOCK_START.sub(r"\1\\\2", text)

    def list(self, node) -> str:
        start = node.get("start", 1)
        items = [
            indent(
                self.blocks(item),
                "- " if isinstance(node, nodes.bullet_list) else f"{start + i}. ",
            )
            for i, item in enumerate(node.children)
        ]
        loose = any("\n\n" in item for item in items)
        return ("\n\n" if loose else "\n").join(items)

    def definition(self, item) -> str:
        terms = [self.inline(t) for t in item.children if isinstance(t, nodes.term)]
        body = [c for c in item.children if isinstance(c, nodes.definition)]
        head = "**" + "**, **".join(term.strip() for term in terms) + "**"
        return self.blocks_with(head, [c for d in body for c in d.children])

    def admonition(self, node) -> str:
        title = node.next_node(nodes.title)
        if title is not None and title.parent is node:
            head = self.inline(title)
        else:
            head = type(node).__name__.replace("_", " ").capitalize()
        body = [child for child in node.children if child is not title]
        return quote(self.blocks_with(f"**{head}**", body))

    def table(self, node) -> str:
        rows = []
        parts = [p for p in node.findall() if isinstance(p, nodes.thead | nodes.tbody)]
        for part in parts:
            for row in part.children:
                cells = [
                    self.blocks(entry.children).replace("\n", " ")
                    for entry in row.children
                ]
                rows.append("| " + " | ".join(cells) + " |")
        if not rows:
            return ""
        columns = rows[0].count(" | ") + 1
        rows.insert(1, "|" + "---|" * columns)
        title = node.next_node(nodes.title)
        head = f"**{self.inline(title)}**\n\n" if title is not None else ""
        return head + "\n".join(rows)

    def image(self, node) -> str:
        return f"![{escape(node.get('alt', ''))}]({self.url(node.get('uri', ''))})"

    # ------------------------------------------------------------ inline

    def inline(self, node) -> str:
        return "".join(self.span(child) for child in node.children)

    def span(self, node) -> str:
        if isinstance(node, nodes.Text):
            return escape(node.astext())
        if isinstance(node, SKIPPED) or isinstance(node, nodes.Invisible):
            return ""
        if isinstance(node, nodes.literal):
            return code_span(node.astext())
        if isinstance(node, nodes.math):
            return f"${' '.join(node.astext().split())}$"
        if isinstance(node, nodes.emphasis):
            return wrap("*", self.inline(node))
        if isinstance(node, nodes.strong):
            return wrap("**", self.inline(node))
        if isinstance(node, nodes.subscript | nodes.superscript):
            tag = "sub" if isinstance(node, nodes.subscript) else "sup"
            return f"<{tag}>{self.inline(node)}</{tag}>"
        if isinstance(node, nodes.image):
            return self.image(node)
        if isinstance(node, nodes.reference):
            return self.reference(node)
        if isinstance(node, nodes.footnote_reference):
            return f"[{node.astext()}]"
        return self.inline(node)

    def reference(self, node) -> str:
        if self.in_link:
            return self.inline(node)
        target = node.get("refuri") or ("#" + node["refid"] if "refid" in node else "")
        self.in_link = True
        try:
            text = self.inline(node)
        finally:
            self.in_link = False
        return f"[{text}]({self.url(target)})" if target else text


def ancestors(node, kind):
    node = node.parent
    while node is not None:
        if isinstance(node, kind):
            yield node
        node = node.parent


def to_markdown(node_or_nodes, url: Callable[[str], str]) -> str:
    converter = Markdown(url)
    if isinstance(node_or_nodes, nodes.Node):
        return converter.block(node_or_nodes)
    return converter.blocks(node_or_nodes)
