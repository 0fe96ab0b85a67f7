"""Reading the numbers of one table row, and splitting digits that ran together.

Crawler copies flatten a table's cells: ``191000020`` for the seven cells
19, 1, 0, 0, 0, 0, 20. The split is found with the table's own arithmetic, and
only when exactly one split fits is it taken. This module knows numbers, not
report formats: the caller says how many values a row holds and which sums
must hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from auditkit.formats import nfkc

Value = int | float | None
RowCheck = Callable[[list[Value]], bool]

NULL_MARKERS = {"—", "–", "-", "－", "/", "／", "无", "\\", "、", "×", "x", "X", "--", "——", "―", "─", "一"}
_UNIT = re.compile(r"(件|个|条|项|次|人次|万元|元|%|％)$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# A token inside a run of values: a number (digits, optional decimals) or a null marker.
_TOKEN = re.compile(r"\d+(?:\.\d+)?|—+|–+|－+|-+|/|／|无")
# Characters a run of values may hold; anything else ends the run.
VALUE_CHARS = set("0123456789.,—–-－/／ \t\u3000\xa0\n")

MAX_COMBINATIONS = 200_000


class Token(NamedTuple):  # a tuple: a page makes hundreds, and a frozen dataclass is slow to build
    text: str  # as written (after NFKC)
    location: str

    @property
    def is_null(self) -> bool:
        return not any(ch.isdigit() for ch in self.text)


@lru_cache(maxsize=65536)
def parse_number(text: str) -> tuple[str, Value]:
    """Classify one cell's text: ("number", v), ("blank", None), ("dash", None) or ("text", None)."""
    t = nfkc(text).strip().replace(" ", "").replace("\xa0", "")
    if not t:
        return "blank", None
    t = _UNIT.sub("", t)
    if t in NULL_MARKERS or set(t) <= {"-", "—", "–", "－", "―", "─"}:
        return "dash", None
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    if _NUMBER.match(t):
        return "number", (float(t) if "." in t else int(t))
    return "text", None


def tokens_of(text: str, location: str) -> list[Token]:
    """The value tokens of a stretch of text; whitespace separates tokens for certain."""
    return [Token(t, location) for t in _token_texts(text)]


@lru_cache(maxsize=65536)
def _token_texts(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _TOKEN.finditer(nfkc(text)))


@lru_cache(maxsize=16384)
def _pieces(token: str, parts: int) -> tuple[tuple[Value, ...], ...]:
    """Every way to cut one digit token into ``parts`` numbers (no leading zeros)."""
    return tuple(tuple(p) for p in _cut(token, parts))


def _cut(token: str, parts: int) -> Iterator[list[Value]]:
    if not token or token[0] == ".":
        return
    if parts == 1:
        if len(token) > 1 and token[0] == "0" and not token.startswith("0."):
            return
        yield [float(token) if "." in token else int(token)]
        return
    # Only the last piece may carry the decimal part; each earlier piece needs a digit.
    whole_digits = token.index(".") if "." in token else len(token)
    cut_max = 1 if token[0] == "0" else whole_digits - (parts - 1)
    for cut in range(1, cut_max + 1):
        for rest in _pieces(token[cut:], parts - 1):
            yield [int(token[:cut]), *rest]


def splits(tokens: list[Token], n: int) -> Iterator[list[Value]]:
    """Every reading of ``tokens`` as exactly ``n`` values, tokens never merged."""
    digits_left = [0] * (len(tokens) + 1)
    for i in range(len(tokens) - 1, -1, -1):
        t = tokens[i].text
        digits_left[i] = digits_left[i + 1] + (1 if tokens[i].is_null else len(t.replace(".", "")))

    def walk(i: int, slots: int) -> Iterator[list[Value]]:
        if i == len(tokens):
            if slots == 0:
                yield []
            return
        remaining_tokens = len(tokens) - i
        if slots < remaining_tokens or slots > digits_left[i]:
            return
        tok = tokens[i]
        if tok.is_null:
            for rest in walk(i + 1, slots - 1):
                yield [None, *rest]
            return
        max_parts = min(slots - (remaining_tokens - 1), len(tok.text.replace(".", "")))
        for parts in range(1, max_parts + 1):
            for head in _pieces(tok.text, parts):
                for rest in walk(i + 1, slots - parts):
                    yield [*head, *rest]

    return walk(0, n)


@dataclass
class RowReading:
    """What a row's tokens can mean."""

    values: list[Value] | None  # the one reading, or None when there is none or several
    candidates: list[list[Value]]  # readings that satisfy the row's own arithmetic
    n_unchecked: int  # readings before the arithmetic was applied
    direct: bool  # one token per value: read as written, nothing split

    @property
    def needed_arithmetic(self) -> bool:
        return not self.direct and self.n_unchecked > 1


def read_row(tokens: list[Token], n: int, check: RowCheck | None) -> RowReading:
    """Read ``n`` values from ``tokens``; split run-together digits only when certain."""
    if len(tokens) != n and 0 < len(tokens) < n:
        return _read_split(tuple(t.text for t in tokens), n, check)
    if len(tokens) == n:
        values: list[Value] = []
        for tok in tokens:
            kind, v = parse_number(tok.text)
            values.append(v if kind == "number" else None)
        return RowReading(values, [values], 1, True)
    return RowReading(None, [], 0, False)


@lru_cache(maxsize=4096)
def _read_split(texts: tuple[str, ...], n: int, check: RowCheck | None) -> RowReading:
    tokens = [Token(t, "") for t in texts]
    candidates: list[list[Value]] = []
    seen = 0
    for vals in splits(tokens, n):
        seen += 1
        if seen > MAX_COMBINATIONS:
            return RowReading(None, [], seen, False)  # too many readings to judge: unreadable
        if check is None or check(vals):
            candidates.append(vals)
    one = candidates[0] if len(candidates) == 1 else None
    return RowReading(one, candidates, seen, False)


def sums_to_last(values: list[Value]) -> bool:
    """A row whose last value is the total of the others (the requests table's 总计)."""
    if any(v is None for v in values):
        return True  # nothing to check against; a blank is not a contradiction
    return abs(sum(values[:-1]) - values[-1]) < 1e-9  # type: ignore[arg-type,operator]


@cache
def grouped_sums(group: int) -> RowCheck:
    """Each consecutive group of ``group`` values ends with the total of the group."""

    def check(values: list[Value]) -> bool:
        return all(sums_to_last(values[i:i + group]) for i in range(0, len(values), group))

    return check
