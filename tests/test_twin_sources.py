"""Each twin chapter is written once: book/twins/NN-slug.md, and tools/twins.py writes
its TensorFlow and PyTorch pages (CONTRIBUTING.md, "Chapters in both frameworks")."""

import shutil
import textwrap

import jupytext
import pytest
import twins  # tools/, on pytest's pythonpath
from conftest import ROOT
from unrolled.pages import FRAMEWORKS, generated_pages, notebook_pages, twin_sources

#: Framework pages without a twin in the other framework, on purpose: chapter 5 compares
#: two styles of truncated backprop, which do not depend on the framework, in PyTorch
#: only (rnnlib.tf.truncation holds the same functions, tested against PyTorch's).
WITHOUT_TWIN = {"05-truncated-backprop-torch"}


def test_every_generated_page_is_what_its_source_writes_now():
    stale = twins.stale()
    assert not stale, (
        f"{[twins.shown(p) for p in stale]} differ from what book/twins/ generates: "
        "edit the source in book/twins/, not the page, then run `make sync`"
    )


def test_every_framework_page_with_a_twin_is_generated():
    framework_pages = {
        page
        for page in notebook_pages()
        if page.stem.endswith(tuple(f"-{fw}" for fw in FRAMEWORKS))
    }
    generated = set(generated_pages())
    assert generated <= framework_pages
    alone = {page.stem for page in framework_pages - generated}
    assert alone == WITHOUT_TWIN, (
        f"{alone - WITHOUT_TWIN}: write the chapter once in book/twins/ (or list it in "
        "WITHOUT_TWIN)"
    )
    for page in generated:
        notice = page.read_text().split("\n")[1]
        assert notice.startswith("# Generated from book/twins/"), page.name


def write_source(folder, cells: str):
    header = textwrap.dedent(
        """\
        ---
        jupytext:
          text_representation:
            extension: .md
            format_name: myst
        kernelspec:
          display_name: Python 3 (ipykernel)
          language: python
          name: python3
        ---
        """
    )
    source = folder / "99-example.md"
    source.write_text(header + textwrap.dedent(cells))
    return source


def page_text(source, framework):
    notebook = twins.framework_page(source, framework)
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


EXAMPLE = """
    # Training in {{ framework }}

    Shared prose, on both pages.
    The {% tf %}Keras{% torch %}PyTorch{% end %} layer, see
    {doc}`the {{ other_framework }} page <99-example-{{ other_fw }}>`.

    {% tf %}
    Only TensorFlow.
    {% end %}

    ```{code-cell} ipython3
    :tags: [tf]

    import tensorflow as tf
    ```

    ```{code-cell} ipython3
    :tags: [torch, remove-input]

    import torch
    ```

    ## Exercises
    """


def test_choices_substitutions_and_tags_pick_one_framework(tmp_path):
    source = write_source(tmp_path, EXAMPLE)
    assert page_text(source, "tf") == [
        (
            "markdown",
            "# Training in TensorFlow\n\nShared prose, on both pages.\nThe Keras "
            "layer, see\n{doc}`the PyTorch page <99-example-torch>`.\n\n"
            "Only TensorFlow.",
        ),
        ("code", "import tensorflow as tf"),
        ("markdown", "## Exercises"),
    ]
    torch_page = twins.framework_page(source, "torch")
    assert [cell.source for cell in torch_page.cells] == [
        "# Training in PyTorch\n\nShared prose, on both pages.\nThe PyTorch "
        "layer, see\n{doc}`the TensorFlow page <99-example-tf>`.",
        "import torch",
        "## Exercises",
    ]
    assert torch_page.cells[1].metadata["tags"] == ["remove-input"]


def test_changing_one_shared_sentence_changes_both_pages(tmp_path):
    source = tmp_path / "06-gradients.md"
    shutil.copy(ROOT / "book" / "twins" / "06-gradients.md", source)
    before = {fw: page_text(source, fw) for fw in FRAMEWORKS}
    text = source.read_text()
    sentence = "and measured how it vanishes or explodes."
    assert text.count(sentence) == 1
    source.write_text(text.replace(sentence, "and measured how it fades or grows."))
    for framework in FRAMEWORKS:
        after = page_text(source, framework)
        changed = [new for old, new in zip(before[framework], after) if old != new]
        assert len(after) == len(before[framework]) and len(changed) == 1, framework
        assert "how it fades or grows." in changed[0][1]


@pytest.mark.parametrize(
    "cells, message",
    [
        ("{% tf %}\n## Only in TF\n{% end %}\n", "differ in their sections"),
        (
            "```{exercise}\n:label: x-{{ fw }}\n\nText.\n```\n\n{% tf %}\n```{exercise}"
            "\n:label: y\n\nMore.\n```\n{% end %}\n",
            "or exercises",
        ),
        ("The {{ frame }} page.\n", "unknown substitution"),
        ("The {% tf %}Keras page.\n", "unmatched"),
        ("```{code-cell} ipython3\nimport rnnlib.{{ fw }}\n```\n", "code stays Python"),
    ],
    ids=["heading", "exercise", "unknown", "unmatched", "code"],
)
def test_the_generator_refuses_a_source_whose_pages_would_disagree(
    tmp_path, cells, message
):
    source = write_source(tmp_path, "# Title\n\n" + cells)
    with pytest.raises(ValueError, match=message):
        twins.outputs(source, root=tmp_path)


def test_every_source_generates_pages_with_the_same_sections_and_exercises():
    for source in twin_sources():
        pages = {fw: twins.framework_page(source, fw) for fw in FRAMEWORKS}
        outline = twins.outline(pages["tf"])
        assert outline == twins.outline(pages["torch"])
        assert "## Summary" in outline and outline.count("exercise") >= 3, source.name


def test_the_generated_notebook_holds_the_page_cells():
    for page in generated_pages():
        paired = ROOT / "notebooks" / f"{page.stem}.ipynb"
        assert [c.source for c in jupytext.read(page).cells] == [
            c.source for c in jupytext.read(paired).cells
        ], page.name
