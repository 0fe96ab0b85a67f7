"""HTML reader: an agency's CMS page, or a bare fragment, into a ``Layout``.

Agencies publish the annual report as an article inside a CMS page full of
menus, footers and share bars, or as a bare fragment (a ``<table>`` pasted from
Word, a few ``<p>``). The reader

1. decodes the bytes (declared charset, then the bytes themselves),
2. drops what is never text (scripts, forms, iframes) and page chrome (nav,
   header, footer, menus, breadcrumbs, share bars, hidden elements),
3. picks the article: walking down from ``<body>`` while one child holds most of
   the page's non-link text (or most of its parent's, with no prose, section
   heading or data table beside it), widened if a report table sits beside it,
4. walks the article in document order into text blocks (one per paragraph,
   heading or ``<br>`` line) and span-expanded table grids.

Layout tables (a page grid, or one cell wrapping the whole article) are
unwrapped into blocks so they never swallow the report tables; a table nested
inside a data table becomes its own ``Table`` after the outer one. What the page
states about the article outside its body (title, publication date, publisher)
goes to ``Layout.meta``.

Text is kept as written: whitespace runs become one space (none where a source
line break falls between two Chinese characters, as browsers render it), and
``&nbsp;`` padding is trimmed; full-width digits are left for the matcher.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from itertools import islice
from pathlib import Path

from lxml import etree

from auditkit.errors import ReadError, ReadReason
from auditkit.layout import Cell, Layout, Table, TextBlock, expand_spans
from auditkit.readers.encoding import declared_charset, decode_bytes

# Elements whose content is never report text (stripped before anything else).
_SKIP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "applet", "svg", "math", "canvas", "audio", "video", "map", "select", "option", "optgroup",
    "datalist", "button", "textarea", "input",
)
# Elements that start a new line of text. Anything else is inline (span, font, a, o:p...).
_BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "section", "article", "main", "center", "address", "figure",
    "figcaption", "header", "footer", "nav", "aside", "form", "fieldset", "legend", "hr",
    "table", "caption", "tr", "td", "th", "thead", "tbody", "tfoot", "body", "html",
})
# Elements never chosen as the article container: paragraphs, inline formatting, table
# internals (a layout table's cell may be chosen; a data table's is never walked into).
_NOT_CONTAINER = frozenset({
    "a", "p", "h1", "h2", "h3", "h4", "h5", "h6", "span", "font", "strong", "b", "em", "i", "u",
    "small", "big", "sup", "sub", "label", "img", "br", "hr", "table", "tbody", "thead", "tfoot",
    "tr", "caption",
})
# Paragraph-level elements: the article is never inside one of them.
_PARAGRAPH_TAGS = frozenset({"a", "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre",
                             "blockquote", "caption"})
# Row groups, and the <form> that ASP.NET pages wrap around rows.
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot", "form"})
# What a table may hold besides stray content.
_TABLE_PARTS = frozenset({"tr", "colgroup", "col"} | _ROW_GROUPS)
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_CHROME_ATTRIBUTES = frozenset({"class", "id", "style", "hidden", "role"})  # what _looks_like_chrome reads
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary", "menu",
                           "menubar", "toolbar"})
# class/id words of page chrome in Chinese agencies' CMS templates (pinyin abbreviations too:
# dqwz 当前位置, yqlj 友情链接, xglj 相关链接, fenxiang 分享, ewm 二维码).
_CHROME_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "menus", "submenu", "header", "head", "topbar",
    "footer", "foot", "bottom", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "position",
    "location", "weizhi", "dqwz", "share", "bdshare", "fenxiang", "qrcode", "ewm", "erweima",
    "sidebar", "aside", "copyright", "toolbar", "pager", "pagination", "fanye", "links", "yqlj",
    "xglj", "related", "relevant", "search", "login", "weather", "banner",
})
_CHROME_HINT = re.compile(r"nav|menu|head|top|foot|bottom|crumb|posit|locat|weizhi|dqwz|share|"
                          r"fenxiang|qr|ewm|erweima|side|copyright|tool|pag|fanye|link|yqlj|"
                          r"xglj|relat|relev|search|login|weather|banner")
# ...unless the same class/id also names the article ("content_head" is not chrome).
_CONTENT_WORDS = frozenset({"content", "article", "main", "text", "zoom", "detail", "body", "zw",
                            "zhengwen", "wenzhang", "artibody", "editor", "report"})
_COLUMN_WORDS = frozenset({"left", "right", "fl", "fr", "col", "column", "lside", "rside", "leftside",
                           "rightside", "main", "primary"})
_RELATED = re.compile(r"相关(?:链接|文章|阅读|新闻|稿件|信息|文件|推荐)|延伸阅读|推荐阅读")
_RELATED_START = frozenset("相延推")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")

# Short lines of page furniture that CMS templates put inside the article area.
_FURNITURE = re.compile(
    r"^(?:\s*[【\[（(]?\s*(?:打印(?:本页|此页|文章|页面)?|关闭(?:窗口|本页|页面)?|返回(?:顶部|首页|列表)?|"
    r"收藏(?:本页)?|分享(?:到)?(?:[:：].{0,30})?|字号(?:[:：].{0,15})?|字体|[大中小](?:\s*[大中小]){2}|扫一扫.{0,20}|"
    r"相关(?:链接|文章|阅读|新闻|稿件|附件|文件)|上一篇.*|下一篇.*|责任编辑.{0,20}|"
    r"浏览次数.{0,20}|访问量.{0,20}|附件下载)\s*[】\]）)]?\s*[:：]?)+$"
)

# Whitespace runs (incl. &nbsp;, ideographic space) and zero-width characters.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_WS_RUN = re.compile(rf"[\s{_ZERO_WIDTH}]+")
_BREAK = "\x1f"  # a structural line break while collecting cell text (never left in output)
_CJK_PAIR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2}")
_NUMERIC = re.compile(r"[-－+＋]?[0-9０-９][0-9０-９.,，．%％]*")
_PROSE_MARK = re.compile(r"[。，；]")
_SECTION_HEADING = re.compile(r"[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]")
_HEADING_START = frozenset("一二三四五六七八九十（(")  # what a _SECTION_HEADING match starts with
# Labels of the 政府信息公开 metadata table above an article (索引号, 发布机构, 生成日期...).
_ABOUT_PAGE = re.compile(r"索引号|发布机构|发文机关|生成日期|成文日期|发布日期|公开日期|主题分类|文号|"
                         r"公开方式|公开范围|有效性|信息来源|所属机构|信息分类")
_SPAN_VALUE = re.compile(r"\s*(\d+)")
_HAS_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# \d matches full-width digits too, and int() reads them.
_DATE = r"(?<!\d)(\d{4})\s*[-/.年－／．]\s*(\d{1,2})\s*[-/.月－／．]\s*(\d{1,2})(?!\d)"
_DATE_RE = re.compile(_DATE)
# A date the page labels as its publication date...
_PUBLISHED_LABEL = re.compile(r"(?:发布|公开|发表|发稿|刊发|上网)(?:时间|日期)\s*[:：]?\s*" + _DATE)
# ...or a bare 时间/日期 label: not 成文日期, 生效日期, 更新时间, 当前时间, 统计时间...
_DATE_LABEL = re.compile(r"(?<![\u3400-\u9fff])(?:时间|日期)\s*[:：]\s*" + _DATE)
_PUBLISHER_LABEL = re.compile(
    r"(?:(?:发布机构|发布单位|发文机关|发文单位|信息来源)\s*[:：]?|(?<![\u3400-\u9fff])来源\s*[:：])\s*"
    r"([^\s:：|｜【】\[\]]{2,60}?)"
    r"(?=\s|$|[|｜【\[]|(?:发布|时间|日期|作者|浏览|点击|访问|阅读|字号|分享|打印|编辑|索引|文号|主题|分类)"
    r"\S{0,4}?\s*[:：])"
)
_DATE_HINT = re.compile(r"date|time|fbsj|fbrq|publish|pubtime")
_TITLE_SEPARATOR = re.compile(r"\s*(?:_|\||｜|--|——|－{1,2}|\s-\s)\s*")

_META_TITLE = ("articletitle", "og:title")  # a bare "title" meta is often the site's name
_META_PUBLISHED = ("pubdate", "publishdate", "publish_date", "publishtime", "publish-date",
                   "firstpublishedtime", "article:published_time", "dcterms.issued", "dc.date.issued",
                   "releasedate", "dc.date")
_META_PUBLISHER = ("contentsource", "dc.publisher", "publisher")

# Thresholds (counts are non-whitespace characters).
_ARTICLE_SHARE = 0.75  # the article holds at least this share of the page's non-link text...
_PROSE_LOSS = 0.1  # ...and leaves at most this share of its prose outside
_PROSE_LOSS_COLUMNS = 0.3
_DIRECT_TEXT_BUDGET = 60  # text lying directly in the wrappers around the article
_CHROME_MAX_SHARE = 0.5  # chrome holding more than this is really the article: keep it
_CHROME_MAX_PROSE = 200
_LONG_CELL = 200  # cells longer than this are paragraphs, not data
_LAYOUT_CELL = 400  # a cell this long makes its table a layout table
_WRAPPER_TEXT = 50  # a cell with a nested table and this much text of its own wraps a page part
_PROSE = 20  # a text run this long with Chinese sentence punctuation is prose
_MAX_TABLE_NESTING = 40


def read_html(path: Path, data: bytes) -> Layout:
    """Read an HTML page or fragment into a ``Layout`` of kind ``"html"``.

    Raises ``ReadError`` ("unknown_encoding", "empty", "corrupt") for a page it
    cannot read; no parser exception escapes.
    """
    root = _parse(_utf8(data))
    if root is None:
        raise ReadError(ReadReason.EMPTY, "网页没有正文 (HTML page has no body text)")
    try:
        page = _Page(root)
        blocks = page.blocks()
        meta = page.meta() if blocks else {}
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as exc:
        # No parser error may escape: the batch reports a reason per document and goes on.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError(ReadReason.CORRUPT, f"网页无法解析 (cannot read HTML: {detail})") from exc
    if not blocks:
        raise ReadError(ReadReason.EMPTY, "网页没有正文 (HTML page has no body text)")
    return Layout(source=str(path), kind="html", blocks=blocks, meta=meta)


# ---------------------------------------------------------------------------
# Bytes and tree


def _utf8(data: bytes) -> bytes:
    """The document as UTF-8 bytes for libxml2 (which then ignores any declared charset)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    # Valid UTF-8 with Chinese in it is UTF-8 whatever the page declares: CMS templates
    # often keep a stale "gb2312" declaration after the site moved to UTF-8.
    if not _is_utf8(data):
        data = decode_bytes(data, declared_charset(data)).encode("utf-8", errors="replace")
    return data.replace(b"\x00", b"") if b"\x00" in data else data


