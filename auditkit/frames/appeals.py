"""The appeals table (四) as a frame: one row per (report, group: 行政复议, 未经复议直接起诉,
复议后起诉), so that 总计 == 维持 + 纠正 + 其他 + 尚未审结 is one expectation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from auditkit.formats import APPEAL_COLUMNS, APPEAL_GROUPS
from auditkit.frames.frame import Frame
from auditkit.frames.keys import key_indices, report_formats, row_label
from auditkit.record import Report


def build_appeals(reports: Sequence[Report], values: np.ndarray) -> Frame:
    """One row per (report, appeal group), one column per outcome."""
    fmts = report_formats(reports)
    sel = np.flatnonzero(fmts != "")
    g = len(APPEAL_GROUPS)
    idx = np.array([key_indices([f"appeals.{grp}.{c}" for c in APPEAL_COLUMNS]) for grp in APPEAL_GROUPS])  # (3, 5)
    block = values[sel][:, idx].reshape(-1, len(APPEAL_COLUMNS))
    df = pd.DataFrame(block, columns=list(APPEAL_COLUMNS))
    df.insert(0, "group", np.tile(np.array(APPEAL_GROUPS, dtype=object), len(sel)))
    df.insert(0, "report", np.repeat(sel, g))
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.tile(idx, (len(sel), 1)).astype(np.int32)
    keymap = {c: km[:, i:i + 1] for i, c in enumerate(APPEAL_COLUMNS)}
    return Frame("appeals", df, ("row_id", "report", "group"), keymap,
                 place=lambda d, p: f"「{row_label('appeals', d.col('group')[p])}」")
