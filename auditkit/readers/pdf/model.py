"""The shapes a PDF page is read into, and how its characters join into text.

Characters with their boxes, visual lines, table cells under construction, tables
before they become ``Table`` grids, and pages: what every stage of the PDF reader
(the ruled and unruled table finders, the margins, joining across pages, the
blocks) takes and hands on.
"""

from __future__ import annotations

from dataclasses import field
from operator import attrgetter

from auditkit.precompiled import compile_re, dataclass

# A label opening with its number: 一、 （二） (3) 4. — it starts a new cell or row.
ENUMERATED = compile_re(
    r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）、．.]|[（(][0-9０-９]+[)）]|[0-9０-９]+\s*[.、．)）])"
)
_OPENING = set("（(《〈「『“‘[【")
_CLOSING = set("）)》〉」』”’]】。，、；：！？,.;:!?%％")
_BY_CY = attrgetter("cy")
_BY_X0 = attrgetter("x0")


class Char:
    """One drawn character; y grows downwards from the top of the page."""

    __slots__ = ("ch", "cx", "cy", "x0", "x1", "y0", "y1")

    def __init__(self, ch: str, x0: float, y0: float, x1: float, y1: float) -> None:
        self.ch = ch
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1
        self.cx = (x0 + x1) / 2  # the centre decides the cell and the line
        self.cy = (y0 + y1) / 2


class OcrChar(Char):
    """A character OCR read, and the cell of the page image it was read from (``region``; -1 outside
    tables): the grid built from the rulings must put each image cell's characters in one grid cell."""

    __slots__ = ("region",)

    def __init__(self, ch: str, x0: float, y0: float, x1: float, y1: float, region: int = -1) -> None:
        super().__init__(ch, x0, y0, x1, y1)
        self.region = region


class DoubtChar(OcrChar):
    """The mark standing for a number OCR could not read for certain (``digits.OCR_DOUBT``), carrying
    what was seen and why."""

    __slots__ = ("doubt",)

    def __init__(self, ch: str, x0: float, y0: float, x1: float, y1: float, doubt: str, region: int = -1) -> None:
        super().__init__(ch, x0, y0, x1, y1, region)
        self.doubt = doubt


@dataclass(slots=True)
class PageContent:
    """What a page's text layer holds, turned the way a viewer shows the page."""

    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    hs: list[tuple[float, float, float]]  # horizontal rulings: (y, x0, x1)
    vs: list[tuple[float, float, float]]  # vertical rulings: (x, y0, y1)
    n_chars: int  # letters, digits and CJK characters
    n_images: int
    n_garbled: int  # private-use or replacement characters: glyphs without a Unicode mapping
    # OCR'd pages only: where the page's points lie on the image that was read, so that the cells can be shown
    # cut out of that image later (``Cell.scan``); None on a page read from its text layer alone
    source: SourceImage | None = None


