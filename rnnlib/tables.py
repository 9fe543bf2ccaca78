"""Tables of results, as Markdown (for pages) or aligned text (for the terminal)."""

from collections.abc import Mapping, Sequence


def _cells(rows: Sequence[Mapping], floatfmt: str) -> tuple[list[str], list[list[str]]]:
    if not rows:
        raise ValueError("rows must hold at least one mapping of column -> value")
    columns = list(rows[0])
    for i, row in enumerate(rows):
        if list(row) != columns:
            raise ValueError(
                f"rows[{i}] has columns {list(row)}, expected {columns} like rows[0]"
            )

    def show(value):
        return format(value, floatfmt) if isinstance(value, float) else str(value)

    return columns, [[show(row[column]) for column in columns] for row in rows]


def markdown_table(rows: Sequence[Mapping], *, floatfmt: str = ".4f") -> str:
    """A Markdown table with one row per mapping; every mapping has the same keys, in
    the same order."""
    columns, body = _cells(rows, floatfmt)
    # A "|" inside a cell would end it: "max |diff|" reads "max \|diff\|" in Markdown.
    columns = [column.replace("|", "\\|") for column in columns]
    body = [[cell.replace("|", "\\|") for cell in cells] for cells in body]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


def text_table(rows: Sequence[Mapping], *, floatfmt: str = ".4f") -> str:
    """The same table as plain text with aligned columns, for a terminal."""
    columns, body = _cells(rows, floatfmt)
    widths = [
        max(len(column), *(len(cells[i]) for cells in body))
        for i, column in enumerate(columns)
    ]
    lines = ["  ".join(column.ljust(width) for column, width in zip(columns, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths))
        for cells in body
    ]
    return "\n".join(lines)
