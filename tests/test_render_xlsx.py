"""findings.xlsx from a real audit of the bundled samples: findings with decisions, summary, rule catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from auditkit.render.xlsx import write_findings_xlsx
from tests.conftest import read_findings_csv


def sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_workbook_sheets_headers_filters_and_widths(audit_dir: Path) -> None:
    path = write_findings_xlsx(audit_dir)
    assert path == audit_dir / "findings.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["问题清单", "概况", "审核规则", "无法读取的文件"]
    csv = read_findings_csv(audit_dir)
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["问题编号", "严重程度", "状态", "机关", "年度", "类别", "规则编号", "说明"]
    assert {"证据", "依据", "审阅结论", "审阅意见", "审阅人", "审阅时间", "来源文件"} <= set(header)
    assert ws.max_row == len(csv) + 1
    assert ws.auto_filter.ref == f"A1:U{len(csv) + 1}"
    assert ws.freeze_panes == "B2"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["A"] >= 16 and widths["N"] >= 40 and all(6 <= w <= 60 for w in widths.values())
    assert ws.cell(2, header.index("证据") + 1).alignment.wrap_text
    frame = sheet_frame(ws)
    assert list(frame["问题编号"]) == list(csv["finding_id"])
    assert set(frame["严重程度"]) <= {"严重", "警告", "提示"}
    assert set(frame["审阅结论"]) == {"未审阅"}
    # Numbers stay numbers for Excel's filters and sums.
    assert all(isinstance(v, int) for v in frame["年度"])
    rules = wb["审核规则"]
    assert [c.value for c in rules[1]][:5] == ["规则编号", "类别", "严重程度", "说明", "依据"]
    from auditkit import rule_catalogue

    assert rules.max_row == len(rule_catalogue()) + 1 and rules.auto_filter.ref and rules.freeze_panes == "B2"
    per_rule = sheet_frame(rules).set_index("规则编号")["问题数"]
    failed = csv[csv["status"] == "failed"].groupby("rule_id").size()
    assert per_rule[per_rule > 0].sort_index().to_dict() == failed.sort_index().to_dict()


def test_summary_sheet_numbers_equal_findings_csv(audit_dir: Path) -> None:
    ws = load_workbook(write_findings_xlsx(audit_dir))["概况"]
    rows = list(ws.iter_rows(values_only=True))
    values = {r[0]: r[1] for r in rows if r and r[0]}
    csv = read_findings_csv(audit_dir)
    assert values["已审核报告"] == 12
    assert values["问题（规则不成立）"] == (csv["status"] == "failed").sum()
    assert values["未能核验"] == (csv["status"] == "unverified").sum()
    assert values["问题清单合计"] == len(csv)
    start = next(i for i, r in enumerate(rows) if r[0] == "按严重程度") + 2
    by_sev = {r[0]: r[1:5] for r in rows[start:start + 3]}
    for sev, label in (("critical", "严重"), ("warning", "警告"), ("info", "提示")):
        sel = csv[csv["severity"] == sev]
        assert by_sev[label] == ((sel["status"] == "failed").sum(), (sel["status"] == "unverified").sum(), len(sel), 0)


def test_decisions_are_joined_and_document_text_never_becomes_a_formula(audit_dir: Path) -> None:
    from auditkit.review.log import ReviewLog

    csv = read_findings_csv(audit_dir)
    fid = csv["finding_id"].iloc[2]
    log = ReviewLog.for_audit(audit_dir)
    log.record(fid, "confirmed", note="与原文核对无误", reviewer="王五")
    # A report's text beginning with "=" must stay text in Excel (no formula injection).
    path = audit_dir / "findings.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    lines[0]["evidence"] = '=HYPERLINK("x","点我")\x07'
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    with (audit_dir / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"source": "/in/空.txt", "error": "empty", "message": "空文件 (empty file)"},
                            ensure_ascii=False) + "\n")
    wb = load_workbook(write_findings_xlsx(audit_dir))
    ws = wb["问题清单"]
    frame = sheet_frame(ws)
    row = frame[frame["问题编号"] == fid].iloc[0]
    assert (row["审阅结论"], row["审阅意见"], row["审阅人"]) == ("确认", "与原文核对无误", "王五")
    assert row["审阅时间"]
    assert (frame["审阅结论"] == "未审阅").sum() == len(csv) - 1
    header = [c.value for c in ws[1]]
    evidence = ws.cell(2, header.index("证据") + 1)
    assert evidence.data_type == "s" and evidence.value == '=HYPERLINK("x","点我")'
    failures = sheet_frame(wb["无法读取的文件"])
    assert failures.to_dict("records") == [{"文件": "/in/空.txt", "原因代码": "empty", "说明": "空文件 (empty file)"}]
    summary = {r[0]: r[1] for r in wb["概况"].iter_rows(values_only=True) if r and r[0]}
    assert summary["已审阅"] == 1 and summary["无法读取的文件"] == 1