@dataclass(frozen=True, slots=True)
class SourceImage:
    """The image an OCR'd page was read from, and how the page's points map onto it.

    ``to_source`` is a 3x3 homography (row-major) from the page's points (upright, levelled, unwarped:
    the page as read) to fractions (0-1) of the source image's width and height as it is stored: the
    PDF page as rendered, the image file's frame. Fractions, not pixels: any rendering of the source
    can be cropped with them. ``picture``: the picture's id within the document (a Word file's picture
    is found again by its bytes: ``sha1:`` + hex), None for a page or frame of the file itself."""

    page: int  # 1-based: the PDF's page, the image file's frame, the nth table picture of a Word file
    to_source: tuple[float, ...]
    picture: str | None = None
    # how the image was set upright to be read: quarter turns (degrees clockwise), a photo's page
    # unwarped, the tilt levelled (degrees, anticlockwise as cv2 counts)
    turned: int = 0
    unwarped: bool = False
    levelled: float = 0.0

    def place(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        """The corners (top-left, top-right, bottom-right, bottom-left) of a box of the page, as x, y
        fractions of the source image, rounded to 1/100000."""
        h = self.to_source
        out: list[float] = []
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            w = h[6] * x + h[7] * y + h[8]
            out += (round((h[0] * x + h[1] * y + h[2]) / w, 5), round((h[3] * x + h[4] * y + h[5]) / w, 5))
        return tuple(out)


@dataclass(slots=True)
class Line:
    """One visual line of text outside the ruled tables, its characters kept."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # character height
    page: int  # 1-based
    lead: float = 0.0  # width of the first word: a line before it may break early to fit it
    chars: list[Char] = field(default_factory=list, repr=False)  # for finding tables drawn without rulings


@dataclass(eq=False, slots=True)
class Box:
    """A table cell under construction; identity marks its span in the grid."""

    page: int
    chars: list[Char] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    cut: bool = False  # the paper's edge runs through the cell and may have taken some of its text
    # each line's width and the width of its first character (whether a line was full: ``wrapped``)
    widths: list[tuple[float, float]] = field(default_factory=list)
    doubt: list[str] = field(default_factory=list)  # OCR: what was seen where a number was refused
    bbox: tuple[float, float, float, float] | None = None  # (x0, y0, x1, y1) on its page, where rulings draw it


@dataclass(eq=False)
class RawTable:
    """A table before it becomes a ``Table``: a grid of boxes, a merged cell the same box in each place."""

    grid: list[list[Box]]
    xs: list[float]  # column boundaries, len == columns + 1
    y0: float
    y1: float
    first_page: int
    last_page: int
    # no ruling along the top/bottom edge: some writers (browsers) leave a row cut by
    # a page break open on both pages
    top_open: bool = False
    bottom_open: bool = False
    ruled: bool = True  # False: rebuilt from the text's positions (``unruled``), continued across pages there
    # the paper's edge cuts the table on that side (a web page printed to PDF, its table wider
    # than the page): no ruling closes it there, and the columns beyond are lost
    cut_left: bool = False
    cut_right: bool = False


@dataclass
class Page:
    """A page read: its lines and tables, top down."""

    number: int  # 1-based
    width: float
    height: float
    items: list[Line | RawTable]


def is_wide(ch: str) -> bool:
    """CJK characters and full-width punctuation: lines wrapped at them join without a space."""
    o = ord(ch)
    return o >= 0x2E80 or 0x2018 <= o <= 0x201F or o in (0x2014, 0x2026, 0x00B7)


def has_wide(text: str) -> bool:
    """Whether ``text`` holds a CJK character or full-width punctuation."""
    return any(is_wide(ch) for ch in text)


def join_text(a: str, b: str, sep: str) -> str:
    """``a`` and ``b`` joined by ``sep``, or by nothing where either side is a CJK character."""
    if not a:
        return b
    if not b:
        return a
    return a + ("" if is_wide(a[-1]) or is_wide(b[0]) else sep) + b


def group_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into visual lines (by vertical centre), each left to right."""
    lines: list[list[Char]] = []
    cur: list[Char] = []
    cy_sum = 0.0
    height = 1.0
    for ch in sorted(chars, key=_BY_CY):
        if ch.ch == " " and not cur:
            continue
        h = ch.y1 - ch.y0
        if h > height:
            height = h
        if cur and abs(ch.cy - cy_sum / len(cur)) > 0.5 * height:
            lines.append(cur)
            cur, cy_sum, height = [], 0.0, max(h, 1.0)
        cur.append(ch)
        cy_sum += ch.cy
    if cur:
        lines.append(cur)
    for ln in lines:
        ln.sort(key=_BY_X0)
    return lines


def line_text(chars: list[Char]) -> str:
    """The text of one line's characters (left to right): a wide gap becomes a space."""
    out: list[str] = []
    prev: Char | None = None
    for ch in chars:
        if prev is not None:
            if ch.ch == prev.ch and abs(ch.x0 - prev.x0) < 0.3 * max(prev.x1 - prev.x0, 1.0) \
                    and abs(ch.y0 - prev.y0) < 2:
                continue  # the same glyph drawn twice for a fake bold
            gap = ch.x0 - prev.x1
            if gap > 0.6 * max(ch.y1 - ch.y0, prev.y1 - prev.y0) and out and out[-1] != " " and ch.ch != " ":
                out.append(" ")
        if ch.ch == " " and (not out or out[-1] == " "):
            prev = ch
            continue
        out.append(ch.ch)
        prev = ch
    return "".join(out).strip()


def make_line(chars: list[Char], page: int) -> Line:
    """A ``Line`` of one visual line's characters: its text, box and type size."""
    # Latin fonts' boxes run taller than CJK ones: size a mixed line by its CJK characters
    heights = sorted(c.y1 - c.y0 for c in chars if is_wide(c.ch)) \
        or sorted(c.y1 - c.y0 for c in chars if c.ch != " ")
    size = heights[len(heights) // 2] if heights else 0.0
    return Line(line_text(chars), min(c.x0 for c in chars), min(c.y0 for c in chars),
                max(c.x1 for c in chars), max(c.y1 for c in chars), size, page, _lead_width(chars), chars)


def _lead_width(chars: list[Char]) -> float:
    """Width of the line's first unbreakable run: one CJK character, or a Latin word
    or number with the brackets and punctuation around it."""
    k = 0
    while k < len(chars) - 1 and chars[k].ch in _OPENING:
        k += 1
    end = k
    while end < len(chars) and chars[end].ch != " " and not is_wide(chars[end].ch):
        end += 1
    if end == k:
        end = k + 1
    while end < len(chars) and chars[end].ch in _CLOSING:
        end += 1
    return chars[end - 1].x1 - chars[0].x0


def cell_text(lines: list[str]) -> str:
    """A cell's lines as one text: joined by a line break, or by nothing beside CJK characters."""
    text = ""
    for ln in lines:
        text = join_text(text, ln, "\n")
    return text
