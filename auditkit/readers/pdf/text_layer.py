"""Opening a PDF and reading its text layer with PDFium: every character with its box,
the ruling lines, the images; and the refusals (encrypted, truncated, corrupt,
undecodable, scanned, empty) for a PDF whose text cannot be read.
"""

from __future__ import annotations

import math
import threading
from itertools import pairwise

from auditkit.errors import ReadError, ReadReason
from auditkit.readers.pdf.model import Char, PageContent

_THIN = 3.0  # pt: a filled rectangle thinner than this is a ruling, not a shading
_EDGE = 1.0  # pt: a glyph or ruling reaching this far past the page's edge still lies on the paper
_SCAN_CHARS_PER_PAGE = 10  # fewer readable characters than this on an image page: a scan
PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe; batches use processes, notebooks may not


def _looks_truncated(data: bytes) -> bool:
    """No end-of-file marker after the last object: the download or copy was cut.
    Junk after a final %%EOF (some servers append it) is not a cut."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        return True
    tail = data[end + 5:]
    return b"endobj" in tail or b"endstream" in tail


def read_text_layer(data: bytes) -> tuple[list[PageContent], str]:
    """Every page's characters, rulings and images, and the document's Title metadata.

    Raises ``ReadError``: encrypted, truncated or corrupt for a file PDFium cannot
    open whole; unknown_encoding, scanned or empty for one whose text cannot be read.
    """
    import pypdfium2 as pdfium

    truncated = _looks_truncated(data)
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            code = getattr(exc, "err_code", None)
            if code in (4, 6):  # FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY
                raise ReadError(ReadReason.ENCRYPTED, "PDF 已加密，需要密码 (encrypted PDF, password required)") from None
            if truncated:
                raise ReadError(ReadReason.TRUNCATED, "PDF 文件不完整 (truncated PDF)") from None
            raise ReadError(ReadReason.CORRUPT, "PDF 文件已损坏，无法打开 (corrupt PDF, cannot be opened)") from None
        try:
            if truncated:
                # PDFium rebuilds a cut file and shows what is left: pages would go missing silently.
                raise ReadError(ReadReason.TRUNCATED, "PDF 文件不完整，缺少结尾 (truncated PDF, end of file missing)")
            n_pages = len(pdf)
            if n_pages == 0:
                raise ReadError(ReadReason.EMPTY, "PDF 没有页面 (PDF has no pages)")
            _check_rebuilt(pdf, data, n_pages)
            pages = [_read_page(pdf, i) for i in range(n_pages)]
            title = (pdf.get_metadata_value("Title") or "").strip()
        finally:
            pdf.close()
    _check_text_layer(pages)
    return pages, title


def _check_rebuilt(pdf, data: bytes, n_pages: int) -> None:
    """Refuse a damaged PDF that PDFium rebuilt with parts missing. A file whose cross-reference
    table is broken is read by scanning it for objects, which PDFium does silently: pages whose
    objects are gone vanish, and pages whose content is gone come out with less text. Such a file
    must say as many pages as its page tree declares and hold every object its trailer counts."""
    import re

    import pypdfium2.raw as raw

    if raw.FPDF_DocumentHasValidCrossReferenceTable(pdf.raw):
        return  # the usual file: nothing was rebuilt
    declared_pages = max((int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)), default=0)
    declared_pages = max([declared_pages, *(int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data))])
    objects = len(set(re.findall(rb"(?<![\d.])(\d+)\s+\d+\s+obj\b", data)))
    size = max((int(n) for n in re.findall(rb"/Size\s+(\d+)", data)), default=0)
    if n_pages < declared_pages or (b"/ObjStm" not in data and objects < size - 1):
        raise ReadError(ReadReason.CORRUPT, f"PDF 文件损坏，部分页面或内容缺失 (damaged PDF: {n_pages} of {declared_pages} "
                        f"pages, {objects} of {max(size - 1, 0)} objects found)")


def _check_text_layer(pages: list[PageContent]) -> None:
    """Refuse a document whose text a reader would get as boxes, a scan, or no text at all."""
    chars = sum(p.n_chars for p in pages)
    images = sum(p.n_images for p in pages)
    if sum(p.n_garbled for p in pages) > max(chars, 20):
        # text a reader would get as boxes: refuse rather than hand on garbage
        raise ReadError(ReadReason.UNKNOWN_ENCODING,
                        "PDF 文字无法解码，字体缺少 Unicode 映射 (PDF text cannot be decoded: fonts lack a Unicode map)")
    if images and chars < _SCAN_CHARS_PER_PAGE * len(pages):
        raise ReadError(ReadReason.SCANNED, "扫描件，无文字层 (scanned document, no text layer)")
    if not chars:
        raise ReadError(ReadReason.EMPTY, "PDF 没有可提取的文字 (PDF has no extractable text)")


def _read_page(pdf, index: int) -> PageContent:
    """One page's characters and rulings in top-down coordinates, turned as the page is shown."""
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        rect = raw.FS_RECTF()
        if raw.FPDF_GetPageBoundingBox(page.raw, rect):
            top, left = rect.top, rect.left
            width, height = rect.right - rect.left, rect.top - rect.bottom
        else:
            width, height = page.get_size()
            top, left = height, 0.0
        textpage = page.get_textpage()
        try:
            chars = _page_chars(textpage.raw, top, left)
        finally:
            textpage.close()
        hs, vs, n_images = _page_rulings(page.raw, top, left)
        rotation = raw.FPDFPage_GetRotation(page.raw) % 4
    finally:
        page.close()
    if rotation:
        chars, hs, vs, width, height = _rotate(rotation, chars, hs, vs, width, height)
    chars, hs, vs = _on_paper(chars, hs, vs, width, height)

    n_text = sum(1 for c in chars if c.ch.isalnum())
    n_garbled = sum(1 for c in chars if "\ue000" <= c.ch <= "\uf8ff" or c.ch == "\ufffd")
    return PageContent(index + 1, width, height, chars, hs, vs, n_text, n_images, n_garbled)


