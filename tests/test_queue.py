"""The review queue on the bundled samples: the agency's problems apart from what needs the reading checked
(需人工核对读数), one defect raised by several rules as one finding, and the order of the review."""

from __future__ import annotations

import copy
import csv
import itertools
import json
import re
from pathlib import Path

import pytest

from auditkit.audit import audit_reports
from auditkit.findings import read_jsonl
from auditkit.queue import PROBLEM, READING, figures_text
from auditkit.record import Report
from auditkit.render.places import report_position
from auditkit.vocabulary import SEVERITY_ORDER

CLEAN = "016_pingtan-caizhengjinrongju_2022.txt"  # every cell read, every identity holds


@pytest.fixture(scope="module")
def findings(sample_audit_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (sample_audit_dir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def clean(sample_audit_dir: Path) -> Report:
    rows = [json.loads(x) for x in (sample_audit_dir / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    [rec] = [r for r in rows if r["source"].endswith(CLEAN)]
    return Report.from_record(rec)


def test_reading_items_are_apart_from_the_problems(findings, sample_audit_dir: Path) -> None:
    assert {f["queue"] for f in findings} == {PROBLEM, READING}
    for f in findings:  # unverified checks and unreadable cells are the reading's limits, not the agency's
        reading = f["status"] == "unverified" or f["rule_id"] == "structure.unreadable"
        assert (f["queue"] == READING) == reading, f
    problems = [f for f in findings if f["queue"] == PROBLEM]
    readings = [f for f in findings if f["queue"] == READING]
    # Before: 26 failed findings counted as problems (7 严重), 15 unverified besides: 41 to review. Now 15
    # problems (the 2023 report's five files audited once: 4 fewer 严重, 3 fewer 提示 on its copies' dates; the
    # 4 structure.unreadable moved) and 15 readings (11 unverified, 4 structure.unreadable).
    assert (len(problems), len(readings)) == (15, 15)
    assert sum(f["severity"] == "critical" for f in problems) == 3  # 009 twice, 2023's report once
    summary = (sample_audit_dir / "summary.txt").read_text(encoding="utf-8")
    assert "发现问题 15 项：严重 3 项、警告 7 项、提示 5 项；2 份报告有严重问题" in summary
    assert "另有 15 项需人工核对读数" in summary


def test_findings_in_the_order_of_the_review(findings) -> None:
    """Most severe first, then agency, then (within one report) the place in the report."""
    keys = [(SEVERITY_ORDER[f["severity"]], f["agency"] or "\uffff") for f in findings]
    assert keys == sorted(keys)
    for a, b in itertools.pairwise(findings):
        if (a["severity"], a["source"]) == (b["severity"], b["source"]):
            assert report_position(a["keys"]) <= report_position(b["keys"]), (a["rule_id"], b["rule_id"])
    assert findings[0]["severity"] == "critical" and findings[-1]["severity"] == "info"


def test_one_wrong_cell_is_one_finding_naming_every_rule_it_breaks(clean: Report) -> None:
    bad = copy.deepcopy(clean)
    bad.cells["requests.granted.natural_person"] += 1  # breaks its row's total and its column's outcomes
    f = audit_reports([bad]).findings
    arithmetic = f[f.category == "arithmetic"].to_dict("records")
    assert len(arithmetic) == 1
    [one] = arithmetic
    assert one["rule_id"] == "arithmetic.requests_outcomes" and one["also_rules"] == ["arithmetic.requests_row_total"]
    assert "requests.granted.natural_person" in one["keys"] and one["queue"] == PROBLEM
    assert "同一问题亦使规则「表三各行总计」（arithmetic.requests_row_total）不成立" in one["evidence"]
    assert one["figures_text"].startswith("应为 ") and "实际" in one["figures_text"]


def test_two_wrong_cells_stay_two_findings(clean: Report) -> None:
    bad = copy.deepcopy(clean)
    bad.cells["requests.granted.natural_person"] += 1
    bad.cells["requests.unavailable_not_held.commercial"] += 3  # another row, another column, another amount
    f = audit_reports([bad]).findings
    arithmetic = f[f.category == "arithmetic"]
    assert len(arithmetic) == 2
    assert sorted(abs(d) for d in arithmetic["difference"]) == [1, 3]
    assert all(rules == ["arithmetic.requests_row_total"] for rules in arithmetic["also_rules"])


def test_the_new_columns_are_written_and_read_back(sample_audit_dir: Path, findings) -> None:
    for f in findings:
        assert isinstance(f["also_rules"], list) and isinstance(f["copies"], list)
        assert f["rule_name"] and f["place_text"] and not re.search(r"[a-z_]+\.[a-z_]+", f["cells_text"])
    back = read_jsonl(sample_audit_dir / "findings.jsonl")
    assert list(back["finding_id"]) == [f["finding_id"] for f in findings]  # in the order written
    rows = list(csv.DictReader((sample_audit_dir / "findings.csv").open(encoding="utf-8-sig")))
    assert {"queue", "also_rules", "copies", "rule_name", "place_text", "cells_text", "figures_text"} <= set(rows[0])
    html = [r for r in rows if r["source"].endswith("011_pingtan-shiyanqu_2023.html")]
    assert html and all(r["copies"].count(";") == 3 for r in html)  # four copies, joined by "; "


def test_place_text_as_the_auditor_finds_it(findings) -> None:
    def place(name: str, rule: str) -> str:
        return next(f["place_text"] for f in findings if f["source"].endswith(name) and f["rule_id"] == rule)

    assert place("002_huaian-hongzequ_2024.pdf", "narrative.figure_qualified") == "第3页 表三 第4行"
    assert place("011_pingtan-shiyanqu_2023.html", "narrative.figure_plain") == "表二 第4行"
    assert place("009_pingtan-shiyanqu_2022.txt", "narrative.figure_plain") == "文本第10行"
    cells = next(f["cells_text"] for f in findings if f["source"].endswith("000_seed-chengxiang_2023.txt")
                 and f["rule_id"] == "plausibility.not_held_share")
    assert cells.startswith("表三 三、本年度办理结果（四）无法提供 1.本机关不掌握相关政府信息 — 总计")


def test_figures_text_of_an_older_findings_file() -> None:
    """A row read back from a file written before these columns (NaN where there was nothing)."""
    assert figures_text({"expected": float("nan"), "actual": None, "status": "failed"}) == ""
    assert figures_text({"expected": 51, "actual": 52, "difference": 1, "status": "failed"}) == "应为 51，实际 52（相差 1）"
