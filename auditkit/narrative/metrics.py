"""What a figure stated in the text counts: its metric, the words an auditor reads for it, and the
table cells it is held against (``metric_terms``).

A metric is a name such as ``received`` (本年新收申请数), ``granted_or_partial`` (予以公开及部分公开),
``unavailable`` (all of （四）无法提供), ``unavailable_not_held`` (its first row alone),
``received.natural_person`` (one applicant column), ``reconsideration.not_upheld`` (the cases of
行政复议 not upheld: 结果纠正 + 其他结果 + 尚未审结) or ``normative_documents.in_force``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from auditkit.formats import format_spec

APPLICANT_WORDS: dict[str, str] = {
    "自然人": "natural_person",
    "个人": "natural_person",
    "公民": "natural_person",
    "商业企业": "commercial",
    "企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "nonprofit",
    "公益组织": "nonprofit",
    "法律服务机构": "legal_services",
    "法人或其他组织": "legal_person",
    "法人和其他组织": "legal_person",
    "法人及其他组织": "legal_person",
    "法人或者其他组织": "legal_person",
    "法人": "legal_person",
}

# What each metric counts, in the words an auditor reads.
METRIC_LABELS: dict[str, str] = {
    "received": "本年新收申请数",
    "handled": "本年办结申请数",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "granted_or_partial": "予以公开及部分公开",
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other_handling": "其他处理",
    "carried_over": "上年结转申请数",
    "carried_forward": "结转下年度继续办理申请数",
    "reconsideration": "行政复议案件数",
    "litigation": "行政诉讼案件数",
    "appeals": "行政复议和行政诉讼案件数",
    "regulations.issued": "本年制发规章件数",
    "regulations.repealed": "本年废止规章件数",
    "regulations.in_force": "现行有效规章件数",
    "normative_documents.issued": "本年制发规范性文件件数",
    "normative_documents.repealed": "本年废止规范性文件件数",
    "normative_documents.in_force": "现行有效规范性文件件数",
}
APPLICANT_LABELS = {
    "natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "nonprofit": "社会公益组织",
    "legal_services": "法律服务机构", "other_org": "其他组织", "legal_person": "法人或其他组织", "total": "总计",
}
OUTCOME_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                  "not_upheld": "结果纠正、其他结果、尚未审结", "total": "总计"}

# What a stated figure is: a count, a share of another count (占28.6%), a claim in words that some
# cells are 0 (均维持, 均已办结, 零败诉), or a change against last year (较上年增加N件 / 同比增长X%).
KINDS = ("count", "share", "claim", "change", "change_share")

ORG_COLUMNS = ("commercial", "research", "nonprofit", "legal_services", "other_org")
OUTCOME_ROWS = {
    "granted": ("granted",),
    "partially_granted": ("partially_granted",),
    "granted_or_partial": ("granted", "partially_granted"),
    "withheld": ("withheld",),
    "unavailable": ("unavailable",),
    "not_processed": ("not_processed",),
    "other_handling": ("other_handling",),
}
BASE_ROWS = {"received": "new_received", "handled": "total_handled", "carried_over": "carried_over",
             "carried_forward": "carried_forward"}
APPEAL_METRICS = {
    "reconsideration": ("reconsideration",),
    "litigation": ("litigation_direct", "litigation_after_reconsideration"),
    "appeals": ("reconsideration", "litigation_direct", "litigation_after_reconsideration"),
}
_NOT_UPHELD = ("corrected", "other", "pending")


def _sub_rows() -> dict[str, str]:
    """The rows of （三）–（六） one by one (``unavailable_not_held``), with their official wording."""
    out: dict[str, str] = {}
    for fmt in ("2021", "2019"):
        for r in format_spec(fmt).tables["requests"].rows:
            if r.parent and r.parent.startswith("（") and r.leaf != r.label and r.key not in out:
                out[r.key] = f"{r.parent}{r.leaf}"
    return out


SUB_ROW_LABELS = _sub_rows()  # "unavailable_not_held" -> "（四）无法提供1.本机关不掌握相关政府信息"


class StatedFigure(NamedTuple):
    """One figure the text states: what it counts, its value, and the sentence as written.

    A tuple, so that a read worker's figures travel to the frames and into a record (as a JSON
    list) cheaply.
    """

    metric: str  # "received", "received.natural_person", "reconsideration.upheld", "regulations.in_force", ...
    value: float  # a count, a percentage (share, change_share) or a signed change; 0 for a claim
    section: str
    sentence: str
    plain: bool
    qualifier: str | None = None  # why the figure is not plain, in Chinese
    kind: str = "count"  # one of KINDS
    decimals: int = 0  # the decimals a percentage is written with
    wording: str = ""  # the words of a share, claim or change as written ("占28.6%", "均维持", "较上年增加12件")

    @property
    def label(self) -> str:
        return metric_label(self.metric)


@lru_cache(maxsize=256)
def metric_label(metric: str) -> str:
    """The words an auditor reads for a metric: "本年新收申请数（自然人）"."""
    base, _, part = metric.partition(".")
    if base in ("regulations", "normative_documents"):
        return METRIC_LABELS[metric]
    if base in SUB_ROW_LABELS:
        return SUB_ROW_LABELS[base]
    text = METRIC_LABELS[base]
    if part:
        text += "（" + (APPLICANT_LABELS.get(part) or OUTCOME_LABELS.get(part, part)) + "）"
    return text


def metric_terms(metric: str, fmt: str | None) -> list[tuple[str, str, str]] | None:
    """The table cells a metric sums, as (table, row-or-group, column) terms.

    Rows named by group (``withheld``, ``other_handling``, …) are resolved by the
    caller, which knows each format's rows and merged rows. ``None`` when the
    format has no such figure (the 2019 format has no 现行有效件数, nor the rows of （六）).
    """
    base, _, part = metric.partition(".")
    if base in ("regulations", "normative_documents"):
        if fmt == "2019":
            column = {"issued": "new_made"}.get(part)
            return [("active", base, column)] if column else None
        return [("active", base, part)]
    if base in APPEAL_METRICS:
        columns = _NOT_UPHELD if part == "not_upheld" else (part or "total",)
        return [("appeals", g, c) for g in APPEAL_METRICS[base] for c in columns]
    columns = [part] if part and part != "legal_person" else list(ORG_COLUMNS) if part else ["total"]
    if base in SUB_ROW_LABELS:
        if fmt is not None and base not in {r.key for r in format_spec(fmt).tables["requests"].rows}:
            return None
        rows: tuple[str, ...] = (base,)
    else:
        rows = (BASE_ROWS[base],) if base in BASE_ROWS else OUTCOME_ROWS[base]
    return [("requests", r, c) for r in rows for c in columns]


# The counts a share may be "of": the figure an agency divides by. A share is right when it is
# right of any of them (handled, received, or received plus carried over: reports use all three).
_OUTCOME_BASES = (("handled",), ("received",), ("received", "carried_over"))


def share_bases(metric: str) -> tuple[tuple[str, ...], ...]:
    """The counts a stated share of ``metric`` may be of, the usual one first; () when none."""
    base, _, part = metric.partition(".")
    if base in APPEAL_METRICS and part in ("upheld", "corrected", "other", "pending", "not_upheld"):
        return ((base,),)
    if base in ("received", "handled") and part:
        return ((base,), *(b for b in _OUTCOME_BASES if b != (base,)))
    if base in OUTCOME_ROWS or base in SUB_ROW_LABELS:
        return _OUTCOME_BASES if not part else ()
    if base == "handled":
        return (("received",), ("received", "carried_over"))
    if base == "carried_forward":
        return (("received",), ("received", "carried_over"))
    return ()
