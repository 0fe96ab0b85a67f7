"""Office documents: Word (.docx; .doc/.rtf/.wps via LibreOffice) and Excel (.xlsx, .xls).

Word is read straight from ``word/document.xml`` with lxml rather than through
python-docx: python-docx repeats a merged cell in every position it covers and
so loses which cells are merged, and it skips text boxes. Here ``w:gridSpan``,
``w:hMerge`` and ``w:vMerge`` are turned into true spans, laid out so that a
merged cell is the same ``Cell`` object in every grid position it covers.

Legacy Word files are converted to .docx by LibreOffice headless and then read
like any .docx; .xls goes through xlrd, or LibreOffice when xlrd cannot read it.
A spreadsheet sheet becomes one table per block of rows separated by empty rows;
a lone title or note line around a table becomes a text block.

Every failure surfaces as ``ReadError`` with a one-line reason, never a traceback.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Block, Cell, Layout, Table, TextBlock
from auditkit.readers.legacy_batch import preconverted
from auditkit.readers.libreoffice import convert_with_libreoffice
from auditkit.readers.sniffing import OLE_MAGIC, WORD_STREAM, WORKBOOK_STREAMS, is_encrypted_ole, legacy_word_kind

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


# --------------------------------------------------------------------------- errors


def _guard(kind: str, func: Callable[[], Layout]) -> Layout:
    """Run a reader body, turning any unexpected failure into a one-line ``ReadError``."""
    try:
        return func()
    except ReadError:
        raise
    except zipfile.BadZipFile:
        raise ReadError(ReadReason.TRUNCATED, "压缩包结构损坏 (corrupt or truncated Office file)") from None
    except (EOFError, zipfile.LargeZipFile) as exc:
        raise ReadError(ReadReason.TRUNCATED, f"文件不完整 (truncated {kind} file): {exc}") from None
    except MemoryError:
        raise ReadError(ReadReason.UNSUPPORTED, f"文件过大，无法读取 (the {kind} file is too large to read)") from None
    except Exception as exc:  # a reader must never let a traceback reach the user
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise ReadError(ReadReason.CORRUPT, f"无法读取 {kind} 文件 (cannot read {kind} file): "
                                            f"{type(exc).__name__}{': ' + detail if detail else ''}") from None


def _encrypted_error() -> ReadError:
    return ReadError(ReadReason.ENCRYPTED, "文件已加密，需要密码 (the file is password-protected)")


# --------------------------------------------------------------------------- Word (.docx)


def read_docx(path: Path, data: bytes) -> Layout:
    """Read a .docx into text blocks and span-expanded tables, in body order."""
    if is_encrypted_ole(data):  # Word saves password-protected .docx as an OLE container
        raise _encrypted_error()
    return _guard("docx", lambda: _read_docx(path, data, "docx"))


def _read_docx(path: Path, data: bytes, kind: str) -> Layout:
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
            raise ReadError(ReadReason.CORRUPT, f"Word 正文 XML 损坏 (broken document.xml): {exc}") from None
        w = _W_STRICT if root.tag.startswith("{" + _W_STRICT) else _W_MAIN
        body = root.find(f"{{{w}}}body")
        if body is None:
            raise ReadError(ReadReason.CORRUPT, "Word 文件没有正文 (document.xml has no body)")

        def load(rid: str) -> bytes | None:
            return _read_part(zf, targets[rid]) if rid in targets else None

        walker = _DocxWalker(w, _heading_styles(styles_xml, w, parser), load)
        walker.body(body)
    if not walker.blocks:
        if body.find(f".//{{{w}}}drawing") is not None or body.find(f".//{{{w}}}pict") is not None:
            raise ReadError(ReadReason.SCANNED, "文档只有图片，没有文字 (the document holds images only, no text)")
        raise ReadError(ReadReason.EMPTY, "Word 文档没有正文 (the document has no text)")

    meta: dict[str, str] = {}
    title = _core_title(core_xml, parser) or walker.first_heading
    if title:
        meta["title"] = title
    return Layout(source=str(path), kind=kind, blocks=walker.blocks, meta=meta)


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

    def __init__(self, w: str, heading_styles: set[str], load: Callable[[str], bytes | None]) -> None:
        self.w = w
        self.load = load  # relationship id -> bytes of the part (embedded workbooks)
        self.n_objects = 0
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
        # Containers whose children are runs or blocks of the same level.
        self.wrappers = {self.SDT, self.CUSTOM_XML, q + "ins", q + "moveTo", q + "smartTag",
                         q + "hyperlink", q + "fldSimple", q + "dir", q + "bdo", self.SDT_CONTENT}
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
        blocks = _embedded_workbook_blocks(data) if data else []
        if not blocks:
            return
        self.n_objects += 1
        where = f"{prefix}embedded object {self.n_objects}, "
        for block in blocks:
            block.location = where + block.location
            if isinstance(block, Table):
                for cell in {id(c): c for row in block.grid for c in row if c is not None}.values():
                    cell.location = where + cell.location
            self.blocks.append(block)

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


def _embedded_workbook_blocks(data: bytes) -> list[Block]:
    """Blocks of an embedded .xlsx package or Excel 97 OLE object; nothing for other objects."""
    try:
        if data.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(BytesIO(data)) as zf:
                if "xl/workbook.xml" not in zf.namelist():
                    return []
            return _read_xlsx(Path("embedded.xlsx"), data, "xlsx").blocks
        if data.startswith(OLE_MAGIC) and any(name in data for name in WORKBOOK_STREAMS):
            return read_xls(Path("embedded.xls"), data).blocks
    except (ReadError, zipfile.BadZipFile):
        pass  # an unreadable object must not cost the document its other content
    return []


def _sym_char(code: str) -> str:
    """A ``w:sym`` character; symbol-font private-use codes (F0xx) carry no text."""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    return "" if 0xE000 <= value <= 0xF8FF else chr(value)


# --------------------------------------------------------------------------- legacy Word


def read_doc(path: Path, data: bytes) -> Layout:
    """Read a Word 97 .doc, .rtf or WPS file by converting it to .docx with LibreOffice."""
    kind = legacy_word_kind(path, data)
    if is_encrypted_ole(data):
        raise _encrypted_error()
    if kind == "doc" and data.startswith(OLE_MAGIC) and WORD_STREAM not in data:
        # Without this check LibreOffice imports any OLE file as plain text and returns gibberish.
        raise ReadError(ReadReason.CORRUPT, "OLE 文件中没有 Word 正文流，文件损坏或不是 Word 文档 "
                                            "(no WordDocument stream: damaged or not a Word file)")

    def run() -> Layout:
        # WPS Writer files are Word-97-compatible OLE; LibreOffice's Works filter is the fallback.
        suffixes = {"rtf": [".rtf"], "wps": [".doc", ".wps"]}.get(kind, [".doc"])
        converted = preconverted(data) or b""  # converted with the rest of its batch (legacy_batch)
        for i, suffix in enumerate(suffixes if not converted else ()):
            try:
                converted = convert_with_libreoffice(data, suffix, "docx")
                break
            except ReadError as exc:
                if exc.reason != ReadReason.CORRUPT or i == len(suffixes) - 1:
                    raise
        return _read_docx(path, converted, kind)

    return _guard(kind, run)


# --------------------------------------------------------------------------- Excel


def read_xlsx(path: Path, data: bytes) -> Layout:
    """Read every sheet of an .xlsx: tables split at empty rows, merged cells as spans."""
    if is_encrypted_ole(data):
        raise _encrypted_error()
    return _guard("xlsx", lambda: _read_xlsx(path, data, "xlsx"))


def _read_xlsx(path: Path, data: bytes, kind: str) -> Layout:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about every extension it does not know
        # Not read-only: merged ranges are only available in the normal mode.
        wb = openpyxl.load_workbook(BytesIO(data), data_only=True, read_only=False)
    blocks: list[Block] = []
    for ws in wb.worksheets:
        values: dict[tuple[int, int], str] = {}
        for row in ws.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)  # MergedCell placeholders have no value
                if value is not None:
                    text = _render_value(value)
                    if text:
                        values[(cell.row - 1, cell.column - 1)] = text
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                  for m in ws.merged_cells.ranges]
        blocks.extend(_sheet_blocks(ws.title, values, merges))
    meta: dict[str, str] = {}
    title = (wb.properties.title or "").strip() if wb.properties else ""
    if title:
        meta["title"] = title
    if not blocks:
        raise ReadError(ReadReason.EMPTY, "表格文件没有内容 (the workbook has no filled cells)")
    return Layout(source=str(path), kind=kind, blocks=blocks, meta=meta)


def read_xls(path: Path, data: bytes) -> Layout:
    """Read an Excel 97 .xls with xlrd (merged cells need formatting_info), else via LibreOffice."""
    if is_encrypted_ole(data):
        raise _encrypted_error()

    def run() -> Layout:
        import io

        import xlrd

        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
        except xlrd.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise _encrypted_error() from None
            book = None
        except Exception:  # xlrd fails on some BIFF variants and damaged streams: let LibreOffice try
            book = None
        if book is None:
            if data.startswith(OLE_MAGIC) and WORD_STREAM in data:
                # A Word file holding an embedded Excel object carries a "Workbook" stream name
                # too, so a byte-level sniff can take it for a workbook: read it as Word.
                return read_doc(path, data)
            if data.startswith(OLE_MAGIC) and not any(name in data for name in WORKBOOK_STREAMS):
                # LibreOffice would import any OLE file as CSV text: refuse what holds no workbook.
                raise ReadError(ReadReason.CORRUPT, "OLE 文件中没有工作簿流，文件损坏或不是 Excel 文件 "
                                                    "(no Workbook stream: damaged or not an Excel file)")
            return _read_xlsx(path, convert_with_libreoffice(data, ".xls", "xlsx"), "xls")
        blocks: list[Block] = []
        for sheet in book.sheets():
            values: dict[tuple[int, int], str] = {}
            for r in range(sheet.nrows):
                for c in range(sheet.ncols):
                    text = _xlrd_text(sheet.cell(r, c), book.datemode)
                    if text:
                        values[(r, c)] = text
            # xlrd gives half-open (rlo, rhi, clo, chi) ranges.
            merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells
                      if rhi > rlo and chi > clo]
            blocks.extend(_sheet_blocks(sheet.name, values, merges))
        if not blocks:
            raise ReadError(ReadReason.EMPTY, "表格文件没有内容 (the workbook has no filled cells)")
        return Layout(source=str(path), kind="xls", blocks=blocks)

    return _guard("xls", run)


def _xlrd_text(cell: Any, datemode: int) -> str:
    import xlrd

    ctype = cell.ctype
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return _render_value(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _render_value(cell.value)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return _render_value(bool(cell.value))
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return _render_value(cell.value)


def _render_value(value: Any) -> str:
    """A cell value as written: 5.0 -> "5", 5949.088667 -> "5949.088667", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # Excel keeps 15 significant digits: 0.1+0.2 is shown as 0.3
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _col_letters(c: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def _ref(r: int, c: int) -> str:
    return f"{_col_letters(c)}{r + 1}"


def _sheet_blocks(name: str, values: dict[tuple[int, int], str],
                  merges: list[tuple[int, int, int, int]]) -> list[Block]:
    """Split one sheet into tables at fully empty rows; lone lines around a table become text.

    ``values`` maps 0-based (row, col) to non-empty text; ``merges`` are inclusive
    0-based (r1, c1, r2, c2). A row covered by a merge spanning several rows is
    never a separator, so a merged label column holds its table together.
    """
    if not values:
        return []
    max_r = max(r for r, _ in values)
    max_c = max(c for _, c in values)
    # Clip merges to the filled area: formatting often merges whole empty columns.
    merges = [(r1, c1, min(r2, max_r), min(c2, max_c)) for r1, c1, r2, c2 in merges
              if r1 <= max_r and c1 <= max_c]
    owner: dict[tuple[int, int], int] = {}
    for i, (r1, c1, r2, c2) in enumerate(merges):
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                owner.setdefault((r, c), i)
    in_tall_merge = {r for r1, _, r2, _ in merges if r2 > r1 for r in range(r1, r2 + 1)}
    filled_rows = {r for r, _ in values} | in_tall_merge

    # Visible non-empty cells per row: a merge counts once, hidden text under a merge not at all.
    row_cells: dict[int, list[tuple[int, int]]] = {}
    for (r, c) in sorted(values):
        m = owner.get((r, c))
        if m is not None and (merges[m][0], merges[m][1]) != (r, c):
            continue
        row_cells.setdefault(r, []).append((r, c))

    blocks: list[Block] = []
    r = 0
    while r <= max_r:
        if r not in filled_rows:
            r += 1
            continue
        start = r
        while r + 1 <= max_r and r + 1 in filled_rows:
            r += 1
        run = range(start, r + 1)
        r += 1
        # The table runs from the first to the last row with several cells or a tall merge.
        table_rows = [rr for rr in run if len(row_cells.get(rr, [])) >= 2 or rr in in_tall_merge]
        top, bottom = (table_rows[0], table_rows[-1]) if table_rows else (r, r - 1)
        for rr in run:
            if rr < top:
                blocks.extend(_text_blocks(name, row_cells.get(rr, []), values))
        if table_rows:
            blocks.append(_sheet_table(name, top, bottom, values, merges, owner))
        for rr in run:
            if rr > bottom:
                blocks.extend(_text_blocks(name, row_cells.get(rr, []), values))
    return blocks


def _text_blocks(name: str, cells: list[tuple[int, int]], values: dict[tuple[int, int], str]) -> list[Block]:
    return [TextBlock(values[pos], f"sheet {name}, {_ref(*pos)}") for pos in cells]


def _sheet_table(name: str, top: int, bottom: int, values: dict[tuple[int, int], str],
                 merges: list[tuple[int, int, int, int]], owner: dict[tuple[int, int], int]) -> Table:
    cols = [c for (r, c) in values if top <= r <= bottom]
    cols += [c for r1, c1, r2, c2 in merges if top <= r1 <= bottom for c in (c1, c2)]
    left, right = min(cols), max(cols)
    merged: dict[int, Cell] = {}
    grid: list[list[Cell | None]] = []
    for r in range(top, bottom + 1):
        row: list[Cell | None] = []
        for c in range(left, right + 1):
            m = owner.get((r, c))
            if m is None:
                row.append(Cell(values.get((r, c), ""), f"sheet {name}, {_ref(r, c)}"))
                continue
            if m not in merged:
                r1, c1, r2, c2 = merges[m]
                merged[m] = Cell(values.get((r1, c1), ""), f"sheet {name}, {_ref(r1, c1)}",
                                 rowspan=min(r2, bottom) - max(r1, top) + 1,
                                 colspan=min(c2, right) - max(c1, left) + 1)
            row.append(merged[m])
        grid.append(row)
    return Table(grid=grid, location=f"sheet {name}, {_ref(top, left)}:{_ref(bottom, right)}")
