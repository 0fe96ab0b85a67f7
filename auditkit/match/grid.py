"""Grid tables (HTML, PDF, Word, spreadsheets, tab-separated text): cells already in rows and columns.

``classify_table`` tells which table of the format a grid holds by its row labels;
``read_grid`` matches each grid row's label cells to a row of the format and reads
its value cells in order, into a ``TableReading`` for the solver.
"""

from __future__ import annotations

from functools import lru_cache

from auditkit.digits import VALUE_CHARS, Token, parse_number, tokens_of
from auditkit.errors import DiagnosticCode
from auditkit.formats import FormatSpec, RowSpec, TableSpec, nfkc, norm
from auditkit.layout import Cell, Table
from auditkit.match.rows import Hold, RowMatcher, RowRun, TableReading, header_variants, two_labels
from auditkit.match.similarity import ratio
from auditkit.match.stream import Compact
from auditkit.record import Diagnostic


@lru_cache(maxsize=65536)
def _is_value_text(text: str) -> bool:
    kind, _ = parse_number(text)
    if kind != "text":
        return True
    if "\n" in text and all(parse_number(line)[0] == "number" for line in text.split("\n")):
        return True  # a number broken over the lines of its cell (15⏎1件)
    t = nfkc(text)
    return all(ch in VALUE_CHARS or ch == "无" for ch in t) and any(ch.isdigit() for ch in t)


def table_text(table: Table) -> str:
    """A grid's cells, each once, in the compact form labels are compared in: cell by cell, as
    the compact form is made character by character (a table's is the join of its cells'), and
    most cells (labels, 0) are in every report. A character beyond U+FFFF is kept or mapped by
    what else the text holds (``Compact``'s tables cover one plane): such a table goes whole."""
    texts = [c.text for r in range(table.n_rows) for c in table.row_cells(r)]
    joined = "".join(texts)
    if not joined.isascii() and max(joined) > "\uffff":
        return Compact.text_of(joined)
    return "".join([_compact_cell(text) for text in texts])


@lru_cache(maxsize=65536)
def _compact_cell(text: str) -> str:
    return Compact.text_of(text)


def classify_table(text: str, fmt: FormatSpec) -> str | None:
    """Which table of the format a grid holds (``text`` from ``table_text``), by its row labels."""
    scores: dict[str, int] = {}
    for key, spec in fmt.tables.items():
        scores[key] = sum(1 for n in spec.label_names if n in text)
    if "行政复议" in text and ("尚未审结" in text or "结果维持" in text):
        scores["appeals"] += 3
    if "第二十条" in text or "信息内容" in text:
        scores["active"] += 2
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


# A value slot of a grid row: the text it is read from, where, and why it is held back (or None).
Slot = tuple[str, str, Hold | None]

_CUT = (DiagnosticCode.CUT_OFF, "单元格被页面边缘截断，数字可能不全，按空值处理 (cell cut by the page's edge: its number "
        "may have lost digits there; null)")
_BEYOND = (DiagnosticCode.CUT_OFF, "此格在页面边缘之外，纸面上没有，按空值处理 (cell beyond the page's edge, not on the "
           "paper: null)")
_WRAPPED = (DiagnosticCode.UNPARSED_VALUE, "一格内的数字分在几行，版面不能证明是同一个数，按空值处理 (digits on several "
            "lines of one cell that the layout does not prove to be one number: null)")


def _cell_slots(cell: Cell) -> list[Slot]:
    """A value cell's slots: one, read as written — or, where the cell holds numbers apart on
    one line, one per number (their places are known, so they are never cut further)."""
    if cell.cut:
        return [(nfkc(cell.text).strip(), cell.location, _CUT)]
    return [(text, cell.location, hold) for text, hold in _text_slots(cell.text)]


@lru_cache(maxsize=65536)
def _text_slots(raw: str) -> tuple[tuple[str, Hold | None], ...]:
    text = nfkc(raw).strip()  # the text as written, full-width digits as plain ones (as tokens have them)
    if "\n" in text and all(parse_number(ln)[0] == "number" for ln in text.split("\n")):
        return ((text, _WRAPPED),)  # 15⏎1: one number wrapped, or two? the reader could not tell
    parts = text.split()
    if len(parts) > 1 and all(parse_number(p)[0] in ("number", "dash") for p in parts):
        return tuple((p, None) for p in parts)
    return ((text, None),)


