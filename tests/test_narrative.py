"""Figures stated in the text, as real reports phrase them, and text repetition."""

from __future__ import annotations

import pytest

from auditkit.narrative import StatedFigure, extract_figures, metric_terms, shingles, shingles_many, similarity


def figures(text: str, year: int | None = 2023) -> dict[str, int]:
    return {f.metric: f.value for f in extract_figures({"overview": text}, year)}


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
    ("2022年共收到政府信息公开申请1件，主要涉及政府债务数据方面；1件公开申请已办结，办结率100%。",
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
    [f] = extract_figures({"overview": "2024 年，区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复。"},
                          2024)
    assert (f.metric, f.value, f.plain) == ("received", 17, False)
    assert "代表" in (f.qualifier or "")
    assert f.sentence.startswith("2024 年，区政府办") and f.sentence.endswith("答复。")  # as written


def test_own_body_is_plain() -> None:
    for text in ("我局全年共收到政府信息公开申请3件。", "2022年，全区收到政府信息公开申请75件。"):
        [f] = extract_figures({"overview": text}, 2022)
        assert f.plain, text


def test_carry_forward_year_must_follow_report_year() -> None:
    assert figures("结转至2024年2件。", 2023) == {"carried_forward": 2}
    assert figures("结转至2026年2件。", 2023) == {}
    assert figures("2022年结转申请1件。", 2023) == {"carried_over": 1}


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
