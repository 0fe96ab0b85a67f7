"""The narrative frame: one row per figure the text states (``auditkit.narrative``), with the
table's figure it claims, so that a rule can hold the text against the tables.

Columns a rule reads:

- ``kind``: ``count`` (共收到申请N件), ``share`` (占28.6%), ``claim`` (均维持: some cells are 0),
  ``change`` / ``change_share`` (较上年增加N件 / 同比增长X%, against last year's record);
- ``stated``: the figure as the text gives it (a signed change; 0 for a claim);
- ``table``: the tables' figure as the text would write it: the sum of the cells behind it; a
  share or a change worked out from the cells and rounded to the text's precision (to the text's
  own figure when it is a fair rounding, half up or cut off, of the table's); null when a cell
  behind it has no value, or last year's record is not known;
- ``table_min``, ``table_max``: what the table's figure can be when it is null (blank cells are
  unknown counts >= 0, bounded by their rows' 总计: ``auditkit.frames.bounds``); null = unbounded;
- ``plain``: stated as the report's own figure (or qualified: another body's, cumulative…);
- ``unchecked``: why a row cannot be checked when that is not a blank cell (no prior record…).

A figure's metric becomes a plan once per (metric, format): the cells it sums, with the request
groups resolved to the format's rows; a merged group counts with its own value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from auditkit.agency import Prior
from auditkit.frames.bounds import Bounds
from auditkit.frames.cells import MergedRows
from auditkit.frames.frame import Frame, format_value
from auditkit.frames.keys import IN_FORMAT, REQUEST_GROUPS, key_indices, key_label, pad_rows, row_label
from auditkit.narrative import StatedFigure, figure_items, metric_label, metric_terms, share_bases
from auditkit.precompiled import compile_re, dataclass
from auditkit.record import Report

_EPS = 1e-9
COLUMNS = ["row_id", "report", "kind", "metric", "label", "stated", "table", "table_min", "table_max", "plain",
           "section", "unchecked"]


@dataclass(frozen=True)
class _Term:
    group: str | None  # a request group resolved to several rows (（三）不予公开…), or None for plain cells
    column: str
    keys: tuple[str, ...]
    idx: tuple[int, ...]


@dataclass(frozen=True)
class _Plan:
    keys: tuple[str, ...]
    terms: tuple[_Term, ...]

    @cached_property
    def idx(self) -> tuple[int, ...]:
        return tuple(i for t in self.terms for i in t.idx)


def _term_keys(term: tuple[str, str, str], fmt: str) -> list[str]:
    table, row, col = term
    if table == "requests" and row in REQUEST_GROUPS[fmt]:
        return [f"requests.{r}.{col}" for r in REQUEST_GROUPS[fmt][row]]
    return [f"{table}.{row}.{col}"]


@lru_cache(maxsize=2048)
def _plan(metrics: tuple[str, ...], fmt: str) -> _Plan | None:
    """The cells one or more metrics sum (a share's base may be 新收 + 上年结转), or None."""
    keys: list[str] = []
    terms: list[_Term] = []
    for metric in metrics:
        raw = metric_terms(metric, fmt)
        if raw is None:
            return None
        for term in raw:
            tk = _term_keys(term, fmt)
            if not tk:
                return None
            group = term[1] if term[0] == "requests" and len(REQUEST_GROUPS[fmt].get(term[1], ())) > 1 else None
            keys += tk
            terms.append(_Term(group, term[2], tuple(tk), tuple(key_indices(tk))))
    return _Plan(tuple(keys), tuple(terms))


@dataclass
class _Row:
    """What the note needs to tell how the table's figure was worked out."""

    report: int
    figure: StatedFigure
    plan: _Plan
    bases: tuple[_Plan, ...] = ()
    prior: Prior | None = None
    prior_value: float = np.nan


def _sums(km: np.ndarray, rep: np.ndarray, values: np.ndarray, bounds: Bounds) -> tuple[np.ndarray, ...]:
    """For rows of cell indices (-1 pads): the exact sum (null if a cell is), and its bounds."""
    if not len(km):
        z = np.zeros(0)
        return z, z, z
    pad = km < 0
    safe = np.where(pad, 0, km)
    exact = np.where(pad, 0.0, values[rep[:, None], safe]).sum(axis=1)
    lo = np.where(pad, 0.0, bounds[0][rep[:, None], safe]).sum(axis=1)
    hi = np.where(pad, 0.0, bounds[1][rep[:, None], safe]).sum(axis=1)
    return exact, lo, hi


def _merged_sum(plan: _Plan, i: int, values: np.ndarray, bounds: Bounds, merged: MergedRows) -> tuple[float, ...]:
    """A plan's sum in a report with merged rows: a merged group counts once, with its own value."""
    exact = lo = hi = 0.0
    for t in plan.terms:
        m = merged.get(i, {}).get(t.group) if t.group else None
        if m is not None:
            v = m.get(t.column)
            exact, lo, hi = (exact + v, lo + v, hi + v) if v is not None else (np.nan, lo, np.inf)
        else:
            idx = list(t.idx)
            exact += float(values[i, idx].sum())
            lo += float(bounds[0][i, idx].sum())
            hi += float(bounds[1][i, idx].sum())
    return exact, lo, hi


def _round_half_up(p: np.ndarray, unit: np.ndarray) -> np.ndarray:
    return np.floor(p / unit + 0.5 + _EPS) * unit


def _fair(stated: np.ndarray, p: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Is ``stated`` the percentage ``p`` written at its precision (rounded half up, or cut off)?"""
    a, s = np.abs(p), np.abs(stated)
    same_sign = (np.sign(p) == np.sign(stated)) | (s < _EPS) | (a < unit / 2)
    with np.errstate(invalid="ignore"):
        return same_sign & ((np.abs(_round_half_up(a, unit) - s) < _EPS * 100)
                            | (np.abs(np.floor(a / unit + _EPS) * unit - s) < _EPS * 100))


class _Rows:
    """The figures behind the frame's rows, as the read worker stored them; a row's ``_Row`` is made
    only when a finding needs its wording."""

    def __init__(self) -> None:
        self.report: list[int] = []
        self.item: list[Any] = []  # a StatedFigure, or its list as a record keeps it
        self.plan: list[_Plan] = []
        self.bases: dict[int, tuple[_Plan, ...]] = {}
        self.prior: dict[int, tuple[Prior | None, float]] = {}
        self._made: dict[int, _Row] = {}  # a failing row is asked for its place, note and figures: made once

    def __len__(self) -> int:
        return len(self.report)

    def __getitem__(self, n: int) -> _Row:
        row = self._made.get(n)
        if row is None:
            prior, value = self.prior.get(n, (None, np.nan))
            item = self.item[n]
            figure = item if isinstance(item, StatedFigure) else StatedFigure._make(item)
            row = self._made[n] = _Row(self.report[n], figure, self.plan[n], self.bases.get(n, ()), prior, value)
        return row


def _padded(rows: Sequence[Sequence[int]]) -> np.ndarray:
    return pad_rows([list(r) for r in rows]) if rows else np.zeros((0, 1), dtype=np.int32)


def _cells_of(plans: Sequence[_Plan | None]) -> np.ndarray:
    """The cells of each plan (a row of -1 for None), padded: each distinct plan laid out once."""
    place: dict[int, int] = {}
    distinct: list[Sequence[int]] = [()]
    ids = np.empty(len(plans), dtype=np.int64)
    for n, p in enumerate(plans):
        if p is None:
            ids[n] = 0
            continue
        k = place.get(id(p))
        if k is None:
            k = place[id(p)] = len(distinct)
            distinct.append(p.idx)
        ids[n] = k
    return _padded(distinct)[ids]


def build_narrative(reports: Sequence[Report], values: np.ndarray, merged: MergedRows, bounds: Bounds,
                    priors: Sequence[Prior | None] | None = None) -> Frame:
    """One row per figure stated in a report's text that a table also gives: stated and table value."""
    priors = priors if priors is not None else [None] * len(reports)
    rows = _Rows()
    plan_ids: list[int] = []  # per row: its plan's place in ``plans``
    plans: list[_Plan] = []
    plan_of: dict[str, dict[str, int]] = {f: {} for f in IN_FORMAT}  # format -> metric -> place in plans, -1: none
    bases_of: dict[tuple[str, str], tuple[_Plan, ...]] = {}  # (metric, format) -> what a share of it may be of
    kinds, metrics, stated_l, plain_l, sections_l = [], [], [], [], []
    for i, r in enumerate(reports):
        fmt = r.format
        if fmt not in IN_FORMAT or not r.sections:
            continue
        plan_of_metric = plan_of[fmt]
        seen: set[tuple[str, str, float]] = set()
        for item in figure_items(r.sections, r.year, r.figures):
            metric, value, kind = item[0], item[1], item[6]
            pid = plan_of_metric.get(metric)
            if pid is None:
                plan = _plan((metric,), fmt)
                pid = plan_of_metric[metric] = -1 if plan is None else len(plans)
                if plan is not None:
                    plans.append(plan)
            if pid < 0 or (kind, metric, value) in seen:
                continue
            n = len(plan_ids)
            if kind == "share":
                bases = bases_of.get((metric, fmt))
                if bases is None:
                    bases = bases_of[(metric, fmt)] = tuple(
                        p for p in (_plan(b, fmt) for b in share_bases(metric)) if p is not None)
                if not bases:
                    continue
                rows.bases[n] = bases
            elif kind == "change" or kind == "change_share":
                prior = priors[i]
                rows.prior[n] = (prior, _prior_value(prior.report, metric) if prior is not None else np.nan)
            seen.add((kind, metric, value))
            rows.report.append(i)
            rows.item.append(item)
            rows.plan.append(plans[pid])
            plan_ids.append(pid)
            kinds.append(kind)
            metrics.append(metric)
            stated_l.append(value)
            plain_l.append(item[4])
            sections_l.append(item[2])
    rep = np.array(rows.report, dtype=np.int64)
    km = _padded([p.idx for p in plans])[np.array(plan_ids, dtype=np.int64)] if plans else \
        np.zeros((0, 1), dtype=np.int32)
    exact, lo, hi = _sums(km, rep, values, bounds)
    for n in np.flatnonzero(np.isin(rep, list(merged))) if merged else []:
        exact[n], lo[n], hi[n] = _merged_sum(rows.plan[n], int(rep[n]), values, bounds, merged)
    kind = np.array(kinds, dtype=object)
    stated = np.array(stated_l, dtype=float)
    table, tmin, tmax = exact.copy(), lo.copy(), hi.copy()
    unchecked = np.full(len(rows), "", dtype=object)
    special = np.flatnonzero(kind != "count") if len(rows) else np.zeros(0, dtype=np.int64)
    unit = np.ones(len(rows))
    for n in special:
        unit[n] = 10.0 ** -rows.item[n][7]

    shares = special[kind[special] == "share"]
    if len(shares):
        _shares(shares, rows, rep, values, bounds, merged, stated, unit, exact, lo, hi, table, tmin, tmax, unchecked)
    for n in special[(kind[special] == "change") | (kind[special] == "change_share")]:
        _change(n, rows[n], stated[n], unit[n], exact[n], lo[n], hi[n], table, tmin, tmax, unchecked)

    labels = {m: metric_label(m) for m in set(metrics)}
    df = pd.DataFrame({
        "row_id": np.arange(len(rows)), "report": rep, "kind": kind, "metric": np.array(metrics, dtype=object),
        "label": np.array([labels[m] for m in metrics], dtype=object), "stated": stated, "table": table,
        "table_min": tmin, "table_max": np.where(np.isinf(tmax), np.nan, tmax),
        "plain": np.array(plain_l, dtype=bool), "section": np.array(sections_l, dtype=object), "unchecked": unchecked,
    }, columns=COLUMNS)
    # Keys behind the table's figure: the metric's cells (and a share's usual base) this year.
    keymap = km
    if len(shares):
        num, den = _cells_of([rows.plan[n] for n in shares]), _cells_of([rows.bases[n][0] for n in shares])
        wide = np.concatenate([num, den], axis=1)
        keymap = np.full((len(rows), max(km.shape[1], wide.shape[1])), -1, dtype=np.int32)
        keymap[:, :km.shape[1]] = km
        keymap[shares, :wide.shape[1]] = wide
    return Frame("narrative", df, ("row_id", "report", "metric"), {"table": keymap},
                 place=lambda d, p: _place(rows[p]),
                 note=lambda d, p: _note(rows[p], reports, values, bounds, merged, d, p),
                 explain=lambda d, p: _explain(rows[p], d, p))


def _shares(ns: np.ndarray, rows: _Rows, rep: np.ndarray, values: np.ndarray, bounds: Bounds,
            merged: MergedRows, stated: np.ndarray, unit: np.ndarray, exact: np.ndarray, lo: np.ndarray,
            hi: np.ndarray, table: np.ndarray, tmin: np.ndarray, tmax: np.ndarray, unchecked: np.ndarray) -> None:
    """A share's table figure: the numerator over each base it may be of, at the text's precision."""
    width = max(len(rows.bases[n]) for n in ns)
    fair_any = np.zeros(len(ns), dtype=bool)
    first = np.full(len(ns), np.nan)
    all_exact = np.ones(len(ns), dtype=bool)
    union_lo, union_hi = np.full(len(ns), np.inf), np.full(len(ns), -np.inf)
    usable = np.zeros(len(ns), dtype=bool)
    for c in range(width):
        plans = [rows.bases[n][c] if c < len(rows.bases[n]) else None for n in ns]
        km = _cells_of(plans)
        b_exact, b_lo, b_hi = _sums(km, rep[ns], values, bounds)
        for k, n in enumerate(ns):
            if plans[k] is not None and int(rep[n]) in merged:
                b_exact[k], b_lo[k], b_hi[k] = _merged_sum(plans[k], int(rep[n]), values, bounds, merged)
        present = np.array([p is not None for p in plans])
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 100.0 * exact[ns] / b_exact
            p_lo = np.where(b_hi > 0, 100.0 * lo[ns] / b_hi, 0.0)
            p_hi = np.where(b_lo > 0, 100.0 * hi[ns] / b_lo, np.inf)
        ok = present & (b_hi > 0)  # a base of 0 gives no share
        known = ok & ~np.isnan(p) & np.isfinite(p)
        fair_any |= known & _fair(stated[ns], np.where(known, p, 0.0), unit[ns])
        first = np.where(np.isnan(first) & known, _round_half_up(np.where(known, p, 0.0), unit[ns]), first)
        all_exact &= known | ~present
        union_lo = np.where(ok, np.minimum(union_lo, np.where(known, p, p_lo)), union_lo)
        union_hi = np.where(ok, np.maximum(union_hi, np.where(known, p, p_hi)), union_hi)
        usable |= ok
    shown = np.where(fair_any, stated[ns], np.where(all_exact, first, np.nan))
    table[ns] = np.where(usable, shown, np.nan)
    # When unknown: the stated share is wrong unless some value in [lo, hi] rounds (or cuts) to it.
    tmin[ns] = np.where(usable, union_lo - unit[ns] + _EPS, np.nan)
    tmax[ns] = np.where(usable, union_hi + unit[ns] / 2, np.nan)
    unchecked[ns] = np.where(usable, "", "作为分母的表格数字为0或无数值，无法计算比例")


def _change(n: int, row: _Row, stated: float, unit: float, exact: float, lo: float, hi: float, table: np.ndarray,
            tmin: np.ndarray, tmax: np.ndarray, unchecked: np.ndarray) -> None:
    """A change's table figure: this year's figure less last year's record of the same agency."""
    prior = row.prior_value
    table[n] = tmin[n] = tmax[n] = np.nan
    if row.prior is None:
        unchecked[n] = "本批及报告库中均没有该机关上年的报告，无法核对与上年相比的增减"
        return
    if np.isnan(prior):
        unchecked[n] = f"{row.prior.describe()}，其中该项无数值，无法核对与上年相比的增减"
        return
    if row.figure.kind == "change":
        table[n], tmin[n], tmax[n] = exact - prior, lo - prior, hi - prior
        return
    if prior <= 0:
        unchecked[n] = f"{row.prior.describe()}，其中该项为0，无法计算增减幅度"
        return
    p = 100.0 * (exact - prior) / prior
    if not np.isnan(p):
        fair = bool(_fair(np.array([stated]), np.array([p]), np.array([unit]))[0])
        table[n] = stated if fair else float(np.sign(p) * _round_half_up(np.array([abs(p)]), np.array([unit]))[0])
    tmin[n] = 100.0 * (lo - prior) / prior - unit
    tmax[n] = 100.0 * (hi - prior) / prior + unit


def _prior_value(prior: Report, metric: str) -> float:
    """Last year's table figure of a metric, from its record (null if a cell of it is)."""
    if prior.format not in IN_FORMAT:
        return np.nan
    plan = _plan((metric,), prior.format)
    if plan is None:
        return np.nan
    total = 0.0
    for k in plan.keys:
        v = prior.cells.get(k)
        if v is None:
            return np.nan
        total += float(v)
    return total


# ---------------------------------------------------------------------------
# What the auditor reads: the place, the sentence and how the table's figure was worked out


_CLAIM_LABELS = {"not_upheld": "结果纠正、其他结果、尚未审结", "pending": "尚未审结", "corrected": "结果纠正"}
_APPEAL_WORDS = {"reconsideration": "行政复议", "litigation": "行政诉讼"}


def _claim_label(metric: str) -> str:
    """What a claim says is 0: "行政复议的结果纠正、其他结果、尚未审结"."""
    base, _, part = metric.partition(".")
    if base in _APPEAL_WORDS and part in _CLAIM_LABELS:
        return f"{_APPEAL_WORDS[base]}的{_CLAIM_LABELS[part]}"
    return metric_label(metric)


def _place(row: _Row) -> str:
    f = row.figure
    if f.kind == "share":
        return f"文字所述「{f.label}」所占比例"
    if f.kind == "claim":
        return f"文字所述「{f.wording}」：{_claim_label(f.metric)}应为0"
    if f.kind in ("change", "change_share"):
        return f"文字所述「{f.label}」较上年的增减"
    return f"文字所述「{f.label}」"


def _cell(i: int, key: str, values: np.ndarray, bounds: Bounds) -> str:
    from auditkit.frames.keys import KEY_INDEX

    j = KEY_INDEX[key]
    v = values[i, j]
    if not np.isnan(v):
        return format_value(v)
    lo, hi = bounds[0][i, j], bounds[1][i, j]
    if lo > 0:
        return f"空白（按该行已填写的各格至少为 {format_value(lo)}）"
    if np.isfinite(hi):
        return f"空白（按该行总计至多为 {format_value(hi)}）"
    return "空白"


_NOTE = compile_re(r"（区分处理的[^）]*）")  # the format's note in （二）'s label: not needed to find the cell


def _row_text(key: str) -> tuple[str, str]:
    """(row, column) of a cell as the auditor reads them: ("（二）部分公开", "总计")."""
    row, _, column = key_label(key).partition(" / ")
    return _NOTE.sub("", row), column


def _computation(plan: _Plan, i: int, fmt: str, values: np.ndarray, bounds: Bounds, merged: MergedRows) -> str:
    """The cells of a plan, as the auditor reads them: "（一）予以公开 / 总计 22 + （二）部分公开 / 总计 20"."""
    parts: list[tuple[str, str]] = []  # (row, "column value" or the group's cells), cells of one row together
    for t in plan.terms:
        m = merged.get(i, {}).get(t.group) if t.group else None
        if m is not None:
            parts.append((f"{row_label('requests', t.group, fmt)}（合并为一行）",
                          f"{_row_text(t.keys[0])[1]} {format_value(m.get(t.column))}"))
        elif t.group:
            column = _row_text(t.keys[0])[1]
            each = "、".join(f"{_row_text(k)[0].split(' ', 1)[-1]} {_cell(i, k, values, bounds)}" for k in t.keys)
            parts.append((f"{row_label('requests', t.group, fmt)}各项", f"{column}（{each}）"))
        else:
            row, column = _row_text(t.keys[0])
            parts.append((row, f"{column} {_cell(i, t.keys[0], values, bounds)}"))
    out: list[str] = []
    for k, (row, cell) in enumerate(parts):
        if k and parts[k - 1][0] == row:
            out[-1] += f" + {cell}"
        else:
            out.append(f"{row} / {cell}")
    return " + ".join(out)


def _figure_text(v: float) -> str:
    return format_value(round(float(v), 6))


def _note(row: _Row, reports: Sequence[Report], values: np.ndarray, bounds: Bounds, merged: MergedRows,
          d: Frame, p: int) -> str:
    from auditkit.frames.keys import key_label as section_label

    f, i = row.figure, row.report
    fmt = reports[i].format
    text = f"{section_label('section.' + f.section)}：「{f.sentence}」" + (f"（{f.qualifier}）" if f.qualifier else "")
    table, tmin, tmax = d.col("table")[p], d.col("table_min")[p], d.col("table_max")[p]
    num = _computation(row.plan, i, fmt, values, bounds, merged)
    if f.kind == "share":
        b = row.bases[0]
        how = (f"表格：{num} ÷（{_computation(b, i, fmt, values, bounds, merged)}）× 100%"
               + ("（分母也可按本年新收或新收加上年结转计，均不相符）" if len(row.bases) > 1 else ""))
        if not np.isnan(table):
            how += f" = {_figure_text(table)}%（按文字的精度）"
    elif f.kind in ("change", "change_share"):
        last = row.prior.describe() if row.prior else "上年报告未知"
        how = f"表格：本年 {num}；{last}，其同一项 {format_value(row.prior_value)}"
        if not np.isnan(table):
            how += f"；增减 {_figure_text(table)}{'%' if f.kind == 'change_share' else '件'}"
    else:
        how = f"表格：{num}"
        if len(row.plan.keys) > 1 and not np.isnan(table):
            how += f" = {_figure_text(table)}"
    if np.isnan(table) and not np.isnan(tmin):
        lo, hi = _shown_range(f, tmin, tmax)
        unit = "%" if f.kind in ("share", "change_share") else ""
        known = f"至少 {lo}{unit}" if hi is None else f"在 {lo}{unit} 与 {hi}{unit} 之间"
        what = "表格数字" if f.kind in ("count", "claim") else "按表格算出的" + ("比例" if f.kind == "share" else "增减")
        how += f"；表中有空白单元格，但已填写的单元格决定{what}{known}：即使空白单元格按任意非负数计，也不可能与文字所述一致"
    return f"{text}；{how}"


def _shown_range(f: StatedFigure, tmin: float, tmax: float) -> tuple[str, str | None]:
    """The range a bounded table figure can take, as the text would write it (a share's range
    was widened by the text's precision to judge it: the auditor reads it unwidened)."""
    if f.kind in ("share", "change_share"):
        unit = 10.0 ** -f.decimals
        lo = np.floor((tmin + unit - _EPS) / unit + _EPS) * unit
        hi = None if np.isnan(tmax) or np.isinf(tmax) else np.ceil((tmax - unit / 2) / unit - _EPS) * unit
        return f"{lo:.{f.decimals}f}", None if hi is None else f"{hi:.{f.decimals}f}"
    return _figure_text(tmin), None if np.isnan(tmax) else _figure_text(tmax)


def _explain(row: _Row, d: Frame, p: int) -> tuple[Any, Any, Any]:
    """Expected (the table), actual (the text) and their difference, as the findings show them."""
    f = row.figure
    table, tmin, tmax = d.col("table")[p], d.col("table_min")[p], d.col("table_max")[p]
    stated = float(d.col("stated")[p])
    if np.isnan(table):
        lo = None if np.isnan(tmin) else tmin
        hi = None if np.isnan(tmax) else tmax
        if lo is None:
            expected = "无法判定"
        else:
            shown_lo, shown_hi = _shown_range(f, tmin, tmax)
            unit = "%" if f.kind in ("share", "change_share") else ""
            expected = f"≥ {shown_lo}{unit}" if shown_hi is None else f"{shown_lo}{unit} ~ {shown_hi}{unit}"
        gap = stated - lo if lo is not None and stated < lo else stated - hi if hi is not None else None
        diff = None if gap is None or f.kind in ("share", "change_share") else _figure_text(gap)
    else:
        expected, diff = _figure_text(table), _figure_text(stated - table)
    if f.kind == "count":
        if np.isnan(table):
            return expected, stated, diff
        return float(table), stated, float(stated - table)
    if f.kind == "share":
        return (f"{expected}%" if not np.isnan(table) else expected), f"{f.wording}", diff
    if f.kind == "claim":
        return f"{expected} 件", f"「{f.wording}」即 0 件", diff
    unit = "%" if f.kind == "change_share" else "件"
    said = f.wording
    if not np.isnan(table):
        word = "增加" if table > 0 else "减少" if table < 0 else "持平"
        expected = f"{word}{_figure_text(abs(table)) if table else ''}{unit if table else ''}"
    return expected, said, diff
