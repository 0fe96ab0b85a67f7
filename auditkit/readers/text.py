"""Plain-text reports: tab-separated tables, and crawler copies with flattened tables.

A line holding tabs is a table row; consecutive such lines form one table. Lines
without tabs are running text. A crawler copy whose table cells were flattened
(digits of neighbouring cells run together) has no tabs at all: it comes out as
text blocks, and the matcher recovers the table from the text.

Crawler copies often open with a header of ``键: 值`` lines (标题, 发布时间, 发布机构)
closed by a ``=====`` rule; those go into ``Layout.meta``.
"""

from __future__ import annotations

from pathlib import Path

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Cell, Layout, Table, TextBlock, grid_from_rows
from auditkit.precompiled import compile_re
from auditkit.readers.encoding import decode_bytes

_HEADER_KEYS = {"标题": "title", "发布时间": "published", "发布日期": "published", "成文日期": "written",
                "发布机构": "publisher", "来源": "publisher", "信息来源": "publisher", "文号": "number"}
_HEADER_LINE = compile_re(r"^\s*([^:：\s]{2,6})\s*[:：]\s*(.*)$")
_RULE = compile_re(r"^\s*[=＝\-─]{5,}")
_DATE = compile_re(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")


def normal_date(text: str) -> str | None:
    """``2024-03-08`` from ``2024-03-08 15:34`` or ``2024年3月8日``; None if no date."""
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _split_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """Meta from a crawler header at the top, and the index of the first body line."""
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[:40]):
        if _RULE.match(line):
            return meta, i + 1
        m = _HEADER_LINE.match(line)
        if m and m.group(1) in _HEADER_KEYS and m.group(2).strip():
            key = _HEADER_KEYS[m.group(1)]
            value = m.group(2).strip()
            if key == "published":
                value = normal_date(value) or ""
            if value:
                meta.setdefault(key, value)
    # No rule closing a header: the whole file is body (keep any meta lines found).
    return meta, 0


def read_text(path: Path, data: bytes) -> Layout:
    text = decode_bytes(data)
    if "\x00" in text:
        raise ReadError(ReadReason.NOT_A_REPORT, "二进制文件，不是文本 (binary data, not a text document)")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, start = _split_header(lines)
    layout = Layout(source=str(path), kind="text", meta=meta)
    rows: list[list[Cell]] = []
    first_row_line = 0

    def flush_table(end_line: int) -> None:
        if rows:
            location = f"lines {first_row_line}-{end_line}"
            layout.blocks.append(Table(grid_from_rows(rows), location))
            rows.clear()

    for n, line in enumerate(lines[start:], start=start + 1):
        if "\t" in line:
            if not rows:
                first_row_line = n
            rows.append([Cell(t.strip(), f"line {n}, col {c + 1}") for c, t in enumerate(line.split("\t"))])
            continue
        if line.strip():
            flush_table(n - 1)
            layout.blocks.append(TextBlock(line.strip(), f"line {n}"))
        # A blank line ends running text but not a table: copies from Word put
        # blank lines inside tables.
    flush_table(len(lines))
    if not layout.blocks:
        raise ReadError(ReadReason.EMPTY, "文件没有文字内容 (no text content)")
    return layout
