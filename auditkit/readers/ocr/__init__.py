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

_engine: Engine | None = None


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

    return _contents(render.pdf_pages(data))


def image_contents(data: bytes) -> list[PageContent]:
    """The frames of a PNG, JPEG or TIFF (each a page), OCR'd; ``ReadError`` as ``scanned_contents``."""
    from auditkit.readers.ocr import render

    try:
        frames = render.image_file(data)
    except Exception as exc:  # Pillow's many ways to say a file is damaged
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        raise ReadError(ReadReason.CORRUPT, f"图像文件无法解码 (image cannot be decoded: {detail})") from None
    return _contents(iter(frames))


def _contents(images) -> list[PageContent]:
    from auditkit.readers.ocr.cells import read_page

    eng = get_engine()
    results = [read_page(eng, img, dpi, i + 1) for i, (img, dpi) in enumerate(images)]
    if not results or all(r.blank for r in results):
        raise ReadError(ReadReason.EMPTY, "扫描件全部为空白页 (scanned pages are blank)")
    n_lines = sum(r.n_lines for r in results)
    mean = sum(r.mean_prob * r.n_lines for r in results) / max(n_lines, 1)
    if n_lines < MIN_LINES or mean < MIN_MEAN_PROB:
        raise ReadError(ReadReason.NOT_A_REPORT, f"图像中未识别出文字，不是年度报告 (no readable text in the image: "
                        f"{n_lines} lines, mean confidence {mean:.2f})")
    return [_page_content(r) for r in results if not r.blank]


def _page_content(r: PageResult) -> PageContent:
    from auditkit.readers.pdf.model import Char, DoubtChar, PageContent

    chars: list[Char] = [DoubtChar(c.ch, c.x0, c.y0, c.x1, c.y1, c.doubt) if c.doubt else Char(c.ch, c.x0, c.y0, c.x1, c.y1)
                         for c in r.chars]
    n_text = sum(1 for c in chars if c.ch.isalnum())
    return PageContent(r.number, r.width_pt, r.height_pt, chars, r.hs, r.vs, n_text, 1, 0)
