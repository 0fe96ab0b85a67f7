"""No CSV auditkit writes holds text a spreadsheet would run as a formula (issue 11 item 1).

A report whose title names the agency as ``=HYPERLINK(…)`` is audited; every CSV that
results (findings, skipped checks, per-rule checks, the review export, the comparison)
is read back as a spreadsheet would see it: no text cell starts like a formula, the
text is kept (behind one apostrophe), and numbers stay numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from auditkit.csvfile import FORMULA_STARTS, neutralise, restore, write_frame
from auditkit.findings import FINDING_COLUMNS, findings_frame, write_csv

SAMPLE = Path(__file__).resolve().parent.parent / "auditkit" / "data" / "samples" / "007_pingtan-shiyanqu_2025.txt"
LINK = '=HYPERLINK("http://evil.example/x","点此")&'


def cells(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8-sig", newline="")))


def live_formulas(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would take for a formula: text starting with one of the characters, not a number."""
    out = []
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                try:
                    float(cell)
                except ValueError:
                    out.append(cell)
    return out


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠SUM(1)"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", [-3, -2.5, 0, 7, None, "", "平潭综合实验区", "'quoted", "a=b"])
def test_other_values_are_left_alone(value) -> None:
    assert neutralise(value) == value and restore(value) == value


def test_an_apostrophe_before_a_formula_survives_the_round_trip() -> None:
    for text in ["'=1", "''=1", "'"]:
        assert restore(neutralise(text)) == text


def test_findings_csv_keeps_numbers_and_neutralises_text(tmp_path: Path) -> None:
    row = dict.fromkeys(FINDING_COLUMNS, "")
    row.update(finding_id="f1", source="=cmd|' /C calc'!A0.txt", agency=LINK + "某局", year=2023, rule_id="r",
               severity="critical", status="failed", place="-1+1", keys=["requests.total"], expected=12,
               actual=-3, difference=-15, evidence="@SUM(1)", description="+说明")
    write_csv(findings_frame([row]), tmp_path / "findings.csv")
    head, line = cells(tmp_path / "findings.csv")
    got = dict(zip(head, line, strict=True))
    assert got["agency"] == "'" + LINK + "某局"
    assert got["source"].startswith("'=cmd") and got["place"] == "'-1+1" and got["evidence"] == "'@SUM(1)"
    assert got["description"] == "'+说明"
    assert (got["expected"], got["actual"], got["difference"]) == ("12", "-3", "-15")  # numbers, unquoted
    assert live_formulas([line]) == []


def test_every_csv_of_an_audit_is_safe(tmp_path: Path) -> None:
    from auditkit.audit import run_audit
    from auditkit.render.data import load_audit

    report = tmp_path / "reports" / "a.txt"
    report.parent.mkdir()
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[0] = f"标题: {LINK}平潭综合实验区2025年度政府信息公开工作年度报告"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_audit([report.parent], out, store=tmp_path / "store.sqlite")
    assert result.reports[0].agency.startswith("=HYPERLINK")  # the reader keeps what the report says
    for name in ("findings.csv", "skipped.csv", "checks.csv"):
        rows = cells(out / name)
        assert len(rows) > 1, name
        assert live_formulas(rows) == [], name
    findings = pd.read_csv(out / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert (findings["agency"] == "'" + result.reports[0].agency).all()
    skipped = pd.read_csv(out / "skipped.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert (skipped["agency"] == "'" + result.reports[0].agency).all()
    assert list(load_audit(out).checks["rule_id"]) == list(result.checks["rule_id"])

    from auditkit.review.log import ReviewLog

    log = ReviewLog.for_audit(out)
    log.record(result.findings["finding_id"].iloc[0], "confirmed", "-请复核", reviewer="=张三")
    assert live_formulas(cells(log.export_csv(out / "review.csv", history=True))) == []

    from auditkit.compare import compare_reports

    comparison = compare_reports(result.reports, ["+某局"])
    for path in comparison.write(tmp_path / "compare"):
        assert live_formulas(cells(path)) == [], path.name


def test_write_frame_neutralises_index_and_header(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=列": ["-x", "y"], "n": [-1, 2]}, index=pd.Index(["@a", "b"], name="机关"))
    rows = cells(write_frame(frame, tmp_path / "f.csv", index=True))
    assert rows == [["机关", "'=列", "n"], ["'@a", "'-x", "-1"], ["b", "y", "2"]]


def test_a_csv_read_back_by_auditkit_has_its_text_as_written(tmp_path: Path) -> None:
    from auditkit.csvfile import read_frame

    checks = pd.DataFrame({"rule_id": ["-user.rule", "'=odd", "plain"], "evaluated": [3, -1, 0]})
    back = read_frame(write_frame(checks, tmp_path / "checks.csv"))
    assert list(back["rule_id"]) == list(checks["rule_id"]) and list(back["evaluated"]) == [3, -1, 0]
