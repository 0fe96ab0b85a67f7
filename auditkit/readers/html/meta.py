"""What a page states about its article outside the article's body: the title, the
publication date and the publisher, from ``<meta>`` tags, ``<title>``, the info bar
above the article (发布时间, 来源) or, failing those, the article's own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from auditkit.precompiled import compile_re
from auditkit.readers.html.article import Article
from auditkit.readers.html.markup import SECTION_HEADING, collapse_space, is_ideograph, text_of

# \d matches full-width digits too, and int() reads them.
_DATE = r"(?<!\d)(\d{4})\s*[-/.年－／．]\s*(\d{1,2})\s*[-/.月－／．]\s*(\d{1,2})(?!\d)"
_DATE_RE = compile_re(_DATE)

# A date the page labels as its publication date...
_PUBLISHED_LABEL = compile_re(r"(?:发布|公开|发表|发稿|刊发|上网)(?:时间|日期)\s*[:：]?\s*" + _DATE)

# ...or a bare 时间/日期 label: not 成文日期, 生效日期, 更新时间, 当前时间, 统计时间... (_BARE_LABELS
# after an ideograph are no labels: see _label_matches)
_DATE_LABEL = compile_re(r"(?:时间|日期)\s*[:：]\s*" + _DATE)
_PUBLISHER_LABEL = compile_re(
    r"(?:(?:发布机构|发布单位|发文机关|发文单位|信息来源)\s*[:：]?|来源\s*[:：])\s*"
    r"([^\s:：|｜【】\[\]]{2,60}?)"
    r"(?=\s|$|[|｜【\[]|(?:发布|时间|日期|作者|浏览|点击|访问|阅读|字号|分享|打印|编辑|索引|文号|主题|分类)"
    r"\S{0,4}?\s*[:：])"
)
_BARE_LABELS = ("时间", "日期", "来源")
_DATE_HINT = compile_re(r"date|time|fbsj|fbrq|publish|pubtime")
_TITLE_SEPARATOR = compile_re(r"\s*(?:_|\||｜|--|——|－{1,2}|\s-\s)\s*")
_META_TITLE = ("articletitle", "og:title")  # a bare "title" meta is often the site's name
_META_PUBLISHED = ("pubdate", "publishdate", "publish_date", "publishtime", "publish-date",
                   "firstpublishedtime", "article:published_time", "dcterms.issued", "dc.date.issued",
                   "releasedate", "dc.date")
_META_PUBLISHER = ("contentsource", "dc.publisher", "publisher")


def head_meta(root: etree._Element) -> dict[str, str]:
    """The page's ``<meta>`` values by name, property or itemprop (the first of each), and its
    ``<title>`` as "<title>"."""
    found: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        content = collapse_space(m.get("content") or "")
        if key and content and key not in found:
            found[key] = content
    title = root.find("head/title")
    if title is None:
        title = root.find(".//title")
    if title is not None:
        text = collapse_space(text_of(title))
        if text:
            found["<title>"] = text
    return found


def page_meta(head: dict[str, str], article: Article) -> dict[str, str]:
    """Title, publication date and publisher, as far as the page states them."""
    out: dict[str, str] = {}
    title = _title(head, article)
    if title:
        out["title"] = title
    page_text = text_of(article.body)
    inside = text_of(article.container)
    # The page's own statements are outside the article, nearest first: the info bar
    # just before it (a sidebar may list other articles' dates further up), then after it.
    # The article's text is only a fallback (a fragment, an info table pasted inside).
    before, _, after = page_text.partition(inside) if inside else (page_text, "", "")
    outside = (before, after)
    published = _published(head, article, outside, inside)
    if published:
        out["published"] = published
    publisher = _publisher(head, outside, inside)
    if publisher:
        out["publisher"] = publisher
    return out


def _title(head: dict[str, str], article: Article) -> str | None:
    for key in _META_TITLE:
        if key in head:
            return head[key]
    page_title = head.get("<title>")
    if page_title:
        # The article's heading, if <title> confirms it (the heading before the article).
        parts = [p for p in _TITLE_SEPARATOR.split(page_title) if p]
        longest = max(parts, key=len) if parts else page_title
        for el in _headings_before(article):
            text = collapse_space(text_of(el))
            # Not the site's name in the banner: the heading must be the whole article title.
            if 2 * len(text) >= len(longest) and len(text) <= 200 and (
                    text in page_title or page_title in text):
                return text
        return longest
    for el in article.container.iter("h1"):
        text = collapse_space(text_of(el))
        if text and not SECTION_HEADING.match(text):  # "一、总体情况" is no title
            return text
    return None


_HEADING_TAGS = frozenset({"h1", "h2", "h3"})


def _headings_before(article: Article) -> Iterator[etree._Element]:
    """Heading-like elements that come before the article in the page, nearest first. (Pages put
    the article's title just before it: the walk back mostly stops within a few elements, where a
    walk from the top of the page went through all its menus first.)"""
    chrome = article.chrome
    get = etree._Element.get
    for el in _elements_before(article.body, article.container):
        if el.tag in _HEADING_TAGS:
            if el not in chrome:
                yield el
            continue
        # most elements have neither attribute: two C calls, then nothing
        cls, ident = get(el, "class"), get(el, "id")
        if ((cls and "title" in cls.lower()) or (ident and "title" in ident.lower())) and el not in chrome:
            yield el


def _elements_before(body: etree._Element, el: etree._Element) -> Iterator[etree._Element]:
    """The elements (no comments) of ``body``, itself included, that come before ``el`` in document
    order, nearest first: each earlier sibling's subtree backwards, then the parent, and so up to ``body``."""
    node = el
    while node is not body:
        for sibling in node.itersiblings(etree.Element, preceding=True):
            yield from reversed(list(sibling.iter(etree.Element)))
        node = node.getparent()
        if node is None:
            return
        yield node


