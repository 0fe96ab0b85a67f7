"""Sharing the review: the decisions export with its context, and one results folder by default."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from auditkit.render.decisions import export_decisions
from auditkit.results import default_out_dir, project_root
from auditkit.review.log import ReviewLog
from tests.conftest import read_problems_csv

ROOT = Path(__file__).resolve().parent.parent


def test_the_export_carries_the_context_of_each_decision(audit_dir: Path) -> None:
    found = read_problems_csv(audit_dir)
    first = found.iloc[0]
    log = ReviewLog.for_audit(audit_dir)
    log.record(first["finding_id"], "confirmed", note="=HYPERLINK(\"http://x\",\"点此\")", reviewer="张三")
    log.sign_off(first["finding_id"], "returned", "@请补充依据", reviewer="李四")
    path = export_decisions(audit_dir)
    assert path == audit_dir / "review.csv" and path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(found)  # undecided findings too: the export says what is still open
    row = next(r for r in rows if r["finding_id"] == first["finding_id"])
    assert row["机关"] == (first["agency"] or "") and row["年度"] == str(first["year"])
    assert row["报告文件"] == Path(first["source"]).name and "/" not in row["报告文件"]
    assert row["规则编号"] == first["rule_id"] and any("\u4e00" <= ch <= "\u9fff" for ch in row["规则"])
    assert row["问题说明"] == first["description"] and row["位置"]
    assert (row["审核结论"], row["编制人"], row["复核"], row["复核人"]) == ("确认", "张三", "已退回", "李四")
    assert row["审核时间（北京时间）"] and row["复核时间（北京时间）"]
    # CSV injection: text a spreadsheet would run is written as text.
    assert row["审核意见"].startswith("'=HYPERLINK") and row["复核意见"] == "'@请补充依据"
    assert {r["审核结论"] for r in rows if r["finding_id"] != first["finding_id"]} == {"未审核"}


def test_readings_are_not_in_the_decisions_export(audit_dir: Path) -> None:
    path = audit_dir / "findings.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for x in rows:
        x["queue"] = "reading" if x["rule_id"] == "structure.unreadable" else "problem"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    with export_decisions(audit_dir, audit_dir / "d.csv").open(encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert len(exported) == sum(x["queue"] == "problem" for x in rows) < len(rows)


def test_one_results_folder_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUDITKIT_OUT", raising=False)
    # From the project folder (make audit) and from notebooks/ (the notebooks): the same folder.
    assert project_root(ROOT / "notebooks") == ROOT
    assert default_out_dir(ROOT) == default_out_dir(ROOT / "notebooks") == ROOT / "out" / "audit"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "OUT ?= out/audit" in makefile  # what the README's main job writes
    assert default_out_dir(tmp_path) == tmp_path / "out" / "audit"  # outside a checkout
    monkeypatch.setenv("AUDITKIT_OUT", str(tmp_path / "elsewhere"))
    assert default_out_dir(ROOT) == tmp_path / "elsewhere"


def test_the_commands_use_the_default_folder(audit_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture) -> None:
    from auditkit.cli import main

    monkeypatch.setenv("AUDITKIT_OUT", str(audit_dir))
    ReviewLog.for_audit(audit_dir).record(read_problems_csv(audit_dir)["finding_id"].iloc[0], "confirmed",
                                          reviewer="张三")
    assert main(["verify-log"]) == 0
    assert str(audit_dir) in capsys.readouterr().out
    (audit_dir / "audit.html").unlink()
    assert main(["report"]) == 0 and (audit_dir / "audit.html").is_file()


def test_the_notebooks_use_the_default_folder() -> None:
    for name in ("01_audit_a_batch", "02_review_findings"):
        nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert "\nout = None" in code and "auditkit.default_out_dir()" in code
    nb = json.loads((ROOT / "notebooks" / "02_review_findings.ipynb").read_text(encoding="utf-8"))
    last = "".join(nb["cells"][-1]["source"])
    assert "auditkit.export_decisions(out)" in last and "auditkit.rebuild_report(out)" in last
