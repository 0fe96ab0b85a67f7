"""An audit folder read back for rendering: records, unreadable files, findings with their decisions.

``run_audit`` writes ``records.jsonl`` (one record per report read, and one line
with an ``error`` key per file that could not be read), ``findings.jsonl`` and
``checks.csv``; the review widget keeps decisions in ``review.sqlite`` beside
them. Both renderers (HTML and Excel) and the reviewer start from ``load_audit``
so that they show the same findings and numbers.
"""

from __future__ import annotations

import json
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.errors import NotAnAuditFolder, ReadReason
from auditkit.precompiled import dataclass
from auditkit.vocabulary import DECISIONS, SEVERITIES, UNDECIDED

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.review.chain import ChainCheck

DECISION_COLUMNS = ("decision", "note", "reviewer", "time")
# Columns a findings table may carry beyond FINDING_COLUMNS (shown when present, never required): which list
# a finding belongs to (``problem``: the agency's; ``reading``: a reading to check by hand), other rules merged
# into it, other files that are copies of the report, and the place and cells in Chinese.
EXTRA_FINDING_COLUMNS = ("queue", "also_rules", "copies", "place_text", "cells_text")
READING_QUEUE = "reading"
# Finding column -> field of ReviewLog.signoff_rows(): the sign-off state (``undecided`` without a decision).
SIGNOFF_COLUMNS = {"signoff": "state", "signer": "signer", "signed_time": "signed_time", "signoff_note": "signoff_note"}


@dataclass
class AuditData:
    """Everything a rendered result shows, read from one audit folder."""

    out_dir: Path
    reports: list[dict[str, Any]]  # canonical records (records.jsonl lines without "error")
    failures: list[dict[str, Any]]  # files that could not be read: source, error, message
    findings: pd.DataFrame  # FINDING_COLUMNS + decision, note, reviewer, time ("" when undecided) + SIGNOFF_COLUMNS
    rules: pd.DataFrame  # the rule catalogue
    checks: pd.DataFrame | None = None  # per rule: evaluated, passed, failed, ... (None if absent)
    summary: str = ""
    orphan_decisions: int = 0  # decisions whose finding no longer occurs in this audit
    log_check: ChainCheck | None = None  # the review log's chain, verified (None: no log yet)
    rule_folders: list[dict[str, Any]] = field(default_factory=list)  # path, origin, label, rules (rules.json)
    readings: int | None = None  # readings to check by hand, set aside from ``findings`` (None: not set aside)

    @property
    def log_warning(self) -> str:
        """What is wrong with the review log, naming its first bad event; "" when it holds (or there is none)."""
        return self.log_check.line() if self.log_check is not None and not self.log_check.ok else ""

    @property
    def unreadable(self) -> int:
        """Files that could not be read (a byte-identical copy of a file read is listed, but was read as that file)."""
        return sum(f.get("error") != ReadReason.DUPLICATE for f in self.failures)

    @property
    def reviewed(self) -> int:
        return int((self.findings["decision"] != "").sum())

    @property
    def signed_off(self) -> int:
        """Findings whose current decision a second person approved (复核通过)."""
        return int((self.findings["signoff"] == "approved").sum())


