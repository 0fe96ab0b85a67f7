"""Reading the numbers of one table row: what a cell holds, and digits that ran together.

A cell holds a number (``12``, ``１２``, ``1,234``, ``0件``, ``-12``), nothing (blank), a
dash (``—``, ``/``, ``无``), or something that is not a count (``8%``, ``(8)``, ``八``,
``l2``): each is told apart here, and the caller decides per column what a number may
be (only a change from the year before may be negative). Crawler copies flatten a
table's cells (``191000020`` for 19, 1, 0, 0, 0, 0, 20): ``read_row`` reads a row's
tokens as written when there is one per cell, takes the one reading the digit count
leaves, and otherwise lists the readings that satisfy the row's own arithmetic
(``auditkit.splits`` searches them). This module knows numbers, not report formats:
the caller says how many values a row holds, which sums must hold and which cells may
be negative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from functools import cache, lru_cache
from typing import NamedTuple

from auditkit.formats import nfkc
from auditkit.precompiled import compile_re, dataclass
from auditkit.splits import (
    MAX_CANDIDATES,
    UNSETTLED,
    Budget,
    TooManyReadings,
    Value,
    all_readings,
    count_readings,
    fitting_readings,
    piece_value,
    settled_values,
)

__all__ = ["MAX_CANDIDATES", "NULL_MARKERS", "OCR_DOUBT", "UNSETTLED", "VALUE_CHARS", "Budget", "RowCheck", "RowReading", "Token",
           "Value", "count_readings", "grouped_sums", "parse_number", "read_row", "splits", "sums_to_last", "tokens_of"]

RowCheck = Callable[[list[Value]], bool]

# What the OCR reader writes for a number it could not read for certain (scans): the value is null
# with an ``ocr_doubtful`` diagnostic, never a guess; the cell's ``doubt`` says what was seen.
OCR_DOUBT = "\u2370"  # ⍰
NULL_MARKERS = {"—", "–", "-", "－", "/", "／", "无", "\\", "、", "×", "x", "X", "--", "——", "―", "─", "一"}
_DASHES = {"-", "—", "–", "－", "―", "─"}
# Minus signs NFKC leaves alone: a number written with one is negative.
_SIGNS = str.maketrans({"−": "-", "‐": "-", "‑": "-", "﹣": "-"})
_UNIT = compile_re(r"(件|个|条|项|次|人次|万元|元)$")
_THOUSANDS = compile_re(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = compile_re(r"^[+-]?\d+(\.\d+)?$")
# Cell texts that stand where a count stands but are not one.
_NOT_A_COUNT = (
    compile_re(r"^[+-]?\d[\d,]*(\.\d+)?%$"),  # a percentage
    compile_re(r"^\([+-]?\d[\d,]*(\.\d+)?\)$"),  # a bracketed figure: a negative in accounts, or a note
    compile_re(r"^[零〇○一二两三四五六七八九十百千万]+$"),  # Chinese numerals (一 alone is a dash)
    compile_re(r"^(?=.*[OoIl])[\dOoIl]{1,6}$"),  # letters typed for digits: O for 0, l or I for 1
)
# A token inside a run of values: a number (a sign or a percent sign stuck to it) or a dash.
_TOKEN = compile_re(r"[+-]?\d+(?:\.\d+)?%?|—+|–+|－+|-+|/|／|无|\u2370")
_SIGNED = compile_re(r"^[+-]\d")
# Characters a run of values may hold; anything else ends the run.
VALUE_CHARS = set("0123456789.,—–-－/／+%− \t\u3000\xa0\n\u2370")


class Token(NamedTuple):  # a tuple: a page makes hundreds, and a frozen dataclass is slow to build
    text: str  # as written (after NFKC)
    location: str


def _clean(text: str) -> str:
    return nfkc(text).translate(_SIGNS).strip().replace(" ", "").replace("\xa0", "")


@lru_cache(maxsize=65536)
def parse_number(text: str) -> tuple[str, Value]:
    """Classify one cell's text: ("number", v), ("blank", None), ("dash", None), ("not_a_count", None)
    for a figure that is not a count (``8%``, ``(8)``, ``八``, ``l2``), ("doubt", None) for a number OCR
    refused (``OCR_DOUBT``), or ("text", None)."""
    t = _clean(text)
    if not t:
        return "blank", None
    if not t.replace(OCR_DOUBT, ""):  # only the mark: a label holding one (⍰.本机关…) stays text
        return "doubt", None
    t = _UNIT.sub("", t)
    if t in NULL_MARKERS or set(t) <= _DASHES:
        return "dash", None
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    if _NUMBER.match(t):
        return "number", (float(t) if "." in t else int(t))
    if any(p.match(t) for p in _NOT_A_COUNT):
        return "not_a_count", None
    return "text", None


def tokens_of(text: str, location: str) -> list[Token]:
    """The value tokens of a stretch of text; whitespace separates tokens for certain.

    A cell that holds one token is read whole: ``1,234`` is one number (commas at thousands
    places), ``-12`` one signed number, ``8%`` or ``八`` one thing that is not a count."""
    whole = _whole_token(text)
    if whole is not None:
        return [Token(whole, location)]
    return [Token(t, location) for t in _token_texts(text)]


@lru_cache(maxsize=65536)
def _whole_token(text: str) -> str | None:
    t = nfkc(text).strip()
    if not t or any(ch.isspace() for ch in t):
        return None
    kind, _ = parse_number(t)
    if kind == "not_a_count":
        return t
    if kind == "number" and ("," in t or _SIGNED.match(t.translate(_SIGNS))):
        return _UNIT.sub("", t)
    return None


@lru_cache(maxsize=65536)
def _token_texts(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _TOKEN.finditer(nfkc(text).translate(_SIGNS)))


def signed_token(text: str) -> bool:
    """A number written with a sign: ``-12``, ``+5``, ``−8``."""
    return bool(_SIGNED.match(_clean(text)))


def splits(tokens: list[Token], n: int) -> list[list[Value]]:
    """Every reading of ``tokens`` as exactly ``n`` values, tokens never merged."""
    return [[piece_value(p) for p in r] for r in all_readings(tuple(t.text for t in tokens), n, limit=None)]


@dataclass
class RowReading:
    """What a row's tokens can mean."""

    values: list[Value] | None  # the one reading (forced by the digits, or the only one that fits), else None
    candidates: list[list[Value]]  # readings that satisfy the row's own arithmetic (all readings without one)
    n_unchecked: int  # readings before the arithmetic was applied
    direct: bool  # one token per value: read as written, nothing split
    gave_up: bool = False  # too many readings to search them all, or the document's budget spent: unreadable
    why: str = ""  # why the run cannot be read at all: "sign", "not_a_count", "cells", "budget", "candidates"
    tokens: list[Token] = field(default_factory=list)  # the tokens read (a dash before a count split off)
    settled: tuple = ()  # per cell: the value every reading gives, or UNSETTLED

    @property
    def needed_arithmetic(self) -> bool:
        return not self.direct and self.n_unchecked > 1

    @property
    def forced(self) -> bool:
        """Split, and the digit count left one reading: taken whatever the row's sums say."""
        return not self.direct and self.n_unchecked == 1 and self.values is not None


