"""OCR of scanned reports (``auditkit.readers.ocr``): the parts, the doubt rule, and whole scans.

The scans are made here from the bundled sample PDFs (``tests/scans.py``: grey paper, a red seal
over a number, tilt, blur, noise, JPEG; a photo at an angle; a TIFF fed in upside down) and read
by the batch as any report is. Every value must be its truth or null with a diagnostic: no
wrong value, no silent null, and at least the share of right cells measured when this was written.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from auditkit import readers
from auditkit.batch import read_reports
from auditkit.digits import OCR_DOUBT, parse_number
from auditkit.errors import DiagnosticCode, ReadError
from auditkit.readers import ocr
from auditkit.readers.ocr import deskew, doubt, grid
from auditkit.readers.ocr.engine import Engine, RecChar, RecLine
from auditkit.readers.pdf import read_pdf
from auditkit.record import Report
from tests import scans
from tests.conftest import SAMPLES, truth_of

DPI = 150
PDF_002 = SAMPLES / "002_huaian-hongzequ_2024.pdf"
PDF_011 = SAMPLES / "011_pingtan-shiyanqu_2023_print.pdf"


@pytest.fixture(scope="module", autouse=True)
def _ocr_installed() -> None:
    if not ocr.available():
        pytest.fail(f"the ocr extra is not installed ({ocr.INSTALL_HINT}; make setup installs it)")


# --------------------------------------------------------------------------- the doubt rule


def line(text: str, probs: list[float] | None = None, alts: list[tuple[str, float]] | None = None) -> RecLine:
    probs = probs or [0.99] * len(text)
    alts = alts or [("", 0.0)] * len(text)
    return RecLine(text, [RecChar(c, p, a, ap, 0, 0) for c, p, (a, ap) in zip(text, probs, alts, strict=True)])


def test_doubt_lookalike_letter_is_refused() -> None:
    v = doubt.judge(line("9b87"))
    assert v.doubtful and "letter for digit" in v.describe() and "「9b87」" in v.describe()


def test_doubt_low_probability_is_refused() -> None:
    assert doubt.judge(line("95", [0.99, 0.6])).doubtful
    assert not doubt.judge(line("95", [0.99, 0.95])).doubtful


def test_doubt_runner_up_digit_is_refused_but_fullwidth_twin_is_not() -> None:
    assert doubt.judge(line("8", alts=[("3", 0.2)])).doubtful
    assert not doubt.judge(line("0", alts=[("０", 0.3)])).doubtful


def test_doubt_marks_count() -> None:
    assert doubt.judge(line("0"), tall_marks=2).doubtful  # a digit swallowed ("00" -> "0")
    assert not doubt.judge(line("22"), tall_marks=1).doubtful  # blurred digits touching
    assert doubt.judge(line("10"), tall_marks=1, touches_border=True).doubtful  # a sliver read as "1"


def test_doubt_swallowed_digit_is_refused() -> None:
    swallowed = line("5")
    swallowed.dropped.append(("0", 0.4, 0.8))
    assert doubt.judge(swallowed).doubtful


def test_doubt_seal() -> None:
    assert "red seal" in doubt.judge(line("95"), red_share=0.2).describe()
    assert not doubt.judge(line("95"), red_share=0.01).doubtful


def test_numbers_are_told_from_text() -> None:
    assert doubt.looks_numeric("9487") and doubt.looks_numeric("5949.08") and doubt.looks_numeric("o")
    assert not doubt.looks_numeric("行政许可") and not doubt.looks_numeric("1.属于国家秘密")


def test_runs_in_text_are_refused_whole() -> None:
    runs = doubt.doubtful_runs(line("本年2O24年度", [0.99] * 8))
    assert runs and runs[0][:2] == (2, 6)


def test_a_line_of_no_word_in_a_cell_is_told_from_text() -> None:
    """Seal strokes or a stray dash read beside a cell's number ("—", "一：", "L A 0") are no word; labels are."""
    from auditkit.readers.ocr.cells import no_word

    assert no_word("—") and no_word("一：") and no_word("LA") and no_word("L A 0") and no_word("丨·")
    assert not no_word("其他") and not no_word("（一）予以公开") and not no_word("Word")


