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

# The search for the splits of a run of digits that add up stops (the row then reads as
# unreadable, "too many readings") after this many steps or this many fitting splits.
MAX_SEARCH_STEPS = 400_000
MAX_CANDIDATES = 10_000


class Token(NamedTuple):  # a tuple: a page makes hundreds, and a frozen dataclass is slow to build
    text: str  # as written (after NFKC)
    location: str


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


def _is_null_text(text: str) -> bool:
    return not any(ch.isdigit() for ch in text)


def _one_piece(token: str) -> bool:
    """``token`` can stand as one number: no leading zero (but "0" and "0.5"), not starting with "."."""
    return bool(token) and token[0] != "." and not (len(token) > 1 and token[0] == "0" and not token.startswith("0."))


def _first_cuts(token: str, parts: int) -> range:
    """Where the first of ``parts`` (> 1) pieces of ``token`` may end: each piece needs a digit of the
    whole part (only the last may carry decimals), and a piece starting with 0 is that 0."""
    if not token or token[0] == ".":
        return range(0)
    whole_digits = token.index(".") if "." in token else len(token)
    return range(1, (1 if token[0] == "0" else whole_digits - (parts - 1)) + 1)


def splits(tokens: list[Token], n: int) -> Iterator[list[Value]]:
    """Every reading of ``tokens`` as exactly ``n`` values, tokens never merged."""
    return _search(tuple(t.text for t in tokens), n, None, None)


class _TooManyReadings(Exception):
    pass


def _search(texts: tuple[str, ...], n: int, group: int | None, budget: list[int] | None) -> Iterator[list[Value]]:
    """The readings of ``texts`` as ``n`` values, depth first: for each token the number of pieces
    ascending, then the cut positions ascending (so the order of readings never changes).

    ``group``: consecutive groups of this many values must each end with the total of the
    others. The search drops a reading as soon as a group fails or its values so far exceed any
    total the digits left could write, and remembers the states (where it is in the digits, how
    many values are placed, the open group's sum) from which nothing fitted, so a long run of
    digits costs what its plausible readings cost, not what all of them do.
    ``budget``: steps left, decremented as the search goes; ``_TooManyReadings`` when spent.
    """
    digits_left = [0] * (len(texts) + 1)
    for i in range(len(texts) - 1, -1, -1):
        t = texts[i]
        digits_left[i] = digits_left[i + 1] + (1 if _is_null_text(t) else len(t.replace(".", "")))
    vals: list[Value] = []
    has_null = any(_is_null_text(t) for t in texts)
    dead: set[tuple] = set()  # states from which no reading fits

    def fits(digits_after: int) -> bool:
        """The group just completed (if one was) adds up; in a group still open, the values so far
        do not already exceed the largest total that the ``digits_after`` still unread can write."""
        if not group:
            return True
        k = len(vals) % group
        if not k:
            return sums_to_last(vals[-group:])
        if has_null or (k == group - 1 and digits_after == 0):
            return True  # a dash may stand for the total: no bound
        # digits the group's total can have: those left, less one for each value still to come
        # before it in the group and each value of the groups after it
        room = digits_after - (group - 1 - k) - (n - (len(vals) - k + group))
        partial = vals[-k:]
        return None in partial or room > 15 or sum(partial) < 10 ** max(room, 0)  # type: ignore[arg-type]

    def state() -> tuple:
        """What the rest of the search depends on, besides the position: the open group."""
        if not group:
            return (len(vals),)
        k = len(vals) % group
        partial = vals[len(vals) - k:]
        return (len(vals), None in partial, sum(v for v in partial if v is not None))

    def step() -> None:
        if budget is not None:
            budget[0] -= 1
            if budget[0] < 0:
                raise _TooManyReadings

    def cut(token: str, parts: int, i: int, slots_after: int) -> Iterator[list[Value]]:
        """Cut the rest of token ``i`` into ``parts`` numbers (no leading zeros; only the last
        piece may carry decimals), then read on from token ``i + 1`` with ``slots_after`` values."""
        step()
        key = ("cut", token, parts, i, slots_after, *state())
        if key in dead:
            return
        found = False
        if parts == 1:
            if not _one_piece(token):
                return
            vals.append(float(token) if "." in token else int(token))
            if fits(digits_left[i + 1]):
                for reading in walk(i + 1, slots_after):
                    found = True
                    yield reading
            vals.pop()
        else:
            for at in _first_cuts(token, parts):
                vals.append(int(token[:at]))
                if fits(len(token) - at - ("." in token) + digits_left[i + 1]):
                    for reading in cut(token[at:], parts - 1, i, slots_after):
                        found = True
                        yield reading
                vals.pop()
        if not found:
            dead.add(key)

    def walk(i: int, slots: int) -> Iterator[list[Value]]:
        step()
        if i == len(texts):
            if slots == 0:
                yield list(vals)
            return
        remaining_tokens = len(texts) - i
        if slots < remaining_tokens or slots > digits_left[i]:
            return
        key = ("walk", i, slots, *state())
        if key in dead:
            return
        found = False
        text = texts[i]
        if _is_null_text(text):
            vals.append(None)
            if fits(digits_left[i + 1]):
                for reading in walk(i + 1, slots - 1):
                    found = True
                    yield reading
            vals.pop()
        else:
            max_parts = min(slots - (remaining_tokens - 1), len(text.replace(".", "")))
            for parts in range(1, max_parts + 1):
                for reading in cut(text, parts, i, slots - parts):
                    found = True
                    yield reading
        if not found:
            dead.add(key)

    return walk(0, n)


@lru_cache(maxsize=4096)
def count_readings(texts: tuple[str, ...], n: int) -> int:
    """How many readings ``splits`` would give, counted without listing them."""

    @cache
    def pieces(token: str, parts: int) -> int:  # ways to cut one token (as _search's cut)
        if parts == 1:
            return int(_one_piece(token))
        return sum(pieces(token[at:], parts - 1) for at in _first_cuts(token, parts))

    @cache
    def ways(i: int, slots: int) -> int:
        if i == len(texts):
            return 1 if slots == 0 else 0
        text = texts[i]
        if _is_null_text(text):
            return ways(i + 1, slots - 1) if slots >= 1 else 0
        max_parts = min(slots - (len(texts) - i - 1), len(text.replace(".", "")))
        return sum(pieces(text, p) * ways(i + 1, slots - p) for p in range(1, max_parts + 1))

    return ways(0, n)


@dataclass
class RowReading:
    """What a row's tokens can mean."""

    values: list[Value] | None  # the one reading, or None when there is none or several
    candidates: list[list[Value]]  # readings that satisfy the row's own arithmetic
    n_unchecked: int  # readings before the arithmetic was applied
    direct: bool  # one token per value: read as written, nothing split
    gave_up: bool = False  # too many readings to search them all: unreadable

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
    total = count_readings(texts, n)
    group = getattr(check, "group", None)
    budget = [MAX_SEARCH_STEPS]
    candidates: list[list[Value]] = []
    try:
        for vals in _search(texts, n, group if group else (n if check is sums_to_last else None), budget):
            if check is None or check(vals):
                candidates.append(vals)
                if len(candidates) > MAX_CANDIDATES:
                    raise _TooManyReadings
    except _TooManyReadings:
        return RowReading(None, [], total, False, gave_up=True)  # too many readings to judge: unreadable
    one = candidates[0] if len(candidates) == 1 else None
    return RowReading(one, candidates, total, False)


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

    check.group = group  # type: ignore[attr-defined]  # lets the search drop a failed group early
    return check
