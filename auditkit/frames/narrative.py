"""The narrative frame: one row per figure the text states (``auditkit.narrative``), with the
table's figure it claims, so that a rule can hold the text against the tables.

A figure's metric becomes a plan once per (metric, format): the cells it sums, with the
request groups resolved to the format's rows; a merged group counts with its own value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from auditkit.frames.cells import MergedRows
from auditkit.frames.frame import Frame
from auditkit.frames.keys import IN_FORMAT, REQUEST_GROUPS, key_indices, key_label, pad_rows
from auditkit.narrative import extract_figures, metric_terms
from auditkit.record import Report


def _term_keys(term: tuple[str, str, str], fmt: str) -> list[str]:
    table, row, col = term
    if table == "requests" and row in REQUEST_GROUPS[fmt]:
        return [f"requests.{r}.{col}" for r in REQUEST_GROUPS[fmt][row]]
    return [f"{table}.{row}.{col}"]


@lru_cache(maxsize=1024)
def _metric_plan(metric: str, fmt: str) -> tuple[tuple[str, ...], tuple[tuple[str | None, str, tuple[int, ...]], ...]] | None:
    """The cells a stated figure is compared with: (keys, terms as (group, column, cell indices))."""
    terms = metric_terms(metric, fmt)
    if terms is None:
        return None
    keys: list[str] = []
    plan = []
    for term in terms:
        tk = _term_keys(term, fmt)
        keys += tk
        group = term[1] if term[0] == "requests" and term[1] in REQUEST_GROUPS[fmt] else None
        plan.append((group, term[2], tuple(key_indices(tk))))
    return tuple(keys), tuple(plan)


def build_narrative(reports: Sequence[Report], values: np.ndarray, merged: MergedRows) -> Frame:
    """One row per figure stated in a report's text that a table also gives: stated and table value."""
    rows, maps, plans = [], [], []
    for i, r in enumerate(reports):
        if r.format not in IN_FORMAT or not r.sections:
            continue
        for fig in extract_figures(r.sections, r.year):
            plan = _metric_plan(fig.metric, r.format)
            if plan is None:
                continue
            rows.append((i, fig.metric, fig.label, float(fig.value), fig.plain, fig.section,
                         f"{key_label('section.' + fig.section)}：「{fig.sentence}」"
                         + (f"（{fig.qualifier}）" if fig.qualifier else "")))
            plans.append(plan[1])
            maps.append(key_indices(plan[0]))
    df = pd.DataFrame(rows, columns=["report", "metric", "label", "stated", "plain", "section", "evidence"])
    km = pad_rows(maps) if maps else np.zeros((0, 1), dtype=np.int32)
    # The table's figure: the sum of the cells behind it, null if any of them is null ...
    rep = df["report"].to_numpy(dtype=np.int64)
    cells = values[rep[:, None], np.where(km >= 0, km, 0)] if len(df) else np.zeros((0, 1))
    table = np.where(km >= 0, cells, 0.0).sum(axis=1) if len(df) else np.zeros(0)
    # ... except that a merged row counts once, with its own value.
    for n in np.flatnonzero(np.isin(rep, list(merged))) if merged else []:
        i, total = int(rep[n]), 0.0
        for group, column, idx in plans[n]:
            m = merged[i].get(group) if group else None
            total += float(m[column]) if m is not None and m.get(column) is not None else \
                float(values[i, list(idx)].sum())
        table[n] = total
    df.insert(4, "table", table)
    df["plain"] = df["plain"].astype(bool)
    df.insert(0, "row_id", np.arange(len(df)))
    return Frame("narrative", df, ("row_id", "report", "metric"), {"table": km},
                 place=lambda d, p: f"文字所述「{d.col('label')[p]}」")
