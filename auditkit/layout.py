"""The intermediate layout every reader produces: text blocks and table grids.

Readers know documents, not report formats; the matcher (``auditkit.match``)
knows report formats, not documents. This module is the contract between them.

A table is a rectangular grid after span expansion: a cell spanning several
rows or columns is the *same* ``Cell`` object repeated in every position it
covers, so ``grid[r][c] is grid[r][c + 1]`` tells a colspan apart from two cells
that happen to hold the same text. Every cell keeps the text as written and
where it came from.
"""

from __future__ import annotations

from dataclasses import field

from auditkit.precompiled import dataclass


@dataclass(eq=False)
class Cell:
    """One table cell: the text as written (lines joined by ``\\n``) and its place."""

    text: str
    location: str  # human-readable place: "page 3, table 1, row 5, col 4" or "line 120"
    rowspan: int = 1
    colspan: int = 1
    # Part of the cell lies beyond the paper's edge and its text may have lost characters
    # there (a web page printed to PDF, its table wider than the page): read it as nothing.
    cut: bool = False
    # OCR only: what was seen in a cell whose number could not be read for certain, and why (the
    # text is then ``digits.OCR_DOUBT``), e.g. "「9b87」: b 0.54 letter for digit"
    doubt: str | None = None
    # OCR only: where the cell stands on the image it was read from, to show it cut out of that image
    scan: ScanPlace | None = None


@dataclass(frozen=True)
class ScanPlace:
    """A cell's place on the image OCR read it from: the file's page (or frame), the picture within the
    document when the image was one (a Word file's: ``sha1:`` + hex of its bytes), and the cell's corners
    (top-left, top-right, bottom-right, bottom-left as the page reads) as x, y fractions of that image."""

    page: int
    quad: tuple[float, ...]
    picture: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"page": self.page, "quad": list(self.quad), **({"picture": self.picture} if self.picture else {})}


@dataclass(eq=False)
class Table:
    """A table grid, span-expanded; ``None`` where a row is shorter than the widest row."""

    grid: list[list[Cell | None]]
    location: str  # "page 2, table 1", "table 3", "lines 40-66"
    # The paper's edge cuts the table on that side: its columns beyond the edge are lost.
    cut_left: bool = False
    cut_right: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.grid)

    def row_cells(self, r: int) -> list[Cell]:
        """Distinct cells of row ``r`` left to right (a colspan counted once). (The grid is not
        changed once the table is made: the rows are worked out once, on first use.)"""
        rows = self.__dict__.get("_row_cells")
        if rows is None or len(rows) != len(self.grid):
            rows = self.__dict__["_row_cells"] = [_distinct(line) for line in self.grid]
        return list(rows[r])


def _distinct(line: list[Cell | None]) -> list[Cell]:
    out: list[Cell] = []
    for cell in line:
        if cell is not None and (not out or out[-1] is not cell):
            out.append(cell)
    return out


@dataclass(eq=False)
class TextBlock:
    """A paragraph or line of running text."""

    text: str
    location: str  # "page 1", "paragraph 12", "line 7"


Block = TextBlock | Table


@dataclass(frozen=True)
class ReaderNote:
    """Something the reader did to the document, for the auditor's information: ``code`` is a
    ``DiagnosticCode``; ``values`` what was measured."""

    code: str
    message: str
    location: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(eq=False)
class Layout:
    """Everything a reader extracted from one document, in document order."""

    source: str  # the path as given
    kind: str  # "text", "html", "pdf", "docx", "doc", "xlsx", ...
    blocks: list[Block] = field(default_factory=list)
    # What the container states about the document outside its body, e.g. a CMS
    # page's 发布时间 or <title>: {"title": ..., "published": "2024-03-08", "publisher": ...}
    meta: dict[str, str] = field(default_factory=dict)
    # What the reader did to the document that the auditor should know, passed on as the record's
    # diagnostics (e.g. a scanned page turned upright before OCR)
    notes: list[ReaderNote] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        """The running text and the tables' text, blocks separated by newlines."""
        parts: list[str] = []
        for b in self.blocks:
            if isinstance(b, TextBlock):
                parts.append(b.text)
            else:
                parts.extend("\t".join(c.text for c in b.row_cells(r)) for r in range(b.n_rows))
        return "\n".join(parts)


def grid_from_rows(rows: list[list[Cell]]) -> list[list[Cell | None]]:
    """Pad ragged rows with ``None`` into a rectangle (no span information)."""
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [None] * (width - len(r)) for r in rows]


def expand_spans(rows: list[list[Cell]]) -> list[list[Cell | None]]:
    """Lay out rows of cells with ``rowspan``/``colspan`` into a span-expanded grid.

    ``rows`` holds each row's own cells in order (as HTML or Word give them); a
    cell covered by a rowspan from above is not repeated there. A span reaching
    past the last row stops there.
    """
    n = len(rows)
    grid: list[list[Cell | None]] = [[] for _ in range(n)]
    for r, row in enumerate(rows):
        line = grid[r]
        c = 0
        for cell in row:
            width = len(line)
            while c < width and line[c] is not None:  # taken by a rowspan from above
                c += 1
            colspan = cell.colspan
            rowspan = cell.rowspan
            if colspan <= 1 and rowspan <= 1:  # the usual cell: one position, in this row
                if c == width:
                    line.append(cell)
                else:
                    line[c] = cell
                c += 1
                continue
            cs = max(colspan, 1)
            for rr in range(r, min(r + max(rowspan, 1), n)):
                target = grid[rr]
                if len(target) < c + cs:
                    target.extend([None] * (c + cs - len(target)))
                target[c:c + cs] = [cell] * cs
            c += cs
    width = max((len(r) for r in grid), default=0)
    for line in grid:
        if len(line) < width:
            line.extend([None] * (width - len(line)))
    return grid
