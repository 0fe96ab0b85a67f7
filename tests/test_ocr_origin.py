"""The auditor sees the scan: a finding on a report read by OCR shows the cited cells cut out of the
image that was read (``auditkit.render.origin``), in ``audit.html`` and in the reviewer.

The scan is made here from the bundled sample (``tests/scans.py``: grey paper, tilted 1.5°, blur,
noise, JPEG), audited as any report is; the cells a finding names must be where the values stand on
the scan, and the picture shown must be a small band of the page with those cells framed in red.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from auditkit.readers import ocr
from auditkit.render.scan_crop import scan_image
from tests import scans
from tests.conftest import SAMPLES

PDF_002 = SAMPLES / "002_huaian-hongzequ_2024.pdf"
DPI = 150
ANGLE = 1.5  # scans.scan tilts the odd pages (1st, 3rd, ...) by this, counter-clockwise
RED = (220, 20, 20)


def red_pixels(image: Image.Image) -> int:
    px = np.asarray(image.convert("RGB")).astype(int)
    return int(((px[..., 0] > 170) & (px[..., 1] < 90) & (px[..., 2] < 90)).sum())


# --------------------------------------------------------------------------- the cut, on a drawn page


def drawn_page() -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A white page with a ruled table; returns the page and the box of one cell holding a black block."""
    page = Image.new("RGB", (800, 1000), "white")
    draw = ImageDraw.Draw(page)
    for y in range(300, 701, 50):
        draw.line((100, y, 700, y), fill="black", width=2)
    for x in range(100, 701, 100):
        draw.line((x, 300, x, 700), fill="black", width=2)
    cell = (500, 450, 600, 500)
    draw.rectangle((530, 462, 570, 488), fill="black")  # the cell's "value"
    draw.rectangle((110, 460, 180, 490), fill=(0, 0, 160))  # the row's label, in blue
    return page, cell


@pytest.mark.parametrize("turn", [0.0, 2.0, 180.0, 90.0])
def test_the_cut_sets_the_cell_upright_and_frames_it(turn: float) -> None:
    """However the image stands (tilted, upside down, sideways), the band shown is upright, holds the
    cited cell inside its red frame and the row's label beside it."""
    page, (x0, y0, x1, y1) = drawn_page()
    turned = page.rotate(turn, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    # where the cell's corners went: PIL turns counter-clockwise about the centre, then expands the canvas
    a = np.deg2rad(turn)
    cx, cy = page.width / 2, page.height / 2
    corners = []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        dx, dy = x - cx, y - cy
        corners += [(dx * np.cos(a) + dy * np.sin(a) + turned.width / 2) / turned.width,
                    (-dx * np.sin(a) + dy * np.cos(a) + turned.height / 2) / turned.height]
    band = scan_image(turned, [tuple(corners)])
    assert band.height < 0.3 * band.width  # a band of rows, not the page
    px = np.asarray(band).astype(int)
    red = (px[..., 0] > 170) & (px[..., 1] < 90) & (px[..., 2] < 90)
    ys, xs = np.nonzero(red)
    assert len(xs) > 200
    # the frame is upright: its left and right sides are columns of red, its top and bottom rows of red
    assert (red[:, xs.min():xs.min() + 3].sum(0) > 0.8 * (ys.max() - ys.min())).any()
    assert (red[ys.min():ys.min() + 3, :].sum(1) > 0.8 * (xs.max() - xs.min())).any()
    inside = px[ys.min() + 5:ys.max() - 4, xs.min() + 5:xs.max() - 4]
    black = (inside.sum(-1) < 150).mean()
    assert 0.1 < black < 0.5  # the value's block, inside the frame
    label = (px[..., 2] > 100) & (px[..., 0] < 60)
    assert label[:, :xs.min()].sum() > 100  # the row's label, to the left of the cited cell


# --------------------------------------------------------------------------- a scan, audited


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample PDF scanned (tilted 1.5° on odd pages, -1.05° on even ones) and audited: ~40 s of CPU."""
    if not ocr.available():
        pytest.fail(f"the ocr extra is not installed ({ocr.INSTALL_HINT}; make setup installs it)")
    from auditkit.audit import run_audit

    base = tmp_path_factory.mktemp("scan_origin")
    pdf = scans.write_pdf(scans.scan(PDF_002, DPI, 15, angle=ANGLE, seals=0), base / "002_scan.pdf", DPI)
    run_audit([pdf], base / "audit", store=base / "store.sqlite", jobs=1)
    return base / "audit"


def load(audit: Path) -> tuple[dict, list[dict]]:
    (record,) = [json.loads(x) for x in (audit / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    findings = [json.loads(x) for x in (audit / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return record, findings


def test_the_cells_places_on_the_scan_are_where_their_values_stand(audited: Path) -> None:
    """Each value's place on the scan, taken back through the scan's tilt to the original PDF, holds the
    value's own text there: the boxes land on the right pixels."""
    record, _ = load(audited)
    scanned = {k: p for k, p in record["provenance"].items() if "scan" in p}
    assert len(scanned) >= 150
    pdf = pdfium.PdfDocument(str(PDF_002))
    try:
        checked = 0
        for key, prov in scanned.items():
            if not re.fullmatch(r"\d+", prov["text"]):
                continue
            page_no = prov["scan"]["page"]
            page = pdf[page_no - 1]
            width, height = page.get_size()
            w_px, h_px = round(width * DPI / 72), round(height * DPI / 72)
            turn = ANGLE * (1 if (page_no - 1) % 2 == 0 else -0.7)
            # scans.tilt turned the rendered page by ``turn`` about its centre: turn the corners back
            a = np.deg2rad(turn)
            quad = np.array(prov["scan"]["quad"]).reshape(4, 2) * (w_px, h_px) - (w_px / 2, h_px / 2)
            back = quad @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]]) + (w_px / 2, h_px / 2)
            x0, y0 = back.min(0) * 72 / DPI
            x1, y1 = back.max(0) * 72 / DPI
            text = page.get_textpage().get_text_bounded(x0 + 1, height - y1 + 1, x1 - 1, height - y0 - 1)
            assert "".join(text.split()) == prov["text"], (key, prov, text)
            checked += 1
    finally:
        pdf.close()
    assert checked >= 150


