"""Reader notebooks: each page as a notebook that reads cleanly outside the site (Colab,
a download).

A page's notebook holds MyST: ``{glue:text}`` roles, ``{cite}``, ``{doc}``, exercise and
solution fences, cells the site hides. Opened on Colab or in JupyterLab those show as
raw syntax. After the HTML build, this module writes ``<html>/reader/NN-slug.ipynb`` for
every notebook page, from what the build already has (nothing runs a second time):

- the executed notebook myst-nb saved (``jupyter_execute/<page>.ipynb``) and its glued
  values (``<page>.glue.json``);
- the Sphinx environment: page titles, labels, exercise and figure numbers (as numbered
  per chapter by ``numbering.py``), glossary terms, bibliography labels
  (``bibliography.py``).

In the reader notebook glue roles are the values the page shows, citations read "(Pitis
2016a)", ``{doc}``/``{ref}``/``{numref}`` are links to the published site, terms link to
the glossary, exercises are headings ("### Exercise 3.2"), solution prose is folded in
``<details>``, and solution code cells are folded (``jupyter.source_hidden`` for
JupyterLab, a ``#@title`` form for Colab) with their outputs removed. Cells tagged
``remove-cell`` are left out, except the cell that installs ``rnnlib`` on Colab; a note
on the quick switch and a cell that sets it come first.

The page's download button offers this notebook, and its Colab and Binder buttons open
it from the ``gh-pages`` branch that ``make publish`` pushes the site to
(``launch_links``).
"""

import copy
import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import nbformat
from sphinx.util import logging

from unrolled.bibliography import label_of

logger = logging.getLogger(__name__)

READER_DIR = "reader"  # in the built site: <html>/reader/NN-slug.ipynb
STUDENT_DIR = "student"  # the student edition: <html>/student/NN-slug.ipynb
# Where `make publish` (ghp-import) puts the built site; the launch buttons open the
# notebooks there. `make release` builds with UNROLLED_LAUNCH_REF=book-vX.Y.Z, a tag of
# that branch, so a course's links do not move.
PUBLISH_BRANCH = os.environ.get("UNROLLED_LAUNCH_REF") or "gh-pages"
# The folder nbgitpuller clones the published site into, on Binder.
BINDER_TARGET = "reader-notebooks"
INSTALL_CELL = re.compile(
    r"^\s*%?pip install|find_spec\(\s*[\"']rnnlib[\"']\s*\)", re.M
)
HIDDEN_TAGS = {"remove-cell", "remove_cell"}


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


def has_exercises(app, docname: str) -> bool:
    """Whether the page has exercises, and so a student edition."""
    return "{exercise}" in Path(app.env.doc2path(docname)).read_text()


def launch_links(app, pagename, templatename, context, doctree):
    """Colab, Binder and the download button open the reader notebook of a notebook
    page; on a page with exercises, "Exercises in Colab" opens its student edition."""
    if app.builder.format != "html" or not executed_notebook(app, pagename).exists():
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


# ---------------------------------------------------------------- the build's data


def executed_notebook(app, docname: str) -> Path:
    """Where myst-nb saved the page's executed notebook (its output folder, next to the
    html folder)."""
    folder = (
        getattr(app.env, "mystnb_config", None) and app.env.mystnb_config.output_folder
    )
    return (
        Path(folder or Path(app.outdir).parent / "jupyter_execute") / f"{docname}.ipynb"
    )


