"""Row conditions as Great Expectations serialises them, evaluated in pandas without GX.

A suite restricts a rule to some rows with GX's condition objects, e.g.
``{"type": "comparison", "column": {"name": "kind"}, "operator": "==", "parameter": "table"}``
(and ``and``/``or``/``nullity``). Counting skipped checks and the plain-pandas
floor need the same rows GX takes, so the same conditions are evaluated here.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pandas as pd

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}


def condition_mask(data: pd.DataFrame, condition: Any) -> np.ndarray:
    """The rows of ``data`` a row condition keeps (all rows when there is none)."""
    if condition is None or condition == "":
        return np.ones(len(data), dtype=bool)
    if isinstance(condition, str):  # legacy pandas syntax, e.g. 'kind=="table"'
        return data.eval(condition).to_numpy(dtype=bool) if len(data) else np.zeros(0, dtype=bool)
    kind = condition.get("type")
    if kind in ("and", "or"):
        masks = [condition_mask(data, c) for c in condition["conditions"]]
        return np.logical_and.reduce(masks) if kind == "and" else np.logical_or.reduce(masks)
    column = data[condition["column"]["name"]]
    if kind == "nullity":
        return (column.isna() if condition["is_null"] else column.notna()).to_numpy(dtype=bool)
    if kind == "comparison":
        op, value = condition["operator"], condition["parameter"]
        if op == "IN":
            return column.isin(value).to_numpy(dtype=bool)
        if op == "NOT IN":
            return (~column.isin(value)).to_numpy(dtype=bool)
        return _OPS[op](column, value).fillna(False).to_numpy(dtype=bool)
    raise ValueError(f"unsupported row condition: {condition!r}")
