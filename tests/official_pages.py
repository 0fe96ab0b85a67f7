"""A report page in the national format drawn from a truth file, for round-trip tests.

The three tables come from ``auditkit.render.official`` (the format's own rows, groups,
spans and headers, 2019 or 2021) with the truth's values; a null value is a blank cell.
So every truth file gives a well-formed report of the other layouts and formats the
bundled samples do not show (a 2019-format web page, a GBK page, its PDF and Word copies).
"""

from __future__ import annotations

from html import escape
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
