"""Word files written as WordprocessingML, the way Word and WPS save a report.

A ``.docx`` is a few XML parts in a zip; writing them directly gives control over
what the torture needs: the header rows marked to repeat on every page
(``w:tblHeader``), label cells merged down across a page break (``w:vMerge``),
landscape sections, header text one character per line or turned by
``w:textDirection``. LibreOffice then prints the file to PDF as agencies do.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from tests.torture.model import Doc, Grid, Piece, spaced

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TWIPS = 20  # twentieths of a point

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>")
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/></Relationships>')


@dataclass(frozen=True)
class WordStyle:
    landscape: bool = False
    repeat_head: bool = True  # header rows marked w:tblHeader
    vertical_head: str = ""  # "" | "lines" (one character per line) | "turned" (w:textDirection tbRl)
    spread_labels: bool = False  # row labels typed with a space between characters
    filler: int = 0  # paragraphs before the first table: where the requests table meets a page break
    size_half_points: int = 21  # 10.5 pt
    grid_before: bool = False  # rows under a merged label skip its columns (w:gridBefore) instead of
    # continuing it (w:vMerge): the label stands in its first row only


def _run(text: str, size: int, bold: bool = False) -> str:
    props = f'<w:rPr><w:rFonts w:eastAsia="宋体"/>{"<w:b/>" if bold else ""}<w:sz w:val="{size}"/></w:rPr>'
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text: str, size: int, centre: bool = False, bold: bool = False) -> str:
    jc = '<w:pPr><w:jc w:val="center"/></w:pPr>' if centre else ""
    return f"<w:p>{jc}{_run(text, size, bold)}</w:p>"


def _lines(chars: str, size: int) -> str:
    """One character per line, each line ended by a manual break, as typed into a narrow cell."""
    runs = []
    for i, ch in enumerate(chars):
        runs.append(_run(ch, size))
        if i < len(chars) - 1:
            runs.append("<w:r><w:br/></w:r>")
    return '<w:p><w:pPr><w:jc w:val="center"/></w:pPr>' + "".join(runs) + "</w:p>"


def _widths(grid: Grid, page_twips: int) -> list[int]:
    if grid.table == "requests":
        value = 560 if page_twips < 12000 else 900
        labels = [900, 1200, 2800] if page_twips < 12000 else [1200, 1600, 4200]
        return labels + [value] * (grid.width - 3)
    if grid.table == "appeals":
        return [page_twips // grid.width] * grid.width
    return [page_twips // 3] + [(page_twips - page_twips // 3) // (grid.width - 1)] * (grid.width - 1)


def _table(grid: Grid, style: WordStyle, page_twips: int) -> str:
    size = style.size_half_points - 3  # tables a little smaller than the text
    widths = _widths(grid, page_twips)
    placed = grid.placed_rows()
    rows = []
    for r, line in enumerate(placed):
        cells, c, before = [], 0, 0
        if style.grid_before:
            while c < len(line) and line[c] is not None and line[c][1] < r:  # columns a label above covers
                before += 1
                c += 1
        while c < len(line):
            slot = line[c]
            if slot is None:
                c += 1
                continue
            piece, top = slot
            props = [f'<w:tcW w:w="{sum(widths[c:c + piece.colspan])}" w:type="dxa"/>']
            if piece.colspan > 1:
                props.append(f'<w:gridSpan w:val="{piece.colspan}"/>')
            if piece.rowspan > 1 and not style.grid_before:
                props.append('<w:vMerge w:val="restart"/>' if top == r else "<w:vMerge/>")
            elif top < r:  # a merged label's later rows: with gridBefore only behind a value, never here
                c += piece.colspan
                continue
            narrow = piece.head and r < grid.head_rows and piece.colspan == 1 and grid.table != "active"
            tall = piece.head and r >= grid.head_rows and piece.rowspan > 8
            if style.vertical_head == "turned" and (narrow or tall):
                props.append('<w:textDirection w:val="tbRl"/>')
            props.append('<w:vAlign w:val="center"/>')
            content = ""
            if top == r:
                content = _cell_paragraph(piece, grid, r, style, size, narrow or tall)
            cells.append(f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{content or '<w:p/>'}</w:tc>")
            c += piece.colspan
        props = ("<w:tblHeader/>" if style.repeat_head and r < grid.head_rows else "") + \
            (f'<w:gridBefore w:val="{before}"/>' if before else "")
        rows.append(f"<w:tr>{f'<w:trPr>{props}</w:trPr>' if props else ''}{''.join(cells)}</w:tr>")
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid_cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
            f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid_cols}</w:tblGrid>{"".join(rows)}</w:tbl>')


def _cell_paragraph(piece: Piece, grid: Grid, r: int, style: WordStyle, size: int, narrow: bool) -> str:
    if not piece.text:
        return ""
    if narrow and style.vertical_head == "lines":
        return _lines(piece.text, size)
    text = piece.text
    if style.spread_labels and piece.head and r >= grid.head_rows and piece.rowspan == 1 and len(text) >= 4:
        text = spaced(text)
    return _paragraph(text, size, centre=piece.key is not None or r < grid.head_rows)


def docx_bytes(doc: Doc, style: WordStyle = WordStyle()) -> bytes:
    """The ``.docx`` file of ``doc``."""
    width, height = (16838, 11906) if style.landscape else (11906, 16838)
    margin = 1440
    size = style.size_half_points
    body = [_paragraph(doc.title, 36, centre=True, bold=True), _paragraph("（2024年1月20日）", size, centre=True)]
    body += [_paragraph("本机关坚持以公开为常态、不公开为例外，持续深化政务公开，围绕中心工作做好信息发布、"
                        "解读回应和平台建设各项工作。", size)] * style.filler
    for block in doc.blocks:
        if isinstance(block, Grid):
            body.append(_table(block, style, width - 2 * margin))
            body.append("<w:p/>")
        else:
            body.append(_paragraph(block, size))
    orient = ' w:orient="landscape"' if style.landscape else ""
    sect = (f'<w:sectPr><w:pgSz w:w="{width}" w:h="{height}"{orient}/>'
            f'<w:pgMar w:top="{margin}" w:right="{margin}" w:bottom="{margin}" w:left="{margin}" '
            'w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
                f"<w:body>{''.join(body)}{sect}</w:body></w:document>")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{escape(doc.title)}</dc:title></cp:coreProperties>')
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        # A fixed timestamp: the same report gives the same bytes (the conversion cache keys on them).
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("word/document.xml", document), ("docProps/core.xml", core)):
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 20, 0, 0, 0)), text)
    return out.getvalue()
