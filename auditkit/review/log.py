"""The review log: every decision an auditor takes, kept as an append-only, hash-chained event.

A decision is never updated in place: confirming, dismissing or marking a
finding for follow-up appends an event (finding_id, decision, note, reviewer,
time, rule version, report sha256). The current decision of a finding is its
latest decision event. Findings are keyed by their stable ``finding_id``, so
decisions re-attach to the same findings when the audit runs again, and a
finding that no longer occurs keeps its history.

The log defends itself twice. SQLite triggers refuse ``UPDATE``, ``DELETE`` and
an insert that reuses an event's number (``REPLACE INTO`` / ``INSERT OR REPLACE``
would otherwise delete the old event without firing the delete trigger). And
since whoever holds the file can drop triggers, every event carries a hash chained
to the one before (``auditkit.review.chain``), with the head (count, last hash)
kept in ``review.head`` beside the log: ``verify()`` (``auditkit verify-log``)
finds the first event that was changed, removed or slipped in, and every reader
of the log warns when it does.

Events have a ``kind``: ``decision`` (编制: the preparer's), ``signoff`` (复核: a
second person approves the finding's decision or sends it back with a note) and
``migration`` (an upgrade of the log's schema, recorded in the chain); readers of
decisions look at ``decision`` events only. A sign-off applies to the decision it
follows: the latest decision on its finding before it in the chain. A decision taken
after a sign-off is open again until it is signed off in turn, and nobody signs off a
decision of their own. ``signoff_state`` says where every finding stands; ``open_items``
lists what still waits for someone.

SQLite in WAL mode with a busy timeout lets two reviewers in two kernels write
at the same time without losing an event; each write is its own transaction
and is on disk (with the head) when ``record`` returns.
"""

from __future__ import annotations

import getpass
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import ReviewError, ReviewLogError
from auditkit.review.chain import GENESIS, ChainCheck, check_chain, event_hash, head_path, read_head, write_head
from auditkit.vocabulary import (
    AWAITING_SIGNOFF,
    DECISION_LABELS,
    DECISIONS,
    RETURNED,
    SIGNOFFS,
    UNDECIDED,
)

if TYPE_CHECKING:
    import pandas as pd

LOG_NAME = "review.sqlite"
SCHEMA_VERSION = 2
DECISION, SIGNOFF, MIGRATION = "decision", "signoff", "migration"
EVENT_KINDS = (DECISION, SIGNOFF, MIGRATION)
# What a decision is (the columns readers of decisions see), and every column of an event.
EVENT_COLUMNS = ("event_id", "finding_id", "decision", "note", "reviewer", "time", "rule_version", "report_sha256")
ALL_COLUMNS = ("event_id", "kind", "finding_id", "decision", "note", "reviewer", "time", "rule_version",
               "report_sha256", "prev_hash", "hash")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL DEFAULT 'decision',
    finding_id    TEXT NOT NULL DEFAULT '',
    decision      TEXT CHECK (kind <> 'decision' OR (decision IS NOT NULL AND decision IN (__DECISIONS__))),
    note          TEXT NOT NULL DEFAULT '',
    reviewer      TEXT NOT NULL,
    time          TEXT NOT NULL,
    rule_version  TEXT,
    report_sha256 TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_finding ON events (finding_id, event_id);
-- Events are facts: the log refuses to change, forget or replace one.
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'review events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'review events are append-only'); END;
-- REPLACE deletes the row it conflicts with without firing the delete trigger: refuse it here.
CREATE TRIGGER IF NOT EXISTS events_no_replace BEFORE INSERT ON events
    WHEN NEW.event_id IS NOT NULL AND NEW.event_id <= (SELECT COALESCE(MAX(event_id), 0) FROM events)
    BEGIN SELECT RAISE(ABORT, 'review events are append-only: an event is never replaced'); END;
-- A new event follows the last one.
CREATE TRIGGER IF NOT EXISTS events_follow_chain BEFORE INSERT ON events
    WHEN NEW.prev_hash IS NOT COALESCE((SELECT hash FROM events ORDER BY event_id DESC LIMIT 1), '__GENESIS__')
    BEGIN SELECT RAISE(ABORT, 'review events are chained: prev_hash must be the last event''s hash'); END;
