"""One page image -> characters with boxes (points) and rulings (points), ready for the PDF reader's
table builder; numbers the OCR is not sure of are replaced by ``OCR_DOUBT`` and explained.

Order of work on a page (``dpi`` = the image's resolution):
1. red seal mask from colour; grey = red channel; paper normalised; ink mask;
2. a photo: find the paper's quad and unwarp it; skew from the projection profile; rotate;
3. rulings -> tables -> cell regions (paper enclosed by rulings);
4. text detection once on the page (orientation check; text outside tables);
5. inside each cell: text lines from the ink's row profile, each line recognised from its own
   crop with the rulings painted out (so a digit touching a border is read as itself);
6. the doubt rule on every line that reads as a number.
"""

from __future__ import annotations

import time
from dataclasses import field

import cv2
import numpy as np

import auditkit.readers.ocr.deskew as deskew  # the modules, not the package: it imports this one
import auditkit.readers.ocr.doubt as doubt
import auditkit.readers.ocr.grid as grid
from auditkit.precompiled import dataclass
from auditkit.readers.ocr.engine import Engine, RecLine

LEVELLED = 0.05  # degrees: a smaller tilt is left as it is


@dataclass
class PlacedChar:
    """A recognised character in points on the page; ``region``: the image cell it was read from (-1 outside tables)."""

    ch: str
    x0: float
    y0: float
    x1: float
    y1: float
    doubt: str | None = None
    region: int = -1


@dataclass
class PageResult:
    number: int
    width_pt: float
    height_pt: float
    chars: list[PlacedChar] = field(default_factory=list)
    hs: list[tuple[float, float, float]] = field(default_factory=list)
    vs: list[tuple[float, float, float]] = field(default_factory=list)
    angle: float = 0.0
    turned: int = 0  # degrees the page was turned (0, 90, 180, 270)
    unwarped: bool = False
    blank: bool = False
    n_lines: int = 0
    mean_prob: float = 0.0
    doubts: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # page points (as read: upright, levelled) -> x, y fractions of the image given to ``read_page``: a
    # 3x3 homography, so that the cells can be cut out of the image as stored (``SourceImage``)
    to_source: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    # per recognised number (for measuring): (text seen, verdict reasons, min prob, in table)
    numbers: list[tuple[str, list[str], float, bool]] = field(default_factory=list)


_CJK = ("\u4e00", "\u9fff")


