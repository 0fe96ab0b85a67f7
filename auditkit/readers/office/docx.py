"""Word's XML (.docx, and the .docx LibreOffice makes of a legacy Word file) into a
``Layout``: paragraphs, text boxes and tables in body order, merged cells as spans.

Read straight from ``word/document.xml`` with lxml rather than through
python-docx: python-docx repeats a merged cell in every position it covers and
so loses which cells are merged, and it skips text boxes. Here ``w:gridSpan``,
``w:hMerge`` and ``w:vMerge`` are turned into true spans, laid out so that a
merged cell is the same ``Cell`` object in every grid position it covers.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Block, Cell, Layout, Table, TextBlock

# Refuse parts that inflate beyond this: a zip bomb must not take the machine down.
MAX_PART_BYTES = 256 * 1024 * 1024

_W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_DC = "http://purl.org/dc/elements/1.1/"
_VML_OFFICE = "urn:schemas-microsoft-com:office:office"
_REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"  # a picture: r:embed names its part
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"  # where a picture is drawn, how large
_EMU_PER_INCH = 914400
# A picture as the document holds it: its bytes, and the width it is drawn at on the page (inches), if stated
Picture = tuple[bytes, float | None]


def docx_layout(path: Path, data: bytes, kind: str, read_embedded: Callable[[bytes], list[Block]],
                read_pictures: Callable[[list[Picture]], list[Block]] | None = None) -> Layout:
    """A .docx package's body as text blocks and tables, in order; ``kind`` names what the file
    was ("docx", or "doc" for a converted one). ``read_embedded`` gives the blocks of an object
    embedded in the document (a workbook pasted from Excel), or none; ``read_pictures`` the blocks
    of pictures that follow one another with nothing between them (a table pasted as pictures, one
    per page: read together, as pages), or none."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             remove_comments=True, remove_pis=True)
    with zipfile.ZipFile(BytesIO(data)) as zf:
        main = _main_part(zf)
        doc_xml = _read_part(zf, main)
        if doc_xml is None:
            raise ReadError(ReadReason.CORRUPT, "Word 文件缺少正文部分 (the .docx has no word/document.xml)")
        folder = PurePosixPath(main).parent
        styles_xml = _read_part(zf, str(folder / "styles.xml"))
        core_xml = _read_part(zf, "docProps/core.xml")
        targets = _relationships(_read_part(zf, str(folder / "_rels" / f"{PurePosixPath(main).name}.rels")),
                                 folder, parser)
        try:
            root = etree.fromstring(doc_xml, parser)
        except etree.XMLSyntaxError as exc:
            if _cut_short(doc_xml):
                raise ReadError(ReadReason.TRUNCATED, f"Word 正文不完整，在结尾前中断 (document.xml is cut short): "
                                f"{exc}") from None
            raise ReadError(ReadReason.CORRUPT, f"Word 正文 XML 损坏 (broken document.xml): {exc}") from None
        w = _W_STRICT if root.tag.startswith("{" + _W_STRICT) else _W_MAIN
        body = root.find(f"{{{w}}}body")
        if body is None:
            raise ReadError(ReadReason.CORRUPT, "Word 文件没有正文 (document.xml has no body)")

        def load(rid: str) -> bytes | None:
            return _read_part(zf, targets[rid]) if rid in targets else None

        walker = _DocxWalker(w, _heading_styles(styles_xml, w, parser), load, read_embedded)
        walker.body(body)
        if read_pictures is not None and walker.pictures:
            _splice_pictures(walker, load, read_pictures)
    if not walker.blocks:
        if body.find(f".//{{{w}}}drawing") is not None or body.find(f".//{{{w}}}pict") is not None:
            raise ReadError(ReadReason.SCANNED, "文档只有图片，没有文字 (the document holds images only, no text)")
        raise ReadError(ReadReason.EMPTY, "Word 文档没有正文 (the document has no text)")

    meta: dict[str, str] = {}
    title = _core_title(core_xml, parser) or walker.first_heading
    if title:
        meta["title"] = title
    return Layout(source=str(path), kind=kind, blocks=walker.blocks, meta=meta)


def _splice_pictures(walker: _DocxWalker, load: Callable[[str], bytes | None],
                     read_pictures: Callable[[list[Picture]], list[Block]]) -> None:
    """The blocks read from the body's pictures, put where the pictures stand. Pictures with no block
    between them are read together (pages of one table); the last run is spliced in first, so the
    places of the earlier ones still hold."""
    runs: dict[int, list[tuple[str, float | None]]] = {}
    for place, rid, width in walker.pictures:
        runs.setdefault(place, []).append((rid, width))
    n = 0
    read = []
    for place, rids in runs.items():
        images = [(part, width) for rid, width in rids if (part := load(rid))]
        blocks = read_pictures(images) if images else []
        if not blocks:
            continue
        n += 1
        _placed_in(blocks, f"picture {n}, ")
        read.append((place, blocks))
    for place, blocks in reversed(read):
        walker.blocks[place:place] = blocks


