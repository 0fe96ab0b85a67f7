"""The review queue: the findings of an audit as the auditor works through them.

Three things turn the findings the rules raise into a queue that respects the auditor's time:

- **which list** (``queue``): ``problem`` is the agency's defect, for the review queue and the
  problem counts; ``reading`` (需人工核对读数) is a limit of the reading, not the agency's
  fault: a check that held only on values recovered by arithmetic (status ``unverified``) and
  rules whose suite marks them ``meta.queue: reading`` (``structure.unreadable``);
- **one item per defect** (``also_rules``): one wrong cell breaks its row's total and its
  column's; two failed rules of one report whose differences are the same and whose cells meet
  (or whose cells are the same) are one finding, the most severe kept, naming the others;
- **the order**: most severe first, then agency, then place in the report
  (``auditkit.render.places.sort_findings``).

It also adds what a person reads beside the keys kept for programs: the rule's Chinese name
(``rule_name``), the place in the document (``place_text``: "第3页 表三 第12行"), the cells
(``cells_text``), its figures in words (``figures_text``: "应为 51，实际 52" only where a rule computes
the figure; "正文 393 / 表格 470" where the text meets the table, neither presumed right; ratios as
percentages; counts of cells as counts) and the other files of the same report (``copies``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from auditkit.precompiled import compile_re

if TYPE_CHECKING:
    import pandas as pd

    from auditkit.record import Report

PROBLEM, READING = "problem", "reading"
QUEUES = (PROBLEM, READING)
QUEUE_LABELS = {PROBLEM: "问题", READING: "需人工核对读数"}
_PAGE = compile_re(r"page (\d+)")
_ROW = compile_re(r"\brow (\d+)")
_LINE = compile_re(r"line (\d+)")
# Rules that add cells up: one wrong cell shows as the same difference in every sum it is part of.
IDENTITY_CATEGORIES = frozenset({"arithmetic", "carry_over"})
_TABLE_NAMES = {"active": "表二", "requests": "表三", "appeals": "表四"}


def queue_of(status: str, rule_queue: str | None) -> str:
    """``reading`` for a check that held only on inferred values or a rule about the reading itself."""
    return READING if status == "unverified" or rule_queue == READING else PROBLEM


def place_text(keys: Sequence[str], report: Report | None, place: str = "") -> str:
    """Where the finding's first located cell stands in the document: "第3页 表三 第12行" (a PDF),
    "表三 第12行" (a web page or Word table), "文本第10行" (plain text); else the place in words."""
    from auditkit.render.places import readable_text

    for key in keys or ():
        p = report.provenance.get(key) if report is not None else None
        if p is None:
            continue
        loc = p.location
        table = _TABLE_NAMES.get(key.partition(".")[0], "")
        page, row, line = _PAGE.search(loc), _ROW.search(loc), _LINE.search(loc)
        if line:
            return f"文本第{line.group(1)}行"
        parts = [f"第{page.group(1)}页" if page else "", table, f"第{row.group(1)}行" if row else ""]
        if any(parts):
            return " ".join(x for x in parts if x)
    return readable_text(place)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _percent(value: float) -> str:
    text = f"{value * 100:.1f}".removesuffix(".0")
    return f"{text}%"


def figures_text(row: Mapping[str, Any], meta: Mapping[str, Any] | None = None) -> str:
    """A finding's figures as a person reads them (``meta``: the rule's suite meta, for its ``count_text``
    "{n} 个单元格无法确定读数" and ``share_text``)."""
    meta = meta or {}
    expected, actual, difference = row.get("expected"), row.get("actual"), row.get("difference")
    if row.get("status") == "unverified":
        return "所涉数值为读数推算所得，核对成立但未能独立核验"
    if not _number(expected) and expected is not None and expected != expected:  # NaN read back from a file
        expected = None
    if expected is None and actual is None:
        return ""
    if meta.get("count_text") and _number(difference):
        return str(meta["count_text"]).format(n=_shown(difference))
    if row.get("category") == "narrative":  # the text against the table: neither side is presumed right
        if _number(actual) and _number(expected):
            return f"正文 {_shown(actual)} / 表格 {_shown(expected)}"
        return f"正文：{_shown(actual)}；表格：{_shown(expected)}"
    if isinstance(expected, str) and expected[:1] in "≤≥" and _number(actual):
        bound = expected[1:].strip()
        try:
            bound = _percent(float(bound))
        except ValueError:
            pass
        what = meta.get("share_text") or "比例"
        return f"{what} {_percent(float(actual))}（{'上限' if expected[0] == '≤' else '下限'} {bound}）"
    if expected is None:
        return _shown(actual)
    gap = f"（相差 {_shown(difference)}）" if _number(difference) and difference else (
        f"（{difference}）" if isinstance(difference, str) and difference else "")
    if _number(expected) and _number(actual):
        return f"应为 {_shown(expected)}，实际 {_shown(actual)}{gap}"
    return f"应为「{_shown(expected)}」，实际「{_shown(actual)}」{gap}"


def shown_figures(row: object) -> str:
    """A finding's figures as the auditor reads them (``figures_text``, written with the findings; for
    results written before it, worded now): "正文 393 / 表格 470", "应为 51，实际 52（相差 1）"."""
    get = getattr(row, "get", None) or (lambda k, d=None: getattr(row, k, d))
    said = get("figures_text")
    if isinstance(said, str) and said:
        return said
    return figures_text({k: get(k) for k in ("expected", "actual", "difference", "status", "category")})


def _mergeable(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two failed findings of one report that are one defect: the same cells, or cells that meet and
    the same difference (a wrong cell that breaks both its row's total and its column's)."""
    ka, kb = set(a["keys"] or ()), set(b["keys"] or ())
    if not ka or not kb:
        return False
    da, db = a["difference"], b["difference"]
    numeric = _number(da) and _number(db)
    if ka == kb:  # the same check twice (two rule folders): the same cells, kind and amount
        same = abs(da) == abs(db) if numeric else not _number(da) and not _number(db)
        return a["category"] == b["category"] and same
    if not {a["category"], b["category"]} <= IDENTITY_CATEGORIES:
        return False
    return bool(ka & kb) and numeric and da != 0 and abs(da) == abs(db)