def test_only_a_cell_that_is_the_mark_is_a_doubtful_value() -> None:
    assert parse_number(OCR_DOUBT) == ("doubt", None)
    assert parse_number(f" {OCR_DOUBT} ") == ("doubt", None)
    # a label whose enumeration digit was refused stays a label, never a value
    assert parse_number(f"{OCR_DOUBT}.本机关不掌握相关政府信息")[0] == "text"


# --------------------------------------------------------------------------- page geometry


def ruled_page(spans: bool = True) -> np.ndarray:
    """A 4x3 grid; with ``spans`` the first row's right two cells are merged (no inner line there)."""
    img = np.full((900, 700), 255, np.uint8)
    xs, ys = [100, 300, 450, 600], [100, 200, 300, 400, 500]
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), 0, 2)
    for i, x in enumerate(xs):
        cv2.line(img, (x, ys[1] if spans and i == 2 else ys[0]), (x, ys[-1]), 0, 2)
    cv2.putText(img, "95", (350, 260), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cv2.line(img, (470, 350), (560, 350), 0, 2)  # a dash written in a cell: text, not a ruling
    return img


@pytest.mark.parametrize("deg", [-2.0, -1.2, 0.0, 0.7, 1.5, 2.0])
def test_skew_found_within_a_tenth_of_a_degree(deg: float) -> None:
    img = ruled_page()
    for y in range(560, 860, 40):
        cv2.putText(img, "ABCDEFGHIJKLMNOPQ", (80, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    turned = deskew.rotate(img, deg)
    ink = deskew.ink_mask(deskew.normalise(turned, DPI), DPI)
    assert abs(deskew.skew_angle(ink) - deg) <= 0.1


def test_grid_cells_and_merged_cell() -> None:
    ink = deskew.ink_mask(deskew.normalise(ruled_page(), DPI), DPI)
    tables, rulings = grid.find_tables(ink, DPI)
    assert len(tables) == 1
    assert len(tables[0].cells) == 11  # 4 rows x 3 columns, less one for the merged pair
    assert rulings[350, 515] == 0  # the dash stays text


def test_grey_paper_and_noise_keep_the_grid() -> None:
    img = ruled_page().astype(np.float32) * 0.85 + 20
    img += np.random.default_rng(0).normal(0, 10, img.shape)
    img = cv2.GaussianBlur(np.clip(img, 0, 255).astype(np.uint8), (0, 0), 1.0)
    ink = deskew.ink_mask(deskew.normalise(img, DPI), DPI)
    tables, _ = grid.find_tables(ink, DPI)
    assert len(tables) == 1 and len(tables[0].cells) == 11


def test_a_number_whose_image_cell_and_grid_cell_disagree_is_refused() -> None:
    """The grid comes from the rulings, the characters from the image's cells: a character that lands in a
    neighbour's grid cell (a tilt read wrong, a ruling missed) must not make a number there."""
    from auditkit.readers.pdf.model import Char, OcrChar
    from auditkit.readers.pdf.ruled import fill_grids, find_grids

    hs = [(100, 100, 300), (150, 100, 300), (200, 100, 300)]
    vs = [(100, 100, 200), (200, 100, 200), (300, 100, 200)]

    def table(kind: type[Char]) -> list[list[list[str]]]:
        def char(ch: str, x: float, y: float, region: int) -> Char:
            return OcrChar(ch, x, y, x + 8, y + 10, region) if kind is OcrChar else Char(ch, x, y, x + 8, y + 10)

        chars = [char("甲", 120, 120, 0), char("1", 240, 120, 1), char("2", 250, 120, 2),  # two image cells, one grid cell
                 char("乙", 120, 170, 3), char("5", 240, 170, 4), char("6", 250, 170, 4)]
        (t,), _free = fill_grids(find_grids(hs, vs, 1, 600), chars, 600)
        return [[box.lines + box.doubt for box in row] for row in t.grid]

    grid_cells = table(OcrChar)
    assert grid_cells[0][1] == [OCR_DOUBT, "「12」: characters of 2 cells of the image in one cell of the table"]
    assert grid_cells[1] == [["乙"], ["56"]]
    assert table(Char)[0][1] == ["12"]  # a text layer has no image cells: read as ever


def test_engine_reads_a_drawn_number_with_its_confidence() -> None:
    crop = np.full((60, 160), 255, np.uint8)
    cv2.putText(crop, "9487", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.3, 0, 3)
    (read,) = Engine().recognise([crop])
    assert read.text == "9487" and read.min_prob > 0.9


# --------------------------------------------------------------------------- which files, and without the extra


def test_page_images_are_reports_by_their_bytes(tmp_path: Path) -> None:
    for suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        assert suffix in readers.REPORT_SUFFIXES
    page = np.full((40, 30, 3), 255, np.uint8)
    for fmt, name in (("PNG", "page.txt"), ("JPEG", "page.html"), ("TIFF", "page.pdf")):
        path = tmp_path / name
        Image.fromarray(page).save(path, fmt)
        assert readers.sniff(path.read_bytes(), path.suffix) == "image", fmt


def test_without_the_extra_a_scan_is_refused_with_the_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "available", lambda: False)
    pdf = scans.write_pdf([scans.blank_page(1)], tmp_path / "scan.pdf", 150)
    with pytest.raises(ReadError) as err:
        read_pdf(pdf, pdf.read_bytes())
    assert err.value.reason == "scanned" and "扫描件" in err.value.message and ocr.INSTALL_HINT in err.value.message
    image = tmp_path / "page.png"
    Image.fromarray(scans.blank_page(1)).save(image)
    with pytest.raises(ReadError) as err:
        readers.read_layout(image)
    assert err.value.reason == "scanned" and ocr.INSTALL_HINT in err.value.message


def test_import_auditkit_loads_no_ocr_library() -> None:
    import subprocess
    import sys

    code = ("import sys, auditkit, auditkit.readers, auditkit.readers.ocr, auditkit.readers.pdf; "
            "print(sorted(m for m in ('cv2', 'onnxruntime', 'numpy', 'rapidocr_onnxruntime') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- whole scans against their truth


def score(report: Report, truth: dict) -> dict[str, int]:
    """Cells of the truth that hold a value: right, null with a diagnostic naming the cell, null without
    one (silent), wrong; a value where the truth has none is wrong too."""
    explained = {k for d in report.diagnostics for k in [d.key, *(d.keys or [])] if k}
    out = {"right": 0, "null": 0, "silent": 0, "wrong": 0, "values": 0}
    for key, want in truth["cells"].items():
        got = report.cells.get(key)
        out["values"] += want is not None
        if got is None:
            if want is not None:
                out["null" if key in explained else "silent"] += 1
        elif got != want:
            out["wrong"] += 1
        else:
            out["right"] += 1
    return out


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The scans, made once: each is a few seconds to make and 30-60 s of CPU to read."""
    base = tmp_path_factory.mktemp("scans")
    rng = np.random.default_rng(17)
    upside_down = [scans.jpeg(scans.noise(np.ascontiguousarray(p[::-1, ::-1]), 6, rng), 60) for p in scans.render(PDF_002, 150)]
    Image.fromarray(scans.other_photo(19)).save(base / "other.jpg")
    return {
        # grey paper, tilt +1.5/-1.05°, blur, noise, JPEG 50, a red seal over a number on pages 2-4
        "002_scan200": scans.write_pdf(scans.scan(PDF_002, 200, 15), base / "002_scan200.pdf", 200),
        # photographed at an angle on a desk
        "011_photo": scans.write_pdf(scans.scan(PDF_011, 200, 16, angle=0, sigma=0.7, noise_sd=6, quality=60, seals=0,
                                                as_photo=True), base / "011_photo.pdf", 200),
        # a typical office scan at 150 dpi: digits set flush against the cell borders (011's tables)
        "011_scan150": scans.write_pdf(scans.scan(PDF_011, 150, 21, angle=0.8, sigma=0.7, noise_sd=6, quality=70,
                                                  seals=0), base / "011_scan150.pdf", 150),
        # a good scan at 300 dpi, no seal (read at 200 dpi)
        "002_scan300": scans.write_pdf(scans.scan(PDF_002, 300, 22, angle=0.5, sigma=0.8, noise_sd=5, quality=80,
                                                  seals=0), base / "002_scan300.pdf", 300),
        # every page upside down, as one multi-page TIFF
        "002_upside_down": scans.write_tiff(upside_down, base / "002_upside_down.tif", 150),
        # the text-layer PDF with its pages 3 and 4 (the requests table) pasted as pictures
        "002_mixed": scans.mixed_pdf(PDF_002, {2, 3}, base / "002_mixed.pdf"),
        # a Word file of the text, the requests table's two pages pasted as pictures
        "002_pictures": scans.docx_with_pictures(PDF_002, {2, 3}, base / "002_pictures.docx"),
        "blank": scans.write_pdf([scans.blank_page(18)], base / "blank.pdf", 150),
        "other": base / "other.jpg",
    }


# name -> (truth file, the least share of the truth's values read right, as measured when written)
SCANS = {
    # the seal covers ten cells of the requests table: those are refused (17 of the 21 nulls)
    "002_scan200": ("002_huaian-hongzequ_2024.pdf", 0.88),
    "011_photo": ("011_pingtan-shiyanqu_2023_print.pdf", 0.98),
    # 011's digits are printed over the cells' left borders: at 150 dpi the border takes the left stroke
    # of a 0 or an 8, which then reads D or B and is refused (43 of 200 right)
    "011_scan150": ("011_pingtan-shiyanqu_2023_print.pdf", 0.21),
    "002_scan300": ("002_huaian-hongzequ_2024.pdf", 0.99),
    "002_upside_down": ("002_huaian-hongzequ_2024.pdf", 0.97),
    "002_mixed": ("002_huaian-hongzequ_2024.pdf", 0.99),
    # the tables of the text pages come as lines of text there: 3 rows of them are not found
    "002_pictures": ("002_huaian-hongzequ_2024.pdf", 0.96),
}


@pytest.mark.parametrize("name", list(SCANS))
def test_scan_reads_to_its_truth_with_no_silent_error(scanned: dict[str, Path], name: str) -> None:
    truth_name, least = SCANS[name]
    batch = read_reports([scanned[name]], progress=False)
    assert not batch.failures, batch.failures
    (report,) = batch.reports
    counts = score(report, truth_of(truth_name))
    assert counts["wrong"] == 0 and counts["silent"] == 0, counts
    assert counts["right"] >= least * counts["values"], counts
    for d in report.diagnostics:
        if d.code == DiagnosticCode.OCR_DOUBTFUL:  # what was seen, and why it is not taken
            assert d.found and d.found.startswith("「") and "」: " in d.found, d
    if name == "002_scan200":
        assert any(d.code == DiagnosticCode.OCR_DOUBTFUL and "red seal" in (d.found or "") for d in report.diagnostics)


def test_only_pictures_holding_a_ruled_table_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text-layer PDF with a big picture of no table (a photo, a seal) reads as before: the picture is not OCR'd."""
    from auditkit.readers.pdf.text_layer import read_text_layer

    photo = tmp_path / "photo.jpg"
    Image.fromarray(scans.other_photo(3)).save(photo)
    pdf = scans.mixed_pdf(PDF_002, set(), tmp_path / "with_photo.pdf")
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    page = doc[4]
    picture = pdfium.PdfImage.new(doc)
    picture.load_jpeg(str(photo), inline=True)
    picture.set_matrix(pdfium.PdfMatrix().scale(300, 220).translate(150, 80))
    page.insert_obj(picture)
    page.gen_content()
    doc.save(str(tmp_path / "photo_in_text.pdf"))
    doc.close()
    data = (tmp_path / "photo_in_text.pdf").read_bytes()
    contents, _ = read_text_layer(data)
    assert contents[4].n_images == 1
    monkeypatch.setattr(ocr, "get_engine", lambda: pytest.fail("the engine was started for a picture with no table"))
    assert ocr.add_picture_tables(data, contents) == 0


@pytest.mark.parametrize(("name", "reason"), [("blank", "empty"), ("other", "not_a_report")])
def test_bad_scan_gets_a_one_line_reason(scanned: dict[str, Path], name: str, reason: str) -> None:
    batch = read_reports([scanned[name]], progress=False)
    (failure,) = batch.failures
    assert failure.reason == reason and failure.message and "\n" not in failure.message


@pytest.mark.parametrize(("pages", "least"), [([2], 0.97), ([0, 1, 2, 3, 4], 0.97)], ids=["scan", "text_and_picture"])
def test_a_page_turned_by_rotate_is_read_upright(tmp_path: Path, pages: list[int], least: float) -> None:
    """A page stored on its side and shown upright by /Rotate 90 (as some scanners save a page): alone, a
    scanned PDF; among text-layer pages, a picture on a turned page. Read upright, to the truth, and its
    cells shown upright to the auditor. (Measured: 94 of 94 values of the page, 179 of 179 of the report.)"""
    import base64
    import io
    import re

    from auditkit.batch import read_report
    from auditkit.render.origin import Origins

    pdf = scans.mixed_pdf(PDF_002, {2}, tmp_path / "turned.pdf", DPI, turned={2}, pages=pages)
    report = read_report(pdf)
    truth = truth_of("002_huaian-hongzequ_2024.pdf")
    if len(pages) == 1:  # the one page: the cells the text-layer PDF has on it
        on_page = {k for k, p in read_report(PDF_002).provenance.items() if p.location.startswith("page 3,")}
        truth = {**truth, "cells": {k: v for k, v in truth["cells"].items() if k in on_page}}
    counts = score(report, truth)
    assert counts["wrong"] == 0 and counts["silent"] == 0, counts
    assert counts["right"] >= least * counts["values"], counts
    key = "requests.withheld_prohibited_by_law.total"
    assert report.cells[key] == truth["cells"][key] == 0
    html = Origins().html({"source": str(pdf), "kind": report.kind, "provenance": report.provenance}, [key])
    (uri,) = re.findall(r'data-scan="ocr"[^>]*><img src="data:image/jpeg;base64,([^"]+)"', html)
    band = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri))).convert("L")).copy()
    assert band.shape[0] < 0.3 * band.shape[1]  # a band of rows across the upright page, not the page on its side
    crops = []
    for b in ocr.get_engine().detect(band):
        x0, y0 = np.floor(b.min(0)).astype(int)
        x1, y1 = np.ceil(b.max(0)).astype(int)
        crops.append(band[max(y0, 0):y1, max(x0, 0):x1])
    assert "2.其他法律行政止公开" in [line.text for line in ocr.get_engine().recognise(crops)]


