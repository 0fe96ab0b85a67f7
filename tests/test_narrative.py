"""Figures stated in the text, as real reports phrase them, and text repetition."""

from __future__ import annotations

import json

import pytest

from auditkit.narrative import (
    FIGURES_VERSION,
    StatedFigure,
    extract_figures,
    figures_of,
    metric_terms,
    read_figures,
    shingles,
    shingles_many,
    similarity,
)


def figures(text: str, year: int | None = 2023, kind: str = "count") -> dict[str, float]:
    return {f.metric: f.value for f in extract_figures({"overview": text}, year) if f.kind == kind}


@pytest.mark.parametrize(("text", "expected"), [
    ("2023年，全区共收到政府信息公开申请154件，共办结148件，结转至2024年6件。",
     {"received": 154, "handled": 148, "carried_forward": 6}),
    ("2023年全区接收通过邮寄、网络提交的各类政府信息公开申请共计81件，涉及自然人80件、商业企业1件。",
     {"received": 81, "received.natural_person": 80, "received.commercial": 1}),
    ("办结依申请公开81件，其中：予以公开及部分公开42件，占51.85%；不予公开5件，占6.17%；无法提供31件，占38.27%；"
     "不予处理1件，占1.23%；其他处理2件，占2.47%；因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。",
     {"handled": 81, "granted_or_partial": 42, "withheld": 5, "unavailable": 31, "not_processed": 1,
      "other_handling": 2, "reconsideration": 2, "litigation": 7}),
    ("2023 年共办理依申请公开件 51 件，同时做好各相关部门依申请公开工作的指导和监督。", {"handled": 51}),
    ("清理并集中发布现行有效行政规范性文件393件，动态更新本年度制发的规范性文件77件。",
     {"normative_documents.in_force": 393, "normative_documents.issued": 77}),
    ("全年办理因政府信息公开申请引发的行政复议36起，行政诉讼9起。", {"reconsideration": 36, "litigation": 9}),
    ("2023年共收到政府信息公开申请1件，主要涉及政府债务数据方面；1件公开申请已办结，办结率100%。",
     {"received": 1, "handled": 1}),
    ("全区共收到政府信息公开申请１２件（全角数字）。", {"received": 12}),
    ("①全区共收到政府信息公开申请5件。", {"received": 5}),  # a circled number is no digit
    ("本年度收到行政复议申请3件，其中维持2件、纠正1件。",
     {"reconsideration": 3, "reconsideration.upheld": 2, "reconsideration.corrected": 1}),
    ("2023年未发生因政府信息公开引起的行政复议、行政诉讼案件。", {"reconsideration": 0, "litigation": 0}),
    ("上年结转政府信息公开申请2件，废止规章1件。", {"carried_over": 2, "regulations.repealed": 1}),
])
def test_phrasings_real_reports_use(text: str, expected: dict[str, int]) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize("text", [
    "2023 年，政府门户网站各栏目发布信息 1251 条，其中信息公开 916 条，互动交流 335 条。",  # website posts
    "通过实验区政府门户网站累计主动公开政府信息7700余条。",
    "依申请公开政府信息5条，提交申请的方式为网站申请。",  # items, not applications
    "全年收到政府信息公开申请约80件。",  # an approximation is not a figure
    "收到政府信息公开申请较上年增加12件。",  # a change, not a level
    "2023 年共检测问题 139 处，下发整改提示函 89 份。",
    "收到群众信访举报投诉申请25件。",  # complaints, not information requests
    "一、本年新收政府信息公开申请数量801000081二、上年结转政府信息公开申请数量0000000",  # flattened table
])
def test_what_is_not_an_application_figure(text: str) -> None:
    assert figures(text) == {}


def test_subunit_figure_is_kept_but_qualified() -> None:
    f, claim = extract_figures({"overview": "2024 年，区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复。"},
                               2024)
    assert (f.metric, f.value, f.plain) == ("received", 17, False)
    assert "代表" in (f.qualifier or "")
    # what it says of those applications is qualified alike
    assert (claim.kind, claim.metric, claim.plain) == ("claim", "carried_forward", False)
    assert claim.wording == "均已在法定期限内予以答复"
    assert f.sentence.startswith("2024 年，区政府办") and f.sentence.endswith("答复。")  # as written


