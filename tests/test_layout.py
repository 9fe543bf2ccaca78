"""rnnlib's rooms and walls: who may import whom, the twin framework APIs, one config.

data/ and numpy/ (and the top-level helpers) never import a framework; tf/ never imports
torch/ nor the reverse; nothing imports bench; rnnlib.tf and rnnlib.torch export the
same names, module by module; every size a page reads is in rnnlib.config.
"""

import ast
import importlib
import re
import subprocess
import sys

import pytest

from conftest import ROOT, notebook_pages

PACKAGE = ROOT / "rnnlib"
MODULES = sorted(PACKAGE.rglob("*.py"))
FRAMEWORKS = {"tensorflow", "keras", "torch"}
MAX_LINES = 300


def room(path) -> str:
    """The room of a module: data, numpy, tf, torch, bench, or top (the framework-free
    top)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "top"


def imports(path) -> set[str]:
    """Every module name a file imports (absolute names), at any depth of the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_rooms_exist():
    assert {room(p) for p in MODULES} == {
        "top",
        "data",
        "numpy",
        "tf",
        "torch",
        "bench",
        "diagrams",
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_walls(path):
    names = imports(path)
    top = {name.split(".")[0] for name in names}
    rnnlib_rooms = {name.split(".")[1] for name in names if name.startswith("rnnlib.")}
    where = room(path)
    if where in ("top", "data", "numpy", "diagrams"):
        assert not top & FRAMEWORKS, (
            f"{where}/ must import no framework: {top & FRAMEWORKS}"
        )
        assert not rnnlib_rooms & {"tf", "torch", "bench"}
    if where == "tf":
        assert "torch" not in top and "torch" not in rnnlib_rooms
    if where == "torch":
        assert not top & {"tensorflow", "keras"} and "tf" not in rnnlib_rooms
    if where != "bench":
        assert "bench" not in rnnlib_rooms, "nothing imports rnnlib.bench"
    if where == "data":  # the bottom room
        assert rnnlib_rooms <= {"data", "_checks", "config"}
    if where == "numpy":
        assert rnnlib_rooms <= {"data", "numpy", "_checks", "config"}


def test_the_walls_test_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import numpy as np\nfrom torch import nn\nfrom rnnlib.bench import run\n"
    )
    assert {"torch", "rnnlib.bench"} <= imports(bad)


def test_importing_the_framework_free_rooms_loads_no_framework():
    code = (
        "import sys, rnnlib, rnnlib.config, rnnlib.training, rnnlib.plots\n"
        "import rnnlib.tables\n"
        "import rnnlib.data.echo, rnnlib.data.theory, rnnlib.data.batching\n"
        "import rnnlib.numpy.cell, rnnlib.numpy.gradcheck\n"
        "print(sorted({'tensorflow', 'keras', 'torch'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_tf_and_torch_export_the_same_names():
    tf_api = importlib.import_module("rnnlib.tf")
    torch_api = importlib.import_module("rnnlib.torch")
    only_tf = set(tf_api.__all__) - set(torch_api.__all__)
    only_torch = set(torch_api.__all__) - set(tf_api.__all__)
    assert not only_tf and not only_torch, (
        f"only in rnnlib.tf: {sorted(only_tf)}; "
        f"only in rnnlib.torch: {sorted(only_torch)}"
    )
    tf_modules = {p.stem for p in (PACKAGE / "tf").glob("[!_]*.py")}
    torch_modules = {p.stem for p in (PACKAGE / "torch").glob("[!_]*.py")}
    assert tf_modules == torch_modules
    for name in tf_modules:
        tf_module = importlib.import_module(f"rnnlib.tf.{name}")
        torch_module = importlib.import_module(f"rnnlib.torch.{name}")
        assert sorted(tf_module.__all__) == sorted(torch_module.__all__), name
        for export in tf_module.__all__:
            assert hasattr(tf_module, export) and hasattr(torch_module, export), export


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_are_small_and_say_what_they_are_for(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_LINES, (
        f"{path.name}: split it, one concept a module"
    )
    if text.strip():
        assert ast.get_docstring(ast.parse(text)), (
            f"{path.name} has no module docstring"
        )


# ---------------------------------------------------------------- one config

SIZE_USE = re.compile(r"""sizes\(\s*["']([\w.-]+)["']""")


def test_every_page_reads_its_sizes_from_config():
    from rnnlib import config

    for page in notebook_pages():
        text = page.read_text()
        assert "pick(" not in text, (
            f"{page.name}: read sizes from rnnlib.config, not pick()"
        )
        for name in SIZE_USE.findall(text):
            assert name == page.stem, f"{page.name} reads the sizes of {name!r}"
            for key in config.SIZES[name]:
                assert re.search(rf"\bsize\.{key}\b", text), (
                    f"{page.name} never uses {key!r}"
                )


def test_every_config_entry_belongs_to_a_page_or_a_benchmark():
    from rnnlib import bench, config

    pages = {p.stem for p in notebook_pages()}
    for name in config.SIZES:
        if name.startswith("bench."):
            assert name.split(".", 1)[1] in bench.BENCHMARKS, name
            source = (
                PACKAGE / "bench" / f"{bench.BENCHMARKS[name[6:]][0]}.py"
            ).read_text()
            for key in config.SIZES[name]:
                assert re.search(rf"\bsize\.{key}\b", source), (
                    f"bench {name} never uses {key}"
                )
        else:
            assert name in pages, f"rnnlib.config.SIZES has {name!r}, which is no page"


def test_config_errors_name_what_exists():
    from rnnlib import config

    with pytest.raises(
        ValueError, match=r"name must be a page or benchmark .* got 'nope'"
    ):
        config.sizes("nope")
    with pytest.raises(
        AttributeError, match=r"'01-echo-task' has no setting 'm'.*\['n', "
    ):
        config.sizes("01-echo-task").m
    assert (
        config.sizes("01-echo-task", quick=True).n
        < config.sizes("01-echo-task", quick=False).n
    )


def test_the_version_lives_in_one_place_and_the_changelog_has_it():
    import re
    import tomllib

    import rnnlib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", rnnlib.__version__)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(rnnlib.__version__)} ", changelog, re.M), (
        f"CHANGELOG.md has no entry for {rnnlib.__version__}"
    )
