"""Finding the article in an agency's CMS page: page chrome (menus, headers, footers,
breadcrumbs, share bars, related links, hidden elements, the 索引号 table) marked, and
the element that holds the article chosen by walking down from ``<body>`` while one
child holds most of the page's non-link text (or most of its parent's, with no prose,
section heading or data table beside it), widened if a report table sits beside it.
"""

from __future__ import annotations

from itertools import islice

from lxml import etree

from auditkit.precompiled import compile_re, dataclass
from auditkit.readers.html.markup import SECTION_HEADING
from auditkit.readers.html.tables import TableInfo, read_table

# Thresholds (counts are non-whitespace characters).
_ARTICLE_SHARE = 0.75  # the article holds at least this share of the page's non-link text...
_PROSE_LOSS = 0.1  # ...and leaves at most this share of its prose outside
_PROSE_LOSS_COLUMNS = 0.3
_DIRECT_TEXT_BUDGET = 60  # text lying directly in the wrappers around the article
_CHROME_MAX_SHARE = 0.5  # chrome holding more than this is really the article: keep it
_CHROME_MAX_PROSE = 200
_PROSE = 20  # a text run this long with Chinese sentence punctuation is prose

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
_CHROME_HINT = compile_re(r"nav|menu|head|top|foot|bottom|crumb|posit|locat|weizhi|dqwz|share|"
                          r"fenxiang|qr|ewm|erweima|side|copyright|tool|pag|fanye|link|yqlj|"
                          r"xglj|relat|relev|search|login|weather|banner")

# ...unless the same class/id also names the article ("content_head" is not chrome).
_CONTENT_WORDS = frozenset({"content", "article", "main", "text", "zoom", "detail", "body", "zw",
                            "zhengwen", "wenzhang", "artibody", "editor", "report"})
_COLUMN_WORDS = frozenset({"left", "right", "fl", "fr", "col", "column", "lside", "rside", "leftside",
                           "rightside", "main", "primary"})
_RELATED = compile_re(r"相关(?:链接|文章|阅读|新闻|稿件|信息|文件|推荐)|延伸阅读|推荐阅读")
_RELATED_START = frozenset("相延推")
_WORD_SPLIT = compile_re(r"[^a-z0-9]+")
_CAMEL = compile_re(r"([a-z0-9])([A-Z])")
_HIDDEN_STYLE = compile_re(r"display\s*:\s*none|visibility\s*:\s*hidden")
_HEADING_START = frozenset("一二三四五六七八九十（(")  # what a SECTION_HEADING match starts with


def _has_prose_mark(text: str) -> bool:
    """Chinese sentence punctuation (。，；) in ``text``: three substring tests, each a fast scan,
    where a regular expression's character class stepped through scripts and styles of 90,000
    characters at a fifth of a millisecond per page."""
    return "。" in text or "，" in text or "；" in text


# Memoized verdicts on attribute values, bounded: cleared when full, long values not kept.
_CHROME_NAMES_SEEN: dict[str, bool] = {}
_HIDDEN_STYLE_SEEN: dict[str, bool] = {}
_SEEN_MAX = 4096
_SEEN_MAX_KEY = 512


@dataclass(slots=True)
class Article:
    """Where the article lies in a page, and what the walk found on the way."""

    body: etree._Element
    container: etree._Element  # the element holding the article
    chrome: set[etree._Element]  # page chrome that goes (outermost elements): never walked
    tables: dict[etree._Element, TableInfo]  # every table met, read once


def find_article(body: etree._Element) -> Article:
    """The page chrome marked and the element that holds the article chosen."""
    tables: dict[etree._Element, TableInfo] = {}
    page_chrome: set[etree._Element] = set()
    # element -> [is a link, text, link text, prose, headings] in its subtree: characters
    # (non-whitespace; prose: sentences and data tables) and section headings
    counts: dict[etree._Element, list] = {}
    chrome: list[etree._Element] = []  # 索引号 tables, related links (added below)
    # Elements that look like chrome, outermost only: what is inside one is looked at
    # only if it stays (below), as most chrome goes whole.
    flagged: list[etree._Element] = []
    related: list[etree._Element] = []  # elements starting "相关链接", "相关文章"...
    # flagged elements counted whole, their insides not walked (walked only if they stay)
    counted_whole: set[etree._Element] = set()
    _walk(body, body, counts, tables, chrome, flagged, related, counted_whole)
    body_total = counts[body][1]
    # Chrome goes unless it holds most of the page's text, a section heading, paragraphs of
    # prose or a report table: then it is article that a template named "head" or such.
    report_ancestors = [set(t.iterancestors()) | {t} for t, info in tables.items()
                        if info.reportish]
    keep = _keep
    for el in counted_whole:
        if keep(el, counts[el], body_total, report_ancestors):
            _walk(el, body, counts, tables, chrome, flagged, related, None)  # it stays: its inside counts
    # A "相关链接：" heading and the list of links it sits in (up to two levels up).
    for el in related:
        for cand in (el, *islice(el.iterancestors(), 2)):
            c = counts.get(cand)
            if c is None or cand is body:
                break
            if c[2] and 2 * c[2] >= c[1]:
                chrome.append(cand)
                break

    looks_like_chrome = _looks_like_chrome
    dropped_set = {el for el in (*flagged, *chrome) if not keep(el, counts[el], body_total, report_ancestors)}
    for top in flagged:
        if top in dropped_set:
            continue
        # It stays: the chrome inside it (a share bar in an article named "head") goes.
        for el in top.iterdescendants():
            if el not in counts:
                continue  # inside a data table: not walked
            tag = el.tag
            if not isinstance(tag, str) or (tag == "table" and not tables[el].layout):
                continue  # a data table is no chrome by its looks (see the walk)
            if looks_like_chrome(el, tag) and not keep(el, counts[el], body_total, report_ancestors):
                dropped_set.add(el)
    for el in dropped_set:
        ancestors = list(el.iterancestors())
        if not dropped_set.isdisjoint(ancestors):
            continue  # inside chrome that goes anyway
        page_chrome.add(el)
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
    chrome_set = page_chrome
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
        if tag in _PARAGRAPH_TAGS or (tag == "table" and not read_table(tables, best).layout):
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
    return Article(body, container, page_chrome, tables)

