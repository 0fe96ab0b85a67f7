"""What a cell with no value can still hold: counts are never negative, and a table's own sums
bound a blank cell from its filled neighbours.

For every report and cell, ``lo <= true value <= hi``:

- a cell read: lo = hi = its value;
- any other cell of a count: lo = 0, hi = infinity; except that
- a blank 总计 of a row of 表三 (or of a group of 表四) is at least what the filled cells of its
  row add up to (总计 = the applicant columns, or 维持 + 纠正 + 其他 + 尚未审结), and
- a blank cell of a row whose 总计 is filled is at most that 总计 less the row's other filled cells.

A figure the text states that lies outside what its cells allow is wrong whatever the blank
cells hold: "即使空白单元格按任意非负数计" the table cannot agree with it.
"""

from __future__ import annotations

import numpy as np

from auditkit.formats import APPEAL_COLUMNS, APPEAL_GROUPS, APPLICANT_COLUMNS, format_spec
from auditkit.frames.keys import FORMATS, key_indices

Bounds = tuple[np.ndarray, np.ndarray]  # (lo, hi), each (n, N_CELLS)


def _row_blocks(fmt: str) -> list[tuple[np.ndarray, int]]:
    """For each row of 表三 and group of 表四: the cells that add up (parts) and the 总计 cell."""
    out = []
    for r in format_spec(fmt).tables["requests"].rows:
        idx = key_indices([f"requests.{r.key}.{c}" for c in (*APPLICANT_COLUMNS, "total")])
        out.append((np.array(idx[:-1]), idx[-1]))
    for g in APPEAL_GROUPS:
        idx = key_indices([f"appeals.{g}.{c}" for c in APPEAL_COLUMNS])  # total is last
        out.append((np.array(idx[:-1]), idx[-1]))
    return out


_BLOCKS = {f: _row_blocks(f) for f in FORMATS}


def cell_bounds(formats: np.ndarray, values: np.ndarray) -> Bounds:
    """``(lo, hi)`` for every report (``formats[i]`` its format, "" for neither) and cell."""
    unknown = np.isnan(values)
    lo = np.where(unknown, 0.0, values)
    hi = np.where(unknown, np.inf, values)
    if not unknown.any():
        return lo, hi
    for fmt in FORMATS:
        sel = np.flatnonzero((formats == fmt) & unknown.any(axis=1))
        if not len(sel):
            continue
        for parts, total in _BLOCKS[fmt]:
            part_vals = values[np.ix_(sel, parts)]  # (m, k)
            tot = values[sel, total]
            blank_parts = np.isnan(part_vals)
            filled = np.where(blank_parts, 0.0, part_vals).sum(axis=1)
            # A blank total: at least its filled parts.
            lo[sel, total] = np.where(np.isnan(tot), filled, lo[sel, total])
            # A blank part beside a filled total: at most what the total leaves (a row already over
            # its total says nothing more here; the row's own identity reports it).
            room = tot - filled
            cap = np.where(np.isnan(room) | (room < 0), np.inf, room)
            hi[np.ix_(sel, parts)] = np.where(blank_parts, cap[:, None], hi[np.ix_(sel, parts)])
    return lo, hi
