"""Records -> pandas DataFrames shaped so that each rule is one expectation.

Every frame is built for the whole batch at once (one validation run per suite,
never per report) and is vectorised over a single report x cell matrix:

==================  ==============================  =======================================
frame               one row per                     a rule on it
==================  ==============================  =======================================
requests_columns    report x applicant column (7)   一 + 二 == （七）总计 + 四
requests_rows       report x table row              总计 == the six applicant columns
appeals             report x group (3)              总计 == 维持 + 纠正 + 其他 + 尚未审结
cell_values         report                          counts are non-negative integers
table_rows          report x table row              no blank, dashed or missing cells
report_parts        report x section or table       nothing missing; 五 not empty
labels              report x label variant          wording as the official format
carry_over          report x applicant column       上年结转 == last year's 结转下年度
in_force            report x document kind          现行有效 == last year's + 制发 - 废止
narrative           report x figure in the text     the text agrees with the table
repetition          report x section (一, 五)        not a copy of last year's text
reports             report                          deadline, format, plausibility
==================  ==============================  =======================================

Besides its data, each ``Frame`` knows which cell keys every (row, column)
stands for (``keymap``), so findings can name cells, the cells' text as
written, and whether a value was not read independently from its file (recovered
by arithmetic at reading, or settled from another file of the same report).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from auditkit.agency import DEADLINE_RULES, Prior, agency_kind, normalise_agency, publication_deadline
from auditkit.formats import APPEAL_COLUMNS, APPEAL_GROUPS, APPLICANT_COLUMNS, format_spec, norm, sections
from auditkit.narrative import APPLICANT_LABELS, containment, extract_figures, metric_terms, shingles_many
from auditkit.record import Report

FORMATS = ("2021", "2019")
APPLICANTS = (*APPLICANT_COLUMNS, "total")
BALANCE_ROWS = ("new_received", "carried_over", "total_handled", "carried_forward")
# The outcome terms of （七）总计, named alike in both formats: a group (（三）, （四）,
# （五）, and （六） in 2021) is the sum of its sub-rows, or the merged row's values.
OUTCOME_TERMS = ("granted", "partially_granted", "withheld", "unavailable", "not_processed", "other_handling")
SECTION_KEYS = tuple(s.key for s in sections())
TABLE_KEYS = ("active", "requests", "appeals")
DOCUMENT_KINDS = ("regulations", "normative_documents")

FRAME_NAMES = ("requests_columns", "requests_rows", "appeals", "cell_values", "table_rows", "report_parts", "labels",
               "carry_over", "in_force", "repetition", "narrative", "reports")
# Cell states, from the reader's diagnostics; "null" is a null no diagnostic explains.
STATES = ("ok", "blank", "dash", "missing", "unreadable", "merged", "table_missing", "na", "null")
_S = {name: i for i, name in enumerate(STATES)}
_STATE_OF_CODE = {
    "blank_cell": "blank", "dash_cell": "dash", "missing_row": "missing", "missing_values": "missing",
    "ambiguous_digits": "unreadable", "no_valid_split": "unreadable", "unparsed_value": "unreadable",
    "extra_values": "unreadable", "merged_row": "merged", "missing_table": "table_missing",
}
# When several diagnostics name one cell, the stronger explanation wins.
_STATE_RANK = {"merged": 6, "table_missing": 5, "missing": 4, "blank": 3, "dash": 2, "unreadable": 1}
STATE_REASONS = {
    "blank": "单元格空白", "dash": "单元格以“—”等符号代替数字", "missing": "该行或该格缺失",
    "unreadable": "数字连写或无法识别，读数不能唯一确定", "merged": "子项被合并为一行",
    "table_missing": "整张表缺失", "ok": "无数值", "na": "本格式无此项", "null": "无数值且读取时未说明原因",
}


def _cell_universe() -> tuple[str, ...]:
    keys: list[str] = []
    for f in FORMATS:
        keys.extend(k for k in format_spec(f).keys if k not in keys)
    return tuple(keys)


CELL_KEYS = _cell_universe()
PSEUDO_KEYS = (*(f"section.{s}" for s in SECTION_KEYS), *(f"table.{t}" for t in TABLE_KEYS),
               "meta.published", "meta.format", "meta.year", "meta.agency")
ALL_KEYS = CELL_KEYS + PSEUDO_KEYS
KEY_INDEX = {k: i for i, k in enumerate(ALL_KEYS)}
N_CELLS = len(CELL_KEYS)


def _format_keys() -> dict[str, np.ndarray]:
    out = {}
    for f in FORMATS:
        mask = np.zeros(N_CELLS, dtype=bool)
        mask[[KEY_INDEX[k] for k in format_spec(f).keys]] = True
        out[f] = mask
    return out


_IN_FORMAT = _format_keys()


def request_groups(fmt: str) -> dict[str, tuple[str, ...]]:
    """Outcome term -> the format's rows it sums (``withheld`` -> the eight 不予公开 rows)."""
    table = format_spec(fmt).tables["requests"]
    groups = {g.key: tuple(g.children) for g in table.groups}
    rows = {r.key for r in table.rows}
    return {t: groups.get(t, (t,) if t in rows else ()) for t in OUTCOME_TERMS}


_GROUPS = {f: request_groups(f) for f in FORMATS}
_GROUP_OF_ROW = {f: {row: g for g, rows in _GROUPS[f].items() if len(rows) > 1 for row in rows} for f in FORMATS}


@lru_cache(maxsize=4096)
def row_label(table: str, row: str, fmt: str = "2021") -> str:
    spec = format_spec(fmt if fmt in FORMATS else "2021").tables[table]
    try:
        return spec.row(row).label
    except KeyError:  # a group of rows (（六）其他处理), not a row
        for f in FORMATS:
            for g in format_spec(f).tables[table].groups:
                if g.key == row:
                    return g.label
        return row


