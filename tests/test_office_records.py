"""Word, legacy Word and spreadsheets read to the same record as the web page (issue 3 item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit import read_report
from auditkit.layout import Table
from auditkit.readers import read_layout
from tests.conftest import SAMPLES, truth_of

HTML = SAMPLES / "011_pingtan-shiyanqu_2023.html"
TITLE = "平潭综合实验区2023年度政府信息公开工作年度报告"


def workbook_from_tables(tables: list[Table], path: Path, one_sheet: bool) -> Path:
    """The report's tables as an agency would paste them into Excel, merged cells included."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "年报"
    ws.cell(row=1, column=1, value=TITLE)
    top = 3
    for n, table in enumerate(tables):
        if not one_sheet and n:
            ws = wb.create_sheet(f"表{n + 1}")
            top = 1
        done: set[int] = set()
        for r, row in enumerate(table.grid):
            for c, cell in enumerate(row):
                if cell is None or id(cell) in done:
                    continue
                done.add(id(cell))
                text = cell.text
                value: object = int(text) if text.isdigit() else (float(text) if text.replace(".", "", 1).isdigit()
                                                                   else text)
                ws.cell(row=top + r, column=1 + c, value=value)
                if cell.rowspan > 1 or cell.colspan > 1:
                    ws.merge_cells(start_row=top + r, start_column=1 + c,
                                   end_row=top + r + cell.rowspan - 1, end_column=c + cell.colspan)
        top += len(table.grid) + 2
    wb.save(path)
    return path


@pytest.mark.parametrize("one_sheet", [True, False], ids=["blocks_on_one_sheet", "one_sheet_per_table"])
def test_spreadsheet_reads_to_truth(tmp_path: Path, one_sheet: bool) -> None:
    tables = read_layout(HTML).tables
    path = workbook_from_tables(tables, tmp_path / "report.xlsx", one_sheet)
    report = read_report(path)
    truth = truth_of(HTML.name)
    assert report.kind == "xlsx"
    assert (report.format, report.agency, report.year) == (truth["format"], truth["agency"], truth["year"])
    assert report.cells == truth["cells"]
    assert not [d for d in report.diagnostics if d.code in ("missing_table", "label_variant", "missing_row")]
    # Every value points at its spreadsheet cell.
    assert report.provenance["requests.total_handled.total"].location.startswith("sheet ")


def test_legacy_spreadsheet_reads_to_truth(tmp_path: Path) -> None:
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required: apt-get install libreoffice-calc-nogui"
    xlsx = workbook_from_tables(read_layout(HTML).tables, tmp_path / "report.xlsx", one_sheet=True)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    report = read_report(tmp_path / "report.xls")
    assert report.kind == "xls"
    assert report.cells == truth_of(HTML.name)["cells"]


@pytest.mark.parametrize("name", ["011_pingtan-shiyanqu_2023_word.docx", "011_pingtan-shiyanqu_2023_word.doc",
                                  "011_pingtan-shiyanqu_2023_print.pdf"])
def test_twin_documents_equal_the_web_page(name: str) -> None:
    web = read_report(HTML)
    twin = read_report(SAMPLES / name)
    assert twin.cells == web.cells == truth_of(name)["cells"]
    assert twin.sections.keys() == web.sections.keys()
    for key in ("overview", "problems"):
        assert twin.sections[key].replace(" ", "")[:200] == web.sections[key].replace(" ", "")[:200]