_UTF8_PIECE = 1 << 14  # bytes decoded at a time by _is_utf8


def _is_utf8(data: bytes) -> bool:
    """``data.decode("utf-8")`` succeeds; checked piecewise (a whole page's string is slower)."""
    if data.isascii():
        return True
    decode = codecs.utf_8_decode
    view = memoryview(data)
    done, size = 0, len(data)
    try:
        while done < size:
            # Not the last piece: a character cut at its end is decoded with the next piece.
            done += decode(view[done:done + _UTF8_PIECE], "strict", done + _UTF8_PIECE >= size)[1]
    except UnicodeDecodeError:
        return False
    return True


def _parse(data: bytes) -> etree._Element | None:
    # collect_ids=False: no table of id attributes (nothing here looks elements up by id).
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True, huge_tree=True, collect_ids=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ReadError(ReadReason.CORRUPT, f"网页无法解析 (cannot parse HTML: {detail})") from None


def _is_column(el: etree._Element) -> bool:
    """A page column: floated, or named left/right/col... (fl and fr are float classes)."""
    style = el.get("style")
    if style and "float" in style.lower():
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(names.strip()) and bool(_words(names) & _COLUMN_WORDS)


# Memoized verdicts on attribute values, bounded: cleared when full, long values not kept.
_CHROME_NAMES_SEEN: dict[str, bool] = {}
_HIDDEN_STYLE_SEEN: dict[str, bool] = {}
_SEEN_MAX = 4096
_SEEN_MAX_KEY = 512


