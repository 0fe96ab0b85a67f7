"""Page margins: the page number and the running headers and footers repeated on most
pages, dropped before the text is read as paragraphs.
"""

from __future__ import annotations

from itertools import pairwise

from auditkit.precompiled import compile_re
from auditkit.readers.pdf.model import Char, Line, Page, group_lines, line_text

_BAND = 0.1  # share of the page height searched for page numbers and running heads
_PAGE_NUMBER = compile_re(
    r"^(?:[-—–－‐−~～·•]\s*\d{1,4}\s*[-—–－‐−~～·•]"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
_BARE_NUMBER = compile_re(r"^\d{1,3}$")
_DIGITS = compile_re(r"\d+")


def drop_page_numbers(chars: list[Char], height: float,
                      tables: list[tuple[float, float, float, float]], page: int) -> list[Char]:
    """The page's characters without its page number ("- 3 -", "第3页", "3/5", a bare "3"
    in the margin), also where the number is drawn over a table; a bare number inside
    a table is a cell value and stays, and so does one inside a line of words, away from
    the text's left and right edges, that is not near this page's number (a table
    without rulings: "行政强制   54" on page 2)."""
    lo, hi = _BAND * height, (1 - _BAND) * height
    band = [c for c in chars if c.cy <= lo or c.cy >= hi]
    if not band:
        return chars
    drop: set[int] = set()
    extent: list[float] = []  # the text's left and right edges, worked out when first needed

    def inside(run: list[Char]) -> bool:
        if not extent:
            extent.extend((min(c.x0 for c in chars), max(c.x1 for c in chars)))
        edge = 0.05 * (extent[1] - extent[0])
        return run[0].x0 > extent[0] + edge and run[-1].x1 < extent[1] - edge

    for line in group_lines(band):
        runs = _runs(line)
        texts = [line_text(run) for run in runs]
        if sum(1 for t in texts for word in t.split() if _BARE_NUMBER.match(word)) >= 3:
            continue  # a row of numbers: a table drawn without rulings reaching into the margin
        has_words = any(t and not _BARE_NUMBER.match(t) and not _PAGE_NUMBER.match(t) for t in texts)
        for run, text in zip(runs, texts, strict=True):
            if not text:
                continue
            if not _PAGE_NUMBER.match(text):
                if not _BARE_NUMBER.match(text):
                    continue
                if has_words and abs(int(text) - page) > 2 and inside(run):
                    continue  # among words, not at the margin and far from this page's number: a value
                cx, cy = (run[0].x0 + run[-1].x1) / 2, run[0].cy
                if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in tables):
                    continue
            drop.update(id(c) for c in run)
    return [c for c in chars if id(c) not in drop] if drop else chars


def _runs(line: list[Char]) -> list[list[Char]]:
    """A line split where the gap between characters is wider than two of them."""
    out = [[line[0]]]
    for a, b in pairwise(line):
        if b.x0 - a.x1 > 2 * max(a.y1 - a.y0, b.y1 - b.y0):
            out.append([])
        out[-1].append(b)
    return out


def drop_running_lines(pages: list[Page]) -> None:
    """Drop running headers/footers: the same line (digits aside) in the page margin
    on most pages."""
    if len(pages) < 3:
        return
    seen: dict[str, set[int]] = {}
    for p in pages:
        for it in p.items:
            if isinstance(it, Line) and _in_band(it.y0, it.y1, p.height):
                seen.setdefault(_DIGITS.sub("#", it.text), set()).add(p.number)
    running = {k for k, v in seen.items() if len(v) >= max(2, len(pages) // 2 + 1)}
    if not running:
        return
    for p in pages:
        p.items = [it for it in p.items if not (
            isinstance(it, Line) and _in_band(it.y0, it.y1, p.height)
            and _DIGITS.sub("#", it.text) in running)]


def _in_band(y0: float, y1: float, height: float) -> bool:
    return y1 <= _BAND * height or y0 >= (1 - _BAND) * height