def _walk(top: etree._Element, body: etree._Element, counts: dict, tables: dict, chrome: list, flagged: list,
          related: list, counted_whole: set | None) -> None:
    """Count ``top``'s subtree into ``counts``; flag the outermost elements that look like chrome
    (none inside ``top`` when ``top`` is chrome itself); with ``counted_whole``, a flagged element
    holding no table is counted whole in one go and its inside left unwalked."""
    flagged_open = top if top is not body else None  # the flagged element the walk is in
    # The walk's stack of entries, each the element's counts once its subtree is done.
    stack: list[list] = []
    in_link = sum(1 for a in top.iterancestors("a") if a.get("href") is not None)
    looks_like_chrome = _looks_like_chrome
    heading_start = _HEADING_START
    walker = etree.iterwalk(top, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            if not isinstance(tag, str):
                stack.append([False, 0, 0, 0, 0])
                continue
            if tag == "table":
                info = read_table(tables, el)
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
            if flagged_open is None and el is not body and looks_like_chrome(el, tag):
                flagged.append(el)
                flagged_open = el
                if counted_whole is not None and in_link == entry[0] and next(el.iter("table"), None) is None:
                    # Most chrome goes whole: its counts in one go, its inside walked only if it stays.
                    _count_whole(el, entry)
                    counted_whole.add(el)
                    walker.skip_subtree()
                    continue
            text = el.text
            if text:
                text = text.strip()
                if text:
                    n = len(text)
                    entry[1] = n
                    if in_link:
                        entry[2] = n
                    else:
                        if n >= _PROSE and _has_prose_mark(text):
                            entry[3] = n
                        first = text[0]
                        if first in heading_start and SECTION_HEADING.match(text):
                            entry[4] = 1
                        if first in _RELATED_START and _RELATED.match(text):
                            related.append(el)
        else:
            if el is flagged_open and el is not top:
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
                            if n >= _PROSE and _has_prose_mark(tail):
                                parent[3] += n
                            if tail[0] in heading_start and SECTION_HEADING.match(tail):
                                parent[4] += 1


# A subtree's text nodes, and those inside its links (each node once, however links nest). The text
# outside links is the difference: two walks in libxml2 instead of an ancestor test per node, and
# plain strings (lxml's default "smart" strings each hold a reference to their element).
_ALL_TEXT = etree.XPath(".//text()", smart_strings=False)
_LINK_TEXT = etree.XPath(".//a[@href]//text()", smart_strings=False)


def _count_whole(el: etree._Element, entry: list) -> None:
    """``el``'s subtree counted as the walk would count it (``el`` holds no table and lies in no
    link): text, link text, prose and section headings. (Its 相关链接 go with it, or are found
    when it stays and is walked.)"""
    total, prose, headings = _text_counts(_ALL_TEXT(el))
    if el.tag == "a" and el.get("href") is not None:  # a link itself: all its text is link text
        entry[1], entry[2], entry[3], entry[4] = total, total, 0, 0
        return
    link, link_prose, link_headings = _text_counts(_LINK_TEXT(el))
    entry[1], entry[2], entry[3], entry[4] = total, link, prose - link_prose, headings - link_headings


def _text_counts(texts: list[str]) -> tuple[int, int, int]:
    """Characters (each text node stripped), of them prose, and section headings, over ``texts``."""
    heading_start = _HEADING_START
    total = prose = headings = 0
    for t in texts:
        t = t.strip()
        if t:
            n = len(t)
            total += n
            if n >= _PROSE and _has_prose_mark(t):
                prose += n
            if t[0] in heading_start and SECTION_HEADING.match(t):
                headings += 1
    return total, prose, headings


def _keep(el: etree._Element, count: list, body_total: int, report_ancestors: list[set]) -> bool:
    """Chrome that holds most of the page's text, a section heading, paragraphs of prose or
    a report table is article that a template named "head" or such: it stays."""
    _, total, _link, prose, headings = count
    return (total >= _CHROME_MAX_SHARE * body_total or headings > 0 or prose >= _CHROME_MAX_PROSE
            or any(el in anc for anc in report_ancestors))

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


def _is_column(el: etree._Element) -> bool:
    """A page column: floated, or named left/right/col... (fl and fr are float classes)."""
    style = el.get("style")
    if style and "float" in style.lower():
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(names.strip()) and bool(_words(names) & _COLUMN_WORDS)
