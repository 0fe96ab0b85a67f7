"""HTML tables read once: their own rows and cells, each cell's text (tables nested in a
cell set apart), and whether the table is page layout, a data table that looks like
a report's, or the page's 索引号/发布机构 information table.
"""

from __future__ import annotations

from lxml import etree

from auditkit.precompiled import compile_re
from auditkit.readers.html.markup import BLOCK_TAGS, ROW_GROUPS, collapse_space, is_ideograph, text_of

# Counts are characters of text.
_LONG_CELL = 200  # cells longer than this are paragraphs, not data
_LAYOUT_CELL = 400  # a cell this long makes its table a layout table
_WRAPPER_TEXT = 50  # a cell with a nested table and this much text of its own wraps a page part
_BREAK = "\x1f"  # a structural line break while collecting cell text (never left in output)
_NUMERIC = compile_re(r"[-－+＋]?[0-9０-９][0-9０-９.,，．%％]*")

# Labels of the 政府信息公开 metadata table above an article (索引号, 发布机构, 生成日期...).
_ABOUT_PAGE = compile_re(r"索引号|发布机构|发文机关|生成日期|成文日期|发布日期|公开日期|主题分类|文号|"
                         r"公开方式|公开范围|有效性|信息来源|所属机构|信息分类")


class TableInfo:
    """A table read once: its rows, cell texts, and whether it is page layout or data."""

    __slots__ = ("about_page", "layout", "nested", "reportish", "rows", "size", "texts", "unread")

    def __init__(self, table: etree._Element) -> None:
        self.rows = rows = _table_rows(table)
        self.texts: list[list[str]] = []
        self.nested: list[etree._Element] = []  # tables inside this one's cells
        self.size = 0  # characters of cell text
        self.reportish = self.about_page = False
        # A single column is page layout whatever its cells hold (a CMS template's wrapper rows,
        # most of a page's tables): the layout is walked cell by cell, its texts read only
        # where a table too deeply nested to walk into is read as data (``read_texts``).
        self.unread = all(len(row) <= 1 for row in rows)
        if self.unread:
            self.layout = True
            return
        self._read()

    def read_texts(self) -> None:
        """The cells' texts, sizes and nested tables, for a single column too."""
        if self.unread:
            self.unread = False
            self._read()

    def _read(self) -> None:
        rows = self.rows
        nested_tables = self.nested
        size = nonempty = nested = long_cells = longest = numeric = labels = 0
        wrapper = False  # a cell holding both a table and text of its own
        read_cell = self._read_cell
        block_tags = BLOCK_TAGS
        for row in rows:
            texts = []
            for cell in row:
                # The usual cell first, read inline: text only (<td>80</td>), or one element
                # holding only text (<td><p>80</p></td>) with nothing but whitespace beside
                # a block element. Anything else, or a huge cell, goes to _read_cell.
                raw = None
                n_children = len(cell)
                if not n_children:
                    raw = cell.text or ""
                elif n_children == 1:
                    child = cell[0]
                    tag = child.tag
                    if not len(child) and isinstance(tag, str) and tag != "table" and tag != "br":
                        before, after = cell.text or "", child.tail or ""
                        if tag not in block_tags or not (before.strip() or after.strip()):
                            raw = before + (child.text or "") + after
                if raw is not None and len(raw) <= 8 * _LAYOUT_CELL:
                    text = raw.strip()
                    if text and not text.isalnum():  # letters, digits, ideographs: already normal
                        text = collapse_space(text)
                    length = len(text)
                else:
                    before_nested = len(nested_tables)
                    text, length = read_cell(cell)
                    if len(nested_tables) > before_nested:
                        texts.append(text)
                        size += length
                        nested += 1
                        nonempty += 1
                        wrapper = wrapper or length > _WRAPPER_TEXT
                        continue
                texts.append(text)
                size += length
                if not length:
                    continue
                nonempty += 1
                if length > longest:
                    longest = length
                # (numbers and labels are counted only as far as "reportish" needs: 4 and 2)
                if length > _LONG_CELL:
                    long_cells += 1
                elif numeric < 4 and ((text.isdigit() and text.isascii()) or _NUMERIC.fullmatch(text)):
                    numeric += 1
                elif labels < 2 and _ideograph_pair(text):  # never a number's text
                    labels += 1
            self.texts.append(texts)
        self.size = size
        # A page grid: a single column or a single filled cell; cells holding tables, or a
        # table and text; cells holding whole paragraphs. Data tables are none of these.
        self.layout = (nonempty <= 1 or all(len(row) <= 1 for row in rows) or wrapper
                       or longest > _LAYOUT_CELL
                       or (nested > 0 and 2 * nested >= nonempty)
                       or (long_cells > 0 and 2 * long_cells >= nonempty))
        self.reportish = not self.layout and numeric >= 4 and labels >= 2
        self.about_page = not self.layout and not self.reportish and len(set(_ABOUT_PAGE.findall(
            " ".join(t for row in self.texts for t in row)))) >= 2

    def _read_cell(self, td: etree._Element) -> tuple[str, int]:
        """The cell's text and length; a huge cell (a page column) only gets its length."""
        n_lines = 0
        line_el = None
        for el in td.iterdescendants():
            tag = el.tag
            if tag == "table":
                text = _cell_text(td, self.nested)
                return text, len(text)
            if tag == "br" or tag in BLOCK_TAGS:
                n_lines += 1
                line_el = el
        raw = text_of(td)
        if len(raw) > 8 * _LAYOUT_CELL:
            length = len(_squash(raw))
            if length > 4 * _LAYOUT_CELL:
                return "", length
        # Fast path for the usual cell, <td><p><span>80</span></p></td>: a single line.
        if n_lines == 0 or (n_lines == 1 and line_el is not None and line_el.tag != "br"
                            and len(td) == 1 and td[0] is line_el and not (td.text or "").strip()
                            and not (line_el.tail or "").strip()):
            text = collapse_space(raw)
        else:
            text = _cell_text(td, self.nested)
        return text, len(text)


