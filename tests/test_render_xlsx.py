"""findings.xlsx from a real audit of the bundled samples: the findings as a workpaper (order, Chinese
headers, no keys or paths in view, the hidden data sheet, the decision drop-down, print setup),
the summary and the rule catalogue."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from auditkit.frames.keys import ALL_KEYS
from auditkit.render.places import report_position
from auditkit.render.xlsx import write_findings_xlsx
from auditkit.vocabulary import REVIEW_STATE_LABELS, SEVERITIES, SEVERITY_LABELS
from tests.conftest import SAMPLES, read_findings_csv, read_problems_csv

VISIBLE_HEADER = ["编号", "严重程度", "机关", "年度", "报告文件", "类别", "规则", "问题说明", "位置", "涉及单元格",
                  "证据（原文）", "数字", "状态", "依据", "审核结论", "审核意见", "审核人", "审核时间",
                  "复核", "复核人"]


def sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def joined(wb) -> pd.DataFrame:
    """The visible findings joined with the hidden data sheet by 编号."""
    return sheet_frame(wb["问题清单"]).merge(sheet_frame(wb["数据"]), on="编号", how="left", validate="one_to_one")


def test_workbook_sheets_headers_filters_and_widths(audit_dir: Path) -> None:
    path = write_findings_xlsx(audit_dir)
    assert path == audit_dir / "findings.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["问题清单", "概况", "审核规则", "无法读取的文件", "需人工核对读数", "数据"]
    assert [wb[n].sheet_state for n in wb.sheetnames] == ["visible"] * 5 + ["hidden"]
    readings = read_findings_csv(audit_dir)
    readings = readings[readings["queue"] == "reading"]
    assert wb["需人工核对读数"].max_row == len(readings) + 1 > 1  # apart from the problems, not counted with them
    assert wb.active.title == "问题清单"
    csv = read_problems_csv(audit_dir)
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    assert header == VISIBLE_HEADER
    assert ws.max_row == len(csv) + 1
    assert ws.auto_filter.ref == f"A1:T{len(csv) + 1}"
    assert ws.freeze_panes == "D2"  # 编号, 严重程度 and 机关 stay in view
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["K"] >= 30 and all(6 <= w <= 40 for w in widths.values())
    assert ws.cell(2, header.index("证据（原文）") + 1).alignment.wrap_text
    frame = sheet_frame(ws)
    assert list(frame["编号"]) == list(range(1, len(csv) + 1))
    assert set(frame["严重程度"]) <= {"严重", "警告", "提示"}
    assert set(frame["审核结论"]) == {"未审核"}
    # Numbers stay numbers for Excel's filters and sums.
    assert all(isinstance(v, int) for v in frame["年度"])
    rules = wb["审核规则"]
    assert [c.value for c in rules[1]][:5] == ["规则编号", "类别", "严重程度", "说明", "依据"]
    from auditkit import rule_catalogue

    assert rules.max_row == len(rule_catalogue()) + 1 and rules.auto_filter.ref and rules.freeze_panes == "B2"
    per_rule = sheet_frame(rules).set_index("规则编号")["问题数"]
    failed = csv[csv["status"] == "failed"].groupby("rule_id").size()
    assert per_rule[per_rule > 0].sort_index().to_dict() == failed.sort_index().to_dict()


def test_findings_are_sorted_by_severity_agency_and_place_in_the_report(audit_dir: Path) -> None:
    frame = joined(load_workbook(write_findings_xlsx(audit_dir)))
    ranks = [SEVERITIES.index(s) for s in frame["severity"]]
    assert ranks == sorted(ranks) and ranks[0] == 0 and frame["严重程度"].iloc[0] == SEVERITY_LABELS["critical"]
    for _, same in frame.groupby("severity", sort=False):
        agencies = [a or "\uffff" for a in same["机关"]]
        assert agencies == sorted(agencies)
    for _, same in frame.groupby(["severity", "机关", "source"], sort=False):
        places = [report_position((k or "").split("; ")) for k in same["keys"]]
        assert places == sorted(places)
    # 洪泽区's three warnings read down its report: 表三 一、新收 (text against table), then the
    # misspelt row （三）2, then the merged rows of （六）.
    hongze = frame[(frame["机关"] == "淮安市洪泽区人民政府") & (frame["严重程度"] == "警告")]
    assert list(hongze["rule_id"]) == ["narrative.figure_qualified", "label.wording", "structure.merged_row"]
    assert hongze["涉及单元格"].iloc[0] == "表三 一、本年新收政府信息公开申请数量 — 总计"


def test_hidden_data_sheet_holds_ids_keys_and_paths_one_row_per_finding(audit_dir: Path) -> None:
    wb = load_workbook(write_findings_xlsx(audit_dir))
    data = sheet_frame(wb["数据"])
    assert list(data.columns) == ["编号", "finding_id", "rule_id", "severity", "status", "decision", "keys", "source",
                                  "sha256"]
    csv = read_problems_csv(audit_dir).set_index("finding_id")
    assert sorted(data["finding_id"]) == sorted(csv.index) and list(data["编号"]) == list(range(1, len(csv) + 1))
    for row in data.itertuples():
        truth = csv.loc[row.finding_id]
        assert (row.rule_id, row.keys, row.source, row.sha256) == (truth["rule_id"], truth["keys"], truth["source"],
                                                                    truth["sha256"])
        assert Path(row.source).is_absolute()
    # The visible row with the same 编号 is the same finding.
    frame = joined(wb)
    assert all(frame["报告文件"] == [Path(s).name for s in frame["source"]])


def test_no_cell_key_absolute_path_or_finding_id_in_the_visible_sheets(audit_dir: Path) -> None:
    with (audit_dir / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"source": "/in/报告/空.txt", "error": "empty", "message": "空文件 (empty file)"},
                            ensure_ascii=False) + "\n")
    wb = load_workbook(write_findings_xlsx(audit_dir))
    csv = read_problems_csv(audit_dir)
    key = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in ALL_KEYS) + r")(?![\w.])")
    path = re.compile(r"(?:^|[\s「（(：:=])/\w+/")
    ids = set(csv["finding_id"])
    texts = [str(c.value) for name in ("问题清单", "无法读取的文件") for row in wb[name].iter_rows() for c in row
             if c.value is not None]
    assert texts
    for text in texts:
        assert not key.search(text), text
        assert not path.search(text) and str(SAMPLES) not in text and str(audit_dir) not in text, text
        assert text not in ids
    # A report in five files is audited once: its finding names its file by name, once (its copies, among them
    # the text copy whose cells were settled from the web page, raise nothing of their own).
    sheet = sheet_frame(wb["问题清单"])
    evidence = " ".join(sheet["证据（原文）"])
    assert sheet["报告文件"].str.startswith("011_pingtan-shiyanqu_2023").sum() == 1
    assert "011_pingtan-shiyanqu_2023.html" in set(sheet["报告文件"])
    assert "表三 三、本年度办理结果（四）无法提供 1.本机关不掌握相关政府信息 — 总计「34」" in evidence
    assert sheet_frame(wb["无法读取的文件"])["文件"].tolist() == ["空.txt"]


def test_decision_column_is_a_dropdown_of_the_review_decisions(audit_dir: Path) -> None:
    ws = load_workbook(write_findings_xlsx(audit_dir))["问题清单"]
    column = "O"
    assert ws[f"{column}1"].value == "审核结论"
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list" and dv.showErrorMessage and not dv.showDropDown  # (showDropDown=True hides the arrow)
    assert str(dv.sqref) == f"{column}2:{column}{ws.max_row}"
    assert dv.formula1.strip('"').split(",") == list(REVIEW_STATE_LABELS.values())
    assert {c.value for (c,) in ws.iter_rows(min_row=2, min_col=15, max_col=15)} <= set(REVIEW_STATE_LABELS.values())


def test_print_setup_makes_a_workpaper(audit_dir: Path) -> None:
    ws = load_workbook(write_findings_xlsx(audit_dir))["问题清单"]
    setup = ws.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == str(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"  # the header row on every printed page
    assert ws.print_area == [f"'问题清单'!$A$1:$T${ws.max_row}"] or str(ws.print_area).endswith(f"$A$1:$T${ws.max_row}")
    assert "&P" in ws.oddFooter.center.text and ws.oddHeader.center.text
    for cell in (ws["A1"], ws["J2"], ws.cell(ws.max_row, 19)):
        assert all(getattr(cell.border, side).style == "thin" for side in ("left", "right", "top", "bottom"))
    # Rows are as tall as their text: a long evidence makes a taller row than a short one.
    heights = {r: ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)}
    assert all(h and h >= 14 for h in heights.values())
    evidence_len = {r: len(str(ws.cell(r, 10).value or "")) for r in heights}
    longest, shortest = max(evidence_len, key=evidence_len.get), min(evidence_len, key=evidence_len.get)
    assert heights[longest] > heights[shortest]


def test_summary_sheet_numbers_equal_findings_csv(audit_dir: Path) -> None:
    ws = load_workbook(write_findings_xlsx(audit_dir))["概况"]
    rows = list(ws.iter_rows(values_only=True))
    values = {r[0]: r[1] for r in rows if r and r[0]}
    csv = read_problems_csv(audit_dir)
    assert values["已读取的报告文件"] == 12
    assert values["问题（规则不成立）"] == (csv["status"] == "failed").sum()
    everything = read_findings_csv(audit_dir)
    assert values["需人工核对读数"] == (everything["queue"] == "reading").sum() > 0
    assert values["问题清单合计"] == len(csv)
    start = next(i for i, r in enumerate(rows) if r[0] == "按严重程度") + 2
    by_sev = {r[0]: r[1:5] for r in rows[start:start + 3]}
    for sev, label in (("critical", "严重"), ("warning", "警告"), ("info", "提示")):
        sel = csv[csv["severity"] == sev]
        assert by_sev[label] == ((sel["status"] == "failed").sum(), (sel["status"] == "unverified").sum(), len(sel), 0)


def test_decisions_are_joined_and_document_text_never_becomes_a_formula(audit_dir: Path) -> None:
    from auditkit.review.log import ReviewLog

    csv = read_problems_csv(audit_dir)
    fid = csv["finding_id"].iloc[2]
    log = ReviewLog.for_audit(audit_dir)
    event = log.record(fid, "confirmed", note="与原文核对无误", reviewer="王五")
    # A report's text beginning with "=" must stay text in Excel (no formula injection).
    path = audit_dir / "findings.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    lines[0]["evidence"] = '=HYPERLINK("x","点我")\x07'
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    with (audit_dir / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"source": "/in/空.txt", "error": "empty", "message": "空文件 (empty file)"},
                            ensure_ascii=False) + "\n")
    wb = load_workbook(write_findings_xlsx(audit_dir))
    frame = joined(wb)
    row = frame[frame["finding_id"] == fid].iloc[0]
    assert (row["审核结论"], row["审核意见"], row["审核人"], row["decision"]) == ("确认", "与原文核对无误", "王五", "confirmed")
    # The time in China Standard Time, to the minute.
    cst = datetime.fromisoformat(event["time"]) + timedelta(hours=8)
    assert row["审核时间"] == cst.strftime("%Y-%m-%d %H:%M")
    assert (frame["审核结论"] == "未审核").sum() == len(csv) - 1
    ws = wb["问题清单"]
    number = int(frame[frame["finding_id"] == lines[0]["finding_id"]]["编号"].iloc[0])
    evidence = ws.cell(number + 1, VISIBLE_HEADER.index("证据（原文）") + 1)
    assert evidence.data_type == "s" and evidence.value == '=HYPERLINK("x","点我")'
    failures = sheet_frame(wb["无法读取的文件"])
    assert failures.to_dict("records") == [{"文件": "空.txt", "原因代码": "empty", "说明": "空文件 (empty file)"}]
    summary = {r[0]: r[1] for r in wb["概况"].iter_rows(values_only=True) if r and r[0]}
    assert summary["已作出审核结论"] == 1 and summary["无法读取的文件"] == 1


def test_rule_names_sign_off_and_readings_in_the_workpaper(audit_dir: Path) -> None:
    from auditkit.review.log import ReviewLog

    csv = read_problems_csv(audit_dir)
    first = csv["finding_id"].iloc[0]
    log = ReviewLog.for_audit(audit_dir)
    log.record(first, "confirmed", note="核实无误", reviewer="张三")
    log.sign_off(first, "approved", reviewer="李四")
    path = audit_dir / "findings.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for x in rows:
        x["queue"] = "reading" if x["rule_id"] == "structure.unreadable" else "problem"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    readings = sum(x["queue"] == "reading" for x in rows)
    assert readings
    wb = load_workbook(write_findings_xlsx(audit_dir))
    frame = joined(wb)
    assert len(frame) == len(rows) - readings
    assert all(re.fullmatch(r".+（[a-z_]+\.[a-z_]+）", r) for r in frame["规则"])
    signed = frame[frame["finding_id"] == first].iloc[0]
    assert (signed["复核"], signed["复核人"]) == ("已复核", "李四")
    assert len(sheet_frame(wb["需人工核对读数"])) == readings
