"""A framework switch at the top of each section of a framework page: TensorFlow |
PyTorch.

Framework pages come in twins, ``book/NN-slug-tf`` and ``book/NN-slug-torch``, with the
same headings in the same order (tools/twins.py writes both from one source), so a
section has the same anchor on both. Under the page title and under each ``##``
heading this adds a small switch: the current framework, and a link to the same section
on the other page.
It is plain HTML, no script: it works in every browser and survives a reader's "open in
new tab".
"""

from html import escape

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from unrolled.numbering import TWIN_PAGE, twin_of

FRAMEWORK_NAMES = {"tf": "TensorFlow", "torch": "PyTorch"}
SECTION_DEPTH = 2  # the page title (1) and its ## sections (2)


def switch_html(current: str, other_href: str) -> str:
    options = []
    for framework, name in FRAMEWORK_NAMES.items():
        if framework == current:
            options.append(
                f'<span class="framework-switch__option framework-switch__current" '
                f'aria-current="page">{name}</span>'
            )
        else:
            options.append(
                f'<a class="framework-switch__option" href="{escape(other_href)}" '
                f'title="The same section in {name}">{name}</a>'
            )
    return (
        f'<nav class="framework-switch" aria-label="Framework">{"".join(options)}</nav>'
    )


class FrameworkSwitch(SphinxPostTransform):
    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs):
        docname = self.env.docname
        match = TWIN_PAGE.match(docname)
        other = twin_of(docname)
        if (
            not match
            or other not in self.env.found_docs
            or self.app.builder.name == "singlehtml"
        ):
            return
        other_uri = self.app.builder.get_relative_uri(docname, other)
        other_anchors = {anchor for anchor in self._anchors(other)}
        for section in list(self.document.findall(nodes.section)):
            depth = sum(
                1
                for ancestor in self._ancestors(section)
                if isinstance(ancestor, nodes.section)
            )
            if depth >= SECTION_DEPTH or not section["ids"]:
                continue
            anchor = section["ids"][0]
            href = (
                other_uri
                if depth == 0 or anchor not in other_anchors
                else f"{other_uri}#{anchor}"
            )
            title = section.next_node(nodes.title)
            switch = nodes.raw("", switch_html(match["framework"], href), format="html")
            title.parent.insert(title.parent.index(title) + 1, switch)

    def _anchors(self, docname):
        toc = self.env.tocs.get(docname)
        if toc is None:
            return
        for reference in toc.findall(nodes.reference):
            if reference.get("anchorname"):
                yield reference["anchorname"].lstrip("#")

    @staticmethod
    def _ancestors(node):
        node = node.parent
        while node is not None:
            yield node
            node = node.parent


def setup(app):
    app.add_post_transform(FrameworkSwitch)
