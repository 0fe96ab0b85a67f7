"""Reading numbers on real documents (issue 12 classes 3 and the false fits, issue 11 item 7).

- a cell that holds something other than a count is null and says what it holds, and its row
  is still read;
- signs, thousands separators, units and full-width digits read as what they are;
- digits that ran together: the one reading the digit count leaves is taken even where the
  agency's 总计 is wrong (the rules report it); a reading chosen by the row's 总计 is taken
  only when another identity confirms it;
- the digit search has a budget per document.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

from auditkit import read_report
from auditkit.audit import audit_reports
from auditkit.digits import Budget, Token, read_row, sums_to_last
from auditkit.formats import format_spec
from tests.conftest import SAMPLES, truth_of
from tests.official_pages import crawler_copy, official_page, random_truth

T2021 = "009_pingtan-shiyanqu_2022.txt"  # every requests and appeals cell has a value
T2019 = "008_pingtan-shiyanqu_2019.txt"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _document(tmp_path: Path, truth: dict[str, Any], written: dict[str, Any], kind: str) -> Path:
    """The truth drawn as a web page in the official layout (or its tab-separated text copy, or
    its run-together crawler copy), with some cells written otherwise."""
    page = official_page({**truth, "cells": {**truth["cells"], **written}})
    if kind == "html":
        return _write(tmp_path, "page.html", page)
    return _write(tmp_path, "copy.txt", crawler_copy(page, "\t" if kind == "text" else ""))


def _row(fmt: str, table: str, row: str) -> list[str]:
    return list(format_spec(fmt).tables[table].row_keys(row))


# ---------------------------------------------------------------- cells that are not counts


@pytest.mark.parametrize("kind", ["html", "text"])
@pytest.mark.parametrize("written", ["8%", "−8", "(8)", "八", "五十一", "O", "l2", "-3", "+2", "1.5"])
def test_a_cell_that_is_not_a_count_is_null_and_named(tmp_path: Path, kind: str, written: str) -> None:
    truth = truth_of(T2021)
    key = "requests.granted.commercial"
    report = read_report(_document(tmp_path, truth, {key: written}, kind))
    assert report.cells[key] is None
    [diag] = report.diagnostics_for(key)
    assert diag.code == "not_a_count" and diag.found == written
    for k in _row("2021", "requests", "granted"):  # the row is found and its other cells read
        if k != key:
            assert report.cells[k] == truth["cells"][k], k
    assert not [d for d in report.diagnostics if d.code == "missing_row"]


# ---------------------------------------------------------------- signs, separators, units, widths


def test_a_change_from_last_year_reads_with_its_sign(tmp_path: Path) -> None:
    truth = truth_of(T2019)
    written = {"active.licensing.prior_year_items": 78, "active.licensing.change": "-12",
               "active.licensing.decisions": 22, "active.other_services.prior_year_items": 5,
               "active.other_services.change": "+5", "active.other_services.decisions": 7,
               "active.penalties.prior_year_items": "-4", "active.penalties.change": "−3",
               "active.penalties.decisions": 9}
    report = read_report(_document(tmp_path, truth, written, "html"))
    assert report.cells["active.licensing.change"] == -12
    assert report.cells["active.other_services.change"] == 5
    assert report.cells["active.penalties.change"] == -3
    assert report.cells["active.licensing.decisions"] == 22
    # a count is never negative
    assert report.cells["active.penalties.prior_year_items"] is None
    assert [d.code for d in report.diagnostics_for("active.penalties.prior_year_items")] == ["not_a_count"]


def test_a_sign_in_run_together_digits_makes_the_row_unreadable(tmp_path: Path) -> None:
    truth = truth_of(T2019)
    written = {"active.licensing.prior_year_items": 0, "active.licensing.change": "-12",
               "active.licensing.decisions": 116, "active.penalties.prior_year_items": 4,
               "active.penalties.change": "-3", "active.penalties.decisions": 0}
    report = read_report(_document(tmp_path, truth, written, "crawler"))
    assert "0-12116" in Path(report.source).read_text(encoding="utf-8")
    for row in ("licensing", "penalties"):  # 0-12116: 0, -12, 116 or 0, -1, 2116 ...
        keys = _row("2019", "active", row)
        assert all(report.cells[k] is None for k in keys), row
        assert any(d.code == "no_valid_split" and "正负号" in d.message for d in report.diagnostics_for(keys[0]))


def test_thousands_separators_units_and_full_width_digits(tmp_path: Path) -> None:
    truth = truth_of(T2021)
    keys = _row("2021", "requests", "new_received")
    written = dict(zip(keys, ["2,750", "１２", "0件", "1,234件", "0", "4", "4,000"], strict=True))
    written["active.fees.amount"] = "9,116.36"
    report = read_report(_document(tmp_path, truth, written, "html"))
    assert [report.cells[k] for k in keys] == [2750, 12, 0, 1234, 0, 4, 4000]
    assert report.cells["active.fees.amount"] == 9116.36
    # commas that are not at thousands places are not a number
    report = read_report(_document(tmp_path, truth, {keys[0]: "27,50"}, "html"))
    assert report.cells[keys[0]] is None


def test_units_in_a_crawler_copy_separate_the_numbers(tmp_path: Path) -> None:
    truth = random_truth("2021", random.Random(3))
    counts = {k: f"{v}件" for k, v in truth["cells"].items() if k.startswith(("requests.", "appeals."))}
    report = read_report(_document(tmp_path, truth, counts, "crawler"))
    assert "件" in Path(report.source).read_text(encoding="utf-8")
    for k in counts:
        assert report.cells[k] == truth["cells"][k], k


# ---------------------------------------------------------------- run-together digits


def _sample_with(tmp_path: Path, sample: str, old: str, new: str) -> Path:
    text = (SAMPLES / sample).read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    return _write(tmp_path, sample, text.replace(old, new, 1))


def test_a_reading_forced_by_the_digits_is_taken_and_the_wrong_total_reported(tmp_path: Path) -> None:
    """Issue 12 class 3: 4100000 in seven cells can only be 4, 1, 0, 0, 0, 0, 0; its 总计 (0) is the
    agency's mistake, for the rules to report, not a reason to lose the row."""
    path = _sample_with(tmp_path, "010_pingtan-shiyanqu_2023.txt", "上年结转政府信息公开申请数量0000000",
                        "上年结转政府信息公开申请数量4100000")
    report = read_report(path)
    keys = _row("2021", "requests", "carried_over")
    assert [report.cells[k] for k in keys] == [4, 1, 0, 0, 0, 0, 0]
    [diag] = [d for d in report.diagnostics_for(keys[0]) if d.code == "digits_split"]
    assert "总计不符" in diag.message
    findings = audit_reports([report]).findings
    failed = findings[(findings.rule_id == "arithmetic.requests_row_total") & (findings.status == "failed")]
    assert any("requests.carried_over.total" in keys for keys in failed["keys"])


