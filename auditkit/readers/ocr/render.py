"""Page images from documents, each at the resolution OCR needs and no more.

- scanned PDF page: rendered with pypdfium2 at min(target dpi, the page image's own dpi);
- image files (.png .jpg .tif, multi-page TIFF): decoded as they are; their dpi from the
  file, else guessed from an A4 page width;
- mixed PDF (a text layer with tables pasted as pictures): the picture objects' boxes,
  to OCR only those regions (``image_regions``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import cv2
import numpy as np

TARGET_DPI = 200  # enough for 9-12 pt print (150 refuses more on blurred scans); a page is rendered at no more than this
MIN_DPI = 100  # a picture drawn larger than its pixels allow is enlarged to this (as PDF pictures are rendered at >= 100)
# a drawn size giving a resolution outside these is not believed (a picture cropped or stretched in the document)
MIN_DRAWN_DPI, MAX_DRAWN_DPI = 40, 1200


def pdf_pages(data: bytes, target_dpi: float = TARGET_DPI) -> Iterator[tuple[np.ndarray, float]]:
    """(BGR image, dpi) per page of a PDF, rendered at min(target, the page's scan resolution)."""
    import pypdfium2 as pdfium

    from auditkit.readers.pdf.text_layer import PDFIUM_LOCK

    # PDFium is not thread-safe: each call under the reader's lock, the OCR of a page outside it
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        n_pages = len(pdf)
    try:
        for i in range(n_pages):
            with PDFIUM_LOCK:
                page = pdf[i]
                native = _page_image_dpi(page)
                dpi = min(target_dpi, native) if native else target_dpi
                dpi = max(dpi, 100.0)
                pil = page.render(scale=dpi / 72, grayscale=False).to_pil().convert("RGB")
                page.close()
            yield np.asarray(pil)[:, :, ::-1].copy(), dpi
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def pdf_page_count(data: bytes) -> int:
    """How many pages the PDF has (for a progress display)."""
    import pypdfium2 as pdfium

    from auditkit.readers.pdf.text_layer import PDFIUM_LOCK

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()


def _page_image_dpi(page) -> float | None:
    """The resolution of the largest picture on the page (pixels over its drawn size), if any."""
    import pypdfium2.raw as raw

    best = None
    area = 0.0
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        x0, y0, x1, y1 = obj.get_bounds()
        w_pt, h_pt = x1 - x0, y1 - y0
        if w_pt <= 0 or h_pt <= 0:
            continue
        try:
            px_w, px_h = obj.get_px_size()
        except Exception:
            continue
        if w_pt * h_pt > area:
            area = w_pt * h_pt
            best = max(px_w / (w_pt / 72), px_h / (h_pt / 72))
    return best


def image_regions(page, min_share: float = 0.02) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, top, x1, bottom in points, top-down) of the pictures on a text-layer page worth OCR."""
    import pypdfium2.raw as raw

    w, h = page.get_size()
    out = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        x0, y0, x1, y1 = obj.get_bounds()
        if (x1 - x0) * (y1 - y0) >= min_share * w * h:
            out.append((x0, h - y1, x1, h - y0))
    return out


def image_file(data: bytes, default_dpi: float | None = None,
               drawn_width: float | None = None) -> list[tuple[np.ndarray, float]]:
    """(BGR image, dpi) per frame of a PNG/JPEG/TIFF. ``drawn_width``: the width in inches the picture is
    printed at in its document (a Word file's picture): its pixels over that width are its resolution,
    whatever its own dpi tag says; it is then resampled to between ``MIN_DPI`` and ``TARGET_DPI``."""
    from PIL import Image, ImageOps, ImageSequence

    im = Image.open(io.BytesIO(data))
    out = []
    for frame in ImageSequence.Iterator(im):
        fr = ImageOps.exif_transpose(frame.convert("RGB"))
        dpi = None
        info_dpi = frame.info.get("dpi")
        if info_dpi and info_dpi[0] and float(info_dpi[0]) > 50:
            dpi = float(info_dpi[0])
        arr = np.asarray(fr)[:, :, ::-1].copy()
        drawn = arr.shape[1] / drawn_width if drawn_width else None
        if drawn is not None and MIN_DRAWN_DPI <= drawn <= MAX_DRAWN_DPI:
            dpi = drawn
            if dpi < MIN_DPI:  # too few pixels for print of this size: enlarged, as a PDF page is rendered larger
                s = MIN_DPI / dpi
                arr = cv2.resize(arr, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
                dpi = MIN_DPI
        if dpi is None:
            dpi = default_dpi or _guess_dpi(arr)
        if dpi > TARGET_DPI * 1.2:  # downscale: more pixels only cost time
            s = TARGET_DPI / dpi
            arr = cv2.resize(arr, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            dpi = TARGET_DPI
        out.append((arr, dpi))
    return out


def _guess_dpi(arr: np.ndarray) -> float:
    """A page photo or scan without a resolution tag: take the short side as A4's 8.27 in."""
    return max(72.0, min(arr.shape[:2]) / 8.27)
