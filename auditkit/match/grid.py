"""Grid tables (HTML, PDF, Word, spreadsheets, tab-separated text): cells already in rows and columns.

``classify_table`` tells which table of the format a grid holds by its row labels;
``read_grid`` matches each grid row's label cells to a row of the format and reads
its value cells in order, into a ``TableReading`` for the solver.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz

from auditkit.digits import VALUE_CHARS, Token, parse_number, tokens_of
from auditkit.formats import FormatSpec, RowSpec, TableSpec, nfkc, norm
from auditkit.layout import Cell, Table
from auditkit.match.rows import RowMatcher, RowRun, TableReading, header_variants
from auditkit.match.stream import Compact


@lru_cache(maxsize=65536)
def _is_value_text(text: str) -> bool:
    kind, _ = parse_number(text)
    if kind != "text":
        return True
    t = nfkc(text)
    return all(ch in VALUE_CHARS or ch == "无" for ch in t) and any(ch.isdigit() for ch in t)


def table_text(table: Table) -> str:
    """A grid's cells, each once, in the compact form labels are compared in."""
    return Compact.of("".join(c.text for r in range(table.n_rows) for c in table.row_cells(r))).text


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


def _cell_tokens(cells: list[Cell]) -> list[Token]:
    out: list[Token] = []
    for c in cells:
        toks = tokens_of(c.text, c.location)
        if not toks:
            out.append(Token("" if not c.text.strip() else c.text.strip(), c.location))
        else:
            out.extend(toks)
    return out


def read_grid(tables: list[Table], spec: TableSpec, fmt: FormatSpec) -> TableReading:
    reading = TableReading(found=True)
    matcher = RowMatcher(fmt, spec.key)
    header_texts: list[str] = []
    column_header: list[str] | None = None  # active table: the header of the rows below it
    loose_values: list[Cell] = []  # appeals: value rows without labels
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
                    loose_values.extend(values)
                continue
            # An empty data row has its label (and its groups' labels) and blank cells; a header has many.
            blank_cells = len(values) if not has_values and len(labels) <= 3 and spec.key != "appeals" else 0
            hit = matcher.match([c.text for c in labels], has_values, blank_cells)
            if hit is None:
                header_texts.extend(c.text for c in labels)
                if not has_values and len(labels) >= 2:
                    column_header = [c.text for c in labels[1:]]
                continue
            key, fuzzy, is_group = hit
            n = len(spec.row(key).columns) if not is_group else len(spec.row(spec.groups[0].children[0]).columns)
            while len(values) > n and not values[-1].text.strip():
                values = values[:-1]
            while len(values) > n and not values[0].text.strip():
                values = values[1:]
            run = RowRun(key, labels[-1].text, _cell_tokens(values),
                         labels[-1].location, fuzzy=fuzzy, merged_group=key if is_group else None,
                         raw="\t".join(c.text for c in values))
            reading.runs.append(run)
            if spec.key == "active" and column_header and not is_group:
                _column_variants(spec.row(key), column_header, spec.key, reading)
    if spec.key == "appeals" and loose_values and not reading.runs:
        reading.runs.append(RowRun("*", "", _cell_tokens(loose_values), loose_values[0].location,
                                   raw="\t".join(c.text for c in loose_values)))
    if spec.key != "active":
        header_variants(spec, "".join(header_texts), reading)
    return reading


def _column_variants(row: RowSpec, header: list[str], table: str, reading: TableReading) -> None:
    """Column labels above an active-table row that differ from the official wording."""
    if len(header) != len(row.columns):
        return
    for col, text in zip(row.columns, header, strict=True):
        if norm(text) != norm(col.label) and fuzz.ratio(norm(text), norm(col.label)) >= 60:
            reading.column_variants[row.cell_key(table, col.key)] = text