def review_queue(findings: pd.DataFrame, reports: Sequence[Report] = (), copies: Mapping[str, list[str]] = {},
                 rules: Any = None) -> pd.DataFrame:
    """The findings with ``queue``, ``also_rules``, ``copies``, ``rule_name``, ``place_text`` and ``cells_text``,
    one defect raised by several rules merged into one finding, in the order of the review."""
    import pandas as pd

    from auditkit.findings import FINDING_COLUMNS
    from auditkit.render.places import cells_text, sort_findings

    names, queues, metas = _rule_facts(rules)
    by_source = {r.source: r for r in reports}
    rows = findings.to_dict("records")
    for row in rows:
        row["queue"] = queue_of(row["status"], queues.get(row["rule_id"]))
        row["also_rules"] = []
    kept: list[dict[str, Any]] = []
    problems_of: dict[str, list[dict[str, Any]]] = {}  # source -> its problems kept so far
    for row in rows:  # most severe first within a report: the kept finding is the most severe one
        into = None
        problem = row["status"] == "failed" and row["queue"] == PROBLEM
        if problem:
            into = next((k for k in problems_of.get(row["source"], ())
                         if k["rule_id"] != row["rule_id"] and _mergeable(k, row)), None)
        if into is None:
            kept.append(row)
            if problem:
                problems_of.setdefault(row["source"], []).append(row)
            continue
        into["also_rules"].append(row["rule_id"])
        said = set((into["evidence"] or "").split("；"))  # what the other rule adds to the evidence, once
        more = [part for part in (row["evidence"] or "").split("；") if part and part not in said]
        into["evidence"] = "；".join(x for x in [
            into["evidence"], f"同一问题亦使规则「{names.get(row['rule_id'], row['rule_id'])}」（{row['rule_id']}）"
                              f"不成立：{row['place']}", *more] if x)
    for row in kept:
        row["copies"] = list(copies.get(row["source"], []))
        row["rule_name"] = names.get(row["rule_id"], row["rule_id"])
        row["place_text"] = place_text(row["keys"], by_source.get(row["source"]), row["place"])
        row["cells_text"] = cells_text(row["keys"] or [])
        row["figures_text"] = figures_text(row, metas.get(row["rule_id"]))
    out = pd.DataFrame(kept, columns=list(FINDING_COLUMNS))
    for col in ("expected", "actual", "difference", "year"):
        out[col] = out[col].astype(object)
    return sort_findings(out)


def _rule_facts(rules: Any) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, Any]]]:
    """Rule id -> Chinese name, -> the queue its suite puts it in (``meta.queue``), -> its meta."""
    if rules is None:
        from auditkit.rules.suites import load_rules

        rules = load_rules()
    names, queues, metas = {}, {}, {}
    for spec in rules.specs:
        for r in spec.rules:
            names[r.rule_id] = r.name
            metas[r.rule_id] = r.meta
            if r.meta.get("queue"):
                queues[r.rule_id] = str(r.meta["queue"])
    return names, queues, metas


def problems(findings: pd.DataFrame) -> pd.DataFrame:
    """The agency's problems: failed findings in the review queue."""
    if "queue" not in findings.columns:
        return findings[findings["status"] == "failed"]
    return findings[(findings["status"] == "failed") & (findings["queue"] == PROBLEM)]
