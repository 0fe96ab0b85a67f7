"""Run every suite over the whole batch: one Great Expectations validation run per suite.

Great Expectations is imported here, and only when a validation runs, with its
telemetry off and its "Calculating Metrics" progress bars disabled through the
project setting meant for it (``progress_bars``). The ephemeral context and the
validation definitions are built once per process and reused, since building
them costs more than validating ten thousand reports.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from auditkit.errors import ValidationRunError
from auditkit.rules.suites import RuleSpec, SuiteSpec, build_suite, load_specs

if TYPE_CHECKING:
    from auditkit.frames import Frames


@dataclass
class RuleOutcome:
    """What one expectation said about its frame: the rows that failed, by row_id."""

    rule: RuleSpec
    suite: str
    frame: str
    evaluated: int  # rows GX looked at (after row_condition)
    missing: int  # rows GX skipped for missing values
    failed_rows: np.ndarray  # row_id of every failing row
    index_rows: list[dict[str, Any]]  # the failing rows' index columns, as GX reported them


_LOCK = threading.Lock()
_ENGINE: dict[str, Any] = {}


def gx_context() -> Any:
    """The process-wide ephemeral GX context, without telemetry or progress bars."""
    if "context" not in _ENGINE:
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _ENGINE["context"] = context
        _ENGINE["source"] = context.data_sources.add_pandas("auditkit")
        _ENGINE["definitions"] = {}
    return _ENGINE["context"]


def _definition(spec: SuiteSpec) -> Any:
    """The validation definition of a suite, rebuilt only when its rules change."""
    import great_expectations as gx

    context = gx_context()
    # The rules as read (every field of every expectation), not the file: a draft has none.
    stamp = (spec.frame, spec.rules)
    cached = _ENGINE["definitions"].get(spec.name)
    if cached and cached[0] == stamp:
        return cached[1]
    suite = build_suite(spec)
    n = len(_ENGINE["definitions"])
    name = f"{spec.name}-{n}"  # a changed file gets a fresh name: GX stores by name
    asset = _ENGINE["source"].add_dataframe_asset(name=f"{name}-frame")
    batch = asset.add_batch_definition_whole_dataframe(f"{name}-batch")
    suite.name = name
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    _ENGINE["definitions"][spec.name] = (stamp, definition)
    return definition


def validate(frames: Frames, specs: list[SuiteSpec] | None = None) -> list[RuleOutcome]:
    """Validate every suite against its frame of the batch; one run per suite."""
    specs = specs if specs is not None else load_specs()
    outcomes: list[RuleOutcome] = []
    with _LOCK:
        for spec in specs:
            frame = frames[spec.frame]
            definition = _definition(spec)
            if len(frame.data) == 0:
                outcomes.extend(RuleOutcome(r, spec.name, spec.frame, 0, 0, np.zeros(0, dtype=np.int64), [])
                                for r in spec.rules)
                continue
            # row_id and report become the frame's named index: GX then reports each failing row by
            # them without a per-row lookup, which keeps 10,000 reports fast. (Naming every index
            # column there, strings included, costs a third more; they are attached below instead.)
            gx_index = ["row_id", "report"]
            result = definition.run(
                batch_parameters={"dataframe": frame.data.set_index(gx_index)},
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": gx_index,
                               "exclude_unexpected_values": True, "partial_unexpected_count": 0,
                               "return_unexpected_index_query": False},
            )
            by_rule = {r.expectation_config.meta.get("rule_id"): r for r in result.results}
            for rule in spec.rules:
                r = by_rule.get(rule.rule_id)
                if r is None:
                    raise ValidationRunError(f"{spec.name}: no result for rule {rule.rule_id}")
                info = r.exception_info or {}
                if info.get("raised_exception"):
                    raise ValidationRunError(f"{spec.name}: rule {rule.rule_id} failed to run: "
                                             f"{info.get('exception_message')}")
                res = r.result or {}
                reported = _index_rows(res.get("unexpected_index_list"), gx_index)
                failed = np.array([int(row["row_id"]) for row in reported], dtype=np.int64)
                index_rows = [dict(zip(frame.index, values, strict=True))
                              for values in zip(*(frame.col(c)[failed].tolist() for c in frame.index), strict=True)]
                outcomes.append(RuleOutcome(rule, spec.name, spec.frame, int(res.get("element_count") or 0),
                                            int(res.get("missing_count") or 0), failed, index_rows))
    return outcomes


def _index_rows(found: Any, names: list[str]) -> list[dict[str, Any]]:
    """GX gives failing rows as one {column: [values]} dict (exclude_unexpected_values) or a dict per row."""
    if not found:
        return []
    if len(found) == 1 and isinstance(found[0], dict) and all(isinstance(v, list) for v in found[0].values()):
        columns = found[0]
        return [dict(zip(names, values, strict=True)) for values in zip(*(columns[c] for c in names), strict=True)]
    return [{c: row[c] for c in names} if isinstance(row, dict) else {"row_id": row} for row in found]
