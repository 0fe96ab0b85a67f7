"""The report store: every record an audit read, kept in SQLite for next year's audit.

Next year's carry-over and repetition checks need this year's reports; the store
keeps their records (not their files), keyed by content (sha256) so re-auditing
a file never duplicates it, and indexed by agency and year.

Agency names drift between years (平潭综合实验区管委会 / 平潭综合实验区管委会办公室 /
平潭综合实验区). Names are compared in a normalised form (``agency_key``, made by
``auditkit.agency.normalise_agency``), and an alias table in the same database,
which the auditor edits (``add_alias``), maps further variants onto one agency.

The database runs in WAL mode with ``synchronous=FULL``; every write is one
``BEGIN IMMEDIATE`` transaction, so a crash leaves either the old or the new
state, never half a batch.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditkit.agency import Prior, normalise_agency
from auditkit.errors import StoreError
from auditkit.precompiled import dataclass
from auditkit.record import Report

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    sha256      TEXT PRIMARY KEY,
    agency      TEXT,
    agency_key  TEXT,
    year        INTEGER,
    format      TEXT,
    source      TEXT NOT NULL,
    n_cells     INTEGER NOT NULL,      -- cells with a value: the most complete copy wins a lookup
    record      TEXT NOT NULL,         -- Report.to_record() as JSON
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency_key, year);
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE TABLE IF NOT EXISTS aliases (
    alias_key     TEXT PRIMARY KEY,    -- normalised variant
    alias         TEXT NOT NULL,       -- the variant as the auditor typed it
    canonical_key TEXT NOT NULL,
    canonical     TEXT NOT NULL,
    note          TEXT,
    added_at      TEXT NOT NULL
);
"""

def default_store_path() -> Path:
    """``$AUDITKIT_STORE``, else the per-user data directory (as platformdirs would choose)."""
    env = os.environ.get("AUDITKIT_STORE")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "auditkit" / "store.sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredReport:
    """A record from the store, with where it came from."""

    report: Report
    sha256: str
    source: str
    year: int | None
    agency: str | None
    first_seen: str
    last_seen: str


