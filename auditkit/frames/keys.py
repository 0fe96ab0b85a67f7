"""The cell universe: every cell key of both national formats, the pseudo-keys that stand for
sections, tables and metadata, the states a cell can be in, and the official wording of a key.

Every frame indexes the same report x cell matrix through ``KEY_INDEX``; a frame's keymap
holds indices into ``ALL_KEYS`` (cells first, ``N_CELLS`` of them, then the pseudo-keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from auditkit.formats import APPLICANT_COLUMNS, format_spec, sections
from auditkit.record import Report

FORMATS = ("2021", "2019")
APPLICANTS = (*APPLICANT_COLUMNS, "total")
# The outcome terms of （七）总计, named alike in both formats: a group (（三）, （四）,
# （五）, and （六） in 2021) is the sum of its sub-rows, or the merged row's values.
OUTCOME_TERMS = ("granted", "partially_granted", "withheld", "unavailable", "not_processed", "other_handling")
SECTION_KEYS = tuple(s.key for s in sections())
TABLE_KEYS = ("active", "requests", "appeals")

# Cell states, from the reader's diagnostics; "null" is a null no diagnostic explains.
STATES = ("ok", "blank", "dash", "missing", "unreadable", "merged", "table_missing", "na", "null")
STATE_CODE = {name: i for i, name in enumerate(STATES)}  # state -> its int8 code in ``Frames.states``
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


IN_FORMAT = _format_keys()  # format -> (N_CELLS,) bool: the cells that format has


def request_groups(fmt: str) -> dict[str, tuple[str, ...]]:
    """Outcome term -> the format's rows it sums (``withheld`` -> the eight 不予公开 rows)."""
    table = format_spec(fmt).tables["requests"]
    groups = {g.key: tuple(g.children) for g in table.groups}
    rows = {r.key for r in table.rows}
    return {t: groups.get(t, (t,) if t in rows else ()) for t in OUTCOME_TERMS}


REQUEST_GROUPS = {f: request_groups(f) for f in FORMATS}  # format -> outcome term -> its rows


@lru_cache(maxsize=4096)
def row_label(table: str, row: str, fmt: str = "2021") -> str:
    """The official wording of a table row, or of a group of rows, in the given format."""
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


def key_indices(keys: Sequence[str]) -> list[int]:
    """Positions of keys in ``ALL_KEYS``."""
    return [KEY_INDEX[k] for k in keys]


def pad_rows(rows: list[list[int]], width: int | None = None) -> np.ndarray:
    """Rows of key indices of unequal length as one int32 array, padded with -1."""
    width = width or max((len(r) for r in rows), default=1) or 1
    out = np.full((len(rows), width), -1, dtype=np.int32)
    for i, r in enumerate(rows):
        out[i, :len(r)] = r
    return out


def report_formats(reports: Sequence[Report]) -> np.ndarray:
    """Each report's format, "" when it is neither national format."""
    return np.array([r.format if r.format in IN_FORMAT else "" for r in reports], dtype=object)
