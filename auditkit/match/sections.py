"""Sections and format detection: where the six section titles stand, and which format the report follows.

Section titles are found in order in the compact view, typos tolerated (a title
worded otherwise gets a ``label_variant`` diagnostic); each section runs from its
title to the next one. The format (2019 or 2021) is told by the words only one
format's tables use, the report year breaking a tie.
"""

from __future__ import annotations

import re
from functools import lru_cache

from auditkit.errors import DiagnosticCode
from auditkit.formats import FORMAT_MARKERS, norm, sections
from auditkit.match.similarity import ratio
from auditkit.match.stream import Compact, Stream
from auditkit.precompiled import compile_re, dataclass
from auditkit.record import Diagnostic

FUZZY_TITLE = 80  # similarity ratio (rapidfuzz's) for a section title that differs from the official wording


@dataclass
class SectionHit:
    """Where a section's title stands in the stream."""

    key: str
    start: int  # where the title starts in the stream
    end: int  # where the title ends


def find_sections(stream: Stream, view: Compact, diags: list[Diagnostic]) -> dict[str, SectionHit]:
    """Locate the six section titles in order, tolerating typos in their wording."""
    hits: dict[str, SectionHit] = {}
    cursor = 0
    for sec in sections():
        words = norm(sec.words)
        found = None
        pattern = compile_re(re.escape(sec.numeral) + re.escape(words))
        m = pattern.search(view.text, cursor)
        if m:
            found = (m.start(), m.end(), False)
        else:
            best = (0.0, 0, 0)
            for m2 in compile_re(re.escape(sec.numeral)).finditer(view.text[cursor:]):
                s = cursor + m2.end()
                for extra in range(-2, 4):
                    candidate = view.text[s:s + len(words) + extra]
                    score = ratio(norm(candidate), words)
                    if score > best[0]:
                        best = (score, cursor + m2.start(), s + len(words) + extra)
            if best[0] >= FUZZY_TITLE:
                found = (best[1], best[2], True)
        if not found:
            diags.append(Diagnostic(DiagnosticCode.MISSING_SECTION, f"未找到第{sec.numeral}部分标题「{sec.title}」"
                                    f" (section title not found)", key=f"section.{sec.key}"))
            continue
        start, end = view.span(found[0], found[1])
        text = stream.text[start:end]
        hits[sec.key] = SectionHit(sec.key, start, end)
        cursor = found[1]
        if found[2]:
            diags.append(Diagnostic(DiagnosticCode.LABEL_VARIANT, f"部分标题与格式不一致：「{text}」应为「{sec.title}」"
                                    f" (section title differs from the official wording)",
                                    key=f"section.{sec.key}", found=text, location=stream.location_at(start)))
    return hits


def section_ranges(stream: Stream, hits: dict[str, SectionHit]) -> dict[str, tuple[int, int]]:
    ordered = sorted(hits.values(), key=lambda h: h.start)
    out = {}
    for i, h in enumerate(ordered):
        end = ordered[i + 1].start if i + 1 < len(ordered) else len(stream.text)
        out[h.key] = (h.end, end)
    return out


@lru_cache(maxsize=1)
def _format_markers() -> dict[str, tuple[str, ...]]:
    return {name: tuple(norm(m) for m in markers) for name, markers in FORMAT_MARKERS.items()}


def detect_format(compact: str, year: int | None, diags: list[Diagnostic]) -> str:
    """2021 or 2019, by the words only one format's tables use; the year breaks a tie."""
    scores = {name: sum(m in compact for m in markers) for name, markers in _format_markers().items()}
    if scores["2021"] != scores["2019"]:
        return max(scores, key=lambda k: scores[k])
    if year is not None:
        return "2021" if year >= 2021 else "2019"
    diags.append(Diagnostic(DiagnosticCode.FORMAT_GUESS, "无法判断报告格式，按2021年版格式读取 (format not recognised; read "
                            "as the 2021 format)"))
    return "2021"
