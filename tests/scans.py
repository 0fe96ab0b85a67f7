"""Scanned copies of the bundled sample PDFs, made at test time, for the OCR tests.

A sample is rendered with pypdfium2 and then treated as paper goes through a scanner or a
phone: grey paper with uneven light and fibres, a red official seal stamped over a number,
a tilt of a degree or two, blur, noise and JPEG compression; or photographed at an angle on a
desk; or fed in upside down. The pages are written back as a PDF of pictures (no text layer)
or as image files. Everything is seeded: the same call gives the same pages.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

SEAL_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
PAPER = (236, 232, 222)


def render(pdf_path: Path, dpi: int) -> list[np.ndarray]:
    """The PDF's pages as RGB images."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [np.asarray(page.render(scale=dpi / 72).to_pil().convert("RGB")) for page in pdf]
    finally:
        pdf.close()


def digit_centres(pdf_path: Path, page_index: int, dpi: int) -> list[tuple[int, int]]:
    """Where the digits of a page are (pixels): the places to stamp a seal over a number."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_index]
        text = page.get_textpage()
        height = page.get_size()[1]
        out = []
        for i in range(text.count_chars()):
            if text.get_text_range(i, 1).isdigit():
                x0, y0, x1, y1 = text.get_charbox(i)
                out.append((int((x0 + x1) / 2 * dpi / 72), int((height - (y0 + y1) / 2) * dpi / 72)))
        return out
    finally:
        pdf.close()


def paper(img: np.ndarray, rng: np.random.Generator, gradient: float = 0.08) -> np.ndarray:
    """Print on grey paper, lit unevenly, with paper fibres."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a, b = rng.uniform(-1, 1, 2)
    light = 1.0 - gradient * (0.5 + 0.5 * (a * xx / w + b * yy / h))
    fibres = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 3)
    out = img.astype(np.float32) / 255.0 * np.array(PAPER, np.float32) * light[..., None] + fibres[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def seal(img: np.ndarray, cx: int, cy: int, r: int, rng: np.random.Generator, alpha: float = 0.65) -> np.ndarray:
    """A red round official seal (ring, star, characters along the ring) inked over the page at (cx, cy)."""
    size = 2 * r + 8
    layer = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(layer)
    c = size // 2
    draw.ellipse([c - r, c - r, c + r, c + r], outline=255, width=max(3, r // 18))
    star = []
    for k in range(10):
        rad = r * (0.28 if k % 2 == 0 else 0.11)
        ang = -math.pi / 2 + k * math.pi / 5
        star.append((c + rad * math.cos(ang), c + rad * math.sin(ang)))
    draw.polygon(star, fill=255)
    size_pt = max(10, int(r * 0.22))
    font = ImageFont.truetype(str(SEAL_FONT), size_pt) if SEAL_FONT.exists() else ImageFont.load_default(size_pt)
    text = "淮安市政府信息公开专用章"
    for k, ch in enumerate(text):
        ang = math.radians(-200 + k * 220 / (len(text) - 1))
        x, y = c + 0.72 * r * math.cos(ang), c + 0.72 * r * math.sin(ang)
        glyph = Image.new("L", (size_pt + 4, size_pt + 4), 0)
        ImageDraw.Draw(glyph).text((2, 0), ch, fill=255, font=font)
        glyph = glyph.rotate(-math.degrees(ang) - 90, expand=True)
        layer.paste(255, (int(x - glyph.width / 2), int(y - glyph.height / 2)), glyph)
    ink = np.asarray(layer, np.float32) / 255.0
    ink *= np.clip(cv2.GaussianBlur(rng.uniform(0.55, 1.0, ink.shape).astype(np.float32), (0, 0), 4) * 1.25, 0, 1)
    ink *= alpha
    out = img.astype(np.float32)
    h, w = img.shape[:2]
    x0, y0 = cx - c, cy - c
    xs0, ys0, xs1, ys1 = max(0, x0), max(0, y0), min(w, x0 + size), min(h, y0 + size)
    part = ink[ys0 - y0:ys1 - y0, xs0 - x0:xs1 - x0][..., None]
    red = np.array([215, 35, 40], np.float32)[None, None, :] / 255.0
    out[ys0:ys1, xs0:xs1] *= (1 - part) + part * red
    return np.clip(out, 0, 255).astype(np.uint8)


def tilt(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=PAPER)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def noise(img: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    _ok, buf = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].copy()


def photo(img: np.ndarray, rng: np.random.Generator, squeeze: float = 0.06) -> np.ndarray:
    """The page photographed at an angle on a desk: perspective, a dark background, light falling off."""
    h, w = img.shape[:2]
    pad = int(0.08 * w)
    big_w, big_h = w + 2 * pad, h + 2 * pad
    desk = np.zeros((big_h, big_w, 3), np.float32) + np.array([96, 84, 70], np.float32)
    desk += cv2.GaussianBlur(rng.normal(0, 12, (big_h, big_w)).astype(np.float32), (0, 0), 5)[..., None]

    def j() -> float:
        return rng.uniform(0.3, 1.0) * squeeze

    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[pad + j() * w, pad + j() * h * 0.3], [pad + w - j() * w * 0.4, pad + j() * h * 0.2],
                      [pad + w + j() * w * 0.2, pad + h - j() * h * 0.1], [pad - j() * w * 0.3, pad + h]])
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(img.astype(np.float32), m, (big_w, big_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), m, (big_w, big_h), flags=cv2.INTER_LINEAR)[..., None]
    out = desk * (1 - mask) + np.clip(warped, 0, 255) * mask
    yy, xx = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    light = 1.0 - 0.25 * ((xx / big_w - 0.3) ** 2 + (yy / big_h - 0.2) ** 2)
    return np.clip(out * light[..., None], 0, 255).astype(np.uint8)


def scan(pdf_path: Path, dpi: int, seed: int, *, angle: float = 1.5, sigma: float = 0.8, noise_sd: float = 8.0,
         quality: int = 50, seals: int = 1, as_photo: bool = False) -> list[np.ndarray]:
    """The sample as a scanner (or, ``as_photo``, a phone) gives it back: tilted by ``angle`` on odd pages and
    a little the other way on even ones; ``seals`` seals each centred on a digit of pages 2-4."""
    rng = np.random.default_rng(seed)
    out = []
    for i, img in enumerate(render(pdf_path, dpi)):
        img = paper(img, rng)
        if seals and i in (1, 2, 3):
            digits = digit_centres(pdf_path, i, dpi)
            for _ in range(seals if digits else 0):
                cx, cy = digits[int(rng.integers(len(digits)))]
                img = seal(img, cx, cy, int(0.75 * dpi), rng)
        turn = angle * (1 if i % 2 == 0 else -0.7)
        if turn:
            img = tilt(img, turn)
        if as_photo:
            img = photo(img, rng)
        img = jpeg(noise(blur(img, sigma), noise_sd, rng), quality)
        out.append(img)
    return out


def write_pdf(pages: list[np.ndarray], path: Path, dpi: int) -> Path:
    """A PDF of page pictures and nothing else: a scan."""
    images = [Image.fromarray(p) for p in pages]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=90)
    return path


