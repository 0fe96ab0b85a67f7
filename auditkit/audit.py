"""The audit run: read -> frames -> validate -> findings -> report store.

``run_audit`` is what ``auditkit audit`` calls; ``audit_reports`` does the same
for records already in memory (tests, notebooks, benchmarks) without reading
documents or writing files; ``rule_catalogue`` is ``auditkit rules``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.record import Report

SAMPLES_DIR = Path(__file__).parent / "data" / "samples"
EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, EXIT_FINDINGS = 0, 1, 2, 3


@dataclass
class AuditResult:
    """What an audit found, with the counts and a Chinese summary for the auditor."""

    findings: pd.DataFrame
    failures: list[Any]  # documents that could not be read: .source, .reason, .message
    counts: dict[str, Any]
    summary: str
    checks: pd.DataFrame  # per rule: evaluated, passed, failed, unverified, skipped
    skipped: pd.DataFrame  # per (report, rule): checks skipped for want of a value, where, the null cells, why
    reports: list[Report] = field(default_factory=list)
    out: Path | None = None

    def failed(self, severity: str = "critical") -> pd.DataFrame:
        """Failed findings of this severity or worse."""
        from auditkit.findings import SEVERITY_ORDER

        f = self.findings
        return f[(f["status"] == "failed") & (f["severity"].map(SEVERITY_ORDER) <= SEVERITY_ORDER[severity])]

    def exit_code(self, fail_on: str | None = None) -> int:
        """0 ran; 1 some input unreadable; 3 a failed finding at ``fail_on`` severity or worse."""
        if fail_on and len(self.failed(fail_on)):
            return EXIT_FINDINGS
        return EXIT_UNREADABLE if self.failures else EXIT_OK


def audit_reports(reports: Sequence[Report], store: Any = None, failures: Sequence[Any] = (),
                  remember: bool = False) -> AuditResult:
    """Validate records already read. ``store`` (a path or ``ReportStore``) supplies last year's
    records for carry-over; with ``remember`` the records are added to it afterwards."""
    from auditkit.frames import build_frames
    from auditkit.rules.outcomes import interpret
    from auditkit.rules.validate import validate
    from auditkit.store import ReportStore, resolve_priors

    reports = list(reports)
    own = store is not None and not isinstance(store, ReportStore)
    db = ReportStore(store) if own else store
    try:
        priors = resolve_priors(reports, db)
        frames = build_frames(reports, priors)
        result = interpret(frames, validate(frames))
        if remember and db is not None and reports:
            db.put(reports)
    finally:
        if own:
            db.close()
    counts = _counts(reports, list(failures), result, priors)
    return AuditResult(result.findings, list(failures), counts, summary_text(counts), result.checks,
                       result.skipped, reports)


def run_audit(paths: Sequence[str | Path] | None, out: Path, store: Path | None = None,
              jobs: int | None = None, client: Any = None) -> AuditResult:
    """Read the documents (files or folders; the bundled samples when none), audit them as one
    batch, write ``out``/records.jsonl, findings.jsonl, findings.csv, checks.csv, skipped.csv,
    summary.txt, audit.html and findings.xlsx, and keep the records in the report store (``store``, else $AUDITKIT_STORE, else
    the per-user default). ``client``: read on a Dask cluster (a ``distributed.Client`` or its address;
    see ``read_reports``); validation and the store stay here."""
    from auditkit.batch import read_reports
    from auditkit.findings import write_csv, write_jsonl
    from auditkit.store import ReportStore

    paths = list(paths) if paths else [SAMPLES_DIR]
    batch = read_reports(paths, jobs=jobs, client=client)
    with ReportStore(store) as db:
        result = audit_reports(batch.reports, db, batch.failures, remember=True)
        result.counts["store"] = str(db.path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "records.jsonl").open("w", encoding="utf-8") as fh:
        for r in batch.reports:
            fh.write(json.dumps(r.to_record(), ensure_ascii=False) + "\n")
        for f in batch.failures:
            fh.write(json.dumps(f.to_record() if hasattr(f, "to_record") else
                                {"source": f.source, "error": f.reason, "message": f.message},
                                ensure_ascii=False) + "\n")
    write_jsonl(result.findings, out / "findings.jsonl")
    write_csv(result.findings, out / "findings.csv")
    result.checks.to_csv(out / "checks.csv", index=False, encoding="utf-8-sig")
    skipped = result.skipped.copy()
    skipped["keys"] = skipped["keys"].map(lambda ks: "; ".join(ks))
    skipped.to_csv(out / "skipped.csv", index=False, encoding="utf-8-sig")
    (out / "summary.txt").write_text(result.summary + "\n", encoding="utf-8")
    # The shared results: one offline HTML page and a workbook, with any review decisions so far.
    from auditkit.render.html import write_audit_html
    from auditkit.render.xlsx import write_findings_xlsx

    write_audit_html(out)
    write_findings_xlsx(out)
    result.out = out
    return result


def rule_catalogue() -> pd.DataFrame:
    """Every rule: rule_id, category, severity, description, basis (and cells, suite)."""
    from auditkit.rules.suites import catalogue

    return catalogue()


# ---------------------------------------------------------------------------


def _counts(reports, failures, result, priors) -> dict[str, Any]:
    from auditkit.findings import count_by

    f = result.findings
    skipped = result.skipped
    return {
        "reports": len(reports),
        "unreadable": len(failures),
        "findings": int((f["status"] == "failed").sum()),
        "by_severity": count_by(f, "severity"),
        "by_category": count_by(f, "category"),
        "unverified_findings": int((f["status"] == "unverified").sum()),
        "checks": int(result.checks["evaluated"].sum()),
        "unverified": int(result.checks["unverified"].sum()),  # checks that held only on inferred values
        "skipped": int(result.checks["skipped"].sum()),
        "skipped_by_reason": {str(k): int(v) for k, v in skipped.groupby("reason")["checks"].sum().items()},
        "with_prior": sum(p is not None for p in priors),
        "reports_with_critical": int(f[(f["status"] == "failed") & (f["severity"] == "critical")]["source"]
                                     .nunique()),
    }


def summary_text(counts: dict[str, Any]) -> str:
    """The audit in a few Chinese sentences."""
    from auditkit.rules.suites import CATEGORY_LABELS, SEVERITY_LABELS

    sev = counts["by_severity"]
    lines = [f"共审核年度报告 {counts['reports']} 份" + (f"，另有 {counts['unreadable']} 份文件无法读取" if
                                                     counts["unreadable"] else "") + "。"]
    if counts["findings"]:
        lines.append(f"发现问题 {counts['findings']} 项：" + "、".join(
            f"{SEVERITY_LABELS[s]} {sev.get(s, 0)} 项" for s in ("critical", "warning", "info")) +
            f"；{counts['reports_with_critical']} 份报告有严重问题。")
        lines.append("按类别：" + "、".join(f"{CATEGORY_LABELS.get(c, c)} {n} 项"
                                            for c, n in sorted(counts["by_category"].items(), key=lambda x: -x[1])) + "。")
    else:
        lines.append("未发现问题。")
    lines.append(f"共执行核对 {counts['checks']} 项；其中 {counts['unverified']} 项所涉数值并非从文件独立读出"
                 f"（按勾稽关系推算或取自同一报告的另一文件），未能独立核验；另有 {counts['skipped']} 项因单元格无数值而跳过。")
    if counts["with_prior"]:
        lines.append(f"{counts['with_prior']} 份报告与同一机关上年报告做了跨年度核对。")
    return "\n".join(lines)
