"""Every ``auditkit`` command, in process: its happy path, its usage errors as one Chinese line, its exit status.

Exit status: 0 ran, 1 some input unreadable, 2 usage error, 3 findings at ``--fail-on``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from auditkit.cli import main
from auditkit.errors import StoreError
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "000_seed-chengxiang_2023.txt"


def one_line_error(err: str, *words: str) -> str:
    """The error output is one line, mentions ``words`` and carries no traceback."""
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), lines[0]  # said in Chinese
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


# --------------------------------------------------------------------------- parse


def test_parse_writes_one_record_per_document(tmp_path: Path, capsys) -> None:
    out = tmp_path / "records.jsonl"
    assert main(["parse", str(SAMPLE), "--jsonl", str(out), "--jobs", "1"]) == 0
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1 and records[0]["agency"] and records[0]["cells"]
    assert "read 1" in capsys.readouterr().err


def test_parse_to_stdout(capsys) -> None:
    assert main(["parse", str(SAMPLE), "--jobs", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == 2023


def test_parse_of_a_missing_path_is_a_usage_error_before_anything_is_read(tmp_path: Path, capsys) -> None:
    # A mistyped path is refused at once (exit 2, one line naming it): no record is written for the others.
    out = tmp_path / "records.jsonl"
    assert main(["parse", str(tmp_path / "nope.pdf"), str(SAMPLE), "--jsonl", str(out), "--jobs", "1"]) == 2
    one_line_error(capsys.readouterr().err, "路径不存在", str(tmp_path / "nope.pdf"))
    assert not out.exists()


def test_parse_usage_errors(tmp_path: Path, capsys) -> None:
    assert main(["parse"]) == 2
    one_line_error(capsys.readouterr().err, "用法错误", "PATH")
    assert main(["parse", str(SAMPLE), "--jobs", "0"]) == 2
    one_line_error(capsys.readouterr().err, "--jobs")
    # An output file the file system refuses is one line too, not a traceback.
    assert main(["parse", str(SAMPLE), "--jsonl", str(tmp_path / "no-such-folder" / "r.jsonl")]) == 2
    one_line_error(capsys.readouterr().err, "auditkit parse", "no-such-folder")


# --------------------------------------------------------------------------- audit


def test_audit_writes_the_results_and_exits_3_on_findings(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    status = main(["audit", str(SAMPLE), "--out", str(out), "--store", str(tmp_path / "s.sqlite"), "--jobs", "1",
                   "--fail-on", "info"])
    err = capsys.readouterr().err
    findings = [json.loads(x) for x in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(f["status"] == "failed" for f in findings)
    assert status == 3
    assert "共审核年度报告 1 份" in err and "Traceback" not in err
    assert (out / "audit.html").exists() and (out / "findings.xlsx").exists()


def test_audit_of_a_missing_path_is_a_usage_error_before_anything_is_read(tmp_path: Path, capsys) -> None:
    # It used to read nothing for 21 s and then say "未发现问题".
    out = tmp_path / "out"
    assert main(["audit", str(SAMPLE), str(tmp_path / "reprots"), "--out", str(out)]) == 2
    one_line_error(capsys.readouterr().err, "auditkit audit", "路径不存在", str(tmp_path / "reprots"))
    assert not out.exists()


def test_audit_usage_errors(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without --out the results go to the one default folder (AUDITKIT_OUT here; make audit's out/audit).
    monkeypatch.setenv("AUDITKIT_OUT", str(tmp_path / "default"))
    assert main(["audit", str(SAMPLE)]) == 0
    assert (tmp_path / "default" / "findings.jsonl").is_file()
    capsys.readouterr()
    assert main(["audit", "--out", str(tmp_path), "--fail-on", "fatal"]) == 2
    one_line_error(capsys.readouterr().err, "fatal")


# --------------------------------------------------------------------------- rules


def test_rules_lists_every_rule(capsys) -> None:
    from auditkit import rule_catalogue

    assert main(["rules"]) == 0
    captured = capsys.readouterr()
    lines = [x.split("\t") for x in captured.out.splitlines()]
    assert len(lines) == len(rule_catalogue()) and all(len(x) == 6 for x in lines)
    assert f"共 {len(lines)} 条规则" in captured.err


# --------------------------------------------------------------------------- alias


def test_alias_is_recorded_in_the_store(tmp_path: Path, capsys) -> None:
    from auditkit.store import ReportStore

    store = tmp_path / "store.sqlite"
    assert main(["alias", "平潭综合实验区管委会办公室", "平潭综合实验区", "--store", str(store), "--note", "更名"]) == 0
    assert "已登记" in capsys.readouterr().err
    with ReportStore(store) as s:
        assert [(a["alias"], a["canonical"], a["note"]) for a in s.aliases()] == [
            ("平潭综合实验区管委会办公室", "平潭综合实验区", "更名")]


@pytest.mark.parametrize("names", [["", "平潭综合实验区"], ["平潭综合实验区", "  "]])
def test_alias_with_an_empty_name_is_refused_in_one_line(names: list[str], tmp_path: Path, capsys) -> None:
    store = tmp_path / "store.sqlite"
    assert main(["alias", *names, "--store", str(store)]) == 2
    line = one_line_error(capsys.readouterr().err, "auditkit alias", "non-empty")
    assert line.startswith("auditkit alias: 报告库")  # the store's English reason, titled in Chinese


def test_alias_usage_error(capsys) -> None:
    assert main(["alias", "只有一个名称"]) == 2
    one_line_error(capsys.readouterr().err, "canonical")


def test_no_traceback_from_the_installed_command(tmp_path: Path) -> None:
    # The reported bug: `auditkit alias "" x` printed a traceback.
    done = subprocess.run([sys.executable, "-m", "auditkit.cli", "alias", "", "x", "--store", str(tmp_path / "s.sqlite")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    one_line_error(done.stderr, "non-empty")


# --------------------------------------------------------------------------- report


def test_report_rebuilds_both_shared_results(audit_dir: Path, capsys) -> None:
    for name in ("audit.html", "findings.xlsx"):
        (audit_dir / name).unlink()
    assert main(["report", str(audit_dir)]) == 0
    err = capsys.readouterr().err
    for name in ("audit.html", "findings.xlsx"):
        assert (audit_dir / name).stat().st_size > 0 and name in err


def test_report_on_a_folder_that_is_not_an_audit(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path)]) == 2
    one_line_error(capsys.readouterr().err, "不是审核结果文件夹", "findings.jsonl")
    assert not (tmp_path / "audit.html").exists()
    assert main(["report", str(tmp_path / "missing")]) == 2
    one_line_error(capsys.readouterr().err, "not an audit folder")


# --------------------------------------------------------------------------- export-notebook


def test_export_notebook(tmp_path: Path, capsys) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('审核' * 2)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "tiny.ipynb")
    out = tmp_path / "tiny.html"
    assert main(["export-notebook", str(tmp_path / "tiny.ipynb"), "--out", str(out)]) == 0
    assert "审核审核" in out.read_text(encoding="utf-8") and "已生成" in capsys.readouterr().err


def test_export_of_a_missing_notebook(tmp_path: Path, capsys) -> None:
    assert main(["export-notebook", str(tmp_path / "none.ipynb"), "--out", str(tmp_path / "none.html")]) == 2
    one_line_error(capsys.readouterr().err, "笔记本不存在", "none.ipynb")
    assert not (tmp_path / "none.html").exists()


# --------------------------------------------------------------------------- the command itself


def test_no_command_unknown_command_and_help(capsys) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2
    line = one_line_error(capsys.readouterr().err, "未知命令 no-such-command", "audit")  # nothing close: every command
    assert "您是否要输入" not in line
    assert main(["--help"]) == 0
    assert "export-notebook" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "words"), [
    (["audti"], ["未知命令 audti，您是否要输入 audit？"]),
    (["export-notbook"], ["您是否要输入 export-notebook？"]),
    (["audit", "--out", "x", "--fail-on", "critcal"], ["--fail-on", "critcal", "您是否要输入 critical？"]),
    (["audit", "--out", "x", "--fail-on", "fatal"], ["--fail-on", "fatal", "critical、warning、info"]),
    (["rules", "--rulez", "x"], ["无法识别的参数", "--rulez", "您是否要输入 --rules？"]),
    (["report", "a", "b"], ["无法识别的参数", "b"]),
    (["audit", "--out"], ["参数 --out", "需要一个值"]),
])
def test_argparse_complaints_in_chinese_with_did_you_mean(argv: list[str], words: list[str], capsys) -> None:
    assert main(argv) == 2
    line = one_line_error(capsys.readouterr().err, "用法错误", *words)
    for english in ("invalid choice", "unrecognized", "required", "expected one"):
        assert english not in line


def test_an_english_reason_gets_a_chinese_title() -> None:
    from auditkit.cli import error_line

    assert error_line("alias", StoreError("database is locked")) == "auditkit alias: 报告库拒绝了此操作：database is locked"
    assert error_line("report", OSError("disk full\nreally")) == "auditkit report: 无法读写文件：disk full really"
    # A reason already said in Chinese is left as the library wrote it.
    assert error_line("x", StoreError("报告库已锁定 (locked)")) == "auditkit x: 报告库已锁定 (locked)"