def _table_rows(table: etree._Element) -> list[list[etree._Element]]:
    """The table's own rows and cells (not those of tables nested in its cells)."""
    trs: list[etree._Element] = []
    stack = [iter(table)]
    while stack:  # depth-first through row groups, keeping document order
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "tr":
            trs.append(child)
        elif child.tag in ROW_GROUPS:
            stack.append(iter(child))
    return [list(tr.iterchildren("td", "th")) for tr in trs]  # (filtered by libxml2, not in Python)


def _cell_text(td: etree._Element, nested: list[etree._Element]) -> str:
    """A cell's text: block pieces and <br> lines joined by newlines, inline pieces joined.

    Tables nested in the cell are left out of its text and appended to ``nested``.
    """
    pieces: list[str] = []
    if td.text:
        pieces.append(td.text)
    # Depth first through a stack of children iterators (for a small cell, cheaper than
    # iterwalk); an element with children ends when its iterator runs out.
    opened: list[etree._Element] = []
    stack = [iter(td)]
    while stack:
        for el in stack[-1]:
            tag = el.tag
            if not isinstance(tag, str):
                pass  # a comment: only its tail is text
            elif tag == "table":
                nested.append(el)
                pieces.append(_BREAK)
                pieces.append(_BREAK)  # its end (not walked into)
            else:
                if tag == "br" or tag in BLOCK_TAGS:
                    pieces.append(_BREAK)
                if el.text:
                    pieces.append(el.text)
                if len(el):
                    opened.append(el)
                    stack.append(iter(el))
                    break
                if tag in BLOCK_TAGS:
                    pieces.append(_BREAK)
            if el.tail:
                pieces.append(el.tail)
        else:
            stack.pop()
            if opened:
                el = opened.pop()
                if el.tag in BLOCK_TAGS:
                    pieces.append(_BREAK)
                if el.tail:
                    pieces.append(el.tail)
    lines_text = (collapse_space(line) for line in "".join(pieces).split(_BREAK))
    return "\n".join(line for line in lines_text if line)


def _ideograph_pair(text: str) -> bool:
    """Two ideographs in a row somewhere in ``text`` (a label's words)."""
    after_one = False
    for ch in text:
        one = is_ideograph(ch)
        if one and after_one:
            return True
        after_one = one
    return False


def _squash(s: str) -> str:
    return "".join(s.split())


def read_table(tables: dict[etree._Element, TableInfo], table: etree._Element) -> TableInfo:
    """The table's ``TableInfo``, read on first use and kept in ``tables``."""
    info = tables.get(table)
    if info is None:
        info = tables[table] = TableInfo(table)
    return info
