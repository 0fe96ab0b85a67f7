"""`auditkit audit` end to end: the README's main job, its outputs and exit status (issue 4 item 7)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditkit.cli import main
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory) -> tuple[Path, int, str]:
    out = tmp_path_factory.mktemp("audit")
    store = out.parent / "store.sqlite"
    proc = subprocess.run([sys.executable, "-m", "auditkit.cli", "audit", "--out", str(out), "--store", str(store),
                           "--fail-on", "critical"], capture_output=True, text=True, timeout=900)
    return out, proc.returncode, proc.stderr


def test_main_job_writes_every_output(audit_dir) -> None:
    out, status, err = audit_dir
    for name in ("records.jsonl", "findings.jsonl", "findings.csv", "audit.html", "findings.xlsx"):
        assert (out / name).stat().st_size > 0, name
    records = [json.loads(x) for x in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len([p for p in SAMPLES.iterdir() if p.is_file()])
    findings = list(csv.DictReader((out / "findings.csv").open(encoding="utf-8-sig")))
    assert findings and {f["severity"] for f in findings} <= {"critical", "warning", "info"}
    assert "Traceback" not in err and "共审核年度报告 12 份" in err
    # The samples hold real critical defects (e.g. 002's text against its table): --fail-on says so.
    assert any(f["severity"] == "critical" for f in findings)
    assert status == 3


def test_unreadable_input_exit_1(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    good = tmp_path / "000.txt"
    good.write_bytes((SAMPLES / "000_seed-chengxiang_2023.txt").read_bytes())
    status = main(["audit", str(tmp_path), "--out", str(tmp_path / "out"), "--store", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert status == 1
    assert "empty.txt: 空文件" in err
    assert (tmp_path / "out" / "audit.html").exists()


def test_usage_error_exit_2(capsys) -> None:
    assert main(["audit"]) == 2  # --out is required
    assert main(["report", "/nonexistent-audit-dir"]) == 2


def test_rules_lists_every_rule(capsys) -> None:
    assert main(["rules"]) == 0
    lines = [ln.split("\t") for ln in capsys.readouterr().out.splitlines()]
    assert len(lines) >= 27
    # id, category, severity, description, basis, and the folder the rule comes from
    assert all(len(parts) == 6 and parts[0] and parts[4] and Path(parts[5]).is_dir() for parts in lines)
    assert {"arithmetic.requests_balance", "narrative.figure_plain", "carry_over.requests"} <= {p[0] for p in lines}