def test_how_each_page_was_set_upright_is_told_to_the_auditor(audited: Path) -> None:
    """Each scanned page's levelling is passed on as a diagnostic of the record, with the angle measured."""
    record, _ = load(audited)
    notes = {d["values"]["page"]: d for d in record["diagnostics"] if d["code"] == "ocr_page"}
    assert sorted(notes) == [1, 2, 3, 4, 5]
    for page, note in notes.items():
        tilt = ANGLE * (1 if (page - 1) % 2 == 0 else -0.7)
        assert abs(note["values"]["levelled"] - tilt) < 0.15, note
        assert "turned" not in note["values"] and "unwarped" not in note["values"]
        assert f"第{page}页" in note["message"] and f"deskewed by {abs(note['values']['levelled']):.1f}°" in note["message"], note


def figures_of(html: str, finding_id: str) -> list[tuple[str, Image.Image]]:
    """The scan pictures shown with one finding in audit.html: (caption, image)."""
    at = html.index(f'id="f-{finding_id}"')
    end = html.find('<div class="finding', at + 10)
    part = html[at:end if end > 0 else len(html)]
    out = []
    for m in re.finditer(r'<figure[^>]*data-scan="ocr"[^>]*><img src="data:image/jpeg;base64,([^"]+)".*?'
                         r"<figcaption>(.*?)</figcaption>", part):
        out.append((m.group(2), Image.open(io.BytesIO(base64.b64decode(m.group(1))))))
    return out


def test_audit_html_shows_the_cited_cells_cut_out_of_the_scan(audited: Path) -> None:
    _, findings = load(audited)
    html = (audited / "audit.html").read_text(encoding="utf-8")
    # the sample's row (三)2 reads "2.其他法律行政止公开" (法规禁 left out): the wording finding names its seven cells
    (wording,) = [f for f in findings if f["rule_id"] == "label.wording"]
    figures = figures_of(html, wording["finding_id"])
    assert len(figures) == 1, figures
    caption, band = figures[0]
    assert "扫描件：所涉单元格（红框）" in caption and "第3页" in caption
    page_width, page_height = round(595 * DPI / 72), round(842 * DPI / 72)
    assert band.width <= 900 and band.height < 0.15 * page_height * band.width / page_width  # a band, not the page
    assert red_pixels(band) > 7 * 100  # seven framed cells
    # the band shows the row as the auditor must see it: the engine finds the wrongly worded label there
    texts = band_texts(band)
    assert wording["actual"] == "2.其他法律行政止公开" and wording["actual"] in texts, texts  # the defect, seen
    # each picture once in the page, however many findings cite it
    sources = re.findall(r'data-scan="ocr"[^>]*><img src="([^"]+)"', html)
    assert len(sources) == len(set(sources))
    assert len(html) < 400_000


