"""The review log keeps every decision: append-only, durable, concurrent (issue 5 item 3)."""

from __future__ import annotations

import csv
import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from auditkit.errors import ReviewError
from auditkit.review.log import ReviewLog


def test_latest_event_is_the_current_decision(tmp_path: Path) -> None:
    log = ReviewLog.for_audit(tmp_path)
    log.record("f1", "confirmed", "表内总计不符", reviewer="张三", rule_version="r1", report_sha256="abc")
    log.record("f1", "dismissed", "复核后为误报", reviewer="李四")
    log.record("f2", "follow_up", reviewer="张三")
    current = log.current().set_index("finding_id")
    assert current.loc["f1", "decision"] == "dismissed" and current.loc["f1", "reviewer"] == "李四"
    assert current.loc["f2", "decision"] == "follow_up"
    assert [e["decision"] for e in log.history("f1")] == ["confirmed", "dismissed"]
    assert log.history("f1")[0]["note"] == "表内总计不符"


def test_events_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    log = ReviewLog(tmp_path / "log.sqlite")
    log.record("f1", "confirmed")
    db = sqlite3.connect(log.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE events SET decision = 'dismissed'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM events")
    db.close()
    assert len(log.events()) == 1


def test_bad_decision_refused(tmp_path: Path) -> None:
    log = ReviewLog(tmp_path / "log.sqlite")
    with pytest.raises(ReviewError, match="maybe"):
        log.record("f1", "maybe")
    assert log.events() == []


def test_decisions_survive_reopening(tmp_path: Path) -> None:
    ReviewLog.for_audit(tmp_path).record("f1", "confirmed", "ok")
    again = ReviewLog.for_audit(tmp_path)  # a new kernel, a re-run, an upgrade
    assert again.decision_of("f1")["note"] == "ok"


def _reviewer(path: str, name: str, count: int, start: mp.Event) -> None:
    log = ReviewLog(path)
    start.wait()
    for i in range(count):
        log.record(f"{name}-{i % 7}", "confirmed" if i % 2 else "follow_up", f"{name} {i}", reviewer=name)


def two_reviewers_at_once(path: str, each: int) -> None:
    """Two processes (甲, 乙) recording ``each`` decisions into one log at the same time."""
    ReviewLog(path)
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_reviewer, args=(path, name, each, start)) for name in ("甲", "乙")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0


def test_two_reviewers_in_two_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "review.sqlite")
    two_reviewers_at_once(path, 150)
    events = ReviewLog(path).events()
    assert len(events) == 300
    for name in ("甲", "乙"):
        notes = {e["note"] for e in events if e["reviewer"] == name}
        assert notes == {f"{name} {i}" for i in range(150)}


def test_export_csv(tmp_path: Path) -> None:
    log = ReviewLog(tmp_path / "log.sqlite")
    log.record("f1", "confirmed", "备注，含逗号")
    log.record("f1", "follow_up", "再看")
    out = log.export_csv(tmp_path / "decisions.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(r["finding_id"], r["decision"], r["decision_label"], r["note"]) for r in rows] == [
        ("f1", "follow_up", "待跟进", "再看")]
    full = list(csv.DictReader(log.export_csv(tmp_path / "all.csv", history=True).open(encoding="utf-8-sig")))
    assert [r["note"] for r in full] == ["备注，含逗号", "再看"]


# -- the second level (复核): sign-off --------------------------------------------------------------------


def test_a_second_person_signs_off_a_decision_and_the_log_says_what_is_open(tmp_path: Path) -> None:
    log = ReviewLog.for_audit(tmp_path)
    first = log.record("f1", "confirmed", "总计不符", reviewer="张三")
    log.record("f2", "follow_up", "待核实", reviewer="张三")
    assert log.signoff_state("f1") == "awaiting" and log.signoff_state("f9") == "undecided"
    signed = log.sign_off("f1", "approved", reviewer="李四", decision_event=first["event_id"])
    assert (signed["decision"], signed["reviewer"]) == ("approved", "李四")
    log.sign_off("f2", "returned", "请补充核实依据", reviewer="李四")
    rows = log.signoff_rows()
    assert (rows["f1"]["state"], rows["f1"]["signer"]) == ("approved", "李四")
    assert (rows["f2"]["state"], rows["f2"]["signoff_note"]) == ("returned", "请补充核实依据")
    assert log.open_items(["f1", "f2", "f3"]) == {"undecided": ["f3"], "awaiting": [], "returned": ["f2"]}
    # Sign-offs are events of their own: the decisions readers see are unchanged, the chain holds both.
    assert [e["decision"] for e in log.events()] == ["confirmed", "follow_up"]
    assert [e["kind"] for e in log.trail("f2")] == ["decision", "signoff"]
    assert log.verify().ok and log.verify().events == 4
    # The preparer decides again: open again, until signed off in turn.
    log.record("f2", "confirmed", "已核实", reviewer="张三")
    assert log.open_items(["f1", "f2"])["awaiting"] == ["f2"]


def test_nobody_signs_off_their_own_decision(tmp_path: Path) -> None:
    log = ReviewLog.for_audit(tmp_path)
    log.record("f1", "confirmed", reviewer="张三")
    with pytest.raises(ReviewError, match="不能复核本人"):
        log.sign_off("f1", "approved", reviewer="张三")
    with pytest.raises(ReviewError, match="退回须写明理由"):
        log.sign_off("f1", "returned", "  ", reviewer="李四")
    with pytest.raises(ReviewError, match="尚无审核结论"):
        log.sign_off("f2", "approved", reviewer="李四")
    with pytest.raises(ReviewError, match="未知的复核结论"):
        log.sign_off("f1", "confirmed", reviewer="李四")
    assert log.signoffs() == [] and log.signoff_state("f1") == "awaiting"


def test_a_sign_off_is_refused_when_the_decision_changed_meanwhile(tmp_path: Path) -> None:
    log = ReviewLog.for_audit(tmp_path)
    seen = log.record("f1", "confirmed", reviewer="张三")
    log.record("f1", "dismissed", "格式允许", reviewer="王五")  # while 李四 was reading the first one
    with pytest.raises(ReviewError, match="已被他人更新"):
        log.sign_off("f1", "approved", reviewer="李四", decision_event=seen["event_id"])
    assert log.signoff_state("f1") == "awaiting"


def test_verify_log_checks_sign_offs_too(tmp_path: Path) -> None:
    from auditkit.cli import main

    log = ReviewLog.for_audit(tmp_path)
    log.record("f1", "confirmed", reviewer="张三")
    log.sign_off("f1", "approved", reviewer="李四")
    assert main(["verify-log", str(tmp_path)]) == 0
    db = sqlite3.connect(log.path)
    db.execute("DROP TRIGGER events_no_update")
    db.execute("UPDATE events SET reviewer = '张三' WHERE kind = 'signoff'")  # a forged second signature
    db.commit()
    db.close()
    assert not log.verify().ok and log.verify().bad_event == 2
    assert main(["verify-log", str(tmp_path)]) != 0
