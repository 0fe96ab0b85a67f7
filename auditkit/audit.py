"""The audit run: read -> frames -> validate -> findings -> report store.

``run_audit`` is what ``auditkit audit`` calls; ``audit_reports`` does the same
for records already in memory (tests, notebooks, benchmarks) without reading
documents or writing files. The exit status of the command is the CLI's to decide.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.precompiled import dataclass

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.record import Report
    from auditkit.rules.suites import RuleSet

SAMPLES_DIR = Path(__file__).parent / "data" / "samples"


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
    rules: RuleSet | None = None  # the suites validated, and the rule folders they came from

    def failed(self, severity: str = "critical") -> pd.DataFrame:
        """The agency's problems (failed findings in the review queue, not the reading's limits) of this
        severity or worse."""
        from auditkit.queue import problems
        from auditkit.vocabulary import SEVERITY_ORDER

        f = problems(self.findings)
        return f[f["severity"].map(SEVERITY_ORDER) <= SEVERITY_ORDER[severity]]


def audit_reports(reports: Sequence[Report], store: Any = None, failures: Sequence[Any] = (),
                  remember: bool = False, rules: Sequence[str | Path] = ()) -> AuditResult:
    """Validate records already read. ``store`` (a path or ``ReportStore``) supplies last year's
    records for carry-over; with ``remember`` the records are added to it afterwards. The bundled
    rules always run; ``rules`` names user rule folders, read with ``$AUDITKIT_RULES`` and the
    default user folder (see ``auditkit.rules.folders``)."""
    from auditkit.copies import copies_of, group_copies, with_copies_metadata
    from auditkit.frames import build_frames
    from auditkit.queue import review_queue
    from auditkit.rules.outcomes import interpret
    from auditkit.rules.suites import load_rules
    from auditkit.rules.validate import validate
    from auditkit.store import ReportStore, resolve_priors

    ruleset = load_rules(rules)
    reports = list(reports)
    # Files of one report (a web page and its attachments): audited once, on the most legible file, which
    # takes a publication date it lacks from another; the others are its copies.
    groups = group_copies(reports)
    for g in groups:
        reports[g.audited] = with_copies_metadata(reports[g.audited], [reports[c] for c in g.copies])
    own = store is not None and not isinstance(store, ReportStore)
    db = ReportStore(store) if own else store
    try:
        priors = resolve_priors(reports, db)
        frames = build_frames(reports, priors, groups)
        result = interpret(frames, validate(frames, list(ruleset.specs)))
        if remember and db is not None and reports:
            db.put(reports)
    finally:
        if own:
            db.close()
    findings = review_queue(result.findings, reports, {reports[i].source: other for i, other in
                                                        copies_of(reports, groups).items()}, ruleset)
    result.findings = findings
    counts = _counts(reports, list(failures), result, priors)
    counts["copy_groups"] = [{"audited": reports[g.audited].source, "copies": [reports[c].source for c in g.copies],
                              "disagree": [reports[c].source for c in g.differences]} for g in groups]
    counts["reports"] -= sum(len(g.copies) for g in groups)
    counts["copies"] = sum(len(g.copies) for g in groups)
    counts["rule_folders"] = ruleset.folder_records()
    return AuditResult(findings, list(failures), counts, summary_text(counts), result.checks,
                       result.skipped, reports, rules=ruleset)


def run_audit(paths: Sequence[str | Path] | None, out: str | Path, store: str | Path | None = None,
              jobs: int | None = None, rules: Sequence[str | Path] = (), client: Any = None) -> AuditResult:
    """Read the documents (files or folders; the bundled samples when none), audit them as one
    batch, write ``out``/records.jsonl, findings.jsonl, findings.csv, checks.csv, skipped.csv,
    summary.txt, rules.json, audit.html and findings.xlsx, and keep the records in the report store
    (``store``, else $AUDITKIT_STORE, else the per-user default). ``rules``: user rule folders, as
    for ``audit_reports``. ``client``: read on a Dask cluster (a ``distributed.Client`` or its address;
    see ``read_reports``); validation and the store stay here."""
    from auditkit.batch import read_reports
    from auditkit.csvfile import write_frame
    from auditkit.findings import write_csv, write_jsonl
    from auditkit.rules.suites import load_rules
    from auditkit.store import ReportStore

    load_rules(rules)  # a rule folder that is missing or does not load stops the audit before any reading
    paths = list(paths) if paths else [SAMPLES_DIR]
    batch = read_reports(paths, jobs=jobs, client=client)
    with ReportStore(store) as db:
        result = audit_reports(batch.reports, db, batch.failures, remember=True, rules=rules)
        result.counts["store"] = str(db.path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "records.jsonl").open("w", encoding="utf-8") as fh:
        for r in result.reports:  # the audited files with what they took from their copies
            fh.write(json.dumps(r.to_record(), ensure_ascii=False) + "\n")
        for f in batch.failures:
            fh.write(json.dumps(f.to_record() if hasattr(f, "to_record") else
                                {"source": f.source, "error": f.reason, "message": f.message},
                                ensure_ascii=False) + "\n")
    write_jsonl(result.findings, out / "findings.jsonl")
    write_csv(result.findings, out / "findings.csv")
    write_frame(result.checks, out / "checks.csv")
    skipped = result.skipped.copy()
    skipped["keys"] = skipped["keys"].map(lambda ks: "; ".join(ks))
    write_frame(skipped, out / "skipped.csv")
    (out / "summary.txt").write_text(result.summary + "\n", encoding="utf-8")
    # The rules as they were at this audit, for audit.html and findings.xlsx rebuilt later.
    (out / "rules.json").write_text(json.dumps(result.rules.to_record(), ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    # The shared results: one offline HTML page and a workbook, with any review decisions so far.
    from auditkit.render import rebuild_report

    rebuild_report(out)
    result.out = out
    return result


# ---------------------------------------------------------------------------


def _counts(reports, failures, result, priors) -> dict[str, Any]:
    from auditkit.errors import ReadReason
    from auditkit.findings import count_by
    from auditkit.queue import READING, problems

    f = result.findings
    skipped = result.skipped
    problem = problems(f)
    return {
        "reports": len(reports),
        "unreadable": sum(f.reason != ReadReason.DUPLICATE for f in failures),
        "duplicates": sum(f.reason == ReadReason.DUPLICATE for f in failures),  # copies of a report read once
        "findings": len(problem),  # the agency's problems: the review queue
        "by_severity": count_by(problem, "severity"),
        "by_category": count_by(problem, "category"),
        "readings": int((f["queue"] == READING).sum()),  # 需人工核对读数
        "unverified_findings": int((f["status"] == "unverified").sum()),
        "checks": int(result.checks["evaluated"].sum()),
        "unverified": int(result.checks["unverified"].sum()),  # checks that held only on inferred values
        "skipped": int(result.checks["skipped"].sum()),
        "skipped_by_reason": {str(k): int(v) for k, v in skipped.groupby("reason")["checks"].sum().items()},
        "with_prior": sum(p is not None for p in priors),
        "reports_with_critical": int(problem[problem["severity"] == "critical"]["source"].nunique()),
    }


def summary_text(counts: dict[str, Any]) -> str:
    """The audit in a few Chinese sentences."""
    from auditkit.render.places import file_name
    from auditkit.rules.folders import BUNDLED
    from auditkit.rules.suites import CATEGORY_LABELS
    from auditkit.vocabulary import SEVERITIES, SEVERITY_LABELS

    sev = counts["by_severity"]
    lines = [f"共审核年度报告 {counts['reports']} 份" + (f"，另有 {counts['unreadable']} 份文件无法读取" if
                                                     counts["unreadable"] else "")
             + (f"；{counts['duplicates']} 份文件与另一文件内容完全相同，只审核一次" if counts.get("duplicates") else "")
             + "。"]
    for group in counts.get("copy_groups", []):
        names = "、".join(file_name(c) for c in group["copies"])
        lines.append(f"{file_name(group['audited'])} 与 {names} 是同一报告的不同文件，只审核一次（以 "
                     f"{file_name(group['audited'])} 为准）" + (
                         f"；其中 {'、'.join(file_name(c) for c in group['disagree'])} 的部分数字与之不同，另列为问题"
                         if group["disagree"] else "") + "。")
    if counts["findings"]:
        lines.append(f"发现问题 {counts['findings']} 项：" + "、".join(
            f"{SEVERITY_LABELS[s]} {sev.get(s, 0)} 项" for s in SEVERITIES) +
            f"；{counts['reports_with_critical']} 份报告有严重问题。")
        lines.append("按类别：" + "、".join(f"{CATEGORY_LABELS.get(c, c)} {n} 项"
                                            for c, n in sorted(counts["by_category"].items(), key=lambda x: -x[1])) + "。")
    else:
        lines.append("未发现问题。")
    if counts.get("readings"):
        lines.append(f"另有 {counts['readings']} 项需人工核对读数（读数推算所得或无法确定，不计入问题）。")
    lines.append(f"共执行核对 {counts['checks']} 项；其中 {counts['unverified']} 项所涉数值并非从文件独立读出"
                 f"（按勾稽关系推算或取自同一报告的另一文件），未能独立核验；另有 {counts['skipped']} 项因单元格无数值而跳过。")
    if counts["with_prior"]:
        lines.append(f"{counts['with_prior']} 份报告与同一机关上年报告做了跨年度核对。")
    folders = counts.get("rule_folders", [])
    if any(f["origin"] != BUNDLED for f in folders):  # with the bundled rules alone there is nothing to tell apart
        lines.append("所用规则：" + "；".join(f"{f['label']} {f['rules']} 条（{f['path']}）" for f in folders) + "。")
    return "\n".join(lines)
