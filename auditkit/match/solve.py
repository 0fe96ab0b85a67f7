"""The solver: a table's row readings turned into cell values, provenance and diagnostics.

A row's value tokens are read as written when there is one per cell; digits that
ran together are split (``auditkit.digits.read_row``) and the split is taken only
when exactly one fits the row's own arithmetic. Otherwise the cells are null with a
diagnostic saying why; a split that only the column identities would settle is
offered to the auditor, never taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from auditkit.digits import RowCheck, Token, Value, grouped_sums, parse_number, read_row, sums_to_last
from auditkit.errors import DiagnosticCode
from auditkit.formats import APPLICANT_COLUMNS, FormatSpec, TableSpec
from auditkit.match.rows import RowRun, TableReading
from auditkit.record import Diagnostic, Provenance


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


def solve(reading: TableReading, spec: TableSpec, fmt: FormatSpec) -> Solved:
    """Cells from the runs of one table: direct reads, certain splits, or null with a reason."""
    out = Solved()
    runs = reading.runs
    pending: list[tuple[RowRun, list[str], list[list[Value]]]] = []
    fixed: dict[str, Value] = {}
    merged: dict[str, list[Value] | None] = {}
    seen_rows: set[str] = set()

    for run in runs:
        if run.merged_group:
            group = next(g for g in spec.groups if g.key == run.merged_group)
            columns = [c.key for c in spec.row(group.children[0]).columns]
            keys = [f"{spec.key}.{run.key}.{c}" for c in columns]
        elif run.key == "*":  # the appeals table's single row of fifteen values
            keys = spec.keys
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
        reading_ = read_row(run.tokens, len(keys), _row_check(spec.key, len(keys)))
        if reading_.direct and run.held:  # values the reader held back are null, whatever they read as
            reading_.values = [None if i in run.held else v for i, v in enumerate(reading_.values or [])]
        if reading_.direct and not run.merged_group:  # one token per cell: each cell its own text
            for i, (k, v, tok) in enumerate(zip(keys, reading_.values or [], run.tokens, strict=True)):
                fixed[k] = v
                out.provenance[k] = Provenance(tok.text, tok.location)
                if i in run.held:
                    _held_diag(out, keys, i, run)
                elif v is None:
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
        elif len(reading_.candidates) == 1:
            for k, v in zip(keys, reading_.candidates[0], strict=True):
                fixed[k] = v
            if reading_.needed_arithmetic:
                out.diagnostics.append(Diagnostic(
                    DiagnosticCode.RECOVERED_BY_ARITHMETIC, f"数字连写「{run.raw}」，按本行总计拆分唯一 (digits run together; "
                    "the only split where the row adds up)", key=keys[0], keys=keys, found=run.raw,
                    location=run.location, values=dict(zip(keys, reading_.candidates[0], strict=True))))
            else:
                out.diagnostics.append(Diagnostic(
                    DiagnosticCode.DIGITS_SPLIT, f"数字连写「{run.raw}」，按格数拆分唯一 (digits run together; only one "
                    "split has the right number of cells)", key=keys[0], keys=keys, found=run.raw,
                    location=run.location))
        elif not reading_.candidates:
            for k in keys:
                fixed[k] = None
            if len(run.tokens) > len(keys):
                why = "数字个数多于格数"
            elif reading_.gave_up:
                why = "可能的拆分过多"
            else:
                why = "没有一种拆分能使本行总计相符"
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.NO_VALID_SPLIT, f"「{run.raw}」无法确定各格数值：{why} (cannot read this row's values)",
                key=keys[0], keys=keys, found=run.raw, location=run.location))
        else:
            pending.append((run, keys, reading_.candidates))

    hints = _column_hints(pending, fixed, merged, spec) if pending and spec.key == "requests" else {}
    for i, (run, keys, candidates) in enumerate(pending):
        for i, k in enumerate(keys):
            options = {c[i] for c in candidates}
            fixed[k] = options.pop() if len(options) == 1 else None
        nulls = [k for k in keys if fixed[k] is None]
        certain = [k for k in keys if fixed[k] is not None]
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.AMBIGUOUS_DIGITS, f"数字连写「{run.raw}」有{len(candidates)}种拆分都符合算术关系，无法确定的格留空 "
            f"(several splits fit; undetermined cells are null)", key=keys[0], keys=nulls or keys,
            found=run.raw, location=run.location, candidates=candidates[:20]))
        if len(hints.get(i, [])) == 1:
            out.diagnostics[-1].message += (f"；按列间勾稽关系推断为 {hints[i][0]}，未采用，因其依赖待核验的勾稽关系 "
                                            "(the column identities suggest one split; not taken)")
            out.diagnostics[-1].values = dict(zip(keys, hints[i][0], strict=True))
        if certain:
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.RECOVERED_BY_ARITHMETIC, "各种拆分在这些格上一致 (all fitting splits agree on these cells)",
                key=certain[0], keys=certain, found=run.raw, location=run.location))

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


def _null_diag(out: Solved, key: str, tok: Token) -> None:
    kind, _ = parse_number(tok.text)
    if kind == "blank":
        out.diagnostics.append(Diagnostic(DiagnosticCode.BLANK_CELL, "空白单元格，按空值处理，不视为0 (blank cell: null, not 0)",
                                          key=key, found="", location=tok.location))
    elif kind == "dash":
        out.diagnostics.append(Diagnostic(DiagnosticCode.DASH_CELL, f"单元格写作「{tok.text}」，按空值处理 (dash or 无: null)",
                                          key=key, found=tok.text, location=tok.location))
    else:
        out.diagnostics.append(Diagnostic(DiagnosticCode.UNPARSED_VALUE, f"无法识别的数值「{tok.text}」 (not a number)",
                                          key=key, found=tok.text, location=tok.location))


def _column_hints(pending, fixed, merged, spec: TableSpec) -> dict[int, list[list[Value]]]:
    """Splits of ambiguous rows that the column identities would leave, per pending row.

    Only a hint for the auditor: a value chosen this way rests on the very sums
    the audit must check, so it is reported, never taken.
    """
    total = 1
    for _, _, c in pending:
        total *= len(c)
    if total > 50_000:
        return {}
    outcome_rows = [r.key for r in spec.rows if r.key not in ("new_received", "carried_over", "total_handled",
                                                               "carried_forward")]
    columns = [*APPLICANT_COLUMNS, "total"]
    survivors = []
    for combo in product(*[c for _, _, c in pending]):
        values = dict(fixed)
        for (_, keys, _), vals in zip(pending, combo, strict=True):
            values.update(zip(keys, vals, strict=True))
        if _columns_hold(values, merged, spec, outcome_rows, columns):
            survivors.append(combo)
    if not survivors:
        return {}
    return {i: [list(x) for x in {tuple(s[i]) for s in survivors}] for i in range(len(pending))}


def _columns_hold(values, merged, spec, outcome_rows, columns) -> bool:
    groups = {ch: g.key for g in spec.groups for ch in g.children}
    for ci, col in enumerate(columns):
        def v(row: str, col: str = col) -> Value:
            return values.get(f"requests.{row}.{col}")
        a, b, t, f = v("new_received"), v("carried_over"), v("total_handled"), v("carried_forward")
        if None not in (a, b, t, f) and a + b != t + f:  # type: ignore[operator]
            return False
        parts: list[Value] = []
        done_groups: set[str] = set()
        for r in outcome_rows:
            g = groups.get(r)
            if g in merged:
                if g not in done_groups:
                    done_groups.add(g)
                    mv = merged[g]
                    parts.append(mv[ci] if mv else None)
                continue
            parts.append(v(r))
        if t is not None and None not in parts and abs(sum(parts) - t) > 1e-9:  # type: ignore[arg-type]
            return False
    return True