def _is_cjk(ch: str) -> bool:
    return _CJK[0] <= ch <= _CJK[1] or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def read_page(engine: Engine, bgr: np.ndarray, dpi: float, number: int = 1, *, check_orientation: bool = True,
              stamp_rule: bool = True, marks_rule: bool = True,
              refuse: bool = True, restore: bool = True) -> PageResult:
    """``refuse=False`` (for measuring the rule only): doubtful numbers keep their reading and carry the doubt."""
    t0 = time.process_time()
    tim: dict[str, float] = {}
    unwarped = False
    given = bgr.shape
    to_page = np.eye(3)  # pixels of the image given -> pixels of the page as read, step by step
    quad = deskew.page_quad(bgr)
    if quad is not None:
        bgr = deskew.unwarp(bgr, quad, dpi)
        to_page = deskew.unwarp_matrix(quad, bgr.shape) @ to_page
        unwarped = True
    grey = deskew.text_grey(bgr)
    norm = deskew.normalise(grey, dpi)
    ink = deskew.ink_mask(norm, dpi)
    angle = deskew.skew_angle(ink)
    if abs(angle) >= LEVELLED:
        to_page = np.vstack([deskew.rotation_matrix(bgr.shape, -angle), [0, 0, 1]]) @ to_page
        bgr = deskew.rotate(bgr, -angle)
    red = deskew.red_mask(bgr)
    grey = deskew.text_grey(bgr).copy()
    # seal ink alone (red, light in the red channel) is no print; print under a seal keeps its dark red channel
    grey[(red > 0) & (grey >= 170)] = 255
    norm = deskew.normalise(grey, dpi)
    ink = deskew.ink_mask(norm, dpi)
    tim["prep"] = time.process_time() - t0

    t1 = time.process_time()
    boxes = engine.detect(norm)
    tim["det"] = time.process_time() - t1
    turned = 0
    if check_orientation and boxes:
        turned = _orientation(engine, norm, boxes)
        if turned:
            rot = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[turned]
            to_page = deskew.turn_matrix(bgr.shape, turned) @ to_page
            bgr, norm, ink = (cv2.rotate(a, rot) for a in (bgr, norm, ink))
            t1 = time.process_time()
            boxes = engine.detect(norm)
            tim["det"] += time.process_time() - t1
    h_px, w_px = norm.shape
    k = 72.0 / dpi
    res = PageResult(number, w_px * k, h_px * k, angle=angle, turned=turned, unwarped=unwarped, timings=tim)
    # points -> pixels of the page as read -> pixels of the image given -> fractions of it
    to_source = np.diag([1 / given[1], 1 / given[0], 1.0]) @ np.linalg.inv(to_page) @ np.diag([1 / k, 1 / k, 1.0])
    res.to_source = tuple(float(v) for v in (to_source / to_source[2, 2]).ravel())
    if not boxes and ink.mean() < 0.002 * 255:
        res.blank = True
        return res

    t2 = time.process_time()
    tables, rulings = grid.find_tables(ink, dpi)
    if turned:
        red = deskew.red_mask(bgr)
    text_ink = ink.copy()
    text_ink[rulings > 0] = 0
    # print drawn over a border (a digit set flush against the line): the stretch of ruling it touches
    # is kept, so the glyph keeps the stroke it shares with the line (else "0" reads "D" or ")").
    # A kept stretch that is not the glyph's reads as an extra "1"/"l": the marks and look-alike rules refuse it.
    keep = np.zeros_like(rulings)
    if restore:
        thick = max(2, round(dpi / 50))
        touch = cv2.dilate(text_ink, np.ones((3, 3), np.uint8)) & rulings
        keep = cv2.dilate(touch, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * thick + 1, 2 * thick + 1))) & rulings
    clean = norm.copy()
    clean[(rulings > 0) & (keep == 0)] = 255
    tim["grid"] = time.process_time() - t2

    heights = sorted(float(np.linalg.norm(b[3] - b[0])) for b in boxes
                     if np.linalg.norm(b[1] - b[0]) > 2 * np.linalg.norm(b[3] - b[0]))
    body_h = heights[len(heights) // 2] / 1.3 if heights else 0.15 * dpi

    # ---- work items: (crop, page box of the line, ink of the line, in_table, red share)
    items: list[tuple[np.ndarray, tuple[int, int, int, int], np.ndarray | None, bool, float, int | None]] = []
    forced: list[tuple[tuple[int, int, int, int], str]] = []  # cells refused without reading
    in_table = np.zeros(norm.shape, bool)
    region = 0  # the image cells, numbered through the page: every character read in one carries its number
    for t in tables:
        in_table[t.y0:t.y1, t.x0:t.x1] = True
        for cell in t.cells:
            _cell_items(cell, clean, text_ink, red, body_h, items, forced, keep, cell_id=region)
            region += 1
    for b in boxes:
        cx, cy = b[:, 0].mean(), b[:, 1].mean()
        if in_table[int(min(cy, h_px - 1)), int(min(cx, w_px - 1))]:
            continue
        x0, y0 = np.floor(b.min(0)).astype(int)
        x1, y1 = np.ceil(b.max(0)).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w_px), min(y1, h_px)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        # the box's own ink for the mark count: shrink to the text the detector padded
        items.append((clean[y0:y1, x0:x1], (x0, y0, x1, y1), text_ink[y0:y1, x0:x1] > 0, False,
                      float((red[y0:y1, x0:x1] > 0).mean()), None))

    t3 = time.process_time()
    lines = engine.recognise([it[0] for it in items]) if items else []
    tim["rec"] = time.process_time() - t3

    probs = []
    # numbers of one cell are refused together: a cell holds one refusal mark at most, however many of
    # its lines were doubtful (two marks in a cell would read as two values and break the row)
    refused_cells: dict[int, list] = {}
    # cell -> its lines that are no word and hold no digit (a dash, a stroke): dropped where the cell's number is
    # refused anyway (a null either way, and "⍰—" would break the row), or where they lie under a seal beside a
    # number read clear of it; kept as they were read otherwise
    strays: dict[int, list] = {}
    for (_crop, (x0, y0, x1, y1), line_ink, tab, red_share, cell_id), line in zip(items, lines, strict=True):
        if not line.text.strip():
            continue
        if red_share > 0.15 and line.chars and np.mean([c.prob for c in line.chars]) < 0.8 \
                and not doubt.looks_numeric(line.text):
            res.doubts.append(f"page {number}: dropped 「{line.text}」 under the seal")
            continue  # strokes of the seal's own characters, not the document's text
        under_seal = red_share > doubt.MAX_RED
        if cell_id is not None and not doubt.looks_numeric(line.text) and no_word(line.text):
            # a line of a cell that is neither a number nor a word ("—", "一", "L A 0"): under a seal, the
            # seal's strokes, or the cell's number read through them: with digits, that number is refused
            if any(doubt.nfkc(c.ch) in doubt.DIGITS for c in line.chars):
                if under_seal:
                    why = f"「{line.text}」: red seal over {red_share:.0%} of the number, read with its strokes"
                    res.doubts.append(f"page {number}: {why}")
                    refused_cells.setdefault(cell_id, []).append(((x0, y0, x1, y1), why))
                    continue
            else:  # held until the cell's numbers are judged (below)
                strays.setdefault(cell_id, []).append((line.text, under_seal, (x0, y0, x1, y1),
                                                       _place_chars(line, x0, y0, x1, y1, k, cell_id)))
                continue
        probs.extend(c.prob for c in line.chars)
        res.n_lines += 1
        if doubt.looks_numeric(line.text):
            marks = doubt.tall_marks(line_ink, line_ink.shape[0]) if (marks_rule and line_ink is not None) else None
            v = doubt.judge(line, red_share=red_share if stamp_rule else 0.0, tall_marks=marks, touches_border=tab)
            res.numbers.append((line.text, v.reasons, line.min_prob, tab))
            if v.doubtful:
                res.doubts.append(f"page {number}: {v.describe()}")
                if not refuse:
                    for c in _place_chars(line, x0, y0, x1, y1, k, cell_id):
                        c.doubt = v.describe()
                        res.chars.append(c)
                elif cell_id is None:
                    res.chars.append(PlacedChar(doubt.OCR_DOUBT, x0 * k, y0 * k, x1 * k, y1 * k, v.describe()))
                else:
                    refused_cells.setdefault(cell_id, []).append(((x0, y0, x1, y1), v.describe()))
                continue
            if refuse and cell_id is not None:
                # kept for now; dropped below if another number of the same cell is refused
                refused_cells.setdefault(-1 - cell_id, []).append(_place_chars(line, x0, y0, x1, y1, k, cell_id))
                continue
        placed = _place_chars(line, x0, y0, x1, y1, k, cell_id)
        for a, b, why in reversed(doubt.doubtful_runs(line)):
            # a number inside running text or a label: the whole run becomes one refused mark
            res.doubts.append(f"page {number}: {why}")
            ca, cb = placed[a], placed[b - 1]
            placed[a:b] = [PlacedChar(doubt.OCR_DOUBT, ca.x0, ca.y0, cb.x1, cb.y1, why, ca.region)]
        res.chars.extend(placed)
    for cell_id, entries in strays.items():
        for text, under_seal, box, placed in entries:
            if cell_id in refused_cells:
                res.doubts.append(f"page {number}: dropped 「{text}」 beside the cell's refused number")
            elif under_seal and -1 - cell_id in refused_cells:
                if any(doubt.nfkc(ch) in doubt.LOOKALIKES or ch == "丨" for ch in text):
                    # a stroke that may be a digit of the number wrapped onto its own line ("1" as 丨): refused
                    why = f"「{text}」: red seal over the cell, a stroke beside its number that may be a digit"
                    res.doubts.append(f"page {number}: {why}")
                    refused_cells[cell_id] = [(box, why)]
                else:
                    res.doubts.append(f"page {number}: dropped 「{text}」 under the seal beside the cell's number")
            else:
                res.chars.extend(placed)
    for key, entries in refused_cells.items():
        if key >= 0:
            boxes = [b for b, _ in entries]
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            why = "; ".join(w for _, w in entries)
            res.chars.append(PlacedChar(doubt.OCR_DOUBT, x0 * k, y0 * k, x1 * k, y1 * k, why, key))
        elif -1 - key not in refused_cells:
            for placed in entries:
                res.chars.extend(placed)
    for (x0, y0, x1, y1), why, cell_id in forced:
        res.doubts.append(f"page {number}: {why}")
        res.chars.append(PlacedChar(doubt.OCR_DOUBT, x0 * k, y0 * k, x1 * k, y1 * k, why, cell_id))
    res.mean_prob = float(np.mean(probs)) if probs else 0.0
    for t in tables:
        res.hs.extend((y * k, a * k, b * k) for y, a, b in t.hs)
        res.vs.extend((x * k, a * k, b * k) for x, a, b in t.vs)
    tim["total"] = time.process_time() - t0
    return res