def test_the_reviewer_shows_the_scan_too(audited: Path) -> None:
    from auditkit.review.widget import Reviewer

    reviewer = Reviewer.from_audit(audited, reviewer="审核员甲")
    s = reviewer.session
    for i in range(len(s.findings)):
        s.go_to(i)
        if s.current["rule_id"] == "label.wording":
            break
    card = s.card_html()
    assert 'data-scan="ocr"' in card and "data:image/jpeg;base64," in card
    assert "扫描件：所涉单元格（红框）" in card


def band_texts(band: Image.Image) -> list[str]:
    """What the engine reads in a picture shown to the auditor, line by line."""
    grey = np.asarray(band.convert("L")).copy()
    crops = []
    for b in ocr.get_engine().detect(grey):
        x0, y0 = np.floor(b.min(0)).astype(int)
        x1, y1 = np.ceil(b.max(0)).astype(int)
        crops.append(grey[max(y0, 0):y1, max(x0, 0):x1])
    return [line.text for line in ocr.get_engine().recognise(crops)]


def upside_down_tiff(path: Path) -> Path:
    page = scans.render(PDF_002, DPI)[2]  # the page of the misworded row
    return scans.write_tiff([scans.jpeg(np.ascontiguousarray(page[::-1, ::-1]), 60)], path, DPI)


@pytest.mark.parametrize("make", [upside_down_tiff, lambda path: scans.docx_with_pictures(PDF_002, {2}, path, DPI)],
                         ids=["upside_down.tif", "picture_in.docx"])
def test_a_page_image_and_a_word_picture_are_shown_upright(tmp_path: Path, make) -> None:
    """A TIFF fed in upside down is shown the right way up; a Word file's table picture is found again in
    the file by its bytes. (~8 s of OCR each: one page.)"""
    from auditkit.batch import read_report
    from auditkit.render.origin import Origins

    path = make(tmp_path / ("scan.tif" if make is upside_down_tiff else "scan.docx"))
    report = read_report(path)
    keys = [f"requests.withheld_prohibited_by_law.{c}" for c in ("natural_person", "total")]
    assert all(report.provenance[k].scan for k in keys)
    if make is upside_down_tiff:
        (note,) = [d for d in report.diagnostics if d.code == "ocr_page"]
        assert note.values == {"page": 1, "turned": 180} and "旋转 180°" in note.message
    html = Origins().html({"source": str(path), "kind": report.kind, "provenance": report.provenance}, keys)
    (uri,) = re.findall(r'data-scan="ocr"[^>]*><img src="data:image/jpeg;base64,([^"]+)"', html)
    band = Image.open(io.BytesIO(base64.b64decode(uri)))
    assert red_pixels(band) > 2 * 100
    assert "2.其他法律行政止公开" in band_texts(band)


@pytest.mark.parametrize(("name", "kind", "picture"), [("gone.png", "image", None), ("report.doc", "doc", "sha1:00"),
                                                       ("gone.pdf", "pdf", None)])
def test_a_scan_that_cannot_be_opened_again_gives_a_note(tmp_path: Path, name: str, kind: str,
                                                         picture: str | None) -> None:
    from auditkit.render.origin import Origins

    source = tmp_path / name
    if kind == "doc":
        source.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")  # a converted .doc: no pictures to find in it
    scan = {"page": 1, "quad": [0.1, 0.1, 0.2, 0.1, 0.2, 0.12, 0.1, 0.12], **({"picture": picture} if picture else {})}
    record = {"source": str(source), "kind": kind,
              "provenance": {"requests.new_received.total": {"text": "95", "location": "page 1, table 1, row 4, col 10",
                                                              "scan": scan}}}
    html = Origins().html(record, ["requests.new_received.total"])
    assert 'class="ak-origin-note"' in html and "不能显示扫描件" in html and "<img" not in html
