"""A report as a document model every torture generator draws from: paragraphs and grids.

The three tables come from ``auditkit.render.official`` (the format's own rows, spans and
headers), taken apart into rows of ``Piece``s so that each generator (HTML of other CMSs,
PDFs drawn with reportlab, WordprocessingML, crawler text) can lay them out its own way.
A value piece keeps its cell key, so a generator knows which cells it hid or cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

from auditkit.formats import RowSpec, format_spec, sections

TRUTH = Path(__file__).resolve().parent.parent / "data" / "truth"
Value = int | float
# What a value cell shows: (key, value, unit) -> text. None is a blank cell.
ValueText = Callable[[str, Value, str], str]

_TABLE_AFTER_SECTION = {1: "active", 2: "requests", 3: "appeals"}  # the table under 二, 三, 四
_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@dataclass
class Piece:
    """One cell as a document writes it: its text, its spans, the key of a value cell."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # the canonical key of a value cell; None for labels and headers
    head: bool = False  # a label or header cell (drawn bold or as <th> by some writers)


@dataclass
class Grid:
    """A table as rows of their own pieces (a piece covered by a rowspan is not repeated)."""

    table: str  # active, requests or appeals
    rows: list[list[Piece]]
    head_rows: int  # leading rows that form the column header (repeated on a new page)

    @property
    def width(self) -> int:
        return max(len(r) for r in self.placed_rows())

    def placed_rows(self) -> list[list[tuple[Piece, int] | None]]:
        """The span-expanded grid: each position holds (piece, first row of the piece)."""
        n = len(self.rows)
        out: list[list[tuple[Piece, int] | None]] = [[] for _ in range(n)]
        for r, row in enumerate(self.rows):
            c = 0
            for piece in row:
                while c < len(out[r]) and out[r][c] is not None:
                    c += 1
                for rr in range(r, min(n, r + piece.rowspan)):
                    line = out[rr]
                    if len(line) < c + piece.colspan:
                        line.extend([None] * (c + piece.colspan - len(line)))
                    for cc in range(c, c + piece.colspan):
                        line[cc] = (piece, r)
                c += piece.colspan
        width = max(len(line) for line in out)
        for line in out:
            line.extend([None] * (width - len(line)))
        return out

    def placements(self) -> list[tuple[Piece, int, int]]:
        """Every piece once, with its top-left (row, column)."""
        seen: set[int] = set()
        out = []
        for r, line in enumerate(self.placed_rows()):
            for c, slot in enumerate(line):
                if slot is not None and id(slot[0]) not in seen:
                    seen.add(id(slot[0]))
                    out.append((slot[0], r, c))
        return out


@dataclass
class Doc:
    """A whole report: its title, then paragraphs (str) and tables (Grid) in order."""

    format: str
    agency: str
    year: int
    title: str
    blocks: list[str | Grid]
    expected: dict[str, Value | None] = field(default_factory=dict)  # what a faithful reading gives

    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]

    def grid(self, table: str) -> Grid:
        return next(g for g in self.grids() if g.table == table)


# ---------------------------------------------------------------- value texts


