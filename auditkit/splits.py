"""The readings of digits that ran together: every way to cut a row's tokens into its cells.

A crawler copy joins a table's cells with nothing between them (``191000020`` for the
seven cells 19, 1, 0, 0, 0, 0, 20). A *reading* cuts each token into one or more
numbers (no leading zeros; only a token's last piece carries decimals), never merging
two tokens: whitespace between tokens is a certain cell boundary. A token written with
thousands separators (``1,234``) is one number and is never cut; a dash is one empty cell.

- ``count_readings`` counts the readings without listing them;
- ``settled_values`` tells, cell by cell, the values every reading agrees on (the digits
  alone decide them);
- ``fitting_readings`` lists the readings where each group of cells ends with the total
  of the others (the requests table's 总计, each appeals group's 总计), searched from the
  right so that each group's total is known before its parts are cut;
- ``all_readings`` lists every reading, for rows with no arithmetic.

Each search spends steps from a ``Budget`` (one per document) and gives up with
``TooManyReadings`` when the budget or ``MAX_CANDIDATES`` is exceeded: a row that cannot
be searched in time is unreadable, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

from auditkit.precompiled import dataclass

Value = int | float | None
Piece = str | None  # a reading's cells as the text cut for them; None for a dash

# A row with more readings that add up than this is unreadable ("too many readings").
MAX_CANDIDATES = 10_000
# Steps one document may spend searching for readings: about a second on a slow machine.
# A row searched when the budget is spent is unreadable.
DOCUMENT_STEPS = 150_000
_EPS = 1e-9


class TooManyReadings(Exception):
    """The search stopped: ``reason`` is "candidates" (too many readings add up) or "budget"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Budget:
    """Search steps left for one document."""

    steps: int = DOCUMENT_STEPS

    def spend(self, n: int = 1) -> None:
        self.steps -= n
        if self.steps < 0:
            raise TooManyReadings("budget")


def is_null_text(text: str) -> bool:
    """A token with no digit: a dash or 无, one empty cell."""
    return not any(ch.isdigit() for ch in text)


def is_whole(text: str) -> bool:
    """A token that is one number as written and is never cut: ``1,234`` (its cell held it alone)."""
    return "," in text


def one_piece(text: str) -> bool:
    """``text`` can stand as one number: no leading zero (but "0" and "0.5"), not starting with "."."""
    return bool(text) and text[0] != "." and not (len(text) > 1 and text[0] == "0" and not text.startswith("0."))


def piece_value(piece: Piece) -> Value:
    if piece is None:
        return None
    text = piece.replace(",", "")
    return float(text) if "." in text else int(text)


@dataclass(frozen=True)
class _Token:
    """A value token as the splitter sees it."""

    text: str
    null: bool
    whole: bool  # never cut
    dot: int | None  # where the decimal point stands

    @property
    def max_pieces(self) -> int:
        """How many numbers the token can be cut into at most."""
        if self.null or self.whole:
            return 1
        return self.dot if self.dot is not None else len(self.text)


@lru_cache(maxsize=4096)
def _tokens(texts: tuple[str, ...]) -> tuple[_Token, ...]:
    return tuple(_Token(t, is_null_text(t), is_whole(t), t.index(".") if "." in t else None) for t in texts)


def _ends(tok: _Token, start: int) -> Iterable[int]:
    """Where a piece of ``tok`` starting at ``start`` may end (its end, exclusive), shortest first."""
    if tok.whole:
        return (len(tok.text),) if start == 0 else ()
    if tok.dot is None:
        return range(start + 1, len(tok.text) + 1)
    if start >= tok.dot:
        return ()
    # pieces before the point end before it; the piece holding the point is the token's last
    return (*range(start + 1, tok.dot), len(tok.text))


def _starts(tok: _Token, end: int) -> range:
    """Where a piece of ``tok`` ending at ``end`` may start, longest piece first."""
    if tok.whole:
        return range(0, 1 if end == len(tok.text) else 0)
    if tok.dot is not None:
        if end == len(tok.text):
            return range(0, tok.dot)  # the last piece holds the point and a digit before it
        if end > tok.dot:
            return range(0)
    return range(0, end)


