"""A table's values read cell by cell (issue 12): a number that had its own cell is read as
written or not at all, never cut into several; cells the paper's edge cut are null; a row of
values in own cells is placed in its columns by the table's cells, never by the digit splitter.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from auditkit import read_report
from auditkit.digits import RowReading
from auditkit.layout import Cell, Layout, Table, TextBlock, grid_from_rows
from auditkit.match import match_layout
from auditkit.match.selfcheck import split_own_cells
from auditkit.record import Provenance, Report
from tests.torture.cases import SPECS

HEADER = ["", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
NEW = "本年新收政府信息公开申请数量"
CARRIED = "上年结转政府信息公开申请数量"


def _requests(*rows: list[str]) -> Report:
    """A page whose requests table has the header and ``rows`` (label cells then value cells)."""
    body = [HEADER, *rows, ["（一）予以公开", "", "1", "0", "0", "0", "0", "0", "1"]]
    cells = [[Cell(t, f"table 1, row {r + 1}, col {c + 1}") for c, t in enumerate(row)] for r, row in enumerate(body)]
    layout = Layout("t.html", "html", [TextBlock("某局2023年度政府信息公开工作年度报告", "paragraph 1"),
                                       TextBlock("三、收到和处理政府信息公开申请情况", "paragraph 2"),
                                       Table(grid_from_rows(cells), "table 1")])
    return match_layout(layout, "0" * 64)


def _row(report: Report, row: str) -> list[float | None]:
    return [report.cells[f"requests.{row}.{c}"] for c in
            ("natural_person", "commercial", "research", "nonprofit", "legal_services", "other_org", "total")]


def _codes(report: Report, key: str) -> set[str]:
    return {d.code for d in report.diagnostics_for(key)}


def test_numbers_in_own_cells_short_of_the_columns_are_never_cut() -> None:
    """11200 | 1 | 5 has seven digits for seven cells and one cut that adds up (1,1,2,0,0,1,5):
    the digit splitter would take it; each number had its own cell, so the row is refused."""
    report = _requests([NEW, "", "11200", "1", "5"])
    assert _row(report, "new_received") == [None] * 7
    assert "missing_values" in _codes(report, "requests.new_received.total")
    assert not [d for d in report.diagnostics if d.code in ("recovered_by_arithmetic", "digits_split")]


def test_cells_written_with_separators_units_and_signs_are_their_own_numbers() -> None:
    report = _requests([NEW, "", "2,750", "12件", "１２", "0", "0", "0", "2,774"])
    assert _row(report, "new_received") == [2750, 12, 12, 0, 0, 0, 2774]
    assert report.provenance["requests.new_received.natural_person"].text == "2,750"


def test_one_cell_holding_a_whole_rows_digits_is_still_split_by_its_arithmetic() -> None:
    """Digits that really ran together: one cell spanning all the row's values."""
    report = _requests([NEW, "120000012"])  # four cuts into seven values, one adding up
    assert _row(report, "new_received") == [12, 0, 0, 0, 0, 0, 12]
    assert _codes(report, "requests.new_received.total") == {"recovered_by_arithmetic"}
    assert not [d for d in report.diagnostics if d.code == "self_check"]


def test_a_number_broken_over_two_lines_of_a_cell_is_null_not_guessed() -> None:
    report = _requests([NEW, "", "15\n1", "3", "0", "0", "0", "0", "154"])
    assert _row(report, "new_received") == [None, 3, 0, 0, 0, 0, 154]
    assert _codes(report, "requests.new_received.natural_person") == {"unparsed_value"}


def test_a_label_cell_holding_two_numbered_labels_is_not_matched() -> None:
    """Label-only lines of an unruled table once landed in the next row's label cell:
    （六）其他处理（七）总计 must not lend 总计's values to another row."""
    report = _requests([CARRIED, "", "0", "0", "0", "0", "0", "0", "0"],
                       ["（六）其他处理（七）总计", "", "95", "0", "0", "0", "0", "0", "95"])
    assert _row(report, "total_handled") == [None] * 7
    assert all(v is None for k, v in report.cells.items() if k.startswith("requests.other_handling"))


def test_blank_cells_beyond_the_columns_at_either_end_are_layout() -> None:
    """Word's ghost cell closing a row, an empty edge column: the values keep their places."""
    report = _requests([NEW, "", "", "1", "2", "0", "0", "0", "0", "3", ""])
    assert _row(report, "new_received") == [1, 2, 0, 0, 0, 0, 3]


