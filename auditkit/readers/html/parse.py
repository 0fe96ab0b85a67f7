"""The page's bytes decoded (declared charset, then the bytes themselves) and parsed
by libxml2 into an element tree.
"""

from __future__ import annotations

import codecs

from lxml import etree

from auditkit.errors import ReadError, ReadReason
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


def _parse(data: bytes) -> etree._Element | None:
    # collect_ids=False: no table of id attributes (nothing here looks elements up by id).
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              no_network=True, huge_tree=True, collect_ids=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ReadError(ReadReason.CORRUPT, f"网页无法解析 (cannot parse HTML: {detail})") from None


def parse_page(data: bytes) -> etree._Element | None:
    """The page's element tree, or None for a page with nothing in it; ``ReadError`` when
    its encoding cannot be told or libxml2 cannot parse it."""
    return _parse(_utf8(data))
