"""A report page in the national format drawn from a truth file, for round-trip tests.

The three tables come from ``auditkit.render.official`` (the format's own rows, groups,
spans and headers, 2019 or 2021) with the truth's values; a null value is a blank cell.
So every truth file gives a well-formed report of the other layouts and formats the
bundled samples do not show (a 2019-format web page, a GBK page, its PDF and Word copies).
"""

from __future__ import annotations

import random
from html import escape
from pathlib import Path
from typing import Any

from auditkit.formats import RowSpec, format_spec, sections
from auditkit.render.official import table_body

_TABLE_AFTER_SECTION = {1: "active", 2: "requests", 3: "appeals"}  # the table under 二, 三, 四


class _Values:
    def __init__(self, cells: dict[str, Any]) -> None:
        self.cells = cells

    def td(self, key: str, label: str, colspan: int = 1) -> str:
        value = self.cells.get(key)
        text = "" if value is None else (str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
        return f'<td{f" colspan={colspan}" if colspan > 1 else ""}>{escape(text)}</td>'

    def row_hit(self, table: str, row: RowSpec) -> bool:
        return False


def official_page(truth: dict[str, Any], charset: str = "utf-8") -> str:
    """The whole page: title, the six sections with a sentence each, the three tables with borders."""
    fmt = format_spec(truth["format"])
    # An empty paragraph first: LibreOffice's web import drops a page's first heading into an
    # otherwise empty first PDF page without its text.
    parts = [f"<p>&nbsp;</p><h1>{escape(truth['agency'])}{truth['year']}年度政府信息公开工作年度报告</h1>"]
    for i, section in enumerate(sections()):
        parts.append(f"<p>{escape(section.title)}</p>")
        if i == 0:
            parts.append("<p>本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作。</p>")
        if i in _TABLE_AFTER_SECTION:
            table = _TABLE_AFTER_SECTION[i]
            parts.append('<table border="1" cellspacing="0" style="border-collapse:collapse">'
                         f"{table_body(table, fmt.tables[table], _Values(truth['cells']))}</table>")
        if i == 4:
            parts.append("<p>一是公开内容不够全面；二是解读形式较为单一。下一步将加强培训，丰富解读形式。</p>")
        if i == 5:
            parts.append("<p>本年度未收取信息处理费。</p>")
    return (f'<html><head><meta charset="{charset}"><style>td,th{{border:1px solid #000}}</style>'
            f"<title>政府信息公开工作年度报告</title></head><body>{''.join(parts)}</body></html>")


def random_truth(fmt_name: str, rng: random.Random, year: int = 2023) -> dict[str, Any]:
    """A report of ``fmt_name`` with random figures that keep the format's arithmetic: each
    row's 总计 the sum of its six applicant columns, each column's 一+二 = 七+四, 七 the sum of
    the results, each appeals group's 总计 the sum of its four. Mostly small counts and zeros,
    as real reports have, now and then a large one."""
    fmt = format_spec(fmt_name)

    def count() -> int:
        roll = rng.random()
        return 0 if roll < 0.55 else rng.randint(1, 9) if roll < 0.85 else rng.randint(10, 120) if roll < 0.97 \
            else rng.randint(121, 5000)

    cells: dict[str, Any] = {}
    for row in fmt.tables["active"].rows:
        for col in row.columns:
            cells[row.cell_key("active", col.key)] = count()
    requests = fmt.tables["requests"]
    keys = [r.key for r in requests.rows]
    results = keys[keys.index("granted"):keys.index("total_handled")]
    columns = [c.key for c in requests.rows[0].columns]
    for col in columns[:-1]:
        handled = 0
        for key in results:
            cells[f"requests.{key}.{col}"] = value = count()
            handled += value
        forward = count()
        over = rng.randint(0, handled + forward) if rng.random() < 0.3 else 0
        cells[f"requests.total_handled.{col}"] = handled
        cells[f"requests.carried_forward.{col}"] = forward
        cells[f"requests.carried_over.{col}"] = over
        cells[f"requests.new_received.{col}"] = handled + forward - over
    for key in keys:
        cells[f"requests.{key}.total"] = sum(cells[f"requests.{key}.{col}"] for col in columns[:-1])
    for group in fmt.tables["appeals"].rows:
        parts = [count() for _ in group.columns[:-1]]
        for col, value in zip(group.columns, [*parts, sum(parts)], strict=True):
            cells[group.cell_key("appeals", col.key)] = value
    return {"format": fmt_name, "agency": "测试县人民政府", "year": year, "cells": cells}


def crawler_copy(page: str, separator: str = "") -> str:
    """What a crawler keeps of the page: the title on a line, then the whole text run together,
    a table's cells concatenated with nothing between them (digits of neighbouring cells join).
    With ``separator="\t"``: each block and table row on its own line, cells tab-separated
    (a copy that kept the table's columns)."""
    from auditkit.layout import Table
    from auditkit.readers.html import read_html

    layout = read_html(Path("page.html"), page.encode("utf-8"))
    pieces, seen = [], set()
    for block in layout.blocks:
        if not isinstance(block, Table):
            pieces.append(block.text)
            continue
        rows = []
        for r in range(block.n_rows):
            cells = [c for c in block.row_cells(r) if id(c) not in seen]  # a spanning cell once
            seen.update(id(c) for c in cells)
            rows.append(separator.join(c.text.replace("\n", "") for c in cells))
        pieces.append(("\n" if separator else "").join(rows))
    return pieces[0] + "\n" + ("\n" if separator else "").join(pieces[1:]) + "\n"
