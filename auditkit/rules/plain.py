"""The same rules evaluated in plain vectorised pandas, without Great Expectations.

It exists for two reasons: the benchmark's floor (how fast the checks themselves
are), and a cross-check that the GX run flags exactly the rows the rules mean.
It supports the expectation types the suites use, and says so when it meets one
it does not know.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from auditkit.rules.conditions import condition_mask
from auditkit.rules.expression import evaluate, parse_identity, refute, unknowns_of
from auditkit.rules.suites import IDENTITY_TYPE, RuleSpec, SuiteSpec, load_rules

if TYPE_CHECKING:
    from auditkit.frames import Frames


def failing_rows(rule: RuleSpec, data: pd.DataFrame) -> np.ndarray:
    """row_id of the rows of ``data`` that fail ``rule`` (rows with missing values are not failures)."""
    k = rule.kwargs
    scope = condition_mask(data, k.get("row_condition"))
    t = rule.type
    if t == IDENTITY_TYPE:
        cols = data[k["column_list"]]
        identity, tolerance, unknowns = parse_identity(k["expression"]), float(k.get("tolerance") or 0), unknowns_of(k)
        if unknowns.active:  # missing values are unknowns within bounds: fail what no value of them mends
            bad = refute(identity, cols, unknowns, tolerance).refuted
        else:
            complete = ~cols.isna().any(axis=1).to_numpy()
            _, _, holds = evaluate(identity, cols, tolerance)
            bad = complete & ~holds
    elif t == "expect_column_values_to_be_between":
        v = data[k["column"]].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = np.zeros(len(v), dtype=bool)
            if k.get("min_value") is not None:
                bad |= v < k["min_value"]
            if k.get("max_value") is not None:
                bad |= v > k["max_value"]
        bad &= ~np.isnan(v)
    elif t in ("expect_column_values_to_not_be_in_set", "expect_column_values_to_be_in_set"):
        col = data[k["column"]]
        inside = col.isin(k["value_set"]).to_numpy()
        bad = (inside if t.endswith("not_be_in_set") else ~inside) & col.notna().to_numpy()
    elif t == "expect_column_values_to_not_be_null":
        bad = data[k["column"]].isna().to_numpy()
    elif t == "expect_column_values_to_not_match_regex":
        col = data[k["column"]]
        bad = col.astype(str).str.contains(re.compile(k["regex"])).to_numpy(dtype=bool) & col.notna().to_numpy()
    elif t in ("expect_column_pair_values_to_be_equal", "expect_column_pair_values_a_to_be_greater_than_b"):
        a, b = data[k["column_A"]], data[k["column_B"]]
        present = (a.notna() & b.notna()).to_numpy()
        if t.endswith("to_be_equal"):
            ok = (a == b).to_numpy(dtype=bool)
        else:
            ok = ((a >= b) if k.get("or_equal") else (a > b)).to_numpy(dtype=bool)
        bad = present & ~ok
    else:
        raise NotImplementedError(f"plain engine does not know {t}")
    return data["row_id"].to_numpy()[scope & bad]


def evaluate_plain(frames: Frames, specs: list[SuiteSpec] | None = None) -> dict[str, np.ndarray]:
    """{rule_id: failing row_ids} for every rule, on the batch's frames."""
    specs = specs if specs is not None else list(load_rules().specs)
    return {r.rule_id: failing_rows(r, frames[s.frame].data) for s in specs for r in s.rules}
