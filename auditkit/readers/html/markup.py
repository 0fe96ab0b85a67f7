"""What the HTML reader knows of markup and its text, used by every stage: which tags
start a new line, a table's row groups, a section heading, an element's text, and
whitespace collapsed as a browser renders it.
"""

from __future__ import annotations

import re

from lxml import etree

from auditkit.precompiled import compile_re

# Elements that start a new line of text. Anything else is inline (span, font, a, o:p...).
BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "section", "article", "main", "center", "address", "figure",
    "figcaption", "header", "footer", "nav", "aside", "form", "fieldset", "legend", "hr",
    "table", "caption", "tr", "td", "th", "thead", "tbody", "tfoot", "body", "html",
})

# Row groups, and the <form> that ASP.NET pages wrap around rows.
ROW_GROUPS = frozenset({"thead", "tbody", "tfoot", "form"})
SECTION_HEADING = compile_re(r"[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]")

# Whitespace runs (incl. &nbsp;, ideographic space) and zero-width characters.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_WS_RUN = compile_re(rf"[\s{_ZERO_WIDTH}]+")


def is_ideograph(ch: str) -> bool:
    """A CJK ideograph (extension A, unified, compatibility). Tested in code, not with a regular
    expression: a character class of ~27,000 code points costs ~2 ms to compile, at every start-up."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def text_of(el: etree._Element) -> str:
    """All the text inside ``el``, as written."""
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


def collapse_space(s: str) -> str:
    """Collapse whitespace as a browser renders it and trim the padding."""
    s = s.strip()
    if not s or s.isalnum():  # letters, digits and ideographs only: nothing to collapse
        return s
    # What _WS_RUN would find, tested in C (a paragraph of Chinese has no whitespace at all).
    if (len(s.split(None, 1)) > 1 or "\u200b" in s or "\u200c" in s or "\u200d" in s
            or "\u2060" in s or "\ufeff" in s):
        s = _WS_RUN.sub(_ws_replace, s).strip()
    return s