@lru_cache(maxsize=4096)
def count_readings(texts: tuple[str, ...], n: int) -> int:
    """How many readings of ``texts`` as ``n`` values there are, counted without listing them."""
    toks = _tokens(texts)

    @cache
    def ways(i: int, c: int, slots: int) -> int:
        if i == len(toks):
            return 1 if slots == 0 else 0
        tok = toks[i]
        if slots <= 0:
            return 0
        if tok.null:
            return ways(i + 1, 0, slots - 1)
        total = 0
        for e in _ends(tok, c):
            if one_piece(tok.text[c:e]):
                total += ways(i + 1, 0, slots - 1) if e == len(tok.text) else ways(i, e, slots - 1)
        return total

    return ways(0, 0, n)


class _Unsettled:
    def __repr__(self) -> str:
        return "UNSETTLED"


UNSETTLED = _Unsettled()  # a cell whose value the digits alone do not decide


@lru_cache(maxsize=4096)
def settled_values(texts: tuple[str, ...], n: int) -> tuple[Value | _Unsettled, ...]:
    """Cell by cell, the value that every reading of ``texts`` as ``n`` values gives, or
    ``UNSETTLED`` where readings differ (all ``UNSETTLED`` when there is no reading)."""
    toks = _tokens(texts)
    end_state = (len(toks), 0, n)

    @cache
    def good(state: tuple[int, int, int]) -> bool:  # the end can be reached from here
        if state == end_state:
            return True
        return any(good(nxt) for _, nxt in edges(state))

    def edges(state: tuple[int, int, int]) -> list[tuple[Value, tuple[int, int, int]]]:
        i, c, v = state
        if i == len(toks) or v >= n:
            return []
        tok = toks[i]
        if tok.null:
            return [(None, (i + 1, 0, v + 1))]
        out = []
        for e in _ends(tok, c):
            piece = tok.text[c:e]
            if one_piece(piece):
                out.append((piece_value(piece), (i + 1, 0, v + 1) if e == len(tok.text) else (i, e, v + 1)))
        return out

    seen: list[set] = [set() for _ in range(n)]
    start = (0, 0, 0)
    if good(start):
        stack, visited = [start], {start}
        while stack:
            state = stack.pop()
            for value, nxt in edges(state):
                if good(nxt):
                    seen[state[2]].add(value)
                    if nxt not in visited:
                        visited.add(nxt)
                        stack.append(nxt)
    return tuple(next(iter(s)) if len(s) == 1 else UNSETTLED for s in seen)


@lru_cache(maxsize=65536)
def _digit_sum(text: str) -> int:
    """The sum of the digits before any decimal point: no reading of ``text`` adds up to less."""
    return sum(int(ch) for ch in text.split(".")[0] if ch.isdigit())


def _order_key(reading: tuple[Piece, ...], toks: tuple[_Token, ...]) -> tuple[int, ...]:
    """The order readings are listed in, whatever order the search found them: token by token,
    fewer pieces first, then shorter first pieces first."""
    key: list[int] = []
    p = 0
    for tok in toks:
        if tok.null:
            p += 1
            continue
        lengths, written = [], ""
        while written != tok.text:
            piece = reading[p]
            written += piece  # type: ignore[operator]
            lengths.append(len(piece))  # type: ignore[arg-type]
            p += 1
        key += [len(lengths), *lengths]
    return tuple(key)


# How the group of the value being placed is checked, in the search from the right.
_START, _SUM, _NEEDS_DASH, _HAS_DASH, _FREE = range(5)


