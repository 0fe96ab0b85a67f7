"""When an OCR'd number is refused: the doubt rule.

A line of text that reads as a number (digits, perhaps with letters that look like
digits, separators and a unit) is refused — written as ``OCR_DOUBT`` and kept as
"what was seen" — when any of these holds:

- a character is a letter that looks like a digit (o O b l I …): the model saw a
  digit-like shape and could not say which digit;
- a digit's (or a decimal point's) probability is below ``MIN_PROB``;
- the runner-up class of a digit is another digit with probability above ``MAX_ALT``;
- CTC left a digit-class peak under a blank (a character may have been swallowed);
- the count of tall ink marks in the line differs from the count of digits read
  (a digit dropped, doubled or merged — CTC collapses "00" when it misses the blank);
- red seal ink covers more than ``MAX_RED`` of the number's box.

Thresholds were set on degraded scans of the samples (issue 15's prototype, 2,658 readings): the
3 wrong readings seen there all lay under a seal, read at 0.64-0.99, so probability alone does not
protect and the seal signal is needed; every wrong reading was refused, with ~4% of the right ones.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from auditkit.precompiled import dataclass
from auditkit.readers.ocr.engine import RecLine

OCR_DOUBT = "\u2370"

MIN_PROB = 0.90
MAX_ALT = 0.05
MAX_DROPPED = 0.30
MAX_RED = 0.02

DIGITS = set("0123456789")
LOOKALIKES = set("oOQDbBlIi|!zZsSgqGTUu〇口()[]")
SEPARATORS = set(".,%")
DASHES = set("-—–－―─/／\\")
UNITS = set("件个条项次人元万")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def looks_numeric(text: str) -> bool:
    """Digits (or digit look-alikes) with at most separators, dashes and a unit around them."""
    t = nfkc(text).replace(" ", "")
    if not t or not any(ch in DIGITS or ch in LOOKALIKES for ch in t):
        return False
    if not any(ch in DIGITS for ch in t) and len(t) > 3:
        return False  # a word in Latin letters, not a number read wrong
    return all(ch in DIGITS or ch in LOOKALIKES or ch in SEPARATORS or ch in DASHES or ch in UNITS for ch in t)


@dataclass
class Verdict:
    seen: str
    reasons: list[str]

    @property
    def doubtful(self) -> bool:
        return bool(self.reasons)

    def describe(self) -> str:
        return f"「{self.seen}」: " + ", ".join(self.reasons)


def judge(line: RecLine, *, red_share: float = 0.0, tall_marks: int | None = None,
          touches_border: bool = False) -> Verdict:
    reasons: list[str] = []
    n_digits = 0
    for c in line.chars:
        ch = nfkc(c.ch)
        if ch in LOOKALIKES:
            reasons.append(f"{c.ch} {c.prob:.2f} letter for digit")
            n_digits += 1
        elif ch in DIGITS:
            n_digits += 1
            if c.prob < MIN_PROB:
                reasons.append(f"{c.ch} {c.prob:.2f} low confidence")
            elif nfkc(c.alt) in DIGITS and nfkc(c.alt) != ch and c.alt_prob > MAX_ALT:
                reasons.append(f"{c.ch} or {c.alt} ({c.alt_prob:.2f})")
        elif ch in ".,":
            if c.prob < MIN_PROB:
                reasons.append(f"'{c.ch}' {c.prob:.2f} low confidence")
    for ch, p, _x in line.dropped:
        if nfkc(ch) in DIGITS and p > MAX_DROPPED:
            reasons.append(f"{ch} {p:.2f} possibly dropped")
    if red_share > MAX_RED:
        reasons.append(f"red seal over {red_share:.0%} of the number")
    # more marks than digits: one was dropped (CTC collapses "00" when it misses the blank). Fewer:
    # blurred digits touching each other (harmless), unless the number touches the border, where a
    # sliver of the ruling may have been read as an extra "1"
    if tall_marks is not None and n_digits and (tall_marks > n_digits or (tall_marks < n_digits and touches_border)):
        reasons.append(f"{tall_marks} marks but {n_digits} digits read")
    return Verdict(line.text, reasons)


def tall_marks(ink: np.ndarray, band_h: int) -> int:
    """Connected ink marks at least 45% of the line's height (digits; not points or commas)."""
    import cv2

    n, _lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n <= 1:
        return 0
    rows = np.flatnonzero(ink.any(1))
    band_h = int(rows[-1] - rows[0] + 1)  # the print's own height, not the padded box's
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    # marks stacked above one another (a broken stroke) count once: group by x overlap
    boxes = sorted((int(x), int(x + w)) for (x, _y, w, h, _a) in stats[1:] if h >= 0.45 * band_h)
    count, end = 0, -1
    for a, b in boxes:
        if a >= end - 1:
            count += 1
            end = b
        else:
            end = max(end, b)
    return count if len(hs) else 0


def doubtful_runs(line: RecLine) -> list[tuple[int, int, str]]:
    """In a line that is not a number (running text, a label), the runs of digits to refuse:
    (start, end, why) over ``line.chars``; a run is digits with the look-alike letters touching them."""
    out = []
    chars = line.chars
    i = 0
    while i < len(chars):
        if nfkc(chars[i].ch) not in DIGITS:
            i += 1
            continue
        a = i
        while a > 0 and nfkc(chars[a - 1].ch) in LOOKALIKES:
            a -= 1
        b = i
        while b < len(chars) and (nfkc(chars[b].ch) in DIGITS or nfkc(chars[b].ch) in LOOKALIKES
                                  or (chars[b].ch in ".," and b + 1 < len(chars) and nfkc(chars[b + 1].ch) in DIGITS)):
            b += 1
        why = []
        for c in chars[a:b]:
            ch = nfkc(c.ch)
            if ch in LOOKALIKES:
                why.append(f"{c.ch} {c.prob:.2f} letter for digit")
            elif c.prob < MIN_PROB:
                why.append(f"{c.ch} {c.prob:.2f} low confidence")
            elif ch in DIGITS and nfkc(c.alt) in DIGITS and nfkc(c.alt) != ch and c.alt_prob > MAX_ALT:
                why.append(f"{c.ch} or {c.alt} ({c.alt_prob:.2f})")
        if why:
            seen = "".join(c.ch for c in chars[a:b])
            out.append((a, b, f"「{seen}」: " + ", ".join(why)))
        i = b
    return out
