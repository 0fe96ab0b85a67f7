"""The PDF reader's entry point: ``read_pdf`` runs the stages in order, page by page
and then across pages, and turns any failure into a one-line ``ReadError``.
"""

from __future__ import annotations

from pathlib import Path

from auditkit.errors import DiagnosticCode, ReadError, ReadReason
from auditkit.layout import Layout, ReaderNote
from auditkit.readers.pdf.across_pages import join_pages
from auditkit.readers.pdf.blocks import to_layout
from auditkit.readers.pdf.margins import drop_page_numbers, drop_running_lines
from auditkit.readers.pdf.model import Line, Page, PageContent, RawTable, SourceImage, group_lines, make_line
from auditkit.readers.pdf.ruled import fill_grids, find_grids, grid_bounds
from auditkit.readers.pdf.text_layer import read_text_layer
from auditkit.readers.pdf.unruled import find_unruled_tables


def read_pdf(path: Path, data: bytes) -> Layout:
    """Read a PDF report into text blocks and span-expanded table grids.

    Raises ``ReadError`` (encrypted, truncated, corrupt, scanned, empty) for a
    PDF whose text cannot be read; no library exception escapes.
    """
    try:
        return _read(path, data)
    except ReadError:
        raise
    except Exception as exc:  # a PDFium or ctypes failure deep inside a page
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError(ReadReason.CORRUPT, f"PDF 文件无法解析 (corrupt PDF: {detail})") from None


def _read(path: Path, data: bytes) -> Layout:
    try:
        contents, title_meta = read_text_layer(data)
    except ReadError as exc:
        if exc.reason != ReadReason.SCANNED:
            raise
        contents, title_meta = _ocr_contents(data, exc), ""
    else:
        if any(content.n_images for content in contents):
            _ocr_pictures(data, contents)
    return read_contents(path, contents, title_meta)


def _ocr_pictures(data: bytes, contents: list[PageContent]) -> None:
    """Tables pasted as pictures into a text-layer PDF, OCR'd into their pages (with the ``ocr`` extra)."""
    from auditkit.readers import ocr

    if not ocr.available():
        return
    try:
        ocr.add_picture_tables(data, contents)
    except ReadError:
        raise
    except Exception as exc:  # a bug in the OCR stages, not a damaged PDF: say so
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError(ReadReason.INTERNAL_ERROR,
                        f"PDF 中图片的 OCR 失败 (OCR of the PDF's pictures failed: {detail})") from None


def read_image(path: Path, data: bytes) -> Layout:
    """A report given as page images (PNG, JPEG, or a TIFF of several pages): OCR'd, then read as a scanned PDF is."""
    from auditkit.readers import ocr

    if not ocr.available():
        raise ReadError(ReadReason.SCANNED, f"图像文件，无文字层；安装 OCR 后可读取 (a page image, no text layer; install OCR "
                        f"to read it: {ocr.INSTALL_HINT})")
    try:
        contents = ocr.image_contents(data)
    except ReadError:
        raise
    except Exception as exc:  # a bug in the OCR stages: say so, in one line
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError(ReadReason.INTERNAL_ERROR, f"图像 OCR 失败 (OCR of the image failed: {detail})") from None
    layout = read_contents(path, contents)
    layout.kind = "image"
    return layout


def _ocr_contents(data: bytes, refusal: ReadError) -> list[PageContent]:
    """The pages of a scan, OCR'd when the ``ocr`` extra is installed; else the refusal, with the hint to install it."""
    from auditkit.readers import ocr

    if not ocr.available():
        raise ReadError(ReadReason.SCANNED, f"{refusal.message}；安装 OCR 后可读取 (install OCR to read it: "
                        f"{ocr.INSTALL_HINT})") from None
    try:
        return ocr.scanned_contents(data)
    except ReadError:
        raise
    except Exception as exc:  # a bug in the OCR stages, not a damaged PDF: say so
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError(ReadReason.INTERNAL_ERROR, f"扫描件 OCR 失败 (OCR of the scan failed: {detail})") from None


def read_contents(path: Path, contents: list[PageContent], title_meta: str = "") -> Layout:
    """The layout of a document's pages, from their characters and rulings (a text layer's, or OCR's)."""
    pages = [_read_page(content) for content in contents]
    find_unruled_tables(pages)  # before the running lines go: a table row can sit in the page margin
    drop_running_lines(pages)
    sources = {content.number: content.source for content in contents if content.source is not None}
    layout = to_layout(path, join_pages(pages), pages, title_meta, sources)
    layout.notes.extend(note for source in sources.values() if (note := _upright_note(source)))
    return layout


def _upright_note(source: SourceImage) -> ReaderNote | None:
    """What was done to set a scanned page upright before it was read, for the auditor; None when nothing."""
    done, words = {}, []
    if source.turned:
        done["turned"] = source.turned
        words.append((f"旋转 {source.turned}°", f"turned {source.turned}°"))
    if source.unwarped:
        done["unwarped"] = True
        words.append(("按拍摄角度校正透视", "photo unwarped"))
    if source.levelled:
        done["levelled"] = source.levelled
        words.append((f"纠正倾斜 {abs(source.levelled):.1f}°", f"deskewed by {abs(source.levelled):.1f}°"))
    if not done:
        return None
    where = "表格图片" if source.picture else f"第{source.page}页"
    return ReaderNote(DiagnosticCode.OCR_PAGE,
                      f"扫描件{where}经摆正后识别：{'、'.join(zh for zh, _ in words)} "
                      f"(OCR page {source.page}: {', '.join(en for _, en in words)})",
                      f"page {source.page}", {"page": source.page, **done})


def _read_page(content: PageContent) -> Page:
    """One page's ruled tables and the lines of text outside them, top down."""
    number = content.number
    grids = find_grids(content.hs, content.vs, number, content.width)
    # the page number goes first: drawn over a table, it must not land in a cell
    chars = drop_page_numbers(content.chars, content.height, [grid_bounds(g) for g in grids], number)
    tables, free = fill_grids(grids, chars, content.width)
    lines = [make_line(lc, number) for lc in group_lines(free)]
    lines = [ln for ln in lines if ln.text]
    items: list[Line | RawTable] = [*lines, *tables]
    items.sort(key=lambda it: (it.y0, it.x0 if isinstance(it, Line) else it.xs[0]))
    return Page(number, content.width, content.height, items)