def test_a_fitting_reading_that_the_columns_contradict_is_refused(tmp_path: Path) -> None:
    """The agency wrote 一's 总计 as 18 for 81: 801000018 also reads 8, 0, 10, 0, 0, 0, 18, which
    adds up. The column identity 一 + 二 = 七 + 四 refuses it; 七 (801000081, the same digits) is
    still confirmed by the result rows."""
    path = _sample_with(tmp_path, "010_pingtan-shiyanqu_2023.txt", "申请数量801000081二", "申请数量801000018二")
    report = read_report(path)
    received = _row("2021", "requests", "new_received")
    truth = truth_of("010_pingtan-shiyanqu_2023.txt")["cells"]
    for k in received:
        assert report.cells[k] in (None, truth[k]), k  # never 8 or 10
    refused = [d for d in report.diagnostics_for(received[0]) if d.code == "no_valid_split"]
    assert refused and refused[0].candidates == [[8, 0, 10, 0, 0, 0, 18]]
    assert "勾稽" in refused[0].message
    for k in _row("2021", "requests", "total_handled"):
        assert report.cells[k] == truth[k], k


def test_torture_false_fits_leave_no_wrong_number(tmp_path: Path) -> None:
    """Rows whose wrong 总计 lets their digits read as another row that adds up (the torture set's
    generator): every cell right or null, in the requests table and in the appeals row. Where the
    copy's digits have one reading that adds up everywhere and nothing in the document contradicts
    it (the appeals row of seed 36), that reading is what the document says."""
    from tests.torture.cases import _appeals_determined, _false_fits

    for seed, fmt, rows, appeals in ((34, "2021", ("new_received", "partially_granted", "carried_forward"), False),
                                     (36, "2021", (), True), (35, "2019", ("granted", "unavailable_not_held"), False)):
        truth = _false_fits(seed, fmt, rows, appeals)
        report = read_report(_document(tmp_path, truth, {}, "crawler"))
        expected = {**truth["cells"], **(_appeals_determined(truth) if appeals else {})}
        wrong = {k: (v, report.cells[k]) for k, v in expected.items()
                 if report.cells[k] is not None and report.cells[k] != v}
        assert not wrong, (seed, wrong)


def test_appeals_split_confirmed_by_the_counts_the_text_states() -> None:
    """007's appeals row 25380363300630003: the first group's cut rests on its own 总计 (36),
    which the text states: 行政复议36起, 行政诉讼9起."""
    report = read_report(SAMPLES / "007_pingtan-shiyanqu_2025.txt")
    truth = truth_of("007_pingtan-shiyanqu_2025.txt")["cells"]
    for k in format_spec("2021").tables["appeals"].keys:
        assert report.cells[k] == truth[k], k
    [diag] = [d for d in report.diagnostics_for("appeals.reconsideration.upheld")
              if d.code == "recovered_by_arithmetic"]
    assert "正文所述" in diag.message