def test_own_body_is_plain() -> None:
    for text in ("我局全年共收到政府信息公开申请3件。", "2022年，全区收到政府信息公开申请75件。"):
        [f] = extract_figures({"overview": text}, 2022)
        assert f.plain, text


def test_carry_forward_year_must_follow_report_year() -> None:
    assert figures("结转至2024年2件。", 2023) == {"carried_forward": 2}
    assert figures("结转至2026年2件。", 2023) == {}
    assert figures("2022年结转申请1件。", 2023) == {"carried_over": 1}


@pytest.mark.parametrize(("text", "expected"), [
    ("在答复的申请中，因本机关不掌握相关政府信息等原因无法提供31件，本机关不掌握相关政府信息28件。",
     {"unavailable": 31, "unavailable_not_held": 28}),  # 等原因: all of （四）; without 等: its first row
    ("不予处理的14件申请中，信访举报投诉类申请6件，重复申请5件。",
     {"not_processed": 14, "not_processed_complaint": 6, "not_processed_duplicate": 5}),
    ("共收到申请140件，其中自然人130件、法人或其他组织10件。",
     {"received": 140, "received.natural_person": 130, "received.legal_person": 10}),
    ("共收到政府信息公开申请140件。其中予以公开35件，部分公开12件。",  # the sentence before speaks of applications
     {"received": 140, "granted": 35, "partially_granted": 12}),
    ("收到申请140件，其中通过网站受理申请96件。", {"received": 140}),  # a later part is not the total
    ("2022年收到政府信息公开申请120件，2023年收到政府信息公开申请140件。", {"received": 140}),  # last year's
    ("本年度新收申请120件，上年结转3件，办结118件，结转下年度继续办理5件。",
     {"received": 120, "carried_over": 3, "handled": 118, "carried_forward": 5}),
    ("本年度未收到政府信息公开申请。", {"received": 0}),
    ("行政复议、行政诉讼案件均为0。", {"reconsideration": 0, "litigation": 0}),
])
def test_groups_rows_and_parts(text: str, expected: dict[str, int]) -> None:
    got = {k: v for k, v in figures(text).items() if k in expected or "." not in k}
    assert got == expected


def test_shares_keep_the_precision_written() -> None:
    text = "办结申请139件，其中予以公开35件，占25.18%；部分公开12件（占8.6%），不予公开8件，占比6%。"
    figs = extract_figures({"overview": text}, 2023)
    shares = [(f.metric, f.value, f.decimals, f.wording) for f in figs if f.kind == "share"]
    assert shares == [("granted", 25.18, 2, "占25.18%"), ("partially_granted", 8.6, 1, "占8.6%"),
                      ("withheld", 6.0, 0, "占比6%")]
    # a percentage of what is not a table's count is nobody's share
    assert figures("主动公开的政府信息占26%。", kind="share") == {}


@pytest.mark.parametrize(("text", "expected"), [
    ("行政复议3件、行政诉讼2件，均维持原行政行为。", {"reconsideration.not_upheld": 0, "litigation.not_upheld": 0}),
    ("行政复议2件，均获维持；行政诉讼1件，尚未审结。", {"reconsideration.not_upheld": 0}),
    ("共有行政诉讼案件1件、行政复议案件2件，均已结案。", {"reconsideration.pending": 0, "litigation.pending": 0}),
    ("全年行政诉讼零败诉。", {"litigation.corrected": 0}),
    ("共收到政府信息公开申请53件，均已按期答复。", {"carried_forward": 0}),
    ("共收到申请53件，1件公开申请已办结，办结率100%。", {"carried_forward": 0}),
    ("上年度结转的政府信息公开申请4件已全部办结。", {}),  # those carried over, not this year's
    ("收到申请140件，按时办结率100%。", {}),  # an on-time rate speaks of those handled
    ("收到申请140件，尚未全部办结。", {}),
    ("收到申请140件，办结139件，结转下年度5件，均在法定期限内予以答复。", {}),  # answered: those handled
])
def test_claims_in_words(text: str, expected: dict[str, int]) -> None:
    assert figures(text, kind="claim") == expected


