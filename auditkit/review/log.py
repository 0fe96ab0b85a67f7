"""The review log: every decision an auditor takes, kept as an append-only event.

A decision is never updated in place: confirming, dismissing or marking a
finding for follow-up appends an event (finding_id, decision, note, reviewer,
time, rule version, report sha256). The current decision of a finding is its
latest event. Findings are keyed by their stable ``finding_id``, so decisions
re-attach to the same findings when the audit runs again, and a finding that no
longer occurs keeps its history.

SQLite in WAL mode with a busy timeout lets two reviewers in two kernels write
at the same time without losing an event; each write is its own transaction
and is on disk when ``record`` returns.
"""

from __future__ import annotations

import csv
import getpass
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import ReviewError, ReviewLogError
from auditkit.vocabulary import DECISION_LABELS, DECISIONS

if TYPE_CHECKING:
    import pandas as pd

LOG_NAME = "review.sqlite"
SCHEMA_VERSION = 1
EVENT_COLUMNS = ("event_id", "finding_id", "decision", "note", "reviewer", "time", "rule_version", "report_sha256")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id    TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN (__DECISIONS__)),
    note          TEXT NOT NULL DEFAULT '',
    reviewer      TEXT NOT NULL,
    time          TEXT NOT NULL,
    rule_version  TEXT,
    report_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS events_by_finding ON events (finding_id, event_id);
-- Events are facts: the log refuses to change or forget one.
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'review events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'review events are append-only'); END;
""".replace("__DECISIONS__", ", ".join(f"'{d}'" for d in DECISIONS))


class ReviewLog:
    """An append-only log of review decisions in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(_SCHEMA)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ReviewLogError(f"{self.path}: 审阅记录由更新版本的 auditkit 写入 (review log from a newer auditkit)")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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

    def record(self, finding_id: str, decision: str, note: str = "", reviewer: str | None = None,
               rule_version: str | None = None, report_sha256: str | None = None) -> dict[str, Any]:
        """Append one decision and return the stored event."""
        if decision not in DECISIONS:
            raise ReviewError(f"未知的审阅结论 {decision!r} (decision must be one of {', '.join(DECISIONS)})")
        if not finding_id:
            raise ReviewError("finding_id 不能为空 (finding_id is required)")
        event = {
            "finding_id": finding_id, "decision": decision, "note": note or "",
            "reviewer": reviewer or _default_reviewer(),
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "rule_version": rule_version, "report_sha256": report_sha256,
        }
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                cur = db.execute(
                    "INSERT INTO events (finding_id, decision, note, reviewer, time, rule_version, report_sha256) "
                    "VALUES (:finding_id, :decision, :note, :reviewer, :time, :rule_version, :report_sha256)", event)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return {"event_id": cur.lastrowid, **event}

    def events(self) -> list[dict[str, Any]]:
        """Every event, oldest first."""
        with closing(self._connect()) as db:
            return [dict(r) for r in db.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY event_id")]

    def history(self, finding_id: str) -> list[dict[str, Any]]:
        """A finding's events, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE finding_id = ? ORDER BY event_id",
                              (finding_id,))
            return [dict(r) for r in rows]

    def current_rows(self) -> list[dict[str, Any]]:
        """The latest event of every finding that has one."""
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)} FROM events e "
                "JOIN (SELECT finding_id, MAX(event_id) AS last FROM events GROUP BY finding_id) m "
                "ON e.event_id = m.last ORDER BY e.finding_id")
            return [dict(r) for r in rows]

    def current(self) -> pd.DataFrame:
        """One row per decided finding: its current decision (the latest event)."""
        import pandas as pd

        return pd.DataFrame(self.current_rows(), columns=list(EVENT_COLUMNS)).drop(columns="event_id")

    def decision_of(self, finding_id: str) -> dict[str, Any] | None:
        events = self.history(finding_id)
        return events[-1] if events else None

    def export_csv(self, path: str | Path, history: bool = False) -> Path:
        """Current decisions (or every event) as CSV for Excel (UTF-8 with BOM)."""
        path = Path(path)
        rows = self.events() if history else self.current_rows()
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*EVENT_COLUMNS, "decision_label"])
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "decision_label": DECISION_LABELS[row["decision"]]})
        return path


def _default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"
