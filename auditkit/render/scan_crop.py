"""A scan's cells cut out of the image OCR read them from, to show the auditor (``render.origin``).

Each value read by OCR carries its cell's corners as fractions of the image as stored (``Provenance.scan``):
the page of a scanned PDF as PDFium renders it, the frame of an image file, a Word file's picture. Here
that image is opened again (``source_image``) and the cited cells' rows are cut out of it, set upright
the way the reader set the page (the first cell's corners against an upright rectangle give the turn,
tilt and perspective to take out), the cells framed in red (``scan_image``). No OCR runs here: only
Pillow, numpy and PDFium, so a reviewer without the ``ocr`` extra sees the scan too.
"""

from __future__ import annotations

import io
from typing import Any

SCAN_DPI = 150  # a scanned PDF page rendered for its cells to be cut out: legible, then scaled to the width shown
SCAN_FRAME = (220, 20, 20)  # the red of the frames round the cited cells


def source_image(source: str, kind: str, page: int, picture: str | None) -> Any:
    """The image OCR read, as stored in the file: the PDF page rendered, the image file's frame, or a Word
    file's picture (found by its bytes' SHA-1)."""
    from PIL import Image, ImageOps, ImageSequence

    if picture:
        import hashlib
        import zipfile

        with zipfile.ZipFile(source) as zf:
            for info in zf.infolist():
                if info.file_size and info.file_size < 64 << 20 and "sha1:" + hashlib.sha1(zf.read(info)).hexdigest() == picture:
                    data = zf.read(info)
                    break
            else:
                raise KeyError("图片已不在文件中 (the picture is no longer in the file)")
        image = Image.open(io.BytesIO(data))
    elif kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(source)
        try:
            pdf_page = pdf[page - 1]
            return pdf_page.render(scale=SCAN_DPI / 72).to_pil().convert("RGB")
        finally:
            pdf.close()
    else:
        image = Image.open(source)
    for n, frame in enumerate(ImageSequence.Iterator(image), start=1):
        if n == page:
            return ImageOps.exif_transpose(frame.convert("RGB"))
    raise KeyError(f"第{page}页不在文件中 (no page {page})")


def scan_image(image: Any, quads: list[tuple[float, ...]], width: int = 900) -> Any:
    """The band of a scanned page that holds the cells ``quads`` (corners tl, tr, br, bl as x, y fractions
    of ``image``), set upright the way the first cell stands, across the page's width (so the row labels
    show), a row or so above and below, each cell framed in red; at most ``width`` pixels wide."""
    import numpy as np
    from PIL import Image, ImageDraw

    size = np.array(image.size, dtype=float)
    corners = [np.array(q, dtype=float).reshape(4, 2) * size for q in quads]
    tl, tr, br, bl = corners[0]
    w0 = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h0 = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    # the first cell's corners against an upright rectangle of its size: the turn, tilt and perspective
    # the reader took out, taken out again (one homography: upright pixels -> image pixels)
    to_image = _homography(np.array([[0, 0], [w0, 0], [w0, h0], [0, h0]]), corners[0])
    to_upright = np.linalg.inv(to_image)
    boxes = []
    for quad in corners:
        pts = _apply(to_upright, quad)
        boxes.append((*pts.min(0), *pts.max(0)))
    page = _apply(to_upright, np.array([[0, 0], [size[0], 0], size, [0, size[1]]]))
    margin = 1.6 * max(b[3] - b[1] for b in boxes)
    x0, x1 = float(page[:, 0].min()), float(page[:, 0].max())
    y0 = max(float(page[:, 1].min()), min(b[1] for b in boxes) - margin)
    y1 = min(float(page[:, 1].max()), max(b[3] for b in boxes) + margin)
    scale = min(1.0, width / max(x1 - x0, 1.0))
    out_w, out_h = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    # output pixel (u, v) -> upright (x0 + u / scale, y0 + v / scale) -> image
    from_out = to_image @ np.array([[1 / scale, 0, x0], [0, 1 / scale, y0], [0, 0, 1]])
    from_out = from_out / from_out[2, 2]
    band = image.transform((out_w, out_h), Image.Transform.PERSPECTIVE, tuple(from_out.ravel()[:8]),
                           resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    draw = ImageDraw.Draw(band)
    for bx0, by0, bx1, by1 in boxes:
        draw.rectangle((round((bx0 - x0) * scale) - 2, round((by0 - y0) * scale) - 2,
                        round((bx1 - x0) * scale) + 2, round((by1 - y0) * scale) + 2), outline=SCAN_FRAME, width=3)
    return band


def _homography(src: Any, dst: Any) -> Any:
    """The 3x3 projective map taking the four points ``src`` to ``dst``."""
    import numpy as np

    a, b = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    h = np.linalg.solve(np.array(a, dtype=float), np.array(b, dtype=float))
    return np.append(h, 1.0).reshape(3, 3)


def _apply(h: Any, pts: Any) -> Any:
    import numpy as np

    p = np.hstack([pts, np.ones((len(pts), 1))]) @ h.T
    return p[:, :2] / p[:, 2:]
