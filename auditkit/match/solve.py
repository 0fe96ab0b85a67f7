"""The solver: a table's row readings turned into cell values, provenance and diagnostics.

A row's value tokens are read as written when there is one per cell. Digits that ran
together are split (``auditkit.digits.read_row``): when the digit count leaves one
reading it is taken, whatever the row's sums say (the rules report an agency's wrong
总计); when it leaves several, the row's own arithmetic chooses among them, and a value
so chosen is taken unless another identity that can be evaluated with it fails
(``auditkit.match.confirm``); its diagnostic says whether one confirmed it or none could
check it. Otherwise the cells are null with a diagnostic saying why; a split that only
the column identities would settle is offered to the auditor, never taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field

from auditkit.digits import (
    UNSETTLED,
    Budget,
    RowCheck,
    RowReading,
    Token,
    Value,
    grouped_sums,
    parse_number,
    read_row,
    signed_token,
    sums_to_last,
)
from auditkit.errors import DiagnosticCode
from auditkit.formats import ColumnSpec, FormatSpec, TableSpec
from auditkit.match.confirm import Chosen, Verdict, column_hints, confirm_appeals, confirm_requests
from auditkit.match.rows import RowRun, TableReading
from auditkit.precompiled import dataclass
from auditkit.record import Diagnostic, Provenance

# Why a run of digits cannot be read at all.
_WHY = {
    "sign": "连写的数字中有正负号，无法确定它属于哪个数字",
    "not_a_count": "其中有不是件数的内容",
    "cells": "各数字各有其格，个数与格数不符，不能拆分或移到别的格",
    "candidates": "可能的拆分过多",
    "budget": "可能的拆分过多，超出本文档拆分数字的时间",
}


@dataclass
class Solved:
    """One table's cells, where each value came from, and what the auditor should know about them."""

    cells: dict[str, Value] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _row_check(table: str, n: int) -> RowCheck | None:
    if table == "requests":
        return sums_to_last
    if table == "appeals":
        return grouped_sums(5)
    return None


@dataclass
class _Row:
    """A run with the cell keys it fills and each value's column."""

    run: RowRun
    keys: list[str]
    columns: list[ColumnSpec | None]  # None: the appeals row read as one (all counts)


def _rows(reading: TableReading, spec: TableSpec, out: Solved) -> list[_Row]:
    """Each run with the cell keys it fills; label variants reported; a row found twice read once."""
    rows: list[_Row] = []
    seen_rows: set[str] = set()
    for run in reading.runs:
        if run.merged_group:
            group = next(g for g in spec.groups if g.key == run.merged_group)
            cols = list(spec.row(group.children[0]).columns)
            rows.append(_Row(run, [f"{spec.key}.{run.key}.{c.key}" for c in cols], list(cols)))
        elif run.key == "*":  # the appeals table's single row of fifteen values
            rows.append(_Row(run, spec.keys, [None] * len(spec.keys)))
        else:
            if run.key in seen_rows:
                continue
            seen_rows.add(run.key)
            row = spec.row(run.key)
            keys = list(spec.row_keys(run.key))
            if run.fuzzy:
                out.diagnostics.append(Diagnostic(
                    DiagnosticCode.LABEL_VARIANT, f"行标题「{run.label.strip()}」与格式「{row.leaf}」不一致，已按「{row.leaf}」"
                    f"读取 (row label differs from the official wording)", key=keys[0], keys=keys,
                    found=run.label.strip(), location=run.location))
            rows.append(_Row(run, keys, list(row.columns)))
    return rows


def _read_rows(rows: list[_Row], table: str, budget: Budget) -> list[RowReading]:
    """Every row's reading. Rows with fewer digits to place are searched first: when the
    document's time for splitting runs out, it is the hardest rows that go unread."""
    def extra_digits(i: int) -> tuple[int, int]:
        return sum(len(t.text) for t in rows[i].run.tokens) - len(rows[i].keys), i

    readings: dict[int, RowReading] = {}
    for i in sorted(range(len(rows)), key=extra_digits):
        row = rows[i]
        signed = frozenset(c for c, col in enumerate(row.columns) if col is not None and col.signed)
        readings[i] = read_row(row.run.tokens, len(row.keys), _row_check(table, len(row.keys)), signed, budget)
    return [readings[i] for i in range(len(rows))]


