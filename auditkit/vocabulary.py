"""What the auditor sees of severities, finding statuses and review decisions: names, order, labels, colours.

Defined once here and imported by everything that shows them (the rule suites, the
audit summary, ``audit.html`` and its CSS, ``findings.xlsx``, the reviewer, the
notebooks' tables and charts), so that a label or a colour cannot differ between
two views of the same audit. The keys are the plain strings the output files use.

Colours come in pairs: ``*_COLOURS`` for text, bars and borders on white,
``*_BACKGROUNDS`` for the light fill behind a badge or a highlighted cell.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# Severity of a rule, most severe first (the order of every listing and chart).
SEVERITIES = ("critical", "warning", "info")
SEVERITY_LABELS = {"critical": "严重", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_COLOURS = {"critical": "#c92a2a", "warning": "#e8590c", "info": "#1971c2"}
SEVERITY_BACKGROUNDS = {"critical": "#ffe3e3", "warning": "#ffe8cc", "info": "#dbe4ff"}

# Status of a finding: the rule does not hold, or it holds only on values the reader inferred.
STATUSES = ("failed", "unverified")
STATUS_LABELS = {"failed": "问题", "unverified": "未能核验"}
STATUS_COLOURS = {"failed": "#212529", "unverified": "#5f3dc4"}

# An auditor's decision on a finding (the review log's events), and a finding nobody has decided yet.
DECISIONS = ("confirmed", "dismissed", "follow_up")
DECISION_LABELS = {"confirmed": "确认", "dismissed": "排除（误报）", "follow_up": "待跟进"}
UNDECIDED = "undecided"
UNDECIDED_LABEL = "未审核"
# Where a finding stands in the review: undecided or its current decision (the reviewer's status filter).
REVIEW_STATES = (UNDECIDED, *DECISIONS)
REVIEW_STATE_LABELS = {UNDECIDED: UNDECIDED_LABEL, **DECISION_LABELS}
DECISION_COLOURS = {"confirmed": "#2b8a3e", "dismissed": "#6c757d", "follow_up": "#7048e8", UNDECIDED: "#adb5bd"}
DECISION_BACKGROUNDS = {"confirmed": "#d3f9d8", "dismissed": "#e9ecef", "follow_up": "#e5dbff", UNDECIDED: "#f1f3f5"}


# The second level of review (复核): a second person approves a decision or sends it back with a note.
SIGNOFFS = ("approved", "returned")
APPROVED, RETURNED = SIGNOFFS
AWAITING_SIGNOFF = "awaiting"
# Where a finding stands at the second level: no decision to sign yet, waiting, approved or sent back.
SIGNOFF_STATES = (UNDECIDED, AWAITING_SIGNOFF, APPROVED, RETURNED)
SIGNOFF_LABELS = {"approved": "复核通过", "returned": "退回修改"}
SIGNOFF_STATE_LABELS = {UNDECIDED: "未编制", AWAITING_SIGNOFF: "待复核", APPROVED: "已复核", RETURNED: "已退回"}
SIGNOFF_COLOURS = {UNDECIDED: "#adb5bd", AWAITING_SIGNOFF: "#e8590c", APPROVED: "#2b8a3e", RETURNED: "#c92a2a"}


def severity_label(severity: object) -> str:
    """The Chinese name of a severity; an unknown value as written."""
    return SEVERITY_LABELS.get(str(severity), str(severity))


def status_label(status: object) -> str:
    """The Chinese name of a finding's status; an unknown value as written."""
    return STATUS_LABELS.get(str(status), str(status))


def decision_label(decision: object) -> str:
    """The Chinese name of a decision; no decision (None, "" or ``undecided``) is ``UNDECIDED_LABEL``."""
    if not decision or decision == UNDECIDED:
        return UNDECIDED_LABEL
    return DECISION_LABELS.get(str(decision), str(decision))


def signoff_label(state: object) -> str:
    """The Chinese name of a finding's sign-off state (``awaiting``, ``approved``, ``returned``, ``undecided``)."""
    return SIGNOFF_STATE_LABELS.get(str(state or UNDECIDED), str(state))


def css_variables() -> dict[str, str]:
    """The colours as CSS custom properties: ``--critical``, ``--critical-bg``, ``--unverified``,
    ``--confirmed``, ``--follow-up-bg`` … (underscores become hyphens)."""
    out: dict[str, str] = {}
    for colours, backgrounds in ((SEVERITY_COLOURS, SEVERITY_BACKGROUNDS), (STATUS_COLOURS, {}),
                                 (DECISION_COLOURS, DECISION_BACKGROUNDS)):
        for key, colour in colours.items():
            name = "--" + key.replace("_", "-")
            out[name] = colour
            if key in backgrounds:
                out[f"{name}-bg"] = backgrounds[key]
    return out


# China Standard Time: UTC+8 all year (no daylight saving since 1991), so a fixed offset is exact and
# needs no time zone database. The review log stores UTC; everything a person reads shows this.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def china_time(text: object) -> str:
    """A stored time (ISO 8601; UTC when it names no zone) as China Standard Time to the minute:
    "2026-12-03 18:20"; "" for none, the text as written when it is not a time."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def china_now() -> str:
    """Now, as China Standard Time to the minute."""
    return datetime.now(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
