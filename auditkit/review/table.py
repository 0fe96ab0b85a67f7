"""A report's tables as HTML in the layout of the national format, with chosen cells highlighted.

The reviewer shows the auditor the table as the agency filled it in, not a list
of keys: the three tables (二 主动公开, 三 依申请公开, 四 复议诉讼) are drawn
with the official row groups, column headers and spans of the format the
report uses (2021 or 2019), from the record's cells. Cells a finding involves
are highlighted; a cell without a value says why (blank, dash, merged row…);
hovering a cell shows the text as written and where it stands in the document.

Everything taken from a document is escaped: a report is untrusted input.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from auditkit.formats import TABLES, RowSpec, format_spec, sections
from auditkit.record import Report
from auditkit.render.official import NULL_TEXT, report_format, table_body

CSS = """
<style>
.ak-report-table{border-collapse:collapse;font-size:12px;line-height:1.35;margin:4px 0 10px 0}
.ak-report-table th,.ak-report-table td{border:1px solid #9aa3ad;padding:2px 6px;vertical-align:middle}
.ak-report-table th{background:#f1f3f5;font-weight:normal;text-align:left}
.ak-report-table thead th{text-align:center}
.ak-report-table td{text-align:right;min-width:2.5em;font-variant-numeric:tabular-nums}
.ak-report-table td.ak-hl{background:#ffe066;font-weight:bold;outline:2px solid #e8590c;outline-offset:-2px}
.ak-report-table th.ak-hl-row{background:#fff3bf}
.ak-report-table .ak-null{color:#868e96;font-style:italic;font-weight:normal}
.ak-report-caption{font-weight:bold;margin:8px 0 2px 0}
.ak-section-text{white-space:pre-wrap;border-left:3px solid #adb5bd;padding:4px 8px;background:#f8f9fa;
  max-height:16em;overflow:auto;font-size:12px}
.ak-section-text mark{background:#ffe066}
</style>
"""

def as_report(record: Report | dict[str, Any]) -> Report:
    return record if isinstance(record, Report) else Report.from_record(record)


def tables_of(keys: Iterable[str]) -> list[str]:
    """The tables (active, requests, appeals) that cell keys belong to, in report order."""
    wanted = {k.split(".", 1)[0] for k in keys}
    wanted |= {k.split(".", 1)[1] for k in keys if k.startswith("table.")}
    return [t for t in TABLES if t in wanted]


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else str(int(value))
    return str(value)


class _Cells:
    """Renders single cells of one report, highlighting the chosen keys."""

    def __init__(self, report: Report, highlight: Iterable[str]) -> None:
        self.report = report
        self.highlight = set(highlight)
        self.diagnostics: dict[str, list[Any]] = {}
        for d in report.diagnostics:
            for k in {d.key, *(d.keys or ())} - {None}:
                self.diagnostics.setdefault(k, []).append(d)

    def td(self, key: str, label: str, colspan: int = 1) -> str:
        value = self.report.cells.get(key)
        diags = self.diagnostics.get(key, [])
        title = [f"{label} ({key})"]
        prov = self.report.provenance.get(key)
        if prov is not None:
            title.append(f"原文「{prov.text}」 {prov.location}")
        title.extend(d.message for d in diags)
        if value is None:
            code = next((d.code for d in diags if d.code in NULL_TEXT), None)
            shown = f'<span class="ak-null">{escape(NULL_TEXT.get(code, "无"))}</span>'
        else:
            shown = escape(_number(value))
        cls = ' class="ak-hl"' if key in self.highlight else ""
        span = f' colspan="{colspan}"' if colspan > 1 else ""
        return f'<td{cls}{span} data-key="{escape(key)}" title="{escape(chr(10).join(title))}">{shown}</td>'

    def row_hit(self, table: str, row: RowSpec) -> bool:
        return any(row.cell_key(table, c.key) in self.highlight for c in row.columns)


def render_table(record: Report | dict[str, Any], table: str, highlight: Iterable[str] = (),
                 css: bool = True) -> str:
    """One table of a report (``active``, ``requests`` or ``appeals``) as HTML in the official layout."""
    report = as_report(record)
    spec = format_spec(report_format(report.format, report.cells)).tables[table]
    cells = _Cells(report, highlight)
    caption = f'<div class="ak-report-caption">{escape(spec.title)}</div>'
    if not any(k in report.cells for k in spec.keys):
        return (CSS if css else "") + caption + '<div class="ak-null">（报告中没有这张表）</div>'
    return (CSS if css else "") + caption + f'<table class="ak-report-table" data-table="{table}">' + \
        table_body(table, spec, cells) + "</table>"


def render_section(record: Report | dict[str, Any], key: str, mark: str | None = None, limit: int = 1500) -> str:
    """A section's text (``overview`` … ``other``), with ``mark`` highlighted where it occurs."""
    report = as_report(record)
    title = next((s.title for s in sections() if s.key == key), key)
    text = report.sections.get(key) or ""
    if not text.strip():
        body = '<span class="ak-null">（报告中没有这一部分，或内容为空）</span>'
    else:
        shown = text if len(text) <= limit else text[:limit] + "…"
        body = escape(shown)
        if mark and escape(mark) in body:
            body = body.replace(escape(mark), f"<mark>{escape(mark)}</mark>")
    return f'<div class="ak-report-caption">{escape(title)}</div><div class="ak-section-text">{body}</div>'


def render_for_keys(record: Report | dict[str, Any], keys: Iterable[str], css: bool = True) -> str:
    """What a finding's cells point at: each table involved, highlighted; sections named by
    ``section.*`` keys; the report's metadata for ``meta.*`` keys."""
    report = as_report(record)
    keys = list(keys)
    parts = [render_table(report, t, keys, css=False) for t in tables_of(keys)]
    for k in keys:
        if k.startswith("section."):
            parts.append(render_section(report, k.split(".", 1)[1]))
    if any(k.startswith("meta.") for k in keys) or not parts:
        meta = [("meta.agency", "机关名称", report.agency), ("meta.year", "报告年度", report.year),
                ("meta.published", "发布日期", report.published), ("meta.format", "报告格式", report.format),
                ("", "文件", report.source)]
        rows = "".join(f"<tr><th>{escape(label)}</th><td style='text-align:left'"
                       f"{' class=ak-hl' if key in keys else ''}>"
                       f"{escape(str(v)) if v not in (None, '') else '<span class=ak-null>未识别</span>'}</td></tr>"
                       for key, label, v in meta)
        parts.append(f'<div class="ak-report-caption">报告信息</div><table class="ak-report-table">{rows}</table>')
    return (CSS if css else "") + "".join(parts)