def _not_a_count(value: Value, column: ColumnSpec | None, text: str) -> bool:
    """A number that cannot stand in this cell: negative or signed where only a change may be,
    a fraction where a count stands."""
    if value is None or (type(value) is int and value >= 0 and text.isdigit()):  # the common case, at a glance
        return False
    if (value < 0 or signed_token(text)) and not (column is not None and column.signed):
        return True
    return (column is None or column.is_count) and isinstance(value, float) and not value.is_integer()


def solve(reading: TableReading, spec: TableSpec, fmt: FormatSpec, budget: Budget | None = None,
          stated: Callable[[], dict[str, int]] | None = None, blanks_vanish: bool | None = None) -> Solved:
    """Cells from the runs of one table: direct reads, certain splits, or null with a reason.

    ``budget``: the document's steps for splitting digits; ``stated``: the figures the report's
    text states (行政复议/行政诉讼 counts), asked for only when an appeals split needs them;
    ``blanks_vanish``: whether the document's tables (this one among them) show that blank cells
    left no trace (``cells_vanish``); None: this table alone decides.
    """
    out = Solved()
    budget = budget if budget is not None else Budget()
    rows = _rows(reading, spec, out)
    readings = _read_rows(rows, spec.key, budget)
    # The document's answer includes this table's (``cells_vanish``); alone, the table answers for itself.
    vanish = _cells_vanish(rows) if blanks_vanish is None else blanks_vanish
    chosen: list[tuple[_Row, Chosen]] = []  # rows whose readings the arithmetic chose among
    fixed: dict[str, Value] = {}
    merged: dict[str, list[Value] | None] = {}

    for row, reading_ in zip(rows, readings, strict=True):
        run, keys = row.run, row.keys
        if reading_.direct and run.held:  # values the reader held back are null, whatever they read as
            reading_.values = [None if i in run.held else v for i, v in enumerate(reading_.values or [])]
        if reading_.direct and not run.merged_group:  # one token per cell: each cell its own text
            for i, (k, v, tok, col) in enumerate(zip(keys, reading_.values or [], reading_.tokens, row.columns,
                                                     strict=True)):
                out.provenance[k] = Provenance(tok.text, tok.location)
                if i in run.held:
                    fixed[k] = None
                    _held_diag(out, keys, i, run)
                    continue
                if _not_a_count(v, col, tok.text):
                    fixed[k] = None
                    out.diagnostics.append(_not_a_count_diag(k, tok.text, tok.location))
                    continue
                fixed[k] = v
                if v is None:
                    _null_diag(out, k, tok)
            continue
        for k in keys:
            out.provenance[k] = Provenance(run.raw, run.location)
        if run.merged_group:
            merged[run.merged_group] = reading_.values
            continue
        if not run.tokens:
            for k in keys:
                fixed[k] = None
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.MISSING_VALUES, f"「{run.label.strip()}」一行没有数字 (row has no values)",
                key=keys[0], keys=keys, found=run.label.strip(), location=run.location))
        elif reading_.forced:
            _take_forced(out, fixed, row, reading_, _row_check(spec.key, len(keys)), vanish)
        elif not reading_.candidates:
            for k in keys:
                fixed[k] = None
            if reading_.why:
                why = _WHY[reading_.why]
            elif len(reading_.tokens) > len(keys):
                why = "数字个数多于格数"
            else:
                why = "没有一种拆分能使本行总计相符"
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.NO_VALID_SPLIT, f"「{run.raw}」无法确定各格数值：{why} (cannot read this row's values)",
                key=keys[0], keys=keys, found=run.raw, location=run.location))
        else:
            chosen.append((row, Chosen(keys, reading_.candidates, reading_.settled,
                                       tuple(t.text for t in reading_.tokens))))

    rows_chosen = [c for _, c in chosen]
    if spec.key == "requests":
        verdicts = confirm_requests(rows_chosen, fixed, merged, spec, budget)
    elif spec.key == "appeals":
        verdicts = confirm_appeals(rows_chosen, fixed, stated, budget)
    else:  # no arithmetic: every reading counts, nothing is chosen by a sum
        verdicts = [Verdict() for _ in rows_chosen]
    pending: list[tuple[_Row, Chosen, Verdict]] = []
    for (row, choice), verdict in zip(chosen, verdicts, strict=True):
        if len(choice.candidates) == 1:
            _take_recovered(out, fixed, row, choice, verdict, vanish)
        else:
            pending.append((row, choice, verdict))

    hints = (column_hints([(c.keys, c.candidates) for _, c, _ in pending], fixed, merged, spec, budget)
             if pending and spec.key == "requests" else {})
    for i, (row, choice, verdict) in enumerate(pending):
        _take_ambiguous(out, fixed, row, choice, verdict, hints.get(i, []), vanish)

    for group_key, values in merged.items():
        group = next(g for g in spec.groups if g.key == group_key)
        columns = [c.key for c in spec.row(group.children[0]).columns]
        keys = [spec.row(ch).cell_key(spec.key, c) for ch in group.children for c in columns]
        for k in keys:
            fixed[k] = None
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.MERGED_ROW,
            f"「{group.label}」写成一行，未分{len(group.children)}个子项；子项各格留空，合并行数值见 values "
            "(the sub-rows of the format are merged into one row)", key=keys[0], keys=keys,
            found=group.label, values=dict(zip(columns, values, strict=True)) if values else None))
    for k, text in reading.column_variants.items():
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.LABEL_VARIANT, f"列标题「{text}」与格式不一致 (column label differs from the official wording)",
            key=k, found=text))
    out.cells.update(fixed)
    return out