def test_the_self_check_catches_a_value_cut_out_of_its_own_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    cells = {"requests.new_received.natural_person": 1}
    where = {"t, row 2, col 3": Cell("148", "t, row 2, col 3")}
    assert split_own_cells(cells, {"requests.new_received.natural_person": Provenance("148", "t, row 2, col 3")},
                           where, set()) == ["requests.new_received.natural_person"]
    assert not split_own_cells({"requests.new_received.natural_person": 148},
                               {"requests.new_received.natural_person": Provenance("148", "t, row 2, col 3")}, where, set())
    assert not split_own_cells(cells, {"requests.new_received.natural_person": Provenance("148", "t, row 2, col 3")},
                               where, {"t, row 2, col 3"})  # a cell whose digits ran together

    solve = importlib.import_module("auditkit.match.solve")  # the module, not the function auditkit.match exports
    real = solve.read_row

    def splitting(tokens, n, check, *rest):  # a solver that wrongly cuts numbers that had their own cells
        reading = real(tokens, n, check, *rest)
        if reading.direct and [t.text for t in tokens][:2] == ["148", "1"]:
            cut = [1, 4, 8, 1, 0, 0, 14]
            return RowReading(cut, [cut], 1, False, tokens=reading.tokens, settled=tuple(cut))
        return reading

    monkeypatch.setattr(solve, "read_row", splitting)
    report = _requests([NEW, "", "148", "1", "0", "0", "0", "0", "149"])
    assert _row(report, "new_received") == [None] * 7
    assert _codes(report, "requests.new_received.natural_person") >= {"self_check"}


# ---------------------------------------------------------------- PDFs drawn as other producers draw them


def _case(name: str, tmp_path: Path) -> tuple[Report, dict, set[str]]:
    spec = next(s for s in SPECS if s.name == name)
    made = spec.make()
    path = tmp_path / f"{name}{made.suffix}"
    path.write_bytes(made.data)
    return read_report(path), made.doc.expected, made.hidden


def test_a_table_cut_at_the_paper_edge_gives_null_for_what_the_edge_cut(tmp_path: Path) -> None:
    """A web page printed to PDF: its table wider than the paper, the labels' start and the 总计
    column cut off. What the edge cut is null (cut_off), never the digits left on the paper."""
    report, expected, hidden = _case("wps-clip-both", tmp_path)
    assert len(hidden) >= 20
    for key in hidden:
        assert report.cells[key] is None and "cut_off" in _codes(report, key), key
    wrong = {k: (report.cells[k], v) for k, v in expected.items() if k not in hidden and report.cells[k] not in (v, None)}
    assert not wrong
    # the labels cut to …信息公开申请数量 matched by what remains of them, in the table's order
    assert report.cells["requests.new_received.natural_person"] == expected["requests.new_received.natural_person"]
    assert report.cells["requests.carried_over.natural_person"] == expected["requests.carried_over.natural_person"]
    cut = [d for d in report.diagnostics if d.code == "label_variant" and "截断" in d.message]
    assert {d.key for d in cut} >= {"requests.new_received.natural_person", "requests.carried_over.natural_person"}
    # the appeals table, cut on its left: its first two columns are beyond the edge
    assert report.cells["appeals.reconsideration.upheld"] is None
    assert "cut_off" in _codes(report, "appeals.reconsideration.upheld")


def test_a_table_cut_at_the_right_edge_keeps_the_columns_on_the_paper(tmp_path: Path) -> None:
    report, expected, hidden = _case("wps-clip-right", tmp_path)
    assert report.cells == {k: (None if k in hidden else v) for k, v in expected.items()}


@pytest.mark.parametrize("name", ["wps-appeals-lead-cell", "wps-appeals-lead-label", "cms-appeals-lead-cell"])
def test_appeals_row_after_a_leading_cell_is_read_by_its_cells(name: str, tmp_path: Path) -> None:
    """表四 with a spare left column: an empty leading cell (or 数量) before the row of fifteen
    numbers, each in its own cell. Once refused whole as 数字个数多于格数."""
    report, expected, _ = _case(name, tmp_path)
    appeals = {k: v for k, v in expected.items() if k.startswith("appeals.")}
    assert {k: report.cells[k] for k in appeals} == appeals
    assert len(set(appeals.values())) == 15  # fifteen different numbers: a column off by one cannot pass
