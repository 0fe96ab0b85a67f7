"""Evidence a person reads, on the bundled samples: 应为/实际 only where a rule computes a figure, the text
against the table as 正文 / 表格, ratios as percentages, unreadable cells as counts, digits with their
reading, no unrelated deadline sentence, rules named in Chinese, one vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditkit.rules.suites import catalogue, load_specs
from auditkit.vocabulary import STATUS_LABELS, UNDECIDED_LABEL


@pytest.fixture(scope="module")
def findings(sample_audit_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (sample_audit_dir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def one(findings: list[dict], name: str, rule: str, status: str = "failed") -> dict:
    return next(f for f in findings if f["source"].endswith(name) and f["rule_id"] == rule and f["status"] == status)


def test_text_against_table_is_never_expected(findings) -> None:
    f = one(findings, "011_pingtan-shiyanqu_2023.html", "narrative.figure_plain")
    assert f["figures_text"] == "正文 393 / 表格 470"
    f = one(findings, "002_huaian-hongzequ_2024.pdf", "narrative.figure_qualified")
    assert f["figures_text"] == "正文 17 / 表格 95"
    assert not [f for f in findings if f["category"] == "narrative" and "应为" in f["figures_text"]]


def test_ratios_as_percentages_and_counts_as_counts(findings) -> None:
    f = one(findings, "000_seed-chengxiang_2023.txt", "plausibility.not_held_share")
    assert f["figures_text"] == "不掌握相关政府信息占办理总数 66.7%（上限 50%）"
    f = one(findings, "008_pingtan-shiyanqu_2019.txt", "structure.unreadable")
    assert f["figures_text"] == "19 个单元格无法确定读数"
    f = one(findings, "019_pingtan-shichangjianguanju_2021.txt", "completeness.missing_row")
    assert f["figures_text"] == "7 个单元格缺失"
    f = one(findings, "000_seed-chengxiang_2023.txt", "plausibility.litigation_corrected")
    assert f["figures_text"] == "行政诉讼结果纠正 1 件"
    # "应为 0" is said of no count of cells.
    assert not [f for f in findings if f["figures_text"].startswith("应为 0")]


def test_plausibility_evidence_has_no_deadline_sentence(findings) -> None:
    """Bug: the reports frame's deadline sentence began the evidence of every rule on that frame."""
    for rule in ("plausibility.not_held_share", "plausibility.litigation_corrected"):
        f = one(findings, "000_seed-chengxiang_2023.txt", rule)
        assert "应于次年" not in f["evidence"] and f["evidence"].startswith("appeals." if "litigation" in rule
                                                                             else "requests.")
    f = one(findings, "000_seed-chengxiang_2023.txt", "timeliness.date_unknown")
    assert f["evidence"].startswith("机关「城乡一体化示范区党政办公室」按政府工作部门计，应于次年1月31日前公布")


def test_a_run_of_digits_is_shown_with_its_reading(findings) -> None:
    f = one(findings, "009_pingtan-shiyanqu_2022.txt", "narrative.figure_plain")
    assert "「713000074」读作 71|3|0|0|0|0|74（line 10" in f["evidence"]
    # A cell read from its own cell is shown as written, with nothing to read.
    f = one(findings, "011_pingtan-shiyanqu_2023.html", "narrative.figure_plain")
    assert "「470」（table 1, row 4, col 4）" in f["evidence"] and "读作" not in f["evidence"]


def test_every_rule_has_a_chinese_name(findings) -> None:
    cat = catalogue()
    assert cat["name"].map(lambda n: isinstance(n, str) and n and not n.isascii()).all()
    names = dict(zip(cat["rule_id"], cat["name"], strict=True))
    assert all(f["rule_name"] == names[f["rule_id"]] for f in findings)
    assert names["structure.unreadable"] == "单元格读数无法确定"


def test_one_vocabulary() -> None:
    assert STATUS_LABELS["failed"] == "问题" and UNDECIDED_LABEL == "未审核"
    texts = [r.description for s in load_specs() for r in s.rules] + [s.description for s in load_specs()]
    for word in ("审阅", "实为", "不符合"):
        assert not [t for t in texts if word in t], word


def test_identity_figures_say_expected_and_actual() -> None:
    from auditkit.queue import figures_text

    row = {"status": "failed", "category": "arithmetic", "expected": 74, "actual": 75, "difference": 1}
    assert figures_text(row) == "应为 74，实际 75（相差 1）"
    late = {"status": "failed", "category": "timeliness", "expected": "不晚于 2024-03-31", "actual": "2024-04-05",
            "difference": "逾期5天"}
    assert figures_text(late) == "应为「不晚于 2024-03-31」，实际「2024-04-05」（逾期5天）"


def test_every_display_shows_the_text_against_the_table_as_such(audit_dir: Path) -> None:
    """audit.html, the workbook, the decisions export and the reviewer show the figures as worded, never
    "应为 470" for a table figure the text contradicts. (On a copy of the sample audit: the reviewer opens
    a review log in the folder it reviews.)"""
    from lxml import html as lxml_html
    from openpyxl import load_workbook

    from auditkit.render.decisions import export_decisions
    from auditkit.review.widget import Reviewer

    page = lxml_html.fromstring((audit_dir / "audit.html").read_text(encoding="utf-8"))
    table = page.xpath('//table[@id="findings-table"]')[0]
    heads = [th.text_content() for th in table.xpath(".//thead//th")]
    assert any(h.startswith("数字") for h in heads) and not any(h.startswith("应为") for h in heads)
    rows = [[td.text_content() for td in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")]
    assert any("正文 393 / 表格 470" in cells for cells in rows)
    details = " ".join(page.xpath('//div[contains(@class, "finding")]//text()'))
    assert "正文 393 / 表格 470" in details and "应为 470" not in details

    ws = load_workbook(audit_dir / "findings.xlsx")["问题清单"]
    column = [c.value for c in ws[1]].index("数字")
    assert "正文 393 / 表格 470" in [r[column] for r in ws.iter_rows(min_row=2, values_only=True)]

    with open(export_decisions(audit_dir, path=audit_dir.parent / "review-figures.csv"),
              encoding="utf-8-sig") as f:
        assert "正文 393 / 表格 470" in f.read()

    session = Reviewer.from_audit(audit_dir, reviewer="张三", log=None).session
    while "正文 393 / 表格 470" not in session.card_html():
        assert session.next(), "the reviewer never showed the finding"
    assert "应为" not in session.card_html()