def test_appeals_split_nothing_confirms_is_null(tmp_path: Path) -> None:
    """The same row without the sentence that states the counts: the first group's cut rests on
    its own 总计 alone, so it is null; the groups the other groups' sums fix are read."""
    path = _sample_with(tmp_path, "007_pingtan-shiyanqu_2025.txt", "复议36起，行政诉讼9起", "复议和行政诉讼")
    report = read_report(path)
    truth = truth_of("007_pingtan-shiyanqu_2025.txt")["cells"]
    group = _row("2021", "appeals", "reconsideration")
    assert all(report.cells[k] is None for k in group)
    assert any(d.code == "ambiguous_digits" for d in report.diagnostics_for(group[0]))
    for row in ("litigation_direct", "litigation_after_reconsideration"):
        for k in _row("2021", "appeals", row):
            assert report.cells[k] == truth[k], k


def test_column_hint_names_its_own_row() -> None:
    """An ambiguous row's hint is the reading the column identities leave for that row (the
    search once looked the hint up under the wrong row and dropped it)."""
    report = read_report(SAMPLES / "010_pingtan-shiyanqu_2023.txt")
    [diag] = [d for d in report.diagnostics if d.code == "ambiguous_digits"
              and d.key == "requests.partially_granted.natural_person"]
    assert [diag.values[k] for k in _row("2021", "requests", "partially_granted")] == [19, 1, 0, 0, 0, 0, 20]
    assert "列间勾稽关系推断为 [19, 1, 0, 0, 0, 0, 20]" in diag.message


def test_values_with_cells_of_their_own_are_never_split(tmp_path: Path) -> None:
    """Issue 12 class 1: a row whose values stand in cells of their own but are one short (a
    cell lost, or two values in one cell) is not cut digit by digit to fill the columns: 148
    and 1 were read as 1, 4, 8, 1. The row is null and says why."""
    truth = truth_of(T2021)
    page = official_page(truth)
    row = "（一）予以公开</th><td>21</td><td>0</td><td>0</td>"
    assert row in page
    path = _write(tmp_path, "page.html", page.replace(row, "（一）予以公开</th><td>210</td><td>0</td>", 1))
    report = read_report(path)
    keys = _row("2021", "requests", "granted")
    assert all(report.cells[k] is None for k in keys)
    assert any(d.code == "missing_values" and "不拆分" in d.message for d in report.diagnostics_for(keys[0]))


def test_a_forced_reading_is_refused_where_blank_cells_vanish(tmp_path: Path) -> None:
    """In a copy where some row shows fewer digits than cells (its blanks left no trace), seven
    digits no longer mean seven cells: a row that does not add up is not cut one digit a cell."""
    path = _sample_with(tmp_path, "010_pingtan-shiyanqu_2023.txt", "上年结转政府信息公开申请数量0000000",
                        "上年结转政府信息公开申请数量4100000")
    text = path.read_text(encoding="utf-8").replace("2.没有现成信息需要另行制作0000000", "2.没有现成信息需要另行制作00", 1)
    path.write_text(text, encoding="utf-8")
    report = read_report(path)
    keys = _row("2021", "requests", "carried_over")
    assert all(report.cells[k] is None for k in keys)
    assert any(d.code == "no_valid_split" and "空白格" in d.message for d in report.diagnostics_for(keys[0]))


# ---------------------------------------------------------------- the budget


def test_the_digit_search_has_a_budget_per_document() -> None:
    """A row searched when the document's budget is spent is unreadable, never guessed; a
    document's splitting never costs more than the budget."""
    row = [Token("1402813326129131257289141114572898", "")]
    spent = read_row(row, 7, sums_to_last, budget=Budget(100))
    assert spent.values is None and spent.gave_up and spent.why == "budget"
    budget = Budget()
    full = read_row(row, 7, sums_to_last, budget=budget)
    assert full.values is not None and 0 < budget.steps


def test_a_dense_crawler_copy_with_blanks_reads_fast(tmp_path: Path) -> None:
    """Rows of large counts with blank cells run together: 7-17 s each before the budget (the
    torture notes); the split search now ends within its budget."""
    from tests.torture.cases import _dense, _partial_blanks
    from tests.torture.crawler import crawler_text
    from tests.torture.model import report_doc

    worst = 0.0
    for seed in (1, 7):
        truth = _partial_blanks(_dense("2021", seed))
        path = _write(tmp_path, f"dense{seed}.txt", crawler_text(report_doc(truth)))
        start = time.perf_counter()
        report = read_report(path)
        worst = max(worst, time.perf_counter() - start)
        wrong = {k: v for k, v in truth["cells"].items() if report.cells[k] is not None and report.cells[k] != v}
        assert not wrong
    assert worst < 4.0  # about a second of splitting on this machine, with room for its load


# ---------------------------------------------------------------- agency named in a covering letter


def test_agency_of_a_report_sent_under_a_covering_letter(tmp_path: Path) -> None:
    text = (SAMPLES / "000_seed-chengxiang_2023.txt").read_text(encoding="utf-8")
    title = "城乡一体化示范区党政办公室 2023 年政府信息公开 工作年度报告"
    assert title in text
    letter = "平潭综合实验区自然资源管理局关于报送2023年度政府信息公开工作年度报告的函"
    report = read_report(_write(tmp_path, "letter.txt", text.replace(title, letter, 1)))
    assert (report.agency, report.year) == ("平潭综合实验区自然资源管理局", 2023)
