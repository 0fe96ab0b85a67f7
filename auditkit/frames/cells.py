"""The batch as matrices: every report's value and state of every cell, the cells recovered
by arithmetic at reading, and the merged rows; then twin files settle unreadable cells.

The frames are all cut from these matrices, so a cell is read from its record once.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from auditkit.agency import normalise_agency
from auditkit.formats import format_spec
from auditkit.frames.keys import (
    FORMATS,
    IN_FORMAT,
    KEY_INDEX,
    N_CELLS,
    REQUEST_GROUPS,
    STATE_CODE,
    key_indices,
)
from auditkit.record import Report

_STATE_OF_CODE = {
    "blank_cell": "blank", "dash_cell": "dash", "missing_row": "missing", "missing_values": "missing",
    "ambiguous_digits": "unreadable", "no_valid_split": "unreadable", "unparsed_value": "unreadable",
    "not_a_count": "unreadable", "extra_values": "unreadable", "merged_row": "merged", "missing_table": "table_missing",
    "cut_off": "missing", "self_check": "unreadable", "ocr_doubtful": "unreadable",
}
# When several diagnostics name one cell, the stronger explanation wins.
_STATE_RANK = {"merged": 6, "table_missing": 5, "missing": 4, "blank": 3, "dash": 2, "unreadable": 1}
_DIAGNOSED = {*_STATE_OF_CODE, "recovered_by_arithmetic"}
# A sub-row -> its group of several rows: a merged_row diagnostic names the group's first sub-row.
# report -> request group -> {column: value}: the values a merged row gives its group.
MergedRows = dict[int, dict[str, dict[str, Any]]]
_GROUP_OF_ROW = {f: {row: g for g, rows in REQUEST_GROUPS[f].items() if len(rows) > 1 for row in rows} for f in FORMATS}


def cell_matrices(reports: Sequence[Report]) -> tuple[np.ndarray, np.ndarray, np.ndarray, MergedRows]:
    """The batch as matrices: values, the reader's state of every cell, and what was recovered."""
    n = len(reports)
    values = np.full((n, N_CELLS), np.nan)
    for f in FORMATS:
        keys = format_spec(f).keys
        get, idx = operator.itemgetter(*keys), key_indices(keys)
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
        if r.format not in IN_FORMAT:
            for k, v in r.cells.items():
                if k in KEY_INDEX and KEY_INDEX[k] < N_CELLS and v is not None:
                    values[i, KEY_INDEX[k]] = v
    states = np.where(np.isnan(values), STATE_CODE["null"], STATE_CODE["ok"]).astype(np.int8)
    for f in FORMATS:
        sel = [i for i, r in enumerate(reports) if r.format == f]
        if sel:
            states[np.ix_(sel, np.flatnonzero(~IN_FORMAT[f]))] = STATE_CODE["na"]
    recovered = np.zeros((n, N_CELLS), dtype=bool)
    merged: MergedRows = {}
    for i, r in enumerate(reports):
        if r.format not in IN_FORMAT:
            states[i, :] = np.where(np.isnan(values[i]), STATE_CODE["na"], STATE_CODE["ok"])
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
            row = values[i]
            for k in keys:
                j = KEY_INDEX.get(k)
                if j is None or j >= N_CELLS or not math.isnan(row[j]):  # math's: numpy's on a scalar is slower
                    continue
                if _STATE_RANK[state] > rank.get(j, 0):
                    rank[j] = _STATE_RANK[state]
                    states[i, j] = STATE_CODE[state]
    return values, states, recovered, merged


def _row_keys(key: str, fmt: str) -> list[str]:
    table, row, _ = key.split(".")
    return [k for k in format_spec(fmt).tables[table].keys if k.split(".")[1] == row]


def settle_by_twins(reports: Sequence[Report], values: np.ndarray, states: np.ndarray) -> dict[tuple[int, int], int]:
    """Fill cells one file could not read from another file of the same report.

    Agencies publish one report as a web page, a Word file and a PDF; a crawler's
    text copy may run the digits of a row together. When another file of the same
    agency and year agrees on every cell both read (at least 100) and its row is
    one of the splits the reader found possible, that row is settled. Returns
    {(report, cell): twin report}; such cells are never "independently verified".
    """
    groups: dict[tuple[str, int, str], list[int]] = {}
    for i, r in enumerate(reports):
        if r.agency and r.year is not None and r.format in IN_FORMAT:
            groups.setdefault((normalise_agency(r.agency), r.year, r.format), []).append(i)
    settled: dict[tuple[int, int], int] = {}
    unreadable = STATE_CODE["unreadable"]
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
                idx = key_indices(row)
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
                                states[i, j] = STATE_CODE["ok"]
                                settled[(i, j)] = t
                        break
    return settled