def read_row(tokens: list[Token], n: int, check: RowCheck | None, signed: frozenset[int] = frozenset(),
             budget: Budget | None = None) -> RowReading:
    """Read ``n`` values from ``tokens``: as written when there is one token per value; else the
    readings of the digits, the one the digit count leaves or those the row's arithmetic allows.

    Only a run of text is split: values from cells of their own (tokens from more than one
    place) are read as written when there is one per cell, and not at all otherwise.

    ``signed``: the cells that may be negative. In run-together digits a sign cannot be placed
    (``0-12116`` is 0, -12, 116 or 0, -1, 2116): a row with such cells is then unreadable;
    in a row of counts a ``-`` stuck to digits is a dash standing for an empty cell.
    """
    if len(tokens) == n:
        return _direct(tokens)
    if not tokens or len(tokens) > n:
        return RowReading(None, [], 0, False, tokens=list(tokens))
    spread: list[Token] = []
    for tok in tokens:
        text = _clean(tok.text)
        kind, _ = parse_number(text)
        if kind == "not_a_count" or (kind == "text" and any(ch.isdigit() for ch in text)):
            return RowReading(None, [], 0, False, gave_up=True, why="not_a_count", tokens=list(tokens))
        if _SIGNED.match(text):
            if signed or text[0] == "+":
                return RowReading(None, [], 0, False, gave_up=True, why="sign", tokens=list(tokens))
            spread += [Token("-", tok.location), Token(text[1:], tok.location)]  # a dash, then a count
        else:
            spread.append(Token(text, tok.location))
    if len(spread) == n:
        return _direct(spread)
    if len(spread) > n:
        return RowReading(None, [], 0, False, tokens=spread)
    if len({t.location for t in spread}) > 1:
        # Values from cells of their own did not run together: they are never cut, nor moved to
        # other columns; only the reader, knowing where they stand, could align them.
        return RowReading(None, [], 0, False, gave_up=True, why="cells", tokens=spread)
    reading = _read_split(tuple(t.text for t in spread), n, check, budget if budget is not None else Budget())
    reading.tokens = spread
    return reading


