"""``findings.xlsx``: the findings joined with the current review decisions, a summary, the rule catalogue.

For auditors who work in Excel: Chinese headers, the header row frozen, an
autofilter on every sheet, widths that fit the content, long text wrapped.
Text from documents is written as text, never as a formula (a cell of a report
that starts with ``=`` stays a string).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.render.data import AuditData, breakdown, decision_counts, load_audit, severity_breakdown
from auditkit.vocabulary import SEVERITY_BACKGROUNDS, decision_label, severity_label, status_label

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

XLSX_NAME = "findings.xlsx"
HEADER_FILL = "1C2B3A"

# (source column, Chinese header, width, wrap)
FINDING_SHEET = (
    ("finding_id", "问题编号", 18, False),
    ("severity", "严重程度", 9, False),
    ("status", "状态", 10, False),
    ("agency", "机关", 26, True),
    ("year", "年度", 7, False),
    ("category", "类别", 13, False),
    ("rule_id", "规则编号", 30, False),
    ("description", "说明", 48, True),
    ("place", "位置", 32, True),
    ("keys", "涉及单元格", 30, True),
    ("expected", "应为", 12, True),
    ("actual", "实际", 12, True),
    ("difference", "差额", 9, False),
    ("evidence", "证据", 60, True),
    ("basis", "依据", 36, True),
    ("decision", "审阅结论", 12, False),
    ("note", "审阅意见", 36, True),
    ("reviewer", "审阅人", 10, False),
    ("time", "审阅时间", 18, False),
    ("source", "来源文件", 40, False),
    ("sha256", "报告 SHA-256", 20, False),
)
RULE_SHEET = (
    ("rule_id", "规则编号", 30, False),
    ("category", "类别", 13, False),
    ("severity", "严重程度", 9, False),
    ("description", "说明", 60, True),
    ("basis", "依据", 44, True),
    ("cells", "涉及单元格", 36, True),
    ("suite", "规则集", 16, False),
    ("evaluated", "核对次数", 10, False),
    ("failed", "问题数", 9, False),
)


def write_findings_xlsx(out_dir: str | Path) -> Path:
    """Write ``out_dir/findings.xlsx`` from the audit folder and its review log; returns its path."""
    out_dir = Path(out_dir)
    path = out_dir / XLSX_NAME
    tmp = out_dir / f".{XLSX_NAME}.tmp"
    build_workbook(load_audit(out_dir)).save(tmp)
    os.replace(tmp, path)  # never leave half a workbook where Excel may have the old one open
    return path


def build_workbook(data: AuditData) -> Any:
    """The workbook (an ``openpyxl.Workbook``) for an audit."""
    from openpyxl import Workbook

    wb = Workbook()
    findings_ws = wb.active
    findings_ws.title = "问题清单"
    _findings_sheet(findings_ws, data)
    _summary_sheet(wb.create_sheet("概况"), data)
    _rules_sheet(wb.create_sheet("审核规则"), data)
    _failures_sheet(wb.create_sheet("无法读取的文件"), data)
    if data.log_warning:  # the first sheet, open on arrival: the decisions in this workbook may be forged
        ws = wb.create_sheet("警告 审阅记录被改动", 0)
        _warning_sheet(ws, data)
        wb.active = 0
    wb.properties.title = "政府信息公开工作年度报告审核结果"
    wb.properties.creator = "auditkit"
    return wb


def _category(c: Any) -> str:
    from auditkit.rules.suites import CATEGORY_LABELS

    return CATEGORY_LABELS.get(c, c)


def _findings_sheet(ws: Worksheet, data: AuditData) -> None:
    from openpyxl.styles import PatternFill

    labels = {"severity": severity_label, "category": _category, "status": status_label, "decision": decision_label}
    fills = {s: PatternFill("solid", fgColor=c.lstrip("#").upper()) for s, c in SEVERITY_BACKGROUNDS.items()}
    _header(ws, FINDING_SHEET)
    sev_col = [c for c, *_ in FINDING_SHEET].index("severity") + 1
    for row in data.findings.to_dict("records"):
        values = []
        for col, *_ in FINDING_SHEET:
            v = row.get(col)
            if col == "keys":
                v = "; ".join(v or [])
            elif col in labels:
                v = labels[col](v)
            values.append(v)
        r = _append(ws, values)
        fill = fills.get(row["severity"])
        if fill is not None:
            ws.cell(r, sev_col).fill = fill
    _finish(ws, FINDING_SHEET, freeze="B2")


def _warning_sheet(ws: Worksheet, data: AuditData) -> None:
    from openpyxl.styles import Font

    red = Font(bold=True, color="C92A2A", size=14)
    _append(ws, ["警告：审阅记录的哈希链已断开，本工作簿中的审阅结论可能被改动，请勿采信。"])
    _append(ws, ["WARNING: the review log was tampered with; the decisions in this workbook may be forged."])
    _append(ws, [data.log_warning])
    for row in (1, 2, 3):
        ws.cell(row, 1).font = red
    ws.column_dimensions["A"].width = 120


def _summary_sheet(ws: Worksheet, data: AuditData) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    f = data.findings
    ws.append(["政府信息公开工作年度报告审核结果", ""])
    ws["A1"].font = Font(bold=True, size=14)
    for line in data.summary.splitlines():
        ws.append([line])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)
    ws.append([])
    decided = decision_counts(data)
    kpis = [("已审核报告", len(data.reports)), ("无法读取的文件", data.unreadable),
            ("问题（规则不成立）", int((f["status"] == "failed").sum())),
            ("未能核验", int((f["status"] == "unverified").sum())), ("问题清单合计", len(f)),
            ("已审阅", data.reviewed)]
    _block(ws, ["项目", "数量"], kpis, bold)

    def table(title: str, frame: pd.DataFrame, label) -> None:
        ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = bold
        rows = [(label(k), int(r.failed), int(r.unverified), int(r.total), int(r.reviewed)) for k, r in frame.iterrows()]
        _block(ws, ["", "问题", "未能核验", "合计", "已审阅"], rows, bold)

    table("按严重程度", severity_breakdown(f), severity_label)
    table("按类别", breakdown(f, "category").sort_values(["failed", "total"], ascending=False), _category)
    table("按规则", breakdown(f, "rule_id").sort_values(["failed", "total"], ascending=False), str)
    table("按机关", breakdown(f, "agency").sort_values(["failed", "total"], ascending=False), str)
    ws.append([])
    ws.append(["审阅进度"])
    ws.cell(ws.max_row, 1).font = bold
    _block(ws, ["审阅结论", "条数"], [(decision_label(d), n) for d, n in decided.items()], bold)
    if data.orphan_decisions:
        ws.append([f"另有 {data.orphan_decisions} 条审阅记录所对应的问题在本次审核中不再出现。"])
    if data.log_check is not None and data.log_check.ok:  # a copy of the head, outside the log
        ws.append([f"审阅记录 {data.log_check.events} 条，链头 {data.log_check.last_hash}（可用 auditkit verify-log 核对）"])
    ws.column_dimensions["A"].width = 40
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 11


def _rules_sheet(ws: Worksheet, data: AuditData) -> None:
    counts = breakdown(data.findings, "rule_id")
    evaluated: dict[str, Any] = {}
    if data.checks is not None and {"rule_id", "evaluated"} <= set(data.checks.columns):
        evaluated = dict(zip(data.checks["rule_id"], data.checks["evaluated"], strict=False))
    _header(ws, RULE_SHEET)
    for r in data.rules.to_dict("records"):
        failed = int(counts.loc[r["rule_id"], "failed"]) if r["rule_id"] in counts.index else 0
        ev = evaluated.get(r["rule_id"])
        _append(ws, [r["rule_id"], _category(r["category"]), severity_label(r["severity"]),
                     r["description"], r["basis"], r.get("cells", ""), r.get("suite", ""),
                     None if ev is None else int(ev), failed])
    _finish(ws, RULE_SHEET, freeze="B2")


def _failures_sheet(ws: Worksheet, data: AuditData) -> None:
    spec = (("source", "文件", 60, False), ("error", "原因代码", 18, False), ("message", "说明", 60, True))
    _header(ws, spec)
    for x in data.failures:
        _append(ws, [x.get("source"), x.get("error"), x.get("message")])
    _finish(ws, spec, freeze="A2")


# ---------------------------------------------------------------------------


def _header(ws: Worksheet, spec: tuple) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append([head for _, head, *_ in spec])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center")


def _append(ws: Worksheet, values: list[Any]) -> int:
    """Append a row of plain values; text never becomes a formula. Returns the row number."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from auditkit.findings import plain

    clean = []
    for v in values:
        v = plain(v)
        if isinstance(v, str):
            v = ILLEGAL_CHARACTERS_RE.sub("", v)
        clean.append(v)
    ws.append(clean)
    row = ws.max_row
    for cell in ws[row]:
        if cell.data_type == "f":  # openpyxl reads a leading "=" as a formula
            cell.data_type = "s"
    return row


def _block(ws: Worksheet, head: list[str], rows: list[tuple], bold: Any) -> None:
    ws.append(head)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for r in rows:
        _append(ws, list(r))


def _finish(ws: Worksheet, spec: tuple, freeze: str) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(spec))
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"
    ws.freeze_panes = freeze
    top = Alignment(wrap_text=True, vertical="top")
    rows = min(ws.max_row, 1000)  # iter_rows past max_row would create empty rows
    for i, (_, _, width, wrap) in enumerate(spec, 1):
        letter = get_column_letter(i)
        # As wide as the content (Chinese characters count double), at most the column's own width.
        widest = max((_display_width(c.value) for (c,) in ws.iter_rows(max_row=rows, min_col=i, max_col=i)), default=0)
        ws.column_dimensions[letter].width = max(6, min(width, widest + 2))
        if wrap:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = top


def _display_width(value: Any) -> int:
    import unicodedata

    if value is None:
        return 0
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))
