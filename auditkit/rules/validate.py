"""Run every suite over the whole batch: one validation run per suite, each against its frame.

How a suite runs is ``auditkit.rules.gx``'s business; it is imported here only when a validation
runs, since importing Great Expectations takes seconds. What comes back is, for every rule, the
rows of its frame that failed it; ``auditkit.rules.outcomes`` says what that means for the auditor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditkit.precompiled import dataclass
from auditkit.rules.suites import RuleSpec, SuiteSpec, load_rules

if TYPE_CHECKING:
    import numpy as np

    from auditkit.frames import Frames


@dataclass
class RuleOutcome:
    """What one expectation said about its frame: the rows that failed, by row_id."""

    rule: RuleSpec
    frame: str
    failed_rows: np.ndarray  # row_id of every failing row


def validate(frames: Frames, specs: list[SuiteSpec] | None = None) -> list[RuleOutcome]:
    """Validate every suite (by default the bundled and the user rules) against its frame of the batch."""
    from auditkit.rules import gx

    specs = specs if specs is not None else list(load_rules().specs)
    outcomes: list[RuleOutcome] = []
    for spec in specs:
        failed = gx.failing_rows(spec, frames[spec.frame].data)
        outcomes.extend(RuleOutcome(rule, spec.frame, failed[rule.rule_id]) for rule in spec.rules)
    return outcomes