def _direct(tokens: list[Token]) -> RowReading:
    values: list[Value] = []
    for tok in tokens:
        kind, v = parse_number(tok.text)
        values.append(v if kind == "number" else None)
    return RowReading(values, [values], 1, True, tokens=list(tokens))


# Finished searches, with the steps each cost: a document that meets a row read before is
# charged what the search cost, so what it reads never depends on what was read before it.
_searched: dict[tuple, tuple[RowReading, int]] = {}


def _read_split(texts: tuple[str, ...], n: int, check: RowCheck | None, budget: Budget) -> RowReading:
    key = (texts, n, check)
    hit = _searched.get(key)
    if hit is not None:
        done, cost = hit
        if cost > budget.steps:
            budget.steps = -1
            return RowReading(None, [], done.n_unchecked, False, gave_up=True, why="budget", settled=done.settled)
        budget.steps -= cost
        return _copy(done)
    before = budget.steps
    try:
        reading = _search_row(texts, n, check, budget)
    except TooManyReadings as stop:
        if stop.reason == "budget":
            budget.steps = -1
            return RowReading(None, [], count_readings(texts, n), False, gave_up=True, why="budget",
                              settled=settled_values(texts, n))
        reading = RowReading(None, [], count_readings(texts, n), False, gave_up=True, why="candidates",
                             settled=settled_values(texts, n))
    if len(_searched) > 4096:
        _searched.clear()
    _searched[key] = (reading, before - budget.steps)
    return _copy(reading)


def _copy(done: RowReading) -> RowReading:
    values = list(done.values) if done.values is not None else None
    return RowReading(values, [list(c) for c in done.candidates], done.n_unchecked, False, done.gave_up, done.why,
                      settled=done.settled)


# No cell of these tables holds more than this many characters on average (13575394432.52 is
# two cells): a longer run is not a row's values run together, and is not searched.
MAX_CHARS_PER_CELL = 8


def _search_row(texts: tuple[str, ...], n: int, check: RowCheck | None, budget: Budget) -> RowReading:
    chars = sum(len(t) for t in texts)
    if chars > MAX_CHARS_PER_CELL * (n + 1):
        return RowReading(None, [], 0, False, gave_up=True, why="candidates", settled=(UNSETTLED,) * n)
    budget.spend(chars * n)  # what counting and settling the readings cost
    total = count_readings(texts, n)
    settled = settled_values(texts, n)
    if total == 0:
        return RowReading(None, [], 0, False, settled=settled)
    if total == 1:  # the digit count leaves one reading: it is what the document says
        values = list(settled)
        return RowReading(values, [values] if check is None or check(values) else [], 1, False, settled=settled)
    if check is None and total > MAX_CANDIDATES:
        raise TooManyReadings("candidates")
    group = n if check is sums_to_last else getattr(check, "group", None)
    found = fitting_readings(texts, n, group, budget) if group else all_readings(texts, n, budget)
    candidates = [[piece_value(p) for p in r] for r in found]
    if check is not None and group is None:
        candidates = [c for c in candidates if check(c)]
    one = candidates[0] if len(candidates) == 1 else None
    return RowReading(one, candidates, total, False, settled=settled)


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

    check.group = group  # type: ignore[attr-defined]  # lets the search check each group as it goes
    return check
