"""The phrasing bank (``tests/data/narrative_bank.json``): sentences as real reports write them,
right and wrong, each with the tables it is checked against, audited as one batch.

Each sentence becomes one report (its own agency, year 2023 unless the entry says otherwise)
whose 一、总体情况 is the sentence and whose tables are the entry's table with its cell changes
(``null``: a blank cell). An entry with a ``prior`` table also gets last year's report of the same
agency in the batch. ``expect`` says what the audit must do: ``finding`` (by ``rule``), ``pass``
(no finding of the narrative rules) or ``skipped`` (no finding, and the check listed as skipped).

Used by ``tests/test_narrative_bank.py`` and ``bench/narrative_bench.py``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditkit.formats import format_spec
from auditkit.record import Diagnostic, Report

BANK = Path(__file__).resolve().parent / "data" / "narrative_bank.json"


@dataclass
class Entry:
    id: str
    kind: str
    text: str
    expect: str  # finding | pass | skipped
    table: str
    rule: str | None = None
    cells: dict[str, Any] = field(default_factory=dict)
    prior: str | None = None
    year: int = 2023
    source: str = ""  # the sample whose text the phrasing comes from
    note: str = ""

    @property
    def wrong(self) -> bool:
        return self.expect == "finding"


def load_bank(path: Path = BANK) -> tuple[dict[str, dict[str, Any]], list[Entry]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["tables"], [Entry(**e) for e in data["sentences"]]


def table_cells(spec: dict[str, Any]) -> dict[str, Any]:
    """Every cell of the table's format: the rows the spec gives, 0 elsewhere."""
    fmt = format_spec(spec["format"])
    cells: dict[str, Any] = dict.fromkeys(fmt.keys, 0)
    for table in ("requests", "appeals", "active"):
        for row, values in spec.get(table, {}).items():
            columns = [c.key for c in fmt.tables[table].row(row).columns]
            assert len(columns) == len(values), (row, values)
            cells.update({f"{table}.{row}.{c}": v for c, v in zip(columns, values, strict=True)})
    return cells


def _report(entry: Entry, n: int, spec: dict[str, Any], year: int, text: str, changes: dict[str, Any]) -> Report:
    cells = table_cells(spec)
    unknown = set(changes) - set(cells)
    assert not unknown, (entry.id, unknown)
    cells.update(changes)
    blanks = [Diagnostic("blank_cell", "单元格空白", key=k, found="") for k, v in changes.items() if v is None]
    name = f"{entry.id}-{year}"
    return Report(source=f"bank/{name}.txt", sha256=hashlib.sha256(name.encode()).hexdigest(), kind="txt",
                  format=spec["format"], agency=f"文字核对样本机关{n:03d}", year=year, published=f"{year + 1}-01-15",
                  cells=cells, sections={"overview": text, "problems": "一是公开内容仍需深化。二是解读形式较单一。"},
                  diagnostics=blanks)


def bank_reports(tables: dict[str, dict[str, Any]], entries: list[Entry]) -> tuple[list[Report], dict[str, Entry]]:
    """The batch: one report per entry (and last year's where the entry has one); source -> entry."""
    reports, by_source = [], {}
    for n, e in enumerate(entries):
        r = _report(e, n, tables[e.table], e.year, e.text, e.cells)
        reports.append(r)
        by_source[r.source] = e
        if e.prior:
            reports.append(_report(e, n, tables[e.prior], e.year - 1, "", {}))
    return reports, by_source


@dataclass
class Outcome:
    entry: Entry
    rules: list[str]  # narrative rules that found something on the entry's report
    skipped: list[str]  # narrative rules that skipped a check there, with the reason
    evidence: list[str]

    @property
    def alarmed(self) -> bool:
        return bool(self.rules)

    @property
    def hit(self) -> bool:
        """A wrong sentence found by the rule meant for it."""
        return self.entry.wrong and self.entry.rule in self.rules

    @property
    def as_expected(self) -> bool:
        e = self.entry
        if e.expect == "finding":
            return self.hit
        if e.expect == "skipped":
            return not self.alarmed and bool(self.skipped)
        return not self.alarmed


def run_bank(path: Path = BANK) -> list[Outcome]:
    """Audit the bank as one batch; one outcome per entry."""
    from auditkit.audit import audit_reports

    tables, entries = load_bank(path)
    reports, by_source = bank_reports(tables, entries)
    result = audit_reports(reports)
    f = result.findings
    f = f[(f.category == "narrative") & (f.status == "failed")]
    sk = result.skipped
    sk = sk[sk.rule_id.str.startswith("narrative.")]
    out = []
    for source, e in by_source.items():
        mine = f[f.source == source]
        skipped = [f"{r.rule_id}: {r.reason}" for r in sk[sk.source == source].itertuples()]
        out.append(Outcome(e, list(mine.rule_id), skipped, list(mine.evidence)))
    return out


def score(outcomes: list[Outcome]) -> dict[str, Any]:
    """Precision and recall of the findings on the bank (a finding on a right sentence is a false alarm)."""
    tp = sum(o.hit for o in outcomes)
    fp = sum(o.alarmed and not o.entry.wrong for o in outcomes)
    fn = sum(o.entry.wrong and not o.hit for o in outcomes)
    right = sum(not o.entry.wrong for o in outcomes)
    return {"sentences": len(outcomes), "wrong": tp + fn, "right": right, "found": tp, "missed": fn,
            "false_alarms": fp, "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0, "false_alarm_rate": fp / right if right else 0.0}