def write_tiff(pages: list[np.ndarray], path: Path, dpi: int) -> Path:
    """A multi-page TIFF, as a scanner's software saves a document."""
    images = [Image.fromarray(p) for p in pages]
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression="tiff_lzw")
    return path


def blank_page(seed: int) -> np.ndarray:
    """An empty sheet of grey paper, scanned."""
    rng = np.random.default_rng(seed)
    return noise(paper(np.full((1754, 1240, 3), 255, np.uint8), rng), 6, rng)


def other_photo(seed: int) -> np.ndarray:
    """A photo of something that is no document: smooth colours and round shapes, no text."""
    rng = np.random.default_rng(seed)
    h, w = 1500, 2000
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([120 + 80 * np.sin(xx / 170), 140 + 60 * np.cos(yy / 130), 90 + 50 * np.sin((xx + yy) / 300)], -1)
    for _ in range(25):
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.circle(img, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(rng.integers(30, 250)), colour, -1)
    return jpeg(noise(blur(np.clip(img, 0, 255).astype(np.uint8), 3), 5, rng), 70)


def mixed_pdf(pdf_path: Path, picture_pages: set[int], path: Path, dpi: int = 200, *,
              turned: set[int] = frozenset(), pages: list[int] | None = None) -> Path:
    """The PDF with the pages ``picture_pages`` (0-based) replaced by JPEG pictures of themselves: a
    report whose other pages keep their text layer (tables pasted as pictures, or scanned pages).
    ``turned``: picture pages stored on their side, as a landscape page turned upright for display by
    /Rotate 90 (how some scanners save a page). ``pages``: only these pages, in this order."""
    import io

    src = pdfium.PdfDocument(str(pdf_path))
    out = pdfium.PdfDocument.new()
    try:
        for i in range(len(src)) if pages is None else pages:
            if i not in picture_pages:
                out.import_pages(src, [i])
                continue
            width, height = src[i].get_size()
            image = jpeg(render_page(src, i, dpi), 75)
            if i in turned:  # stored a quarter turn anticlockwise; /Rotate 90 (clockwise) shows it upright
                image, width, height = np.ascontiguousarray(np.rot90(image)), height, width
            buf = io.BytesIO()
            Image.fromarray(image).save(buf, "JPEG", quality=90)
            buf.seek(0)
            page = out.new_page(width, height)
            picture = pdfium.PdfImage.new(out)
            picture.load_jpeg(buf, inline=True)
            picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
            page.insert_obj(picture)
            if i in turned:
                page.set_rotation(90)
            page.gen_content()
        out.save(str(path))
    finally:
        out.close()
        src.close()
    return path


def render_page(pdf: pdfium.PdfDocument, index: int, dpi: int) -> np.ndarray:
    return np.asarray(pdf[index].render(scale=dpi / 72).to_pil().convert("RGB"))


def docx_with_pictures(pdf_path: Path, picture_pages: set[int], path: Path, dpi: int = 200,
                       tag_dpi: int | None = None, band: tuple[float, float] = (0.0, 1.0)) -> Path:
    """A Word file of the PDF's text, a paragraph a line, with the pages ``picture_pages`` (0-based)
    pasted as PNG pictures where they stand: tables sent as pictures in a .docx. ``tag_dpi``: the
    resolution the PNGs claim, if not their own (a screenshot tool's 72 or 96); 0: none. ``band``: the part
    of each page pictured, top and bottom as fractions of its height (a table cut out of the page)."""
    import io

    from docx import Document
    from docx.shared import Inches

    src = pdfium.PdfDocument(str(pdf_path))
    doc = Document()
    try:
        for i in range(len(src)):
            if i in picture_pages:
                buf = io.BytesIO()
                image = render_page(src, i, dpi)
                image = image[round(band[0] * len(image)):round(band[1] * len(image))]
                tag = tag_dpi if tag_dpi is not None else dpi
                Image.fromarray(image).save(buf, "PNG", **({"dpi": (tag, tag)} if tag else {}))
                buf.seek(0)
                doc.add_picture(buf, width=Inches(6.2))
                continue
            for text in src[i].get_textpage().get_text_range().splitlines():
                doc.add_paragraph(text)
    finally:
        src.close()
    doc.save(str(path))
    return path
