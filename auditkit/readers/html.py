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

from auditkit.layout import Cell, Layout, ReadError, Table, TextBlock, expand_spans
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
# Labels of the 政府信息公开 metadata table above an article (索引号, 发布机构, 生成日期...).
_ABOUT_PAGE = re.compile(r"索引号|发布机构|发文机关|生成日期|成文日期|发布日期|公开日期|主题分类|文号|"
                         r"公开方式|公开范围|有效性|信息来源|所属机构|信息分类")
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
        raise ReadError("empty", "网页没有正文 (HTML page has no body text)")
    try:
        page = _Page(root)
        blocks = page.blocks()
        meta = page.meta() if blocks else {}
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as exc:
        # No parser error may escape: the batch reports a reason per document and goes on.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ReadError("corrupt", f"网页无法解析 (cannot read HTML: {detail})") from exc
    if not blocks:
        raise ReadError("empty", "网页没有正文 (HTML page has no body text)")
    return Layout(source=str(path), kind="html", blocks=blocks, meta=meta)


# ---------------------------------------------------------------------------
# Bytes and tree


def _utf8(data: bytes) -> bytes:
    """The document as UTF-8 bytes for libxml2 (which then ignores any declared charset)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        # Valid UTF-8 with Chinese in it is UTF-8 whatever the page declares: CMS templates
        # often keep a stale "gb2312" declaration after the site moved to UTF-8.
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = decode_bytes(data, declared_charset(data)).encode("utf-8", errors="replace")
    return data.replace(b"\x00", b"") if b"\x00" in data else data


def _parse(data: bytes) -> etree._Element | None:
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ReadError("corrupt", f"网页无法解析 (cannot parse HTML: {detail})") from None


def _count_text(entry: list, text: str, in_link: int) -> None:
    """Add a text node to a counts entry: [element, text, link text, prose, headings]."""
    text = text.strip()
    n = len(text)
    if not n:
        return
    entry[1] += n
    if in_link:
        entry[2] += n
        return
    if n >= _PROSE and _PROSE_MARK.search(text):
        entry[3] += n
    if _SECTION_HEADING.match(text):
        entry[4] += 1


def _is_column(el: etree._Element) -> bool:
    """A page column: floated, or named left/right/col... (fl and fr are float classes)."""
    style = el.get("style")
    if style and "float" in style.lower():
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(names.strip()) and bool(_words(names) & _COLUMN_WORDS)


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
    if not s:
        return ""
    if _WS_RUN.search(s):
        s = _WS_RUN.sub(_ws_replace, s).strip()
    return s


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute: 1 if absent or junk, 0 kept (rowspan=0: to the end)."""
    if not value:
        return 1
    m = re.match(r"\s*(\d+)", value)
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
    walker = etree.iterwalk(td, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if el is not td:
                if not isinstance(tag, str):
                    continue
                if tag == "table":
                    nested.append(el)
                    pieces.append(_BREAK)
                    walker.skip_subtree()
                    continue
                if tag == "br" or tag in _BLOCK_TAGS:
                    pieces.append(_BREAK)
            if el.text:
                pieces.append(el.text)
        elif el is not td:
            if isinstance(tag, str) and tag in _BLOCK_TAGS:
                pieces.append(_BREAK)
            if el.tail:
                pieces.append(el.tail)
    lines_text = (_norm(line) for line in "".join(pieces).split(_BREAK))
    return "\n".join(line for line in lines_text if line)


class _TableInfo:
    """A table read once: its rows, cell texts, and whether it is page layout or data."""

    __slots__ = ("about_page", "layout", "nested", "reportish", "rows", "size", "texts")

    def __init__(self, table: etree._Element) -> None:
        self.rows = _table_rows(table)
        self.texts: list[list[str]] = []
        self.nested: list[etree._Element] = []  # tables inside this one's cells
        self.size = 0  # characters of cell text
        n_cells = nonempty = nested = long_cells = longest = numeric = labels = 0
        wrapper = False  # a cell holding both a table and text of its own
        for row in self.rows:
            texts = []
            for cell in row:
                n_cells += 1
                before = len(self.nested)
                text, length = self._read_cell(cell)
                texts.append(text)
                self.size += length
                if len(self.nested) > before:
                    nested += 1
                    nonempty += 1
                    wrapper = wrapper or length > _WRAPPER_TEXT
                    continue
                if not length:
                    continue
                nonempty += 1
                if length > longest:
                    longest = length
                if length > _LONG_CELL:
                    long_cells += 1
                elif _NUMERIC.fullmatch(text):
                    numeric += 1
                elif _CJK_PAIR.search(text):
                    labels += 1
            self.texts.append(texts)
        # A page grid: a single column or a single filled cell; cells holding tables, or a
        # table and text; cells holding whole paragraphs. Data tables are none of these.
        self.layout = (nonempty <= 1 or all(len(row) <= 1 for row in self.rows) or wrapper
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
        # element -> [element, text, link text, prose, headings] in its subtree: characters
        # (non-whitespace; prose: sentences and data tables) and section headings
        counts: dict[etree._Element, list] = {}
        chrome: list[etree._Element] = []
        related: list[etree._Element] = []  # elements starting "相关链接", "相关文章"...
        stack: list[list] = []
        in_link = 0
        walker = etree.iterwalk(body, events=("start", "end"))
        for event, el in walker:
            tag = el.tag
            if event == "start":
                if not isinstance(tag, str):
                    stack.append([el, 0, 0, 0, 0])
                    continue
                if tag == "table":
                    info = self._table_info(el)
                    if not info.layout:
                        # A data table is never the container nor inside it: count it whole,
                        # as substance that the article must not be cut away from; unless it
                        # is the page's 索引号/发布机构 table, which describes the article.
                        stack.append([el, info.size, 0, info.size, 0])
                        if info.about_page:
                            chrome.append(el)
                        walker.skip_subtree()
                        continue
                elif tag == "a" and el.get("href") is not None:  # <a name=...> is no link
                    in_link += 1
                entry = [el, 0, 0, 0, 0]
                stack.append(entry)
                if el.text:
                    _count_text(entry, el.text, in_link)
                    if not in_link and _RELATED.match(el.text.lstrip()):
                        related.append(el)
                if el is not body and self._looks_like_chrome(el, tag):
                    chrome.append(el)
            else:
                entry = stack.pop()
                counts[el] = entry
                if tag == "a" and el.get("href") is not None:
                    in_link -= 1
                if stack:
                    parent = stack[-1]
                    parent[1] += entry[1]
                    parent[2] += entry[2]
                    parent[3] += entry[3]
                    parent[4] += entry[4]
                    if el.tail:
                        _count_text(parent, el.tail, in_link)
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
        dropped_set = {el for el in chrome if not self._keep(el, counts[el], body_total, report_ancestors)}
        for el in dropped_set:
            ancestors = list(el.iterancestors())
            if any(a in dropped_set for a in ancestors):
                continue  # inside chrome that goes anyway
            self.chrome.add(el)
            _, total, link, prose, headings = counts[el]
            for a in ancestors:
                c = counts.get(a)
                if c is None:
                    break
                c[1] -= total
                c[2] -= link
                c[3] -= prose
                c[4] -= headings

        def content(el: etree._Element) -> int:
            c = counts[el]
            return c[1] - c[2]

        # Walk down from <body> towards the article, one child at a time, while the child
        # holds (a) most of the page's text and prose, or (b) most of its parent's text with
        # no prose or data beside it (the rest is a title, an info bar, a contact line), and
        # never leaving a section heading behind. Text lying directly in the elements left
        # behind is dropped only up to a small budget and never if it is prose: unclosed tags
        # nest a whole article one paragraph per level.
        total, total_prose = content(body), counts[body][3]
        container = node = body
        dropped = 0
        while total > 0:
            kids = [k for k in node if k in counts and k not in self.chrome]
            if not kids:
                break
            best = max(kids, key=content)
            here, there = counts[node], counts[best]
            best_content = there[1] - there[2]
            prose_beside = here[3] - there[3]
            # Columns (a sidebar of notices beside the article) may hold more.
            prose_loss = _PROSE_LOSS_COLUMNS if node.tag == "tr" or _is_column(best) else _PROSE_LOSS
            most_of_page = (best_content >= _ARTICLE_SHARE * total
                            and prose_beside <= prose_loss * total_prose)
            most_of_parent = 2 * best_content > here[1] - here[2] and prose_beside <= 0
            if not (most_of_page or most_of_parent) or here[4] > there[4]:
                break
            dropped += here[1] - here[2] - sum(content(k) for k in kids)
            if dropped > _DIRECT_TEXT_BUDGET or here[3] > sum(counts[k][3] for k in kids):
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
        # Called for every element: plain attribute gets and substring tests first.
        if tag in _CHROME_TAGS:
            return True
        if not len(el.attrib):
            return False
        get = el.get
        style = get("style")
        if style:
            low = style.lower()
            if ("display" in low or "visibility" in low) and _HIDDEN_STYLE.search(low):
                return True
        if get("hidden") is not None:
            return True
        role = get("role")
        if role and role.strip().lower() in _CHROME_ROLES:
            return True
        cls, ident = get("class"), get("id")
        if not cls and not ident:
            return False
        names = f"{cls or ''} {ident or ''}"
        if not _CHROME_HINT.search(names.lower()):
            return False
        words = _words(names)
        if words & _CONTENT_WORDS:
            return False
        return bool(words & _CHROME_WORDS) or any(
            w.endswith(("nav", "menu")) or w.startswith(("nav", "menu")) for w in words)

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
        rows: list[list[Cell]] = []
        n_rows = len(info.rows)
        for r, (row, texts) in enumerate(zip(info.rows, info.texts, strict=True)):
            cells = []
            for td, text in zip(row, texts, strict=True):
                rowspan = _span(td.get("rowspan"), 65534)
                # rowspan=0 spans to the end; a span past the last row stops there.
                rowspan = n_rows - r if rowspan == 0 else min(rowspan, n_rows - r)
                colspan = max(_span(td.get("colspan"), 1000), 1)
                cells.append(Cell(text, "", rowspan, colspan))
            rows.append(cells)
        if any(cell.text for row in rows for cell in row):
            self.n_tables += 1
            n = self.n_tables
            grid = expand_spans(rows)
            for r, grid_row in enumerate(grid):
                for c, cell in enumerate(grid_row):
                    if cell is not None and not cell.location:
                        cell.location = f"table {n}, row {r + 1}, col {c + 1}"
            for r, row in enumerate(rows):  # a cell wholly overlapped by a neighbour's span
                for cell in row:
                    if not cell.location:
                        cell.location = f"table {n}, row {r + 1}"
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