def no_word(text: str) -> bool:
    """No word in it: no CJK character but strokes (一 丨) and punctuation, three Latin letters at most."""
    t = doubt.nfkc(text).replace(" ", "")
    if any(_is_cjk(ch) and ch not in "一丨" and not ("\uff00" <= ch <= "\uffef") and not ("\u3000" <= ch <= "\u303f")
           for ch in t):
        return False
    letters = [ch for ch in t if ch.isalpha() and ch.isascii()]
    return len(letters) <= 3


def _cell_items(cell: grid.CellRegion, clean: np.ndarray, text_ink: np.ndarray, red: np.ndarray, body_h: float,
                items: list, forced: list, keep: np.ndarray, cell_id: int = 0) -> None:
    """Text lines inside one cell, each as a crop with only this cell's paper and print in it."""
    x0, y0, x1, y1 = cell.x0, cell.y0, cell.x1, cell.y1
    ink = (text_ink[y0:y1, x0:x1] > 0) & cell.mask
    if ink.sum() < 4:
        return
    # the cell's paper, and the stretches of its borders that print touches from inside the cell
    kept = (keep[y0:y1, x0:x1] > 0) & cv2.dilate(cell.mask.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    own = cell.mask | kept
    canvas = np.full((y1 - y0, x1 - x0), 255, np.uint8)
    canvas[own] = clean[y0:y1, x0:x1][own]
    ink = ink | (kept & (clean[y0:y1, x0:x1] < 200))
    # slivers of a ruling left along the cell's edge (blur; a glyph drawn over the border) are not
    # text: read as "1" or "l" they would add a digit. Removed; a cell left empty by that is refused.
    edge = cell.mask & ~cv2.erode(cell.mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    thin = max(2.0, 0.12 * body_h)
    removed = False
    for i in range(1, n):
        _x, _y, w, h, _a = stats[i]
        if (h >= 0.4 * body_h and w <= thin) or (w >= 0.4 * body_h and h <= thin):
            comp = lab == i
            if (comp & edge).any():
                ink[comp] = False
                canvas[comp] = 255
                removed = True
    if removed and ink.sum() < 4:
        forced.append(((x0, y0, x1, y1), "「|」: only a sliver of the border in the cell", cell_id))
        return
    if ink.sum() < 4:
        return
    rows = ink.sum(1)
    bands: list[list[int]] = []
    on = np.flatnonzero(rows > 0)
    start = prev = on[0]
    for r in on[1:]:
        if r > prev + 1:
            bands.append([start, prev + 1])
            start = r
        prev = r
    bands.append([start, prev + 1])
    # join pieces of one line (strokes of 三, a dot above): while the joined band stays line-sized
    merged: list[list[int]] = [bands[0]]
    for a, b in bands[1:]:
        if b - merged[-1][0] <= 1.35 * body_h and a - merged[-1][1] < 0.6 * body_h:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    for a, b in merged:
        band = ink[a:b]
        cols = np.flatnonzero(band.any(0))
        if not len(cols):
            continue
        bx0, bx1 = int(cols[0]), int(cols[-1]) + 1
        bh = b - a
        if bh < 0.2 * body_h and bx1 - bx0 < 0.2 * body_h:
            continue  # a speck
        py, px = int(0.25 * max(bh, 0.6 * body_h)) + 2, int(0.3 * max(bh, 0.6 * body_h)) + 2
        crop = np.full((bh + 2 * py, bx1 - bx0 + 2 * px), 255, np.uint8)
        crop[py:py + bh, px:px + bx1 - bx0] = canvas[a:b, bx0:bx1]
        red_share = float((red[y0 + a:y0 + b, x0 + bx0:x0 + bx1] > 0).mean())
        touches = bool((band[:, bx0:bx1] & edge[a:b, bx0:bx1]).any())
        items.append((crop, (x0 + bx0 - px, y0 + a - py, x0 + bx1 + px, y0 + b + py), band[:, bx0:bx1], touches,
                      red_share, cell_id))


def _place_chars(line: RecLine, x0: int, y0: int, x1: int, y1: int, k: float, region: int | None) -> list[PlacedChar]:
    """Character boxes along the line from where CTC emitted them (centres matter, not widths)."""
    w = x1 - x0
    h = y1 - y0
    out = []
    for c in line.chars:
        cx = x0 + (c.x0 + c.x1) / 2 * w
        half = (0.45 if _is_cjk(c.ch) else 0.25) * h * 0.75
        a, b = max(x0, cx - half), min(x1, cx + half)
        out.append(PlacedChar(c.ch, a * k, (y0 + 0.15 * h) * k, b * k, (y1 - 0.15 * h) * k,
                              region=-1 if region is None else region))
    return out


def _orientation(engine: Engine, norm: np.ndarray, boxes: list[np.ndarray]) -> int:
    """0, 90, 180 or 270: how far to turn the page clockwise so its text reads upright."""
    dims = [(np.linalg.norm(b[1] - b[0]), np.linalg.norm(b[3] - b[0])) for b in boxes]
    wide = sum(1 for w, h in dims if w > 2 * h)
    tall = sum(1 for w, h in dims if h > 2 * w)
    base = 0
    img = norm
    if tall > 2 * max(wide, 1):
        base = 90
        img = cv2.rotate(norm, cv2.ROTATE_90_CLOCKWISE)
        boxes = engine.detect(img)
        dims = [(np.linalg.norm(b[1] - b[0]), np.linalg.norm(b[3] - b[0])) for b in boxes]
    order = sorted(range(len(boxes)), key=lambda i: -dims[i][0])[:15]
    crops = []
    for i in order:
        b = boxes[i]
        x0, y0 = np.floor(b.min(0)).astype(int)
        x1, y1 = np.ceil(b.max(0)).astype(int)
        c = img[max(y0, 0):y1, max(x0, 0):x1]
        if c.size:
            crops.append(c)
    if not crops:
        return base
    up, down = engine.upside_down_votes(crops)
    if down > 2 * max(up, 1) or (down >= 3 and down > up * 3):
        return (base + 180) % 360
    return base
