"""rnnlib's rooms and walls: who may import whom, the map the docs draw, the twin
framework APIs, one config.

``MAY_IMPORT`` is the rule CONTRIBUTING.md documents ("Where code goes"): each room
imports from rnnlib only the rooms it lists; framework-free rooms import no framework;
tf/ never imports torch/ nor the reverse; nothing in rnnlib imports bench, and pages
import from it only what reads saved results. The docs list every module of every
room; rnnlib.tf and rnnlib.torch export the same names with the same signatures; every
size a page reads is in rnnlib.config.
"""

import ast
import importlib
import inspect
import re
import subprocess
import sys

import pytest
from conftest import ROOT, notebook_pages

PACKAGE = ROOT / "rnnlib"
MODULES = sorted(PACKAGE.rglob("*.py"))
FRAMEWORKS = {"tensorflow", "keras", "torch"}
MAX_LINES = 300

#: Top-level modules every room may import: they import nothing of rnnlib's.
FOUNDATION = {"__init__", "_checks", "_env", "config", "sizes_table"}
SUBPACKAGES = {"data", "numpy", "tf", "torch", "bench", "diagrams"}
#: room -> the rooms it may import from (CONTRIBUTING.md's table, word for word).
MAY_IMPORT = {
    "foundation": {"foundation"},
    "data": {"foundation", "data"},
    "numpy": {"foundation", "data", "numpy"},
    "top": {"foundation", "data", "numpy", "top"},
    "diagrams": {"foundation", "data", "numpy", "top", "diagrams"},
    "tf": {"foundation", "data", "numpy", "top", "tf"},
    "torch": {"foundation", "data", "numpy", "top", "torch"},
    "bench": {"foundation", "data", "numpy", "top", "diagrams", "tf", "torch", "bench"},
}
#: room -> the frameworks it may import.
MAY_USE = {"tf": {"tensorflow", "keras"}, "torch": {"torch"}, "bench": FRAMEWORKS}


def room(path) -> str:
    """The room of a module: foundation, data, numpy, top, tf, torch or bench."""
    parts = path.relative_to(PACKAGE).parts
    if len(parts) > 1:
        return parts[0]
    return "foundation" if path.stem in FOUNDATION else "top"


def room_of_name(name) -> str:
    """The room of an imported name, rnnlib.X or rnnlib.X.Y (bare rnnlib: foundation,
    its __init__)."""
    parts = name.split(".")
    if len(parts) == 1:
        return "foundation"
    if parts[1] in SUBPACKAGES:
        return parts[1]
    return "foundation" if parts[1] in FOUNDATION else "top"


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


def broken_walls(path, where=None) -> list[str]:
    """What a module imports that its room may not (the room of ``where``, if given:
    the test of this test)."""
    names, where = imports(path), room(where or path)
    problems = []
    for name in sorted(n for n in names if n == "rnnlib" or n.startswith("rnnlib.")):
        if room_of_name(name) not in MAY_IMPORT[where]:
            problems.append(f"{where}/ may not import {name}")
    frameworks = {name.split(".")[0] for name in names} & FRAMEWORKS
    for framework in sorted(frameworks - MAY_USE.get(where, set())):
        problems.append(f"{where}/ may not import {framework}")
    return problems


def test_the_rooms_exist():
    assert {room(p) for p in MODULES} == set(MAY_IMPORT)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_walls(path):
    assert not broken_walls(path), broken_walls(path)


def test_the_walls_test_can_fail(tmp_path):
    data = (
        PACKAGE / "data" / "zz_bad.py"
    )  # a room, not a file: nothing is written there
    bad = tmp_path / "bad.py"
    for code, expected in [
        ("from torch import nn\n", "data/ may not import torch"),
        ("from rnnlib.bench import run\n", "data/ may not import rnnlib.bench.run"),
        ("from rnnlib import training\n", "data/ may not import rnnlib.training"),
        ("from rnnlib.numpy import cell\n", "data/ may not import rnnlib.numpy.cell"),
    ]:
        bad.write_text(code)
        assert expected in broken_walls(bad, data)
    assert broken_walls(bad, PACKAGE / "numpy" / "zz.py") == []  # numpy -> numpy


