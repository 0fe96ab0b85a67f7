"""Validation results -> findings, skipped checks and per-rule counts.

Great Expectations says which rows of a frame fail a rule. This module says what
that means for the auditor: which report, which cells (keys), what was expected
and found, the text as written, and whether the check proved anything at all:

- a row whose cells are null was not checked: it is *skipped*, with the reason
  (blank cell, digits run together, merged row…), and counted, never passed; unless the
  rule says what a missing value can be (a count >= 0, within bounds: ``unknowns`` and
  ``bounds``) and no such value makes the rule hold: then the row fails, and the finding
  says so ("即使空白单元格按任意非负数计…");
- a row that holds only on values recovered by arithmetic at reading (or taken
  from another file of the same report) is *unverified* (info): the reader chose
  those values because they add up, so their adding up proves nothing;
- info rules are notes, not errors: one finding per (report, rule) lists every place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit.collector import collector_paused
from auditkit.findings import finding_id, findings_frame, plain
from auditkit.frames import ALL_KEYS, N_CELLS, STATE_REASONS, STATES
from auditkit.precompiled import dataclass
from auditkit.rules.conditions import condition_mask
from auditkit.rules.expression import evaluate, parse_identity, refute, unknowns_of
from auditkit.rules.suites import IDENTITY_TYPE

if TYPE_CHECKING:
    from auditkit.frames import Frames
    from auditkit.rules.validate import RuleOutcome

# Identities whose verdict rests on table values a reader may have chosen by arithmetic.
VERIFYING_CATEGORIES = ("arithmetic", "carry_over", "narrative")
UNVERIFIED_NOTE = ("（所涉单元格的数值并非从本文件独立读出——读取时按表内勾稽关系推算，或取自同一报告的另一文件——"
                   "本项核对未能独立验证）")

# Why a check was skipped when a value that is not a table cell is missing.
COLUMN_REASONS = {
    "prev_carried_forward": "上年报告该格无数值", "prev_in_force": "上年报告该格无数值",
    "published": "发布日期未知", "deadline": "报告年度未知", "similarity": "文字缺失或过短，无法比较",
    "not_held_share": "办理总数为0或无数值", "expected_format": "报告年度未知", "format": "报告格式未识别",
    "text": "该部分缺失", "min_value": "表中没有数值", "max_fraction": "表中没有以件计的数值",
}
CHECK_COLUMNS = ["rule_id", "category", "severity", "evaluated", "passed", "failed", "unverified", "skipped"]
SKIPPED_COLUMNS = ["source", "sha256", "agency", "year", "rule_id", "checks", "place", "keys", "reason"]


@dataclass
class Interpretation:
    findings: pd.DataFrame
    skipped: pd.DataFrame  # per (report, rule): checks skipped, where, the null keys, why
    checks: pd.DataFrame  # per rule: evaluated, passed, failed, unverified, skipped


def _condition(data: pd.DataFrame, kwargs: dict[str, Any]) -> np.ndarray:
    return condition_mask(data, kwargs.get("row_condition"))


def _nulls(data: pd.DataFrame, rule_type: str, kwargs: dict[str, Any], columns: list[str]) -> np.ndarray:
    """Rows the expectation ignores for missing values (as GX does), i.e. skipped checks.

    For an identity whose missing values are bounded unknowns, the rows with a missing value:
    those that did not fail are the skipped ones."""
    if rule_type == "expect_column_values_to_not_be_null" or not len(data):
        return np.zeros(len(data), dtype=bool)
    if rule_type == IDENTITY_TYPE and unknowns_of(kwargs).active:
        return data[list(parse_identity(kwargs["expression"]).names)].isna().to_numpy().any(axis=1)
    isna = data[columns].isna().to_numpy()
    mode = kwargs.get("ignore_row_if")
    if mode in ("all_values_are_missing", "both_values_are_missing"):
        return isna.all(axis=1)
    if mode == "never":
        return np.zeros(len(data), dtype=bool)
    return isna.any(axis=1)


def _range_text(lo: float, hi: float) -> Any:
    """What one side of an identity can be: 12 (known), "≥ 12", "≤ 3" or "3 ~ 12"."""
    if lo == hi:
        return plain(lo)
    if not np.isfinite(hi):
        return "任意数" if not np.isfinite(lo) else f"≥ {plain(lo)}"
    return f"≤ {plain(hi)}" if not np.isfinite(lo) else f"{plain(lo)} ~ {plain(hi)}"


def _bound_text(kwargs: dict[str, Any]) -> str:
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    if lo is not None and hi is not None:
        return f"= {plain(lo)}" if lo == hi else f"{plain(lo)} ~ {plain(hi)}"
    return f"≥ {plain(lo)}" if lo is not None else f"≤ {plain(hi)}"


class _Explainer:
    """Expected / actual / difference for the failing rows of one rule."""

    def __init__(self, rule, frame, positions: np.ndarray) -> None:
        data = frame.data
        self.rule, self.frame, self.pos = rule, frame, positions
        self.lhs = self.rhs = self.ranges = None
        if rule.type == IDENTITY_TYPE and len(positions):
            identity = parse_identity(rule.kwargs["expression"])
            tolerance = float(rule.kwargs.get("tolerance") or 0)
            rows = data.iloc[positions]
            self.lhs, self.rhs, _ = evaluate(identity, rows, tolerance)
            unknowns = unknowns_of(rule.kwargs)
            if unknowns.active:
                self.ranges = refute(identity, rows, unknowns, tolerance)

    def bounded(self, n: int) -> bool:
        """Did the row fail on bounds, with some of its values unknown?"""
        return self.ranges is not None and bool(self.ranges.unknown[n])

    def why(self, n: int) -> str:
        """A bounded failure in words, for the evidence."""
        g = self.ranges
        return (f"表中有空白或无法读出的单元格，但即使空白单元格按任意非负数计，等式也不能成立："
                f"一边为 {_range_text(g.lhs_lo[n], g.lhs_hi[n])}，另一边为 {_range_text(g.rhs_lo[n], g.rhs_hi[n])}")

    def __call__(self, n: int) -> tuple[Any, Any, Any]:
        r, k, pos = self.rule, self.rule.kwargs, self.pos[n]
        if self.frame.explain is not None:
            return tuple(plain(x) for x in self.frame.explain(self.frame, pos))  # type: ignore[return-value]
        if self.bounded(n):
            g = self.ranges
            gap = g.lhs_lo[n] - g.rhs_hi[n] if g.lhs_lo[n] > g.rhs_hi[n] else g.lhs_hi[n] - g.rhs_lo[n]
            return (_range_text(g.rhs_lo[n], g.rhs_hi[n]), _range_text(g.lhs_lo[n], g.lhs_hi[n]),
                    plain(gap) if np.isfinite(gap) else None)

        def row(column: str) -> Any:
            value = self.frame.col(column)[pos]
            return pd.Timestamp(value) if isinstance(value, np.datetime64) else value

        actual_col = r.meta.get("actual_column")
        expected_col = r.meta.get("expected_column")
        if self.lhs is not None:
            a, e = float(self.lhs[n]), float(self.rhs[n])
            return plain(e), plain(a), plain(a - e)
        if r.type == "expect_column_values_to_be_between":
            value = row(k["column"])
            lo, hi = k.get("min_value"), k.get("max_value")
            diff = value - hi if hi is not None and value > hi else value - lo if lo is not None else None
            actual = r.meta.get("actual_text")
            actual = f"{actual} {plain(value)}" if actual else plain(value)
            return r.meta.get("expected_text") or _bound_text(k), actual, plain(diff)
        if r.type in ("expect_column_pair_values_to_be_equal", "expect_column_pair_values_a_to_be_greater_than_b"):
            a = row(actual_col or k["column_A"])
            e = row(expected_col or k["column_B"])
            diff = None
            if isinstance(a, pd.Timestamp) and isinstance(e, pd.Timestamp):
                diff = f"逾期{(a - e).days}天"
                e = f"不晚于 {e.date().isoformat()}"
            elif isinstance(a, int | float | np.number) and isinstance(e, int | float | np.number):
                diff = a - e
            return plain(e), plain(a), plain(diff)
        value = row(actual_col or r.columns[0]) if r.columns else None
        if isinstance(value, str) and len(value) > 80:
            value = value[:80] + "…"
        actual = r.meta.get("actual_text") or ("无" if value is None or value is pd.NaT else plain(value))
        expected = r.meta.get("expected_text") or {
            "expect_column_values_to_not_be_null": "有值",
            "expect_column_values_to_not_be_in_set": f"不为 {k.get('value_set')}",
            "expect_column_values_to_be_in_set": f"属于 {k.get('value_set')}",
        }.get(r.type, r.type)
        return expected, actual, None


def _report_fields(frames: Frames, i: int) -> dict[str, Any]:
    cache = frames.__dict__.setdefault("_report_fields", {})
    if i not in cache:
        r = frames.reports[i]
        cache[i] = {"source": r.source, "sha256": r.sha256, "agency": r.agency, "year": r.year}
    return cache[i]


def _evidence(frames: Frames, frame, pos: int, report: int, keys: list[str], columns: list[str]) -> str:
    own = frames.evidence(report, keys) if keys else ""
    row_ev = frame.evidence(pos)
    if row_ev is None and frame.has("evidence") and (frame.evidence_for is None
                                                      or set(columns) & set(frame.evidence_for)):
        row_ev = str(frame.col("evidence")[pos])
    if row_ev is None:
        return own
    return f"{row_ev}；{own}" if own and not row_ev.startswith("「") else row_ev


@collector_paused
def interpret(frames: Frames, outcomes: list[RuleOutcome]) -> Interpretation:
    """Findings, skipped checks and counts from the validation outcomes of one batch."""
    findings: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for o in outcomes:
        rule, fr = o.rule, frames[o.frame]
        data = fr.data
        cols = rule.columns
        in_scope = _condition(data, rule.kwargs)
        failed = np.zeros(len(data), dtype=bool)
        if len(o.failed_rows):
            failed[o.failed_rows] = True  # row_id is the row's position
        if frames.audited is not None and len(data):  # a copy of a report audited on another file
            judged = frames.audited[fr.col("report").astype(np.int64)]
            in_scope = in_scope & judged
            failed &= judged
        null = _nulls(data, rule.type, rule.kwargs, cols) & in_scope & ~failed
        evaluated = in_scope & ~null
        passed = evaluated & ~failed
        unverified = np.zeros(len(data), dtype=bool)
        if rule.type == IDENTITY_TYPE and rule.category in VERIFYING_CATEGORIES and len(data):
            unverified = passed & frames.recovered_rows(o.frame, cols)
        checks.append({"rule_id": rule.rule_id, "category": rule.category, "severity": rule.severity,
                       "evaluated": int(evaluated.sum()), "passed": int((passed & ~unverified).sum()),
                       "failed": int(failed.sum()), "unverified": int(unverified.sum()),
                       "skipped": int(null.sum())})

        positions = np.flatnonzero(failed)
        reports = fr.col("report")
        if rule.severity == "info":
            findings.extend(_notes(frames, o, positions))
        else:
            explain = _Explainer(rule, fr, positions)
            for n, pos in enumerate(positions):
                i = int(reports[pos])
                keys = frames.keys(o.frame, pos, cols)
                place = fr.where(pos)
                expected, actual, difference = explain(n)
                evidence = _evidence(frames, fr, pos, i, keys, cols)
                if explain.bounded(n) and fr.explain is None:  # the frame's own note says it otherwise
                    evidence = f"{explain.why(n)}；{evidence}" if evidence else explain.why(n)
                base = _report_fields(frames, i)
                findings.append({
                    "finding_id": finding_id(base["sha256"] or base["source"], rule.rule_id, keys, place),
                    **base, "rule_id": rule.rule_id, "category": rule.category, "severity": rule.severity,
                    "status": "failed", "description": rule.description, "place": place, "keys": keys,
                    "expected": expected, "actual": actual, "difference": difference,
                    "evidence": evidence, "basis": rule.basis,
                })

        # One "unverified" finding per (report, rule), naming the recovered cells.
        rows = np.flatnonzero(unverified)
        by_report: dict[int, list[int]] = defaultdict(list)
        for i, j in _cells(frames, fr, rows, cols, lambda reps, idx: frames.recovered[reps, idx]):
            by_report[i].append(j)
        places = _places_by_report(fr, rows)
        for i, js in by_report.items():
            recovered = [ALL_KEYS[j] for j in dict.fromkeys(js)]
            base = _report_fields(frames, i)
            findings.append({
                "finding_id": finding_id(base["sha256"] or base["source"], rule.rule_id + "#unverified", recovered),
                **base, "rule_id": rule.rule_id, "category": rule.category, "severity": "info",
                "status": "unverified", "description": rule.description + UNVERIFIED_NOTE,
                "place": "、".join(places.get(i, [])), "keys": recovered, "expected": None, "actual": None,
                "difference": None, "evidence": frames.evidence(i, recovered), "basis": rule.basis,
            })

        judged = cols  # the columns whose missing values skip a row (not those that only bound them)
        if rule.type == IDENTITY_TYPE and unknowns_of(rule.kwargs).active:
            judged = list(parse_identity(rule.kwargs["expression"]).names)
        skipped.extend(_skipped(frames, fr, rule, np.flatnonzero(null), judged))
    skipped_df = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)
    return Interpretation(findings_frame(findings), skipped_df, pd.DataFrame(checks, columns=CHECK_COLUMNS))


def _notes(frames: Frames, o: RuleOutcome, positions: np.ndarray) -> list[dict[str, Any]]:
    """Failed info rules (notes, not errors) as one finding per report, listing every place."""
    rule, fr = o.rule, frames[o.frame]
    explain = _Explainer(rule, fr, positions)
    reports = fr.col("report")
    groups: dict[int, list[int]] = defaultdict(list)
    for n, pos in enumerate(positions):
        groups[int(reports[pos])].append(n)
    out = []
    for i, ns in groups.items():
        keys: list[str] = []
        places: list[str] = []
        for n in ns:
            keys += [k for k in frames.keys(o.frame, positions[n], rule.columns) if k not in keys]
            place = fr.where(positions[n])
            if place not in places:
                places.append(place)
        expected, actual, difference = explain(ns[0])
        if len(ns) > 1 and rule.type == "expect_column_values_to_be_between" and rule.meta.get("actual_text"):
            total = plain(fr.col(rule.columns[0])[positions[ns]].sum())  # counts of cells: they add up
            actual, difference = f"{rule.meta['actual_text']} {total}", total
        elif len(ns) > 1:
            actual = "；".join(str(a) for a in dict.fromkeys(explain(n)[1] for n in ns))
            difference = None
        base = _report_fields(frames, i)
        place = "、".join(places)
        out.append({
            "finding_id": finding_id(base["sha256"] or base["source"], rule.rule_id, keys, place),
            **base, "rule_id": rule.rule_id, "category": rule.category, "severity": rule.severity,
            "status": "failed", "description": rule.description, "place": place, "keys": keys,
            "expected": expected, "actual": actual, "difference": difference,
            "evidence": _evidence(frames, fr, int(positions[ns[0]]), i, keys, rule.columns),
            "basis": rule.basis,
        })
    return out


def _cells(frames: Frames, fr, rows: np.ndarray, cols: list[str], pick) -> list[tuple[int, int]]:
    """(report, cell index) behind the given rows and columns where ``pick(reports, cells)`` holds."""
    if not len(rows):
        return []
    reps = fr.col("report")[rows].astype(np.int64)
    out: list[tuple[int, int]] = []
    for col in cols:
        km = fr.keymap.get(col)
        if km is None:
            continue
        idx = km[rows]
        valid = (idx >= 0) & (idx < N_CELLS)
        safe = np.where(valid, idx, 0)
        hit = valid & pick(reps[:, None], safe)
        r, c = np.nonzero(hit)
        out += list(zip(reps[r].tolist(), safe[r, c].tolist(), strict=True))
    return out


def _places_by_report(fr, rows: np.ndarray) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    where = fr.where
    for pos, i in zip(rows.tolist(), fr.col("report")[rows].tolist(), strict=True):  # plain ints: quicker
        place = where(pos)
        lst = out[i]
        if place not in lst:
            lst.append(place)
    return out


def _is_null(values: np.ndarray) -> np.ndarray:
    return pd.isna(values) if values.dtype == object else np.isnan(values) if values.dtype.kind == "f" else \
        pd.isna(values)


def _skipped(frames: Frames, fr, rule, rows: np.ndarray, cols: list[str]) -> list[dict[str, Any]]:
    """Skipped checks, one row per (report, rule): how many, where, the null cells and why."""
    if not len(rows):
        return []
    reps = fr.col("report")[rows].astype(np.int64)
    count = Counter(reps.tolist())  # in the order the reports first appear
    keys: dict[int, list[int]] = defaultdict(list)
    for i, j in _cells(frames, fr, rows, cols, lambda r, idx: np.isnan(frames.values[r, idx])):
        keys[i].append(j)
    other: dict[int, list[str]] = defaultdict(list)  # missing values that are not table cells
    said = fr.col("unchecked")[rows] if fr.has("unchecked") else None  # the frame's own reason for a row
    for col in cols:
        null = _is_null(fr.col(col)[rows])
        km = fr.keymap.get(col)
        if km is not None:
            idx = km[rows]
            valid = (idx >= 0) & (idx < N_CELLS)
            cell_null = (valid & np.isnan(frames.values[reps[:, None], np.where(valid, idx, 0)])).any(axis=1)
            null &= ~cell_null
        for n in np.flatnonzero(null):
            i = int(reps[n])
            reason = said[n] if said is not None and said[n] else COLUMN_REASONS.get(col, f"{col} 无数值")
            if reason not in other[i]:
                other[i].append(reason)
    places = _places_by_report(fr, rows)
    out = []
    for i in count:
        js = list(dict.fromkeys(keys.get(i, [])))
        reasons = list(dict.fromkeys(STATE_REASONS.get(STATES[frames.states[i, j]], "无数值") for j in js))
        out.append({**_report_fields(frames, i), "rule_id": rule.rule_id, "checks": count[i],
                    "place": "、".join(places[i]), "keys": [ALL_KEYS[j] for j in js],
                    "reason": "；".join(reasons + other.get(i, [])) or "无数值"})
    return out