def _published(head: dict[str, str], article: Article, outside: tuple[str, str], inside: str) -> str | None:
    for key in _META_PUBLISHED:
        value = head.get(key)
        if value:
            iso = _iso(_DATE_RE.search(value))
            if iso:
                return iso
    before, after = outside
    for pattern, text, nearest_last in ((_PUBLISHED_LABEL, before, True), (_PUBLISHED_LABEL, after, False),
                                        (_DATE_LABEL, before, True), (_DATE_LABEL, after, False),
                                        (_PUBLISHED_LABEL, inside, False)):
        found = [iso for iso in map(_iso, _label_matches(pattern, text)) if iso]
        if found:
            return found[-1] if nearest_last else found[0]
    return _dated_element(article)


def _dated_element(article: Article) -> str | None:
    """An unlabelled date in the article's info bar: <span class="date">2024-03-08</span>.

    Only the nearest such element before the article, outside links and list items
    (where sidebars list other articles with their dates).
    """
    found = None
    for el in article.body.iter():
        if el is article.container:
            break
        tag = el.tag
        if not isinstance(tag, str) or tag in ("a", "li") or el in article.chrome:
            continue
        names = f"{tag} {el.get('class') or ''} {el.get('id') or ''}".lower()
        if not _DATE_HINT.search(names):
            continue
        text = collapse_space(text_of(el))
        m = _DATE_RE.search(text) if len(text) <= 40 else None
        if m and _iso(m) and el.find(".//a") is None and not any(
                a.tag in ("a", "li") or a in article.chrome for a in el.iterancestors()):
            found = _iso(m)
    return found


def _publisher(head: dict[str, str], outside: tuple[str, str], inside: str) -> str | None:
    for key in _META_PUBLISHER:
        if head.get(key):
            return head[key]
    before, after = outside
    for text, nearest_last, bare_source_ok in ((before, True, True), (after, False, True),
                                               (inside, False, False)):
        found = []
        for m in _label_matches(_PUBLISHER_LABEL, text):
            # Inside the article "来源：" is too common ("资金来源：") to mean the publisher.
            if not bare_source_ok and m.group(0).lstrip().startswith("来源"):
                continue
            value = m.group(1)
            if any(map(is_ideograph, value)) and not _DATE_RE.search(value):
                found.append(value)
        if found:
            return found[-1] if nearest_last else found[0]
    return None


def _label_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` where a match starting with a bare label (时间, 日期, 来源) right after an
    ideograph is no match (成文日期, 更新时间, 资金来源): the lookbehind ``(?<![\u3400-\u9fff])`` tested in
    code. In the pattern it would stand before the labels and keep ``re`` from skipping ahead to
    their first characters: over a page's ~80,000 characters of text the search took 2-3x as long."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if start and "\u3400" <= text[start - 1] <= "\u9fff" and m.group(0).startswith(_BARE_LABELS):
            pos = start + 1  # no match here: the search goes on from the next character, as finditer's
            continue
        yield m
        pos = m.end()


def _iso(m: re.Match[str] | None) -> str | None:
    """A matched (year, month, day) as YYYY-MM-DD, or None if it is no calendar date."""
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]):
        return None
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# Days in each month of a leap year (29 February is checked against the year): a web page's
# reading does not load the datetime module, whose pure-Python half runs at every import.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
