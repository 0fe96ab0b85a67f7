"""The article walked in document order into text blocks (one per paragraph, heading
or ``<br>`` line) and span-expanded table grids. Layout tables (a page grid, or one
cell wrapping the whole article) are unwrapped into blocks so they never swallow the
report tables; a table nested inside a data table becomes its own ``Table`` after
the outer one. Short lines of page furniture (打印, 关闭, 字号) are left out.
"""

from __future__ import annotations

from lxml import etree

from auditkit.layout import Cell, Table, TextBlock, expand_spans
from auditkit.precompiled import compile_re
from auditkit.readers.html.article import Article
from auditkit.readers.html.markup import BLOCK_TAGS, ROW_GROUPS, collapse_space, text_of
from auditkit.readers.html.tables import read_table

# What a table may hold besides stray content.
_TABLE_PARTS = frozenset({"tr", "colgroup", "col"} | ROW_GROUPS)

# Short lines of page furniture that CMS templates put inside the article area.
_FURNITURE = compile_re(
    r"^(?:\s*[【\[（(]?\s*(?:打印(?:本页|此页|文章|页面)?|关闭(?:窗口|本页|页面)?|返回(?:顶部|首页|列表)?|"
    r"收藏(?:本页)?|分享(?:到)?(?:[:：].{0,30})?|字号(?:[:：].{0,15})?|字体|[大中小](?:\s*[大中小]){2}|扫一扫.{0,20}|"
    r"相关(?:链接|文章|阅读|新闻|稿件|附件|文件)|上一篇.*|下一篇.*|责任编辑.{0,20}|"
    r"浏览次数.{0,20}|访问量.{0,20}|附件下载)\s*[】\]）)]?\s*[:：]?)+$"
)
_MAX_TABLE_NESTING = 40  # tables nested deeper are not walked into: the recursion stays bounded
_SPAN_VALUE = compile_re(r"\s*(\d+)")


def article_blocks(article: Article) -> list[TextBlock | Table]:
    """The article's text blocks and tables, in document order."""
    writer = _BlockWriter(article)
    writer.walk(article.container)
    writer.flush()
    return writer.blocks


class _BlockWriter:
    """Walks the article in document order, emitting text blocks and tables."""

    def __init__(self, article: Article) -> None:
        self.tables = article.tables
        self.skip = article.chrome
        self.blocks: list[TextBlock | Table] = []
        self.buf: list[str] = []
        self.n_paragraphs = 0
        self.n_tables = 0

    def flush(self) -> None:
        if not self.buf:
            return
        text = collapse_space("".join(self.buf))
        self.buf.clear()
        if not text or (len(text) <= 40 and _FURNITURE.match(text)):
            return
        self.n_paragraphs += 1
        self.blocks.append(TextBlock(text, f"paragraph {self.n_paragraphs}"))

    def walk(self, top: etree._Element, depth: int = 0) -> None:
        buf = self.buf
        walker = etree.iterwalk(top, events=("start", "end"))
        for event, el in walker:
            tag = el.tag
            if event == "start":
                if not isinstance(tag, str):
                    continue
                if el in self.skip:
                    self.flush()
                    walker.skip_subtree()
                    continue
                if tag == "table":
                    self.flush()
                    self.table(el, depth)
                    walker.skip_subtree()
                    continue
                if tag == "pre":
                    self.flush()
                    for line in text_of(el).splitlines():
                        buf.append(line)
                        self.flush()
                    walker.skip_subtree()
                    continue
                if tag == "br" or tag in BLOCK_TAGS:
                    self.flush()
                if el.text:
                    buf.append(el.text)
            else:
                if isinstance(tag, str) and tag in BLOCK_TAGS:
                    self.flush()
                if el is not top and el.tail:
                    buf.append(el.tail)

    def table(self, table: etree._Element, depth: int) -> None:
        info = read_table(self.tables, table)
        self.stray(table, depth)
        if info.layout and depth < _MAX_TABLE_NESTING:
            for row in info.rows:
                for cell in row:
                    self.walk(cell, depth + 1)
                    self.flush()
            return
        info.read_texts()  # (a layout table nested too deep to walk into is read as data)
        if any(text for texts in info.texts for text in texts):
            rows: list[list[Cell]] = []
            n_rows = len(info.rows)
            spanned = False  # a rowspan or colspan attribute anywhere
            for r, (row, texts) in enumerate(zip(info.rows, info.texts, strict=True)):
                cells = []
                for td, text in zip(row, texts, strict=True):
                    keys = td.keys()  # one call; most cells have no span to read
                    if "rowspan" in keys or "colspan" in keys:
                        rowspan = _span(td.get("rowspan"), 65534)
                        # rowspan=0 spans to the end; a span past the last row stops there.
                        rowspan = n_rows - r if rowspan == 0 else min(rowspan, n_rows - r)
                        colspan = max(_span(td.get("colspan"), 1000), 1)
                        cells.append(Cell(text, "", rowspan, colspan))
                        spanned = True
                    else:
                        cells.append(Cell(text, ""))
                rows.append(cells)
            self.n_tables += 1
            n = self.n_tables
            if spanned:
                grid = expand_spans(rows)
            else:  # what expand_spans makes of 1x1 cells: the rows, padded
                width = max(map(len, rows), default=0)
                grid = [cells + [None] * (width - len(cells)) for cells in rows]
            # A cell is named at its first position, which lies in its own row (spans reach
            # only right and down), after the previous cell's.
            for r, (cells, line) in enumerate(zip(rows, grid, strict=True), 1):
                where = f"table {n}, row {r}, col "
                c = 0
                for cell in cells:
                    c = line.index(cell, c) + 1
                    cell.location = f"{where}{c}"
            self.blocks.append(Table(grid, f"table {n}"))
        if depth < _MAX_TABLE_NESTING:
            for inner in info.nested:
                self.table(inner, depth + 1)

    def stray(self, table: etree._Element, depth: int) -> None:
        """Text and elements in a table outside its cells, and its caption, go before it
        (where browsers show them)."""
        for part in (table, *(c for c in table if c.tag in ROW_GROUPS)):
            if part.text:
                self.buf.append(part.text)
            for child in part:
                if child.tag not in _TABLE_PARTS and child not in self.skip:
                    self.flush()
                    self.walk(child, depth)
                    self.flush()
                if child.tail:
                    self.buf.append(child.tail)
        self.flush()


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute: 1 if absent or junk, 0 kept (rowspan=0: to the end)."""
    if not value:
        return 1
    m = _SPAN_VALUE.match(value)
    if not m:
        return 1
    return min(int(m.group(1)), limit)
