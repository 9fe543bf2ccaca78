"""The bibliography parses as BibTeX, as sphinxcontrib-bibtex reads it (pybtex).

A malformed entry (an unbalanced brace, a missing comma) makes pybtex skip or garble
entries, and the book's citations then point at nothing; this fails first, and fast.
"""

import pytest
from conftest import ROOT
from pybtex.database import parse_file
from pybtex.scanner import PybtexError

BIB = ROOT / "book" / "references.bib"


def test_references_parse_and_every_entry_has_a_title_and_a_year():
    entries = parse_file(str(BIB), bib_format="bibtex").entries
    assert len(entries) > 10
    incomplete = [
        key
        for key, entry in entries.items()
        if not {"title", "year"} <= {field.lower() for field in entry.fields}
    ]
    assert not incomplete, f"entries without a title or a year: {incomplete}"


def test_a_broken_entry_fails_to_parse(tmp_path):
    broken = tmp_path / "broken.bib"
    broken.write_text(
        "@article{key,\n  title = {An {unbalanced title},\n  year = 2000\n}\n"
    )
    with pytest.raises(PybtexError):
        parse_file(str(broken), bib_format="bibtex")
