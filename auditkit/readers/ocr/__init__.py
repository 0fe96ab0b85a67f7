"""OCR of scanned reports: page images -> the same ``PageContent`` a PDF's text layer gives.

A scanned PDF (pages that are pictures, no text layer) and image files (.png .jpg .tif,
a multi-page TIFF being one report) are read here; everything after the page contents (the
PDF reader's grids, page joining, paragraphs, the matcher) is the text-layer path unchanged.

Engine: rapidocr-onnxruntime's PP-OCRv4 models (they ship inside its wheel: nothing is
downloaded) run through ONNX Runtime, decoded here so every character keeps its probability
(``engine``). Per page (``cells``): levelled and cleaned (``deskew``), rulings and the cells
they enclose found in the image (``grid``), each cell's lines recognised from their own
crops, and every reading that looks like a number judged by the doubt rule (``doubt``): a
number with any doubtful character is not guessed but written as ``digits.OCR_DOUBT``,
which the matcher reads as null with an ``ocr_doubtful`` diagnostic saying what was seen.

Install with ``pip install auditkit[ocr]``; without it a scan is refused as before, with that hint.
onnxruntime, OpenCV and numpy are imported only when a scan is read; one engine per process.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING

from auditkit.errors import ReadError, ReadReason

if TYPE_CHECKING:
    from auditkit.readers.ocr.cells import PageResult
    from auditkit.readers.ocr.engine import Engine
    from auditkit.readers.pdf.model import PageContent

INSTALL_HINT = "pip install auditkit[ocr]"
_MODULES = ("rapidocr_onnxruntime", "onnxruntime", "cv2", "numpy")
# Below these a document is no report: a photo of something else reads as a few short guesses.
MIN_LINES = 10
MIN_MEAN_PROB = 0.6
# A picture on a text-layer page is OCR'd when it covers this share of the page, holds no text of
# the layer (a scan with an invisible OCR layer keeps that layer) and shows a ruled table.
MIN_PICTURE_SHARE = 0.02
MAX_LAYER_CHARS = 20

_engine: Engine | None = None
# Told of pages as OCR goes: (pages found, pages read) since the last call. Set by a progress display
# (``report_pages_to``); None otherwise, and then nothing is told.
_page_progress: Callable[[int, int], None] | None = None


def report_pages_to(callback: Callable[[int, int], None] | None) -> None:
    """Have this process's OCR call ``callback(found, read)`` as it finds a scan's pages (``found``) and
    finishes each (``read``): a page-by-page progress bar, a long scan taking ~8 s a page. None: stop."""
    global _page_progress
    _page_progress = callback


def _pages_found(n: int) -> None:
    if _page_progress is not None and n:
        _page_progress(n, 0)


def _page_read() -> None:
    if _page_progress is not None:
        _page_progress(0, 1)


def available() -> bool:
    """Whether the ``ocr`` extra is installed (checked without importing it)."""
    return all(importlib.util.find_spec(name) is not None for name in _MODULES)


def get_engine() -> Engine:
    """The process's one OCR engine, built on first use (about 0.5 s of CPU; ~0.8 GB at work)."""
    global _engine
    if _engine is None:
        from auditkit.readers.ocr.engine import Engine

        _engine = Engine(threads=1)  # one thread: the batch runs one reader process per core
    return _engine


def scanned_contents(data: bytes) -> list[PageContent]:
    """The pages of a scanned PDF, OCR'd; ``ReadError`` when they are blank or hold no readable text."""
    from auditkit.readers.ocr import render

    _pages_found(render.pdf_page_count(data))
    return _contents(render.pdf_pages(data))


def image_contents(data: bytes) -> list[PageContent]:
    """The frames of a PNG, JPEG or TIFF (each a page), OCR'd; ``ReadError`` as ``scanned_contents``."""
    from auditkit.readers.ocr import render

    try:
        frames = render.image_file(data)
    except Exception as exc:  # Pillow's many ways to say a file is damaged
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        raise ReadError(ReadReason.CORRUPT, f"图像文件无法解码 (image cannot be decoded: {detail})") from None
    _pages_found(len(frames))
    return _contents(iter(frames))


