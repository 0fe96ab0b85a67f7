"""The document's lines and tables into a ``Layout``: lines joined into paragraphs, the
title found among the opening lines, and tables numbered through the document, each
cell named by its page, row and column.
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

from auditkit.layout import Cell, Layout, ScanPlace, Table, TextBlock
from auditkit.precompiled import compile_re
from auditkit.readers.pdf.model import Line, Page, RawTable, SourceImage, cell_text, has_wide, join_text
from auditkit.readers.pdf.wrapped import join_wrapped_numbers

_HEADING = compile_re(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d))")


def to_layout(path: Path, items: list[Line | RawTable], pages: list[Page], title_meta: str,
              sources: dict[int, SourceImage] | None = None) -> Layout:
    """The document's items in order as a ``Layout``; ``title_meta`` (the file's Title) stands in
    for a title the first page does not show, if it names a report. ``sources``: the images that OCR'd
    pages were read from, by page number: their tables' cells get their place on them (``Cell.scan``)."""
    layout = Layout(source=str(path), kind="pdf")
    lines = [it for it in items if isinstance(it, Line)]
    sizes = sorted(ln.size for ln in lines if len(ln.text) >= 6) or [10.0]
    body = sizes[len(sizes) // 2]
    long_lines = [ln for ln in lines if len(ln.text) >= 8]
    if long_lines:
        lefts: dict[int, int] = {}
        for ln in long_lines:
            lefts[round(ln.x0)] = lefts.get(round(ln.x0), 0) + 1
        left = float(max(lefts, key=lambda k: (lefts[k], -k)))
        rights = sorted(ln.x1 for ln in long_lines)
        right = rights[int(0.8 * (len(rights) - 1))]
    else:
        left, right = 0.0, math.inf

    title = _title(items, pages, body, left, right)
    if title:
        layout.meta["title"] = title
    elif "报告" in title_meta:
        layout.meta["title"] = title_meta

    gaps = sorted(b.y0 - a.y1 for a, b in pairwise(lines)
                  if a.page == b.page and 0 <= b.y0 - a.y1 < 3 * body)
    gap = gaps[len(gaps) // 2] if gaps else 0.5 * body

    para: list[Line] = []
    n_table = 0

    def flush() -> None:
        if para:
            text = ""
            for ln in para:
                text = join_text(text, ln.text, " ")
            layout.blocks.append(TextBlock(text, f"page {para[0].page}"))
            para.clear()

    for it in items:
        if isinstance(it, RawTable):
            flush()
            n_table += 1
            layout.blocks.append(_finish_table(it, n_table, sources or {}))
            continue
        if para and not _continues(para[-1], it, body, gap, left, right):
            flush()
        para.append(it)
    flush()
    return layout


def _continues(a: Line, b: Line, body: float, gap: float, left: float, right: float) -> bool:
    """Whether line ``b`` carries on the paragraph that line ``a`` ends."""
    if a.x1 < right - max(1.5 * body, b.lead + 0.3 * body):  # a short line ends its paragraph
        return False
    if b.x0 > left + 0.8 * body or _HEADING.match(b.text):  # an indent or a heading starts one
        return False
    if abs(a.size - b.size) > 0.2 * body and has_wide(a.text) and has_wide(b.text):
        return False  # a change of type size: a heading runs into the body
    if a.page != b.page:
        return True
    return b.y0 - a.y1 <= gap + 0.5 * body


def _title(items: list[Line | RawTable], pages: list[Page], body: float, left: float, right: float) -> str:
    """The heading lines that open the document: larger than the body text or centred."""
    first = pages[0]
    out: list[str] = []
    for it in items:
        if not isinstance(it, Line) or it.page != first.number or len(out) >= 4:
            break
        centre = (it.x0 + it.x1) / 2
        centred = abs(centre - first.width / 2) < 2 * body and it.x0 > left + 2 * body \
            and it.x1 < right - 2 * body
        if (it.size >= 1.15 * body or centred) and not it.text.endswith(("。", "；", "，")):
            out.append(it.text)
        elif out:
            break
    text = ""
    for t in out:
        text = join_text(text, t, " ")
    return text if len(text) >= 4 else ""


def _finish_table(t: RawTable, number: int, sources: dict[int, SourceImage]) -> Table:
    join_wrapped_numbers(t)
    cells: dict[int, Cell] = {}
    spans: dict[int, tuple[int, int, int, int]] = {}
    for r, row in enumerate(t.grid):
        for c, box in enumerate(row):
            k = id(box)
            if k in spans:
                r0, c0, r1, c1 = spans[k]
                spans[k] = (r0, min(c0, c), max(r1, r), max(c1, c))
            else:
                spans[k] = (r, c, r, c)
    boxes = {id(b): b for row in t.grid for b in row}
    for k, (r0, c0, r1, c1) in spans.items():
        box = boxes[k]
        cells[k] = Cell(cell_text(box.lines), f"page {box.page}, table {number}, row {r0 + 1}, col {c0 + 1}",
                        rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1, cut=box.cut,
                        doubt="; ".join(box.doubt) or None, scan=_scan_place(box.page, box.bbox, sources))
    grid: list[list[Cell | None]] = [[cells[id(b)] for b in row] for row in t.grid]
    pages = f"page {t.first_page}" if t.first_page == t.last_page else f"pages {t.first_page}-{t.last_page}"
    return Table(grid, f"{pages}, table {number}", cut_left=t.cut_left, cut_right=t.cut_right)


def _scan_place(page: int, bbox: tuple[float, float, float, float] | None,
                sources: dict[int, SourceImage]) -> ScanPlace | None:
    source = sources.get(page)
    if source is None or bbox is None:
        return None
    return ScanPlace(source.page, source.place(*bbox), source.picture)