def _held_diag(out: Solved, keys: list[str], i: int, run: RowRun) -> None:
    """The reader's reason for holding value ``i`` back; one diagnostic for a stretch of cells
    held for the same reason from the same text."""
    code, message = run.held[i]
    tok = run.tokens[i]
    last = out.diagnostics[-1] if out.diagnostics else None
    if i and run.held.get(i - 1) == run.held[i] and run.tokens[i - 1] == tok and last is not None \
            and last.key in keys and last.code == code and last.keys:
        last.keys.append(keys[i])
        return
    out.diagnostics.append(Diagnostic(code, message, key=keys[i], keys=[keys[i]], found=tok.text, location=tok.location))


def cells_vanish(reading: TableReading, spec: TableSpec) -> bool:
    """The table shows that blank cells left no trace in this copy (see ``_cells_vanish``): the rows
    ``solve`` reads (a row found twice, once), each with its number of cells, without building them."""
    seen_rows: set[str] = set()
    for run in reading.runs:
        if run.merged_group:
            continue
        if run.key == "*":
            cells = len(spec.keys)
        elif run.key in seen_rows:
            continue
        else:
            seen_rows.add(run.key)
            cells = len(spec.row_keys(run.key))
        if _too_few_digits(run, cells):
            return True
    return False


def _cells_vanish(rows: list[_Row]) -> bool:
    """The table shows that cells left no trace in this copy: a row with fewer digits than cells, or
    none. (A crawler copy of a page drops blank cells; then a row's digit count no longer tells
    how its cells were cut.)"""
    return any(not row.run.merged_group and _too_few_digits(row.run, len(row.keys)) for row in rows)


def _too_few_digits(run: RowRun, cells: int) -> bool:
    room = 0
    for t in run.tokens:
        room += sum(map(str.isdigit, t.text)) or 1  # a token without digits holds one cell
    return room < cells


