"""One id per finding, everywhere; a byte-identical copy is audited once (issue 11 item 5).

Two copies of one report used to give twice the findings with half the ids in
findings.jsonl, while audit.html, the workbook and the reviewer derived other ids
again: a decision recorded on one showed as orphaned in the others.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from auditkit.audit import audit_reports, run_audit
from auditkit.errors import ReadReason
from auditkit.findings import read_jsonl, write_jsonl
from tests.conftest import SAMPLES

REPORT = "009_pingtan-shiyanqu_2022.txt"  # problems and readings to check by hand


@pytest.fixture(scope="module")
def twin_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    base = tmp_path_factory.mktemp("twins")
    folder = base / "reports"
    (folder / "copy").mkdir(parents=True)
    shutil.copy(SAMPLES / REPORT, folder / REPORT)
    shutil.copy(SAMPLES / REPORT, folder / "copy" / "另存为.txt")
    result = run_audit([folder], base / "out", store=base / "store.sqlite")
    return base / "out", result


def stored_ids(out: Path) -> list[str]:
    return [json.loads(x)["finding_id"] for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_copy_is_listed_not_audited_twice(twin_audit) -> None:
    out, result = twin_audit
    assert [Path(r.source).name for r in result.reports] == [REPORT]  # the first in the batch's (sorted) order
    (copy,) = result.failures
    assert copy.reason == ReadReason.DUPLICATE and Path(copy.source).name == "另存为.txt"
    assert REPORT in copy.message
    assert result.counts["unreadable"] == 0 and result.counts["duplicates"] == 1
    assert "1 份文件与另一文件内容完全相同" in result.summary and "无法读取" not in result.summary
    ids = stored_ids(out)
    alone = run_audit([SAMPLES / REPORT], out.parent / "alone", store=out.parent / "alone.sqlite")
    assert len(ids) == len(set(ids)) == len(alone.findings) > 0  # the copy added no finding
    assert set(result.findings["source"]) == {str(result.reports[0].source)}


def test_every_output_shows_the_stored_ids(twin_audit) -> None:
    from auditkit.render.data import load_audit
    from auditkit.review.widget import Reviewer

    out, _ = twin_audit
    ids = stored_ids(out)
    queue = {json.loads(x)["finding_id"]: json.loads(x)["queue"]
             for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()}
    problems = sorted(i for i in ids if queue[i] == "problem")
    readings = sorted(i for i in ids if queue[i] == "reading")
    assert problems and readings
    page = lxml_html.fromstring((out / "audit.html").read_text(encoding="utf-8"))
    assert sorted(x[2:] for x in page.xpath('//div[contains(@class, "finding")]/@id')) == problems
    assert sorted(x[2:] for x in page.xpath('//table[@id="readings-table"]//tr/@id')) == readings
    ws = load_workbook(out / "findings.xlsx")["数据"]  # the problems' ids sit on the hidden data sheet
    head = [c.value for c in ws[1]]
    column = head.index("finding_id")
    assert sorted(r[column] for r in ws.iter_rows(min_row=2, values_only=True)) == problems
    reviewer = Reviewer.from_audit(out, reviewer="张三", log=None)
    assert sorted(reviewer.session.findings["finding_id"]) == problems
    assert sorted(load_audit(out).findings["finding_id"]) == sorted(ids)


def test_a_decision_is_never_orphaned(twin_audit, tmp_path: Path) -> None:
    from auditkit.render import rebuild_report
    from auditkit.render.data import load_audit
    from auditkit.review.widget import Reviewer

    out = Path(shutil.copytree(twin_audit[0], tmp_path / "out"))
    reviewer = Reviewer.from_audit(out, reviewer="张三")
    event = reviewer.session.decide("confirmed", "已核对")
    rebuild_report(out)
    data = load_audit(out)
    assert data.orphan_decisions == 0
    assert data.findings.set_index("finding_id").loc[event["finding_id"], "decision"] == "confirmed"


def test_ids_read_back_are_the_ids_written(tmp_path: Path) -> None:
    from auditkit.batch import read_report

    report = read_report(SAMPLES / REPORT)
    findings = audit_reports([report, report]).findings  # the same record twice, given directly
    assert findings["finding_id"].is_unique
    write_jsonl(findings, tmp_path / "findings.jsonl")
    assert list(read_jsonl(tmp_path / "findings.jsonl")["finding_id"]) == list(findings["finding_id"])
    # Whatever the file holds is what readers use: nothing is derived again.
    lines = (tmp_path / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    edited = [json.dumps({**json.loads(x), "finding_id": "same"}, ensure_ascii=False) for x in lines[:2]]
    (tmp_path / "findings.jsonl").write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert list(read_jsonl(tmp_path / "findings.jsonl")["finding_id"]) == ["same", "same"]
