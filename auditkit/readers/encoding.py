"""Decoding the bytes of text and web documents: declared charset, then the bytes.

Chinese government sites serve UTF-8, GBK and GB18030 side by side, often with
a wrong or missing declaration. GB18030 is a superset of GBK and GB2312, so it
reads both; charset-normalizer breaks the remaining ties.
"""

from __future__ import annotations

import codecs
import re

from auditkit.errors import ReadError, ReadReason
from auditkit.precompiled import compile_re

_GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312"}
_META_CHARSET = compile_re(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB, if any."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def _normal_codec(name: str) -> str | None:
    name = name.lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode a document's bytes to text or raise ``ReadError(ReadReason.UNKNOWN_ENCODING)``."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    tried: list[str] = []
    # Strict UTF-8 first: CMS templates keep stale gb2312 declarations on UTF-8 pages,
    # and GBK text practically never forms valid UTF-8.
    for name in ("utf-8", declared, "gb18030"):
        codec = _normal_codec(name) if name else None
        if not codec or codec in tried:
            continue
        tried.append(codec)
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    # Neither strict UTF-8 nor GB18030: let charset-normalizer judge (e.g. Big5, or
    # a GBK page with a few broken bytes), accepting only a confident CJK reading.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and best.chaos < 0.2:
        return str(best)
    # A page that is GB18030 but for a handful of bad bytes: keep it, marking them.
    text = data.decode("gb18030", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 2000):
        return text
    raise ReadError(ReadReason.UNKNOWN_ENCODING, "无法识别文字编码 (unknown text encoding: not UTF-8, GBK/GB18030 or a "
                                                 "detectable charset)")