def _drawn_width(blip: Any) -> float | None:
    """The width in inches a picture is drawn at (``wp:extent`` of its ``wp:inline`` or ``wp:anchor``): with
    its pixels, the resolution the picture is printed at, which its own dpi tag often misstates."""
    for up in blip.iterancestors(f"{{{_WP}}}inline", f"{{{_WP}}}anchor"):
        extent = up.find(f"{{{_WP}}}extent")
        try:
            cx = int(extent.get("cx", "")) if extent is not None else 0
        except ValueError:
            return None
        return cx / _EMU_PER_INCH if cx > 0 else None
    return None


def _cut_short(xml: bytes) -> bool:
    """Whether the part stops before its root element closes: cut short, not broken inside."""
    return not xml.rstrip().endswith(b"document>")


def _main_part(zf: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (not always word/document.xml)."""
    from lxml import etree

    rels = _read_part(zf, "_rels/.rels")
    if rels:
        try:
            root = etree.fromstring(rels, etree.XMLParser(resolve_entities=False, no_network=True))
            for rel in root.iter(f"{{{_REL_PKG}}}Relationship"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = rel.get("Target", "").lstrip("/")
                    if target in zf.namelist():
                        return target
        except etree.XMLSyntaxError:
            pass
    return "word/document.xml"


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise ReadError(ReadReason.UNSUPPORTED, f"文件部分过大 (part {name} inflates to {info.file_size} bytes)")
    return zf.read(info)


def _relationships(rels_xml: bytes | None, folder: PurePosixPath, parser: Any) -> dict[str, str]:
    """Internal relationship ids of a part -> package paths of their targets."""
    import posixpath

    from lxml import etree

    if not rels_xml:
        return {}
    try:
        root = etree.fromstring(rels_xml, parser)
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for rel in root.iter(f"{{{_REL_PKG}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(str(folder / target))
        out[rel.get("Id", "")] = path
    return out


def _core_title(core_xml: bytes | None, parser: Any) -> str | None:
    from lxml import etree

    if not core_xml:
        return None
    try:
        node = etree.fromstring(core_xml, parser).find(f"{{{_DC}}}title")
    except etree.XMLSyntaxError:
        return None
    text = (node.text or "").strip() if node is not None else ""
    return text or None


def _heading_styles(styles_xml: bytes | None, w: str, parser: Any) -> set[str]:
    """Ids of paragraph styles that are headings or the title (names are stored in English)."""
    from lxml import etree

    if not styles_xml:
        return set()
    try:
        root = etree.fromstring(styles_xml, parser)
    except etree.XMLSyntaxError:
        return set()
    out: set[str] = set()
    for style in root.iter(f"{{{w}}}style"):
        name_el = style.find(f"{{{w}}}name")
        name = (name_el.get(f"{{{w}}}val", "") if name_el is not None else "").strip().lower()
        outline = style.find(f"{{{w}}}pPr/{{{w}}}outlineLvl")
        if name == "title" or name.startswith("heading") or _outline_level(outline, w) < 9:
            out.add(style.get(f"{{{w}}}styleId", ""))
    return out


def _outline_level(el: Any, w: str) -> int:
    """A ``w:outlineLvl`` value: 0-8 are heading levels, 9 (or none) is body text."""
    try:
        return int(el.get(f"{{{w}}}val", "9")) if el is not None else 9
    except ValueError:
        return 9


class _DocxWalker:
    """Walks the body in order, appending ``TextBlock``s and ``Table``s to ``blocks``."""

    def __init__(self, w: str, heading_styles: set[str], load: Callable[[str], bytes | None],
                 read_embedded: Callable[[bytes], list[Block]]) -> None:
        self.w = w
        self.load = load  # relationship id -> bytes of the part (embedded workbooks)
        self.read_embedded = read_embedded  # an embedded object's bytes -> its blocks
        self.n_objects = 0
        # (index in blocks it stands before, relationship id, width drawn in inches or None)
        self.pictures: list[tuple[int, str, float | None]] = []
        self.heading_styles = heading_styles
        self.blocks: list[Block] = []
        self.first_heading: str | None = None
        self.n_tables = 0
        self.n_boxes = 0
        self.par_count: dict[str, int] = {}
        q = f"{{{w}}}"
        self.P, self.TBL, self.TR, self.TC = q + "p", q + "tbl", q + "tr", q + "tc"
        self.SDT, self.SDT_CONTENT, self.CUSTOM_XML = q + "sdt", q + "sdtContent", q + "customXml"
        self.TXBX = q + "txbxContent"
        self.OLE_OBJECT = f"{{{_VML_OFFICE}}}OLEObject"
        # Never text: properties, deleted or moved-away text, field instructions.
        self.skipped = {q + "pPr", q + "rPr", q + "tblPr", q + "trPr", q + "tcPr", q + "sdtPr",
                        q + "sdtEndPr", q + "del", q + "moveFrom", q + "delText", q + "instrText",
                        q + "delInstrText", q + "tblGrid", q + "sectPr", q + "fldData"}
        self.leaf = {q + "t": None, q + "tab": "\t", q + "ptab": "\t", q + "br": "\n", q + "cr": "\n",
                     q + "noBreakHyphen": "-", f"{{{_MATH}}}t": None}

    # -- block level

    def body(self, container: Any, prefix: str = "") -> None:
        """Emit the blocks of a body, a text box or an unwrapped layout cell."""
        for child in self._block_children(container):
            if child.tag == self.P:
                self._paragraph(child, prefix)
            else:
                self._table(child, prefix)

    def _block_children(self, container: Any) -> Iterator[Any]:
        """Paragraphs and tables of a container, looking through content controls."""
        for child in container:
            if child.tag in (self.P, self.TBL):
                yield child
            elif child.tag in (self.SDT, self.SDT_CONTENT, self.CUSTOM_XML):
                yield from self._block_children(child)

    def _paragraph(self, p: Any, prefix: str) -> None:
        text, boxes = self.paragraph_text(p)
        if text:
            n = self.par_count[prefix] = self.par_count.get(prefix, 0) + 1
            self.blocks.append(TextBlock(text, f"{prefix}paragraph {n}"))
            if self.first_heading is None and not prefix and self._is_heading(p):
                self.first_heading = text
        for anchor in boxes:  # text boxes and embedded workbooks anchored here follow the text
            if isinstance(anchor, str):
                self._embedded(anchor, prefix)
            else:
                self.n_boxes += 1
                self.body(anchor, f"text box {self.n_boxes}, ")

    def _is_heading(self, p: Any) -> bool:
        w = self.w
        ppr = p.find(f"{{{w}}}pPr")
        if ppr is None:
            return False
        style = ppr.find(f"{{{w}}}pStyle")
        if style is not None and style.get(f"{{{w}}}val") in self.heading_styles:
            return True
        return _outline_level(ppr.find(f"{{{w}}}outlineLvl"), w) < 9

    def paragraph_text(self, p: Any) -> tuple[str, list[Any]]:
        """The paragraph's runs joined as one text, and what is anchored in it.

        Anchors are text boxes (``w:txbxContent`` elements) and embedded OLE
        objects (their relationship ids, as strings).
        """
        parts: list[str] = []
        boxes: list[Any] = []
        self._runs(p, parts, boxes)
        return "".join(parts).strip(), boxes

    def _runs(self, el: Any, parts: list[str], boxes: list[Any]) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in self.skipped:
                continue
            if tag in self.leaf:
                fixed = self.leaf[tag]
                parts.append(child.text or "" if fixed is None else fixed)
            elif tag == self.TXBX:
                boxes.append(child)
            elif tag == self.OLE_OBJECT:
                rid = child.get(f"{{{_REL_DOC}}}id")
                if rid:
                    boxes.append(rid)
            elif tag == _BLIP:
                rid = child.get(f"{{{_REL_DOC}}}embed")
                if rid:
                    self.pictures.append((len(self.blocks), rid, _drawn_width(child)))
            elif tag == f"{{{_MC}}}AlternateContent":
                # Choice and Fallback hold the same content (DrawingML vs VML): read one.
                choice = child.find(f"{{{_MC}}}Choice")
                alt = choice if choice is not None else child.find(f"{{{_MC}}}Fallback")
                if alt is not None:
                    self._runs(alt, parts, boxes)
            elif tag == f"{{{self.w}}}sym":
                parts.append(_sym_char(child.get(f"{{{self.w}}}char", "")))
            else:  # runs, hyperlinks, insertions, drawings that may hold a text box...
                self._runs(child, parts, boxes)

    # -- tables

    def _table(self, tbl: Any, prefix: str) -> None:
        rows = list(self._rows(tbl))
        cells = [tc for tr in rows for tc in self._cells(tr)]
        if not cells:
            return
        if len(cells) == 1:
            # A one-cell table is page layout (a frame around the report): read its content as body.
            self.body(cells[0], prefix)
            return
        self.n_tables += 1
        location = f"table {self.n_tables}"
        if prefix:
            location += f" ({prefix.rstrip(', ')})"
        nested: list[tuple[Any, str]] = []
        grid = self._grid(rows, location, nested)
        self.blocks.append(Table(grid=grid, location=location))
        for inner, where in nested:  # tables inside cells follow their outer table
            if isinstance(inner, str):
                self._embedded(inner, f"in {where}, ")
            else:
                self._table(inner, f"in {where}, ")

    def _embedded(self, rid: str, prefix: str) -> None:
        """The sheets of an Excel workbook embedded as an object (a table pasted from Excel)."""
        data = self.load(rid)
        blocks = self.read_embedded(data) if data else []
        if not blocks:
            return
        self.n_objects += 1
        self.blocks += _placed_in(blocks, f"{prefix}embedded object {self.n_objects}, ")

    def _rows(self, tbl: Any) -> Iterator[Any]:
        for child in tbl:
            if child.tag == self.TR:
                yield child
            elif child.tag in (self.SDT, self.SDT_CONTENT, self.CUSTOM_XML):
                yield from self._rows(child)

    def _cells(self, tr: Any) -> Iterator[Any]:
        for child in tr:
            if child.tag == self.TC:
                yield child
            elif child.tag in (self.SDT, self.SDT_CONTENT, self.CUSTOM_XML):
                yield from self._cells(child)

    def _int_prop(self, parent: Any, path: str, default: int) -> int:
        el = parent.find(path) if parent is not None else None
        if el is None:
            return default
        try:
            return max(int(el.get(f"{{{self.w}}}val", default)), 0)
        except ValueError:
            return default

    def _grid(self, rows: list[Any], location: str, nested: list[tuple[Any, str]]) -> list[list[Cell | None]]:
        """Place each cell at its grid columns; vMerge continuations extend the cell above."""
        w = self.w
        placed: dict[tuple[int, int], Cell] = {}
        origin: dict[int, tuple[int, int]] = {}  # id(cell) -> (row, col) of its top-left
        width = 0
        for r, tr in enumerate(rows):
            col = self._int_prop(tr.find(f"{{{w}}}trPr"), f"{{{w}}}gridBefore", 0)
            prev: Cell | None = None
            for tc in self._cells(tr):
                tcpr = tc.find(f"{{{w}}}tcPr")
                span = max(self._int_prop(tcpr, f"{{{w}}}gridSpan", 1), 1)
                vmerge = tcpr.find(f"{{{w}}}vMerge") if tcpr is not None else None
                hmerge = tcpr.find(f"{{{w}}}hMerge") if tcpr is not None else None
                above = placed.get((r - 1, col))
                if hmerge is not None and hmerge.get(f"{{{w}}}val", "continue") == "continue" \
                        and prev is not None:
                    owner: Cell | None = prev  # legacy horizontal merge: widen the cell to the left
                    prev.colspan += span
                elif vmerge is not None and vmerge.get(f"{{{w}}}val", "continue") == "continue" \
                        and above is not None and origin[id(above)][1] == col:
                    owner = above
                    above.rowspan = r - origin[id(above)][0] + 1
                else:
                    owner = Cell(text=self._cell_text(tc, f"{location}, row {r + 1}, col {col + 1}", nested),
                                 location=f"{location}, row {r + 1}, col {col + 1}", colspan=span)
                    origin[id(owner)] = (r, col)
                for c in range(col, col + span):
                    placed[(r, c)] = owner
                prev = owner
                col += span
            width = max(width, col)
        return [[placed.get((r, c)) for c in range(width)] for r in range(len(rows))]

    def _cell_text(self, tc: Any, where: str, nested: list[tuple[Any, str]]) -> str:
        """A cell's paragraphs joined by newlines; text boxes in it count as its text."""
        lines: list[str] = []

        def collect(container: Any) -> None:
            for child in self._block_children(container):
                if child.tag == self.TBL:
                    nested.append((child, where))
                    continue
                text, boxes = self.paragraph_text(child)
                if text:
                    lines.append(text)
                for anchor in boxes:
                    if isinstance(anchor, str):
                        nested.append((anchor, where))
                    else:
                        collect(anchor)

        collect(tc)
        return "\n".join(lines)


def _sym_char(code: str) -> str:
    """A ``w:sym`` character; symbol-font private-use codes (F0xx) carry no text."""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    return "" if 0xE000 <= value <= 0xF8FF else chr(value)


def _placed_in(blocks: list[Any], where: str) -> list[Any]:
    """Blocks read from something inside the document (a picture, an embedded object): their
    locations, and their cells' (a merged cell once), prefixed with where that is."""
    for block in blocks:
        block.location = where + block.location
        if isinstance(block, Table):
            for cell in {id(c): c for row in block.grid for c in row if c is not None}.values():
                cell.location = where + cell.location
    return blocks
