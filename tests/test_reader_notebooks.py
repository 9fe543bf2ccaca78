"""The reader notebooks (reader/NN-slug.ipynb in the built site): what Colab and a
download open.

Each must be a valid notebook that shows clean text: no MyST left, glued values filled
in, code as code cells, exercises numbered as on the site, solutions folded, and nothing
that would fail when run (the install cell for Colab first; no cell that uses what a
left-out cell defined).
"""

import ast
import json
import re

import jupytext
import nbformat
import pytest
from conftest import ROOT, notebook_pages
from site_helpers import exercises

pytestmark = pytest.mark.slow

PAGES = notebook_pages()
LEFTOVER_MYST = [
    "{glue",
    "{cite",
    "{term",
    "{doc",
    "{ref",
    "{numref",
    "```{exercise",
    "{solution",
    ":::",
    "{code-cell",
    "{nb-",
    "{eq}",
    "{math}",
    "(ex-",
    "+++",
]
GLUE_TEXT = re.compile(r"\{glue:text\}`(?P<key>[^`:]+)(?::(?P<fmt>[^`]*))?`")
LEFT_OUT = {"remove-cell"}


def reader(built_site, page):
    path = built_site / "reader" / f"{page.stem}.ipynb"
    assert path.exists(), f"no reader notebook {path.relative_to(built_site)}"
    return nbformat.read(path, as_version=4)


def source(page):
    return jupytext.read(page)


def markdown(notebook) -> str:
    return "\n\n".join(
        cell.source for cell in notebook.cells if cell.cell_type == "markdown"
    )


def solution_cell(cell) -> bool:
    return cell.source.startswith("#@title Solution to ")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_reader_notebook_is_valid_and_free_of_myst(built_site, page):
    notebook = reader(built_site, page)
    nbformat.validate(notebook)
    assert "jupytext" not in notebook.metadata, (
        "a reader notebook is not paired with a text file"
    )
    text = markdown(notebook)
    for syntax in LEFTOVER_MYST:
        assert syntax not in text, (
            f"MyST left in the reader notebook: {syntax!r} near "
            f"{text[max(0, text.find(syntax) - 80) : text.find(syntax) + 80]!r}"
        )
    assert not re.search(r"^\([\w-]+\)=\s*$", text, re.M), "a (label)= target is left"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_code_stays_code_in_cells(built_site, page):
    """Every code cell the reader should see is a code cell, in order; none became a
    Markdown fence."""
    kept = [
        cell.source.strip()
        for cell in source(page).cells
        if cell.cell_type == "code"
        and not LEFT_OUT & set(cell.metadata.get("tags", []))
    ]
    notebook = reader(built_site, page)
    code = [
        cell.source.removeprefix(cell.source.split("\n", 1)[0] + "\n").strip()
        if solution_cell(cell)
        else cell.source.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]
    missing = [cell for cell in kept if cell not in code]
    assert not missing, f"code cells missing from the reader notebook: {missing[:1]}"
    assert [cell for cell in code if cell in kept] == kept, "code cells out of order"
    text = markdown(notebook)
    for cell in kept:
        first_line = cell.split("\n", 1)[0]
        assert (
            f"```python\n{first_line}" not in text
            and f"```ipython3\n{first_line}" not in text
        ), first_line


@pytest.mark.parametrize(
    "page", [p for p in PAGES if GLUE_TEXT.search(p.read_text())], ids=lambda p: p.stem
)
def test_glued_values_read_as_the_page_shows_them(built_site, page):
    from myst_nb.core.variables import format_plain_text

    glue = json.loads(
        (
            built_site.parent / "jupyter_execute" / "book" / f"{page.stem}.glue.json"
        ).read_text()
    )
    plain = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    text = markdown(reader(built_site, page)).translate(
        plain
    )  # the site's curly quotes
    html = (built_site / "book" / f"{page.stem}.html").read_text().translate(plain)
    roles = {(m["key"], m["fmt"] or "") for m in GLUE_TEXT.finditer(page.read_text())}
    assert roles
    for key, fmt in roles:
        value = format_plain_text(glue[key]["data"]["text/plain"], fmt)
        assert "--" not in value, (
            f"{key}: Sphinx's smartquotes turn -- into a dash, so a command's flag in "
            "glued text reaches readers broken: name the command in the prose instead"
        )
        assert value in text, f"{key}: {value!r} is not in the reader notebook"
        assert value in html, f"{key}: {value!r} is not on the page either"


@pytest.mark.parametrize(
    "page", [p for p in PAGES if "{exercise}" in p.read_text()], ids=lambda p: p.stem
)
def test_exercises_are_headings_numbered_as_on_the_site(built_site, page):
    notebook = reader(built_site, page)
    on_site = [
        number for _, number in exercises(built_site / "book" / f"{page.stem}.html")
    ]
    headed = re.findall(r"^#{2,4} Exercise (\d+\.\d+)\b", markdown(notebook), re.M)
    assert headed == on_site, f"reader {headed} against the site's {on_site}"