def fitting_readings(texts: tuple[str, ...], n: int, group: int, budget: Budget | None = None,
                     unchecked_group: int | None = None, limit: int | None = MAX_CANDIDATES) -> list[tuple[Piece, ...]]:
    """The readings of ``texts`` as ``n`` values in which each consecutive group of ``group``
    values ends with the total of the others (a group holding a dash is not checked), in the
    order of ``_order_key``. ``unchecked_group``: the index of
    one group whose sum is not checked (what the other groups' sums alone decide). ``limit``:
    the most readings listed (None: all).

    The search goes from the right: a group's total is cut first, so each part is cut knowing
    what is left of the total, and the states from which nothing fits are remembered.
    ``TooManyReadings`` when more than ``limit`` readings fit or the budget is spent.
    """
    toks = _tokens(texts)
    pieces_before = [0] * (len(toks) + 1)  # the most pieces the tokens before i can give
    dashes_before = [0] * (len(toks) + 1)
    digit_sum_before = [0] * (len(toks) + 1)  # a lower bound of what the tokens before i add up to
    for i, tok in enumerate(toks):
        pieces_before[i + 1] = pieces_before[i] + tok.max_pieces
        dashes_before[i + 1] = dashes_before[i] + tok.null
        digit_sum_before[i + 1] = digit_sum_before[i] + _digit_sum(tok.text)
    whole_numbers = all(tok.dot is None for tok in toks)
    memo: dict[tuple, list[tuple[Piece, ...]]] = {}

    def place(i: int, j: int, v: int, mode: int, rem: Value) -> list[tuple[Piece, ...]]:
        """Readings of the values 0..v-1 from tokens 0..i-1 and ``toks[i].text[:j]``, the open
        group in ``mode`` with ``rem`` left of its total."""
        if v == 0:
            return [()] if i < 0 else []
        if i < 0:
            return []
        tok = toks[i]
        untouched = j == len(tok.text)
        left_here = tok.max_pieces if untouched else j
        if v < i + 1 or v > pieces_before[i] + left_here:
            return []  # a piece for every token, at most a digit per piece
        if mode == _SUM and v < group:
            # The first group: its parts are all that is left, each at least the sum of its digits
            # and at most what is left of the total.
            if dashes_before[i] or tok.null:
                return []
            digits_left = pieces_before[i] + left_here
            digit_sum = digit_sum_before[i] + _digit_sum(tok.text if untouched else tok.text[:j])
            if digit_sum > rem + _EPS:  # type: ignore[operator]
                return []
            if whole_numbers and (rem - digit_sum) % 9:  # type: ignore[operator]
                return []  # a number leaves the remainder of its digit sum when divided by 9, however cut
            if digits_left > v * len(str(int(rem))):  # type: ignore[arg-type]
                return []  # no part exceeds the total, so none is longer
        key = (i, j, v, mode, rem if mode == _SUM else None)
        if key in memo:
            return memo[key]
        if budget is not None:
            budget.spend()
        out: list[tuple[Piece, ...]] = []
        q = (v - 1) % group  # where the value stands in its group; size - 1 is the total
        if mode == _START:
            g = (v - 1) // group
            dash_left = dashes_before[i] + (tok.null and j == len(tok.text)) > 0
        if tok.null:
            options: list[tuple[Piece, int, int]] = [(None, i - 1, -1)]
        elif mode == _SUM and q == 0 and whole_numbers and not tok.whole:
            # the group's first part is what is left of its total: one piece to try
            target = str(int(rem))  # type: ignore[arg-type]
            a = j - len(target)
            ok = a >= 0 and tok.text[a:j] == target
            options = [((target, i - 1, -1) if a == 0 else (target, i, a))] if ok else []
        else:
            # shortest piece first; no part of a sum is longer than what is left of its total
            longest = len(str(int(rem))) if mode == _SUM and not tok.whole else len(tok.text)  # type: ignore[arg-type]
            whole_end = tok.dot if tok.dot is not None and j > tok.dot else j
            options = []
            for a in reversed(_starts(tok, j)):
                if whole_end - a > longest:
                    break
                piece = tok.text[a:j]
                if one_piece(piece):
                    options.append((piece, i - 1, -1) if a == 0 else (piece, i, a))
        for piece, ni, nj in options:
            if budget is not None:
                budget.spend()
            x = int(piece) if whole_numbers and piece is not None and not tok.whole else piece_value(piece)
            nxt_j = (len(toks[ni].text) if ni >= 0 else 0) if nj < 0 else nj
            modes: list[tuple[int, Value]] = []
            if mode == _START:
                if g == unchecked_group:
                    modes = [(_FREE, None)]
                elif x is None:
                    modes = [(_HAS_DASH, None)]
                else:
                    modes = [(_SUM, x)] + ([(_NEEDS_DASH, None)] if dash_left else [])
            elif mode == _SUM:
                if x is None or x > rem + _EPS:  # type: ignore[operator]
                    continue
                if q == 0 and abs(x - rem) > _EPS:  # type: ignore[operator]
                    continue
                modes = [(_SUM, rem - x)]  # type: ignore[operator]
            elif mode in (_NEEDS_DASH, _HAS_DASH):
                has = mode == _HAS_DASH or x is None
                if q == 0 and not has:
                    continue
                modes = [(_HAS_DASH if has else _NEEDS_DASH, None)]
            else:
                modes = [(_FREE, None)]
            for new_mode, new_rem in modes:
                if q == 0:
                    new_mode, new_rem = _START, None  # the group is closed: the next value is a total
                # (a token partly cut is no dash: the dashes left are those of the tokens before it)
                if new_mode == _NEEDS_DASH and dashes_before[ni + 1 if nj < 0 else ni] == 0:
                    continue  # the group must hold a dash and none is left
                for head in place(ni, nxt_j, v - 1, new_mode, new_rem):
                    out.append((*head, piece))
                    if limit is not None and len(out) > limit:
                        raise TooManyReadings("candidates")
        memo[key] = out
        return out

    last = len(toks) - 1
    found = place(last, len(toks[last].text) if toks else 0, n, _START, None)
    return sorted(found, key=lambda r: _order_key(r, toks))


