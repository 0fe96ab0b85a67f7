"""Numbers wrapped onto several lines of one narrow ruled cell (``15⏎1``), joined only where
the table's own layout proves the lines are one number.

A writer breaks a number when the next digit would not fit on the line. That is proven for the
cells of a ruled table that are equally wide (a column, or the appeals table's fifteen) when one
width separates, for all of them, the lines that fit from the lines that did not: every line of a
number cell is at most that wide, and every line but the last of a wrapped cell would have been
wider with the next line's first character. Two wrapped cells at least must show it (one could
be typed on two lines on purpose). Otherwise the cell keeps its lines and the matcher makes it null with a diagnostic.
"""

from __future__ import annotations

from auditkit.precompiled import compile_re
from auditkit.readers.pdf.model import Box, RawTable

_NUMBER_LINE = compile_re(r"^[\d０-９][\d０-９,，.．]*(?:件|个|条|项|人次|次|万元|元|%|％)?$")  # a unit may close it
_EPS = 0.2  # pt: widths closer than this prove nothing


def join_wrapped_numbers(table: RawTable) -> None:
    """Join the lines of the wrapped number cells of each column where the layout proves them wrapped."""
    if not table.ruled:
        return  # rows rebuilt from where text sits: a cell's lines were never wrapped in it
    columns: dict[tuple[int, int], list[Box]] = {}
    seen: set[int] = set()
    for row in table.grid:
        for c, box in enumerate(row):
            if id(box) in seen:
                continue
            seen.add(id(box))
            if box.lines and len(box.widths) == len(box.lines) and all(_NUMBER_LINE.match(t) for t in box.lines):
                last = c
                while last + 1 < len(row) and row[last + 1] is box:
                    last += 1
                columns.setdefault((c, last), []).append(box)
    # a column with one wrapped cell may find the second in the columns as wide as it
    alone: dict[float, list[Box]] = {}
    for (c, last), boxes in columns.items():
        n_wrapped = sum(len(b.lines) > 1 for b in boxes)
        if n_wrapped >= 2:
            _join_if_proven(boxes)
        elif n_wrapped == 1 and _proven(boxes):
            alone.setdefault(round(2 * (table.xs[last + 1] - table.xs[c])) / 2, []).extend(boxes)
    for boxes in alone.values():
        if sum(len(b.lines) > 1 for b in boxes) >= 2:
            _join_if_proven(boxes)


def _proven(boxes: list[Box]) -> bool:
    """One width separates every line of these cells (they fit) from every line but the last of
    their wrapped cells with the next line's first character (it did not)."""
    wrapped = [b for b in boxes if len(b.lines) > 1]
    fits = max(w for b in boxes for w, _ in b.widths)
    overflow = min(w + b.widths[i + 1][1] for b in wrapped for i, (w, _) in enumerate(b.widths[:-1]))
    return fits + _EPS < overflow


def _join_if_proven(boxes: list[Box]) -> None:
    if _proven(boxes):
        for b in boxes:
            if len(b.lines) > 1:
                b.lines = ["".join(b.lines)]
                b.widths = []