@dataclass
class Page:
    """What converting one page needs: the Sphinx app, the page, its glued values."""

    app: object
    docname: str
    glue: dict = field(default_factory=dict)
    in_solution: str | None = (
        None  # the exercise label while inside solution-start ... solution-end
    )
    solutions_begun: set = field(
        default_factory=set
    )  # solutions whose first folded block is written
    figure_ids: list = field(default_factory=list)
    student: bool = False  # the student edition: solutions stubbed or left out

    @property
    def env(self):
        return self.app.env

    def url(self, docname: str, anchor: str = "") -> str:
        target = site_url(self.app) + self.app.builder.get_target_uri(docname)
        return f"{target}#{anchor}" if anchor else target

    def resolve_doc(self, target: str) -> str | None:
        target = target.strip().removesuffix(".md").removesuffix(".ipynb")
        if target.startswith("/"):
            candidate = target.lstrip("/")
        else:
            base = self.docname.rsplit("/", 1)[0] + "/" if "/" in self.docname else ""
            candidate = posixpath.normpath(base + target)
        return candidate if candidate in self.env.found_docs else None

    def label(self, name: str):
        """(docname, anchor, section title) of a label, or None."""
        labels = self.env.domaindata["std"]["labels"]
        anon = self.env.domaindata["std"]["anonlabels"]
        if name in labels:
            return labels[name]
        if name in anon:
            docname, anchor = anon[name]
            return docname, anchor, ""
        return None

    def number(self, docname: str, anchor: str):
        """('exercise', '3.2') for a numbered node, or (None, None)."""
        for figtype, numbers in self.env.toc_fignumbers.get(docname, {}).items():
            if anchor in numbers:
                return figtype, ".".join(map(str, numbers[anchor]))
        return None, None

    def numbered_title(self, figtype: str, number: str) -> str:
        fmt = self.app.config.numfig_format.get(figtype, figtype.capitalize() + " %s")
        return fmt % number

    def exercise_title(self, name: str) -> str:
        target = self.label(name)
        if target:
            figtype, number = self.number(target[0], target[1])
            if number:
                return self.numbered_title(figtype, number)
        return "Exercise"


