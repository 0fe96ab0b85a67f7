"""Great Expectations, and the only module that imports it: the custom expectation, the context,
suites built from ``SuiteSpec``s, and one validation run per suite.

``import great_expectations`` takes seconds, so ``auditkit.rules.validate`` imports this module
only when a validation runs. Telemetry is off, and GX's "Calculating Metrics" progress bars are
disabled through the project setting meant for it (``progress_bars``). The ephemeral context and
the validation definitions are built once per process and reused, since building them costs more
than validating ten thousand reports.

The custom expectation carries every arithmetic rule of the national format. In a suite file::

    {"type": "expect_rowwise_identity",
     "kwargs": {"column_list": ["new_received", "carried_over", "total_handled", "carried_forward"],
                "expression": "new_received + carried_over == total_handled + carried_forward",
                "ignore_row_if": "any_value_is_missing"}, ...}

Each failing row is reported by its ``row_id``.
"""

from __future__ import annotations

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # GX calls home unless told not to, before it is first imported

import logging
import threading
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import great_expectations
import numpy as np
import pandas as pd
from great_expectations.compatibility.pydantic import root_validator
from great_expectations.execution_engine import PandasExecutionEngine, pandas_execution_engine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)
from great_expectations.validator.v1_validator import Validator

from auditkit.errors import SuiteError, ValidationRunError
from auditkit.rules.expression import ExpressionError, evaluate, parse_identity, refute, unknowns_of

if TYPE_CHECKING:
    from auditkit.rules.suites import SuiteSpec

# ---------------------------------------------------------------------------
# The custom expectation: a row-wise arithmetic identity written as an expression
# (defining the classes registers ``expect_rowwise_identity`` with GX).


class MulticolumnRowwiseIdentity(MulticolumnMapMetricProvider):
    """Metric: does each row satisfy the identity (within ``tolerance``)?"""

    condition_metric_name = "multicolumn_values.rowwise_identity"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser",
                             "ignore_row_if")
    condition_value_keys = ("expression", "tolerance", "unknowns", "bounds")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        identity = parse_identity(kwargs["expression"])
        tolerance = float(kwargs.get("tolerance") or 0.0)
        unknowns = unknowns_of(kwargs)
        if unknowns.active:  # a row fails only when no value of its missing ones makes it hold
            return pd.Series(~refute(identity, column_list, unknowns, tolerance).refuted, index=column_list.index)
        _, _, holds = evaluate(identity, column_list, tolerance)
        return pd.Series(holds, index=column_list.index)


class ExpectRowwiseIdentity(MulticolumnMapExpectation):
    """Expect every row to satisfy an arithmetic identity over its columns.

    ``expression`` is ``<sum> == <sum>`` (or ``<=``, ``>=``) over names in
    ``column_list``; ``tolerance`` allows rounding in amounts (0 for counts).
    """

    expression: str
    tolerance: float = 0.0
    # A row with a null cell is not checked (and is counted as skipped), never failed; unless the rule
    # says what a missing value can be (``unknowns``, ``bounds``: see auditkit.rules.expression) and
    # keeps such rows (``ignore_row_if: never``): then it fails when no such value makes it hold.
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"
    unknowns: Literal["nonnegative"] | None = None
    bounds: dict[str, dict[str, str]] | None = None

    map_metric = "multicolumn_values.rowwise_identity"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "expression", "tolerance", "unknowns", "bounds")
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "expression")

    # GX builds an expectation's whole configuration (a pydantic dump) once per keyword it looks up,
    # several hundred times per run for this class: these two build it once per call instead, with
    # the same values (the keyword as configured, else the field's default).
    def _get_domain_kwargs(self) -> dict[str, Any]:
        configured = self.configuration.kwargs
        return {key: configured.get(key, self._get_default_value(key)) for key in self.domain_keys}

    def _get_success_kwargs(self) -> dict[str, Any]:
        configured = self.configuration.kwargs
        kwargs = {key: configured.get(key, self._get_default_value(key)) for key in self.success_keys}
        kwargs.update(self._get_domain_kwargs())
        return kwargs

    @root_validator(skip_on_failure=True)
    def _expression_uses_listed_columns(cls, values: dict) -> dict:
        # A name the expression uses but column_list lacks would be evaluated on no data.
        try:
            identity = parse_identity(values["expression"])
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        try:
            bounded = unknowns_of(values).columns()
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        unknown = [n for n in [*identity.names, *bounded] if n not in values.get("column_list", [])]
        if unknown:
            raise ValueError(f"expression or bounds use columns not in column_list: {', '.join(unknown)}")
        return values


# ---------------------------------------------------------------------------
# The engine: one ephemeral context per process, a validation definition per suite.

_LOCK = threading.RLock()  # the context and its definitions are shared by every thread of the process
_ENGINE: dict[str, Any] = {}


