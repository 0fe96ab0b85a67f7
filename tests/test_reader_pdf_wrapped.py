"""Numbers wrapped onto several lines of a narrow ruled cell (``15⏎1``) are one number only where
the table's layout proves it (issue 12): otherwise the cell stays null with a diagnostic."""

from __future__ import annotations

from pathlib import Path

from auditkit import read_report
from auditkit.readers.pdf.model import Box, RawTable
from auditkit.readers.pdf.wrapped import join_wrapped_numbers
from tests.torture.cases import SPECS

DIGIT = 4.5  # pt: a digit's width in these made-up cells


def _box(*lines: str) -> Box:
    return Box(1, lines=list(lines), widths=[(DIGIT * len(t), DIGIT) for t in lines])


def _table(columns: list[list[Box]], width: float = 15.0, ruled: bool = True) -> RawTable:
    """A table of one label column and the given value columns (cells top down), each ``width`` wide."""
    n = max(len(c) for c in columns)
    grid = [[Box(1, lines=["label"]), *(col[r] for col in columns)] for r in range(n)]
    xs = [0.0, 60.0]
    for _ in columns:
        xs.append(xs[-1] + width)
    return RawTable(grid, xs, 0.0, 100.0, 1, 1, ruled=ruled)


def _texts(table: RawTable) -> list[list[str]]:
    return [["\n".join(b.lines) for b in row[1:]] for row in table.grid]


def test_wrapped_cells_of_a_column_that_holds_two_digits_a_line_are_joined() -> None:
    table = _table([[_box("15", "1"), _box("3"), _box("14", "7"), _box("22")]])
    join_wrapped_numbers(table)
    assert _texts(table) == [["151"], ["3"], ["147"], ["22"]]


def test_a_single_wrapped_cell_is_corroborated_by_columns_as_wide() -> None:
    table = _table([[_box("15", "1"), _box("3")], [_box("3"), _box("27", "0")]])
    join_wrapped_numbers(table)
    assert _texts(table) == [["151", "3"], ["3", "270"]]


def test_one_wrapped_cell_alone_proves_nothing() -> None:
    """Typed on two lines on purpose, or wrapped? Nothing in the table says: the lines stay."""
    table = _table([[_box("15", "1"), _box("3")]])
    join_wrapped_numbers(table)
    assert _texts(table) == [["15\n1"], ["3"]]


def test_a_column_where_three_digits_fit_on_one_line_keeps_its_two_line_cells() -> None:
    table = _table([[_box("15", "1"), _box("14", "7"), _box("229")]])
    join_wrapped_numbers(table)
    assert _texts(table) == [["15\n1"], ["14\n7"], ["229"]]


def test_tables_rebuilt_from_text_positions_are_left_alone() -> None:
    table = _table([[_box("15", "1"), _box("14", "7")]], ruled=False)
    join_wrapped_numbers(table)
    assert _texts(table) == [["15\n1"], ["14\n7"]]


def test_a_pdf_with_numbers_wrapped_in_narrow_cells_reads_whole(tmp_path: Path) -> None:
    spec = next(s for s in SPECS if s.name == "wps-wrapped-numbers")
    made = spec.make()
    path = tmp_path / "wrapped.pdf"
    path.write_bytes(made.data)
    report = read_report(path)
    assert report.cells == made.doc.expected


def test_an_unproven_wrap_is_null_with_a_diagnostic(tmp_path: Path) -> None:
    from auditkit.layout import Cell, Layout, Table, TextBlock, grid_from_rows
    from auditkit.match import match_layout

    rows = [["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
            ["本年新收政府信息公开申请数量", "15\n1", "3", "0", "0", "0", "0", "154"],
            ["上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"]]
    cells = [[Cell(t, f"table 1, row {r + 1}, col {c + 1}") for c, t in enumerate(row)] for r, row in enumerate(rows)]
    report = match_layout(Layout("t.html", "html", [TextBlock("某局2023年度政府信息公开工作年度报告", "p 1"),
                                                     Table(grid_from_rows(cells), "table 1")]), "0" * 64)
    assert report.cells["requests.new_received.natural_person"] is None
    assert report.cells["requests.new_received.commercial"] == 3
    assert [d.code for d in report.diagnostics_for("requests.new_received.natural_person")] == ["unparsed_value"]
