"""Frames about what was read, not what it adds up to: each report's values (non-negative,
whole counts), each table row's blank, dashed, missing and unreadable cells, and each
section and table present or missing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from auditkit.formats import format_spec
from auditkit.frames.frame import Frame
from auditkit.frames.keys import (
    CELL_KEYS,
    FORMATS,
    KEY_INDEX,
    N_CELLS,
    SECTION_KEYS,
    STATE_CODE,
    TABLE_KEYS,
    key_indices,
    key_label,
    pad_rows,
    report_formats,
    row_label,
)
from auditkit.record import Report


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


def build_cell_values(values: np.ndarray) -> Frame:
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
    keymap = {"min_value": pad_rows([np.flatnonzero(row).tolist() for row in negative]) if negative.any() else
              np.full((n, 1), -1, dtype=np.int32),
              "max_fraction": pad_rows([np.flatnonzero(row).tolist() for row in broken]) if broken.any() else
              np.full((n, 1), -1, dtype=np.int32)}

    def place(d: Frame, p: int) -> str:
        cells = [CELL_KEYS[j] for col in ("min_value", "max_fraction") for j in d.keymap[col][p] if j >= 0]
        return "、".join(key_label(k) for k in dict.fromkeys(cells)) or "报告"

    return Frame("cell_values", df, ("row_id", "report"), keymap, place=place)


def build_table_rows(reports: Sequence[Report], states: np.ndarray) -> Frame:
    """One row per (report, table row): how many of its cells are blank, dashed, missing, unreadable."""
    fmts = report_formats(reports)
    parts, maps = [], []
    for f in FORMATS:
        sel = np.flatnonzero(fmts == f)
        if not len(sel):
            continue
        for table in TABLE_KEYS:
            for row in format_spec(f).tables[table].rows:
                keys = [row.cell_key(table, c.key) for c in row.columns]
                idx = key_indices(keys)
                st = states[sel][:, idx]
                parts.append(pd.DataFrame({
                    "report": sel, "table": table, "row": row.key,
                    **{f"n_{s}": (st == STATE_CODE[s]).sum(axis=1) for s in ("blank", "dash", "unreadable")},
                    "n_missing": ((st == STATE_CODE["missing"]) | (st == STATE_CODE["null"])).sum(axis=1),
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


_TABLE_IDX = {(f, t): np.array(key_indices(format_spec(f).tables[t].keys)) for f in FORMATS for t in TABLE_KEYS}


def build_report_parts(reports: Sequence[Report], values: np.ndarray, states: np.ndarray) -> Frame:
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
    fmts = report_formats(reports)
    for f in FORMATS:
        sel = np.flatnonzero(fmts == f)
        for t in TABLE_KEYS:
            if not len(sel):
                continue
            st = states[sel][:, _TABLE_IDX[(f, t)]]
            # Only the reader knows a table is absent (missing_table); rows it could not
            # find are row-level gaps. A table with no values and no explanation is absent too.
            whole = (st == STATE_CODE["table_missing"]).any(axis=1) | (st == STATE_CODE["null"]).all(axis=1)
            parts.append(pd.DataFrame({"report": sel, "kind": "table", "part": t,
                                       "state": np.where(whole, "missing", "present"), "text": None}))
    df = pd.concat(parts, ignore_index=True).sort_values(["report", "kind"], kind="stable", ignore_index=True)
    df.insert(0, "row_id", np.arange(len(df)))
    df["part_key"] = df["kind"] + "." + df["part"]  # "section.problems", "table.appeals"
    km = np.array([KEY_INDEX[k] for k in df["part_key"]], dtype=np.int32)[:, None]
    return Frame("report_parts", df, ("row_id", "report", "part_key"), {"state": km, "text": km},
                 place=lambda d, p: key_label(f"{d.col('kind')[p]}.{d.col('part')[p]}"))
