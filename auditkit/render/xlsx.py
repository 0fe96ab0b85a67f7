"""``findings.xlsx``: the findings as an auditor's workpaper, a summary, the rule catalogue.

The findings sheet (问题清单) is what an auditor prints and files: most severe first, then by
agency and place in the report; Chinese headers; cells named as the report prints them and
files by their name, never a cell key or a path of the machine that ran the audit (those are
on the hidden sheet 数据, one row per finding, joined by 编号); the decision a drop-down of the
review decisions; landscape, fitted to the page width, the header row on every page.
Text from documents is written as text, never as a formula (a cell of a report that starts
with ``=`` stays a string).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.queue import shown_figures
from auditkit.render.data import AuditData, breakdown, decision_counts, load_audit, severity_breakdown, split_queue
from auditkit.render.places import cells_text, file_name, readable_text, sort_findings
from auditkit.render.rule_names import rule_name
from auditkit.vocabulary import (
    REVIEW_STATE_LABELS,
    REVIEW_STATES,
    SEVERITY_BACKGROUNDS,
    china_time,
    decision_label,
    severity_label,
    signoff_label,
    status_label,
)

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

XLSX_NAME = "findings.xlsx"
HEADER_FILL = "1C2B3A"
LINE_HEIGHT = 14.5  # points per line of 11-point text with Chinese characters

# (source column, Chinese header, width, wrap), in the order an auditor reads a finding.
FINDING_SHEET = (
    ("number", "编号", 5, False),
    ("severity", "严重程度", 6, True),
    ("agency", "机关", 14, True),
    ("year", "年度", 6, False),
    ("file", "报告文件", 14, True),
    ("category", "类别", 8, True),
    ("rule", "规则", 16, True),
    ("description", "问题说明", 28, True),
    ("place", "位置", 16, True),
    ("cells", "涉及单元格", 24, True),
    ("evidence", "证据（原文）", 40, True),
    ("figures", "数字", 22, True),
    ("status", "状态", 6, True),
    ("basis", "依据", 20, True),
    ("decision", "审核结论", 10, False),
    ("note", "审核意见", 16, True),
    ("reviewer", "审核人", 7, True),
    ("time", "审核时间", 11, True),
    ("signoff", "复核", 7, True),
    ("signer", "复核人", 7, True),
)
FINDINGS_TITLE = "问题清单"
READINGS_TITLE = "需人工核对读数"
# The hidden sheet: what joins a row of the workpaper back to the audit's data files.
DATA_TITLE = "数据"
DATA_SHEET = ("编号", "finding_id", "rule_id", "severity", "status", "decision", "keys", "source", "sha256")
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
    findings_ws.title = FINDINGS_TITLE
    # Readings to check by hand are not the agency's problems: a sheet of their own, outside the counts.
    problems, readings = split_queue(data.findings)
    if len(readings):
        data = replace(data, findings=problems, readings=len(readings))
    findings = sort_findings(problems)
    _findings_sheet(findings_ws, data, findings)
    _summary_sheet(wb.create_sheet("概况"), data)
    _rules_sheet(wb.create_sheet("审核规则"), data)
    _failures_sheet(wb.create_sheet("无法读取的文件"), data)
    if len(readings):
        _findings_sheet(wb.create_sheet(READINGS_TITLE), data, sort_findings(readings), READINGS_TITLE)
    _data_sheet(wb.create_sheet(DATA_TITLE), findings)
    if data.log_warning:  # the first sheet, open on arrival: the decisions in this workbook may be forged
        ws = wb.create_sheet("警告 审核记录被改动", 0)
        _warning_sheet(ws, data)
        wb.active = 0
    wb.properties.title = "政府信息公开工作年度报告审核结果"
    wb.properties.creator = "auditkit"
    return wb


def _category(c: Any) -> str:
    from auditkit.rules.suites import CATEGORY_LABELS

    return CATEGORY_LABELS.get(c, c)


def _findings_sheet(ws: Worksheet, data: AuditData, findings: pd.DataFrame, title: str = FINDINGS_TITLE) -> None:
    from openpyxl.styles import PatternFill

    sources = _sources(data)
    fills = {s: PatternFill("solid", fgColor=c.lstrip("#").upper()) for s, c in SEVERITY_BACKGROUNDS.items()}
    _header(ws, FINDING_SHEET)
    sev_col = [c for c, *_ in FINDING_SHEET].index("severity") + 1
    for number, row in enumerate(findings.to_dict("records"), 1):
        shown = {
            "number": number, "severity": severity_label(row["severity"]), "agency": row["agency"],
            "year": row["year"], "file": file_name(row["source"]), "category": _category(row["category"]),
            "description": row["description"],
            "cells": cells_text(row["keys"] or []), "evidence": readable_text(row["evidence"], sources),
            "figures": readable_text(shown_figures(row), sources), "status": status_label(row["status"]),
            "basis": row["basis"], "decision": decision_label(row["decision"]), "note": row["note"],
            "reviewer": row["reviewer"], "time": china_time(row["time"]),
            "rule": f"{rule_name(row['rule_id'], row['description'])}（{row['rule_id']}）",
            "place": readable_text(row.get("place_text") or row["place"], sources),
            "signoff": signoff_label(row.get("signoff")) if row["decision"] else "",
            "signer": row.get("signer") or "",
        }
        r = _append(ws, [shown[col] for col, *_ in FINDING_SHEET])
        fill = fills.get(row["severity"])
        if fill is not None:
            ws.cell(r, sev_col).fill = fill
    _finish(ws, FINDING_SHEET, freeze="D2")
    _fit_row_heights(ws, FINDING_SHEET)
    _decision_dropdown(ws, [c for c, *_ in FINDING_SHEET].index("decision") + 1)
    _workpaper_print(ws, f"政府信息公开工作年度报告审核{title}")


def _data_sheet(ws: Worksheet, findings: pd.DataFrame) -> None:
    """The keys, rule ids, paths and hashes of the findings, one row per finding (hidden: for tools, not for print)."""
    ws.append(list(DATA_SHEET))
    for number, row in enumerate(findings.to_dict("records"), 1):
        _append(ws, [number, row["finding_id"], row["rule_id"], row["severity"], row["status"], row["decision"] or "",
                     "; ".join(row["keys"] or []), row["source"], row["sha256"]])
    ws.sheet_state = "hidden"


def _sources(data: AuditData) -> set[str]:
    """Every file the audit names: replaced by their names in what a person reads."""
    out = {str(s) for s in data.findings["source"] if s}
    out |= {str(r.get("source")) for r in [*data.reports, *data.failures] if r.get("source")}
    return out


def _decision_dropdown(ws: Worksheet, column: int) -> None:
    """The decision cells offer the review decisions (and 未审核) as a list, and refuse anything else."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = [REVIEW_STATE_LABELS[s] for s in REVIEW_STATES]
    dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="审核结论", error="请从下拉列表中选择：" + "、".join(labels),
                        showInputMessage=True, promptTitle="审核结论", prompt="从下拉列表中选择")
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{max(ws.max_row, 2)}")
    ws.add_data_validation(dv)