""".replace("__DECISIONS__", ", ".join(f"'{d}'" for d in DECISIONS)).replace("__GENESIS__", GENESIS)


class ReviewLog:
    """An append-only, hash-chained log of review decisions in one SQLite file (and its head file)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.head_path = head_path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION and _has_events_table(db):
                self._backup(db, version)  # before any change (a backup cannot run inside the transaction)
            db.execute("BEGIN IMMEDIATE")  # one kernel creates or upgrades the log; the others wait, then see it done
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise ReviewLogError(f"{self.path}: 审核记录由更新版本的 auditkit 写入 (review log from a newer auditkit)")
                fresh = not _has_events_table(db)
                if version < SCHEMA_VERSION and not fresh:
                    self._upgrade(db, version)
                _create(db)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                if fresh and not self.head_path.exists():
                    write_head(self.head_path, 0, None, GENESIS)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @classmethod
    def for_audit(cls, out_dir: str | Path) -> ReviewLog:
        """The log kept beside an audit's results."""
        return cls(Path(out_dir) / LOG_NAME)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a decision survives a crash once record() returns
        db.execute("PRAGMA busy_timeout=30000")
        db.row_factory = sqlite3.Row
        return db

    # -- writing -------------------------------------------------------------

    def record(self, finding_id: str, decision: str, note: str = "", reviewer: str | None = None,
               rule_version: str | None = None, report_sha256: str | None = None) -> dict[str, Any]:
        """Append one decision and return the stored event."""
        if decision not in DECISIONS:
            raise ReviewError(f"未知的审核结论 {decision!r} (decision must be one of {', '.join(DECISIONS)})")
        if not finding_id:
            raise ReviewError("finding_id 不能为空 (finding_id is required)")
        event = self._append({"kind": DECISION, "finding_id": finding_id, "decision": decision, "note": note or "",
                              "reviewer": reviewer or _default_reviewer(), "rule_version": rule_version,
                              "report_sha256": report_sha256})
        return {c: event[c] for c in EVENT_COLUMNS}

    def sign_off(self, finding_id: str, outcome: str, note: str = "", reviewer: str | None = None,
                 decision_event: int | None = None) -> dict[str, Any]:
        """The second level (复核): approve the finding's current decision (``approved``) or send it back
        (``returned``, with a note saying why). ``decision_event`` is the event_id of the decision the
        signer saw: when someone has decided again meanwhile, the sign-off is refused rather than
        applied to a decision the signer never read. Nobody signs off a decision of their own."""
        if outcome not in SIGNOFFS:
            raise ReviewError(f"未知的复核结论 {outcome!r} (sign-off must be one of {', '.join(SIGNOFFS)})")
        name = (reviewer or _default_reviewer()).strip()
        note = (note or "").strip()
        if outcome == RETURNED and not note:
            raise ReviewError("退回须写明理由 (sending a decision back needs a note)")

        def check(db: sqlite3.Connection) -> None:
            last = db.execute("SELECT event_id, reviewer FROM events WHERE kind = ? AND finding_id = ? "
                              "ORDER BY event_id DESC LIMIT 1", (DECISION, finding_id)).fetchone()
            if last is None:
                raise ReviewError("该问题尚无审核结论，无可复核 (no decision to sign off)")
            if decision_event is not None and last["event_id"] != decision_event:
                raise ReviewError("该问题的审核结论已被他人更新，请刷新后再复核 (the decision changed meanwhile)")
            if last["reviewer"].strip() == name:
                raise ReviewError("不能复核本人作出的结论，须由另一人复核 (nobody signs off their own decision)")

        event = self._append({"kind": SIGNOFF, "finding_id": finding_id, "decision": outcome, "note": note,
                              "reviewer": name}, check)
        return {c: event[c] for c in EVENT_COLUMNS}

    def _append(self, fields: dict[str, Any], check: Any = None) -> dict[str, Any]:
        """Append an event of any kind: number it, chain it, store it and move the head, in one transaction.
        ``check(db)``, when given, runs under the write lock first and may refuse the event by raising."""
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                if check is not None:
                    check(db)
                event = _appended(db, fields)
                count = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
                old_head = self.head_path.read_bytes() if self.head_path.exists() else None
                # The head moves while the write lock is held, so that two writers cannot leave it behind.
                write_head(self.head_path, count, event["event_id"], event["hash"])
                try:
                    db.execute("COMMIT")
                except BaseException:
                    _restore_head(self.head_path, old_head)
                    raise
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return event

    def _backup(self, db: sqlite3.Connection, version: int) -> Path:
        """A copy of a log about to be upgraded, beside it (``review.v1-backup.sqlite``), kept once."""
        backup = self.path.with_name(f"{self.path.stem}.v{version}-backup{self.path.suffix}")
        if not backup.exists():
            tmp = backup.with_name(f".{backup.name}.tmp")
            with closing(sqlite3.connect(tmp)) as copy:
                db.backup(copy)
            tmp.replace(backup)
        return backup

    def _upgrade(self, db: sqlite3.Connection, version: int) -> None:
        """Bring a log of an older schema to this one inside the open transaction, keeping every event
        (``_backup`` has copied the file first): the hashes of the existing events are computed in order, and
        the upgrade itself is recorded as an event of the chain."""
        old = [dict(r) for r in db.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY event_id")]
        db.execute("DROP TABLE events")  # its triggers go with it; the events are rewritten below
        _create(db)
        prev = GENESIS
        for row in old:
            event = {"kind": DECISION, **row, "prev_hash": prev}
            event["hash"] = prev = event_hash(event)
            db.execute(f"INSERT INTO events ({', '.join(ALL_COLUMNS)}) VALUES ({', '.join('?' * len(ALL_COLUMNS))})",
                       [event.get(c) for c in ALL_COLUMNS])
        note = (f"审核记录升级：结构版本 {version} → {SCHEMA_VERSION}，为已有 {len(old)} 条记录计算哈希链 "
                f"(schema {version} -> {SCHEMA_VERSION}: hash chain computed for {len(old)} existing events)")
        last = _appended(db, {"kind": MIGRATION, "note": note, "reviewer": _default_reviewer()})
        write_head(self.head_path, len(old) + 1, last["event_id"], last["hash"])

    # -- reading -------------------------------------------------------------

    def _rows(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        with closing(self._connect()) as db:
            return [dict(r) for r in db.execute(sql, params)]

    def events(self) -> list[dict[str, Any]]:
        """Every decision, oldest first."""
        return self._rows(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE kind = ? ORDER BY event_id", (DECISION,))

    def all_events(self) -> list[dict[str, Any]]:
        """Every event of every kind with its hashes, oldest first."""
        return self._rows(f"SELECT {', '.join(ALL_COLUMNS)} FROM events ORDER BY event_id")

    def history(self, finding_id: str) -> list[dict[str, Any]]:
        """A finding's decisions, oldest first."""
        return self._rows(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE kind = ? AND finding_id = ? "
                          "ORDER BY event_id", (DECISION, finding_id))

    def current_rows(self) -> list[dict[str, Any]]:
        """The latest decision of every finding that has one."""
        return self._rows(
            f"SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)} FROM events e "
            "JOIN (SELECT finding_id, MAX(event_id) AS last FROM events WHERE kind = ? GROUP BY finding_id) m "
            "ON e.event_id = m.last ORDER BY e.finding_id", (DECISION,))

    def current(self) -> pd.DataFrame:
        """One row per decided finding: its current decision (the latest event)."""
        import pandas as pd

        return pd.DataFrame(self.current_rows(), columns=list(EVENT_COLUMNS)).drop(columns="event_id")

    def signoffs(self) -> list[dict[str, Any]]:
        """Every sign-off (复核) event, oldest first."""
        return self._rows(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE kind = ? ORDER BY event_id", (SIGNOFF,))

    def trail(self, finding_id: str) -> list[dict[str, Any]]:
        """A finding's decisions and sign-offs in the order they were taken, each with its ``kind``."""
        return self._rows(f"SELECT kind, {', '.join(EVENT_COLUMNS)} FROM events WHERE kind IN (?, ?) "
                          "AND finding_id = ? ORDER BY event_id", (DECISION, SIGNOFF, finding_id))

    def signoff_rows(self) -> dict[str, dict[str, Any]]:
        """finding_id -> where its current decision stands at the second level: ``state`` (``awaiting``,
        ``approved``, ``returned``), the decision's ``event_id`` and, once signed, who signed (``signer``),
        when (``signed_time``) and their note (``signoff_note``). A finding without a decision is absent."""
        state: dict[str, dict[str, Any]] = {}
        for e in self._rows("SELECT event_id, kind, finding_id, decision, note, reviewer, time FROM events "
                            "WHERE kind IN (?, ?) ORDER BY event_id", (DECISION, SIGNOFF)):
            fid = e["finding_id"]
            if e["kind"] == DECISION:
                state[fid] = {"state": AWAITING_SIGNOFF, "event_id": e["event_id"], "signer": "", "signed_time": "",
                              "signoff_note": ""}
            elif fid in state:
                state[fid] |= {"state": e["decision"], "signer": e["reviewer"], "signed_time": e["time"],
                               "signoff_note": e["note"]}
        return state

    def signoff_state(self, finding_id: str) -> str:
        """``undecided``, ``awaiting``, ``approved`` or ``returned`` (the vocabulary's SIGNOFF_STATES)."""
        row = self.signoff_rows().get(finding_id)
        return row["state"] if row else UNDECIDED

    def open_items(self, finding_ids: list[str] | None = None) -> dict[str, list[str]]:
        """What is still open, by who must act: ``undecided`` (no decision yet; only among ``finding_ids``,
        the findings of the audit, when given), ``awaiting`` (a decision waits for its sign-off) and
        ``returned`` (sent back: the preparer decides again)."""
        states = self.signoff_rows()
        out: dict[str, list[str]] = {UNDECIDED: [], AWAITING_SIGNOFF: [], RETURNED: []}
        if finding_ids is not None:
            out[UNDECIDED] = [f for f in finding_ids if f not in states]
        for fid, row in sorted(states.items()):
            if row["state"] in out:
                out[row["state"]].append(fid)
        return out

    def decision_of(self, finding_id: str) -> dict[str, Any] | None:
        events = self.history(finding_id)
        return events[-1] if events else None

    def verify(self) -> ChainCheck:
        """Check the chain of every event and the head; ``.ok``, else the first bad event and what is wrong."""
        with closing(self._connect()) as db:
            try:  # the write lock: no event is half recorded (stored but its head not yet moved) meanwhile
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # a read-only copy: nobody writes to it anyway
                db.execute("BEGIN")
            try:
                events = [dict(r) for r in db.execute(f"SELECT {', '.join(ALL_COLUMNS)} FROM events ORDER BY event_id")]
                head = read_head(self.head_path)
            finally:
                db.execute("ROLLBACK")
        return check_chain(self.path, events, head)

    def export_csv(self, path: str | Path, history: bool = False) -> Path:
        """Current decisions (or every decision) as CSV for Excel (UTF-8 with BOM, no live formulas).
        Warns (``ReviewLogWarning``) when the log's chain is broken."""
        from auditkit.csvfile import write_rows

        warn_if_broken(self)
        rows = self.events() if history else self.current_rows()
        return write_rows(path, [*EVENT_COLUMNS, "decision_label"],
                          ([*(row[c] for c in EVENT_COLUMNS), DECISION_LABELS[row["decision"]]] for row in rows))


def check_log(location: str | Path) -> ChainCheck | None:
    """Verify the review log of an audit folder (or the log file given); None when there is no log at
    all. A log that is gone while its head remains is a broken chain, not an absent log."""
    path = Path(location)
    if path.is_dir():
        path = path / LOG_NAME
    if path.is_file():
        return ReviewLog(path).verify()
    head = read_head(head_path(path))
    if head is None:
        return None
    return check_chain(path, [], head)


class ReviewLogWarning(UserWarning):
    """The review log's chain is broken: decisions read from it may have been forged."""


def warn_if_broken(log: ReviewLog) -> ChainCheck:
    """Verify ``log`` and warn (``ReviewLogWarning``) when its chain does not hold."""
    import warnings

    check = log.verify()
    if not check.ok:
        warnings.warn(check.line(), ReviewLogWarning, stacklevel=3)
    return check


def _create(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)


def _has_events_table(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone() is not None


def _appended(db: sqlite3.Connection, fields: dict[str, Any]) -> dict[str, Any]:
    """Insert the next event after the last one (inside the caller's transaction) and return it whole."""
    if fields.get("kind", DECISION) not in EVENT_KINDS:
        raise ReviewError(f"未知的事件类型 {fields.get('kind')!r} (event kind must be one of {', '.join(EVENT_KINDS)})")
    last = db.execute("SELECT event_id, hash FROM events ORDER BY event_id DESC LIMIT 1").fetchone()
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    event_id = max(last["event_id"] if last else 0, seq[0] if seq else 0) + 1
    event = {c: None for c in ALL_COLUMNS} | {"kind": DECISION, "finding_id": "", "note": ""} | fields
    event |= {"event_id": event_id, "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
              "prev_hash": last["hash"] if last else GENESIS}
    event["hash"] = event_hash(event)
    db.execute(f"INSERT INTO events ({', '.join(ALL_COLUMNS)}) VALUES ({', '.join('?' * len(ALL_COLUMNS))})",
               [event[c] for c in ALL_COLUMNS])
    return event


def _restore_head(path: Path, old: bytes | None) -> None:
    if old is None:
        path.unlink(missing_ok=True)
    else:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(old)
        tmp.replace(path)


def _default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"