def test_importing_the_framework_free_rooms_loads_no_framework():
    free = [p for p in MODULES if room(p) not in MAY_USE and p.stem != "__main__"]
    names = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in free
    )
    code = (
        f"import sys\nfor name in {names!r}:\n    __import__(name)\n"
        "print(sorted({'tensorflow', 'keras', 'torch'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- the map


def rows_of(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.startswith("|")]


ROOM_ROW = {  # how each room's row starts in CONTRIBUTING.md's table
    "foundation": "| foundation |",
    "data": "| `rnnlib/data/` |",
    "numpy": "| `rnnlib/numpy/` |",
    "top": "| top level |",
    "tf": "| `rnnlib/tf/`, `rnnlib/torch/` |",
    "torch": "| `rnnlib/tf/`, `rnnlib/torch/` |",
    "diagrams": "| `rnnlib/diagrams/` |",
    "bench": "| `rnnlib/bench/` |",
}
WORDS = {  # the words of the "may import" column
    "foundation": "foundation",
    "data": "`data`",
    "numpy": "`numpy`",
    "top": "top level",
    "diagrams": "`diagrams`",
}


def public_modules(where) -> set[str]:
    return {
        p.stem
        for p in MODULES
        if room(p) == where and not p.stem.startswith("__") and p.stem != "_checks"
    } | (
        {"_checks", "_env", "config", "sizes_table"} if where == "foundation" else set()
    )


def test_contributing_lists_every_module_and_the_rule_the_walls_test_enforces():
    rows = rows_of(ROOT / "CONTRIBUTING.md")
    for where, start in ROOM_ROW.items():
        (row,) = [r for r in rows if r.startswith(start)]
        _, modules, may = (cell.strip() for cell in row.strip().strip("|").split("|"))
        listed = set(re.findall(r"`(\w+)`", modules))
        assert public_modules(where) <= listed, (where, public_modules(where) - listed)
        expected = [w for r, w in WORDS.items() if r in MAY_IMPORT[where] - {where}]
        if where in ("tf", "torch"):
            expected.append("its own framework")
        if where == "bench":
            expected = ["everything"]
        if where == "foundation":
            expected = ["nothing"]
        assert may == ", ".join(expected), (where, may)


def test_readme_and_docstrings_list_every_module():
    readme = (ROOT / "README.md").read_text()
    overview = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text()))
    for where in ("data", "numpy", "top", "diagrams", "tf", "torch"):
        modules = public_modules(where) - {"_checks"}
        missing = {m for m in modules if f"`{m}`" not in readme}
        assert not missing, f"README.md's layout misses {sorted(missing)}"
        missing = {m for m in modules if f"``{m}``" not in overview}
        assert not missing, f"rnnlib/__init__.py's docstring misses {sorted(missing)}"
        if where != "top":
            init = PACKAGE / where / "__init__.py"
            doc = ast.get_docstring(ast.parse(init.read_text()))
            missing = {m for m in modules if f"``{m}``" not in doc}
            assert not missing, f"{init.name} of {where}/ misses {sorted(missing)}"


BENCH_IMPORT = re.compile(
    r"^\s*(from rnnlib\.bench[\w.]* import [^\n]+|import rnnlib\.bench[\w.]*)", re.M
)


ALLOWED_BENCH_IMPORTS = {
    "from rnnlib.bench import saved",
    "from rnnlib import bench",
    "from rnnlib.bench import BENCHMARKS",
}


def bench_problems(text) -> list[str]:
    """What a page's text imports from rnnlib.bench beyond reading saved results."""
    problems = [
        found.strip()
        for found in BENCH_IMPORT.findall(text)
        if found.strip() not in ALLOWED_BENCH_IMPORTS
    ]
    return problems + [
        f"bench.{call}(" for call in re.findall(r"\bbench\.(run)\(", text)
    ]


def test_pages_only_read_saved_results_from_bench():
    """Pages import from rnnlib.bench only ``saved`` and ``BENCHMARKS``
    (CONTRIBUTING.md, "Where code goes"): they read saved results, run no benchmark."""
    for page in notebook_pages():
        assert not bench_problems(page.read_text()), page.name
    bad = "from rnnlib.bench import saved\nfrom rnnlib.bench.mnist import run\n"
    assert bench_problems(bad) == ["from rnnlib.bench.mnist import run"]
    assert bench_problems("x = bench.run('mnist')") == ["bench.run("]


# ---------------------------------------------------------------- the twin APIs