@lru_cache(maxsize=8192)
def key_label(key: str) -> str:
    """The official wording of a cell key: "（一）予以公开 / 自然人"."""
    table, _, rest = key.partition(".")
    if table == "section":
        return next((s.title for s in sections() if s.key == rest), key)
    if table == "table":
        return next((s.title for s in sections() if s.key == rest), key) + "（整表）"
    if table == "meta":
        return {"published": "发布日期", "format": "报告格式", "year": "报告年度", "agency": "机关名称"}.get(rest, key)
    row, _, col = rest.partition(".")
    for f in FORMATS:
        spec = format_spec(f).tables.get(table)
        if spec is None:
            continue
        for r in spec.rows:
            if r.key == row:
                label = next((c.label for c in r.columns if c.key == col), col)
                return f"{r.label} / {label}"
    return key


# ---------------------------------------------------------------------------


@dataclass
class Frame:
    """One DataFrame a suite validates, with what each of its cells stands for."""

    name: str
    data: pd.DataFrame
    index: tuple[str, ...]  # the columns that locate a row, reported with each failing row
    # column -> (rows, m) indices into ALL_KEYS (-1 pads): the cells a value stands for
    keymap: dict[str, np.ndarray] = field(default_factory=dict)
    # column -> states: only keys in those states are named (table_rows' n_blank names blank cells)
    state_filter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    place: Callable[[Frame, int], str] | None = None  # human wording of a row's place
    note: Callable[[Frame, int], str] | None = None  # a row's own evidence, worded only when it fails
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _names: frozenset[str] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.data)

    def col(self, name: str) -> np.ndarray:
        """A column as a numpy array (cached): row-by-row access without pandas overhead."""
        if name not in self._arrays:
            self._arrays[name] = self.data[name].to_numpy()
        return self._arrays[name]

    def has(self, name: str) -> bool:
        if self._names is None:
            self._names = frozenset(self.data.columns)
        return name in self._names

    def evidence(self, pos: int) -> str | None:
        return self.note(self, pos) if self.note else None

    def where(self, pos: int) -> str:
        return self.place(self, pos) if self.place else ""


@dataclass
class Frames:
    """All frames of one batch, and the matrices they were cut from."""

    reports: list[Report]
    values: np.ndarray  # (n, N_CELLS) float, NaN = null
    states: np.ndarray  # (n, N_CELLS) int8 codes into STATES
    recovered: np.ndarray  # (n, N_CELLS) bool: value not read independently from this file
    priors: list[Prior | None]
    frames: dict[str, Frame]
    merged: dict[int, dict[str, dict[str, Any]]]  # report -> group -> {column: value}
    settled: dict[tuple[int, int], int] = field(default_factory=dict)  # (report, cell) -> twin report

    def __getitem__(self, name: str) -> Frame:
        return self.frames[name]

    def keys(self, frame: str, pos: int, columns: Sequence[str]) -> list[str]:
        """The cell keys the given columns of one row stand for, in order, without repeats."""
        fr = self.frames[frame]
        report = int(fr.col("report")[pos])
        out: list[str] = []
        for col in columns:
            idx = fr.keymap.get(col)
            if idx is None:
                continue
            state = fr.state_filter.get(col)
            for j in idx[pos]:
                if j < 0:
                    continue
                if state is not None and (j >= N_CELLS or STATES[self.states[report, j]] not in state):
                    continue
                k = ALL_KEYS[j]
                if k not in out:
                    out.append(k)
        return out

    def recovered_rows(self, frame: str, columns: Sequence[str]) -> np.ndarray:
        """For every row: does any cell behind these columns come from arithmetic at reading?"""
        fr = self.frames[frame]
        n = len(fr.data)
        hit = np.zeros(n, dtype=bool)
        if not self.recovered.any() or n == 0:
            return hit
        rep = fr.col("report")
        for col in columns:
            idx = fr.keymap.get(col)
            if idx is None:
                continue
            cells = np.where((idx >= 0) & (idx < N_CELLS), idx, 0)
            hit |= ((idx >= 0) & (idx < N_CELLS) & self.recovered[rep[:, None], cells]).any(axis=1)
        return hit

    def state(self, report: int, key: str) -> str:
        j = KEY_INDEX.get(key)
        if j is None or j >= N_CELLS:
            return "ok"
        return STATES[self.states[report, j]]

    def evidence(self, report: int, keys: Sequence[str], limit: int = 12) -> str:
        """The cells' text as written and where, from the record's provenance."""
        rep = self.reports[report]
        parts = []
        for k in keys[:limit]:
            p = rep.provenance.get(k)
            twin = self.settled.get((report, KEY_INDEX.get(k, -1)))
            if twin is not None:
                v = self.values[report, KEY_INDEX[k]]
                parts.append(f"{k}：本文件数字连写无法确定"
                             + (f"「{p.text}」（{p.location}）" if p is not None else "")
                             + f"，取自同一报告的另一文件 {self.reports[twin].source} = {_fmt(v)}")
            elif p is not None:
                parts.append(f"{k}「{p.text}」（{p.location}）")
            elif k in rep.cells and rep.cells[k] is None:
                parts.append(f"{k}：{STATE_REASONS.get(self.state(report, k), '无数值')}")
        if len(keys) > limit:
            parts.append(f"等{len(keys)}格")
        return "；".join(parts)


# ---------------------------------------------------------------------------
# Matrices


_DIAGNOSED = {*_STATE_OF_CODE, "recovered_by_arithmetic"}