def _remember(seen: dict[str, bool], key: str, verdict: bool) -> bool:
    if len(key) <= _SEEN_MAX_KEY:
        if len(seen) >= _SEEN_MAX:
            seen.clear()
        seen[key] = verdict
    return verdict


def _chrome_names(names: str) -> bool:
    """Class and id (``"class id"``) naming page chrome, and not the article."""
    if not _CHROME_HINT.search(names.lower()):
        return False
    words = _words(names)
    if words & _CONTENT_WORDS:
        return False
    return bool(words & _CHROME_WORDS) or any(
        w.endswith(("nav", "menu")) or w.startswith(("nav", "menu")) for w in words)


def _words(value: str) -> set[str]:
    return set(_WORD_SPLIT.split(_CAMEL.sub(r"\1 \2", value).lower()))


def _squash(s: str) -> str:
    return "".join(s.split())


def _text_of(el: etree._Element) -> str:
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _is_wide(ch: str) -> bool:
    """East Asian wide character: no space is rendered for a line break between two of them."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF)


def _ws_replace(m: re.Match[str]) -> str:
    run = m.group()
    if not run.strip(_ZERO_WIDTH):  # only zero-width characters: not a space at all
        return ""
    s, i, j = m.string, m.start(), m.end()
    if ("\n" in run or "\r" in run) and i > 0 and j < len(s) and _is_wide(s[i - 1]) and _is_wide(s[j]):
        return ""
    return " "


def _norm(s: str) -> str:
    """Collapse whitespace as a browser renders it and trim the padding."""
    s = s.strip()
    if not s or s.isalnum():  # letters, digits and ideographs only: nothing to collapse
        return s
    # What _WS_RUN would find, tested in C (a paragraph of Chinese has no whitespace at all).
    if (len(s.split(None, 1)) > 1 or "\u200b" in s or "\u200c" in s or "\u200d" in s
            or "\u2060" in s or "\ufeff" in s):
        s = _WS_RUN.sub(_ws_replace, s).strip()
    return s


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute: 1 if absent or junk, 0 kept (rowspan=0: to the end)."""
    if not value:
        return 1
    m = _SPAN_VALUE.match(value)
    if not m:
        return 1
    return min(int(m.group(1)), limit)


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
        elif child.tag in _ROW_GROUPS:
            stack.append(iter(child))
    return [[c for c in tr if c.tag in ("td", "th")] for tr in trs]


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
                if tag == "br" or tag in _BLOCK_TAGS:
                    pieces.append(_BREAK)
                if el.text:
                    pieces.append(el.text)
                if len(el):
                    opened.append(el)
                    stack.append(iter(el))
                    break
                if tag in _BLOCK_TAGS:
                    pieces.append(_BREAK)
            if el.tail:
                pieces.append(el.tail)
        else:
            stack.pop()
            if opened:
                el = opened.pop()
                if el.tag in _BLOCK_TAGS:
                    pieces.append(_BREAK)
                if el.tail:
                    pieces.append(el.tail)
    lines_text = (_norm(line) for line in "".join(pieces).split(_BREAK))
    return "\n".join(line for line in lines_text if line)