def number_text(value: Value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def plain(key: str, value: Value, unit: str) -> str:
    return number_text(value)


def with_unit(key: str, value: Value, unit: str) -> str:
    """``0件``, ``5949.088667万元``: the unit written into the cell."""
    return number_text(value) + unit


def full_width(key: str, value: Value, unit: str) -> str:
    """``１２``: full-width digits, as Chinese input methods type them."""
    return number_text(value).translate(_FULL_WIDTH)


def thousands(key: str, value: Value, unit: str) -> str:
    """``1,234`` and ``5,949.088667``."""
    text = number_text(value)
    whole, dot, frac = text.partition(".")
    return f"{int(whole):,}" + dot + frac


def signed(key: str, value: Value, unit: str) -> str:
    """``+5`` / ``-12`` in the 2019 format's 本年增/减 column, as many agencies write it."""
    return ("+" if key.endswith(".change") and value > 0 else "") + number_text(value)


def mixed(*styles: ValueText) -> ValueText:
    """Each cell in one of ``styles``, chosen by its key (the same key, the same style)."""
    def pick(key: str, value: Value, unit: str) -> str:
        return styles[sum(map(ord, key)) % len(styles)](key, value, unit)
    return pick


# ---------------------------------------------------------------- building a report


def load_truth(name: str) -> dict[str, Any]:
    """A truth file of tests/data/truth by its name without ``.json``."""
    return json.loads((TRUTH / f"{name}.json").read_text(encoding="utf-8"))


class _Recorder:
    """The ``Cells`` of ``auditkit.render.official``: value cells marked with their key."""

    def __init__(self, cells: dict[str, Any], text: ValueText, units: dict[str, str], blank: str) -> None:
        self.cells, self.text, self.units, self.blank = cells, text, units, blank

    def td(self, key: str, label: str, colspan: int = 1) -> str:
        value = self.cells.get(key)
        shown = self.blank if value is None else self.text(key, value, self.units[key])
        span = f' colspan="{colspan}"' if colspan > 1 else ""
        return f'<td data-key="{key}"{span}>{escape(shown)}</td>'

    def row_hit(self, table: str, row: RowSpec) -> bool:
        return False


def _grid_of(table: str, html: str) -> Grid:
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(f"<table>{html}</table>")
    rows, head_rows = [], 0
    for tr in root.iter("tr"):
        if tr.getparent().tag == "thead":
            head_rows += 1
        rows.append([Piece(text=td.text_content(), rowspan=int(td.get("rowspan", 1)), colspan=int(td.get("colspan", 1)),
                           key=td.get("data-key"), head=td.tag == "th") for td in tr])
    return Grid(table, rows, head_rows)


NOTES = {  # notes agencies print under a table: figures that belong to no cell
    "requests": "注：本表统计时间为{year}年1月1日至{year}年12月31日，“其他”含2件转办申请。",
    "appeals": "注：行政复议、行政诉讼案件均以本年度收到为准，共涉及3个承办科室。",
}


def report_doc(truth: dict[str, Any], text: ValueText = plain, blank: str = "", notes: bool = False) -> Doc:
    """The report of ``truth`` in the official layout of its format, values written by ``text``.

    A null value is written ``blank`` (empty, or a placeholder such as ``—`` or ``/``); with
    ``notes``, a note full of figures follows the requests and appeals tables. The expected
    reading is the truth's cells: a blank or placeholder cell reads as null."""
    from auditkit.render.official import table_body

    fmt = format_spec(truth["format"])
    cells = _Recorder(truth["cells"], text, fmt.units(), blank)
    blocks: list[str | Grid] = []
    for i, section in enumerate(sections()):
        blocks.append(section.title)
        if i == 0:
            blocks.append("本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作。")
        if i in _TABLE_AFTER_SECTION:
            table = _TABLE_AFTER_SECTION[i]
            blocks.append(_grid_of(table, table_body(table, fmt.tables[table], cells)))
            if notes and table in NOTES:
                blocks.append(NOTES[table].format(year=truth["year"]))
        if i == 4:
            blocks.append("一是公开内容不够全面；二是解读形式较为单一。下一步将加强培训，丰富解读形式。")
        if i == 5:
            blocks.append("本年度未收取信息处理费。")
    return Doc(truth["format"], truth["agency"], truth["year"],
               f"{truth['agency']}{truth['year']}年度政府信息公开工作年度报告", blocks, dict(truth["cells"]))


def relabel(doc: Doc, change: Callable[[Piece], str]) -> Doc:
    """A copy of ``doc`` whose label and header pieces read ``change(piece)``."""
    blocks: list[str | Grid] = []
    for b in doc.blocks:
        if isinstance(b, Grid):
            b = replace(b, rows=[[replace(p, text=change(p)) if p.key is None else replace(p) for p in row]
                                 for row in b.rows])
        blocks.append(b)
    return replace(doc, blocks=blocks, expected=dict(doc.expected))


def spaced(text: str) -> str:
    """``本 年 新 收 …``: a space between every two characters, as 分散对齐 is often typed."""
    return " ".join(text.replace(" ", ""))