def _on_paper(chars: list[Char], hs: list, vs: list, w: float, h: float) -> tuple[list[Char], list, list]:
    """What the paper shows: characters wholly on the page, rulings cut at its edges. A table
    wider than the page (a web page printed to PDF) keeps in the file what lies beyond the
    edge, where no reader sees it; a glyph the edge cuts through is lost as well."""
    lo_x, hi_x, lo_y, hi_y = -_EDGE, w + _EDGE, -_EDGE, h + _EDGE
    if all(lo_x <= c.x0 and c.x1 <= hi_x and lo_y <= c.y0 and c.y1 <= hi_y for c in chars) \
            and all(lo_x <= x0 and x1 <= hi_x and lo_y <= y <= hi_y for y, x0, x1 in hs) \
            and all(lo_y <= y0 and y1 <= hi_y and lo_x <= x <= hi_x for x, y0, y1 in vs):
        return chars, hs, vs  # the usual page: everything on the paper
    chars = [c for c in chars if lo_x <= c.x0 and c.x1 <= hi_x and lo_y <= c.y0 and c.y1 <= hi_y]
    hs = [(y, max(x0, 0.0), min(x1, w)) for y, x0, x1 in hs if lo_y <= y <= hi_y and x0 < w and x1 > 0]
    vs = [(x, max(y0, 0.0), min(y1, h)) for x, y0, y1 in vs if lo_x <= x <= hi_x and y0 < h and y1 > 0]
    return chars, hs, vs