class _TableInfo:
    """A table read once: its rows, cell texts, and whether it is page layout or data."""

    __slots__ = ("about_page", "layout", "nested", "reportish", "rows", "size", "texts")

    def __init__(self, table: etree._Element) -> None:
        self.rows = rows = _table_rows(table)
        self.texts: list[list[str]] = []
        self.nested: list[etree._Element] = []  # tables inside this one's cells
        nested_tables = self.nested
        size = nonempty = nested = long_cells = longest = numeric = labels = 0
        wrapper = False  # a cell holding both a table and text of its own
        read_cell = self._read_cell
        block_tags = _BLOCK_TAGS
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
                        text = _norm(text)
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
                elif labels < 2 and _CJK_PAIR.search(text):  # never a number's text
                    labels += 1
            self.texts.append(texts)
        self.size = size  # characters of cell text
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
            if tag == "br" or tag in _BLOCK_TAGS:
                n_lines += 1
                line_el = el
        raw = _text_of(td)
        if len(raw) > 8 * _LAYOUT_CELL:
            length = len(_squash(raw))
            if length > 4 * _LAYOUT_CELL:
                return "", length
        # Fast path for the usual cell, <td><p><span>80</span></p></td>: a single line.
        if n_lines == 0 or (n_lines == 1 and line_el is not None and line_el.tag != "br"
                            and len(td) == 1 and td[0] is line_el and not (td.text or "").strip()
                            and not (line_el.tail or "").strip()):
            text = _norm(raw)
        else:
            text = _cell_text(td, self.nested)
        return text, len(text)


