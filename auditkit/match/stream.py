"""The document stream: a reader's layout as one string, and the compact view it is searched in.

``Stream`` lays the text blocks end to end, one mark (``TABLE_MARK``) standing for
each grid table; ``Compact`` is a stretch of that text without spaces and
punctuation, in NFKC form, each character mapped back to its place in the stream.
Labels and titles are searched in the compact view and reported at stream positions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from auditkit.formats import nfkc, norm
from auditkit.layout import Layout, Table, TextBlock

TABLE_MARK = "\ue000"  # stands for a grid table in the document stream
_BLANK_LINES = re.compile(r"\n{2,}")


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
    for t in range(0x3100):
        c = chr(t)
        drop_target[t] = c.isspace() or (not c.isdigit() and norm(c) == "")
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
