"""From a reader's layout to the canonical record: sections, tables, format, metadata.

Two paths lead to the same cells:
- grid tables (HTML, PDF, Word, tab-separated text): each table row's label cells
  are matched to a row of the format, its value cells read in order;
- flattened tables (crawler copies): the row labels are found in the running
  text and the digits between two labels are that row's values, split with the
  table's own arithmetic when they ran together (``auditkit.digits``).

Both produce, per row, a list of value tokens; one solver turns them into cells,
taking a split only when exactly one fits, and never guessing.

The stages, one module each, in the order ``match_layout`` runs them:
- ``stream``: the document as one string, and the compact view labels are searched in;
- ``sections``: the section titles and their stretches; which format the tables follow;
- ``metadata``: agency, report year, publication date;
- ``grid``: grid tables classified and read row by row;
- ``flat``: flattened tables found in the running text;
- ``rows``: what both table paths produce, and how labels are matched to the format;
- ``solve``: row readings turned into cells and diagnostics;
- ``selfcheck``: no value of a grid cut out of a number that had its own cell.
"""

from __future__ import annotations

from auditkit.digits import Budget, Value
from auditkit.errors import DiagnosticCode, ReadError, ReadReason
from auditkit.formats import SECTION_KEYS, format_spec
from auditkit.layout import Cell, Layout, Table
from auditkit.match.confirm import stated_appeals
from auditkit.match.flat import read_flat
from auditkit.match.grid import classify_table, read_grid, table_text
from auditkit.match.metadata import read_metadata
from auditkit.match.rows import TableReading
from auditkit.match.sections import detect_format, find_sections, section_ranges
from auditkit.match.selfcheck import cells_by_location, self_check_diagnostic, split_own_cells
from auditkit.match.solve import cells_vanish, solve
from auditkit.match.stream import Compact, Stream
from auditkit.record import Diagnostic, Provenance, Report

__all__ = ["match_layout"]


def match_layout(layout: Layout, sha256: str) -> Report:
    """Build the canonical record of one report from its layout."""
    diags: list[Diagnostic] = []
    stream = Stream.of(layout)
    view = Compact.of(stream.text)
    if "政府信息公开" not in view.text and not layout.tables:
        raise ReadError(ReadReason.NOT_A_REPORT, "不是政府信息公开工作年度报告：未见“政府信息公开” (not an annual report on "
                        "government information disclosure)")
    hits = find_sections(stream, view, diags)
    ranges = section_ranges(stream, hits)
    first_section = min((h.start for h in hits.values()), default=None)
    agency, year, published = read_metadata(layout, stream, first_section, diags)
    grid_texts = [table_text(t) for t in layout.tables]
    fmt = format_spec(detect_format(view.text + "".join(grid_texts), year, diags))

    classified: dict[str, list[Table]] = {k: [] for k in fmt.tables}
    for t, text in zip(layout.tables, grid_texts, strict=True):
        kind = classify_table(text, fmt)
        if kind:
            classified[kind].append(t)

    cells: dict[str, Value] = dict.fromkeys(fmt.keys)
    provenance: dict[str, Provenance] = {}
    cuts: list[tuple[int, int]] = []
    by_location = cells_by_location([t for ts in classified.values() for t in ts])  # the tables values come from
    budget = Budget()  # the document's time for splitting digits that ran together

    def stated() -> dict[str, int]:
        """The appeals counts the text states (once each), read with the tables found so far cut out."""
        return stated_appeals(_section_texts(stream, ranges, cuts), year)

    found: dict[str, TableReading | None] = {}  # None: the table is not in the document
    anchors = {"active": "信息内容", "requests": "本年新收", "appeals": None}
    for key, spec in fmt.tables.items():
        if classified[key]:
            reading = read_grid(classified[key], spec, fmt)
        else:
            start, end = ranges.get(key, (0, len(stream.text)))
            anchor = anchors[key] if key in ranges else (anchors[key] or "行政复议")
            reading = read_flat(stream, start, end, spec, fmt, anchor)
            if not reading.found and key in ranges and anchors[key]:
                reading = read_flat(stream, start, end, spec, fmt, None)
            if reading.span:
                cuts.append(reading.span)
        found[key] = reading if reading.found and reading.runs else None
    # One table whose blank cells left no trace in the copy says so for the whole document.
    vanish = any(cells_vanish(reading, fmt.tables[key]) for key, reading in found.items() if reading)
    for key, reading in found.items():
        spec = fmt.tables[key]
        if reading is None:
            diags.append(Diagnostic(DiagnosticCode.MISSING_TABLE, f"未找到「{spec.title}」的表格，各格留空 (table not found; its "
                                    "cells are null)", key=f"table.{key}", keys=spec.keys))
            continue
        solved = solve(reading, spec, fmt, budget, stated, vanish)
        missing_rows = [r for r in spec.rows if r.cell_key(key, r.columns[0].key) not in solved.cells]
        merged_keys = {k for d in solved.diagnostics if d.code == DiagnosticCode.MERGED_ROW for k in (d.keys or [])}
        for r in missing_rows:
            keys = [r.cell_key(key, c.key) for c in r.columns]
            if keys[0] in merged_keys:
                continue
            diags.append(Diagnostic(DiagnosticCode.MISSING_ROW, f"表中未找到「{r.leaf}」一行，各格留空 (row not found; its cells "
                                    "are null)", key=keys[0], keys=keys))
        for k in split_own_cells(solved.cells, solved.provenance, by_location, reading.run_together):
            solved.diagnostics.append(self_check_diagnostic(k, solved.provenance[k], solved.cells[k]))
            solved.cells[k] = None
        cells.update({k: v for k, v in solved.cells.items() if k in cells})
        provenance.update(solved.provenance)
        diags.extend(reading.notes)
        diags.extend(solved.diagnostics)
    _show_ocr_doubts(diags, by_location)

    if not hits and not any(found.values()):
        raise ReadError(ReadReason.NOT_A_REPORT, "不是政府信息公开工作年度报告：未见年报的部分标题和表格 (no section or table of "
                        "the national format found)")
    section_text = _section_texts(stream, ranges, cuts)
    return Report(source=layout.source, sha256=sha256, kind=layout.kind, format=fmt.name, agency=agency, year=year,
                  published=published, cells=cells, sections=section_text, diagnostics=diags,
                  provenance=provenance)


def _show_ocr_doubts(diags: list[Diagnostic], by_location: dict[str, Cell]) -> None:
    """A value OCR refused is shown as what was seen in its cell and why, not as the refusal mark."""
    for d in diags:
        if d.code == DiagnosticCode.OCR_DOUBTFUL and d.location in by_location:
            seen = by_location[d.location].doubt
            if seen:
                d.found = seen


def _section_texts(stream: Stream, ranges: dict[str, tuple[int, int]], cuts: list[tuple[int, int]]) -> dict[str, str]:
    """Each section's running text, without the flattened tables found in it."""
    return {key: stream.text_between(*ranges[key], cuts) if key in ranges else "" for key in SECTION_KEYS}
