"""``Frame`` (one DataFrame a suite validates, with the cells behind each value) and ``Frames``
(every frame of a batch, with the matrices they were cut from and the evidence they give)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from auditkit.agency import Prior
from auditkit.frames.keys import ALL_KEYS, KEY_INDEX, N_CELLS, STATE_REASONS, STATES
from auditkit.precompiled import dataclass
from auditkit.record import Report


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
    # a failing row's (expected, actual, difference) as the findings show them, when the rule's
    # own arithmetic does not say it well (a share, a claim in words, a bound from blank cells)
    explain: Callable[[Frame, int], tuple[Any, Any, Any]] | None = None
    # the rule columns the ``evidence`` column speaks of: a rule reading none of them is not given it
    # (the reports frame's deadline sentence is evidence for the timeliness rules, not for plausibility)
    evidence_for: tuple[str, ...] | None = None
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _names: frozenset[str] | None = field(default=None, repr=False)
    _places: dict[int, str] = field(default_factory=dict, repr=False)

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
        if self.place is None:
            return ""
        place = self._places.get(pos)
        if place is None:  # a row is placed for each rule it fails or skips: worded once
            place = self._places[pos] = self.place(self, pos)
        return place


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
    # (n,) bool: the reports judged; False for a copy of a report audited on another file (None: all)
    audited: np.ndarray | None = None
    # Per report: cells cut from run-together digits -> the diagnostic that cut them; per such
    # diagnostic (by id, kept beside it so the id is not reused): the cut in words.
    _cut_by_key: dict[int, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    _cut_words: dict[int, tuple[Any, str | None]] = field(default_factory=dict, init=False, repr=False)

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
            for j in idx[pos].tolist():  # plain ints: much quicker to loop over than numpy scalars
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
        parts = []
        provenance = self.reports[report].provenance
        cuts, settled = self._cuts(report), self.settled
        for k in keys[:limit]:
            p = provenance.get(k)
            if p is not None and not (settled and (report, KEY_INDEX.get(k, -1)) in settled):
                # The common case, as ``_cell_evidence`` has it, without its lookups: most findings
                # cite many cells, and most cells were not cut (then: _read_as without a reading).
                d = cuts.get(k)
                parts.append(f"{k}「{p.text}」（{p.location}）" if d is None
                             else _read_as(k, p, self._cut_reading(report, d)))
                continue
            text = self._cell_evidence(report, k)
            if text is not None:
                parts.append(text)
        if len(keys) > limit:
            parts.append(f"等{len(keys)}格")
        return "；".join(parts)


    def _cell_evidence(self, report: int, k: str) -> str | None:
        """One cell's text as written and where (or why it has none)."""
        rep = self.reports[report]
        p = rep.provenance.get(k)
        twin = self.settled.get((report, KEY_INDEX.get(k, -1))) if self.settled else None
        if twin is not None:
            v = self.values[report, KEY_INDEX[k]]
            return (f"{k}：本文件数字连写无法确定" + (f"「{p.text}」（{p.location}）" if p is not None else "")
                    + f"，取自同一报告的另一文件 {self.reports[twin].source} = {format_value(v)}")
        if p is not None:
            return _read_as(k, p, self._reading(report, k))
        if k in rep.cells and rep.cells[k] is None:
            return f"{k}：{STATE_REASONS.get(self.state(report, k), '无数值')}"
        return None


    def _cuts(self, report: int) -> dict[str, Any]:
        """A report's cells cut from a run of digits -> the diagnostic that cut them (looked through once)."""
        cuts = self._cut_by_key.get(report)
        if cuts is None:
            cuts = self._cut_by_key[report] = {k: d for d in self.reports[report].diagnostics
                                               if d.code in SPLIT_CODES and d.keys and d.found for k in d.keys}
        return cuts

    def _reading(self, report: int, key: str) -> str | None:
        """The cut as a person checks it: "713000074" read as "71|3|0|0|0|0|74" (None: not cut).
        Worded only for the cells evidence names."""
        d = self._cuts(report).get(key)
        return None if d is None else self._cut_reading(report, d)

    def _cut_reading(self, report: int, d: Any) -> str | None:
        worded = self._cut_words.get(id(d))
        if worded is None:
            rep = self.reports[report]
            values = [(d.values or {}).get(k, rep.cells.get(k)) for k in d.keys]
            worded = self._cut_words[id(d)] = (d, None if any(v is None for v in values)
                                               else "|".join(format_value(float(v)) for v in values))
        return worded[1]


def _read_as(key: str, p: Any, reading: str | None) -> str:
    """A cell's evidence: its text as written, how a cut read it where that differs, and where it stands."""
    said = f"「{p.text}」读作 {reading}" if reading and reading != p.text else f"「{p.text}」"
    return f"{key}{said}（{p.location}）"


# Diagnostics of a run of digits that the reader cut into cells.
SPLIT_CODES = frozenset({"digits_split", "recovered_by_arithmetic"})


def format_value(v: Any) -> str:
    """A value as the evidence words it: \"无数值\" for a null, 3 for 3.0."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "无数值"
    return f"{float(v):g}" if isinstance(v, float) else str(v)  # numpy's own formatting is several times slower
