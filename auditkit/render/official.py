"""The three tables of a report format (二 主动公开, 三 依申请公开, 四 复议诉讼) in their official layout.

The header rows, row groups and spans are the format's, the same for every report;
what goes into a value cell is the caller's: the audit page draws numbered slots its
script fills, the review notebook draws a report's values with their provenance.
So the layout lives here once and each caller passes its own ``Cells``; so do the
format a record is drawn in (``report_format``) and how a cell without a value is
shown (``NULL_TEXT``).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Protocol

from auditkit.formats import RowSpec, TableSpec, format_spec

REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_LABEL = "三、本年度办理结果"
DRAWN_FORMATS = ("2021", "2019")
# How a cell without a value is shown, by the diagnostic that explains it.
NULL_TEXT = {
    "blank_cell": "空白", "dash_cell": "—", "missing_row": "缺", "missing_values": "缺", "missing_table": "缺表",
    "merged_row": "合并", "ambiguous_digits": "？", "no_valid_split": "？", "unparsed_value": "？", "not_a_count": "？",
    "extra_values": "？", "cut_off": "截断", "self_check": "？", "ocr_doubtful": "存疑",
}


def report_format(fmt: str | None, cell_keys: Iterable[str]) -> str:
    """The format a record's tables are drawn in: its own, or when the reader could not tell,
    the one whose keys its cells use."""
    if fmt in DRAWN_FORMATS:
        return str(fmt)
    keys = set(cell_keys)
    return max(DRAWN_FORMATS, key=lambda f: len(keys & set(format_spec(f).keys)))


class Cells(Protocol):
    """What fills the value cells of the layout."""

    def td(self, key: str, label: str, colspan: int = 1) -> str:
        """The ``<td>`` for cell ``key``; ``label`` is its row and column wording."""
        ...

    def row_hit(self, table: str, row: RowSpec) -> bool:
        """The row's label is to be marked (one of its cells is highlighted)."""
        ...


def th(text: str, rowspan: int = 1, colspan: int = 1, hit: bool = False) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    cls = ' class="ak-hl-row"' if hit else ""
    return f"<th{attrs}{cls}>{escape(text)}</th>"


def active(spec: TableSpec, cells: Cells) -> str:
    # Each article of 第二十条 is its own block in the format: a title row, a header row, its rows.
    width = max(len(r.columns) for r in spec.rows)
    blocks: dict[str, list[RowSpec]] = {}
    for r in spec.rows:
        blocks.setdefault(r.parent or "", []).append(r)
    out = []
    for article, rows in blocks.items():
        out.append(f"<tr>{th(article, colspan=width + 1)}</tr>")
        cols = rows[0].columns
        heads = [th(c.label, colspan=1 + (width - len(cols) if i == len(cols) - 1 else 0)) for i, c in enumerate(cols)]
        out.append(f"<tr>{th('信息内容')}{''.join(heads)}</tr>")
        for r in rows:
            # A row shorter than the widest keeps the grid rectangular: its last cell spans the rest.
            tds = [cells.td(r.cell_key("active", c.key), f"{r.label} / {c.label}",
                            colspan=1 + (width - len(r.columns) if i == len(r.columns) - 1 else 0))
                   for i, c in enumerate(r.columns)]
            out.append(f"<tr>{th(r.leaf, hit=cells.row_hit('active', r))}{''.join(tds)}</tr>")
    return "<tbody>" + "".join(out) + "</tbody>"


def requests(spec: TableSpec, cells: Cells) -> str:
    columns = spec.rows[0].columns  # 自然人, five 法人或其他组织 columns, 总计
    orgs = [c for c in columns if " " in c.label]
    head = (
        f"<thead><tr>{th(REQUESTS_NOTE, rowspan=3, colspan=3)}{th('申请人情况', colspan=len(columns))}</tr>"
        f"<tr>{th(columns[0].label, rowspan=2)}{th(orgs[0].label.split()[0], colspan=len(orgs))}"
        f"{th(columns[-1].label, rowspan=2)}</tr>"
        f"<tr>{''.join(th(c.leaf) for c in orgs)}</tr></thead>"
    )
    keys = [r.key for r in spec.rows]
    first, last = keys.index("granted"), keys.index("total_handled")  # the rows under 三、本年度办理结果
    body = []
    for i, r in enumerate(spec.rows):
        hit = cells.row_hit("requests", r)
        if i < first or i > last:
            labels = th(r.label, colspan=3, hit=hit)
        else:
            labels = th(RESULTS_LABEL, rowspan=last - first + 1) if i == first else ""
            if r.parent is None:
                labels += th(r.label, colspan=2, hit=hit)
            else:
                siblings = [x for x in spec.rows if x.parent == r.parent]
                if siblings[0] is r:
                    labels += th(r.parent, rowspan=len(siblings))
                labels += th(r.leaf, hit=hit)
        tds = "".join(cells.td(r.cell_key("requests", c.key), f"{r.label} / {c.label}") for c in r.columns)
        body.append(f"<tr>{labels}{tds}</tr>")
    return head + "<tbody>" + "".join(body) + "</tbody>"


def appeals(spec: TableSpec, cells: Cells) -> str:
    groups = list(spec.rows)  # 行政复议, then the two 行政诉讼 groups, side by side as in the format
    first, rest = groups[0], groups[1:]
    n = len(first.columns)
    head = (
        f"<thead><tr>{th(first.label, colspan=n)}{th(rest[0].parent or '', colspan=n * len(rest))}</tr>"
        f"<tr>{''.join(th(c.label, rowspan=2) for c in first.columns)}"
        f"{''.join(th(g.leaf, colspan=n) for g in rest)}</tr>"
        f"<tr>{''.join(th(c.label) for g in rest for c in g.columns)}</tr></thead>"
    )
    tds = "".join(cells.td(g.cell_key("appeals", c.key), f"{g.label} / {c.label}") for g in groups for c in g.columns)
    return head + f"<tbody><tr>{tds}</tr></tbody>"


def table_body(table: str, spec: TableSpec, cells: Cells) -> str:
    """The inside of the ``<table>`` for ``table`` (active, requests or appeals)."""
    return {"active": active, "requests": requests, "appeals": appeals}[table](spec, cells)