def add_picture_tables(data: bytes, contents: list[PageContent]) -> int:
    """OCR the tables pasted as pictures into a PDF that has a text layer, in place: each picture's
    characters and rulings join its page's. Only pictures worth it are read (``MIN_PICTURE_SHARE``, no
    text of the layer over them, a ruled table in them): a logo, a seal or a photo stays a picture.
    Returns how many pictures were read."""
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from auditkit.readers.ocr import deskew, grid, render
    from auditkit.readers.ocr.cells import read_page
    from auditkit.readers.pdf.model import SourceImage
    from auditkit.readers.pdf.text_layer import PDFIUM_LOCK

    read = 0
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
    try:
        for content in contents:
            if not content.n_images:
                continue
            with PDFIUM_LOCK:
                regions = _picture_regions(pdf[content.number - 1], raw)
            for (x0, top, x1, bottom), px_width, crop in regions:
                inside = sum(1 for c in content.chars if x0 <= c.cx <= x1 and top <= c.cy <= bottom and c.ch.isalnum())
                if inside > MAX_LAYER_CHARS:
                    continue
                dpi = max(100.0, min(render.TARGET_DPI, px_width / ((x1 - x0) / 72)))
                with PDFIUM_LOCK:
                    page = pdf[content.number - 1]
                    pil = page.render(scale=dpi / 72, crop=crop).to_pil().convert("RGB")
                    page.close()
                bgr = np.asarray(pil)[:, :, ::-1].copy()
                ink = deskew.ink_mask(deskew.normalise(deskew.text_grey(bgr), dpi), dpi)
                if not grid.find_tables(ink, dpi)[0]:
                    continue
                _pages_found(1)  # a picture on a text page: found only as it is come to
                result = read_page(get_engine(), bgr, dpi, content.number, check_orientation=False)
                _page_read()
                shifted = _page_content(result, region_base=(read + 1) * 100_000)
                for c in shifted.chars:
                    c.x0, c.x1, c.cx = c.x0 + x0, c.x1 + x0, c.cx + x0
                    c.y0, c.y1, c.cy = c.y0 + top, c.y1 + top, c.cy + top
                content.chars.extend(shifted.chars)
                content.hs.extend((y + top, a + x0, b + x0) for y, a, b in shifted.hs)
                content.vs.extend((x + x0, a + top, b + top) for x, a, b in shifted.vs)
                content.n_chars += shifted.n_chars
                # the pictures' cells are shown cut out of the page as PDFium renders it (their points are the page's)
                content.source = SourceImage(content.number, (1 / content.width, 0.0, 0.0, 0.0, 1 / content.height,
                                                              0.0, 0.0, 0.0, 1.0))
                read += 1
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    return read


def _picture_regions(page, raw) -> list[tuple[tuple[float, float, float, float], float, tuple[float, float, float, float]]]:
    """The pictures of a page worth a look: (box in top-down points of the page as shown, turned by its
    /Rotate as the text layer is; width in pixels at the picture's own resolution; the render crop (left,
    bottom, right, top margins of the page as shown, which is how PDFium crops))."""
    out = []
    try:
        turn = raw.FPDFPage_GetRotation(page.raw) % 4  # quarter turns clockwise for display
        w, h = page.get_size()  # as shown
        uw, uh = (h, w) if turn % 2 else (w, h)  # the page's own frame, before /Rotate
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            x0, y0, x1, y1 = (max(0.0, min(v, lim)) for v, lim in zip(obj.get_bounds(), (uw, uh, uw, uh), strict=True))
            if (x1 - x0) * (y1 - y0) < MIN_PICTURE_SHARE * w * h:
                continue
            try:
                px_w, px_h = obj.get_px_size()
            except Exception:  # an image PDFium cannot decode: nothing to read
                continue
            # the picture's corners (y up, unturned) as shown (y down): the text layer's turn (text_layer._rotate)
            shown = [_shown(x, y, turn, uw, uh) for x in (x0, x1) for y in (y0, y1)]
            left, right = min(p[0] for p in shown), max(p[0] for p in shown)
            top, bottom = min(p[1] for p in shown), max(p[1] for p in shown)
            if turn:  # pixels across the shown width, whichever way the picture is drawn: its resolution times that
                px_w = (float(px_w) * float(px_h) / ((x1 - x0) * (y1 - y0))) ** 0.5 * (right - left)
            out.append(((left, top, right, bottom), float(px_w), (left, h - bottom, w - right, top)))
    finally:
        page.close()
    return out


