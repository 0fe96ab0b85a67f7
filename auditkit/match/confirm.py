"""Values chosen by a row's arithmetic, confirmed by an identity that did not choose them.

When the digits of a row ran together and have several readings, the row's own sum
(总计 = the other cells) picks among them. But the agency's 总计 may be what is wrong,
and then the one reading that adds up is a false one (``20200525529`` written as
20, 20, 0, 5, 2, 5, 529 reads as 2, 0, 2, 0, 0, 525, 529). So a value chosen by the
row's sum is taken only when another identity confirms it, and is null otherwise:

- requests table: in every column, 一 + 二 = 七 + 四 and 七 = the sum of the result
  rows. An identity that fails with the reading refuses it; a value that no identity
  can check (a term is null) is not taken.
- appeals table: a group's cut is confirmed when the other groups' sums alone fix it,
  or when the figures the report's text states (行政复议N件, 行政诉讼M件) equal the
  group's 总计.

Values the digits alone decide (the same in every reading) need no confirmation.
``column_hints`` offers the auditor the reading of an ambiguous row that the column
identities would choose; it is never taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import product

from auditkit.digits import UNSETTLED, Budget, Value
from auditkit.formats import APPEAL_GROUPS, APPLICANT_COLUMNS, TableSpec
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
    unchecked: list[int] = field(default_factory=list)  # cells no other identity could check
    refused_cells: list[int] = field(default_factory=list)  # cells a failing identity refuses
    how: str = ""  # what confirmed them, for the diagnostic


# ---------------------------------------------------------------- requests: the column identities

Term = tuple[str, int]  # (cell key, or "merged:<group>:<column index>"), sign


def _identities(spec: TableSpec, merged: dict[str, list[Value] | None]) -> list[list[Term]]:
    """Per column: 一 + 二 − 七 − 四 = 0, and 七 − the result rows = 0 (a merged group as one term)."""
    base = ("new_received", "carried_over", "total_handled", "carried_forward")
    group_of = {ch: g.key for g in spec.groups for ch in g.children}
    out: list[list[Term]] = []
    for ci, col in enumerate([*APPLICANT_COLUMNS, "total"]):
        def key(row: str, col: str = col) -> str:
            return f"requests.{row}.{col}"
        out.append([(key("new_received"), 1), (key("carried_over"), 1), (key("total_handled"), -1),
                    (key("carried_forward"), -1)])
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
        out.append(results)
    return out


def confirm_requests(chosen: list[Chosen], fixed: dict[str, Value], merged: dict[str, list[Value] | None],
                     spec: TableSpec, budget: Budget | None = None) -> list[Verdict]:
    """Check each row's values chosen by its 总计 against the identities of their columns.

    A row's reading is consistent when, for some choice among the readings of the ambiguous
    rows it meets, every identity its chosen values are in that can be evaluated holds; its
    values that such an identity checks are then confirmed, the others unchecked. When rows
    are inconsistent, the one a failing identity contradicts most (the largest share of its
    identities fails) is refused first and the others checked again without it: a false
    reading must not take the true values of its columns down with it.
    """
    identities = _identities(spec, merged)
    owner = {k: r for r, row in enumerate(chosen) for k in row.keys}
    cell_of = {k: i for row in chosen for i, k in enumerate(row.keys)}
    verdicts = [Verdict() for _ in chosen]
    alive = set(range(len(chosen)))  # rows whose readings still count (not refused)
    to_check = {r for r, row in enumerate(chosen) if row.by_arithmetic}
    if not to_check:
        return verdicts

    agreed = [[row.agreed(i) for i in range(len(row.keys))] for row in chosen]

    def value(key: str) -> Value:
        """A term's value where it does not depend on a choice among readings (None: unknown)."""
        if key.startswith("merged:"):
            _, group, ci = key.split(":")
            values = merged.get(group)
            return values[int(ci)] if values else None
        r = owner.get(key)
        if r is None:
            return fixed.get(key)
        i = cell_of[key]
        if chosen[r].settled[i] is not UNSETTLED:
            return chosen[r].settled[i]  # type: ignore[no-any-return]
        a = agreed[r][i]
        return a if r in alive and a is not UNSETTLED else None  # type: ignore[return-value]

    def check(r: int) -> tuple[float, set[int]]:
        """(the smallest share of the row's evaluable identities that fails, over the choices among
        the ambiguous rows' readings; the chosen cells an identity checks where none fails)."""
        row = chosen[r]
        mine = {row.keys[i] for i in row.by_arithmetic}
        involved = [ident for ident in identities if any(k in mine for k, _ in ident)]
        others = sorted({owner[k] for ident in involved for k, _ in ident
                         if k in owner and owner[k] in alive and len(chosen[owner[k]].candidates) > 1} | {r})
        n = 1
        for o in others:
            n *= len(chosen[o].candidates)
        if n > MAX_COMBINATIONS or (budget is not None and budget.steps < n * len(involved) // 8):
            others = [r]  # too many: the other ambiguous rows' undecided cells are unknown
            n = len(row.candidates)
        if budget is not None:
            budget.steps -= n * len(involved) // 8
        slot = {o: p for p, o in enumerate(others)}
        # Each identity as a constant part and the terms that depend on the choice of readings.
        plans = []
        for ident in involved:
            const: Value = 0
            varying = []
            for k, sign in ident:
                o = owner.get(k)
                if o in slot and chosen[o].settled[cell_of[k]] is UNSETTLED:
                    varying.append((slot[o], cell_of[k], sign))
                    continue
                v = value(k)
                if v is None:
                    break
                const += sign * v  # type: ignore[operator]
            else:
                checks = {i for i in row.by_arithmetic if any(k == row.keys[i] for k, _ in ident)}
                plans.append((const, varying, checks))
        best, covered = 1.0, set()
        for combo in product(*[chosen[o].candidates for o in others]):
            evaluated, failed, checked = 0, 0, set()
            for const, varying, checks in plans:
                total = const
                for p, i, sign in varying:
                    v = combo[p][i]
                    if v is None:
                        break
                    total += sign * v  # type: ignore[operator]
                else:
                    evaluated += 1
                    failed += abs(total) > _EPS  # type: ignore[arg-type]
                    checked |= checks
            share = failed / evaluated if evaluated else 0.0
            best = min(best, share)
            if not failed:
                covered |= checked
        return best, covered

    while True:
        results = {r: check(r) for r in sorted(to_check)}
        worst = max(share for share, _ in results.values())
        if worst == 0:
            break
        out = {r for r, (share, _) in results.items() if share == worst}
        for r in out:
            verdicts[r].refused_cells = list(chosen[r].by_arithmetic)
        alive -= out  # their readings are unknown now: check the others again without them
        to_check -= out
        if not to_check:
            break
    for r in to_check:
        covered = results[r][1]
        v = verdicts[r]
        v.confirmed = [i for i in chosen[r].by_arithmetic if i in covered]
        v.unchecked = [i for i in chosen[r].by_arithmetic if i not in covered]
        v.how = "经列间勾稽关系核验 (confirmed by the column identities)"
    return verdicts


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


def _holds(identities: list[list[Term]], values: dict[str, Value], merged: dict[str, list[Value] | None]) -> bool:
    for ident in identities:
        terms = []
        for k, _ in ident:
            if k.startswith("merged:"):
                _, group, ci = k.split(":")
                mv = merged.get(group)
                terms.append(mv[int(ci)] if mv else None)
            else:
                terms.append(values.get(k))
        if None not in terms and abs(sum(t * s for t, (_, s) in zip(terms, ident, strict=True))) > _EPS:  # type: ignore[operator]
            return False
    return True


# ---------------------------------------------------------------- appeals: the other groups, the text

GROUP_SIZE = 5


def confirm_appeals(chosen: list[Chosen], fixed: dict[str, Value], stated: Callable[[], dict[str, int]] | None,
                    budget: Budget | None) -> list[Verdict]:
    """Confirm each appeals group's cut by the other groups' sums or by the figures the text states."""
    if stated is not None:
        stated = cache(stated)  # read the text once, and only if a group needs it
    verdicts = []
    for row in chosen:
        verdict = Verdict()
        verdicts.append(verdict)
        todo = row.by_arithmetic
        if not todo:
            continue
        hows = []
        for g in range(len(row.keys) // GROUP_SIZE):
            cells = [i for i in todo if i // GROUP_SIZE == g]
            if not cells:
                continue
            if len(row.keys) > GROUP_SIZE and _pinned(row, g, cells, budget):
                verdict.confirmed += cells
                hows.append("其他组的总计")
            elif _stated_total_agrees(row, g, fixed, stated):
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
    """The appeals counts the report's text states as its own totals (行政复议N件, 行政诉讼M件,
    复议诉讼共K件): metric -> value, a metric stated with two different values left out."""
    from auditkit.narrative import extract_figures  # only when an appeals split needs it

    found: dict[str, set[int]] = {}
    for f in extract_figures(sections, year):
        if f.plain and f.metric in _STATED_GROUPS:
            found.setdefault(f.metric, set()).add(f.value)
    return {metric: next(iter(values)) for metric, values in found.items() if len(values) == 1}


# What a figure stated in the text counts: the 总计 of these groups.
_STATED_GROUPS = {"reconsideration": ("reconsideration",),
                  "litigation": ("litigation_direct", "litigation_after_reconsideration"),
                  "appeals": APPEAL_GROUPS}


def _stated_total_agrees(row: Chosen, g: int, fixed: dict[str, Value],
                         stated: Callable[[], dict[str, int]] | None) -> bool:
    """A figure the text states (行政复议N件, 行政诉讼M件) equals this group's 总计 (with the other
    groups it counts)."""
    if stated is None:
        return False
    group = row.keys[g * GROUP_SIZE].split(".")[1]
    figures = stated()

    def total_of(name: str) -> Value:
        key = f"appeals.{name}.total"
        if key in row.keys:
            i = row.keys.index(key)
            settled = row.settled[i]
            agreed = row.agreed(i)
            value = settled if settled is not UNSETTLED else agreed
            return None if value is UNSETTLED else value  # type: ignore[return-value]
        return fixed.get(key)

    for metric, groups in _STATED_GROUPS.items():
        if group not in groups or metric not in figures:
            continue
        totals = [total_of(name) for name in groups]
        if None not in totals and abs(sum(totals) - figures[metric]) < _EPS:  # type: ignore[arg-type]
            return True
    return False
