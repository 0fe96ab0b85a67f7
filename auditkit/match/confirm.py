"""Values chosen by a row's arithmetic, checked against the identities that did not choose them.

When the digits of a row ran together and have several readings, the row's own sum
(总计 = the other cells) picks among them. But the agency's 总计 may be what is wrong,
and then the one reading that adds up is a false one (``20200525529`` written as
20, 20, 0, 5, 2, 5, 529 reads as 2, 0, 2, 0, 0, 525, 529). So a value chosen by the
row's sum is checked against every other identity that can be evaluated with it (all
its terms known): one that fails refuses it; one that holds confirms it; where none can
be evaluated the value is taken unchecked, and its diagnostic says so. (A document whose
digits have exactly one reading that adds up everywhere determines that reading: nothing
in it tells it from a correct report.)

- requests table: in every column, 一 + 二 = 七 + 四 and 七 = the sum of the result
  rows. When rows are contradicted, the most contradicted is refused first.
- appeals table: the figures the report's text states (行政复议N件, 行政诉讼M件, 维持N件)
  refuse a group's cut they contradict and confirm one they agree with; a cut the other
  groups' sums alone fix is confirmed by them.

Values the digits alone decide (the same in every reading) need no check.
``column_hints`` offers the auditor the reading of an ambiguous row that the column
identities would choose; it is never taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from functools import cache
from itertools import product

from auditkit.digits import UNSETTLED, Budget, Value
from auditkit.formats import APPEAL_GROUPS, APPLICANT_COLUMNS, TableSpec
from auditkit.precompiled import dataclass
from auditkit.splits import TooManyReadings, fitting_readings, piece_value

_EPS = 1e-9
MAX_COMBINATIONS = 4096  # readings of ambiguous rows tried together when checking a column
MAX_HINT_COMBINATIONS = 50_000


@dataclass
class Chosen:
    """A row whose digits have several readings, and the readings its own arithmetic allows."""

    keys: list[str]
    candidates: list[list[Value]]
    settled: tuple  # per cell: the value every reading gives (the digits decide it), or UNSETTLED
    texts: tuple[str, ...] = ()  # the tokens split, for the appeals groups' search

    def agreed(self, i: int) -> Value | object:
        """The value all fitting readings give cell ``i``, or UNSETTLED."""
        values = {c[i] for c in self.candidates}
        return next(iter(values)) if len(values) == 1 else UNSETTLED

    @property
    def by_arithmetic(self) -> list[int]:
        """Cells the fitting readings agree on that the digits alone do not decide."""
        return [i for i in range(len(self.keys))
                if self.settled[i] is UNSETTLED and self.agreed(i) is not UNSETTLED]


@dataclass
class Verdict:
    """What became of a row's values chosen by arithmetic."""

    confirmed: list[int] = field(default_factory=list)  # cells confirmed by another identity
    unchecked: list[int] = field(default_factory=list)  # cells no other identity could check: taken
    refused_cells: list[int] = field(default_factory=list)  # cells a failing identity refuses
    how: str = ""  # what confirmed them, for the diagnostic
    failed: list[str] = field(default_factory=list)  # the identities that refuse them, in words
    against: str = ""  # what kind of identity refuses them: 列间勾稽关系, 正文所述的数字
    # Unchecked cells are null, not taken: a table whose only identity is each group's own sum
    # (appeals) cannot tell a false reading that adds up from the true one.
    needs_confirmation: bool = False


# ---------------------------------------------------------------- requests: the column identities

Term = tuple[str, int]  # (cell key, or "merged:<group>:<column index>"), sign


@dataclass(frozen=True)
class Identity:
    """Terms that add up to 0, and how the auditor reads the identity."""

    terms: list[Term]
    name: str