def _rotate(r: int, chars: list[Char], hs: list, vs: list, w: float, h: float):
    """Page coordinates turned the way a viewer shows a page with /Rotate (90° steps
    clockwise): landscape tables are often portrait pages turned."""
    if r == 1:
        def pt(x: float, y: float) -> tuple[float, float]:
            return h - y, x
        new_hs = [(x, h - y1, h - y0) for x, y0, y1 in vs]
        new_vs = [(h - y, x0, x1) for y, x0, x1 in hs]
    elif r == 2:
        def pt(x: float, y: float) -> tuple[float, float]:
            return w - x, h - y
        new_hs = [(h - y, w - x1, w - x0) for y, x0, x1 in hs]
        new_vs = [(w - x, h - y1, h - y0) for x, y0, y1 in vs]
    else:
        def pt(x: float, y: float) -> tuple[float, float]:
            return y, w - x
        new_hs = [(w - x, y0, y1) for x, y0, y1 in vs]
        new_vs = [(y, w - x1, w - x0) for y, x0, x1 in hs]
    out = []
    for c in chars:
        ax, ay = pt(c.x0, c.y0)
        bx, by = pt(c.x1, c.y1)
        out.append(Char(c.ch, min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
    if r == 2:
        return out, new_hs, new_vs, w, h
    return out, new_hs, new_vs, h, w


def _page_chars(tp, top: float, left: float) -> list[Char]:
    """Every drawn character with its box, in top-down page coordinates."""
    import pypdfium2.raw as raw

    get_unicode = raw.FPDFText_GetUnicode
    get_box = raw.FPDFText_GetLooseCharBox
    rect = raw.FS_RECTF()
    out: list[Char] = []
    for i in range(raw.FPDFText_CountChars(tp)):
        u = get_unicode(tp, i)
        if u < 32 or 0xD800 <= u <= 0xDFFF or u in (0xFFFE, 0xFFFF, 0xFEFF):
            continue
        ch = chr(u)
        if ch.isspace():
            # PDFium invents spaces between words; keep only the ones in the file
            if raw.FPDFText_IsGenerated(tp, i) == 1:
                continue
            ch = " "
        if not get_box(tp, i, rect):
            continue
        x0, x1, y0, y1 = rect.left, rect.right, rect.top, rect.bottom
        if max(x1 - x0, y0 - y1) > 30:
            x0, y0, x1, y1 = _sane_box(tp, i, x0, y0, x1, y1)
        out.append(Char(ch, x0 - left, top - y0, x1 - left, top - y1))
    return out


def _sane_box(tp, i: int, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """PDFium's loose box ignores the text matrix for vertical (Identity-V) fonts
    as WPS writes them, giving 200-pt boxes; rebuild an em square at the origin."""
    import ctypes

    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(tp, i, m)
    em = raw.FPDFText_GetFontSize(tp, i) * math.sqrt(abs(m.a * m.d - m.b * m.c))
    if em <= 0 or max(x1 - x0, y0 - y1) <= 2.5 * em:
        return x0, y0, x1, y1
    ox, oy = ctypes.c_double(), ctypes.c_double()
    raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
    return ox.value, oy.value + em, ox.value + em, oy.value


def _page_rulings(page, top: float, left: float):
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) rulings, and the image count."""
    import ctypes

    import pypdfium2.raw as raw

    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    n_images = 0
    get_type = raw.FPDFPageObj_GetType
    path_t, image_t, form_t = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    bl, bb, br, bt = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    cr, cg, cb, ca = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    fm = raw.FS_MATRIX()

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        # page-space box of a thin mark -> a ruling in top-down coordinates; short
        # pieces are kept for now, as dotted and dashed borders are made of them
        w, h = x1 - x0, y1 - y0
        if h <= _THIN and w > 0.1:
            hs.append((top - (y0 + y1) / 2, x0 - left, x1 - left))
        if w <= _THIN and h > 0.1:
            vs.append(((x0 + x1) / 2 - left, top - y1, top - y0))

    def visible(get_color, obj) -> bool:
        if not get_color(obj, cr, cg, cb, ca):
            return True
        return ca.value > 0 and min(cr.value, cg.value, cb.value) < 245

    # (object, parent matrix or None at page level)
    stack: list[tuple[object, tuple[float, ...] | None]] = [
        (raw.FPDFPage_GetObject(page, i), None) for i in range(raw.FPDFPage_CountObjects(page) - 1, -1, -1)
    ]
    while stack:
        obj, parent = stack.pop()
        kind = get_type(obj)
        if kind == image_t:
            n_images += 1
            continue
        if kind == form_t:
            raw.FPDFPageObj_GetMatrix(obj, fm)
            mat = _compose((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), parent)
            n = raw.FPDFFormObj_CountObjects(obj)
            stack.extend((raw.FPDFFormObj_GetObject(obj, k), mat) for k in range(n - 1, -1, -1))
            continue
        if kind != path_t:
            continue
        raw.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
        stroked = bool(stroke.value) and visible(raw.FPDFPageObj_GetStrokeColor, obj)
        filled = fill_mode.value != 0 and visible(raw.FPDFPageObj_GetFillColor, obj)
        if not (stroked or filled):
            continue
        n_seg = raw.FPDFPath_CountSegments(obj)
        if parent is None and n_seg <= 5:
            # the usual case: one border per path object, its bounds are the ruling
            raw.FPDFPageObj_GetBounds(obj, bl, bb, br, bt)
            if min(br.value - bl.value, bt.value - bb.value) <= _THIN:
                add(bl.value, bb.value, br.value, bt.value)
                continue
            if not stroked:
                continue  # a filled box: cell shading, not a border
        raw.FPDFPageObj_GetMatrix(obj, fm)
        mat = _compose((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), parent)
        for sub in _subpaths(obj, n_seg, mat):
            if stroked:
                for (ax, ay), (bx, by) in pairwise(sub):
                    if abs(ay - by) < 0.5 or abs(ax - bx) < 0.5:
                        add(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
            elif len(sub) >= 4:
                xs = [p[0] for p in sub]
                ys = [p[1] for p in sub]
                axis = all(abs(a[0] - b[0]) < 0.5 or abs(a[1] - b[1]) < 0.5
                           for a, b in pairwise(sub))
                if axis:
                    add(min(xs), min(ys), max(xs), max(ys))
    return hs, vs, n_images


def _compose(m: tuple[float, ...], parent: tuple[float, ...] | None) -> tuple[float, ...]:
    """Matrix ``m`` followed by ``parent`` (PDF row-vector convention)."""
    if parent is None:
        return m
    a, b, c, d, e, f = m
    pa, pb, pc, pd, pe, pf = parent
    return (a * pa + b * pc, a * pb + b * pd, c * pa + d * pc, c * pb + d * pd,
            e * pa + f * pc + pe, e * pb + f * pd + pf)


def _subpaths(obj, n_seg: int, mat: tuple[float, ...]) -> list[list[tuple[float, float]]]:
    """The straight-edged subpaths of a path object as point lists in page space
    (a closed subpath repeats its first point; curves break the polyline)."""
    import ctypes

    import pypdfium2.raw as raw

    a, b, c, d, e, f = mat
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for k in range(n_seg):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        p = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or kind != raw.FPDF_SEGMENT_LINETO:
            if len(cur) > 1:
                out.append(cur)
            cur = [p]
        else:
            cur.append(p)
        if raw.FPDFPathSegment_GetClose(seg) and cur:
            cur.append(cur[0])
            out.append(cur)
            cur = [cur[0]]
    if len(cur) > 1:
        out.append(cur)
    return out
