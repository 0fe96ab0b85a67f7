"""The copies frame: one row per (report audited, another file of the same report), with the number
of cells both files read whose values differ, so that "the copies of a report agree" is one
expectation (``consistency.copies_disagree``). The groups come from ``auditkit.copies``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

import numpy as np
import pandas as pd

from auditkit.copies import CopyGroup
from auditkit.frames.frame import Frame, format_value
from auditkit.frames.keys import key_indices, pad_rows
from auditkit.record import Report


def build_copies(reports: Sequence[Report], groups: Sequence[CopyGroup]) -> Frame:
    """One row per (audited file, copy): the copy's file and how many cells differ, naming those cells."""
    rows = [(g.audited, c, g.differences.get(c, [])) for g in groups for c in g.copies]
    df = pd.DataFrame({
        "row_id": np.arange(len(rows)), "report": np.array([r for r, _, _ in rows], dtype=np.int64),
        "copy": [reports[c].source for _, c, _ in rows],
        "differing": np.array([len(d) for _, _, d in rows], dtype=np.int64),
    }, columns=["row_id", "report", "copy", "differing"])
    keymap = {"differing": pad_rows([key_indices([k for k, _, _ in d]) for _, _, d in rows])}

    def note(frame: Frame, pos: int) -> str:
        report, copy, differ = rows[pos]
        mine, theirs = reports[report], reports[copy]
        parts = []
        for key, a, b in differ[:12]:
            pb = theirs.provenance.get(key)  # where the audited file has it, its own evidence says
            parts.append(f"{key}：本文件 {format_value(a)}，{PurePath(theirs.source).name} {format_value(b)}"
                         + (f"（{pb.location}）" if pb else ""))
        more = f"；等 {len(differ)} 格" if len(differ) > 12 else ""
        return (f"同一报告的另一文件 {PurePath(theirs.source).name} 与本文件（{PurePath(mine.source).name}）"
                f"有 {len(differ)} 个单元格数值不同：" + "；".join(parts) + more)

    def explain(frame: Frame, pos: int) -> tuple[None, str, int]:
        n = len(rows[pos][2])
        return None, f"{n} 个单元格两文件不同", n

    return Frame("copies", df, ("row_id", "report", "copy"), keymap,
                 place=lambda d, p: f"与 {PurePath(d.col('copy')[p]).name} 比较", note=note, explain=explain)