def load_audit(out_dir: str | Path) -> AuditData:
    """Read an audit folder written by ``run_audit`` (and its review log, if any)."""
    import pandas as pd

    from auditkit.csvfile import read_frame
    from auditkit.findings import read_jsonl
    from auditkit.review.log import LOG_NAME, ReviewLog, check_log
    from auditkit.rules.suites import catalogue

    out_dir = Path(out_dir)
    findings_file = out_dir / "findings.jsonl"
    if not findings_file.is_file():
        raise NotAnAuditFolder(f"{out_dir}: 不是审核结果文件夹，缺少 findings.jsonl (not an audit folder)")
    reports: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    records_file = out_dir / "records.jsonl"
    if records_file.is_file():
        with records_file.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    (failures if "error" in rec else reports).append(rec)
    findings = read_jsonl(findings_file)
    findings = _with_extra_columns(findings, findings_file)

    # A missing log means nothing was decided yet; opening ReviewLog would create one, so don't.
    log_file = out_dir / LOG_NAME
    log_check = check_log(out_dir)
    decisions = ReviewLog(log_file).current() if log_file.is_file() else pd.DataFrame(columns=["finding_id",
                                                                                              *DECISION_COLUMNS])
    decisions = decisions[["finding_id", *DECISION_COLUMNS]].astype(object)
    findings = findings.merge(decisions, on="finding_id", how="left")
    for col in DECISION_COLUMNS:
        findings[col] = findings[col].where(findings[col].notna(), "").astype(str)
    orphans = len(set(decisions["finding_id"]) - set(findings["finding_id"]))
    # The second level (复核): where each finding's current decision stands, and who signed it.
    signed = ReviewLog(log_file).signoff_rows() if log_file.is_file() else {}
    for col, field_name in SIGNOFF_COLUMNS.items():
        default = "" if col != "signoff" else UNDECIDED
        findings[col] = [str((signed.get(f) or {}).get(field_name) or default) for f in findings["finding_id"]]

    checks_file = out_dir / "checks.csv"
    checks = read_frame(checks_file) if checks_file.is_file() else None
    summary_file = out_dir / "summary.txt"
    summary = summary_file.read_text(encoding="utf-8").strip() if summary_file.is_file() else ""
    # The rules as the audit used them (user rules included); an older folder has none: today's rules.
    rules_file = out_dir / "rules.json"
    used = json.loads(rules_file.read_text(encoding="utf-8")) if rules_file.is_file() else None
    rules = pd.DataFrame(used["rules"]) if used else catalogue()
    return AuditData(out_dir, reports, failures, findings, rules, checks, summary, orphans,
                     rule_folders=used["folders"] if used else [], log_check=log_check)


def _with_extra_columns(findings: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The EXTRA_FINDING_COLUMNS a findings file carries that the frame read from it lacks, joined by finding_id."""
    missing = [c for c in EXTRA_FINDING_COLUMNS if c not in findings.columns]
    if not missing:
        return findings
    extra: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if any(c in row for c in missing):
                    extra[row["finding_id"]] = row
    for column in missing:
        if any(column in row for row in extra.values()):
            findings[column] = [(extra.get(f) or {}).get(column) for f in findings["finding_id"]]
    return findings


def split_queue(findings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the agency's problems, the readings to check by hand): the ``reading`` queue is kept apart from the
    review queue and the problem counts. Without a ``queue`` column every finding is a problem."""
    if "queue" not in findings.columns:
        return findings, findings.iloc[0:0]
    reading = findings["queue"] == READING_QUEUE
    return findings[~reading].reset_index(drop=True), findings[reading].reset_index(drop=True)


def listed(value: object) -> list[str]:
    """A list-valued column (``also_rules``, ``copies``) as a list of strings; none, NaN or "" as []."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("；", ";").split(";") if v.strip()]
    try:
        return [str(v) for v in value if str(v)]
    except TypeError:
        return [str(value)]


def breakdown(findings: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counts per value of ``column``: failed, unverified, all findings, and how many are reviewed."""
    import pandas as pd

    if not len(findings):
        return pd.DataFrame(columns=["failed", "unverified", "total", "reviewed"], dtype=int)
    f = findings.assign(_failed=findings["status"] == "failed", _unverified=findings["status"] == "unverified",
                        _reviewed=findings["decision"] != "")
    out = f.groupby(column, sort=False).agg(failed=("_failed", "sum"), unverified=("_unverified", "sum"),
                                           total=("finding_id", "size"), reviewed=("_reviewed", "sum"))
    return out.astype(int)


def severity_breakdown(findings: pd.DataFrame) -> pd.DataFrame:
    """``breakdown`` by severity with every severity present, most severe first."""
    return breakdown(findings, "severity").reindex(list(SEVERITIES), fill_value=0)


def decision_counts(data: AuditData) -> dict[str, int]:
    """Findings per current decision, undecided ones under ``""``."""
    counts = data.findings["decision"].value_counts()
    return {d: int(counts.get(d, 0)) for d in [*DECISIONS, ""]}


def report_key(source: Any, sha256: Any) -> tuple[str, str]:
    """How findings are matched to the report they are about."""
    return (str(source), str(sha256 or ""))