def _matrices(reports: Sequence[Report]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The batch as matrices: values, the reader's state of every cell, and what was recovered."""
    n = len(reports)
    values = np.full((n, N_CELLS), np.nan)
    for f in FORMATS:
        keys = format_spec(f).keys
        get, idx = operator.itemgetter(*keys), _idx(keys)
        sel = [i for i, r in enumerate(reports) if r.format == f]
        rows = []
        for i in sel:
            try:
                rows.append(get(reports[i].cells))
            except KeyError:  # a record missing some keys of its format
                rows.append(tuple(reports[i].cells.get(k) for k in keys))
        if sel:
            values[np.ix_(sel, idx)] = np.array(rows, dtype=float)
    for i, r in enumerate(reports):
        if r.format not in _IN_FORMAT:
            for k, v in r.cells.items():
                if k in KEY_INDEX and KEY_INDEX[k] < N_CELLS and v is not None:
                    values[i, KEY_INDEX[k]] = v
    states = np.where(np.isnan(values), _S["null"], _S["ok"]).astype(np.int8)
    for f in FORMATS:
        sel = [i for i, r in enumerate(reports) if r.format == f]
        if sel:
            states[np.ix_(sel, np.flatnonzero(~_IN_FORMAT[f]))] = _S["na"]
    recovered = np.zeros((n, N_CELLS), dtype=bool)
    merged: dict[int, dict[str, dict[str, Any]]] = {}
    for i, r in enumerate(reports):
        if r.format not in _IN_FORMAT:
            states[i, :] = np.where(np.isnan(values[i]), _S["na"], _S["ok"])
        rank: dict[int, int] = {}
        for d in r.diagnostics:
            if d.code not in _DIAGNOSED:
                continue
            keys = d.keys or ([d.key] if d.key else [])
            if d.code == "recovered_by_arithmetic":
                for k in keys:
                    j = KEY_INDEX.get(k)
                    if j is not None and j < N_CELLS:
                        recovered[i, j] = True
                continue
            if d.code == "merged_row" and r.format in _GROUP_OF_ROW and keys:
                group = _GROUP_OF_ROW[r.format].get(keys[0].split(".")[1])
                if group:
                    merged.setdefault(i, {})[group] = dict(d.values or {})
            state = _STATE_OF_CODE[d.code]
            for k in keys:
                j = KEY_INDEX.get(k)
                if j is None or j >= N_CELLS or not np.isnan(values[i, j]):
                    continue
                if _STATE_RANK[state] > rank.get(j, 0):
                    rank[j] = _STATE_RANK[state]
                    states[i, j] = _S[state]
    return values, states, recovered, merged


def _row_keys(key: str, fmt: str) -> list[str]:
    table, row, _ = key.split(".")
    return [k for k in format_spec(fmt).tables[table].keys if k.split(".")[1] == row]


def _settle_by_twins(reports: Sequence[Report], values: np.ndarray, states: np.ndarray) -> dict[tuple[int, int], int]:
    """Fill cells one file could not read from another file of the same report.

    Agencies publish one report as a web page, a Word file and a PDF; a crawler's
    text copy may run the digits of a row together. When another file of the same
    agency and year agrees on every cell both read (at least 100) and its row is
    one of the splits the reader found possible, that row is settled. Returns
    {(report, cell): twin report}; such cells are never "independently verified".
    """
    groups: dict[tuple[str, int, str], list[int]] = {}
    for i, r in enumerate(reports):
        if r.agency and r.year is not None and r.format in _IN_FORMAT:
            groups.setdefault((normalise_agency(r.agency), r.year, r.format), []).append(i)
    settled: dict[tuple[int, int], int] = {}
    unreadable = _S["unreadable"]
    for members in groups.values():
        if len(members) < 2:
            continue
        for i in members:
            if not (states[i] == unreadable).any():
                continue
            twins = []
            for t in members:
                both = ~np.isnan(values[i]) & ~np.isnan(values[t])
                if t != i and both.sum() >= 100 and np.array_equal(values[i][both], values[t][both]):
                    twins.append(t)
            if not twins:
                continue
            for d in reports[i].diagnostics:
                if d.code != "ambiguous_digits" or not d.candidates or not d.key:
                    continue
                row = _row_keys(d.key, reports[i].format)
                idx = _idx(row)
                for t in twins:
                    twin_row = values[t, idx]
                    if np.isnan(twin_row).any():
                        continue
                    own = values[i, idx]
                    fits = any(len(c) == len(row) and all(
                        (np.isnan(o) or o == v) and (c_v is None or c_v == v)
                        for o, v, c_v in zip(own, twin_row, c, strict=True)) for c in d.candidates)
                    if fits:
                        for j in idx:
                            if states[i, j] == unreadable:
                                values[i, j] = values[t, j]
                                states[i, j] = _S["ok"]
                                settled[(i, j)] = t
                        break
    return settled


def _idx(keys: Sequence[str]) -> list[int]:
    return [KEY_INDEX[k] for k in keys]


def _pad(rows: list[list[int]], width: int | None = None) -> np.ndarray:
    width = width or max((len(r) for r in rows), default=1) or 1
    out = np.full((len(rows), width), -1, dtype=np.int32)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out


def _formats(reports: Sequence[Report]) -> np.ndarray:
    return np.array([r.format if r.format in _IN_FORMAT else "" for r in reports], dtype=object)


# ---------------------------------------------------------------------------
# Requests and appeals


def _requests_columns(reports, values, merged) -> Frame:
    """One row per (report, applicant column): the column identities are one expectation each."""
    fmts = _formats(reports)
    rep_ids = np.flatnonzero(fmts != "")
    n, a = len(rep_ids), len(APPLICANTS)
    rep = np.repeat(rep_ids, a)
    app = np.tile(np.array(APPLICANTS, dtype=object), n)
    data: dict[str, Any] = {"report": rep, "applicant": app, "format": np.repeat(fmts[rep_ids], a)}
    keymap: dict[str, np.ndarray] = {}
    for row in BALANCE_ROWS:
        idx = _idx([f"requests.{row}.{c}" for c in APPLICANTS])
        data[row] = values[rep_ids][:, idx].ravel()
        keymap[row] = np.tile(idx, n)[:, None].astype(np.int32)
    for term in OUTCOME_TERMS:
        col = np.full(n * a, np.nan)
        km = np.full((n * a, 8), -1, dtype=np.int32)
        for f in FORMATS:
            rows = _GROUPS[f][term]
            sel = np.flatnonzero(fmts[rep_ids] == f)
            if not rows or not len(sel):
                continue
            idx = np.array([_idx([f"requests.{r}.{c}" for c in APPLICANTS]) for r in rows])  # (rows, 7)
            block = values[rep_ids[sel]][:, idx]  # (m, rows, 7); a null sub-row makes the sum null
            sums = block.sum(axis=1)
            pos = (sel[:, None] * a + np.arange(a)).ravel()
            col[pos] = sums.ravel()
            km[pos, :len(rows)] = np.tile(idx.T, (len(sel), 1))
        for i, groups in merged.items():
            if term in groups and fmts[i]:
                p = int(np.searchsorted(rep_ids, i))
                for c, v in groups[term].items():
                    if c in APPLICANTS and v is not None:
                        col[p * a + APPLICANTS.index(c)] = v
        data[term] = col
        keymap[term] = km
    df = pd.DataFrame(data)
    df.insert(0, "row_id", np.arange(len(df)))
    return Frame("requests_columns", df, ("row_id", "report", "applicant"), keymap,
                 place=lambda d, p: f"申请人列「{APPLICANT_LABELS[d.col('applicant')[p]]}」")


def _requests_rows(reports, values, merged) -> Frame:
    """One row per (report, table row); a merged group is one row with the merged values."""
    fmts = _formats(reports)
    parts: list[pd.DataFrame] = []
    maps: list[np.ndarray] = []
    for f in FORMATS:
        sel = np.flatnonzero(fmts == f)
        if not len(sel):
            continue
        rows = [r.key for r in format_spec(f).tables["requests"].rows]
        idx = np.array([_idx([f"requests.{r}.{c}" for c in APPLICANTS]) for r in rows])  # (rows, 7)
        block = values[sel][:, idx].reshape(-1, len(APPLICANTS))
        part = pd.DataFrame(block, columns=list(APPLICANTS))
        part.insert(0, "row", np.tile(np.array(rows, dtype=object), len(sel)))
        part.insert(0, "report", np.repeat(sel, len(rows)))
        part["merged"] = False
        parts.append(part)
        maps.append(np.tile(idx, (len(sel), 1)))
    if not parts:
        df = pd.DataFrame(columns=["report", "row", *APPLICANTS, "merged"])
        km_base = np.zeros((0, len(APPLICANTS)), dtype=np.int32)
    else:
        df = pd.concat(parts, ignore_index=True)
        km_base = np.concatenate(maps).astype(np.int32)
    extra_rows: list[dict[str, Any]] = []
    extra_keys: list[list[list[int]]] = []  # per extra row, per applicant column: the sub-rows' keys
    keep = np.ones(len(df), dtype=bool)
    if merged:
        # A merged group's null sub-rows give way to one row carrying the merged values.
        pairs = pd.MultiIndex.from_arrays([df["report"].to_numpy(), df["row"].to_numpy()])
        dropped = []
        for i, groups in merged.items():
            for g, vals in groups.items():
                children = _GROUPS[fmts[i]][g]
                dropped += [(i, ch) for ch in children]
                extra_rows.append({"report": i, "row": g, "merged": True,
                                   **{c: float(vals[c]) if vals.get(c) is not None else np.nan
                                      for c in APPLICANTS}})
                extra_keys.append([_idx([f"requests.{ch}.{c}" for ch in children]) for c in APPLICANTS])
        keep = ~pairs.isin(dropped)
        df = pd.concat([df[keep], pd.DataFrame(extra_rows, columns=df.columns)], ignore_index=True)
        for c in APPLICANTS:
            df[c] = df[c].astype(float)
        df["merged"] = df["merged"].astype(bool)
    width = max([1] + [len(k[0]) for k in extra_keys])
    kept = int(keep.sum())
    keymap: dict[str, np.ndarray] = {}
    for ci, c in enumerate(APPLICANTS):
        km = np.full((kept + len(extra_keys), width), -1, dtype=np.int32)
        km[:kept, 0] = km_base[keep, ci]
        for e, keys in enumerate(extra_keys):
            km[kept + e, :len(keys[ci])] = keys[ci]
        keymap[c] = km
    keymap["merged"] = np.concatenate([keymap[c] for c in APPLICANTS], axis=1)
    df.insert(0, "row_id", np.arange(len(df)))
    fmt_of = fmts
    return Frame("requests_rows", df, ("row_id", "report", "row"), keymap,
                 place=lambda d, p: f"行「{row_label('requests', d.col('row')[p], fmt_of[d.col('report')[p]])}」")


def _appeals(reports, values) -> Frame:
    fmts = _formats(reports)
    sel = np.flatnonzero(fmts != "")
    g = len(APPEAL_GROUPS)
    idx = np.array([_idx([f"appeals.{grp}.{c}" for c in APPEAL_COLUMNS]) for grp in APPEAL_GROUPS])  # (3, 5)
    block = values[sel][:, idx].reshape(-1, len(APPEAL_COLUMNS))
    df = pd.DataFrame(block, columns=list(APPEAL_COLUMNS))
    df.insert(0, "group", np.tile(np.array(APPEAL_GROUPS, dtype=object), len(sel)))
    df.insert(0, "report", np.repeat(sel, g))
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.tile(idx, (len(sel), 1)).astype(np.int32)
    keymap = {c: km[:, i:i + 1] for i, c in enumerate(APPEAL_COLUMNS)}
    return Frame("appeals", df, ("row_id", "report", "group"), keymap,
                 place=lambda d, p: f"「{row_label('appeals', d.col('group')[p])}」")


# ---------------------------------------------------------------------------
# Cells, rows, parts


def _units() -> tuple[np.ndarray, np.ndarray]:
    amount = np.zeros(N_CELLS, dtype=bool)
    signed = np.zeros(N_CELLS, dtype=bool)
    for f in FORMATS:
        for k, unit in format_spec(f).units().items():
            j = KEY_INDEX[k]
            amount[j] |= unit != "件"
            signed[j] |= k.endswith(".change")  # 2019: 本年增/减 may be negative
    return amount, signed


_AMOUNT, _SIGNED = _units()


def _cell_values(values) -> Frame:
    """One row per report: its smallest value and its largest fraction of a count.

    A report's values are all non-negative when the smallest is, and its counts all whole
    when the largest fractional part is 0; the cells that are not are what the row stands for.
    Per report rather than per cell, the frame has 10,000 rows for 10,000 reports, not 2 million.
    """
    with np.errstate(invalid="ignore"):
        checked = np.where(_SIGNED[None, :], np.nan, values)  # 2019's 本年增/减 may be negative
        fraction = np.where(_AMOUNT[None, :], np.nan, np.abs(values - np.round(values)))
        negative = checked < 0
        broken = fraction > 0
    n = len(values)
    has_value, has_count = ~np.isnan(checked).all(axis=1), ~np.isnan(fraction).all(axis=1)
    df = pd.DataFrame({
        "row_id": np.arange(n), "report": np.arange(n),
        "min_value": np.where(has_value, np.nanmin(np.where(has_value[:, None], checked, 0), axis=1), np.nan),
        "max_fraction": np.where(has_count, np.nanmax(np.where(has_count[:, None], fraction, 0), axis=1), np.nan),
    })
    keymap = {"min_value": _pad([np.flatnonzero(row).tolist() for row in negative]) if negative.any() else
              np.full((n, 1), -1, dtype=np.int32),
              "max_fraction": _pad([np.flatnonzero(row).tolist() for row in broken]) if broken.any() else
              np.full((n, 1), -1, dtype=np.int32)}

    def place(d: Frame, p: int) -> str:
        cells = [CELL_KEYS[j] for col in ("min_value", "max_fraction") for j in d.keymap[col][p] if j >= 0]
        return "、".join(key_label(k) for k in dict.fromkeys(cells)) or "报告"

    return Frame("cell_values", df, ("row_id", "report"), keymap, place=place)


def _table_rows(reports, states) -> Frame:
    """One row per (report, table row): how many of its cells are blank, dashed, missing, unreadable."""
    fmts = _formats(reports)
    parts, maps = [], []
    for f in FORMATS:
        sel = np.flatnonzero(fmts == f)
        if not len(sel):
            continue
        for table in TABLE_KEYS:
            for row in format_spec(f).tables[table].rows:
                keys = [row.cell_key(table, c.key) for c in row.columns]
                idx = _idx(keys)
                st = states[sel][:, idx]
                parts.append(pd.DataFrame({
                    "report": sel, "table": table, "row": row.key,
                    **{f"n_{s}": (st == _S[s]).sum(axis=1) for s in ("blank", "dash", "unreadable")},
                    "n_missing": ((st == _S["missing"]) | (st == _S["null"])).sum(axis=1),
                }))
                maps.append(np.tile(np.array(idx + [-1] * (7 - len(idx)), dtype=np.int32), (len(sel), 1)))
    if parts:
        df = pd.concat(parts, ignore_index=True)
        km = np.concatenate(maps)
    else:
        df = pd.DataFrame(columns=["report", "table", "row", "n_blank", "n_dash", "n_missing", "n_unreadable"])
        km = np.zeros((0, 7), dtype=np.int32)
    df.insert(0, "row_id", np.arange(len(df)))
    for c in ("table", "row"):  # categories: cheap to index on 340,000 rows
        df[c] = df[c].astype("category")
    cols = ("n_blank", "n_dash", "n_missing", "n_unreadable")
    fmt_of = fmts
    # Row keys are unique across the tables, so (report, row) locates a row.
    return Frame("table_rows", df, ("row_id", "report", "row"), {c: km for c in cols},
                 state_filter={c: ("missing", "null") if c == "n_missing" else (c[2:],) for c in cols},
                 place=lambda d, p: f"{row_label(d.col('table')[p], d.col('row')[p], fmt_of[d.col('report')[p]])}")


_TABLE_IDX = {(f, t): np.array(_idx(format_spec(f).tables[t].keys)) for f in FORMATS for t in TABLE_KEYS}


def _report_parts(reports, values, states) -> Frame:
    """One row per (report, section or table): present or missing; the sections' text."""
    n = len(reports)
    texts = [[r.sections.get(s) for s in SECTION_KEYS] for r in reports]
    missing = np.array([[t is None and s in ("overview", "problems") for s, t in zip(SECTION_KEYS, row, strict=True)]
                        for row in texts], dtype=bool).reshape(n, len(SECTION_KEYS))
    for i, r in enumerate(reports):
        for d in r.diagnostics:
            if d.code == "missing_section" and d.key and d.key.startswith("section."):
                name = d.key.split(".", 1)[1]
                if name in SECTION_KEYS:
                    missing[i, SECTION_KEYS.index(name)] = True
    parts = [pd.DataFrame({"report": np.repeat(np.arange(n), len(SECTION_KEYS)), "kind": "section",
                           "part": np.tile(np.array(SECTION_KEYS, dtype=object), n),
                           "state": np.where(missing.ravel(), "missing", "present"),
                           "text": [t for row in texts for t in row]})]
    fmts = _formats(reports)
    for f in FORMATS:
        sel = np.flatnonzero(fmts == f)
        for t in TABLE_KEYS:
            if not len(sel):
                continue
            st = states[sel][:, _TABLE_IDX[(f, t)]]
            # Only the reader knows a table is absent (missing_table); rows it could not
            # find are row-level gaps. A table with no values and no explanation is absent too.
            whole = (st == _S["table_missing"]).any(axis=1) | (st == _S["null"]).all(axis=1)
            parts.append(pd.DataFrame({"report": sel, "kind": "table", "part": t,
                                       "state": np.where(whole, "missing", "present"), "text": None}))
    df = pd.concat(parts, ignore_index=True).sort_values(["report", "kind"], kind="stable", ignore_index=True)
    df.insert(0, "row_id", np.arange(len(df)))
    df["part_key"] = df["kind"] + "." + df["part"]  # "section.problems", "table.appeals"
    km = np.array([KEY_INDEX[k] for k in df["part_key"]], dtype=np.int32)[:, None]
    return Frame("report_parts", df, ("row_id", "report", "part_key"), {"state": km, "text": km},
                 place=lambda d, p: key_label(f"{d.col('kind')[p]}.{d.col('part')[p]}"))


# ---------------------------------------------------------------------------
# Labels


@lru_cache(maxsize=4096)
def _official_labels(key: str, fmt: str | None) -> tuple[str, ...]:
    table, _, rest = key.partition(".")
    if table == "section":
        return tuple(s.title for s in sections() if s.key == rest)
    row, _, col = rest.partition(".")
    out: list[str] = []
    for f in ([fmt] if fmt in FORMATS else []) + list(FORMATS):
        spec = format_spec(f).tables.get(table)
        if spec is None:
            continue
        for r in spec.rows:
            if r.key == row:
                out += [r.leaf, r.label]
                out += [c.label for c in r.columns if c.key == col]
                out += [c.leaf for c in r.columns if c.key == col]
        if out:
            break
    return tuple(out)


@lru_cache(maxsize=4096)
def _closest(found: str, candidates: tuple[str, ...]) -> str:
    from difflib import SequenceMatcher

    return max(candidates, key=lambda c: SequenceMatcher(None, norm(found), norm(c)).ratio())


def _labels(reports) -> Frame:
    """One row per (report, wording as written, official wording) the reader flagged."""
    groups: dict[tuple[int, str, str], dict[str, Any]] = {}
    for i, r in enumerate(reports):
        for d in r.diagnostics:
            if d.code != "label_variant" or not d.key or d.found is None:
                continue
            candidates = _official_labels(d.key, r.format)
            if not candidates:
                continue
            found_norm = norm(d.found)
            # A label that still reads as the official one (spacing, punctuation, the
            # group label written in front) is no variant.
            same = any(found_norm == norm(c) or (norm(c) and found_norm.endswith(norm(c))) for c in candidates)
            official = _closest(d.found, candidates)
            g = groups.setdefault((i, d.found, official), {
                "report": i, "found": d.found, "official": official, "found_norm": found_norm,
                "official_norm": found_norm if same else norm(official), "location": d.location or "",
                "keys": []})
            for key in d.keys or [d.key]:
                if key not in g["keys"]:
                    g["keys"].append(key)
    data = list(groups.values())
    df = pd.DataFrame(data, columns=["report", "found", "official", "found_norm", "official_norm", "location"])
    df["evidence"] = [f"「{f}」（{loc or '位置未记录'}）" for f, loc in zip(df["found"], df["location"], strict=True)]
    df.insert(0, "row_id", np.arange(len(df)))
    km = _pad([_idx(g["keys"]) for g in data]) if data else np.zeros((0, 1), dtype=np.int32)
    return Frame("labels", df, ("row_id", "report", "found"), {"found_norm": km, "official_norm": km},
                 place=lambda d, p: f"「{d.col('official')[p]}」")


# ---------------------------------------------------------------------------
# Across years


def _prior_value(prior: Prior, key: str) -> float:
    v = prior.report.cells.get(key)
    return np.nan if v is None else float(v)


def _carry_over(reports, values, priors) -> Frame:
    rows, maps = [], []
    for i, r in enumerate(reports):
        prior = priors[i]
        if prior is None or r.format not in _IN_FORMAT:
            continue
        for c in APPLICANTS:
            key = f"requests.carried_over.{c}"
            rows.append((i, c, values[i, KEY_INDEX[key]], _prior_value(prior, f"requests.carried_forward.{c}")))
            maps.append(KEY_INDEX[key])
    df = pd.DataFrame(rows, columns=["report", "applicant", "carried_over", "prev_carried_forward"])
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.array(maps, dtype=np.int32).reshape(-1, 1)

    def note(d: Frame, p: int) -> str:
        prior, c = priors[d.col("report")[p]], d.col("applicant")[p]
        return (f"{prior.describe()}；其「结转下年度继续办理/{APPLICANT_LABELS[c]}」"
                f"= {_fmt(prior.report.cells.get(f'requests.carried_forward.{c}'))}")

    return Frame("carry_over", df, ("row_id", "report", "applicant"), {"carried_over": km},
                 place=lambda d, p: f"申请人列「{APPLICANT_LABELS[d.col('applicant')[p]]}」", note=note)


def _in_force(reports, values, priors) -> Frame:
    rows, maps = [], []
    for i, r in enumerate(reports):
        prior = priors[i]
        if prior is None or r.format != "2021":
            continue
        same = prior.report.format == "2021"
        for doc in DOCUMENT_KINDS:
            keys = [f"active.{doc}.{c}" for c in ("in_force", "issued", "repealed")]
            prev = _prior_value(prior, f"active.{doc}.in_force") if same else np.nan
            rows.append((i, doc, values[i, KEY_INDEX[keys[0]]], prev, values[i, KEY_INDEX[keys[1]]],
                         values[i, KEY_INDEX[keys[2]]], same))
            maps.append(_idx(keys))
    df = pd.DataFrame(rows, columns=["report", "document", "in_force", "prev_in_force", "issued", "repealed",
                                     "same_format"])
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.array(maps, dtype=np.int32).reshape(-1, 3)
    keymap = {"in_force": km[:, 0:1], "issued": km[:, 1:2], "repealed": km[:, 2:3], "same_format": km[:, 0:1]}

    def note(d: Frame, p: int) -> str:
        prior, doc = priors[d.col("report")[p]], d.col("document")[p]
        same = prior.report.format == "2021"
        return (f"{prior.describe()}（{prior.report.format}年格式）；其「现行有效件数」= "
                f"{_fmt(prior.report.cells.get(f'active.{doc}.in_force')) if same else '—'}")

    return Frame("in_force", df, ("row_id", "report", "document"), keymap,
                 place=lambda d, p: "规章" if d.col('document')[p] == "regulations" else "行政规范性文件",
                 note=note)


def _repetition(reports, priors) -> Frame:
    sections_ = ("overview", "problems")
    pairs = [(i, priors[i].report) for i in range(len(reports)) if priors[i] is not None]
    # Each report's n-grams once, in one vectorised pass over every text involved.
    involved = list({id(r): r for r in [reports[i] for i, _ in pairs] + [p for _, p in pairs]}.values())
    texts = [r.sections.get(s) or "" for r in involved for s in sections_]
    grams = dict(zip([(id(r), s) for r in involved for s in sections_], shingles_many(texts), strict=True))
    rows = []
    for i, prior in pairs:
        for s in sections_:
            sim = containment(grams[(id(reports[i]), s)], grams[(id(prior), s)])
            rows.append((i, s, np.nan if sim is None else round(sim, 4)))
    df = pd.DataFrame(rows, columns=["report", "section", "similarity"])
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.array([KEY_INDEX[f"section.{s}"] for s in df["section"]], dtype=np.int32).reshape(-1, 1)
    return Frame("repetition", df, ("row_id", "report", "section"), {"similarity": km},
                 place=lambda d, p: key_label(f"section.{d.col('section')[p]}"),
                 note=lambda d, p: f"与{priors[d.col('report')[p]].describe()}相比")


# ---------------------------------------------------------------------------
# Narrative


def _term_keys(term: tuple[str, str, str], fmt: str) -> list[str]:
    table, row, col = term
    if table == "requests" and row in _GROUPS[fmt]:
        return [f"requests.{r}.{col}" for r in _GROUPS[fmt][row]]
    return [f"{table}.{row}.{col}"]


@lru_cache(maxsize=1024)
def _metric_plan(metric: str, fmt: str) -> tuple[tuple[str, ...], tuple[tuple[str | None, str, tuple[int, ...]], ...]] | None:
    """The cells a stated figure is compared with: (keys, terms as (group, column, cell indices))."""
    terms = metric_terms(metric, fmt)
    if terms is None:
        return None
    keys: list[str] = []
    plan = []
    for term in terms:
        tk = _term_keys(term, fmt)
        keys += tk
        group = term[1] if term[0] == "requests" and term[1] in _GROUPS[fmt] else None
        plan.append((group, term[2], tuple(_idx(tk))))
    return tuple(keys), tuple(plan)


def _narrative(reports, values, merged) -> Frame:
    rows, maps, plans = [], [], []
    for i, r in enumerate(reports):
        if r.format not in _IN_FORMAT or not r.sections:
            continue
        for fig in extract_figures(r.sections, r.year):
            plan = _metric_plan(fig.metric, r.format)
            if plan is None:
                continue
            rows.append((i, fig.metric, fig.label, float(fig.value), fig.plain, fig.section,
                         f"{key_label('section.' + fig.section)}：「{fig.sentence}」"
                         + (f"（{fig.qualifier}）" if fig.qualifier else "")))
            plans.append(plan[1])
            maps.append(_idx(plan[0]))
    df = pd.DataFrame(rows, columns=["report", "metric", "label", "stated", "plain", "section", "evidence"])
    km = _pad(maps) if maps else np.zeros((0, 1), dtype=np.int32)
    # The table's figure: the sum of the cells behind it, null if any of them is null ...
    rep = df["report"].to_numpy(dtype=np.int64)
    cells = values[rep[:, None], np.where(km >= 0, km, 0)] if len(df) else np.zeros((0, 1))
    table = np.where(km >= 0, cells, 0.0).sum(axis=1) if len(df) else np.zeros(0)
    # ... except that a merged row counts once, with its own value.
    for n in np.flatnonzero(np.isin(rep, list(merged))) if merged else []:
        i, total = int(rep[n]), 0.0
        for group, column, idx in plans[n]:
            m = merged[i].get(group) if group else None
            total += float(m[column]) if m is not None and m.get(column) is not None else \
                float(values[i, list(idx)].sum())
        table[n] = total
    df.insert(4, "table", table)
    df["plain"] = df["plain"].astype(bool)
    df.insert(0, "row_id", np.arange(len(df)))
    return Frame("narrative", df, ("row_id", "report", "metric"), {"table": km},
                 place=lambda d, p: f"文字所述「{d.col('label')[p]}」")


# ---------------------------------------------------------------------------
# One row per report

def _date(text: str | None) -> pd.Timestamp:
    if not text:
        return pd.NaT
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", str(text))
    if not m:
        return pd.NaT
    try:
        return pd.Timestamp(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    except ValueError:
        return pd.NaT


def expected_format(year: int | None) -> str | None:
    if year is None:
        return None
    return "2021" if year >= 2021 else "2019" if year >= 2019 else None


def _share(num: float, den: float) -> float:
    return num / den if den and not np.isnan(num) and not np.isnan(den) and den > 0 else np.nan


def _reports(reports, values) -> Frame:
    v = values
    nh, th = KEY_INDEX["requests.unavailable_not_held.total"], KEY_INDEX["requests.total_handled.total"]
    lc = [KEY_INDEX["appeals.litigation_direct.corrected"], KEY_INDEX["appeals.litigation_after_reconsideration.corrected"]]
    rows = []
    for i, r in enumerate(reports):
        kind = agency_kind(r.agency)
        deadline = publication_deadline(r.year, kind)
        rows.append({
            "report": i, "agency": r.agency, "year": r.year, "format": r.format,
            "expected_format": expected_format(r.year), "agency_kind": kind,
            "published": _date(r.published), "deadline": pd.Timestamp(deadline) if deadline else pd.NaT,
            "not_held_share": _share(v[i, nh], v[i, th]),
            "litigation_corrected": float(np.sum(v[i, lc])),
            "evidence": f"机关「{r.agency or '未识别'}」{DEADLINE_RULES[kind]}；发布日期 {r.published or '未知'}",
        })
    df = pd.DataFrame(rows, columns=["report", "agency", "year", "format", "expected_format", "agency_kind",
                                     "published", "deadline", "not_held_share", "litigation_corrected",
                                     "evidence"])
    df["published"] = pd.to_datetime(df["published"])
    df["deadline"] = pd.to_datetime(df["deadline"])
    df.insert(0, "row_id", np.arange(len(df)))
    n = len(df)

    def one(key: str) -> np.ndarray:
        return np.full((n, 1), KEY_INDEX[key], dtype=np.int32)

    keymap = {
        "published": one("meta.published"), "deadline": one("meta.published"),
        "format": one("meta.format"), "expected_format": one("meta.year"),
        "agency": one("meta.agency"), "year": one("meta.year"),
        "not_held_share": np.tile(np.array([nh, th], dtype=np.int32), (n, 1)),
        "litigation_corrected": np.tile(np.array(lc, dtype=np.int32), (n, 1)),
    }
    return Frame("reports", df, ("row_id", "report"), keymap, place=lambda d, p: "报告")


# ---------------------------------------------------------------------------


def build_frames(reports: Sequence[Report], priors: Sequence[Prior | None] | None = None) -> Frames:
    """Every frame of a batch. ``priors[i]`` is report i's previous-year record, if known."""
    reports = list(reports)
    priors = list(priors) if priors is not None else [None] * len(reports)
    values, states, recovered, merged = _matrices(reports)
    settled = _settle_by_twins(reports, values, states)
    for i, j in settled:
        recovered[i, j] = True  # read from another file, not from this one
    frames = [
        _requests_columns(reports, values, merged),
        _requests_rows(reports, values, merged),
        _appeals(reports, values),
        _cell_values(values),
        _table_rows(reports, states),
        _report_parts(reports, values, states),
        _labels(reports),
        _carry_over(reports, values, priors),
        _in_force(reports, values, priors),
        _repetition(reports, priors),
        _narrative(reports, values, merged),
        _reports(reports, values),
    ]
    return Frames(reports, values, states, recovered, priors, {f.name: f for f in frames}, merged, settled)


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "无数值"
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------------
# Tidy frames for notebooks and ``Batch.cells`` / ``Batch.table``


def cells_frame(reports: Sequence[Report]) -> pd.DataFrame:
    """Long frame: one row per (report, cell of its format) with value, state, text as written, location."""
    rows = []
    for i, r in enumerate(reports):
        keys = format_spec(r.format).keys if r.format in _IN_FORMAT else list(r.cells)
        codes: dict[str, str] = {}
        for d in r.diagnostics:
            for k in d.keys or ([d.key] if d.key else []):
                codes.setdefault(k, d.code)
        for k in keys:
            p = r.provenance.get(k)
            table, row, column = k.split(".")
            rows.append({"report": i, "source": r.source, "agency": r.agency, "year": r.year, "table": table,
                         "row": row, "column": column, "key": k, "value": r.cells.get(k),
                         "diagnostic": codes.get(k), "text": p.text if p else None,
                         "location": p.location if p else None})
    return pd.DataFrame(rows, columns=["report", "source", "agency", "year", "table", "row", "column", "key", "value",
                                       "diagnostic", "text", "location"])


def table_frame(reports: Sequence[Report], name: str) -> pd.DataFrame:
    """Tidy frame of one table: one row per (report, table row), one column per table column."""
    if name not in TABLE_KEYS:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLE_KEYS)}")
    rows = []
    for i, r in enumerate(reports):
        if r.format not in _IN_FORMAT:
            continue
        for row in format_spec(r.format).tables[name].rows:
            rec: dict[str, Any] = {"report": i, "source": r.source, "agency": r.agency, "year": r.year,
                                   "format": r.format, "row": row.key, "label": row.label}
            for c in row.columns:
                rec[c.key] = r.cells.get(row.cell_key(name, c.key))
            rows.append(rec)
    return pd.DataFrame(rows)
