"""The one custom expectation: a row-wise arithmetic identity written as an expression.

In a suite file::

    {"type": "expect_rowwise_identity",
     "kwargs": {"column_list": ["new_received", "carried_over", "total_handled", "carried_forward"],
                "expression": "new_received + carried_over == total_handled + carried_forward",
                "ignore_row_if": "any_value_is_missing"}, ...}

One class carries every arithmetic rule of the national format; each failing row
is reported with its index columns (report, applicant column, table row…).
Importing this module imports Great Expectations (and registers the class).
"""

from __future__ import annotations

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # GX calls home unless told not to

from typing import ClassVar, Literal

import pandas as pd
from great_expectations.compatibility.pydantic import root_validator
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from auditkit.rules.expression import ExpressionError, evaluate, parse_identity


class MulticolumnRowwiseIdentity(MulticolumnMapMetricProvider):
    """Metric: does each row satisfy the identity (within ``tolerance``)?"""

    condition_metric_name = "multicolumn_values.rowwise_identity"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser",
                             "ignore_row_if")
    condition_value_keys = ("expression", "tolerance")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        identity = parse_identity(kwargs["expression"])
        _, _, holds = evaluate(identity, column_list, float(kwargs.get("tolerance") or 0.0))
        return pd.Series(holds, index=column_list.index)


class ExpectRowwiseIdentity(MulticolumnMapExpectation):
    """Expect every row to satisfy an arithmetic identity over its columns.

    ``expression`` is ``<sum> == <sum>`` (or ``<=``, ``>=``) over names in
    ``column_list``; ``tolerance`` allows rounding in amounts (0 for counts).
    """

    expression: str
    tolerance: float = 0.0
    # A row with a null cell is not checked (and is counted as skipped), never failed.
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"

    map_metric = "multicolumn_values.rowwise_identity"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "expression", "tolerance")
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "expression")

    @root_validator(skip_on_failure=True)
    def _expression_uses_listed_columns(cls, values: dict) -> dict:
        # A name the expression uses but column_list lacks would be evaluated on no data.
        try:
            identity = parse_identity(values["expression"])
        except ExpressionError as exc:
            raise ValueError(str(exc)) from None
        unknown = [n for n in identity.names if n not in values.get("column_list", [])]
        if unknown:
            raise ValueError(f"expression uses columns not in column_list: {', '.join(unknown)}")
        return values