# ---------------------------------------------------------------- roles

ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:+-]*)\}`(?P<content>[^`]+)`")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def split_explicit(content: str) -> tuple[str | None, str]:
    match = EXPLICIT.match(content.strip())
    return (
        (match["text"], match["target"].strip()) if match else (None, content.strip())
    )


def link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def format_glued(page: Page, content: str, kind: str) -> str:
    """A glued value as the page shows it: {glue:text}`key:.4f` formats text/plain as
    myst-nb does."""
    from myst_nb.core.variables import format_plain_text

    key, fmt = content.strip(), ""
    if kind == "text" and ":" in key:
        key, fmt = key.rsplit(":", 1)
    data = page.glue.get(key, {}).get("data", {})
    if kind == "md" and "text/markdown" in data:
        return data["text/markdown"]
    if "text/plain" not in data:
        logger.warning(f"reader notebook {page.docname}: no glued value {key!r}")
        return key
    return format_plain_text(data["text/plain"], fmt)


def glossary_entry(page: Page, term: str):
    objects = page.env.domaindata["std"]["objects"]
    for (objtype, name), entry in objects.items():
        if objtype == "term" and name.lower() == term.lower():
            return entry
    return None


def role(page: Page, match: re.Match) -> str:
    name, content = match["name"], match["content"]
    if name in ("glue", "glue:any", "glue:text", "glue:md"):
        return format_glued(page, content, name.partition(":")[2] or "any")
    if name.startswith("cite"):
        keys = [key.strip() for key in content.split(",") if key.strip()]
        labels = [label_of(page.env, key) or key for key in keys]
        bibliography = next(
            (doc for doc in page.env.found_docs if doc.endswith("bibliography")), None
        )

        def cited(text):
            return link(text, page.url(bibliography)) if bibliography else text

        if name in ("cite:t", "cite:ct", "cite:ts", "cite:cts"):
            return "; ".join(
                f"{label.rsplit(' ', 1)[0]} ({cited(label.rsplit(' ', 1)[-1])})"
                for label in labels
            )
        return "(" + "; ".join(cited(label) for label in labels) + ")"
    if name == "term":
        text, target = split_explicit(content)
        term = glossary_entry(page, target)
        shown = text or target
        return link(shown, page.url(term[0], term[1])) if term else shown
    if name == "doc":
        text, target = split_explicit(content)
        docname = page.resolve_doc(target)
        if docname is None:
            return text or target
        return link(text or page.env.titles[docname].astext(), page.url(docname))
    if name in ("ref", "numref"):
        text, target = split_explicit(content)
        found = page.label(target)
        if found is None:
            return text or target
        docname, anchor, section = found
        figtype, number = page.number(docname, anchor)
        if text and name == "numref" and number:
            shown = text.replace("%s", number).replace("{number}", number)
        elif text:
            shown = text
        elif number:
            shown = page.numbered_title(figtype, number)
        else:
            shown = section or target
        return link(shown, page.url(docname, anchor))
    if name == "math":
        return f"${content}$"
    if name == "nb-runtime":
        from myst_nb.sphinx_ import NbMetadataCollector

        from unrolled import format_seconds

        data = (
            NbMetadataCollector.get_doc_data(page.env)
            .get(content.strip(), {})
            .get("exec_data")
            or {}
        )
        return format_seconds(data.get("runtime"))
    if name in ("sub", "sup"):
        return f"<{name}>{content}</{name}>"
    if name in ("code", "samp", "kbd", "file", "command", "literal"):
        return f"`{content}`"
    # Any other role: its text, without a target.
    text, target = split_explicit(content)
    return text or target


def convert_inline(page: Page, text: str) -> str:
    """Roles, link targets and MyST-only lines in a run of Markdown that is not a code
    fence."""
    lines = []
    for line in text.split("\n"):
        if (
            re.match(r"^\s*\([^()\s]+\)=\s*$", line)
            or re.match(r"^\s*%", line)
            or line.strip() == "+++"
        ):
            continue  # (label)= targets, % comments, +++ cell breaks
        lines.append(line)
    text = "\n".join(lines)
    text = convert_links(page, text)
    text = ROLE.sub(lambda match: role(page, match), text)
    substitutions = getattr(page.app.config, "myst_substitutions", {}) or {}
    return re.sub(
        r"\{\{\s*(\w+)\s*\}\}", lambda m: str(substitutions.get(m[1], m[0])), text
    )


MD_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")


def convert_links(page: Page, text: str) -> str:
    def replace(match):
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, ...
            return match[0]
        path, _, anchor = target.partition("#")
        if path:
            docname = page.resolve_doc(path)
            if docname:
                return link(
                    match["text"] or page.env.titles[docname].astext(),
                    page.url(docname, anchor),
                )
            found = page.label(path) if not anchor else None
        else:
            found = page.label(anchor)
        if found:
            return link(
                match["text"] or found[2] or anchor, page.url(found[0], found[1])
            )
        return match[0]

    return MD_LINK.sub(replace, text)


# ---------------------------------------------------------------- directives

FENCE_OPEN = re.compile(
    r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})(?:\{(?P<name>[^}]+)\})?(?P<arg>.*)$"
)
ADMONITIONS = {
    "note",
    "tip",
    "hint",
    "important",
    "warning",
    "caution",
    "attention",
    "danger",
    "error",
    "seealso",
    "admonition",
    "margin",
    "sidebar",
    "topic",
    "epigraph",
    "pull-quote",
}


@dataclass
class Block:
    kind: str  # "text", "code" (a plain fence, kept as it is) or "directive"
    text: str = ""
    name: str = ""
    argument: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""


def parse_blocks(text: str) -> list[Block]:
    """Split Markdown into runs of text, plain code fences and directive fences (top
    level only)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    buffer: list[str] = []
    index = 0
    while index < len(lines):
        opening = FENCE_OPEN.match(lines[index])
        if not opening:
            buffer.append(lines[index])
            index += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next(
            (j for j in range(index + 1, len(lines)) if closing.match(lines[j])),
            len(lines),
        )
        if buffer:
            blocks.append(Block("text", "\n".join(buffer)))
            buffer = []
        inner = lines[index + 1 : end]
        if opening["name"] is None:
            blocks.append(Block("code", "\n".join(lines[index : end + 1])))
        else:
            options, body = parse_options(inner)
            blocks.append(
                Block(
                    "directive",
                    name=opening["name"].strip(),
                    argument=opening["arg"].strip(),
                    options=options,
                    body="\n".join(body),
                )
            )
        index = end + 1
    if buffer:
        blocks.append(Block("text", "\n".join(buffer)))
    return blocks


def parse_options(lines: list[str]) -> tuple[dict, list[str]]:
    options: dict = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            import yaml

            options = yaml.safe_load("\n".join(lines[1:end])) or {}
            return options, lines[end + 1 :]
    index = 0
    while index < len(lines):
        match = re.match(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$", lines[index])
        if not match:
            break
        options[match["key"]] = match["value"].strip()
        index += 1
    return options, lines[index:]


def blockquote(text: str) -> str:
    return "\n".join(
        f"> {line}" if line.strip() else ">" for line in text.strip("\n").split("\n")
    )


def details(summary: str, body: str) -> str:
    summary = f"<summary><b>{summary}</b></summary>"
    return f"<details>\n{summary}\n\n{body.strip()}\n\n</details>"


def directive(page: Page, block: Block) -> str:
    name, argument, body = block.name, block.argument, block.body
    if name == "exercise":
        label = block.options.get("label", "")
        title = page.exercise_title(label) if label else "Exercise"
        subtitle = f" ({convert_markdown(page, argument)})" if argument else ""
        return f"### {title}{subtitle}\n\n{convert_markdown(page, body).strip()}"
    if name == "solution":
        if page.student:
            return ""
        return details(
            f"Solution to {page.exercise_title(argument)}", convert_markdown(page, body)
        )
    if name == "solution-start":
        page.in_solution = argument
        return ""
    if name == "solution-end":
        page.in_solution = None
        return ""
    if name == "math":
        return f"$$\n{body.strip()}\n$$"
    if name in ("code-block", "code", "sourcecode"):
        return f"```{argument}\n{body}\n```"
    if name == "dropdown":
        return details(
            convert_markdown(page, argument) or "Details", convert_markdown(page, body)
        )
    if name in ADMONITIONS:
        title = convert_markdown(page, argument) if argument else name.capitalize()
        return blockquote(f"**{title}**\n\n{convert_markdown(page, body).strip()}")
    if name in ("figure", "image"):
        alt = block.options.get("alt", "")
        return f"![{alt}]({argument})\n\n{convert_markdown(page, body).strip()}".strip()
    if name == "raw" and argument.strip() == "html":
        return body
    if name in ("toctree", "bibliography", "glossary", "contents", "tableofcontents"):
        return ""
    if name == "nb-exec-table":
        return execution_table(page)
    # Any other directive: its argument as a bold line, then its content.
    head = f"**{convert_markdown(page, argument)}**\n\n" if argument else ""
    return (head + convert_markdown(page, body)).strip()


def execution_table(page: Page) -> str:
    from myst_nb.sphinx_ import NbMetadataCollector

    from unrolled import format_seconds

    rows = ["| Notebook | Run time |", "|---|---|"]
    for docname, data in sorted(NbMetadataCollector.get_doc_data(page.env).items()):
        exec_data = data.get("exec_data")
        if exec_data:
            rows.append(
                f"| {link(page.env.titles[docname].astext(), page.url(docname))} | "
                f"{format_seconds(exec_data.get('runtime'))} |"
            )
    return "\n".join(rows)


def convert_markdown(page: Page, text: str) -> str:
    """Convert MyST Markdown (roles, directives, targets) to Markdown that Jupyter and
    Colab render."""
    parts = []
    for block in parse_blocks(text):
        if block.kind == "code":
            parts.append(block.text)
        elif block.kind == "text":
            parts.append(convert_inline(page, block.text))
        else:
            parts.append(directive(page, block))
    return "\n".join(part for part in parts if part is not None)


def markdown_cell_sources(page: Page, source: str) -> list[str]:
    """A markdown cell's text, converted; runs inside a solution are folded, each in its
    own <details>."""
    pieces: list[tuple[str | None, str]] = []  # (solution label or None, markdown)
    for block in parse_blocks(source):
        if block.kind == "directive" and block.name in (
            "solution-start",
            "solution-end",
        ):
            directive(page, block)
            continue
        text = (
            block.text
            if block.kind == "code"
            else convert_inline(page, block.text)
            if block.kind == "text"
            else directive(page, block)
        )
        if text.strip():
            if pieces and pieces[-1][0] == page.in_solution:
                pieces[-1] = (
                    page.in_solution,
                    pieces[-1][1] + "\n\n" + text.strip("\n"),
                )
            else:
                pieces.append((page.in_solution, text.strip("\n")))
    out = []
    for solution, text in pieces:
        if solution and page.student:
            continue
        if solution:
            more = " (continued)" if solution in page.solutions_begun else ""
            out.append(
                details(f"Solution to {page.exercise_title(solution)}{more}", text)
            )
            page.solutions_begun.add(solution)
        else:
            out.append(text)
    return ["\n\n".join(out)] if out else []


# ---------------------------------------------------------------- cells


def quick_switch_cells(page: Page) -> list:
    return [
        nbformat.v4.new_markdown_cell(
            f"*This notebook is a page of [Unrolled]({site_url(page.app)}), where you "
            "can read it with its figures and cross-references: "
            f"[{page.env.titles[page.docname].astext()}]({page.url(page.docname)}). "
            + (
                "This is its student edition: each exercise's code is left for you "
                "(a cell that raises `NotImplementedError`), and the check cells "
                "after it tell you when your answer is right.*\n\n"
                if page.student
                else "The outputs below are the book's; run the cells to make your "
                "own.*\n\n"
            )
            + "**The quick switch.** Every chapter runs at the book's full size by "
            'default. Set `RNNLIB_QUICK` to `"1"` in the next cell (before any '
            "`rnnlib` code runs) and the notebook shrinks its data and epochs so "
            "that every cell runs in seconds, on a laptop or on a free Colab machine; "
            "the numbers then differ from the book's, but the code is the same."
        ),
        nbformat.v4.new_code_cell(
            "import os\n\n"
            '# "1": the quick size, every cell in seconds; "0": the full size.\n'
            'os.environ.setdefault("RNNLIB_QUICK", "0")'
        ),
    ]


def solution_code(page: Page, cell):
    title = f"Solution to {page.exercise_title(page.in_solution)}"
    page.solutions_begun.add(page.in_solution)
    cell = copy.deepcopy(cell)
    cell.source = f"#@title {title}\n" + cell.source
    cell.outputs = []
    cell.execution_count = None
    cell.metadata["jupyter"] = {
        "source_hidden": True,
        "outputs_hidden": True,
    }  # JupyterLab
    cell.metadata["cellView"] = (
        "form"  # Colab: the #@title line shows, the code is folded
    )
    return cell


def clean_code_cell(cell):
    cell = copy.deepcopy(cell)
    tags = [tag for tag in cell.metadata.get("tags", []) if tag not in HIDDEN_TAGS]
    jupyter = {}
    if {"hide-input", "remove-input", "hide-cell"} & set(tags):
        jupyter["source_hidden"] = True
    if {"hide-output", "hide-cell"} & set(tags):
        jupyter["outputs_hidden"] = True
    if "remove-output" in tags:
        cell.outputs = []
    metadata = {
        key: value
        for key, value in cell.metadata.items()
        if key not in ("tags", "mystnb", "execution", "editable", "slideshow")
    }
    if jupyter:
        metadata["jupyter"] = jupyter
    cell.metadata = nbformat.NotebookNode(metadata)
    return cell


def figure_caption(page: Page, cell) -> str | None:
    figure = (cell.metadata.get("mystnb") or {}).get("figure")
    if not figure or not figure.get("caption"):
        return None
    name = figure.get("name")
    numbers = page.env.toc_fignumbers.get(page.docname, {}).get("figure", {})
    number = numbers.get(name) if name else None
    if number is None and page.figure_ids:
        number = numbers.get(page.figure_ids.pop(0))
    elif name in page.figure_ids:
        page.figure_ids.remove(name)
    caption = convert_markdown(page, str(figure["caption"])).strip()
    title = (
        page.numbered_title("figure", ".".join(map(str, number)))
        if number
        else "Figure"
    )
    return f"**{title}.** {caption}"


def with_outputs(app, notebook):
    """The notebook with its outputs from jupyter-cache.

    myst-nb saves the executed notebook with its outputs only when it ran it in this
    build; when it took the outputs from jupyter-cache it saves the notebook without
    them. The cache has them either way (matched by the code of the cells); glued values
    that the page does not display are dropped.
    """
    from myst_nb.ext.glue import extract_glue_data_cell

    config = app.env.mystnb_config
    cache_path = Path(config.execution_cache_path or "")
    if config.execution_mode == "cache" and (cache_path / "global.db").exists():
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
        except KeyError:
            pass  # not in the cache: keep the outputs it has, if any
    for cell in notebook.cells:
        if cell.cell_type == "code":
            extract_glue_data_cell(
                cell
            )  # drops the outputs of glue(..., display=False)
    return notebook


def student_code(page: Page, cell):
    """A solution's code cell in the student edition: a check cell as it is, any other
    cell a stub (unrolled.editions.stub); no outputs."""
    from unrolled.editions import CHECK_TAG, stub

    is_check = CHECK_TAG in (cell.metadata.get("tags") or [])
    cell = clean_code_cell(cell)
    cell.outputs, cell.execution_count = [], None
    if not is_check:
        title = page.exercise_title(page.in_solution)
        cell.source = stub(cell.source, title.rsplit(" ", 1)[-1])
    return cell


def reader_notebook(app, docname: str, student: bool = False):
    """The reader notebook of one page, from the executed notebook the build saved;
    with ``student``, its student edition: solutions stubbed or left out, no outputs."""
    executed = executed_notebook(app, docname)
    notebook = with_outputs(app, nbformat.read(executed, as_version=4))
    glue_file = executed.with_suffix(".glue.json")
    page = Page(
        app, docname, json.loads(glue_file.read_text()) if glue_file.exists() else {}
    )
    page.student = student
    page.figure_ids = list(app.env.toc_fignumbers.get(docname, {}).get("figure", {}))

    cells, install = [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cells += [
                nbformat.v4.new_markdown_cell(text)
                for text in markdown_cell_sources(page, cell.source)
            ]
        elif cell.cell_type == "code":
            hidden = HIDDEN_TAGS & set(cell.metadata.get("tags", []))
            if hidden:
                if install is None and INSTALL_CELL.search(cell.source):
                    install = clean_code_cell(cell)
                    install.outputs, install.execution_count = [], None
                continue
            caption = figure_caption(page, cell)
            if page.student and page.in_solution:
                cells.append(student_code(page, cell))
                continue
            cells.append(
                solution_code(page, cell) if page.in_solution else clean_code_cell(cell)
            )
            if caption:
                cells.append(nbformat.v4.new_markdown_cell(caption))
        else:
            cells.append(copy.deepcopy(cell))

    uses_rnnlib = any(
        cell.cell_type == "code" and "rnnlib" in cell.source for cell in cells
    )
    front = ([install] if install is not None else []) + (
        quick_switch_cells(page) if uses_rnnlib else []
    )
    title_end = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells = cells[:title_end] + front + cells[title_end:]

    reader = nbformat.v4.new_notebook()
    reader.cells = cells
    reader.metadata = nbformat.NotebookNode(
        {
            key: value
            for key, value in notebook.metadata.items()
            if key in ("kernelspec", "language_info")
        }
    )
    reader.metadata["colab"] = {"name": reader_name(docname), "provenance": []}
    if student:
        for cell in reader.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    reader.nbformat, reader.nbformat_minor = 4, 5
    for index, cell in enumerate(reader.cells):
        cell["id"] = f"cell-{index}"
    nbformat.validate(reader)
    return reader


def write_reader_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target, students = Path(app.outdir) / READER_DIR, Path(app.outdir) / STUDENT_DIR
    target.mkdir(exist_ok=True)
    written = set()
    for docname in sorted(app.env.found_docs):
        if not executed_notebook(app, docname).exists():
            continue
        name = reader_name(docname)
        if name in written:
            logger.warning(f"reader notebooks: two pages named {name}")
        written.add(name)
        nbformat.write(reader_notebook(app, docname), target / name)
        if has_exercises(app, docname):
            students.mkdir(exist_ok=True)
            nbformat.write(reader_notebook(app, docname, student=True), students / name)
    for folder in (target, students):
        for stale in folder.glob("*.ipynb"):
            if stale.name not in written:
                stale.unlink()


def setup(app):
    app.connect("config-inited", set_site_url)
    app.connect(
        "html-page-context", launch_links, priority=900
    )  # after the theme's buttons
    app.connect("build-finished", write_reader_notebooks)
