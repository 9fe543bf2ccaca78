"""Compare two builds of the site page by page: the same headings, figures, exercises
and text?

    python tools/sitediff.py OLD_HTML_DIR NEW_HTML_DIR [--numbers]

For every page of the old build it prints whether the headings, figure captions, image
count and exercise titles are the same, and the differing runs of words in the text
(numbers masked unless ``--numbers``: timings change from run to run). Use it to show
that a refactoring of the sources left what readers see as it was.
"""

import argparse
import difflib
import re
from pathlib import Path

from bs4 import BeautifulSoup


def page_parts(path: Path) -> dict[str, list]:
    soup = BeautifulSoup(path.read_text(), "html.parser")
    article = soup.select_one("article") or soup
    for node in article.select("script, style, .framework-switch"):
        node.decompose()
    return {
        "headings": [h.get_text(" ", strip=True) for h in article.select("h1, h2, h3")],
        "captions": [f.get_text(" ", strip=True) for f in article.select("figcaption")],
        "images": [len(article.select("img"))],
        "exercises": [
            e.get_text(" ", strip=True)
            for e in article.select(".exercise .admonition-title")
        ],
        "words": article.get_text(" ", strip=True).split(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--numbers", action="store_true", help="compare numbers too")
    parser.add_argument("--show", type=int, default=5, help="differences shown a page")
    args = parser.parse_args(argv)
    differ = 0
    for old in sorted(args.old.rglob("*.html")):
        if "_static" in old.parts or "genindex" in old.name or "search" in old.name:
            continue
        new = args.new / old.relative_to(args.old)
        if not new.exists():
            print(f"{old.relative_to(args.old)}: missing from the new build")
            differ += 1
            continue
        a, b = page_parts(old), page_parts(new)
        if not args.numbers:
            for parts in (a, b):
                parts["words"] = [re.sub(r"\d+", "#", w) for w in parts["words"]]
        same = {key: a[key] == b[key] for key in a if key != "words"}
        matcher = difflib.SequenceMatcher(None, a["words"], b["words"], autojunk=False)
        runs = [
            (" ".join(a["words"][i1:i2]), " ".join(b["words"][j1:j2]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
            if op != "equal"
        ]
        marks = " ".join(f"{key}{'=' if ok else '!'}" for key, ok in same.items())
        print(f"{old.relative_to(args.old)}: {marks}, {len(runs)} text differences")
        for before, after in runs[: args.show]:
            print(f"    {before[:120]!r} -> {after[:120]!r}")
        differ += (not all(same.values())) + bool(runs)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
