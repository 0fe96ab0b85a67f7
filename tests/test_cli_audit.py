"""`auditkit audit` end to end: the README's main job, its outputs and exit status (issue 4 item 7).

The command runs in-process (``main([...])``); one test runs the installed console script
in a real process, for the exit status the shell and ``make audit`` see.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sysconfig
from pathlib import Path

import pytest

from auditkit.cli import main
from tests.conftest import SAMPLES, AuditRun


@pytest.mark.libreoffice  # every sample is read, the legacy .doc included
def test_main_job_writes_every_output(sample_audit_run: AuditRun) -> None:
    out, status, err = sample_audit_run.out, sample_audit_run.status, sample_audit_run.stderr
    for name in ("records.jsonl", "findings.jsonl", "findings.csv", "audit.html", "findings.xlsx"):
        assert (out / name).stat().st_size > 0, name
    records = [json.loads(x) for x in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len([p for p in SAMPLES.iterdir() if p.is_file()])
    findings = list(csv.DictReader((out / "findings.csv").open(encoding="utf-8-sig")))
    assert findings and {f["severity"] for f in findings} <= {"critical", "warning", "info"}
    # 12 files, 8 reports: the five files of 平潭综合实验区's 2023 report are audited once
    assert "Traceback" not in err and "共审核年度报告 8 份" in err and "是同一报告的不同文件，只审核一次" in err
    # The samples hold real critical defects (e.g. 002's text against its table): --fail-on says so.
    assert any(f["severity"] == "critical" for f in findings)
    assert status == 3


def test_unreadable_input_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    good = tmp_path / "000.txt"
    good.write_bytes((SAMPLES / "000_seed-chengxiang_2023.txt").read_bytes())
    status = main(["audit", str(tmp_path), "--out", str(tmp_path / "out"), "--store", str(tmp_path / "s.sqlite")])
    err = capsys.readouterr().err
    assert status == 1
    assert "empty.txt: 空文件" in err
    assert (tmp_path / "out" / "audit.html").exists()


@pytest.mark.slow  # a fresh interpreter imports Great Expectations: ~10 s of CPU on this machine
def test_console_script_exits_1_on_unreadable_input(tmp_path: Path) -> None:
    """The installed ``auditkit`` command in its own process, as ``make audit`` runs it: the status
    reaches the shell, and stderr holds the summary and the failure, no traceback, no progress bars."""
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    good = tmp_path / "000.txt"
    good.write_bytes((SAMPLES / "000_seed-chengxiang_2023.txt").read_bytes())
    script = Path(sysconfig.get_path("scripts")) / "auditkit"
    proc = subprocess.run([str(script), "audit", str(tmp_path), "--out", str(tmp_path / "out"),
                           "--store", str(tmp_path / "s.sqlite")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert "共审核年度报告 1 份" in proc.stderr and "empty.txt: 空文件" in proc.stderr
    assert "Traceback" not in proc.stderr and "Calculating Metrics" not in proc.stderr
    assert (tmp_path / "out" / "audit.html").exists()


def test_console_script_parse_writes_every_record_before_it_exits(tmp_path: Path) -> None:
    """The console script leaves without tearing the interpreter down: what it wrote must be
    whole all the same, to a file (--jsonl) and to a pipe, with the status of the run."""
    pages = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".html", ".txt"))
    (tmp_path / "empty.txt").write_bytes(b"")
    script = Path(sysconfig.get_path("scripts")) / "auditkit"
    args = [str(script), "parse", *map(str, pages), str(tmp_path / "empty.txt"), "--jobs", "1"]
    to_file = subprocess.run([*args, "--jsonl", str(tmp_path / "out.jsonl")], capture_output=True, timeout=600)
    to_pipe = subprocess.run(args, capture_output=True, timeout=600)
    assert to_file.returncode == to_pipe.returncode == 1, to_file.stderr.decode()  # the empty file
    for written in ((tmp_path / "out.jsonl").read_bytes(), to_pipe.stdout):
        records = [json.loads(line) for line in written.decode().splitlines()]
        read = {Path(r["source"]).name: r for r in records}
        assert sorted(read) == sorted([p.name for p in pages] + ["empty.txt"])
        assert read["empty.txt"]["error"] == "empty"
        assert all(read[p.name]["cells"] for p in pages)
    assert b"empty.txt" in to_file.stderr and b"Traceback" not in to_file.stderr


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--out"]) == 2  # --out names a folder (without it: the default results folder)
    assert main(["report", "/nonexistent-audit-dir"]) == 2


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = [ln.split("\t") for ln in capsys.readouterr().out.splitlines()]
    assert len(lines) >= 27
    # id, category, severity, description, basis, and the folder the rule comes from
    assert all(len(parts) == 6 and parts[0] and parts[4] and Path(parts[5]).is_dir() for parts in lines)
    assert {"arithmetic.requests_balance", "narrative.figure_plain", "carry_over.requests"} <= {p[0] for p in lines}
