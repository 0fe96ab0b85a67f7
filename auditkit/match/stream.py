"""The document stream: a reader's layout as one string, and the compact view it is searched in.

``Stream`` lays the text blocks end to end, one mark (``TABLE_MARK``) standing for
each grid table; ``Compact`` is a stretch of that text without spaces and
punctuation, in NFKC form, each character mapped back to its place in the stream.
Labels and titles are searched in the compact view and reported at stream positions.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from auditkit.formats import DROPPED_CLASS, nfkc, norm
from auditkit.layout import Layout, Table, TextBlock
from auditkit.precompiled import compile_re, dataclass

TABLE_MARK = "\ue000"  # stands for a grid table in the document stream
_BLANK_LINES = compile_re(r"\n{2,}")


@dataclass
class Stream:
    """The document as one string: text blocks, and one mark per grid table."""

    text: str
    blocks: list[tuple[int, int, TextBlock | Table]]  # (start, end, block)

    @classmethod
    def of(cls, layout: Layout) -> Stream:
        parts: list[str] = []
        blocks: list[tuple[int, int, TextBlock | Table]] = []
        pos = 0
        for b in layout.blocks:
            piece = b.text if isinstance(b, TextBlock) else TABLE_MARK
            blocks.append((pos, pos + len(piece), b))
            parts.append(piece + "\n")
            pos += len(piece) + 1
        return cls("".join(parts), blocks)

    def location_at(self, pos: int) -> str:
        for start, end, b in self.blocks:
            if start <= pos <= end:
                return b.location
        return ""

    def text_between(self, start: int, end: int, cut: list[tuple[int, int]] = ()) -> str:  # type: ignore[assignment]
        """Running text of a stretch, without table marks and without the ``cut`` spans."""
        pieces: list[str] = []
        at = start  # the next character to keep
        for a, b in sorted(cut):
            a, b = max(a, start), min(b, end)
            if a >= b:
                continue
            if a > at:
                pieces.append(self.text[at:a])
            at = max(at, b)
        if at < end:
            pieces.append(self.text[at:end])
        return _BLANK_LINES.sub("\n", "".join(pieces).replace(TABLE_MARK, "")).strip()


class _OneCharNfkc(dict):
    """``str.translate`` table filled as characters come: each character's NFKC form where that
    is one character (characters outside the Basic Multilingual Plane are kept as they are);
    characters whose form is several are noted in ``multi`` and kept."""

    def __init__(self) -> None:
        super().__init__()
        self.multi: set[str] = set()

    def __missing__(self, code: int) -> int:
        ch = chr(code)
        n = unicodedata.normalize("NFKC", ch) if code <= 0xFFFF else ch
        if len(n) != 1:
            self.multi.add(ch)
            n = ch
        self[code] = ord(n)
        return self[code]


_NFKC_ONE = _OneCharNfkc()
# What the compact view keeps: runs of characters that are neither spaces nor the punctuation
# labels are compared without (``formats.norm``), nor the table mark. (``norm`` also drops list
# numbering, which takes two characters at least: on one character it drops exactly these.)
_KEPT_RUN = compile_re(f"[^{DROPPED_CLASS}{TABLE_MARK}]+")
_DROPPED_RUN = compile_re(f"[{DROPPED_CLASS}{TABLE_MARK}]+")
# numpy's lookup tables take over once a process has read this many characters the pure-Python
# way: numpy (about 0.1 s to import) and its tables cost less only over a long batch of long
# texts (crawler copies); a web page's short stream and tables need nothing loaded. Both paths
# give the same view.
_NUMPY_AFTER = 300_000
_pure_chars = [0]  # characters read the pure-Python way so far in this process


@lru_cache(maxsize=1)
def _compact_luts():
    """Lookup tables over the Basic Multilingual Plane for the compact view, built once.

    ``target``: the code point's NFKC form where that is one character (else itself);
    ``multi``: NFKC gives several characters (the slow path handles those texts);
    ``dropped``: the NFKC form is a space or punctuation, or the table mark.
    """
    import numpy as np

    normalize = unicodedata.normalize
    target = list(range(0x10000))
    multi: list[int] = []
    for code in range(0x80, 0x10000):  # ASCII is its own NFKC form
        if 0xD800 <= code <= 0xDFFF:
            continue
        n = normalize("NFKC", chr(code))
        if len(n) != 1:
            multi.append(code)
        else:
            target[code] = ord(n)
    # What the compact view drops, judged on the NFKC form (only punctuation and spaces below
    # U+3100 are dropped: the ideographs above are all kept).
    drop_target = [False] * 0x10000
    low = "".join(map(chr, range(0x3100)))
    for m in _DROPPED_RUN.finditer(low):
        drop_target[m.start():m.end()] = [True] * (m.end() - m.start())
    drop_target[ord(TABLE_MARK)] = True
    target_arr = np.array(target, dtype=np.uint32)
    # (a few compatibility ideographs have their NFKC form outside the plane: kept)
    dropped = np.array(drop_target, dtype=bool)[np.minimum(target_arr, 0xFFFF)] & (target_arr <= 0xFFFF)
    multi_arr = np.zeros(0x10000, dtype=bool)
    multi_arr[multi] = True
    dropped[multi_arr] = False
    return target_arr, multi_arr, dropped




@lru_cache(maxsize=65536)
def _kept_chars(ch: str) -> str:
    """What a character contributes to the compact view: its NFKC form less spaces and punctuation."""
    return "".join(c for c in nfkc(ch) if not c.isspace() and c != TABLE_MARK and (c.isdigit() or norm(c)))


@dataclass
class Compact:
    """A whitespace- and punctuation-free view of text, mapped back to positions."""

    text: str
    pos: list[int]

    @classmethod
    def of(cls, text: str, offset: int = 0) -> Compact:
        if len(text) > 100 and (_pure_chars[0] > _NUMPY_AFTER or _compact_luts.cache_info().currsize):
            return cls._by_tables(text, offset)
        _pure_chars[0] += len(text)
        # Character by character NFKC (not the whole text's: that would compose across
        # characters and lose the one-to-one positions): a text already in NFKC needs none
        # (no character of it changes alone); another is translated by a table filled as its
        # characters come. Then the kept runs, found by one regular expression, in C.
        if not unicodedata.is_normalized("NFKC", text):
            table = _NFKC_ONE
            mapped = text.translate(table)
            if table.multi and not table.multi.isdisjoint(text):
                return cls._one_by_one(text, offset)
            text = mapped
        chars: list[str] = []
        pos: list[int] = []
        for m in _KEPT_RUN.finditer(text):
            a, b = m.span()
            chars.append(m.group())
            pos.extend(range(a + offset, b + offset))
        return cls("".join(chars), pos)

    @classmethod
    def _by_tables(cls, text: str, offset: int) -> Compact:
        """A long text through numpy's lookup tables (same view as the pure-Python path)."""
        # Character by character NFKC (not the whole text's: that would compose across
        # characters and lose the one-to-one positions), by numpy lookup tables: str.translate
        # or unicodedata over a whole CJK text cost more than everything else the matcher does.
        import numpy as np

        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        target, multi, dropped = _compact_luts()
        bmp = np.minimum(codes, 0xFFFF)  # U+FFFF maps to itself, is never dropped nor multiple
        wide = codes > 0xFFFF  # characters outside the tables' plane are kept as they are
        if not multi[bmp].any():
            kept = np.flatnonzero(~dropped[bmp])
            out = np.where(wide, codes, target[bmp])[kept].astype(np.uint32)
            return cls(out.tobytes().decode("utf-32-le"), (kept + offset).tolist())
        return cls._one_by_one(text, offset)

    @staticmethod
    def text_of(text: str) -> str:
        """``Compact.of(text).text``, without the positions."""
        if not unicodedata.is_normalized("NFKC", text):
            table = _NFKC_ONE
            mapped = text.translate(table)
            if table.multi and not table.multi.isdisjoint(text):
                return Compact._one_by_one(text, 0).text
            text = mapped
        return "".join(_KEPT_RUN.findall(text))

    @classmethod
    def _one_by_one(cls, text: str, offset: int) -> Compact:
        """A text with characters whose NFKC form is several (⑴, ㎡): character by character."""
        chars: list[str] = []
        pos: list[int] = []
        kept_chars = _kept_chars
        for i, ch in enumerate(text):
            for c in kept_chars(ch):
                chars.append(c)
                pos.append(offset + i)
        return cls("".join(chars), pos)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of compact [start, end)."""
        return self.pos[start], self.pos[end - 1] + 1