def gx_context() -> Any:
    """The process-wide ephemeral GX context, without telemetry or progress bars."""
    with _LOCK:
        if "context" not in _ENGINE:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            logging.getLogger("great_expectations").setLevel(logging.ERROR)
            context = great_expectations.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            # GX fingerprints every batch (a hash of the whole frame, section texts included) for its batch
            # markers, which auditkit never reads: its threshold set to 0 skips that (~0.15 s at 10,000 reports).
            pandas_execution_engine.HASH_THRESHOLD = 0
            _ENGINE["context"] = context
            _ENGINE["source"] = context.data_sources.add_pandas("auditkit")
            _ENGINE["definitions"] = {}
        return _ENGINE["context"]


def build_suite(spec: SuiteSpec) -> great_expectations.ExpectationSuite:
    """A GX suite holding every expectation of ``spec``, or ``SuiteError`` naming those that failed.

    GX drops an expectation it cannot build with only a log line, and a rule that silently
    vanished would read as passed: so every expectation of the file must make it in.
    """
    gx_context()  # GX adds expectations to a suite only with a context active
    suite = great_expectations.ExpectationSuite(name=spec.name, meta={"frame": spec.frame})
    errors = []
    for r in spec.rules:
        try:
            config = ExpectationConfiguration(type=r.type, kwargs=r.kwargs, meta=r.meta, notes=r.notes,
                                              description=r.description, severity=r.severity)
            suite.add_expectation(config.to_domain_obj())
        except Exception as exc:  # GX raises several kinds; all mean the rule did not load
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            errors.append(f"{r.rule_id} ({r.type}): {first}")
    if errors:
        raise SuiteError(f"{spec.path.name}: {len(errors)} expectation(s) did not load: " + "; ".join(errors))
    if len(suite.expectations) != len(spec.rules):
        # GX merges an expectation equal to one already added: say so instead of losing a rule.
        raise SuiteError(f"{spec.path.name}: {len(spec.rules)} expectations in the file, "
                         f"{len(suite.expectations)} loaded (duplicates?)")
    loaded = [e.meta.get("rule_id") for e in suite.expectations]
    if sorted(loaded) != sorted(r.rule_id for r in spec.rules):
        raise SuiteError(f"{spec.path.name}: loaded rules {loaded} differ from the file")
    return suite


def validation_definition(spec: SuiteSpec) -> Any:
    """The validation definition of a suite, built once and rebuilt only when its rules change."""
    with _LOCK:
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
        definition = context.validation_definitions.add(
            great_expectations.ValidationDefinition(name=name, data=batch, suite=suite))
        _ENGINE["definitions"][spec.name] = (stamp, definition)
        return definition


def failing_rows(spec: SuiteSpec, data: pd.DataFrame) -> dict[str, np.ndarray]:
    """{rule_id: row_id of every failing row} for one suite over its frame, in one GX run.

    The suite is built even when the frame is empty, so a rule GX cannot load is refused all the same.
    """
    with _LOCK:
        definition = validation_definition(spec)
        if len(data) == 0:
            return {r.rule_id: np.zeros(0, dtype=np.int64) for r in spec.rules}
        # row_id and report become the frame's named index: GX then reports each failing row by
        # them without a per-row lookup, which keeps 10,000 reports fast. (Naming every index
        # column there, strings included, costs a third more.)
        gx_index = ["row_id", "report"]
        # GX's own Validator, as ``ValidationDefinition.run`` builds it, but without storing the result
        # in the context: serialising every failing row there cost as much as validating them.
        validator = Validator(
            batch_definition=definition.batch_definition,
            batch_parameters={"dataframe": data.set_index(gx_index)},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": gx_index,
                           "exclude_unexpected_values": True, "partial_unexpected_count": 0,
                           "return_unexpected_index_query": False},
        )
        result = validator.validate_expectation_suite(definition.suite)
    by_rule = {r.expectation_config.meta.get("rule_id"): r for r in result.results}
    failed = {}
    for rule in spec.rules:
        r = by_rule.get(rule.rule_id)
        if r is None:
            raise ValidationRunError(f"{spec.name}: no result for rule {rule.rule_id}")
        info = r.exception_info or {}
        if info.get("raised_exception"):
            raise ValidationRunError(f"{spec.name}: rule {rule.rule_id} failed to run: "
                                     f"{info.get('exception_message')}")
        failed[rule.rule_id] = _row_ids((r.result or {}).get("unexpected_index_list"))
    return failed


def _row_ids(found: Any) -> np.ndarray:
    """GX gives failing rows as one {column: [values]} dict (exclude_unexpected_values) or a dict per row."""
    if not found:
        return np.zeros(0, dtype=np.int64)
    if len(found) == 1 and isinstance(found[0], dict) and all(isinstance(v, list) for v in found[0].values()):
        ids = found[0]["row_id"]
    else:
        ids = [row["row_id"] if isinstance(row, dict) else row for row in found]
    return np.array([int(i) for i in ids], dtype=np.int64)
