"""The requests table (三) as two frames: one row per applicant column (the column identities:
一 + 二 == （七）总计 + 四, each outcome group the sum of its rows) and one row per table row
(总计 == the six applicant columns); a merged group counts once, with its own values.

Beside each outcome term (``withheld``: the sum of （三）'s eight rows, null if one is blank) the
column ``withheld_min`` holds what its filled rows add up to: the least the term can be, since
a blank row is a count >= 0."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from auditkit.formats import format_spec
from auditkit.frames.cells import MergedRows
from auditkit.frames.frame import Frame
from auditkit.frames.keys import (
    APPLICANTS,
    FORMATS,
    OUTCOME_TERMS,
    REQUEST_GROUPS,
    key_indices,
    report_formats,
    row_label,
)
from auditkit.narrative import APPLICANT_LABELS
from auditkit.record import Report

BALANCE_ROWS = ("new_received", "carried_over", "total_handled", "carried_forward")


def build_requests_columns(reports: Sequence[Report], values: np.ndarray, merged: MergedRows) -> Frame:
    """One row per (report, applicant column): the column identities are one expectation each."""
    fmts = report_formats(reports)
    rep_ids = np.flatnonzero(fmts != "")
    n, a = len(rep_ids), len(APPLICANTS)
    rep = np.repeat(rep_ids, a)
    app = np.tile(np.array(APPLICANTS, dtype=object), n)
    data: dict[str, Any] = {"report": rep, "applicant": app, "format": np.repeat(fmts[rep_ids], a)}
    keymap: dict[str, np.ndarray] = {}
    for row in BALANCE_ROWS:
        idx = key_indices([f"requests.{row}.{c}" for c in APPLICANTS])
        data[row] = values[rep_ids][:, idx].ravel()
        keymap[row] = np.tile(idx, n)[:, None].astype(np.int32)
    for term in OUTCOME_TERMS:
        col = np.full(n * a, np.nan)
        filled = np.full(n * a, np.nan)  # what the filled rows of the term add up to: a blank row is >= 0
        km = np.full((n * a, 8), -1, dtype=np.int32)
        for f in FORMATS:
            rows = REQUEST_GROUPS[f][term]
            sel = np.flatnonzero(fmts[rep_ids] == f)
            if not rows or not len(sel):
                continue
            idx = np.array([key_indices([f"requests.{r}.{c}" for c in APPLICANTS]) for r in rows])  # (rows, 7)
            block = values[rep_ids[sel]][:, idx]  # (m, rows, 7); a null sub-row makes the sum null
            sums = block.sum(axis=1)
            pos = (sel[:, None] * a + np.arange(a)).ravel()
            col[pos] = sums.ravel()
            filled[pos] = np.where(np.isnan(block), 0.0, block).sum(axis=1).ravel()
            km[pos, :len(rows)] = np.tile(idx.T, (len(sel), 1))
        for i, groups in merged.items():
            if term in groups and fmts[i]:
                p = int(np.searchsorted(rep_ids, i))
                for c, v in groups[term].items():
                    if c in APPLICANTS and v is not None:
                        col[p * a + APPLICANTS.index(c)] = filled[p * a + APPLICANTS.index(c)] = v
        data[term] = col
        data[f"{term}_min"] = filled
        keymap[term] = km
    df = pd.DataFrame(data)
    df.insert(0, "row_id", np.arange(len(df)))
    return Frame("requests_columns", df, ("row_id", "report", "applicant"), keymap,
                 place=lambda d, p: f"申请人列「{APPLICANT_LABELS[d.col('applicant')[p]]}」")


@lru_cache(maxsize=64)
def _merged_group(fmt: str, group: str) -> tuple[list[int], list[list[int]]]:
    """A request group of the format: its rows' places among the table's rows, and per applicant column
    the keys of its rows (the cells a merged row stands for). The same for every report of the format."""
    rows = [r.key for r in format_spec(fmt).tables["requests"].rows]
    children = REQUEST_GROUPS[fmt][group]
    return ([rows.index(ch) for ch in children],
            [key_indices([f"requests.{ch}.{c}" for ch in children]) for c in APPLICANTS])


def build_requests_rows(reports: Sequence[Report], values: np.ndarray, merged: MergedRows) -> Frame:
    """One row per (report, table row); a merged group is one row with the merged values."""
    fmts = report_formats(reports)
    parts: list[pd.DataFrame] = []
    maps: list[np.ndarray] = []
    first_row: dict[int, int] = {}  # report with merged groups -> the position of its first row in the frame
    offset = 0
    for f in FORMATS:
        sel = np.flatnonzero(fmts == f)
        if not len(sel):
            continue
        rows = [r.key for r in format_spec(f).tables["requests"].rows]
        for i in merged:
            if fmts[i] == f:
                first_row[i] = offset + int(np.searchsorted(sel, i)) * len(rows)
        offset += len(sel) * len(rows)
        idx = np.array([key_indices([f"requests.{r}.{c}" for c in APPLICANTS]) for r in rows])  # (rows, 7)
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
        for i, groups in merged.items():
            for g, vals in groups.items():
                rel, keys = _merged_group(fmts[i], g)
                keep[[first_row[i] + k for k in rel]] = False
                extra_rows.append({"report": i, "row": g, "merged": True,
                                   **{c: float(vals[c]) if vals.get(c) is not None else np.nan
                                      for c in APPLICANTS}})
                extra_keys.append(keys)
        df = pd.concat([df[keep], pd.DataFrame(extra_rows, columns=df.columns)], ignore_index=True)
        for c in APPLICANTS:
            df[c] = df[c].astype(float)
        df["merged"] = df["merged"].astype(bool)
    width = max([1] + [len(k[0]) for k in extra_keys])
    kept = int(keep.sum())
    keymap: dict[str, np.ndarray] = {}
    # The extra rows of one group share its keys (one cached list per group): laid out a group at a time.
    of_group: dict[int, tuple[list[list[int]], list[int]]] = {}
    for e, keys in enumerate(extra_keys):
        of_group.setdefault(id(keys), (keys, []))[1].append(kept + e)
    for ci, c in enumerate(APPLICANTS):
        km = np.full((kept + len(extra_keys), width), -1, dtype=np.int32)
        km[:kept, 0] = km_base[keep, ci]
        for keys, at in of_group.values():
            km[at, :len(keys[ci])] = keys[ci]
        keymap[c] = km
    keymap["merged"] = np.concatenate([keymap[c] for c in APPLICANTS], axis=1)
    df.insert(0, "row_id", np.arange(len(df)))
    fmt_of = fmts
    return Frame("requests_rows", df, ("row_id", "report", "row"), keymap,
                 place=lambda d, p: f"行「{row_label('requests', d.col('row')[p], fmt_of[d.col('report')[p]])}」")