SOLUTION_REGION = re.compile(
    r"`{3,}\{solution-start\}\s+(?P<label>\S+)[^\n]*\n(?:[^\n]*\n)*?`{3,}\n"
    r"(?P<body>.*?)`{3,}\{solution-end\}",
    re.S,
)
SOLUTION_BLOCK = re.compile(
    r"^(?P<fence>`{3,})\{solution\}\s+(?P<label>\S+)\n(?P<body>.*?)\n(?P=fence)$",
    re.S | re.M,
)
CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```$", re.S | re.M)


def solutions(page) -> dict[str, tuple[bool, int]]:
    """{exercise label: (its solution has prose, how many code cells it has)} from the
    page's source."""
    text, found = page.read_text(), {}
    for match in SOLUTION_REGION.finditer(text):
        prose = CODE_CELL.sub("", match["body"]).strip()
        shown = [
            cell
            for cell in CODE_CELL.findall(match["body"])
            if "remove-cell" not in cell.split("\n\n", 1)[0]
        ]
        found[match["label"]] = (bool(prose), len(shown))
    for match in SOLUTION_BLOCK.finditer(text):
        prose = re.sub(r"^:[\w-]+:.*$", "", match["body"], flags=re.M).strip()
        found[match["label"]] = (bool(prose), 0)
    return found


@pytest.mark.parametrize(
    "page", [p for p in PAGES if "{solution" in p.read_text()], ids=lambda p: p.stem
)
def test_solutions_are_folded(built_site, page):
    """Solution prose sits in a <details> block; solution code cells are folded, without
    their outputs."""
    notebook = reader(built_site, page)
    numbers = dict(exercises(built_site / "book" / f"{page.stem}.html"))
    text = markdown(notebook)
    expected = solutions(page)
    assert expected, "the page has solutions"
    for label, (prose, code_cells) in expected.items():
        title = f"Solution to Exercise {numbers[label]}"
        if prose:
            # a solution that starts with code folds that code first, then its prose
            # "(continued)"
            assert re.search(
                rf"<details>\n<summary><b>{re.escape(title)}( \(continued\))?</b>"
                r"</summary>",
                text,
            ), f"{label}: prose not folded"
        folded = [
            cell
            for cell in notebook.cells
            if cell.cell_type == "code" and cell.source.startswith(f"#@title {title}\n")
        ]
        assert len(folded) == code_cells, (
            f"{label}: {len(folded)} folded code cells, expected {code_cells}"
        )
    assert text.count("<details>") == text.count("</details>")
    for cell in notebook.cells:
        if cell.cell_type == "code" and solution_cell(cell):
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
                "JupyterLab folds it"
            )
            assert cell.metadata.get("cellView") == "form", (
                "Colab shows its #@title instead of its code"
            )
            assert not cell.outputs, "a solution's output gives the answer away"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_reader_notebook_runs_on_colab_as_it_stands(built_site, page):
    """The install cell comes before any other code; the quick switch is explained; no
    left-out cell is needed."""
    notebook = reader(built_site, page)
    original = source(page)
    install = [
        cell
        for cell in original.cells
        if cell.cell_type == "code" and "%pip install" in cell.source
    ]
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if install:
        assert code[0].source.strip() == install[0].source.strip(), (
            "the install cell comes first"
        )
        assert not code[0].metadata.get("tags"), "the install cell is visible"
    switch = 1 if install else 0  # the quick switch comes next
    if any("rnnlib" in cell.source for cell in code[switch:]):
        assert (
            "RNNLIB_QUICK" in markdown(notebook)
            and "RNNLIB_QUICK" in code[switch].source
        ), "the quick switch"
    defined_by_left_out = set()
    for cell in original.cells:
        if cell.cell_type != "code":
            continue
        names = assigned_and_read(cell.source)
        if LEFT_OUT & set(cell.metadata.get("tags", [])):
            defined_by_left_out |= names[0]
        else:
            needed = (names[1] - names[0]) & defined_by_left_out
            assert not needed, (
                f"this cell needs {needed}, which only a remove-cell cell defines: "
                f"{cell.source[:80]!r}"
            )
            defined_by_left_out -= names[0]


def assigned_and_read(code: str) -> tuple[set, set]:
    """(names a cell binds, names it reads); IPython's % and ! lines become the Python
    IPython runs."""
    from IPython.core.inputtransformer2 import TransformerManager

    tree = ast.parse(TransformerManager().transform_cell(code))
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):  # a parameter is bound inside its function
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {
                (alias.asname or alias.name).split(".")[0] for alias in node.names
            }
    return bound, read


def test_reader_notebooks_link_to_the_site_and_number_figures(built_site):
    notebook = reader(built_site, ROOT / "book" / "02-expected-loss.md")
    text = markdown(notebook)
    assert "**Figure 2.2.** The expected cross-entropy" in text, (
        "the figure's caption follows its cell"
    )
    assert re.search(
        r"\(\[Cover and Thomas 2006\]\(https://[^)]+/bibliography\.html#[\w-]+\)\)",
        text,
    ), "(Author Year), linked to its entry"
    torch = markdown(reader(built_site, ROOT / "book" / "03-hand-rolled-cell-torch.md"))
    assert re.search(
        r"\[[Tt]runcated backprop\]"
        r"\(https://[^)]+/glossary\.html#term-truncated-backprop\)",
        torch,
    )
    assert re.search(
        r"\[the last exercise\]\(https://[^)]+/03-hand-rolled-cell-torch\.html"
        r"#ex-torch-across\)",
        torch,
    )
