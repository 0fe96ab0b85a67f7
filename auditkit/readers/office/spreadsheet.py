"""Spreadsheets (.xlsx through openpyxl, .xls through xlrd) into a ``Layout``: each sheet
split into tables at fully empty rows, merged cells as spans, and a lone title or
note line around a table as a text block. Cell values are rendered as Excel shows them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Block, Cell, Layout, Table, TextBlock


def xlsx_layout(path: Path, data: bytes, kind: str) -> Layout:
    """Every sheet of an .xlsx package; ``kind`` names what the file was (an .xls converted by LibreOffice is "xls")."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it does not know
        # Not read-only: merged ranges are only available in the normal mode.
        wb = openpyxl.load_workbook(BytesIO(data), data_only=True, read_only=False)
    blocks: list[Block] = []
    for ws in wb.worksheets:
        values: dict[tuple[int, int], str] = {}
        for row in ws.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)  # MergedCell placeholders have no value
                if value is not None:
                    text = _render_value(value)
                    if text:
                        values[(cell.row - 1, cell.column - 1)] = text
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                  for m in ws.merged_cells.ranges]
        blocks.extend(_sheet_blocks(ws.title, values, merges))
    meta: dict[str, str] = {}
    title = (wb.properties.title or "").strip() if wb.properties else ""
    if title:
        meta["title"] = title
    if not blocks:
        raise ReadError(ReadReason.EMPTY, "表格文件没有内容 (the workbook has no filled cells)")
    return Layout(source=str(path), kind=kind, blocks=blocks, meta=meta)


def _render_value(value: Any) -> str:
    """A cell value as written: 5.0 -> "5", 5949.088667 -> "5949.088667", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # Excel keeps 15 significant digits: 0.1+0.2 is shown as 0.3
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def xls_layout(path: Path, book: Any) -> Layout:
    """Every sheet of a workbook xlrd opened (with ``formatting_info``: merged cells need it)."""
    blocks: list[Block] = []
    for sheet in book.sheets():
        values: dict[tuple[int, int], str] = {}
        for r in range(sheet.nrows):
            for c in range(sheet.ncols):
                text = _xlrd_text(sheet.cell(r, c), book.datemode)
                if text:
                    values[(r, c)] = text
        # xlrd gives half-open (rlo, rhi, clo, chi) ranges.
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells
                  if rhi > rlo and chi > clo]
        blocks.extend(_sheet_blocks(sheet.name, values, merges))
    if not blocks:
        raise ReadError(ReadReason.EMPTY, "表格文件没有内容 (the workbook has no filled cells)")
    return Layout(source=str(path), kind="xls", blocks=blocks)


def _xlrd_text(cell: Any, datemode: int) -> str:
    import xlrd

    ctype = cell.ctype
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return _render_value(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _render_value(cell.value)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return _render_value(bool(cell.value))
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return _render_value(cell.value)


def _col_letters(c: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def _ref(r: int, c: int) -> str:
    return f"{_col_letters(c)}{r + 1}"


def _sheet_blocks(name: str, values: dict[tuple[int, int], str],
                  merges: list[tuple[int, int, int, int]]) -> list[Block]:
    """Split one sheet into tables at fully empty rows; lone lines around a table become text.

    ``values`` maps 0-based (row, col) to non-empty text; ``merges`` are inclusive
    0-based (r1, c1, r2, c2). A row covered by a merge spanning several rows is
    never a separator, so a merged label column holds its table together.
    """
    if not values:
        return []
    max_r = max(r for r, _ in values)
    max_c = max(c for _, c in values)
    # Clip merges to the filled area: formatting often merges whole empty columns.
    merges = [(r1, c1, min(r2, max_r), min(c2, max_c)) for r1, c1, r2, c2 in merges
              if r1 <= max_r and c1 <= max_c]
    owner: dict[tuple[int, int], int] = {}
    for i, (r1, c1, r2, c2) in enumerate(merges):
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                owner.setdefault((r, c), i)
    in_tall_merge = {r for r1, _, r2, _ in merges if r2 > r1 for r in range(r1, r2 + 1)}
    filled_rows = {r for r, _ in values} | in_tall_merge

    # Visible non-empty cells per row: a merge counts once, hidden text under a merge not at all.
    row_cells: dict[int, list[tuple[int, int]]] = {}
    for (r, c) in sorted(values):
        m = owner.get((r, c))
        if m is not None and (merges[m][0], merges[m][1]) != (r, c):
            continue
        row_cells.setdefault(r, []).append((r, c))

    blocks: list[Block] = []
    r = 0
    while r <= max_r:
        if r not in filled_rows:
            r += 1
            continue
        start = r
        while r + 1 <= max_r and r + 1 in filled_rows:
            r += 1
        run = range(start, r + 1)
        r += 1
        # The table runs from the first to the last row with several cells or a tall merge.
        table_rows = [rr for rr in run if len(row_cells.get(rr, [])) >= 2 or rr in in_tall_merge]
        top, bottom = (table_rows[0], table_rows[-1]) if table_rows else (r, r - 1)
        for rr in run:
            if rr < top:
                blocks.extend(_text_blocks(name, row_cells.get(rr, []), values))
        if table_rows:
            blocks.append(_sheet_table(name, top, bottom, values, merges, owner))
        for rr in run:
            if rr > bottom:
                blocks.extend(_text_blocks(name, row_cells.get(rr, []), values))
    return blocks


def _text_blocks(name: str, cells: list[tuple[int, int]], values: dict[tuple[int, int], str]) -> list[Block]:
    return [TextBlock(values[pos], f"sheet {name}, {_ref(*pos)}") for pos in cells]


def _sheet_table(name: str, top: int, bottom: int, values: dict[tuple[int, int], str],
                 merges: list[tuple[int, int, int, int]], owner: dict[tuple[int, int], int]) -> Table:
    cols = [c for (r, c) in values if top <= r <= bottom]
    cols += [c for r1, c1, r2, c2 in merges if top <= r1 <= bottom for c in (c1, c2)]
    left, right = min(cols), max(cols)
    merged: dict[int, Cell] = {}
    grid: list[list[Cell | None]] = []
    for r in range(top, bottom + 1):
        row: list[Cell | None] = []
        for c in range(left, right + 1):
            m = owner.get((r, c))
            if m is None:
                row.append(Cell(values.get((r, c), ""), f"sheet {name}, {_ref(r, c)}"))
                continue
            if m not in merged:
                r1, c1, r2, c2 = merges[m]
                merged[m] = Cell(values.get((r1, c1), ""), f"sheet {name}, {_ref(r1, c1)}",
                                 rowspan=min(r2, bottom) - max(r1, top) + 1,
                                 colspan=min(c2, right) - max(c1, left) + 1)
            row.append(merged[m])
        grid.append(row)
    return Table(grid=grid, location=f"sheet {name}, {_ref(top, left)}:{_ref(bottom, right)}")
