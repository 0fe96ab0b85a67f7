"""What the read worker works out from a report's text and the record keeps: the figures the text
states, and (in memory only) the n-grams of the sections the repetition check compares.

Both are a function of the text alone, so they are worked out where the report is read, in the
parallel workers, instead of when a batch is validated. They are used while the record's texts
(and, for the figures, its year) are the ones they were read from: the very same strings, or
texts with the same checksum (a record read back from JSON Lines); otherwise they are read again.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from auditkit.narrative.figures import extract_figures
from auditkit.narrative.metrics import StatedFigure
from auditkit.narrative.repetition import shingles_many

if TYPE_CHECKING:
    import numpy as np

# Bumped whenever what ``extract_figures`` finds changes: a record's stored figures of another
# version are extracted again.
FIGURES_VERSION = 3
REPEATED_SECTIONS = ("overview", "problems")  # 一、总体情况 and 五、存在的主要问题: compared with last year's


def _fingerprint(sections: dict[str, str]) -> int:
    """A checksum of the texts the figures were read from (so that edited texts are read again)."""
    crc = 0
    for key in sorted(sections):
        crc = zlib.crc32(f"{key}\x1e{sections[key] or ''}\x1f".encode(), crc)
    return crc


def read_figures(sections: dict[str, str], year: int | None, grams: bool = True) -> dict[str, Any]:
    """What a record keeps of its text (``Report.figures``): the figures it states; and, not
    written, the very strings read and (``grams``: for an audit, which compares them) the
    n-grams of the sections compared with last year's."""
    out = {"version": FIGURES_VERSION, "year": year, "texts": _fingerprint(sections),
           "items": [list(f) for f in extract_figures(sections, year)], "_texts": tuple(sections.values())}
    if grams:
        found = shingles_many([sections.get(s) or "" for s in REPEATED_SECTIONS])
        out["_grams"] = dict(zip(REPEATED_SECTIONS, found, strict=True))
    return out


def _same_texts(sections: dict[str, str], stored: dict[str, Any]) -> bool:
    texts, now = stored.get("_texts"), tuple(sections.values())
    if texts is not None and len(texts) == len(now) and all(a is b for a, b in zip(texts, now, strict=True)):
        return True
    if stored.get("texts") == _fingerprint(sections):
        stored["_texts"] = now  # known at a glance next time
        return True
    return False


def figure_items(sections: dict[str, str], year: int | None, stored: dict[str, Any] | None) -> list[Sequence[Any]]:
    """The stated figures, each a ``StatedFigure`` or the list a record keeps of one (same order of
    fields): those read with the report while its texts and year are the ones they were read from,
    else read now. For a batch's frames, which need few of them as objects."""
    if stored and stored.get("version") == FIGURES_VERSION and stored.get("year") == year \
            and _same_texts(sections, stored):
        return stored["items"]
    return extract_figures(sections, year)  # type: ignore[return-value]


def figures_of(sections: dict[str, str], year: int | None, stored: dict[str, Any] | None) -> list[StatedFigure]:
    """The stated figures (see ``figure_items``) as ``StatedFigure``s."""
    return [f if isinstance(f, StatedFigure) else StatedFigure._make(f) for f in figure_items(sections, year, stored)]


def grams_of(sections: dict[str, str], stored: dict[str, Any] | None) -> dict[str, np.ndarray] | None:
    """The n-grams of the compared sections worked out when the report was read, if still its texts'."""
    if stored and "_grams" in stored and _same_texts(sections, stored):
        return stored["_grams"]
    return None