def all_readings(texts: tuple[str, ...], n: int, budget: Budget | None = None,
                 limit: int | None = MAX_CANDIDATES) -> list[tuple[Piece, ...]]:
    """Every reading of ``texts`` as ``n`` values (no arithmetic), in the order of ``_order_key``:
    depth first, for each token the number of pieces ascending, then the cuts ascending."""
    toks = _tokens(texts)
    pieces: list[Piece] = []
    out: list[tuple[Piece, ...]] = []

    def walk(i: int, slots: int) -> None:
        if i == len(toks):
            if slots == 0:
                out.append(tuple(pieces))
                if limit is not None and len(out) > limit:
                    raise TooManyReadings("candidates")
            return
        remaining = len(toks) - i
        if slots < remaining:
            return
        tok = toks[i]
        if tok.null:
            pieces.append(None)
            walk(i + 1, slots - 1)
            pieces.pop()
            return
        for parts in range(1, min(slots - (remaining - 1), tok.max_pieces) + 1):
            cut(i, 0, parts, slots - parts)

    def cut(i: int, c: int, parts: int, slots_after: int) -> None:
        if budget is not None:
            budget.spend()
        tok = toks[i]
        text = tok.text
        if parts == 1:  # the rest of the token
            if len(text) in _ends(tok, c) and one_piece(text[c:]):
                pieces.append(text[c:])
                walk(i + 1, slots_after)
                pieces.pop()
            return
        whole_end = tok.dot if tok.dot is not None else len(text)
        # a piece starting with 0 is that 0; enough whole digits are left for the other pieces
        last_end = c + 1 if text[c] == "0" else whole_end - (parts - 1)
        for e in range(c + 1, min(last_end, len(text) - 1) + 1):
            if tok.whole or (tok.dot is not None and e >= tok.dot):
                break
            pieces.append(text[c:e])
            cut(i, e, parts - 1, slots_after)
            pieces.pop()

    walk(0, n)
    return out