def _identities(spec: TableSpec, merged: dict[str, list[Value] | None]) -> list[Identity]:
    """Per column: 一 + 二 − 七 − 四 = 0, and 七 − the result rows = 0 (a merged group as one term)."""
    base = ("new_received", "carried_over", "total_handled", "carried_forward")
    group_of = {ch: g.key for g in spec.groups for ch in g.children}
    leaf = {c.key: c.leaf for c in spec.row("new_received").columns}
    out: list[Identity] = []
    for ci, col in enumerate([*APPLICANT_COLUMNS, "total"]):
        def key(row: str, col: str = col) -> str:
            return f"requests.{row}.{col}"
        out.append(Identity([(key("new_received"), 1), (key("carried_over"), 1), (key("total_handled"), -1),
                             (key("carried_forward"), -1)],
                            f"「{leaf.get(col, col)}」列 一+二=三（七）总计+四"))
        results: list[Term] = [(key("total_handled"), 1)]
        seen: set[str] = set()
        for r in spec.rows:
            if r.key in base:
                continue
            g = group_of.get(r.key)
            if g in merged:
                if g not in seen:
                    seen.add(g)
                    results.append((f"merged:{g}:{ci}", -1))
                continue
            results.append((key(r.key), -1))
        out.append(Identity(results, f"「{leaf.get(col, col)}」列 三（七）总计=各项办理结果之和"))
    return out


def confirm_requests(chosen: list[Chosen], fixed: dict[str, Value], merged: dict[str, list[Value] | None],
                     spec: TableSpec, budget: Budget | None = None) -> list[Verdict]:
    """Check each row's values chosen by its 总计 against the identities of their columns.

    An identity is evaluated when every term is known: values read as written or forced by
    the digits, values the arithmetic chose in rows not refused, and the cells an ambiguous
    row leaves open tried reading by reading (it fails only when every choice fails). A
    chosen value in an identity that holds is confirmed; one that no identity can evaluate
    is unchecked. When an identity fails, the rows whose chosen values in it are not
    confirmed by another identity that holds are refused: the most contradicted, since
    nothing speaks for them, while a value another identity confirms is kept (a false reading
    must not take the true values of its columns down with it, nor hide behind them). The
    identities are evaluated again without the refused rows until no more is refused.
    """
    verdicts = [Verdict() for _ in chosen]
    by_arithmetic = [set(row.by_arithmetic) for row in chosen]
    if not any(by_arithmetic):  # every value read as written: nothing to confirm (most grid tables)
        return verdicts
    identities = _identities(spec, merged)
    owner = {k: r for r, row in enumerate(chosen) for k in row.keys}
    cell_of = {k: i for row in chosen for i, k in enumerate(row.keys)}
    agreed = [[row.agreed(i) for i in range(len(row.keys))] for row in chosen]
    relevant = [ident for ident in identities
                if any(k in owner and cell_of[k] in by_arithmetic[owner[k]] for k, _ in ident.terms)]
    alive = set(range(len(chosen)))  # rows whose readings still count (not refused)

    def evaluate(ident: Identity) -> tuple[bool | None, set[tuple[int, int]]]:
        """(True: holds, False: fails, None: cannot be evaluated; the chosen cells in it)."""
        const: Value = 0
        varying: list[tuple[int, int, int]] = []
        cells: set[tuple[int, int]] = set()
        for k, sign in ident.terms:
            r = owner.get(k)
            if r is None:
                v = _fixed_value(k, fixed, merged)
            else:
                i = cell_of[k]
                settled = chosen[r].settled[i]
                if settled is not UNSETTLED:
                    v = settled  # type: ignore[assignment]
                elif r not in alive:
                    return None, cells
                elif agreed[r][i] is UNSETTLED:
                    varying.append((r, i, sign))  # an ambiguous row's open cell: tried reading by reading
                    continue
                else:
                    v = agreed[r][i]  # type: ignore[assignment]
                    cells.add((r, i))
            if v is None:
                return None, cells
            const += sign * v  # type: ignore[operator]
        if not varying:
            return abs(const) < _EPS, cells  # type: ignore[arg-type]
        rows = sorted({r for r, _, _ in varying})
        n = 1
        for r in rows:
            n *= len(chosen[r].candidates)
        if n > MAX_COMBINATIONS or (budget is not None and budget.steps < n):
            return None, cells  # too many choices to try: the identity is not evaluated
        if budget is not None:
            budget.steps -= n
        slot = {r: p for p, r in enumerate(rows)}
        for combo in product(*[chosen[r].candidates for r in rows]):
            values = [combo[slot[r]][i] for r, i, _ in varying]
            if None in values:
                return None, cells
            if abs(const + sum(sign * v for v, (_, _, sign) in zip(values, varying, strict=True))) < _EPS:  # type: ignore[operator,misc]
                return True, cells  # a reading of the ambiguous rows lets it hold: their open cells stay open
        return False, cells

    while True:
        outcomes = [(ident, *evaluate(ident)) for ident in relevant]
        confirmed = {c for _, holds, cells in outcomes if holds for c in cells}
        refused: dict[int, list[str]] = {}
        for ident, holds, cells in outcomes:
            if holds is False:
                for r, i in cells:
                    if (r, i) not in confirmed:
                        refused.setdefault(r, []).append(ident.name)
        if not refused:
            break
        for r, names in refused.items():
            verdicts[r].refused_cells = sorted(by_arithmetic[r])
            verdicts[r].failed = list(dict.fromkeys(names))
            verdicts[r].against = "列间勾稽关系"
        alive -= set(refused)
    for r in alive:
        v = verdicts[r]
        v.confirmed = sorted(i for i in by_arithmetic[r] if (r, i) in confirmed)
        v.unchecked = sorted(i for i in by_arithmetic[r] if (r, i) not in confirmed)
        v.how = "经列间勾稽关系核验 (confirmed by the column identities)" if v.confirmed else ""
    return verdicts