def test_a_word_picture_is_read_at_the_resolution_it_is_drawn_at(tmp_path: Path) -> None:
    """A Word file's picture: its pixels over the width it is drawn at (wp:extent) are its resolution,
    whatever its dpi tag says; then resampled into what OCR needs (100-200 dpi)."""
    import io

    from auditkit.readers.ocr import render
    from auditkit.readers.office.docx import docx_layout

    path = scans.docx_with_pictures(PDF_002, {2}, tmp_path / "tagged72.docx", 100, tag_dpi=72)
    seen: list[tuple[bytes, float | None]] = []
    docx_layout(path, path.read_bytes(), "docx", lambda data: [], lambda pictures: seen.extend(pictures) or [])
    ((data, drawn_width),) = seen
    assert drawn_width == pytest.approx(6.2)  # docx_with_pictures draws them 6.2 in wide
    width_px = Image.open(io.BytesIO(data)).width
    assert Image.open(io.BytesIO(data)).info["dpi"][0] == pytest.approx(72, abs=0.1)  # PNG stores dots per metre
    ((_, dpi_tagged),) = render.image_file(data)
    assert dpi_tagged == pytest.approx(72, abs=0.1)  # the tag alone misleads
    for drawn, want_dpi, want_width in [(6.2, width_px / 6.2, width_px),  # 133 dpi: as it is
                                        (width_px / 400, 200, width_px / 2),  # 400 dpi: halved
                                        (width_px / 50, 100, width_px * 2)]:  # 50 dpi: doubled
        ((img, dpi),) = render.image_file(data, drawn_width=drawn)
        assert dpi == pytest.approx(want_dpi) and img.shape[1] == pytest.approx(want_width, abs=1)
