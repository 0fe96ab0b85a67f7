"""Write 2019_centred.html: a 2019-format report whose three tables have no borders, labels and
numbers centred in narrow columns; the values are report 008's, its unreadable 主动公开 cells
filled with made-up numbers. Convert to the test PDF with LibreOffice:

    .venv/bin/python tests/data/unruled/make_2019_centred.py
    cd tests/data/unruled && soffice --headless --convert-to pdf 2019_centred.html
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from auditkit.formats import format_spec, sections
from auditkit.render import official

HERE = Path(__file__).resolve().parent
TRUTH = HERE.parent / "truth" / "008_pingtan-shiyanqu_2019.txt.json"


def values() -> dict[str, int]:
    """Every cell of the 2019 format: report 008's value, or a made-up one where it has none."""
    cells = json.loads(TRUTH.read_text(encoding="utf-8"))["cells"]
    return {k: v if v is not None else 3 + (7 * i) % 41 for i, (k, v) in enumerate(cells.items())}


class _Cells:
    def __init__(self, cells: dict[str, int]) -> None:
        self.cells = cells

    def td(self, key: str, label: str, colspan: int = 1) -> str:
        span = f' colspan="{colspan}"' if colspan > 1 else ""
        return f"<td{span}>{self.cells[key]}</td>"

    def row_hit(self, table: str, row) -> bool:
        return False


def main() -> None:
    fmt = format_spec("2019")
    cells = _Cells(values())
    style = ("body{font-family:serif;font-size:10.5pt} table{border-collapse:collapse;margin:0 auto}"
             "th,td{border:none;text-align:center;vertical-align:middle;padding:2px 6px;font-weight:normal}"
             "th{width:4.5em}")
    # LibreOffice's web import leaves the first paragraph on a blank first page: give it an empty one
    parts = [f"<html><head><meta charset='utf-8'><style>{style}</style></head><body><p>&nbsp;</p>",
             "<p style='text-align:center;font-size:16pt'><b>平潭综合实验区2019年政府信息公开工作年度报告</b></p>"]
    for s in sections():
        parts.append(f"<p><b>{escape(s.title)}</b></p>")
        if s.key in fmt.tables:
            parts.append(f"<table>{official.table_body(s.key, fmt.tables[s.key], cells)}</table>")
        else:
            parts.append("<p>2019年，平潭综合实验区认真贯彻落实《中华人民共和国政府信息公开条例》，"
                         "全年主动公开政府信息1200条，办理依申请公开23件。</p>")
    parts.append("</body></html>")
    (HERE / "2019_centred.html").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
