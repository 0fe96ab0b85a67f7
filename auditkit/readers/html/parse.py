"""The page's bytes decoded (declared charset, then the bytes themselves) and parsed
by libxml2 into an element tree.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from auditkit.errors import ReadError, ReadReason
from auditkit.precompiled import compile_re
from auditkit.readers.encoding import declared_charset, decode_bytes

_UTF8_PIECE = 1 << 14  # bytes decoded at a time by _is_utf8


def _utf8(data: bytes) -> bytes:
    """The document as UTF-8 bytes for libxml2 (which then ignores any declared charset)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    # Valid UTF-8 with Chinese in it is UTF-8 whatever the page declares: CMS templates
    # often keep a stale "gb2312" declaration after the site moved to UTF-8.
    if not _is_utf8(data):
        data = decode_bytes(data, declared_charset(data)).encode("utf-8", errors="replace")
    return data.replace(b"\x00", b"") if b"\x00" in data else data


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


# Container and inline tags: where a page nests them deeper than libxml2 goes (2,048 levels even
# with huge_tree), the ones beyond _KEEP_DEPTH open are taken out — a block's edges becoming line
# breaks — so the page reads whole with its outer structure (the article, the chrome) kept.
# (a pattern source: compiled, and cached by ``re``, only for such a page, not at every start-up)
_CONTAINER = (rb"<\s*(/?)\s*(div|p|center|section|article|main|header|footer|nav|aside|blockquote|ul|ol|"
              rb"li|dl|dt|dd|h[1-6]|form|fieldset|address|span|font|b|strong|i|em|u|a|small|big|sub|sup|"
              rb"label|ins|del|s|strike|tt|abbr|acronym|cite|code|q|var|nobr)\b"
              rb"(?:\"[^\"]*\"|'[^']*'|[^'\">])*>")
_INLINE = frozenset(b"span font b strong i em u a small big sub sup label ins del s strike tt abbr acronym cite code q "
                    b"var nobr".split())
_KEEP_DEPTH = 512


def _flatten_excess(data: bytes) -> bytes:
    """``data`` with its container tags never closed taken out, and of the rest those nested
    beyond ``_KEEP_DEPTH`` (a closing tag closes the nearest open one of its name, as browsers
    do); a block's edges become line breaks."""
    tags = list(compile_re(_CONTAINER, re.IGNORECASE).finditer(data))
    # which opening tags are ever closed (unclosed <div>s and <font>s are what nest a page so deep)
    closed: set[int] = set()
    stack: list[tuple[bytes, int]] = []
    for k, m in enumerate(tags):
        name = m.group(2).lower()
        if not m.group(1):
            stack.append((name, k))
            continue
        at = next((j for j in range(len(stack) - 1, -1, -1) if stack[j][0] == name), None)
        if at is not None:
            closed.add(stack[at][1])
            del stack[at:]
    out: list[bytes] = []
    kept: list[tuple[bytes, bool]] = []  # open tags still in the output's nesting: name, kept
    depth = 0  # of them, those kept
    pos = 0
    for k, m in enumerate(tags):
        name = m.group(2).lower()
        if not m.group(1):
            keep = k in closed and depth < _KEEP_DEPTH
            if k in closed:
                kept.append((name, keep))
                depth += keep
        else:
            at = next((j for j in range(len(kept) - 1, -1, -1) if kept[j][0] == name), None)
            keep = at is not None and kept[at][1]
            if at is not None:
                depth -= sum(x for _, x in kept[at:])
                del kept[at:]
        out.append(data[pos:m.start()])
        out.append(m.group(0) if keep else b"" if name in _INLINE else b"<br>")
        pos = m.end()
    out.append(data[pos:])
    return b"".join(out)


def _parse(data: bytes) -> etree._Element | None:
    root, stopped = _parse_once(data)
    if stopped and "depth" in stopped.lower():
        # Thousands of unclosed <div>/<font> before the tables: libxml2 stops there and would
        # hand on half a page. The page with its excess nesting flattened holds all its text.
        root, stopped = _parse_once(_flatten_excess(data))
        if stopped:
            raise ReadError(ReadReason.TOO_LARGE, f"网页元素嵌套过深，无法完整读取，拒绝只读半个页面 (HTML nested too deep to "
                            f"read whole: {stopped})")
    elif stopped:
        raise ReadError(ReadReason.CORRUPT, f"网页解析中断，无法完整读取 (HTML parser stopped: {stopped})")
    return root


def _parse_once(data: bytes) -> tuple[etree._Element | None, str]:
    """The tree, and why libxml2 stopped before the end (a fatal error it logs and otherwise
    ignores, handing on what it read so far), or ""."""
    # collect_ids=False: no table of id attributes (nothing here looks elements up by id).
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True, huge_tree=True, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ReadError(ReadReason.CORRUPT, f"网页无法解析 (cannot parse HTML: {detail})") from None
    fatal = [e for e in parser.error_log if e.level == etree.ErrorLevels.FATAL]
    return root, " ".join(fatal[0].message.split())[:200] if fatal else ""


def parse_page(data: bytes) -> etree._Element | None:
    """The page's element tree, or None for a page with nothing in it; ``ReadError`` when
    its encoding cannot be told, libxml2 cannot parse it, or would read only part of it."""
    return _parse(_utf8(data))