def _take_forced(out: Solved, fixed: dict[str, Value], row: _Row, reading_: RowReading,
                 check: RowCheck | None, vanish: bool) -> None:
    """The digit count left one reading: it is what the document says, even where it does not add up
    (the rules report the agency's sums) -- unless cells may have vanished from the copy."""
    run, keys = row.run, row.keys
    adds_up = check is None or check(reading_.values or [])
    if not adds_up and vanish:
        for k in keys:
            fixed[k] = None
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.NO_VALID_SPLIT, f"「{run.raw}」无法确定各格数值：数字个数与格数相同，但本行总计不符，而本表有的行"
            "数字少于格数（空白格在复制中没有留下痕迹），不能断定每格一个数字 (the digits are as many as the cells but the "
            "row does not add up, and blank cells vanish in this copy)", key=keys[0], keys=keys, found=run.raw,
            location=run.location))
        return
    taken = []
    for k, v, col in zip(keys, reading_.values or [], row.columns, strict=True):
        if _not_a_count(v, col, str(v)):
            fixed[k] = None
            out.diagnostics.append(_not_a_count_diag(k, str(v), run.location))
        else:
            fixed[k] = v
            taken.append(k)
    note = ""
    if not adds_up:
        note = "；本行总计不符，按所写读取，由审核规则报告 (the row does not add up as written: the rules report it)"
    out.diagnostics.append(Diagnostic(
        DiagnosticCode.DIGITS_SPLIT, f"数字连写「{run.raw}」，按格数拆分唯一 (digits run together; only one "
        f"split has the right number of cells){note}", key=taken[0] if taken else keys[0], keys=taken or keys,
        found=run.raw, location=run.location))


def _take_recovered(out: Solved, fixed: dict[str, Value], row: _Row, choice: Chosen, verdict: Verdict,
                    vanish: bool) -> None:
    """The one reading that adds up: taken, unless an identity refuses its values chosen by the
    arithmetic (those the digits alone decide are taken still). In a copy where blank cells
    vanish, readings with blanks would fit too: a value only the row's sums chose is null."""
    run, keys, reading_ = row.run, choice.keys, choice.candidates[0]
    values = dict(zip(keys, reading_, strict=True))
    refused = [keys[i] for i in verdict.refused_cells]
    unsure = [keys[i] for i in verdict.unchecked] if vanish or verdict.needs_confirmation else []
    for i, k in enumerate(keys):
        fixed[k] = None if k in refused or k in unsure else reading_[i]
    if refused:
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.NO_VALID_SPLIT, f"数字连写「{run.raw}」：唯一能使本行总计相符的拆分 {reading_} 与"
            f"{_failed(verdict)}不符（本行总计可能有误），这些格未采用 (the only split where the row adds up "
            "contradicts another identity in these cells: the row's total may be wrong)", key=refused[0], keys=refused,
            found=run.raw, location=run.location, candidates=[reading_]))
    if unsure:
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.AMBIGUOUS_DIGITS, f"数字连写「{run.raw}」：只有本行总计支持拆分 {reading_}，{_why_unsure(vanish)}，"
            "留空 (only the row's own sums support this split, and nothing else can check these cells: null)",
            key=unsure[0], keys=unsure, found=run.raw, location=run.location, candidates=[reading_]))
    taken = [k for k in keys if k not in refused and k not in unsure]
    if not taken:
        return
    if refused or unsure:
        how = f"，{verdict.how}" if verdict.confirmed and not refused else ""
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.RECOVERED_BY_ARITHMETIC, f"这些格在各种拆分中相同{how} (the same in every split, or "
            "confirmed)", key=taken[0], keys=taken, found=run.raw, location=run.location))
        return
    out.diagnostics.append(Diagnostic(
        DiagnosticCode.RECOVERED_BY_ARITHMETIC, f"数字连写「{run.raw}」，按本行总计拆分唯一 (digits run together; "
        f"the only split where the row adds up){_checked(choice, verdict)}", key=keys[0], keys=keys, found=run.raw,
        location=run.location, values=values))


def _why_unsure(vanish: bool) -> str:
    """Why values only the row's sums chose are not taken, in words."""
    if vanish:
        return "而本文档的空白格在复制中没有留下痕迹（本行也可能少了空白格），这些格又没有其他勾稽关系可以核验"
    return "各组总计可能填错（错的总计也能让另一种拆分相符），正文又未述及可以核验的案件数"


def _failed(verdict: Verdict) -> str:
    """The identities that refuse a reading, in words."""
    named = "；".join(verdict.failed[:3]) + ("……" if len(verdict.failed) > 3 else "")
    return f"{verdict.against or '其他勾稽关系'}（{named}）" if named else verdict.against or "其他勾稽关系"