def _trim(per_cell: list[list[Slot]], n: int) -> slice:
    """Which of the row's cells hold its values: where each cell holds one value, the blank cells at
    either end beyond ``n`` are layout (a ghost cell closing the row, an empty edge column) and left
    out. A cell holding two numbers says the row's cells are not the table's columns: all stay."""
    lo, hi = 0, len(per_cell)
    if any(len(s) > 1 for s in per_cell):
        return slice(lo, hi)
    while hi - lo > n and not per_cell[hi - 1][0][0] and per_cell[hi - 1][0][2] is None:
        hi -= 1
    while hi - lo > n and not per_cell[lo][0][0] and per_cell[lo][0][2] is None:
        lo += 1
    return slice(lo, hi)


def _fit(slots: list[Slot], n: int, table: Table, where: str, label: str) -> list[Slot]:
    """Exactly ``n`` slots for the row's ``n`` columns, placed by the table's geometry, never by
    cutting numbers: columns beyond the paper's edge are null; a row that does not fit is held
    back whole."""
    if len(slots) < n and table.cut_right != table.cut_left:
        beyond = [("", f"{where}（页面边缘之外 beyond the page's edge）", _BEYOND)] * (n - len(slots))
        slots = slots + beyond if table.cut_right else beyond + slots
    if len(slots) == n:
        return slots
    raw = "\t".join(t for t, _, _ in slots)
    if len(slots) > n:
        hold = (DiagnosticCode.EXTRA_VALUES, f"「{label}」一行有{len(slots)}个数，多于{n}格；各数各占一格，不拆分也不猜其所在列，"
                "各格留空 (more values than cells; each stood apart, so none is cut or placed by guess: null)")
    else:
        hold = (DiagnosticCode.MISSING_VALUES, f"「{label}」一行只有{len(slots)}个数，少于{n}格；各数各占一格，"
                "不拆分也不猜其所在列，各格留空 (fewer values than cells; each stood apart, so none is cut or placed by "
                "guess: null)")
    return [(raw, where, hold)] * n


def _run(key: str, label: Cell | None, values: list[Cell], n: int, table: Table, reading: TableReading,
         fuzzy: bool = False, merged_group: str | None = None) -> RowRun:
    """The row's run for the solver: one token per column, read as written, unless the row's values
    are one run of digits in one cell spanning them all (digits that ran together: cut by the solver)."""
    where = values[0].location if values else (label.location if label else table.location)
    label_text = label.text if label else ""
    location = label.location if label else where
    if len(values) == 1 and n > 1 and not values[0].cut:
        tokens = tokens_of(values[0].text, values[0].location)
        if len(tokens) == 1 and tokens[0].text.isdigit():
            reading.run_together.add(values[0].location)  # the values' provenance names this cell
            return RowRun(key, label_text, tokens, values[0].location, fuzzy=fuzzy, merged_group=merged_group,
                          raw=values[0].text)
    per_cell = [_cell_slots(c) for c in values]
    kept = _trim(per_cell, n)
    raw = "\t".join(c.text for c in values[kept])
    slots = _fit([s for cell_slots in per_cell[kept] for s in cell_slots], n, table, where, label_text.strip())
    held = {i: hold for i, (_, _, hold) in enumerate(slots) if hold is not None}
    return RowRun(key, label_text, [Token(t, loc) for t, loc, _ in slots], location, fuzzy=fuzzy,
                  merged_group=merged_group, raw=raw, held=held)


def _columns(spec: TableSpec, key: str, is_group: bool) -> int:
    return len(spec.row(key).columns) if not is_group else len(spec.row(spec.groups[0].children[0]).columns)


