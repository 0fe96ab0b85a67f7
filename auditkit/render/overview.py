"""An audit at a glance, as labelled tables for the audit notebook: what ``audit_overview`` returns.

Counts are of failed findings (the rule does not hold); findings whose values could
not be verified are counted apart. Tables carry Chinese headers and labels from
``auditkit.vocabulary`` and the rule catalogue, ready to display.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from auditkit.precompiled import dataclass
from auditkit.vocabulary import SEVERITIES, SEVERITY_LABELS, STATUS_LABELS, severity_label

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.audit import AuditResult

UNKNOWN_AGENCY = "（未识别）"
CHECK_COLUMNS = {"rule_id": "规则", "category": "类别", "severity": "严重程度", "evaluated": "核对", "passed": "通过",
                 "failed": "不通过", "unverified": STATUS_LABELS["unverified"], "skipped": "跳过"}


@dataclass
class AuditOverview:
    """The tables of one audit."""

    headline: str  # one sentence (Markdown): failed findings, reports concerned, unverified ones
    by_severity: pd.DataFrame  # index severity; 名称, 问题数
    by_category: pd.DataFrame  # index category; 名称, 问题数
    by_rule: pd.DataFrame  # index rule_id; 严重程度, 问题数, 涉及报告, 规则说明 (most findings first)
    by_agency: pd.DataFrame  # index 机关; one column per severity label, 合计
    reports: pd.DataFrame  # one row per report read
    unreadable_note: str  # one sentence (Markdown) on the files that could not be read
    unreadable: pd.DataFrame  # 文件, 原因代码, 说明, 路径
    checks: pd.DataFrame  # per rule: 核对, 通过, 不通过, 未能核验, 跳过
    skipped_reasons: pd.DataFrame  # index reason; 项数
    files: pd.DataFrame  # the files the audit wrote: 文件, 字节
    rule_severities: dict[str, str]  # rule_id -> severity, for the rules in by_rule


def audit_overview(result: AuditResult) -> AuditOverview:
    """The overview tables of an audit run (``run_audit`` or ``audit_reports``)."""
    import pandas as pd

    from auditkit.rules.suites import CATEGORY_LABELS

    findings = result.findings
    failed = findings[findings["status"] == "failed"]
    unverified = int((findings["status"] == "unverified").sum())

    def tally(column: str, labels: dict[str, str], order: list[str] | None = None) -> pd.DataFrame:
        counts = failed[column].value_counts()
        if order is not None:
            counts = counts.reindex([o for o in order if o in counts.index])
        table = counts.rename("问题数").to_frame()
        table.insert(0, "名称", [labels.get(k, k) for k in table.index])
        return table

    by_rule = (failed.groupby("rule_id")
               .agg(严重程度=("severity", lambda s: severity_label(s.iloc[0])), 问题数=("finding_id", "size"),
                    涉及报告=("source", "nunique"), 规则说明=("description", "first"))
               .sort_values("问题数", ascending=False, kind="stable"))
    agency = failed["agency"].where(failed["agency"].notna(), UNKNOWN_AGENCY)
    by_agency = pd.crosstab(agency, failed["severity"]).reindex(
        columns=[s for s in SEVERITIES if s in set(failed["severity"])]).rename(columns=SEVERITY_LABELS)
    by_agency = by_agency.rename_axis(index="机关", columns=None)
    by_agency["合计"] = by_agency.sum(axis=1)
    by_agency = by_agency.sort_values("合计", ascending=False, kind="stable")

    reports = pd.DataFrame([{
        "文件": Path(r.source).name, "机关": r.agency, "年度": r.year, "格式": r.format, "发布日期": r.published,
        "问题数": int((failed["source"] == r.source).sum()),
        SEVERITY_LABELS["critical"]: int(((failed["source"] == r.source) & (failed["severity"] == "critical")).sum()),
        "读取诊断": len(r.diagnostics),
    } for r in result.reports])

    unreadable = pd.DataFrame([{"文件": Path(f.source).name, "原因代码": str(f.reason), "说明": f.message,
                                "路径": f.source} for f in result.failures], columns=["文件", "原因代码", "说明", "路径"])
    unreadable_note = (f"**{len(unreadable)}** 个文件无法读取：" if len(unreadable)
                       else f"全部 {len(result.reports)} 个文件均已读取。")

    checks = result.checks.rename(columns=CHECK_COLUMNS)
    checks["类别"] = checks["类别"].map(lambda c: CATEGORY_LABELS.get(c, c))
    checks["严重程度"] = checks["严重程度"].map(severity_label)
    skipped_reasons = result.skipped["reason"].value_counts().rename("项数").to_frame() if len(result.skipped) else \
        pd.DataFrame(columns=["项数"])

    out = Path(result.out) if result.out is not None else None
    files = pd.DataFrame([{"文件": f.name, "字节": f.stat().st_size} for f in sorted(out.iterdir()) if f.is_file()]
                         if out is not None and out.is_dir() else [], columns=["文件", "字节"])

    headline = (f"共 **{len(failed)}** 项问题，涉及 **{failed['source'].nunique()}** 份报告；"
                f"另有 {unverified} 项提示“{STATUS_LABELS['unverified']}”。")
    return AuditOverview(headline, tally("severity", SEVERITY_LABELS, list(SEVERITIES)),
                         tally("category", CATEGORY_LABELS), by_rule, by_agency, reports, unreadable_note, unreadable,
                         checks, skipped_reasons, files, dict(zip(failed["rule_id"], failed["severity"], strict=True)))