def _shown(x: float, y: float, turn: int, uw: float, uh: float) -> tuple[float, float]:
    """A point of the unturned page (points, y up) where a viewer shows it, top-down, after ``turn``
    quarter turns clockwise."""
    return ((x, uh - y), (y, x), (uw - x, y), (uh - y, uw - x))[turn]


def picture_contents(images: list[tuple[bytes, float | None]]) -> list[PageContent]:
    """Pictures (a Word file's: bytes, and the width in inches they are drawn at, if known) that show a ruled
    table, OCR'd as the pages of one document in the order given; [] when none does. The drawn width gives
    the picture's resolution (pixels over inches printed), which its own dpi tag often misstates."""
    import hashlib

    from auditkit.readers.ocr import deskew, grid, render
    from auditkit.readers.ocr.cells import read_page

    frames = []
    for data, drawn_width in images:
        try:
            picture = "sha1:" + hashlib.sha1(data).hexdigest()  # found again in the file by its bytes
            frames.extend((img, dpi, picture, n + 1)
                          for n, (img, dpi) in enumerate(render.image_file(data, drawn_width=drawn_width)))
        except Exception:  # damaged, or a kind Pillow cannot draw (EMF, WMF): that picture stays a picture
            continue
    tables = []
    for img, dpi, picture, frame in frames:
        ink = deskew.ink_mask(deskew.normalise(deskew.text_grey(img), dpi), dpi)
        if grid.find_tables(ink, dpi)[0]:
            tables.append((img, dpi, picture, frame))
    out = []
    _pages_found(len(tables))
    for i, (img, dpi, picture, frame) in enumerate(tables):
        result = read_page(get_engine(), img, dpi, i + 1)
        _page_read()
        if not result.blank:
            out.append(_page_content(result, source_page=frame, picture=picture))
    return out


def _contents(images) -> list[PageContent]:
    from auditkit.readers.ocr.cells import read_page

    eng = get_engine()
    results = []
    for i, (img, dpi) in enumerate(images):
        results.append(read_page(eng, img, dpi, i + 1))
        _page_read()
    if not results or all(r.blank for r in results):
        raise ReadError(ReadReason.EMPTY, "扫描件全部为空白页 (scanned pages are blank)")
    n_lines = sum(r.n_lines for r in results)
    mean = sum(r.mean_prob * r.n_lines for r in results) / max(n_lines, 1)
    if n_lines < MIN_LINES or mean < MIN_MEAN_PROB:
        raise ReadError(ReadReason.NOT_A_REPORT, f"图像中未识别出文字，不是年度报告 (no readable text in the image: "
                        f"{n_lines} lines, mean confidence {mean:.2f})")
    return [_page_content(r) for r in results if not r.blank]


def _page_content(r: PageResult, region_base: int = 0, source_page: int | None = None,
                  picture: str | None = None) -> PageContent:
    """``region_base``: added to the image cells' numbers, to keep those of several pictures on one page apart.
    ``source_page``, ``picture``: which image of the file the page was read from (``SourceImage``); the page's
    own number by default."""
    from auditkit.readers.ocr.cells import LEVELLED
    from auditkit.readers.pdf.model import Char, DoubtChar, OcrChar, PageContent, SourceImage

    def region(c) -> int:
        return c.region + region_base if c.region >= 0 else -1

    chars: list[Char] = [DoubtChar(c.ch, c.x0, c.y0, c.x1, c.y1, c.doubt, region(c)) if c.doubt
                         else OcrChar(c.ch, c.x0, c.y0, c.x1, c.y1, region(c)) for c in r.chars]
    n_text = sum(1 for c in chars if c.ch.isalnum())
    source = SourceImage(source_page or r.number, r.to_source, picture, r.turned, r.unwarped,
                         round(r.angle, 2) if abs(r.angle) >= LEVELLED else 0.0)
    return PageContent(r.number, r.width_pt, r.height_pt, chars, r.hs, r.vs, n_text, 1, 0, source)
