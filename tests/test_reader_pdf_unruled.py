"""The PDF reader on tables drawn without ruling lines: rebuilt from where the text sits.

Three borderless PDFs from three producers (LibreOffice's web export of a CMS page,
LibreOffice from Word, a generated 2019-format page with centred cells) must read
to every cell of their truth, and prose or a couple of numbered lines must not turn
into tables. See tests/data/unruled/README.md for how each PDF was made.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest

from auditkit import read_report
from auditkit.formats import all_keys
from auditkit.layout import Layout, Table, TextBlock
from auditkit.readers.pdf import read_pdf
from auditkit.record import Report
from tests.conftest import truth_of

UNRULED = Path(__file__).resolve().parent / "data" / "unruled"
LOCATION = re.compile(r"^page \d+, table \d+, row \d+, col \d+$")


def _values_2019() -> dict:
    spec = importlib.util.spec_from_file_location("make_2019_centred", UNRULED / "make_2019_centred.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"format": "2019", "agency": "平潭综合实验区", "year": 2019, "cells": module.values()}


# PDF -> (its truth, the pages its requests table runs over)
CASES = {
    "011_no_borders.pdf": (lambda: truth_of("011_pingtan-shiyanqu_2023.html"), "pages 4-5"),
    "011_word_no_borders.pdf": (lambda: truth_of("011_pingtan-shiyanqu_2023_word.docx"), "pages 3-5"),
    "2019_centred.pdf": (_values_2019, "pages 3-4"),
}


@cache
def parsed(name: str) -> Report:
    return read_report(UNRULED / name)


@cache
def layout_of(name: str) -> Layout:
    path = UNRULED / name
    return read_pdf(path, path.read_bytes())


def leaf(row: list[str]) -> str:
    """The last label of a requests row (its seven values are the last seven cells)."""
    return [t for t in row[:-7] if t][-1]


def _path_objects(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return sum(1 for i in range(len(doc)) for obj in doc[i].get_objects(max_depth=5) if obj.type == 2)
    finally:
        doc.close()


def test_word_and_generated_pdfs_have_no_ruling_lines() -> None:
    # not a line drawn at all: the tables can only come from the text's positions
    assert _path_objects(UNRULED / "011_word_no_borders.pdf") == 0
    assert _path_objects(UNRULED / "2019_centred.pdf") == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_cell_equals_truth(name: str) -> None:
    truth, report = CASES[name][0](), parsed(name)
    assert (report.format, report.agency, report.year) == (truth["format"], truth["agency"], truth["year"])
    assert set(report.cells) == set(all_keys(truth["format"]))
    wrong = {k: (report.cells[k], v) for k, v in truth["cells"].items() if report.cells[k] != v}
    assert not wrong, wrong
    assert all(v is not None for v in report.cells.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_requests_table_is_one_grid_over_the_page_break(name: str) -> None:
    layout = layout_of(name)
    requests = [t for t in layout.tables if "本年新收" in "".join(c.text for row in t.grid for c in row if c)]
    assert len(requests) == 1
    table = requests[0]
    assert table.location == f"{CASES[name][1]}, table {layout.tables.index(table) + 1}"
    cells = {id(c): c for row in table.grid for c in row}
    assert all(c is not None and LOCATION.match(c.location) for c in cells.values())
    # a header row, then one row a row of the format: 25 in 2021, 23 in 2019 (其他处理 one row)
    assert table.n_rows == 1 + (25 if name.startswith("011") else 23)
    texts = [[c.text for c in table.row_cells(r)] for r in range(table.n_rows)]
    assert [leaf(row) for row in texts[1:3]] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]
    assert [leaf(row) for row in texts[-2:]] == ["（七）总计", "四、结转下年度继续办理"]
    assert all(len([t for t in row[-7:] if t]) == 7 for row in texts[1:])  # seven values in every row
    header = "".join(texts[0])
    for column in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计"):
        assert column in header
    # the values' rows keep their page: the last row sits on the table's last page
    last_page = CASES[name][1].split("-")[-1]
    assert table.row_cells(table.n_rows - 1)[-1].location.startswith(f"page {last_page}, ")


def test_row_cut_by_the_page_break_is_joined() -> None:
    # 2019_centred.pdf: "4.无正当理由大量反复申" ends page 3, "请" opens page 4 above a repeated header
    table = layout_of("2019_centred.pdf").tables[0]
    leaves = [leaf([c.text for c in table.row_cells(r)]) for r in range(1, table.n_rows)]
    assert "4.无正当理由大量反复申请" in leaves
    assert sum("勾稽关系" in c.text for r in range(table.n_rows) for c in table.row_cells(r)) == 1


def test_value_beside_its_label_in_the_page_margin_is_kept() -> None:
    # 011_word_no_borders.pdf page 2 ends with "行政强制   54" inside the bottom margin band
    report = parsed("011_word_no_borders.pdf")
    assert report.cells["active.coercion.decisions"] == 54
    assert "54" in report.provenance["active.coercion.decisions"].text


# ---------------------------------------------------------------- generated PDFs


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def test_prose_with_numbers_is_no_table(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "prose.pdf"
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setFont(font, 11)
    y = 780
    prose = ["2023年全区共主动公开政府信息13561条，清理规范性文件393件，",
             "收到申请81件，其中自然人80件、商业企业1件，办结81件，",
             "结转下年度0件，行政复议1件，行政诉讼4件，均已办结。"]
    for text in prose:
        c.drawString(70, y, text)
        y -= 18
    for label, nums in (("规章", "0   0   0"), ("行政规范性文件", "77   132   470")):  # two rows: too few
        c.drawString(70, y, label)
        c.drawString(250, y, nums)
        y -= 18
    c.drawString(70, y, "电话：0591 2345 6789 传真：0591 2345 6780 邮编 350400 地址 1 号")
    c.save()
    layout = read_pdf(out, out.read_bytes())
    assert layout.tables == []
    assert "收到申请81件" in layout.text()


def test_generated_borderless_table_reads_as_grid(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _cjk_font()
    out = tmp_path / "borderless.pdf"
    c = canvas.Canvas(str(out), pagesize=A4)
    c.setFont(font, 11)
    c.drawString(70, 780, "下表列出各单位办理情况：")
    c.drawString(250, 750, "收到")
    c.drawString(310, 750, "办结")
    c.drawString(370, 750, "结转")
    rows = [("甲单位", (12, 10, 2)), ("乙单位名称较长需要", (3, 3, 0)), ("丙单位", (1250, 1249, 1))]
    y = 725
    for label, nums in rows:
        if len(label) > 6:  # a wrapped label: its second line below the numbers
            c.drawString(70, y + 6, label[:6])
            c.drawString(70, y - 8, label[6:])
        else:
            c.drawString(70, y, label)
        for x, n in zip((250, 310, 370), nums, strict=True):
            c.drawRightString(x + 30, y, str(n))
        y -= 30
    c.drawString(70, y - 20, "以上数据截至年底。")
    c.save()
    layout = read_pdf(out, out.read_bytes())
    assert len(layout.tables) == 1
    table: Table = layout.tables[0]
    assert [[cell.text for cell in table.row_cells(r)] for r in range(table.n_rows)] == [
        ["", "收到", "办结", "结转"],
        ["甲单位", "12", "10", "2"],
        ["乙单位名称较长需要", "3", "3", "0"],
        ["丙单位", "1250", "1249", "1"],
    ]
    assert table.grid[2][3].location == "page 1, table 1, row 3, col 4"
    texts = [b.text for b in layout.blocks if isinstance(b, TextBlock)]
    assert texts == ["下表列出各单位办理情况：", "以上数据截至年底。"]


def _torture(name: str, tmp_path: Path) -> tuple[Report, dict]:
    from tests.torture.cases import SPECS

    made = next(s for s in SPECS if s.name == name).make()
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(made.data)
    return read_report(path), made.doc.expected


def test_rows_left_empty_are_rows_of_blank_cells(tmp_path: Path) -> None:
    """（六）其他处理's three sub-rows left blank: each label alone on its line is a row of blank
    cells, never folded into the next row's label (which lent them （七）总计's values)."""
    report, expected = _torture("wps-unruled-blanks", tmp_path)
    assert report.cells == expected
    for row in ("other_handling_no_correction", "other_handling_fee_unpaid", "other_handling_other"):
        key = f"requests.{row}.natural_person"
        assert report.cells[key] is None and [d.code for d in report.diagnostics_for(key)] == ["blank_cell"]
    assert not [d for d in report.diagnostics if d.code == "missing_row"]


def test_the_active_table_above_the_requests_table_is_found(tmp_path: Path) -> None:
    """主动公开's rows of one to three numbers stand above the requests table: they are no header
    of it, so the table is read (it was missing_table)."""
    report, expected = _torture("wps-unruled", tmp_path)
    active = {k: v for k, v in expected.items() if k.startswith("active.")}
    assert {k: report.cells[k] for k in active} == active
    assert not [d for d in report.diagnostics if d.code in ("missing_table", "missing_row")]


def test_rows_with_some_cells_blank_keep_their_columns(tmp_path: Path) -> None:
    """LibreOffice prints a borderless page with the numbers of neighbouring columns close together
    (centred in one, right-aligned in the next); with some cells blank their x ranges run into one.
    The lines holding a number in every column say where the columns are."""
    from tests.torture.cases import build_cases

    case = build_cases(tmp_path, ["lo-html-pdf-unruled-partial-blanks"])[0]
    report = read_report(case.path)
    requests = {k: v for k, v in case.expected.items() if k.startswith("requests.")}
    assert {k: report.cells[k] for k in requests} == requests