# ---------------------------------------------------------------------------
# The page: chrome, article, meta


class _Page:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.head_meta = self._head_meta(root)
        body = root.find("body")
        self.body = body if body is not None else root
        etree.strip_elements(self.body, *_SKIP_TAGS, with_tail=False)
        self.tables: dict[etree._Element, _TableInfo] = {}
        self.chrome: set[etree._Element] = set()
        self.container = self._find_article()

    # -- meta ---------------------------------------------------------------

    @staticmethod
    def _head_meta(root: etree._Element) -> dict[str, str]:
        found: dict[str, str] = {}
        for m in root.iter("meta"):
            key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
            content = _norm(m.get("content") or "")
            if key and content and key not in found:
                found[key] = content
        title = root.find("head/title")
        if title is None:
            title = root.find(".//title")
        if title is not None:
            text = _norm(_text_of(title))
            if text:
                found["<title>"] = text
        return found

    def meta(self) -> dict[str, str]:
        """Title, publication date and publisher, as far as the page states them."""
        out: dict[str, str] = {}
        title = self._title()
        if title:
            out["title"] = title
        page_text = _text_of(self.body)
        inside = _text_of(self.container)
        # The page's own statements are outside the article, nearest first: the info bar
        # just before it (a sidebar may list other articles' dates further up), then after it.
        # The article's text is only a fallback (a fragment, an info table pasted inside).
        before, _, after = page_text.partition(inside) if inside else (page_text, "", "")
        outside = (before, after)
        published = self._published(outside, inside)
        if published:
            out["published"] = published
        publisher = self._publisher(outside, inside)
        if publisher:
            out["publisher"] = publisher
        return out

    def _title(self) -> str | None:
        for key in _META_TITLE:
            if key in self.head_meta:
                return self.head_meta[key]
        page_title = self.head_meta.get("<title>")
        if page_title:
            # The article's heading, if <title> confirms it (the heading before the article).
            parts = [p for p in _TITLE_SEPARATOR.split(page_title) if p]
            longest = max(parts, key=len) if parts else page_title
            for el in reversed(self._headings_before()):
                text = _norm(_text_of(el))
                # Not the site's name in the banner: the heading must be the whole article title.
                if 2 * len(text) >= len(longest) and len(text) <= 200 and (
                        text in page_title or page_title in text):
                    return text
            return longest
        for el in self.container.iter("h1"):
            text = _norm(_text_of(el))
            if text and not _SECTION_HEADING.match(text):  # "一、总体情况" is no title
                return text
        return None

    def _headings_before(self) -> list[etree._Element]:
        """Heading-like elements that come before the article in the page."""
        out: list[etree._Element] = []
        for el in self.body.iter():
            if el is self.container:
                break
            if not isinstance(el.tag, str) or el in self.chrome:
                continue
            if el.tag in ("h1", "h2", "h3") or "title" in (el.get("class") or "").lower() \
                    or "title" in (el.get("id") or "").lower():
                out.append(el)
        return out

    def _published(self, outside: tuple[str, str], inside: str) -> str | None:
        for key in _META_PUBLISHED:
            value = self.head_meta.get(key)
            if value:
                iso = _iso(_DATE_RE.search(value))
                if iso:
                    return iso
        before, after = outside
        for pattern, text, nearest_last in ((_PUBLISHED_LABEL, before, True), (_PUBLISHED_LABEL, after, False),
                                            (_DATE_LABEL, before, True), (_DATE_LABEL, after, False),
                                            (_PUBLISHED_LABEL, inside, False)):
            found = [iso for iso in map(_iso, pattern.finditer(text)) if iso]
            if found:
                return found[-1] if nearest_last else found[0]
        return self._dated_element()

    def _dated_element(self) -> str | None:
        """An unlabelled date in the article's info bar: <span class="date">2024-03-08</span>.

        Only the nearest such element before the article, outside links and list items
        (where sidebars list other articles with their dates).
        """
        found = None
        for el in self.body.iter():
            if el is self.container:
                break
            tag = el.tag
            if not isinstance(tag, str) or tag in ("a", "li") or el in self.chrome:
                continue
            names = f"{tag} {el.get('class') or ''} {el.get('id') or ''}".lower()
            if not _DATE_HINT.search(names):
                continue
            text = _norm(_text_of(el))
            m = _DATE_RE.search(text) if len(text) <= 40 else None
            if m and _iso(m) and el.find(".//a") is None and not any(
                    a.tag in ("a", "li") or a in self.chrome for a in el.iterancestors()):
                found = _iso(m)
        return found

    def _publisher(self, outside: tuple[str, str], inside: str) -> str | None:
        for key in _META_PUBLISHER:
            if self.head_meta.get(key):
                return self.head_meta[key]
        before, after = outside
        for text, nearest_last, bare_source_ok in ((before, True, True), (after, False, True),
                                                   (inside, False, False)):
            found = []
            for m in _PUBLISHER_LABEL.finditer(text):
                # Inside the article "来源：" is too common ("资金来源：") to mean the publisher.
                if not bare_source_ok and m.group(0).lstrip().startswith("来源"):
                    continue
                value = m.group(1)
                if _HAS_CJK.search(value) and not _DATE_RE.search(value):
                    found.append(value)
            if found:
                return found[-1] if nearest_last else found[0]
        return None

    # -- article ------------------------------------------------------------

    def _table_info(self, table: etree._Element) -> _TableInfo:
        info = self.tables.get(table)
        if info is None:
            info = self.tables[table] = _TableInfo(table)
        return info

    def _find_article(self) -> etree._Element:
        """Mark the page chrome and return the element that holds the article."""
        body = self.body
        # element -> [is a link, text, link text, prose, headings] in its subtree: characters
        # (non-whitespace; prose: sentences and data tables) and section headings
        counts: dict[etree._Element, list] = {}
        chrome: list[etree._Element] = []  # 索引号 tables, related links (added below)
        # Elements that look like chrome, outermost only: what is inside one is looked at
        # only if it stays (below), as most chrome goes whole.
        flagged: list[etree._Element] = []
        flagged_open = None  # the flagged element the walk is in
        related: list[etree._Element] = []  # elements starting "相关链接", "相关文章"...
        # The walk's stack of entries, each the element's counts once its subtree is done.
        stack: list[list] = []
        in_link = 0
        looks_like_chrome = self._looks_like_chrome
        heading_start = _HEADING_START
        walker = etree.iterwalk(body, events=("start", "end"))
        for event, el in walker:
            if event == "start":
                tag = el.tag
                if not isinstance(tag, str):
                    stack.append([False, 0, 0, 0, 0])
                    continue
                if tag == "table":
                    info = self._table_info(el)
                    if not info.layout:
                        # A data table is never the container nor inside it: count it whole,
                        # as substance that the article must not be cut away from; unless it
                        # is the page's 索引号/发布机构 table, which describes the article.
                        stack.append([False, info.size, 0, info.size, 0])
                        if info.about_page:
                            chrome.append(el)
                        walker.skip_subtree()
                        continue
                    entry = [False, 0, 0, 0, 0]
                elif tag == "a" and el.get("href") is not None:  # <a name=...> is no link
                    in_link += 1
                    entry = [True, 0, 0, 0, 0]
                else:
                    entry = [False, 0, 0, 0, 0]
                stack.append(entry)
                text = el.text
                if text:
                    text = text.strip()
                    if text:
                        n = len(text)
                        entry[1] = n
                        if in_link:
                            entry[2] = n
                        else:
                            if n >= _PROSE and _PROSE_MARK.search(text):
                                entry[3] = n
                            first = text[0]
                            if first in heading_start and _SECTION_HEADING.match(text):
                                entry[4] = 1
                            if first in _RELATED_START and _RELATED.match(text):
                                related.append(el)
                if flagged_open is None and el is not body and looks_like_chrome(el, tag):
                    flagged.append(el)
                    flagged_open = el
            else:
                if el is flagged_open:
                    flagged_open = None
                entry = stack.pop()
                counts[el] = entry
                if entry[0]:
                    in_link -= 1
                if stack:
                    parent = stack[-1]
                    if entry[1]:  # no text: no link text, prose or headings either
                        parent[1] += entry[1]
                        parent[2] += entry[2]
                        parent[3] += entry[3]
                        parent[4] += entry[4]
                    tail = el.tail
                    if tail:
                        tail = tail.strip()
                        if tail:
                            n = len(tail)
                            parent[1] += n
                            if in_link:
                                parent[2] += n
                            else:
                                if n >= _PROSE and _PROSE_MARK.search(tail):
                                    parent[3] += n
                                if tail[0] in heading_start and _SECTION_HEADING.match(tail):
                                    parent[4] += 1
        body_total = counts[body][1]
        # A "相关链接：" heading and the list of links it sits in (up to two levels up).
        for el in related:
            for cand in (el, *islice(el.iterancestors(), 2)):
                c = counts.get(cand)
                if c is None or cand is body:
                    break
                if c[2] and 2 * c[2] >= c[1]:
                    chrome.append(cand)
                    break

        # Chrome goes unless it holds most of the page's text, a section heading, paragraphs of
        # prose or a report table: then it is article that a template named "head" or such.
        report_ancestors = [set(t.iterancestors()) | {t} for t, info in self.tables.items()
                            if info.reportish]
        keep = self._keep
        dropped_set = {el for el in (*flagged, *chrome) if not keep(el, counts[el], body_total, report_ancestors)}
        for top in flagged:
            if top in dropped_set:
                continue
            # It stays: the chrome inside it (a share bar in an article named "head") goes.
            for el in top.iterdescendants():
                if el not in counts:
                    continue  # inside a data table: not walked
                tag = el.tag
                if not isinstance(tag, str) or (tag == "table" and not self.tables[el].layout):
                    continue  # a data table is no chrome by its looks (see the walk)
                if looks_like_chrome(el, tag) and not keep(el, counts[el], body_total, report_ancestors):
                    dropped_set.add(el)
        for el in dropped_set:
            ancestors = list(el.iterancestors())
            if not dropped_set.isdisjoint(ancestors):
                continue  # inside chrome that goes anyway
            self.chrome.add(el)
            _, total, link, prose, headings = counts[el]
            if not total:
                continue  # no text: nothing to take from the ancestors
            for a in ancestors:
                c = counts.get(a)
                if c is None:
                    break
                c[1] -= total
                c[2] -= link
                c[3] -= prose
                c[4] -= headings

        # Walk down from <body> towards the article, one child at a time, while the child
        # holds (a) most of the page's text and prose, or (b) most of its parent's text with
        # no prose or data beside it (the rest is a title, an info bar, a contact line), and
        # never leaving a section heading behind. Text lying directly in the elements left
        # behind is dropped only up to a small budget and never if it is prose: unclosed tags
        # nest a whole article one paragraph per level.
        # content: text that is not link text
        here = counts[body]
        total, total_prose = here[1] - here[2], here[3]
        container = node = body
        dropped = 0
        chrome_set = self.chrome
        while total > 0:
            kids: list[etree._Element] = []
            contents: list[int] = []  # content of each kid
            kids_prose = 0
            for k in node:
                c = counts.get(k)
                if c is not None and k not in chrome_set:
                    kids.append(k)
                    contents.append(c[1] - c[2])
                    kids_prose += c[3]
            if not kids:
                break
            best_content = max(contents)
            best = kids[contents.index(best_content)]  # the first of the largest, as max() picks
            here, there = counts[node], counts[best]
            prose_beside = here[3] - there[3]
            # Columns (a sidebar of notices beside the article) may hold more.
            most_of_page = best_content >= _ARTICLE_SHARE * total and (
                prose_beside <= _PROSE_LOSS * total_prose
                or (prose_beside <= _PROSE_LOSS_COLUMNS * total_prose
                    and (node.tag == "tr" or _is_column(best))))
            most_of_parent = 2 * best_content > here[1] - here[2] and prose_beside <= 0
            if not (most_of_page or most_of_parent) or here[4] > there[4]:
                break
            dropped += here[1] - here[2] - sum(contents)
            if dropped > _DIRECT_TEXT_BUDGET or here[3] > kids_prose:
                break
            tag = best.tag
            if tag in _PARAGRAPH_TAGS or (tag == "table" and not self._table_info(best).layout):
                break
            if any(node in anc and best not in anc for anc in report_ancestors):
                break
            node = best
            if tag not in _NOT_CONTAINER:
                container = best
        # Widen to take in a report table that sits just beside the chosen element (the
        # text in one div, the tables in the next).
        outside = [anc for anc in report_ancestors if container not in anc]
        while outside and container is not body:
            parent = container.getparent()
            if parent is None or not any(parent in anc for anc in outside):
                break
            container = parent
            outside = [anc for anc in outside if container not in anc]
        return container

    @staticmethod
    def _keep(el: etree._Element, count: list, body_total: int, report_ancestors: list[set]) -> bool:
        """Chrome that holds most of the page's text, a section heading, paragraphs of prose or
        a report table is article that a template named "head" or such: it stays."""
        _, total, _link, prose, headings = count
        return (total >= _CHROME_MAX_SHARE * body_total or headings > 0 or prose >= _CHROME_MAX_PROSE
                or any(el in anc for anc in report_ancestors))

    @staticmethod
    def _looks_like_chrome(el: etree._Element, tag: str) -> bool:
        """A chrome tag; hidden; or a role, class or id of page chrome.

        Called for most elements: only the attributes the element has are fetched, and the
        verdicts on class/id and style are memoized (a template repeats its class names).
        """
        if tag in _CHROME_TAGS:
            return True
        keys = el.keys()
        if not keys or _CHROME_ATTRIBUTES.isdisjoint(keys):
            return False
        get = el.get
        cls = get("class") if "class" in keys else None
        ident = get("id") if "id" in keys else None
        if cls or ident:
            names = f"{cls or ''} {ident or ''}"
            hit = _CHROME_NAMES_SEEN.get(names)
            if hit is None:
                hit = _remember(_CHROME_NAMES_SEEN, names, _chrome_names(names))
            if hit:
                return True
        if "style" in keys:
            style = get("style")
            if style:
                hit = _HIDDEN_STYLE_SEEN.get(style)
                if hit is None:
                    low = style.lower()
                    hit = _remember(_HIDDEN_STYLE_SEEN, style, ("display" in low or "visibility" in low)
                                    and _HIDDEN_STYLE.search(low) is not None)
                if hit:
                    return True
        if "hidden" in keys:
            return True
        if "role" in keys:
            role = get("role")
            return bool(role) and role.strip().lower() in _CHROME_ROLES
        return False

    # -- blocks -------------------------------------------------------------

    def blocks(self) -> list[TextBlock | Table]:
        writer = _BlockWriter(self)
        writer.walk(self.container)
        writer.flush()
        return writer.blocks


