"""Records -> pandas DataFrames shaped so that each rule is one expectation.

Every frame is built for the whole batch at once (one validation run per suite,
never per report) and is vectorised over a single report x cell matrix:

==================  ==============================  =======================================  ==========
frame               one row per                     a rule on it                             module
==================  ==============================  =======================================  ==========
requests_columns    report x applicant column (7)   一 + 二 == （七）总计 + 四                requests
requests_rows       report x table row              总计 == the six applicant columns         requests
appeals             report x group (3)              总计 == 维持 + 纠正 + 其他 + 尚未审结     appeals
cell_values         report                          counts are non-negative integers         values
table_rows          report x table row              no blank, dashed or missing cells        values
report_parts        report x section or table       nothing missing; 五 not empty            values
labels              report x label variant          wording as the official format           labels
carry_over          report x applicant column       上年结转 == last year's 结转下年度        years
in_force            report x document kind          现行有效 == last year's + 制发 - 废止     years
narrative           report x figure in the text     the text agrees with the table           narrative
repetition          report x section (一, 五)        not a copy of last year's text           years
reports             report                          deadline, format, plausibility           reports
copies              report x another file of it     the files of one report agree            copies
==================  ==============================  =======================================  ==========

Besides its data, each ``Frame`` knows which cell keys every (row, column)
stands for (``keymap``), so findings can name cells, the cells' text as
written, and whether a value was not read independently from its file (recovered
by arithmetic at reading, or settled from another file of the same report).

The rooms: ``keys`` (the cell universe, states, wording), ``cells`` (the batch as
matrices, twin files), ``frame`` (``Frame`` and ``Frames``), one module per topic
above, and ``tidy`` (``cells_frame``, ``table_frame`` for notebooks). Import from
here; the modules are the package's own business.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from auditkit.agency import Prior
from auditkit.collector import collector_paused
from auditkit.copies import CopyGroup
from auditkit.frames.appeals import build_appeals
from auditkit.frames.bounds import cell_bounds
from auditkit.frames.cells import cell_matrices, settle_by_twins
from auditkit.frames.copies import build_copies
from auditkit.frames.frame import Frame, Frames
from auditkit.frames.keys import (
    ALL_KEYS,
    APPLICANTS,
    CELL_KEYS,
    KEY_INDEX,
    N_CELLS,
    STATE_REASONS,
    STATES,
    key_label,
    report_formats,
    request_groups,
    row_label,
)
from auditkit.frames.labels import build_labels
from auditkit.frames.narrative import build_narrative
from auditkit.frames.reports import build_reports
from auditkit.frames.requests import build_requests_columns, build_requests_rows
from auditkit.frames.tidy import cells_frame, table_frame
from auditkit.frames.values import build_cell_values, build_report_parts, build_table_rows
from auditkit.frames.years import build_carry_over, build_in_force, build_repetition
from auditkit.record import Report

__all__ = [
    "ALL_KEYS", "APPLICANTS", "CELL_KEYS", "FRAME_NAMES", "KEY_INDEX", "N_CELLS", "STATES", "STATE_REASONS",
    "Frame", "Frames", "build_frames", "cells_frame", "key_label", "request_groups", "row_label", "table_frame",
]

FRAME_NAMES = ("requests_columns", "requests_rows", "appeals", "cell_values", "table_rows", "report_parts", "labels",
               "carry_over", "in_force", "repetition", "narrative", "reports", "copies")


@collector_paused
def build_frames(reports: Sequence[Report], priors: Sequence[Prior | None] | None = None,
                 copies: Sequence[CopyGroup] = ()) -> Frames:
    """Every frame of a batch. ``priors[i]`` is report i's previous-year record, if known. ``copies``: the
    files that hold one report (``auditkit.copies.group_copies``): only each group's audited file is
    judged (``Frames.audited``); its copies still settle cells it could not read, and are compared with it."""
    reports = list(reports)
    priors = list(priors) if priors is not None else [None] * len(reports)
    values, states, recovered, merged = cell_matrices(reports)
    settled = settle_by_twins(reports, values, states)
    for i, j in settled:
        recovered[i, j] = True  # read from another file, not from this one
    bounds = cell_bounds(report_formats(reports), values)
    frames = [
        build_requests_columns(reports, values, merged),
        build_requests_rows(reports, values, merged),
        build_appeals(reports, values),
        build_cell_values(values),
        build_table_rows(reports, states),
        build_report_parts(reports, values, states),
        build_labels(reports),
        build_carry_over(reports, values, priors),
        build_in_force(reports, values, priors),
        build_repetition(reports, priors),
        build_narrative(reports, values, merged, bounds, priors),
        build_reports(reports, values),
        build_copies(reports, copies),
    ]
    audited = np.ones(len(reports), dtype=bool)
    for group in copies:
        audited[group.copies] = False
    return Frames(reports, values, states, recovered, priors, {f.name: f for f in frames}, merged, settled, audited)
