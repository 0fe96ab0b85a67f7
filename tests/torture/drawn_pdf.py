"""PDFs drawn directly with reportlab, imitating producers other than LibreOffice.

WPS and many print drivers write a table as thin ruling strokes around each cell and
place each cell's text on its own; where pages break, whether the header row repeats,
whether column headers stand one character per line, whether labels are spread out
(``本 年 新 收 …``) and whether the page cut the table off at its edge all vary. A
``PdfStyle`` picks one such producer; ``draw_pdf`` returns the bytes and the keys whose
value text is not wholly on the page (a faithful reader can only give them null).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from tests.torture.model import Doc, Grid, Piece, spaced

FONT = "STSong-Light"  # reportlab's built-in CID font: Chinese text without embedding a font file
A4 = (595.28, 841.89)
MARGIN = 56.0
PAD = 2.5


@dataclass(frozen=True)
class PdfStyle:
    landscape: bool = False
    size: float = 9.0  # type size in the tables
    rule: float = 0.4  # ruling stroke width
    repeat_head: bool = True  # a table continued on a new page draws its header rows again
    vertical_head: bool = False  # narrow column headers and 三、本年度办理结果 one character per line
    spread_labels: str = ""  # "" | "spaces" (space characters between) | "gaps" (character spacing, no spaces)
    label_widths: tuple[float, float, float] = (60.0, 62.0, 150.0)  # the requests table's three label columns
    value_width: float = 30.0  # a requests value column
    appeals_width: float = 32.0  # an appeals value column
    page_width: float | None = None  # a narrower physical page: what lies right of it is lost
    shift: float = 0.0  # wide tables moved right (+) or left (-): a negative shift cuts labels' left part
    break_before: tuple[tuple[str, int], ...] = ()  # (table, row): a page starts before that row
    filler: int = 0  # extra paragraphs before the first table (moves where the pages break)
    rulings: str = "lines"  # "lines" (stroked), "rects" (thin filled rectangles) or "" (no rulings at all)
    page_furniture: bool = False  # a running head and "- n -" page numbers on every page
    repeat_span_text: bool = False  # a merged cell continued on a new page writes its text again there
    rotated: bool = False  # landscape content on portrait paper turned by /Rotate 90 (as scanners and printers do)
    value_align: str = "centre"  # "centre" or "right" (numbers against the cell's right border)
    header_block: bool = False  # the appeals header drawn as one block: no rulings inside it
    continued_caption: bool = False  # a table continued on a new page is headed 续表


@dataclass
class _Page:
    texts: list[tuple[float, float, str, float, float]] = field(default_factory=list)  # x, y, text, size, spacing
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _width(text: str, size: float, spacing: float = 0.0) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, size) + spacing * max(len(text) - 1, 0)


def _wrap(text: str, width: float, size: float, spacing: float = 0.0) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and _width(line + ch, size, spacing) > width:
            lines.append(line)
            line = ""
        line += "" if (ch == " " and not line) else ch
    return [*lines, line] if line or not lines else lines


class _Drawer:
    def __init__(self, doc: Doc, style: PdfStyle) -> None:
        self.doc, self.style = doc, style
        self.height = A4[0] if style.landscape else A4[1]
        self.layout_width = A4[1] if style.landscape else A4[0]  # where the page laid things out
        self.page_width = style.page_width or self.layout_width  # what the paper kept
        self.pages: list[_Page] = [_Page()]
        self.page = 0  # the page being drawn on
        self.y = self.height - MARGIN
        self.hidden: set[str] = set()

    # ------------------------------------------------------------ flow

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.page = len(self.pages) - 1
        self.y = self.height - MARGIN

    def text(self, x: float, y: float, text: str, size: float, spacing: float = 0.0) -> bool:
        """Place a run of text; the characters off the paper are lost. True when all were kept."""
        kept: list[tuple[float, str]] = []
        pos = x
        for ch in text:
            w = _width(ch, size)
            if pos >= 0 and pos + w <= self.page_width:
                kept.append((pos, ch))
            pos += w + spacing
        while kept and kept[0][1] == " ":
            kept.pop(0)
        while kept and kept[-1][1] == " ":
            kept.pop()
        if kept:
            self.pages[self.page].texts.append((kept[0][0], y, "".join(ch for _, ch in kept), size, spacing))
        return len(kept) == len(text.strip())

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        x0, x1 = max(x0, 0.0), min(x1, self.page_width)
        if x0 <= x1:
            self.pages[self.page].lines.append((x0, y0, x1, y1))

    def paragraph(self, text: str, size: float = 10.5, centre: bool = False) -> None:
        width = self.layout_width - 2 * MARGIN
        for line in _wrap(text, width, size):
            if self.y - size * 1.7 < MARGIN:
                self.new_page()
            self.y -= size * 1.7
            x = (self.layout_width - _width(line, size)) / 2 if centre else MARGIN
            self.text(x, self.y, line, size)
        self.y -= size * 0.5

    # ------------------------------------------------------------ tables

    def widths(self, grid: Grid) -> list[float]:
        s = self.style
        if grid.table == "requests":
            return [*s.label_widths, *[s.value_width] * (grid.width - 3)]
        if grid.table == "appeals":
            return [s.appeals_width] * grid.width
        return [150.0, *[90.0] * (grid.width - 1)]

    def vertical(self, grid: Grid, piece: Piece, r: int) -> bool:
        if not self.style.vertical_head or grid.table == "active" or not piece.head:
            return False
        return (r < grid.head_rows and piece.colspan == 1) or (r >= grid.head_rows and piece.rowspan > 8)

    def label_text(self, grid: Grid, piece: Piece, r: int) -> tuple[str, float]:
        """The text to draw and its character spacing."""
        if piece.head and r >= grid.head_rows and piece.rowspan == 1 and len(piece.text) >= 4:
            if self.style.spread_labels == "spaces":
                return spaced(piece.text), 0.0
            if self.style.spread_labels == "gaps":
                return piece.text, self.style.size * 0.6
        return piece.text, 0.0

    def cell_lines(self, grid: Grid, piece: Piece, r: int, width: float) -> tuple[list[str], float]:
        if self.vertical(grid, piece, r):
            return list(piece.text.replace(" ", "")), 0.0
        text, spacing = self.label_text(grid, piece, r)
        return _wrap(text, width - 2 * PAD, self.style.size, spacing), spacing

    def table(self, grid: Grid) -> None:
        s = self.style
        lead = s.size * 1.35
        widths = self.widths(grid)
        x_at = [MARGIN + (s.shift if grid.table != "active" else 0.0)]
        for w in widths:
            x_at.append(x_at[-1] + w)
        places = grid.placements()
        heights = [lead + 2 * PAD] * len(grid.rows)
        for piece, r, c in sorted(places, key=lambda p: p[0].rowspan):
            lines, _ = self.cell_lines(grid, piece, r, x_at[c + piece.colspan] - x_at[c])
            need = len(lines) * lead + 2 * PAD
            have = sum(heights[r:r + piece.rowspan])
            if need > have:
                heights[r + piece.rowspan - 1] += need - have
        # Where each row lands: (page, top y); the header rows again atop a continued page.
        at: list[tuple[int, float]] = []
        head_h = sum(heights[:grid.head_rows])
        breaks = {row for table, row in s.break_before if table == grid.table}
        repeats: list[int] = []  # pages the header is drawn again on
        for r, h in enumerate(heights):
            block = head_h if r == 0 else h  # the header rows stay together with the first body row
            if r == 0:
                block += heights[grid.head_rows] if grid.head_rows < len(heights) else 0
            if (self.y - block < MARGIN or r in breaks) and not (r < grid.head_rows and r > 0):
                self.new_page()
                if s.continued_caption and r >= grid.head_rows:
                    self.y -= s.size * 1.8
                    self.text(MARGIN, self.y + s.size * 0.5, "续表", s.size)
                if s.repeat_head and r >= grid.head_rows > 0:
                    repeats.append(len(self.pages) - 1)
                    self.y -= head_h
            at.append((len(self.pages) - 1, self.y))
            self.y -= h
        self.y -= 10
        for piece, r, c in places:
            self.piece(grid, piece, r, c, x_at, heights, at, lead)
        for page in repeats:
            top = self.height - MARGIN
            head_at = []
            for r in range(grid.head_rows):
                head_at.append((page, top))
                top -= heights[r]
            for piece, r, c in places:
                if r < grid.head_rows:
                    self.piece(grid, piece, r, c, x_at, heights, head_at + at[grid.head_rows:], lead)

    def piece(self, grid: Grid, piece: Piece, r: int, c: int, x_at: list[float], heights: list[float],
              at: list[tuple[int, float]], lead: float) -> None:
        x0, x1 = x_at[c], x_at[c + piece.colspan]
        lines, spacing = self.cell_lines(grid, piece, r, x1 - x0)
        # The piece's rows page by page: a rowspan crossing a page break is drawn as two boxes,
        # its text running on from the first into the second.
        segments: list[tuple[int, float, float]] = []  # page, top, bottom
        for rr in range(r, r + piece.rowspan):
            page, top = at[rr]
            if segments and segments[-1][0] == page:
                segments[-1] = (page, segments[-1][1], top - heights[rr])
            else:
                segments.append((page, top, top - heights[rr]))
        whole = True
        left = list(lines)
        filling = self.page
        block = self.style.header_block and grid.table == "appeals" and r < grid.head_rows
        for n, (page, top, bottom) in enumerate(segments):
            self.page = page
            if not block or r == 0:
                self.line(x0, top, x1, top)
            if not block or r + piece.rowspan == grid.head_rows:
                self.line(x0, bottom, x1, bottom)
            for x in (x0, x1):
                if 0 <= x <= self.page_width and (not block or x in (x_at[0], x_at[-1])):
                    self.line(x, bottom, x, top)
            room = int((top - bottom - 2 * PAD) // lead) if n < len(segments) - 1 else len(left)
            if n and self.style.repeat_span_text and piece.head:
                left = list(lines)  # the continued part says again what it is
            here, left = left[:max(room, 1)], left[max(room, 1):]
            y = (top + bottom) / 2 + len(here) * lead / 2 - lead * 0.8
            for text in here:
                width = _width(text, self.style.size, spacing)
                if piece.head and not self.vertical(grid, piece, r) and r >= grid.head_rows:
                    x = x0 + PAD  # row labels from the left edge: a cut page loses their beginning
                elif piece.key and self.style.value_align == "right":
                    x = x1 - PAD * 0.6 - width
                else:
                    x = (x0 + x1 - width) / 2
                whole &= self.text(x, y, text, self.style.size, spacing)
                y -= lead
        self.page = filling
        if piece.key and piece.text and not whole:
            self.hidden.add(piece.key)  # a number cut at the paper's edge is unreadable

    def furniture(self) -> None:
        """A running head on every page but the first, and a page number at the foot of each."""
        for n in range(1, len(self.pages) + 1):
            self.page = n - 1
            if n > 1:
                self.text(MARGIN, self.height - 30, f"{self.doc.year}年度政府信息公开工作年度报告", 8)
                self.line(MARGIN, self.height - 34, self.layout_width - MARGIN, self.height - 34)
            label = f"- {n} -"
            self.text((self.layout_width - _width(label, 9)) / 2, 28, label, 9)

    def draw(self) -> None:
        self.paragraph(self.doc.title, 16, centre=True)
        self.paragraph("（2024年1月20日）", 10.5, centre=True)
        for _ in range(self.style.filler):
            self.paragraph("本机关坚持以公开为常态、不公开为例外，持续深化政务公开，"
                           "围绕中心工作做好信息发布、解读回应和平台建设各项工作。" * 2)
        for block in self.doc.blocks:
            if isinstance(block, Grid):
                self.table(block)
            else:
                self.paragraph(block)
        if self.style.page_furniture:
            self.furniture()


def draw_pdf(doc: Doc, style: PdfStyle = PdfStyle()) -> tuple[bytes, set[str]]:
    """The PDF's bytes, and the keys whose value text the paper does not hold in full."""
    from reportlab.pdfgen.canvas import Canvas

    _register_font()
    drawer = _Drawer(doc, style)
    drawer.draw()
    out = BytesIO()
    # With /Rotate 90 reportlab writes the media box turned: (width, height) becomes portrait paper.
    canvas = Canvas(out, pagesize=(drawer.page_width, drawer.height), pageCompression=0, invariant=1)
    canvas.setTitle(doc.title)
    for page in drawer.pages:
        if style.rotated:
            # Portrait paper shown turned a quarter clockwise: the landscape point (x, y) is
            # drawn at (width - y, x) of the paper.
            canvas.setPageRotation(90)
            canvas.transform(0, 1, -1, 0, drawer.height, 0)
        canvas.setLineWidth(style.rule)
        for x0, y0, x1, y1 in page.lines:
            if style.rulings == "lines":
                canvas.line(x0, y0, x1, y1)
            elif style.rulings == "rects":
                half = style.rule / 2
                canvas.rect(x0 - half, y0 - half, x1 - x0 + style.rule, y1 - y0 + style.rule, stroke=0, fill=1)
        for x, y, text, size_pt, spacing in page.texts:
            t = canvas.beginText(x, y)
            t.setFont(FONT, size_pt)
            t.setCharSpace(spacing)
            t.textOut(text)
            canvas.drawText(t)
        canvas.showPage()
    canvas.save()
    return out.getvalue(), drawer.hidden