class ReportStore:
    """A SQLite database of report records and agency aliases.

    Use as a context manager, or call ``close()``::

        with ReportStore(path) as store:
            store.put(reports)
            store.add_alias("平潭综合实验区管委会办公室", "平潭综合实验区")
            prior = store.find("平潭综合实验区", 2022)
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly, and only for writes.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=30000")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema {version} is newer than this auditkit ({SCHEMA_VERSION})")
        with self._transaction():
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._alias_cache: dict[str, str] | None = None

    # -- plumbing -------------------------------------------------------------

    @contextmanager
    def _transaction(self):
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ReportStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reports --------------------------------------------------------------

    def put(self, reports: Iterable[Report]) -> tuple[int, int]:
        """Store records in one transaction; returns (new, already stored).

        A file already stored (same sha256) is not duplicated: its record is
        replaced by the new reading, and ``last_seen`` moves on.
        """
        now = _now()
        new = seen = 0
        with self._transaction() as db:
            for r in reports:
                key = r.sha256 or _content_key(r)
                rec = json.dumps(r.to_record(), ensure_ascii=False)
                n_cells = sum(v is not None for v in r.cells.values())
                cur = db.execute(
                    "UPDATE reports SET agency=?, agency_key=?, year=?, format=?, source=?, n_cells=?, record=?, "
                    "last_seen=? WHERE sha256=?",
                    (r.agency, normalise_agency(r.agency), r.year, r.format, r.source, n_cells, rec, now, key))
                if cur.rowcount:
                    seen += 1
                    continue
                db.execute("INSERT INTO reports (sha256, agency, agency_key, year, format, source, n_cells, record, "
                           "first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (key, r.agency, normalise_agency(r.agency), r.year, r.format, r.source, n_cells, rec,
                            now, now))
                new += 1
        return new, seen

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM reports").fetchone()[0])

    def get(self, sha256: str) -> StoredReport | None:
        row = self._db.execute("SELECT record, sha256, source, year, agency, first_seen, last_seen FROM reports "
                               "WHERE sha256=?", (sha256,)).fetchone()
        return _stored(row) if row else None

    def find(self, agency: str | None, year: int) -> StoredReport | None:
        """The stored record of this agency (or an alias of it) for this year; the most complete copy."""
        key = self.canonical(agency)
        return self.find_many([(agency, year)]).get((key, year)) if key else None

    def find_many(self, wanted: Sequence[tuple[str | None, int]]) -> dict[tuple[str, int], StoredReport]:
        """For many (agency, year) pairs at once: {(canonical agency key, year): record}."""
        by_year: dict[int, set[str]] = {}
        for agency, year in wanted:
            key = self.canonical(agency)
            if key and year is not None:
                by_year.setdefault(int(year), set()).add(key)
        # Every normalised name that resolves to a wanted agency, through the alias table.
        names: dict[str, set[str]] = {}
        for alias in self._aliases():
            names.setdefault(self.canonical_key(alias), set()).add(alias)
        out: dict[tuple[str, int], StoredReport] = {}
        for year, keys in by_year.items():
            variants = sorted({v for k in keys for v in names.get(k, set()) | {k}})
            for start in range(0, len(variants), 500):
                chunk = variants[start:start + 500]
                rows = self._db.execute(
                    f"SELECT record, sha256, source, year, agency, first_seen, last_seen, agency_key FROM reports "
                    f"WHERE year=? AND agency_key IN ({','.join('?' * len(chunk))}) "
                    f"ORDER BY n_cells DESC, last_seen DESC, sha256", (year, *chunk)).fetchall()
                for row in rows:
                    canon = self.canonical_key(row[-1])
                    if (canon, year) not in out:
                        out[(canon, year)] = _stored(row[:-1])
        return out

    # -- aliases --------------------------------------------------------------

    def _aliases(self) -> dict[str, str]:
        if self._alias_cache is None:
            self._alias_cache = dict(self._db.execute("SELECT alias_key, canonical_key FROM aliases").fetchall())
        return self._alias_cache

    def canonical_key(self, key: str) -> str:
        """Follow the alias table from a normalised name to the agency it stands for."""
        aliases, seen = self._aliases(), set()
        while key in aliases and key not in seen:
            seen.add(key)
            key = aliases[key]
        return key

    def canonical(self, agency: str | None) -> str:
        return self.canonical_key(normalise_agency(agency)) if agency else ""

    def add_alias(self, alias: str, canonical: str, note: str | None = None) -> None:
        """Record that ``alias`` names the same agency as ``canonical`` (for every year)."""
        a, c = normalise_agency(alias), normalise_agency(canonical)
        if not a or not c:
            raise StoreError("alias and canonical name must both be non-empty")
        if a == c:
            return  # the normalised names already match
        if self.canonical_key(c) == a:
            raise StoreError(f"「{canonical}」is already an alias of「{alias}」; adding the reverse would loop")
        with self._transaction() as db:
            db.execute("INSERT INTO aliases (alias_key, alias, canonical_key, canonical, note, added_at) "
                       "VALUES (?,?,?,?,?,?) ON CONFLICT(alias_key) DO UPDATE SET alias=excluded.alias, "
                       "canonical_key=excluded.canonical_key, canonical=excluded.canonical, note=excluded.note, "
                       "added_at=excluded.added_at", (a, alias, c, canonical, note, _now()))
        self._alias_cache = None

    def remove_alias(self, alias: str) -> bool:
        with self._transaction() as db:
            cur = db.execute("DELETE FROM aliases WHERE alias_key=?", (normalise_agency(alias),))
        self._alias_cache = None
        return cur.rowcount > 0

    def aliases(self) -> list[dict[str, Any]]:
        cur = self._db.execute("SELECT alias, canonical, note, added_at FROM aliases ORDER BY canonical, alias")
        return [dict(zip(("alias", "canonical", "note", "added_at"), row, strict=True)) for row in cur]


def _stored(row: tuple) -> StoredReport:
    record, sha, source, year, agency, first, last = row
    return StoredReport(Report.from_record(json.loads(record)), sha, source, year, agency, first, last)


def _content_key(r: Report) -> str:
    """A key for a record without sha256 (built by hand): the hash of its canonical JSON."""
    import hashlib

    rec = r.to_record()
    rec.pop("source", None)
    return "record:" + hashlib.sha256(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def add_alias(alias: str, canonical: str, store: str | Path | None = None, note: str | None = None) -> None:
    """Add an agency alias to the store at ``store`` (default location when None); for the CLI."""
    with ReportStore(store) as s:
        s.add_alias(alias, canonical, note)


# ---------------------------------------------------------------------------
# Previous-year records for a batch


def resolve_priors(reports: Sequence[Report], store: ReportStore | None = None) -> list[Prior | None]:
    """For every report, the same agency's record of the year before: from the batch, else the store.

    Returns a list of ``Prior`` (or None), aligned with ``reports``.
    Within the batch the most complete copy is used (several files may hold one report).
    """
    def canon(name: str | None) -> str:
        return store.canonical(name) if store is not None else normalise_agency(name)

    keys = [canon(r.agency) for r in reports]
    copies: dict[tuple[str, int], list[Report]] = {}
    for key, r in zip(keys, reports, strict=True):
        if key and r.year is not None:
            copies.setdefault((key, r.year), []).append(r)
    in_batch = {k: rs[0] if len(rs) == 1 else
                min(rs, key=lambda r: (-sum(v is not None for v in r.cells.values()), r.source))
                for k, rs in copies.items()}
    wanted = [(r.agency, r.year - 1) for key, r in zip(keys, reports, strict=True)
              if key and r.year is not None and (key, r.year - 1) not in in_batch]
    stored = store.find_many(wanted) if store is not None and wanted else {}
    out: list[Prior | None] = []
    for key, r in zip(keys, reports, strict=True):
        if not key or r.year is None:
            out.append(None)
        elif (key, r.year - 1) in in_batch:
            out.append(Prior(in_batch[(key, r.year - 1)], "batch"))
        elif (key, r.year - 1) in stored:
            out.append(Prior(stored[(key, r.year - 1)].report, "store"))
        else:
            out.append(None)
    return out
