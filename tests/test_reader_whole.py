"""A document is read whole or refused (issue 11 item 4): a parser that stops early, a file cut
short or damaged never gives half a document audited as if it were whole."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from auditkit import read_report
from auditkit.errors import ReadError, ReadReason
from auditkit.record import Report
from tests.conftest import SAMPLES

HTML = SAMPLES / "011_pingtan-shiyanqu_2023.html"
DOCX = SAMPLES / "011_pingtan-shiyanqu_2023_word.docx"
DOC = SAMPLES / "011_pingtan-shiyanqu_2023_word.doc"
PDFS = ["002_huaian-hongzequ_2024.pdf", "011_pingtan-shiyanqu_2023_print.pdf"]


@cache
def _whole(path: Path) -> Report:
    return read_report(path)


def _refused(path: Path) -> ReadError:
    with pytest.raises(ReadError) as caught:
        read_report(path)
    return caught.value


def _after_body(extra: bytes, closing: bytes = b"") -> bytes:
    page = HTML.read_bytes()
    at = page.index(b">", page.index(b"<body")) + 1
    end = page.rindex(b"</body>")
    return page[:at] + extra + page[at:end] + closing + page[end:]


@pytest.mark.parametrize("opening", [b"<div class='wrap'>", b"<font size='2'>", b"<p><span>"])
def test_a_page_nested_past_libxml2s_depth_is_read_whole(opening: bytes, tmp_path: Path) -> None:
    """Thousands of unclosed tags before the tables: libxml2 stops at 2,048 levels (even with
    huge_tree) and would hand on half the page; it is read whole, its tables and sections too."""
    path = tmp_path / "deep.html"
    path.write_bytes(_after_body(opening * 3000))
    report, whole = read_report(path), _whole(HTML)
    assert report.cells == whole.cells
    assert report.sections == whole.sections
    assert (report.agency, report.year, report.published) == (whole.agency, whole.year, whole.published)


def test_a_page_nested_past_the_depth_by_closed_tags_still_keeps_every_cell(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_bytes(_after_body(b"<div>" * 3000, b"</div>" * 3000))
    assert read_report(path).cells == _whole(HTML).cells


def test_a_page_that_cannot_be_read_whole_is_refused(tmp_path: Path) -> None:
    """Tables nested in tables 2,500 deep: nothing can be flattened, so the page is refused."""
    path = tmp_path / "deep.html"
    path.write_bytes(_after_body(b"<table><tr><td>" * 2500))
    error = _refused(path)
    assert error.reason == ReadReason.TOO_LARGE and "嵌套" in error.message


def _rezip(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            zout.writestr(info, change(part) if info.filename == member else part)
    return out.getvalue()


@pytest.mark.parametrize("share", [0.2, 0.6, 0.95, 0.999])
def test_a_word_file_whose_body_is_cut_short_is_refused(share: float, tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(_rezip(DOCX.read_bytes(), "word/document.xml", lambda b: b[:int(len(b) * share)]))
    assert _refused(path).reason == ReadReason.TRUNCATED


@pytest.mark.parametrize("share", [0.5, 0.99])
def test_a_word_file_cut_short_is_refused(share: float, tmp_path: Path) -> None:
    data = DOCX.read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[:int(len(data) * share)])
    assert _refused(path).reason == ReadReason.TRUNCATED


def _workbook(tmp_path: Path) -> bytes:
    import openpyxl

    text = (SAMPLES / "000_seed-chengxiang_2023.txt").read_text(encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    for r, line in enumerate(text.splitlines(), 1):
        for c, cell in enumerate(line.split("\t"), 1):
            if cell:
                sheet.cell(r, c, int(cell) if cell.isdigit() else cell)
    book.save(tmp_path / "whole.xlsx")
    return (tmp_path / "whole.xlsx").read_bytes()


def test_a_workbook_whose_sheet_is_cut_short_is_refused(tmp_path: Path) -> None:
    data = _workbook(tmp_path)
    assert sum(v is not None for v in read_report(tmp_path / "whole.xlsx").cells.values()) == 200
    path = tmp_path / "cut.xlsx"
    path.write_bytes(_rezip(data, "xl/worksheets/sheet1.xml", lambda b: b[:int(len(b) * 0.8)]))
    assert _refused(path).reason in (ReadReason.CORRUPT, ReadReason.TRUNCATED)


@pytest.mark.parametrize("share", [0.3, 0.7, 0.95])
def test_an_ole_file_cut_short_is_refused_before_any_reader_makes_do(share: float, tmp_path: Path) -> None:
    """A .doc (or .xls) cut short: xlrd warns and goes on, LibreOffice imports a part."""
    data = DOC.read_bytes()
    path = tmp_path / "cut.doc"
    path.write_bytes(data[:int(len(data) * share)])
    error = _refused(path)
    assert error.reason == ReadReason.TRUNCATED and "结尾缺失" in error.message


def test_whole_ole_files_are_not_taken_for_cut_ones() -> None:
    from auditkit.readers.sniffing import ole_truncated

    assert not ole_truncated(DOC.read_bytes())
    assert ole_truncated(DOC.read_bytes()[:-600])


@pytest.mark.parametrize("name", PDFS)
def test_a_damaged_pdf_that_pdfium_rebuilds_with_parts_missing_is_refused(name: str, tmp_path: Path) -> None:
    """A stretch of the file lost: PDFium rebuilds the cross-reference table by scanning and shows
    the pages with less text, silently."""
    data = (SAMPLES / name).read_bytes()
    path = tmp_path / "damaged.pdf"
    path.write_bytes(data[:int(len(data) * 0.4)] + data[int(len(data) * 0.7):])
    error = _refused(path)
    assert error.reason == ReadReason.CORRUPT and "缺失" in error.message


@pytest.mark.parametrize("name", PDFS)
def test_a_pdf_with_a_broken_cross_reference_table_but_every_object_is_read(name: str, tmp_path: Path) -> None:
    path = tmp_path / "rebuilt.pdf"
    path.write_bytes((SAMPLES / name).read_bytes().replace(b"startxref", b"startxrXf"))
    assert read_report(path).cells == _whole(SAMPLES / name).cells