def _fixed_value(key: str, fixed: dict[str, Value], merged: dict[str, list[Value] | None]) -> Value:
    """A term read as written or forced by the digits (a merged group's value), or None."""
    if key.startswith("merged:"):
        _, group, ci = key.split(":")
        values = merged.get(group)
        return values[int(ci)] if values else None
    return fixed.get(key)


def column_hints(pending: list[tuple[list[str], list[list[Value]]]], fixed: dict[str, Value],
                 merged: dict[str, list[Value] | None], spec: TableSpec,
                 budget: Budget | None = None) -> dict[int, list[list[Value]]]:
    """Readings of ambiguous rows that the column identities would leave, per pending row.

    Only a hint for the auditor: a value chosen this way rests on the very sums the audit
    must check, so it is reported, never taken.
    """
    total = 1
    for _, c in pending:
        total *= len(c)
    if total > MAX_HINT_COMBINATIONS:
        return {}
    if budget is not None:
        if budget.steps < total:
            return {}  # the document's time for splitting is spent: no hint
        budget.steps -= total
    identities = _identities(spec, merged)
    survivors = []
    for combo in product(*[c for _, c in pending]):
        values = dict(fixed)
        for (keys, _), vals in zip(pending, combo, strict=True):
            values.update(zip(keys, vals, strict=True))
        if _holds(identities, values, merged):
            survivors.append(combo)
    if not survivors:
        return {}
    return {i: [list(x) for x in {tuple(s[i]) for s in survivors}] for i in range(len(pending))}


def _holds(identities: list[Identity], values: dict[str, Value], merged: dict[str, list[Value] | None]) -> bool:
    for ident in identities:
        terms = []
        for k, _ in ident.terms:
            if k.startswith("merged:"):
                _, group, ci = k.split(":")
                mv = merged.get(group)
                terms.append(mv[int(ci)] if mv else None)
            else:
                terms.append(values.get(k))
        if None not in terms and abs(sum(t * s for t, (_, s) in zip(terms, ident.terms, strict=True))) > _EPS:  # type: ignore[operator]
            return False
    return True


# ---------------------------------------------------------------- appeals: the text, the other groups

GROUP_SIZE = 5