def comparable(obj):
    """A signature as (name, kind, default) triples; a default dtype is compared by
    its name and a function by its name; ``desc`` (each framework's own name) is not
    compared."""
    import tensorflow as tf
    import torch

    def default(parameter):
        value = parameter.default
        if parameter.name == "desc" or value is inspect.Parameter.empty:
            return None
        if isinstance(value, tf.DType):
            return value.name
        if isinstance(value, torch.dtype):
            return str(value).removeprefix("torch.")
        if callable(value):
            return value.__name__
        return repr(value)

    return [
        (p.name, p.kind.name, default(p))
        for p in inspect.signature(obj).parameters.values()
    ]


#: The method that runs a model: Keras's ``call`` or ``__call__``, PyTorch's
#: ``forward``; compared with each other, as is every other public method.
CALL = {"tf": ("__call__", "call"), "torch": ("forward",)}


def methods(cls, framework) -> dict:
    found = {}
    for name, value in vars(cls).items():
        if name in CALL[framework]:
            found.setdefault("<call>", value)
        elif not name.startswith("_") and callable(value):
            found[name] = value
    return found


def signature_differences(tf_api, torch_api) -> list[str]:
    problems = []
    for name in tf_api.__all__:
        a, b = getattr(tf_api, name), getattr(torch_api, name)
        if not callable(a) or not callable(b):
            continue
        if comparable(a) != comparable(b):
            problems.append(f"{name}: {comparable(a)} != {comparable(b)}")
        if inspect.isclass(a):
            mine, theirs = methods(a, "tf"), methods(b, "torch")
            if set(mine) != set(theirs):
                problems.append(f"{name} methods: {sorted(mine)} != {sorted(theirs)}")
            for method in set(mine) & set(theirs):
                ours = comparable(mine[method])[1:]
                if method == "<call>":  # Keras hands call() its training flag; PyTorch
                    ours = [p for p in ours if p[0] != "training"]  # has model.train()
                if ours != comparable(theirs[method])[1:]:
                    problems.append(f"{name}.{method}: signatures differ")
    return problems


#: Twins that truly differ, named apart: (module, TensorFlow's name, PyTorch's name).
#: One worker of MultiWorkerMirroredStrategy trains from a strategy and arrays; one
#: rank of a torch.distributed process group from a Dataset and a device.
NAMED_APART = {("parallel", "train_worker", "train_rank")}
#: Twins of one name whose signatures truly differ: (module, name). The same measurement
#: reached through the strategy in TensorFlow, through the process group and a device
#: in PyTorch (the worker scripts' timing helpers).
SIGNED_APART = {
    ("parallel_speed", "time_workers"),
    ("parallel_speed", "time_allreduce"),
}


def test_tf_and_torch_export_the_same_names_with_the_same_signatures():
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
        tf_only = {a for m, a, _ in NAMED_APART if m == name}
        torch_only = {b for m, _, b in NAMED_APART if m == name}
        assert tf_only <= set(tf_module.__all__), name
        assert torch_only <= set(torch_module.__all__), name
        assert sorted(set(tf_module.__all__) - tf_only) == sorted(
            set(torch_module.__all__) - torch_only
        ), name
        apart = {n for m, n in SIGNED_APART if m == name}
        assert apart <= set(tf_module.__all__) & set(torch_module.__all__), name
        shared = sorted(set(tf_module.__all__) - tf_only - apart)
        problems = signature_differences(
            namespace(tf_module, shared), namespace(torch_module, shared)
        )
        assert not problems, f"rnnlib.tf.{name} and rnnlib.torch.{name}: {problems}"


def namespace(module, names):
    import types

    return types.SimpleNamespace(
        __all__=names, **{name: getattr(module, name) for name in names}
    )


def test_the_signature_comparison_sees_a_difference():
    import types

    def make_optimizer(model, name="adagrad", learning_rate=0.1):
        pass

    def make_optimizer_old(name="adagrad", learning_rate=0.1):
        pass

    class Model:
        def __call__(self, x, state):
            pass

    class Module:
        def forward(self, x, state=None):
            pass

    a = types.SimpleNamespace(
        __all__=["make_optimizer", "Model"], make_optimizer=make_optimizer, Model=Model
    )
    b = types.SimpleNamespace(make_optimizer=make_optimizer_old, Model=Module)
    problems = signature_differences(a, b)
    assert any(p.startswith("make_optimizer:") for p in problems)
    assert "Model.<call>: signatures differ" in problems
    b.make_optimizer, Module.forward = make_optimizer, Model.__call__
    assert signature_differences(a, b) == []


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
        config.sizes("01-echo-task").m  # noqa: B018 (the access must raise)
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
