"""The phrasing bank: sentences as real reports phrase them, right and wrong, each audited against its
tables. Every wrong one is found by the rule meant for it, with the sentence quoted, the cells named
and both figures shown; no right sentence raises an alarm; what cannot be checked is listed as skipped."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.narrative_bank import load_bank, run_bank, score


@pytest.fixture(scope="module")
def outcomes():
    return run_bank()


def test_the_bank_is_large_and_drawn_from_every_sample() -> None:
    tables, entries = load_bank()
    assert len(entries) >= 150
    kinds = Counter(e.kind for e in entries)
    assert set(kinds) == {"count", "share", "claim", "change", "unit", "scope", "blank"}
    wrong = Counter(e.kind for e in entries if e.wrong)
    assert all(wrong[k] >= 4 for k in ("count", "share", "claim", "change", "scope", "blank"))
    assert all(kinds[k] - wrong[k] >= 3 for k in kinds)  # right sentences of every kind too
    # phrasings collected from the text of every bundled sample (011 is 010's report in other files)
    assert {e.source for e in entries} >= {"000", "002", "007", "008", "009", "010", "016", "019"}
    assert len({e.id for e in entries}) == len(entries)
    assert {e.table for e in entries} | {e.prior for e in entries if e.prior} <= set(tables)


def test_every_contradiction_found_and_no_false_alarm(outcomes) -> None:
    odd = [(o.entry.id, o.entry.text, o.rules, o.skipped) for o in outcomes if not o.as_expected]
    assert not odd
    s = score(outcomes)
    assert s["false_alarms"] == 0 and s["recall"] == 1.0 and s["precision"] == 1.0


def test_findings_quote_the_sentence_and_show_the_computation(outcomes) -> None:
    for o in outcomes:
        if not o.entry.wrong:
            continue
        sentences = [f"「{t}。」" for t in o.entry.text.split("。") if t]  # the one the figure is in, as written
        assert all(any(q in ev for q in sentences) for ev in o.evidence), o.entry.id
        assert all("表格：" in ev for ev in o.evidence), o.entry.id  # the cells, in Chinese, and their values


def test_unknown_last_year_is_skipped_with_the_reason(outcomes) -> None:
    [o] = [o for o in outcomes if o.entry.id == "change-19"]
    assert not o.alarmed
    assert o.skipped == ["narrative.change: 本批及报告库中均没有该机关上年的报告，无法核对与上年相比的增减"]


def test_blank_cells_decide_only_what_bounds_decide(outcomes) -> None:
    blank = [o for o in outcomes if o.entry.kind == "blank"]
    for o in blank:
        if o.entry.wrong:
            assert any("即使空白单元格按任意非负数计" in ev for ev in o.evidence), o.entry.id
        else:
            assert not o.alarmed and any("单元格空白" in s for s in o.skipped), o.entry.id