def _workpaper_print(ws: Worksheet, title: str) -> None:
    """Printed as a workpaper: A4 landscape, all columns on the page width, the header row on every page,
    thin borders round every cell, the title and page numbers in the margins."""
    from openpyxl.styles import Border, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
        for cell in row:
            cell.border = border
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the findings need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _warning_sheet(ws: Worksheet, data: AuditData) -> None:
    from openpyxl.styles import Font

    red = Font(bold=True, color="C92A2A", size=14)
    _append(ws, ["警告：审核记录的哈希链已断开，本工作簿中的审核结论可能被改动，请勿采信。"])
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
    kpis = [("已读取的报告文件", len(data.reports)), ("无法读取的文件", data.unreadable),
            ("问题（规则不成立）", int((f["status"] == "failed").sum())),
            ("未能核验", int((f["status"] == "unverified").sum())) if data.readings is None
            else (READINGS_TITLE, data.readings), ("问题清单合计", len(f)),
            ("已作出审核结论", data.reviewed)]
    _block(ws, ["项目", "数量"], kpis, bold)

    def table(title: str, frame: pd.DataFrame, label) -> None:
        ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = bold
        rows = [(label(k), int(r.failed), int(r.unverified), int(r.total), int(r.reviewed)) for k, r in frame.iterrows()]
        _block(ws, ["", "问题", "未能核验", "合计", "已作结论"], rows, bold)

    table("按严重程度", severity_breakdown(f), severity_label)
    table("按类别", breakdown(f, "category").sort_values(["failed", "total"], ascending=False), _category)
    table("按规则", breakdown(f, "rule_id").sort_values(["failed", "total"], ascending=False),
          lambda r: f"{rule_name(r)}（{r}）")
    table("按机关", breakdown(f, "agency").sort_values(["failed", "total"], ascending=False), str)
    ws.append([])
    ws.append(["审核进度"])
    ws.cell(ws.max_row, 1).font = bold
    _block(ws, ["审核结论", "条数"], [(decision_label(d), n) for d, n in decided.items()], bold)
    if data.orphan_decisions:
        ws.append([f"另有 {data.orphan_decisions} 条审核记录所对应的问题在本次审核中不再出现。"])
    if data.log_check is not None and data.log_check.ok:  # a copy of the head, outside the log
        ws.append([f"审核记录 {data.log_check.events} 条，链头 {data.log_check.last_hash}（可用 auditkit verify-log 核对）"])
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
    sources = _sources(data)
    for x in data.failures:
        _append(ws, [file_name(x.get("source")), x.get("error"), readable_text(x.get("message"), sources)])
    _finish(ws, spec, freeze="A2")


# ---------------------------------------------------------------------------


def _header(ws: Worksheet, spec: tuple) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append([head for _, head, *_ in spec])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", wrap_text=True)


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
    top_unwrapped = Alignment(vertical="top")
    rows = min(ws.max_row, 1000)  # iter_rows past max_row would create empty rows
    for i, (_, _, width, wrap) in enumerate(spec, 1):
        letter = get_column_letter(i)
        # As wide as the content (Chinese characters count double), at most the column's own width.
        widest = max((_display_width(c.value) for (c,) in ws.iter_rows(max_row=rows, min_col=i, max_col=i)), default=0)
        ws.column_dimensions[letter].width = max(6, min(width, widest + 2))
        for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
            cell.alignment = top if wrap else top_unwrapped


def _fit_row_heights(ws: Worksheet, spec: tuple) -> None:
    """Each row as tall as its longest wrapped cell: Excel and LibreOffice do not grow rows written by
    openpyxl, and a printed workpaper must show the whole text."""
    import math

    from openpyxl.utils import get_column_letter

    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(spec) + 1)]
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=len(spec)):
        lines = 1
        for cell, width, (_, _, _, wrap) in zip(row, widths, spec, strict=True):
            if cell.value is None or not (wrap or cell.row == 1):
                continue
            usable = max(1.0, width - 1)
            lines = max(lines, sum(math.ceil(max(_display_width(part), 1) / usable) for part in str(cell.value).split("\n")))
        ws.row_dimensions[row[0].row].height = min(409, LINE_HEIGHT * lines + 3)


def _display_width(value: Any) -> int:
    import unicodedata

    if value is None:
        return 0
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))
