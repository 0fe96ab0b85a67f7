"""The review log cannot be rewritten without it showing (issue 11 item 3).

Each attack is done the way someone holding the file would: with sqlite3 on the file,
not through auditkit. The log refuses what its triggers can refuse; what it cannot (a
dropped trigger, a rewritten chain, a cut tail) ``verify`` and every reader name.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditkit.cli import main
from auditkit.review.chain import GENESIS, event_hash
from auditkit.review.log import ReviewLog, ReviewLogWarning

V1_LOG = Path(__file__).resolve().parent / "data" / "review_v1" / "review.sqlite"
COLUMNS = "event_id, kind, finding_id, decision, note, reviewer, time, prev_hash, hash"


def three_decisions(path: Path) -> ReviewLog:
    log = ReviewLog(path)
    log.record("f1", "confirmed", "总计不符，已核对原文", reviewer="张三")
    log.record("f2", "dismissed", "读取误差", reviewer="李四")
    log.record("f1", "follow_up", "再核", reviewer="张三")
    return log


def raw(log: ReviewLog) -> sqlite3.Connection:
    return sqlite3.connect(log.path, isolation_level=None)


@pytest.mark.parametrize("verb", ["REPLACE INTO", "INSERT OR REPLACE INTO"])
def test_replace_is_refused(tmp_path: Path, verb: str) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    first, last = log.all_events()[0], log.all_events()[-1]
    # A forger who knows the hash scheme, and links the event after the last one.
    forged = {**first, "decision": "dismissed", "note": "伪造", "prev_hash": last["hash"]}
    forged["hash"] = event_hash(forged)
    db = raw(log)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute(f"{verb} events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [forged[c.strip()] for c in COLUMNS.split(",")])
    db.close()
    assert log.history("f1")[0]["note"] == "总计不符，已核对原文"
    assert log.verify().ok


def test_insert_out_of_chain_is_refused(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    db = raw(log)
    with pytest.raises(sqlite3.DatabaseError, match="chained"):
        db.execute("INSERT INTO events (kind, finding_id, decision, reviewer, time, prev_hash, hash) "
                   "VALUES ('decision', 'f2', 'confirmed', 'x', 't', ?, 'h')", (GENESIS,))
    db.close()
    assert len(log.events()) == 3


def test_update_after_drop_trigger_is_named(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    assert log.verify().ok
    db = raw(log)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET note = '已核对，无误' WHERE event_id = 2")
    db.close()
    check = log.verify()
    assert not check.ok and check.bad_event == 2
    assert "第 2 条" in check.problem and "event 2 does not match its hash" in check.problem
    assert "李四" in check.problem  # the event as the auditor knows it


def test_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    event = log.all_events()[0]
    forged = {**event, "note": "伪造的备注"}
    db = raw(log)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET note = ?, hash = ? WHERE event_id = 1", (forged["note"], event_hash(forged)))
    db.close()
    check = log.verify()
    assert check.bad_event == 2 and "does not follow" in check.problem


def test_a_deleted_event_is_found(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    db = raw(log)
    db.execute("DROP TRIGGER events_no_delete")
    db.execute("DELETE FROM events WHERE event_id = 2")
    db.close()
    assert log.verify().bad_event == 3


def test_a_cut_tail_is_found_by_the_head(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    db = raw(log)
    db.execute("DROP TRIGGER events_no_delete")
    db.execute("DELETE FROM events WHERE event_id = 3")  # the chain of 1, 2 still holds
    db.close()
    check = log.verify()
    assert not check.ok and "the head names 3 events, the log holds 2" in check.problem


def test_a_rewritten_log_is_found_by_the_head(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    head = log.head_path.read_bytes()
    (tmp_path / "review.sqlite").unlink()
    for extra in tmp_path.glob("review.sqlite-*"):
        extra.unlink()
    log.head_path.unlink()
    forged = three_decisions(tmp_path / "review.sqlite")  # a whole new chain, with other notes
    assert forged.verify().ok  # the chain alone holds…
    forged.head_path.write_bytes(head)  # …but the head kept from before does not match it
    check = forged.verify()
    assert not check.ok and "rewritten" in check.problem


def test_events_added_outside_auditkit_are_found(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    last = log.all_events()[-1]
    extra = {"event_id": 4, "kind": "decision", "finding_id": "f2", "decision": "confirmed", "note": "",
             "reviewer": "某人", "time": "2026-01-01T00:00:00.000+00:00", "prev_hash": last["hash"]}
    extra["hash"] = event_hash(extra)  # a correct chain, but auditkit did not move the head
    db = raw(log)
    db.execute(f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [extra[c.strip()] for c in COLUMNS.split(",")])
    db.close()
    check = log.verify()
    assert check.bad_event == 4 and "added outside auditkit" in check.problem


def test_a_missing_head_is_reported(tmp_path: Path) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    log.head_path.unlink()
    assert "missing" in log.verify().problem


def test_upgrade_from_schema_1_keeps_every_decision(tmp_path: Path) -> None:
    path = tmp_path / "review.sqlite"
    shutil.copy(V1_LOG, path)
    before = sqlite3.connect(V1_LOG)
    old = [tuple(r) for r in before.execute("SELECT event_id, finding_id, decision, note, reviewer, time, "
                                            "rule_version, report_sha256 FROM events ORDER BY event_id")]
    before.close()
    log = ReviewLog(path)
    assert [tuple(e.values()) for e in log.events()] == old
    check = log.verify()
    assert check.ok and check.events == len(old) + 1
    migration = log.all_events()[-1]
    assert migration["kind"] == "migration" and "schema 1 -> 2" in migration["note"]
    assert (tmp_path / "review.v1-backup.sqlite").is_file()
    assert log.current().set_index("finding_id").loc["3f1c2a9b0d4e5f60", "decision"] == "dismissed"
    log.record("77e0c1d2b3a49586", "confirmed", reviewer="王五")
    again = ReviewLog(path)  # opened again: no second upgrade
    assert again.verify().ok and [e["kind"] for e in again.all_events()].count("migration") == 1


def test_verify_log_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    assert main(["verify-log", str(tmp_path)]) == 0
    assert "review log intact: 3 events" in capsys.readouterr().out
    db = raw(log)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET decision = 'confirmed' WHERE event_id = 3")
    db.close()
    assert main(["verify-log", str(tmp_path)]) == 4
    out = capsys.readouterr().out
    assert "审核记录已被改动" in out and "event 3" in out
    assert main(["verify-log", str(tmp_path / "none")]) == 2


def test_a_removed_log_with_its_head_left_is_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = three_decisions(tmp_path / "review.sqlite")
    log.path.unlink()
    assert main(["verify-log", str(tmp_path)]) == 4


def _forge_first_decision(audit: Path) -> str:
    log = ReviewLog.for_audit(audit)
    fid = log.events()[0]["finding_id"]
    db = raw(log)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET note = '已核对，无误（伪造）' WHERE event_id = 1")
    db.close()
    return fid


def test_every_reader_warns(audit_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from auditkit.findings import read_jsonl
    from auditkit.review.widget import Reviewer

    fids = list(read_jsonl(audit_dir / "findings.jsonl")["finding_id"][:2])
    log = ReviewLog.for_audit(audit_dir)
    log.record(fids[0], "confirmed", "原文如此", reviewer="张三")
    log.record(fids[1], "dismissed", "读取误差", reviewer="张三")
    assert main(["report", str(audit_dir)]) == 0
    assert "审核记录" in (audit_dir / "audit.html").read_text(encoding="utf-8")
    assert 'id="log-warning"' not in (audit_dir / "audit.html").read_text(encoding="utf-8")
    capsys.readouterr()

    _forge_first_decision(audit_dir)
    assert main(["report", str(audit_dir)]) == 0
    err = capsys.readouterr().err
    assert "警告" in err and "event 1 does not match its hash" in err
    page = (audit_dir / "audit.html").read_text(encoding="utf-8")
    assert 'id="log-warning"' in page and "第 1 条" in page
    wb = load_workbook(audit_dir / "findings.xlsx")
    assert wb.sheetnames[0] == "警告 审核记录被改动" and wb.active.title == "警告 审核记录被改动"
    assert "event 1 does not match its hash" in wb.active["A3"].value

    reviewer = Reviewer.from_audit(audit_dir, reviewer="王五")
    assert "第 1 条" in reviewer.alert.value and "tampered" in reviewer.alert.value

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = log.export_csv(audit_dir / "review.csv")
    assert any(issubclass(w.category, ReviewLogWarning) and "第 1 条" in str(w.message) for w in caught)
    assert out.is_file()


def test_exported_decisions_hold_no_formula(tmp_path: Path) -> None:
    log = ReviewLog(tmp_path / "review.sqlite")
    log.record("f1", "confirmed", '=HYPERLINK("http://example.org","点此")', reviewer="@张三")
    rows = list(csv.reader((log.export_csv(tmp_path / "review.csv")).open(encoding="utf-8-sig")))
    assert rows[1][3] == '\'=HYPERLINK("http://example.org","点此")' and rows[1][4] == "'@张三"


def test_two_writers_leave_a_whole_chain(tmp_path: Path) -> None:
    from test_review_log import two_reviewers_at_once

    path = str(tmp_path / "review.sqlite")
    two_reviewers_at_once(path, 60)
    check = ReviewLog(path).verify()
    assert check.ok and check.events == 120
