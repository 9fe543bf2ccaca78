"""One source: code a page writes out and rnnlib also holds is the same code.

The convention (CONTRIBUTING.md): a code cell whose definitions rnnlib also holds
carries the option ``:same-as: rnnlib.MODULE``; every function and class it defines must
be the same as the one of that name in the module, after normalising (docstrings,
type annotations, comments and layout are ignored, and so are statements that only
check arguments: calls of functions named ``check_*`` or ``_check*``, wherever they
are). A class on a page may show fewer methods
than the library's; those it shows must match. A cell that writes a deliberately simpler
version carries ``:sketch-of: rnnlib.MODULE.NAME`` instead, and the page says how the
library's differs. Any page definition whose name rnnlib exports from a module the page
imports must be one of the two, so a copy cannot drift unnoticed.
"""

import ast
import copy
import importlib
import inspect
import textwrap

import jupytext
import pytest
from conftest import notebook_pages

SAME_AS, SKETCH_OF = "same-as", "sketch-of"


def code_cells(page):
    return [cell for cell in jupytext.read(page).cells if cell.cell_type == "code"]


def parse_cell(source) -> ast.Module:
    """A cell's source as Python, IPython's %magic and !shell lines made ``pass``."""
    lines = [
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in source.splitlines()
    ]
    return ast.parse("\n".join(lines))


def definitions(tree) -> dict[str, ast.AST]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }


def is_check(statement) -> bool:
    """A statement that only checks arguments: check_x(...) or y = check_x(...)."""
    value = getattr(statement, "value", None)
    if not isinstance(statement, ast.Expr | ast.Assign) or not isinstance(
        value, ast.Call
    ):
        return False
    function = value.func
    name = (
        function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    )
    return name.startswith(("check_", "_check"))


def normalise(node) -> str:
    """The AST of a definition without docstrings, type annotations and argument
    checks, as a string."""
    node = copy.deepcopy(node)
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            inner.annotation = None
        if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
            inner.returns = None
        body = getattr(inner, "body", None)
        if not isinstance(inner, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            continue
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]
        inner.body = body
    for inner in ast.walk(node):  # checks go wherever they are: loops, with, if
        for field in ("body", "orelse"):
            statements = getattr(inner, field, None)
            if isinstance(statements, list):
                kept = [s for s in statements if not is_check(s)]
                setattr(inner, field, kept or [ast.Pass()])
    return ast.dump(node, include_attributes=False)


def library_definition(module_name, name) -> ast.AST:
    module = importlib.import_module(module_name)
    assert hasattr(module, name), f"{module_name} has no {name!r} for the page to match"
    source = textwrap.dedent(inspect.getsource(getattr(module, name)))
    return ast.parse(source).body[0]


def differences(page_node, library_node) -> list[str]:
    """What differs between a page definition and the library's (empty if nothing)."""
    if isinstance(page_node, ast.FunctionDef):
        if normalise(page_node) == normalise(library_node):
            return []
        return [
            f"{page_node.name}: page\n{ast.unparse(page_node)}\n"
            f"library\n{ast.unparse(library_node)}"
        ]
    problems = []
    if [ast.dump(b) for b in page_node.bases] != [
        ast.dump(b) for b in library_node.bases
    ]:
        problems.append(f"class {page_node.name}: different base classes")
    library_methods = definitions(library_node)
    for name, method in definitions(page_node).items():
        if name not in library_methods:
            problems.append(f"{page_node.name}.{name} is not in the library's class")
        else:
            problems += differences(method, library_methods[name])
    return problems


def imported_rnnlib_modules(cells) -> set[str]:
    names = set()
    for cell in cells:
        for node in ast.walk(parse_cell(cell.source)):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names if a.name.startswith("rnnlib")}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "rnnlib"
            ):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    try:
                        importlib.import_module(full)
                        names.add(full)
                    except ImportError:
                        names.add(node.module)
    return names


def exported_names(module_names) -> set[str]:
    names = set()
    for module_name in module_names:
        module = importlib.import_module(module_name)
        names |= set(getattr(module, "__all__", ()))
    return names


PAGES = notebook_pages()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_code_is_the_library_code(page):
    cells = code_cells(page)
    exported = exported_names(imported_rnnlib_modules(cells))
    problems = []
    for cell in cells:
        defined = definitions(parse_cell(cell.source))
        if SAME_AS in cell.metadata:
            module_name = cell.metadata[SAME_AS]
            assert defined, (
                f"{page.name}: a '{SAME_AS}: {module_name}' cell defines nothing"
            )
            for name, node in defined.items():
                problems += differences(node, library_definition(module_name, name))
        elif SKETCH_OF in cell.metadata:
            target = cell.metadata[SKETCH_OF]
            module_name, _, name = target.rpartition(".")
            library_definition(module_name, name)  # the library object exists
            assert name in defined, (
                f"{page.name}: the '{SKETCH_OF}: {target}' cell "
                f"defines {sorted(defined)}, not {name}"
            )
        else:
            unmarked = sorted(set(defined) & exported)
            assert not unmarked, (
                f"{page.name} defines {unmarked}, which rnnlib exports: mark the cell "
                f"'{SAME_AS}: <module>' (and keep it the same) or "
                f"'{SKETCH_OF}: <object>'"
            )
    assert not problems, f"{page.name} and rnnlib differ:\n" + "\n\n".join(problems)


def test_the_comparison_sees_a_changed_line_and_ignores_checks_and_docstrings():
    library = ast.parse(
        textwrap.dedent('''
        def f(x, n):
            """Doc."""
            check_int(n, "n")
            x = _check_array(x)
            return x * n  # times n
    ''')
    ).body[0]
    same = ast.parse("def f(x, n):\n    return x * n\n").body[0]
    changed = ast.parse("def f(x, n):\n    return x + n\n").body[0]
    assert differences(same, library) == []
    assert differences(changed, library) != []


def test_every_marked_page_has_cells_to_check():
    marked = [
        p.stem for p in PAGES if any(SAME_AS in c.metadata for c in code_cells(p))
    ]
    assert {
        "03-hand-rolled-cell",
        "03-hand-rolled-cell-tf",
        "03-hand-rolled-cell-torch",
    } <= set(marked)