def confirm_appeals(chosen: list[Chosen], fixed: dict[str, Value], stated: Callable[[], dict[str, int]] | None,
                    budget: Budget | None) -> list[Verdict]:
    """Check each appeals group's cut against the figures the text states and the other groups' sums.

    A figure the text states that the cut contradicts refuses the group's values chosen by
    arithmetic; one it agrees with, or the other groups' sums fixing the cut alone, confirms
    them; otherwise they are null (``needs_confirmation``): a group's own sum is the only
    identity of the table, and a wrong 总计 lets a false cut add up as well as the true one.
    (Every reading that fits satisfies every group's sum, so the other groups can confirm a
    cut but never contradict it.)
    """
    if stated is not None:
        stated = cache(stated)  # read the text once, and only if a group needs it
    verdicts = []
    for row in chosen:
        verdict = Verdict(needs_confirmation=True)
        verdicts.append(verdict)
        todo = row.by_arithmetic
        if not todo:
            continue
        hows = []
        for g in range(len(row.keys) // GROUP_SIZE):
            cells = [i for i in todo if i // GROUP_SIZE == g]
            if not cells:
                continue
            agrees, contradicted = _stated_check(row, g, fixed, stated)
            if contradicted:
                verdict.refused_cells += cells
                verdict.failed += contradicted
                verdict.against = "正文所述的数字"
            elif len(row.keys) > GROUP_SIZE and _pinned(row, g, cells, budget):
                verdict.confirmed += cells
                hows.append("其他组的总计")
            elif agrees:
                verdict.confirmed += cells
                hows.append("正文所述案件数")
            else:
                verdict.unchecked += cells
        verdict.how = f"经{'、'.join(dict.fromkeys(hows))}核验 (confirmed by another identity)" if hows else ""
    return verdicts


def _pinned(row: Chosen, g: int, cells: list[int], budget: Budget | None) -> bool:
    """The other groups' sums alone leave these cells one value each."""
    try:
        readings = fitting_readings(row.texts, len(row.keys), GROUP_SIZE, budget, unchecked_group=g)
    except TooManyReadings:
        return False
    return bool(readings) and all(len({piece_value(r[i]) for r in readings}) == 1 for i in cells)


def stated_appeals(sections: dict[str, str], year: int | None) -> dict[str, int]:
    """The appeals counts the report's text states as its own (行政复议N件, 行政诉讼M件, 复议诉讼共K件,
    and their outcomes: 维持N件 ...): metric -> value, a metric stated with two different values
    left out."""
    from auditkit.narrative import extract_figures  # only when an appeals split needs it

    found: dict[str, set[int]] = {}
    for f in extract_figures(sections, year):
        if f.plain and f.metric.partition(".")[0] in _STATED_GROUPS:
            found.setdefault(f.metric, set()).add(f.value)
    return {metric: next(iter(values)) for metric, values in found.items() if len(values) == 1}


# What a figure stated in the text counts: a column (总计 unless it names an outcome) of these groups.
_STATED_GROUPS = {"reconsideration": ("reconsideration",),
                  "litigation": ("litigation_direct", "litigation_after_reconsideration"),
                  "appeals": APPEAL_GROUPS}
_STATED_WORDS = {"reconsideration": "行政复议", "litigation": "行政诉讼", "appeals": "行政复议和行政诉讼",
                 "upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}


def _stated_check(row: Chosen, g: int, fixed: dict[str, Value],
                  stated: Callable[[], dict[str, int]] | None) -> tuple[bool, list[str]]:
    """(a figure the text states agrees with this group's cut, the figures it contradicts in words).

    A figure is compared only when every cell it counts is known: this row's values where
    its readings agree, the other rows' as read."""
    if stated is None:
        return False, []
    group = row.keys[g * GROUP_SIZE].split(".")[1]
    figures = stated()

    def value_of(name: str, column: str) -> Value:
        key = f"appeals.{name}.{column}"
        if key in row.keys:
            i = row.keys.index(key)
            settled = row.settled[i]
            value = settled if settled is not UNSETTLED else row.agreed(i)
            return None if value is UNSETTLED else value  # type: ignore[return-value]
        return fixed.get(key)

    agrees, contradicted = False, []
    for metric, figure in figures.items():
        base, _, column = metric.partition(".")
        groups = _STATED_GROUPS.get(base, ())
        if group not in groups:
            continue
        values = [value_of(name, column or "total") for name in groups]
        if None in values:
            continue
        table = sum(values)  # type: ignore[arg-type]
        if abs(table - figure) < _EPS:
            agrees = True
        else:
            what = _STATED_WORDS[base] + (_STATED_WORDS.get(column, column) if column else "")
            contradicted.append(f"正文所述{what}{figure}件，本拆分为{table:g}")
    return agrees, contradicted
