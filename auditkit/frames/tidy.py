"""Tidy frames for notebooks and ``Batch.cells`` / ``Batch.table``: the records as an auditor
or an analyst wants them, not shaped for rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from auditkit.formats import format_spec
from auditkit.frames.keys import IN_FORMAT, TABLE_KEYS
from auditkit.record import Report


def cells_frame(reports: Sequence[Report]) -> pd.DataFrame:
    """Long frame: one row per (report, cell of its format) with value, state, text as written, location."""
    rows = []
    for i, r in enumerate(reports):
        keys = format_spec(r.format).keys if r.format in IN_FORMAT else list(r.cells)
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
        if r.format not in IN_FORMAT:
            continue
        for row in format_spec(r.format).tables[name].rows:
            rec: dict[str, Any] = {"report": i, "source": r.source, "agency": r.agency, "year": r.year,
                                   "format": r.format, "row": row.key, "label": row.label}
            for c in row.columns:
                rec[c.key] = r.cells.get(row.cell_key(name, c.key))
            rows.append(rec)
    return pd.DataFrame(rows)
