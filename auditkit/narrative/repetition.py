"""How much of a text repeats an earlier one: character n-grams ("shingles") and their overlap.

Copied wording ("内容雷同") is what a reader sees when most of this year's 4-grams also occur in
last year's text; digits are folded so that "2023年" and "2024年" match.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
# numpy is imported where the n-grams are worked out: reading a report without them (``auditkit
# parse``) must not pay for it.


def _keep(cp: np.ndarray) -> np.ndarray:
    """Letters, digits and CJK: what wording is made of (punctuation and spaces are not)."""
    low = cp | 0x20
    return (((cp >= 0x4E00) & (cp <= 0x9FFF)) | ((cp >= 0x30) & (cp <= 0x39)) | ((low >= 0x61) & (low <= 0x7A))
            | ((cp >= 0xFF10) & (cp <= 0xFF19)) | ((cp >= 0x3400) & (cp <= 0x4DBF)))


_FNV = 0x01000193  # the 32-bit FNV prime


_END = "\ue000"  # a private-use character marks where each text ends in the joined stream


@lru_cache(maxsize=1)
def _fold_table() -> np.ndarray:
    """For every code point: itself when wording is made of it, "0" for any digit, 0 when dropped
    (one lookup per character instead of a dozen comparisons over the whole batch's text); the
    end-of-text mark is kept, so that each text's n-grams are found between two of them."""
    import numpy as np

    cp = np.arange(0x110000, dtype=np.uint32)
    digit = ((cp >= 0x30) & (cp <= 0x39)) | ((cp >= 0xFF10) & (cp <= 0xFF19))
    table = np.where(digit, np.uint32(0x30), np.where(_keep(cp), cp, np.uint32(0))).astype(np.uint32)
    table[ord(_END)] = ord(_END)
    return table


def shingles_many(texts: Sequence[str], n: int = 4) -> list[np.ndarray]:
    """Distinct character n-grams of each text, as sorted 32-bit hashes; punctuation and spaces
    dropped, digits folded (so "2023年" and "2024年" match). One vectorised pass over all texts."""
    import numpy as np

    if not texts:
        return []
    joined = _END.join(texts) + _END
    if joined.count(_END) != len(texts):  # the mark is no wording: a text holding it loses nothing
        joined = _END.join(t.replace(_END, "") for t in texts) + _END
    folded = _fold_table()[np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)]
    folded = folded[folded != 0]
    ends = np.flatnonzero(folded == ord(_END)).tolist()  # text t's characters lie before ends[t]
    m = len(folded) - n + 1
    out: list[np.ndarray] = [np.zeros(0, dtype=np.uint32)] * len(texts)
    if m <= 0:
        return out
    h = folded[:m].copy()
    for k in range(1, n):
        h *= np.uint32(_FNV)
        h ^= folded[k:k + m]  # a 32-bit hash; collisions among a report's grams are negligible
    start = 0
    for t, end in enumerate(ends):
        b = end - n + 1  # grams that start and end inside text t
        if b > start:
            g = np.sort(h[start:b])
            out[t] = g[np.concatenate(([True], g[1:] != g[:-1]))]
        start = end + 1
    return out


def shingles(text: str, n: int = 4) -> np.ndarray:
    """Distinct character n-grams of one text (see ``shingles_many``)."""
    return shingles_many([text or ""], n)[0]


def containment(a: np.ndarray, b: np.ndarray) -> float | None:
    """Share of the sorted distinct n-grams ``a`` found in ``b``; None when either is too short."""
    import numpy as np

    if len(a) < 20 or len(b) < 20:
        return None
    i = np.searchsorted(b, a)
    i[i >= len(b)] = 0
    return float((b[i] == a).sum()) / len(a)


def similarity(text: str, earlier: str, n: int = 4) -> float | None:
    """Share of ``text``'s character 4-grams that also occur in ``earlier`` (0..1).

    This is the overlap a reader sees as copied wording ("内容雷同"); texts too
    short to compare give ``None``.
    """
    return containment(shingles(text, n), shingles(earlier, n))
