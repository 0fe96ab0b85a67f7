"""Tables continued across a page break: a ruled table that ends a page is glued to the
table opening the next page when their column edges agree (a repeated header row is
dropped, a row cut by the break joined, a label cell spanning rows across the break
kept as one cell).
"""

from __future__ import annotations

from auditkit.precompiled import compile_re
from auditkit.readers.pdf.model import ENUMERATED, Box, Line, Page, RawTable, cell_text
from auditkit.readers.pdf.ruled import SNAP, cluster

_EDGE_TOL = 6.0  # pt: column edges of a table continued on the next page
_NUMERIC = compile_re(r"^[\d０-９\u2370][\d０-９,，.．%％\s\u2370]*$")  # \u2370: a number OCR refused (digits.OCR_DOUBT)
_WS = compile_re(r"\s+")


def join_pages(pages: list[Page]) -> list[Line | RawTable]:
    """All pages' items in order, a table continued on the next page glued to its start."""
    out: list[Line | RawTable] = []
    for p in pages:
        items = p.items
        if items and out and isinstance(items[0], RawTable) and isinstance(out[-1], RawTable) \
                and out[-1].ruled and items[0].ruled \
                and out[-1].last_page == p.number - 1 and _continue_table(out[-1], items[0]):
            items = items[1:]
        out.extend(items)
    return out


def _continue_table(a: RawTable, b: RawTable) -> bool:
    """Append ``b`` (opening a page) to ``a`` (closing the page before) if it continues it."""
    xs = _common_columns(a.xs, b.xs)
    if xs is None:
        return False
    a_grid = _remap_columns(a.grid, a.xs, xs)
    b_grid = _remap_columns(b.grid, b.xs, xs)
    if a_grid is None or b_grid is None:
        return False
    a.grid, a.xs = a_grid, xs
    header = _repeated_header(a_grid, b_grid)
    rows = b_grid[header:]
    last = a_grid[-1]
    # a row cut by the break: left open on both sides of the break in a table that is
    # otherwise closed (browsers), or its remainder holds only text continuing the
    # cells above (Word, LibreOffice)
    open_cut = not header and a.bottom_open and b.top_open and not a.top_open
    if rows and (open_cut or _is_cut_row(last, rows[0])):
        merged: set[int] = set()
        for j, cell in enumerate(rows[0]):
            if id(cell) not in merged and cell is not last[j]:
                merged.add(id(cell))
                _absorb(last[j], cell, rows)
        rows = rows[1:]
    if rows:
        # a label cell spanning rows across the break comes back as an empty cell
        for j, cell in enumerate(rows[0]):
            above = last[j]
            if cell is above or cell.lines or not above.lines or _NUMERIC.match(cell_text(above.lines)):
                continue
            if _columns_of(rows[0], cell) != _columns_of(last, above):
                continue
            if _rows_spanned(rows, cell) > 1 or _rows_spanned(a_grid, above) > 1:
                _absorb(above, cell, rows)
    a.grid.extend(rows)
    a.last_page = b.last_page
    a.bottom_open = b.bottom_open
    a.cut_left, a.cut_right = a.cut_left or b.cut_left, a.cut_right or b.cut_right
    return True


def _common_columns(xa: list[float], xb: list[float]) -> list[float] | None:
    if abs(xa[0] - xb[0]) > _EDGE_TOL or abs(xa[-1] - xb[-1]) > _EDGE_TOL:
        return None
    only_a = sum(1 for x in xa if min(abs(x - y) for y in xb) > SNAP)
    only_b = sum(1 for x in xb if min(abs(x - y) for y in xa) > SNAP)
    # one part may lack columns the other splits (a header row alone on a page has
    # only its spans), but columns of both that disagree mean two different tables
    if only_a and only_b and only_a + only_b > max(2, (len(xa) + len(xb)) // 8):
        return None
    union = cluster([*xa[1:-1], *xb[1:-1]])
    return [min(xa[0], xb[0]), *union, max(xa[-1], xb[-1])]


def _remap_columns(grid: list[list[Box]], old: list[float], new: list[float]) -> list[list[Box]] | None:
    """The grid re-laid on the column boundaries ``new`` (a superset of ``old``)."""
    if len(old) == len(new) and all(abs(a - b) <= SNAP for a, b in zip(old, new, strict=True)):
        return grid

    def nearest(x: float) -> int:
        return min(range(len(new)), key=lambda k: abs(new[k] - x))

    widths = []
    for j in range(len(old) - 1):
        lo = 0 if j == 0 else nearest(old[j])
        hi = len(new) - 1 if j == len(old) - 2 else nearest(old[j + 1])
        if hi <= lo:
            return None
        widths.append(hi - lo)
    return [[cell for cell, w in zip(row, widths, strict=True) for _ in range(w)] for row in grid]


def _row_key(row: list[Box]) -> tuple[str, ...]:
    return tuple(_WS.sub("", cell_text(c.lines)) for c in row)


def _repeated_header(a: list[list[Box]], b: list[list[Box]]) -> int:
    """How many of ``b``'s first rows repeat ``a``'s header rows (0 if none)."""
    for k in range(min(4, len(a) - 1, len(b) - 1), 0, -1):
        if any(not any(_row_key(a[r])) for r in range(k)):
            continue
        if all(_row_key(a[r]) == _row_key(b[r]) for r in range(k)) \
                and not any(c in b[k] for c in b[k - 1]):
            return k
    return 0


def _is_cut_row(last: list[Box], first: list[Box]) -> bool:
    """Whether ``first`` (opening a page) is the rest of ``last`` (closing the page before)."""
    texts = [cell_text(c.lines) for c in first]
    if not any(texts):
        return True
    above = [cell_text(c.lines) for c in last]
    for t, u in zip(texts, above, strict=True):
        if t and (not u or _NUMERIC.match(t) or ENUMERATED.match(t)):
            return False
    # the numbers were all on the earlier page: the row was cut, not a new one
    return any(not t and u and _NUMERIC.match(u) for t, u in zip(texts, above, strict=True))


def _absorb(keep: Box, gone: Box, rows: list[list[Box]]) -> None:
    """Make ``gone`` part of ``keep``: its text appended, its grid places taken."""
    keep.lines.extend(gone.lines)
    keep.cut = keep.cut or gone.cut
    keep.doubt.extend(gone.doubt)
    for row in rows:
        for j, c in enumerate(row):
            if c is gone:
                row[j] = keep


def _columns_of(row: list[Box], cell: Box) -> list[int]:
    return [k for k, c in enumerate(row) if c is cell]


def _rows_spanned(grid: list[list[Box]], cell: Box) -> int:
    return sum(1 for row in grid if any(c is cell for c in row))
