"""Author-year citations whose labels match the bibliography: (Pitis 2016a) in the text,
[Pitis 2016a] in the list.

sphinxcontrib-bibtex's ``author_year`` reference style writes "Pitis, 2016" from the
entry's fields, while the bibliography labels entries by its own label style (``alpha``:
"Pit16a"), so the two never match, and two entries by the same author in the same year
read the same in the text. Here one label, made once per entry, serves both:

- label style ``unrolled``: "Pitis 2016a", "Cover and Thomas 2006", "Cho et al. 2014";
  entries with the same author(s) and year get a, b, ... in the order of the
  bibliography;
- formatting style ``unrolled``: pybtex's ``unsrt`` entries, sorted by author, year and
  title, labelled with those labels (``bibtex_default_style``);
- reference style ``unrolled``: ``{cite}`` (and ``{cite:p}``) give "(Pitis 2016a)" and
  ``{cite:t}`` gives "Pitis (2016a)", both from that label (``bibtex_reference_style``).
"""

import functools
from collections import Counter
from dataclasses import dataclass, field

import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlainText
from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import (
    SortingStyle as AuthorYearTitleSortingStyle,
)
from pybtex.style.template import node
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import (
    BaseReferenceStyle,
    BracketStyle,
    GroupReferenceStyle,
    PersonStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_author import (
    ExtraAuthorReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import (
    entry_label,
    join,
    join2,
    post_text,
    pre_text,
    reference,
)

STYLE_NAME = "unrolled"


def surnames(entry) -> str:
    """'Pitis', 'Cover and Thomas', 'Cho et al.': the authors (or editors) as the text
    cites them."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [
        Text(" ")
        .join(person.rich_prelast_names + person.rich_last_names)
        .render_as(PlainText)  # the class itself: no lookup among the entry points
        for person in people
    ]
    if not names:
        return entry.fields.get("title", entry.key)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [
            f"{surnames(entry)} {entry.fields.get('year', 'n.d.')}"
            for entry in sorted_entries
        ]
        count, seen = Counter(labels), Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class AuthorYearSortingStyle(AuthorYearTitleSortingStyle):
    """The order of the labels readers see ("Hochreiter and Schmidhuber 1997" before
    "Hochreiter et al. 2001"), then year and title, with braces ignored: ``{caoqi95}``
    sorts under c, not after z."""

    def sorting_key(self, entry):
        cited_as = surnames(entry).replace("{", "").replace("}", "").lower()
        return (cited_as, entry.fields.get("year", ""), entry.fields.get("title", ""))

    def person_key(self, person):
        return super().person_key(person).replace("{", "").replace("}", "")


class AuthorYearStyle(UnsrtStyle):
    default_label_style = STYLE_NAME
    default_sorting_style = STYLE_NAME


@node
def label_year(children, data):
    """The year part of the entry's label, with its letter: '2016a'."""
    assert not children
    return Text(data["formatted_entry"].label.rsplit(" ", 1)[-1])


@dataclass
class Parenthetical(BaseReferenceStyle):
    """(Pitis 2016a; Cover and Thomas 2006): the labels of the bibliography, in
    parentheses."""

    bracket: BracketStyle = field(
        default_factory=lambda: BracketStyle(left="(", right=")", sep="; ")
    )

    def role_names(self):
        return [f"{alt}p{full}" for alt in ("", "al") for full in ("", "s")]

    def outer(self, role_name, children):
        return self.bracket.outer(
            children, brackets="al" not in role_name, capfirst=False
        )

    def inner(self, role_name):
        return join2(sep1=" ", sep2=", ")[pre_text, reference[entry_label], post_text]


@dataclass
class Textual(BaseReferenceStyle):
    """Pitis (2016a): the authors, then the year of the label in parentheses."""

    person: PersonStyle = field(default_factory=PersonStyle)

    def role_names(self):
        return [f"{cap}t{full}" for cap in ("", "c") for full in ("", "s")]

    def outer(self, role_name, children):
        return BracketStyle(sep="; ").outer(
            children, brackets=False, capfirst="c" in role_name
        )

    def inner(self, role_name):
        return join(sep=" ")[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[
                "(",
                join2(sep1=" ", sep2=", ")[pre_text, reference[label_year], post_text],
                ")",
            ],
        ]


@dataclass
class AuthorYearReferenceStyle(GroupReferenceStyle):
    # pybtex's name nodes read the person style from the style they run under
    person: PersonStyle = field(default_factory=PersonStyle)

    def __post_init__(self):
        brackets = BracketStyle(left="(", right=")", sep="; ")
        self.styles.extend(
            [
                Parenthetical(),
                Textual(),
                ExtraAuthorReferenceStyle(bracket=brackets),
                ExtraLabelReferenceStyle(bracket=brackets),
                ExtraYearReferenceStyle(bracket=brackets),
                ExtraEmptyReferenceStyle(),
            ]
        )
        super().__post_init__()


def label_of(env, key: str) -> str | None:
    """The bibliography's label of a citation key ('Pitis 2016a')."""
    for citation in env.get_domain("cite").citations:
        if citation.key == key:
            return citation.formatted_entry.label
    return None


def remember_entry_points() -> None:
    """pybtex looks its plugins up among the installed packages' entry points every time
    (sphinxcontrib-bibtex asks for the plain-text backend once per citation): a scan of
    every package's metadata, about a tenth of the book's build. The installed packages
    do not change during a build, so each lookup is made once. Plugins registered at
    run time (``register_plugin``) are still found first, as before."""
    lookup = pybtex.plugin.entry_points
    if not hasattr(lookup, "cache_info"):

        @functools.cache
        def entry_points(**selection):
            return tuple(lookup(**selection))

        pybtex.plugin.entry_points = entry_points


def setup(app):
    remember_entry_points()
    register_pybtex_plugin("pybtex.style.labels", STYLE_NAME, AuthorYearLabelStyle)
    register_pybtex_plugin("pybtex.style.sorting", STYLE_NAME, AuthorYearSortingStyle)
    register_pybtex_plugin("pybtex.style.formatting", STYLE_NAME, AuthorYearStyle)
    register_bibtex_plugin(
        "sphinxcontrib.bibtex.style.referencing", STYLE_NAME, AuthorYearReferenceStyle
    )
