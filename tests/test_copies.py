"""Copies of one report (a web page, its PDF and Word attachments, a crawler's text copy): audited once on
the most legible file, listed as its copies; copies that disagree are a finding of their own; a publication
date one file lacks is taken from another, and says so."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from auditkit.audit import audit_reports
from auditkit.copies import group_copies, unreadable_cells, with_copies_metadata
from auditkit.record import Report

HTML, PDF, DOC, DOCX = ("011_pingtan-shiyanqu_2023.html", "011_pingtan-shiyanqu_2023_print.pdf",
                        "011_pingtan-shiyanqu_2023_word.doc", "011_pingtan-shiyanqu_2023_word.docx")
TEXT = "010_pingtan-shiyanqu_2023.txt"  # the crawler's copy: three cells of 表二 run together


@pytest.fixture(scope="module")
def records(sample_audit_dir: Path) -> dict[str, Report]:
    """Every sample file's record, as the sample audit wrote them, by file name."""
    rows = [json.loads(x) for x in (sample_audit_dir / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    return {Path(r["source"]).name: Report.from_record(r) for r in rows}


@pytest.fixture(scope="module")
def findings(sample_audit_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (sample_audit_dir / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def named(reports: list[Report], names: list[str]) -> list[str]:
    return [Path(reports[i].source).name for i in names]


def test_the_five_files_of_pingtan_2023_are_one_report(records) -> None:
    reports = list(records.values())
    [group] = group_copies(reports)
    assert Path(reports[group.audited].source).name == HTML  # every cell read, and a publication date
    assert sorted(Path(reports[i].source).name for i in group.copies) == sorted([TEXT, PDF, DOC, DOCX])
    assert group.differences == {}  # they agree on every cell both read
    assert unreadable_cells(records[TEXT]) == 8 and unreadable_cells(records[HTML]) == 0


def test_the_sample_discrepancy_is_one_finding_naming_its_copies(findings) -> None:
    """Before: the text says 393 where 表二 says 470 in five findings (html, pdf, doc, docx, txt)."""
    in_force = [f for f in findings if f["rule_id"] == "narrative.figure_plain" and f["status"] == "failed"
                and f["keys"] == ["active.normative_documents.in_force"]]
    assert len(in_force) == 1
    [f] = in_force
    assert Path(f["source"]).name == HTML
    assert sorted(Path(c).name for c in f["copies"]) == sorted([TEXT, PDF, DOC, DOCX])
    # No finding is raised on a copy, not even its missing publication date.
    copies = {TEXT, PDF, DOC, DOCX}
    assert not [x for x in findings if Path(x["source"]).name in copies]
    # Findings of a report in one file list no copies.
    assert all(x["copies"] == [] for x in findings if Path(x["source"]).name != HTML)


def test_the_summary_names_the_copies(sample_audit_dir: Path) -> None:
    summary = (sample_audit_dir / "summary.txt").read_text(encoding="utf-8")
    assert "共审核年度报告 8 份" in summary
    assert (f"{HTML} 与 {TEXT}、{PDF}、{DOC}、{DOCX} 是同一报告的不同文件，只审核一次（以 {HTML} 为准）"
            in summary)


def test_a_publication_date_missing_from_the_audited_file_is_taken_from_a_copy(records) -> None:
    pdf, text = copy.deepcopy(records[PDF]), copy.deepcopy(records[TEXT])
    assert pdf.published is None and text.published == "2024-03-08"
    result = audit_reports([text, pdf])
    audited = next(r for r in result.reports if r.source == pdf.source)  # no cell it could not read
    assert audited.published == "2024-03-08"
    [note] = [d for d in audited.diagnostics if d.code == "taken_from_copy"]
    assert note.key == "meta.published" and TEXT in note.message and note.location == text.source
    f = result.findings
    assert not len(f[f.rule_id == "timeliness.date_unknown"])  # the PDF alone would have it
    assert list(f["source"].map(lambda s: Path(s).name).unique()) == [PDF]
    alone = audit_reports([copy.deepcopy(records[PDF])]).findings
    assert "timeliness.date_unknown" in set(alone.rule_id)
    # The record given is not changed: the audited record is a new one.
    assert pdf.published is None and not [d for d in pdf.diagnostics if d.code == "taken_from_copy"]
    assert with_copies_metadata(records[HTML], [pdf]) is records[HTML]  # nothing missing: the same record


def test_copies_that_disagree_are_a_finding_naming_the_cells_files_and_values(records) -> None:
    html, docx = copy.deepcopy(records[HTML]), copy.deepcopy(records[DOCX])
    was = docx.cells["requests.granted.total"]
    docx.cells["requests.granted.total"] = was + 5
    docx.cells["requests.granted.natural_person"] += 5
    result = audit_reports([docx, html])
    f = result.findings
    [d] = f[f.rule_id == "consistency.copies_disagree"].to_dict("records")
    assert Path(d["source"]).name == HTML and d["severity"] == "warning" and d["queue"] == "problem"
    assert sorted(d["keys"]) == ["requests.granted.natural_person", "requests.granted.total"]
    assert d["rule_name"] == "同一报告的文件不一致" and d["figures_text"] == "2 个单元格两文件不同"
    assert DOCX in d["evidence"] and HTML in d["evidence"]
    assert f"requests.granted.total：本文件 {was}，{DOCX} {was + 5}" in d["evidence"]
    assert d["cells_text"] == "表三 三、本年度办理结果（一）予以公开 — 自然人、总计"
    assert "的部分数字与之不同，另列为问题" in result.summary and DOCX in result.summary
    checks = result.checks.set_index("rule_id")
    assert checks.loc["consistency.copies_disagree", "evaluated"] == 1
    assert checks.loc["consistency.copies_disagree", "failed"] == 1
    # Copies that agree raise nothing, and are checked.
    agree = audit_reports([copy.deepcopy(records[DOCX]), copy.deepcopy(records[HTML])])
    assert "consistency.copies_disagree" not in set(agree.findings.rule_id)
    assert agree.checks.set_index("rule_id").loc["consistency.copies_disagree", "evaluated"] == 1


def test_another_report_of_the_same_agency_and_year_is_not_a_copy(records) -> None:
    other = copy.deepcopy(records["016_pingtan-caizhengjinrongju_2022.txt"])
    html = records[HTML]
    other.agency, other.year = html.agency, html.year  # same agency and year, other figures
    assert group_copies([html, other]) == []
    result = audit_reports([copy.deepcopy(html), other])
    assert result.counts["reports"] == 2 and result.counts["copies"] == 0
    assert "consistency.copies_disagree" not in set(result.findings.rule_id)


def test_the_file_with_the_whole_text_is_audited_even_with_a_cell_it_could_not_read(records, tmp_path: Path) -> None:
    """The table alone (a page made from the report's true figures, with hardly any text) is a copy of the
    crawler's text of 009, which runs three cells together: the text copy is audited, since the narrative
    rules read its sentences."""
    from auditkit.batch import read_report
    from tests.conftest import truth_of
    from tests.official_pages import official_page

    text = copy.deepcopy(records["009_pingtan-shiyanqu_2022.txt"])
    page = tmp_path / "009_table_only.html"
    page.write_text(official_page(truth_of("009_pingtan-shiyanqu_2022.txt")), encoding="utf-8")
    table = read_report(page)
    assert unreadable_cells(text) > 0 == unreadable_cells(table)
    [group] = group_copies([table, text])
    assert group.audited == 1 and group.copies == [0]
    result = audit_reports([table, text])
    f = result.findings
    plain = f[(f.rule_id == "narrative.figure_plain") & (f.status == "failed")]
    assert sorted(plain["figures_text"]) == ["正文 72 / 表格 71", "正文 75 / 表格 74"]
    assert set(plain["source"]) == {text.source} and all(c == [str(page)] for c in plain["copies"])
    assert set(f["source"]) == {text.source}  # nothing raised on the page