def _checked(choice: Chosen, verdict: Verdict) -> str:
    """What checked the values the arithmetic chose: another identity, or none (then they rest on the
    row's own sums alone, which the audit cannot count as passed)."""
    unchecked = [choice.keys[i].split(".", 1)[1] for i in verdict.unchecked]
    if not verdict.confirmed and not unchecked:
        return ""
    if not unchecked:
        return f"；{verdict.how}"
    none = "没有其他勾稽关系可以核验，仅凭本行算术采用 (no other identity could check it: taken on the row's own sums)"
    if not verdict.confirmed:
        return f"；{none}"
    return f"；{verdict.how}，其中 {', '.join(unchecked)} {none}"


def _take_ambiguous(out: Solved, fixed: dict[str, Value], row: _Row, choice: Chosen, verdict: Verdict,
                    hint: list[list[Value]], vanish: bool) -> None:
    """Several readings fit: the cells they agree on are taken, unless an identity refuses them
    (or, in a copy where blank cells vanish, no other identity confirms them)."""
    run, keys, candidates = row.run, choice.keys, choice.candidates
    refused_cells = set(verdict.refused_cells)
    unsure = set(verdict.unchecked) if vanish or verdict.needs_confirmation else set()
    for i, k in enumerate(keys):
        agreed = choice.agreed(i)
        keep = agreed is not UNSETTLED and i not in refused_cells and i not in unsure
        fixed[k] = agreed if keep else None  # type: ignore[assignment]
    nulls = [k for k in keys if fixed[k] is None]
    certain = [k for k in keys if fixed[k] is not None]
    diag = Diagnostic(
        DiagnosticCode.AMBIGUOUS_DIGITS, f"数字连写「{run.raw}」有{len(candidates)}种拆分都符合算术关系，无法确定的格留空 "
        f"(several splits fit; undetermined cells are null)", key=keys[0], keys=nulls or keys,
        found=run.raw, location=run.location, candidates=candidates[:20])
    if refused_cells:
        diag.message += (f"；各拆分一致的格与{_failed(verdict)}不符，也留空 (cells the splits agree on contradict "
                         "another identity: null too)")
    if unsure:
        diag.message += (f"；各拆分一致的格：{_why_unsure(vanish)}，也留空 (cells the splits agree on that nothing else "
                         "checks are null too)")
    if len(hint) == 1:
        diag.message += (f"；按列间勾稽关系推断为 {hint[0]}，未采用，因其依赖待核验的勾稽关系 "
                         "(the column identities suggest one split; not taken)")
        diag.values = dict(zip(keys, hint[0], strict=True))
    out.diagnostics.append(diag)
    if certain:
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.RECOVERED_BY_ARITHMETIC, "各种拆分在这些格上一致 (all fitting splits agree on these cells)"
            f"{_checked(choice, verdict)}", key=certain[0], keys=certain, found=run.raw, location=run.location))


def _not_a_count_diag(key: str, text: str, location: str) -> Diagnostic:
    return Diagnostic(DiagnosticCode.NOT_A_COUNT, f"单元格写作「{text}」，不是件数，按空值处理 (not a count: null)",
                      key=key, found=text, location=location)


def _null_diag(out: Solved, key: str, tok: Token) -> None:
    kind, _ = parse_number(tok.text)
    if kind == "blank":
        out.diagnostics.append(Diagnostic(DiagnosticCode.BLANK_CELL, "空白单元格，按空值处理，不视为0 (blank cell: null, not 0)",
                                          key=key, found="", location=tok.location))
    elif kind == "dash":
        out.diagnostics.append(Diagnostic(DiagnosticCode.DASH_CELL, f"单元格写作「{tok.text}」，按空值处理 (dash or 无: null)",
                                          key=key, found=tok.text, location=tok.location))
    elif kind == "not_a_count":
        out.diagnostics.append(_not_a_count_diag(key, tok.text, tok.location))
    elif kind == "doubt":
        out.diagnostics.append(Diagnostic(DiagnosticCode.OCR_DOUBTFUL, "OCR 识别存疑，按空值处理，不猜测 (doubtful OCR "
                                          "reading: null, never guessed)", key=key, found=tok.text, location=tok.location))
    else:
        out.diagnostics.append(Diagnostic(DiagnosticCode.UNPARSED_VALUE, f"无法识别的数值「{tok.text}」 (not a number)",
                                          key=key, found=tok.text, location=tok.location))