def read_grid(tables: list[Table], spec: TableSpec, fmt: FormatSpec) -> TableReading:
    reading = TableReading(found=True)
    matcher = RowMatcher(fmt, spec.key)
    header_texts: list[str] = []
    column_header: list[str] | None = None  # active table: the header of the rows below it
    loose: list[tuple[Table, list[Cell]]] = []  # appeals: value rows without labels
    # rows in document order: a matched row's run, or a row whose label the page's edge cut
    # (matched at the end, by what remains of it and the order of the rows around it)
    entries: list[RowRun | tuple[Table, list[Cell], list[Cell]]] = []
    for table in tables:
        for r in range(table.n_rows):
            cells = table.row_cells(r)
            last_label = len(cells) - 1  # the last cell that is not a value
            while last_label >= 0 and _is_value_text(cells[last_label].text):
                last_label -= 1
            labels = [c for c in cells[:last_label + 1] if c.text.strip()]
            values = cells[last_label + 1:]
            has_values = any(c.text.strip() for c in values)
            if not labels:
                if has_values:
                    loose.append((table, values))
                continue
            # An empty data row has its label (and its groups' labels) and blank cells; a header has many.
            blank_cells = len(values) if not has_values and len(labels) <= 3 and spec.key != "appeals" else 0
            hit = matcher.match([c.text for c in labels], has_values, blank_cells)
            if hit is None:
                if has_values and labels[-1].cut:
                    entries.append((table, labels, values))
                    continue
                if has_values and spec.key == "appeals" and not any(two_labels(c.text) for c in labels):
                    loose.append((table, values))  # the appeals row under a word of its own (数量, 件数)
                    continue
                header_texts.extend(c.text for c in labels)
                if not has_values and len(labels) >= 2:
                    column_header = [c.text for c in labels[1:]]
                continue
            key, fuzzy, is_group = hit
            entries.append(_run(key, labels[-1], values, _columns(spec, key, is_group), table, reading, fuzzy,
                                key if is_group else None))
            if spec.key == "active" and column_header and not is_group:
                _column_variants(spec.row(key), column_header, spec.key, reading)
    reading.runs = _cut_rows(entries, matcher, spec, reading, header_texts)
    if spec.key == "appeals" and loose and not reading.runs:
        table = loose[0][0]
        values = [c for _, row in loose for c in row]
        reading.runs.append(_run("*", None, values, len(spec.keys), table, reading))
    if spec.key != "active":
        header_variants(spec, "".join(header_texts), reading)
    return reading


def _cut_rows(entries: list[RowRun | tuple[Table, list[Cell], list[Cell]]], matcher: RowMatcher, spec: TableSpec,
              reading: TableReading, header_texts: list[str]) -> list[RowRun]:
    """The runs in document order, each stretch of rows whose labels the page's edge cut matched
    by what remains of the labels, when the rows around it leave one way to do so."""
    runs: list[RowRun] = []
    k = 0
    while k < len(entries):
        entry = entries[k]
        if isinstance(entry, RowRun):
            runs.append(entry)
            k += 1
            continue
        end = k
        while end < len(entries) and not isinstance(entries[end], RowRun):
            end += 1
        stretch = entries[k:end]
        after = runs[-1].key if runs and not runs[-1].merged_group and runs[-1].key in matcher.order else None
        nxt = entries[end] if end < len(entries) else None
        before = nxt.key if isinstance(nxt, RowRun) and not nxt.merged_group and nxt.key in matcher.order else None
        keys = matcher.match_cut([labels[-1].text for _, labels, _ in stretch], after, before)  # type: ignore[misc]
        for i, (table, labels, values) in enumerate(stretch):  # type: ignore[misc]
            if keys is None:
                header_texts.extend(c.text for c in labels)
                continue
            row = spec.row(keys[i])
            runs.append(_run(keys[i], labels[-1], values, len(row.columns), table, reading))
            remains = labels[-1].text.strip()
            reading.notes.append(Diagnostic(
                DiagnosticCode.LABEL_VARIANT, f"行标题被页面边缘截断，仅余「{remains}」；按表中各行次序，唯一对应「{row.leaf}」，"
                f"已按此读取 (row label cut at the page's edge; what remains of it, in the table's order of rows, "
                f"names only this row)", key=row.cell_key(spec.key, row.columns[0].key),
                keys=list(spec.row_keys(row.key)), found=remains, location=labels[-1].location))
        k = end
    return runs


def _column_variants(row: RowSpec, header: list[str], table: str, reading: TableReading) -> None:
    """Column labels above an active-table row that differ from the official wording."""
    if len(header) != len(row.columns):
        return
    for col, text in zip(row.columns, header, strict=True):
        if norm(text) != norm(col.label) and ratio(norm(text), norm(col.label)) >= 60:
            reading.column_variants[row.cell_key(table, col.key)] = text