class _BlockWriter:
    """Walks the article in document order, emitting text blocks and tables."""

    def __init__(self, page: _Page) -> None:
        self.page = page
        self.skip = page.chrome
        self.blocks: list[TextBlock | Table] = []
        self.buf: list[str] = []
        self.n_paragraphs = 0
        self.n_tables = 0

    def flush(self) -> None:
        if not self.buf:
            return
        text = _norm("".join(self.buf))
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
                    for line in _text_of(el).splitlines():
                        buf.append(line)
                        self.flush()
                    walker.skip_subtree()
                    continue
                if tag == "br" or tag in _BLOCK_TAGS:
                    self.flush()
                if el.text:
                    buf.append(el.text)
            else:
                if isinstance(tag, str) and tag in _BLOCK_TAGS:
                    self.flush()
                if el is not top and el.tail:
                    buf.append(el.tail)

    def table(self, table: etree._Element, depth: int) -> None:
        info = self.page._table_info(table)
        self.stray(table, depth)
        if info.layout and depth < _MAX_TABLE_NESTING:
            for row in info.rows:
                for cell in row:
                    self.walk(cell, depth + 1)
                    self.flush()
            return
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
        for part in (table, *(c for c in table if c.tag in _ROW_GROUPS)):
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


def _iso(m: re.Match[str] | None) -> str | None:
    """A matched (year, month, day) as YYYY-MM-DD, or None if it is no calendar date."""
    if m is None:
        return None
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return day.isoformat() if 1990 <= day.year <= 2100 else None
