"""Blank cells bound the truth: counts are never negative, so a blank cell is an unknown >= 0. A sum
whose filled parts already exceed its total is wrong whatever the blanks hold; what bounds cannot
decide is skipped, never passed. The same for the identities of the tables and the text's figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditkit.audit import audit_reports
from auditkit.formats import format_spec
from auditkit.frames import build_frames
from auditkit.frames.bounds import cell_bounds
from auditkit.frames.keys import KEY_INDEX, report_formats
from auditkit.record import Diagnostic, Report
from auditkit.rules.expression import ExpressionError, Unknowns, parse_identity, refute, unknowns_of
from auditkit.rules.suites import SuiteError, load_spec, load_specs

TRUTH = Path(__file__).resolve().parent / "data" / "truth"


def test_refute_by_interval_arithmetic() -> None:
    idt = parse_identity("total == a + b")
    df = pd.DataFrame({"total": [10, 10, np.nan, 5, 10, 10], "a": [3, np.nan, 4, np.nan, 8, np.nan],
                       "b": [7, 12, np.nan, 1, np.nan, np.nan], "b_min": [np.nan] * 4 + [3, np.nan]}, dtype=float)
    r = refute(idt, df, Unknowns(nonnegative=True))
    # complete and right; a blank but b alone over the total; a blank total; room left; room left; room left
    assert list(r.refuted) == [False, True, False, False, False, False]
    assert list(r.unknown) == [False, True, True, True, True, True]
    # with what the filled sub-rows of b give (b >= 3), 8 + 3 > 10 whatever the blank holds
    r = refute(idt, df, Unknowns(nonnegative=True, bounds={"b": ("b_min", None)}))
    assert list(r.refuted) == [False, True, False, False, True, False]
    # without non-negativity a blank could be negative: nothing is refuted
    assert not refute(idt, df, Unknowns(bounds={"b": ("b_min", None)})).refuted[1]


def test_refute_with_subtraction_and_upper_bounds() -> None:
    idt = parse_identity("in_force == prev + issued - repealed")
    df = pd.DataFrame({"in_force": [30, 30], "prev": [20, 20], "issued": [5, 12], "repealed": [np.nan, np.nan]})
    # 30 > 20 + 5 - (anything >= 0): impossible; 30 <= 20 + 12: possible
    assert list(refute(idt, df, Unknowns(nonnegative=True)).refuted) == [True, False]
    stated = parse_identity("stated == table")
    df = pd.DataFrame({"stated": [42, 47, 50, 135], "table": [np.nan] * 4, "lo": [47, 47, 47, 0],
                       "hi": [np.nan, np.nan, np.nan, 130]})
    r = refute(stated, df, unknowns_of({"bounds": {"table": {"min": "lo", "max": "hi"}}}))
    assert list(r.refuted) == [True, False, False, True]


def test_malformed_bounds_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExpressionError):
        unknowns_of({"unknowns": "positive"})
    with pytest.raises(ExpressionError):
        unknowns_of({"bounds": {"table": "table_min"}})
    base = {"type": "expect_rowwise_identity", "description": "测试", "severity": "critical",
            "meta": {"rule_id": "t.b", "category": "arithmetic", "basis": "测试", "cells": ["appeals.*"]}}
    for kwargs, message in (
        ({"column_list": ["total", "upheld"], "expression": "total == upheld", "unknowns": "nonnegative"},
         "ignore_row_if: never"),
        ({"column_list": ["total", "upheld"], "expression": "total == upheld", "ignore_row_if": "never",
          "bounds": {"upheld": {"min": "upheld_min"}}}, "upheld_min"),
    ):
        path = tmp_path / "t.json"
        path.write_text(json.dumps({"name": "t", "expectations": [{**base, "kwargs": kwargs}],
                                    "meta": {"frame": "appeals"}}, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(SuiteError, match=message):
            load_spec(path)


def _report(blanks: dict[str, float | None], text: str = "") -> Report:
    """The 016 sample's true tables (2021 format), with some cells changed or left blank."""
    t = json.loads((TRUTH / "016_pingtan-caizhengjinrongju_2022.txt.json").read_text(encoding="utf-8"))
    cells = dict(t["cells"])
    cells.update(blanks)
    diags = [Diagnostic("blank_cell", "单元格空白", key=k, found="") for k, v in blanks.items() if v is None]
    return Report(t["file"], "b" * 64, "text", "2021", t["agency"], t["year"], t["published"], cells,
                  {"overview": text} if text else {}, diags)


def test_cell_bounds_from_the_rows_own_sums() -> None:
    r = _report({"requests.new_received.total": None, "requests.total_handled.natural_person": None,
                 "appeals.reconsideration.total": None, "appeals.reconsideration.upheld": 3})
    fr = build_frames([r])
    lo, hi = cell_bounds(report_formats([r]), fr.values)
    j = KEY_INDEX
    assert lo[0, j["requests.new_received.total"]] == 1 and np.isinf(hi[0, j["requests.new_received.total"]])
    assert (lo[0, j["requests.total_handled.natural_person"]], hi[0, j["requests.total_handled.natural_person"]]) == (0, 1)
    assert lo[0, j["appeals.reconsideration.total"]] == 3
    # a filled cell is its value
    assert lo[0, j["requests.granted.total"]] == hi[0, j["requests.granted.total"]] == 0


def _checks(result) -> pd.DataFrame:
    return result.checks.set_index("rule_id")