@pytest.mark.parametrize(("text", "year", "expected"), [
    ("共收到政府信息公开申请140件，较上年增加20件，同比增长16.7%。", 2023,
     [("change", "received", 20.0), ("change_share", "received", 16.7)]),
    ("行政复议6件，同比回落25%。", 2023, [("change_share", "reconsideration", -25.0)]),
    ("被提起行政诉讼5件，与上年持平。", 2023, [("change", "litigation", 0.0)]),
    ("政府信息公开申请数量较上年增长16.7%。", 2023, [("change_share", "received", 16.7)]),
    ("共收到申请53件，较2022年增加5件。", 2023, [("change", "received", 5.0)]),
    ("共收到申请53件，较2021年增加5件。", 2023, []),  # not against last year
    ("主动公开政府信息13561条，同比增长5%。", 2023, []),  # information items, not applications
    ("依申请公开信息数量同比增长20%。", 2023, []),
    ("办结率同比提高5个百分点。", 2023, []),
    ("收到政府信息公开申请140件，与上年基本持平。", 2023, []),
])
def test_changes_against_last_year(text: str, year: int, expected: list) -> None:
    got = [(f.kind, f.metric, f.value) for f in extract_figures({"overview": text}, year) if f.kind.startswith("change")]
    assert got == expected


def test_figures_read_with_the_report_are_used_until_its_text_changes() -> None:
    sections = {"overview": "全区共收到政府信息公开申请9件。"}
    stored = read_figures(sections, 2023)
    assert stored["version"] == FIGURES_VERSION and [f[:2] for f in stored["items"]] == [["received", 9]]
    stored["items"][0][1] = 10  # what the worker stored is what is used ...
    assert figures_of(sections, 2023, stored)[0].value == 10
    record = json.loads(json.dumps({k: v for k, v in stored.items() if not k.startswith("_")}))
    assert figures_of(dict(sections), 2023, record)[0].value == 10  # ... also from a record read back
    assert figures_of({"overview": "全区共收到政府信息公开申请8件。"}, 2023, stored)[0].value == 8  # edited text: read again
    assert figures_of(sections, 2024, stored)[0].value == 9  # another year: read again
    assert figures_of(sections, 2023, None)[0].value == 9


def test_sentence_and_section_kept_as_evidence() -> None:
    figs = extract_figures({"overview": "前言。全区共收到政府信息公开申请9件。", "problems": "无。"}, 2023)
    assert figs == [StatedFigure("received", 9, "overview", "全区共收到政府信息公开申请9件。", True, None)]
    assert figs[0].label == "本年新收申请数"


def test_metric_terms_follow_the_format() -> None:
    assert metric_terms("received", "2021") == [("requests", "new_received", "total")]
    assert metric_terms("litigation", "2021") == [("appeals", "litigation_direct", "total"),
                                                  ("appeals", "litigation_after_reconsideration", "total")]
    assert metric_terms("normative_documents.in_force", "2019") is None  # 2019 has no 现行有效
    assert metric_terms("normative_documents.issued", "2019") == [("active", "normative_documents", "new_made")]
    assert len(metric_terms("received.legal_person", "2021")) == 5
    assert metric_terms("unavailable_not_held", "2021") == [("requests", "unavailable_not_held", "total")]
    assert metric_terms("other_handling_fee_unpaid", "2019") is None  # 2019: （六） is one row
    assert metric_terms("reconsideration.not_upheld", "2021") == [
        ("appeals", "reconsideration", c) for c in ("corrected", "other", "pending")]


def test_similarity_is_share_of_this_years_wording() -> None:
    last = "一是公开领域和内容需进一步深化，信息公开的实效性、便民性需进一步提高。二是政策解读形式较单一。"
    same_but_years = last.replace("一是", "一是2024年")
    assert similarity(last, last) == 1.0
    assert similarity(same_but_years, last) > 0.8
    other = "本年度重点推进基层政务公开标准化规范化建设，完善政务新媒体监管，强化保密审查和信息发布审核流程。"
    assert similarity(other, last) < 0.2
    assert similarity("无。", last) is None  # too short to compare


def test_shingles_many_equals_one_by_one() -> None:
    texts = ["政府信息公开工作年度报告2023", "", "ab", "依申请公开工作规范有序开展，答复质量不断提升"]
    many = shingles_many(texts)
    for text, grams in zip(texts, many, strict=True):
        assert list(grams) == list(shingles(text))
    assert len(many[1]) == 0 and len(many[2]) == 0