def test_known_parts_over_the_total_are_wrong_whatever_the_blanks_hold() -> None:
    # 016 handled 1 application (部分公开). Write 2 more as 予以公开 and leave a cell of （三） blank in
    # the same 自然人 column: its filled cells already exceed （七）总计 whatever the blank holds.
    r = _report({"requests.granted.natural_person": 2, "requests.granted.total": 2,
                 "requests.withheld_state_secret.natural_person": None})
    result = audit_reports([r])
    f = result.findings
    col = f[(f.rule_id == "arithmetic.requests_outcomes") & (f.place == "申请人列「自然人」")].iloc[0]
    assert col.severity == "critical" and col.actual == 1 and col.expected == "≥ 3" and col.difference == -2
    assert "即使空白单元格按任意非负数计" in col.evidence
    # the row of the blank cell: 0 == (>= 0) + 0 + …: it may hold, so it is skipped with the reason
    assert f[f.rule_id == "arithmetic.requests_row_total"].empty
    skipped = result.skipped[result.skipped.rule_id == "arithmetic.requests_row_total"].iloc[0]
    assert skipped["keys"] == ["requests.withheld_state_secret.natural_person"] and "单元格空白" in skipped.reason
    assert _checks(result).loc["arithmetic.requests_row_total", "skipped"] == 1


def test_a_blank_row_of_a_group_still_leaves_its_filled_rows() -> None:
    # （四） of 016 is 0 in every row; one row blank and another 3: at least 3, over （七）总计 1.
    r = _report({"requests.unavailable_not_held.total": None, "requests.unavailable_needs_creation.total": 3,
                 "requests.unavailable_needs_creation.natural_person": 3})
    f = audit_reports([r]).findings
    col = f[(f.rule_id == "arithmetic.requests_outcomes") & (f.place == "申请人列「总计」")]
    assert len(col) == 1 and col.iloc[0].expected == "≥ 4"


def test_appeals_with_a_blank_total() -> None:
    r = _report({"appeals.litigation_direct.total": None, "appeals.litigation_direct.upheld": 2,
                 "appeals.reconsideration.total": 1, "appeals.reconsideration.upheld": None,
                 "appeals.reconsideration.corrected": 2})
    result = audit_reports([r])
    f = result.findings
    bad = f[f.rule_id == "arithmetic.appeals_total"]
    assert list(bad.place) == ["「行政复议」"]  # 1 == (>= 0) + 2: impossible; the blank total of the other: skipped
    assert "即使空白单元格按任意非负数计" in bad.iloc[0].evidence
    assert _checks(result).loc["arithmetic.appeals_total", "skipped"] == 1


def test_text_below_the_filled_cells_of_its_group() -> None:
    # Every 总计 of the result rows blank (the real 2019-format case): the text's 予以公开及部分公开
    # below what the filled cells of （一） and （二） add up to is wrong whatever the blanks hold.
    fmt = format_spec("2019")
    cells = dict.fromkeys(fmt.keys, 0)
    rows = {"new_received": 53, "granted": 20, "partially_granted": 5, "unavailable_not_held": 25, "total_handled": 53}
    for row, v in rows.items():
        cells[f"requests.{row}.natural_person"] = cells[f"requests.{row}.total"] = v
    blank = [k for k in fmt.keys if k.endswith(".total") and k.split(".")[1] not in ("new_received", "carried_over",
                                                                                     "carried_forward")
             and k.startswith("requests.")]
    for k in blank:
        cells[k] = None
    r = Report("y.txt", "y" * 64, "text", "2019", "某县人民政府", 2020, "2021-03-01", cells,
               {"overview": "2020年，共收到政府信息公开申请53件，其中予以公开及部分公开20件，无法提供25件。"},
               [Diagnostic("blank_cell", "单元格空白", key=k, found="") for k in blank])
    result = audit_reports([r])
    f = result.findings
    [finding] = f[f.category == "narrative"].itertuples()
    assert finding.rule_id == "narrative.figure_plain" and finding.severity == "critical"
    assert finding.expected == "≥ 25" and finding.actual == 20
    assert "即使空白单元格按任意非负数计" in finding.evidence and "予以公开及部分公开20件" in finding.evidence
    assert "（一）予以公开 / 总计 空白（按该行已填写的各格至少为 20）" in finding.evidence
    # 无法提供 25: what the filled cells give; the blank 总计 cannot tell more: skipped, not passed
    sk = result.skipped[result.skipped.rule_id == "narrative.figure_plain"].iloc[0]
    assert sk.checks == 1 and "单元格空白" in sk.reason


def test_bounded_rules_flag_the_same_rows_in_gx_and_plain_pandas() -> None:
    from auditkit.rules.plain import evaluate_plain
    from auditkit.rules.validate import validate

    reports = [_report({"requests.granted.total": None, "requests.granted.natural_person": 2}),
               _report({"appeals.reconsideration.upheld": None, "appeals.reconsideration.corrected": 2,
                        "appeals.reconsideration.total": 1}, "行政复议1件，均获维持。")]
    frames = build_frames(reports)
    specs = [s for s in load_specs() if s.name in ("requests_columns", "requests_rows", "appeals", "narrative")]
    plain = evaluate_plain(frames, specs)
    outcomes = validate(frames, specs)
    assert any(len(o.failed_rows) for o in outcomes)
    for o in outcomes:
        assert sorted(o.failed_rows) == sorted(plain[o.rule.rule_id]), o.rule.rule_id
