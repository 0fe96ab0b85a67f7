"""Crawler text copies: the page's text with the table cells run together.

A crawler that keeps only ``textContent`` joins a table's cells with nothing between
them, so the digits of neighbouring cells run together (``191000020``). Some copies
keep a line per table row, most run the whole text after the title into one line.
The rows here are chosen to test the digit solver: rows whose digits are as many as
their cells (exactly one reading), and rows whose own 总计 the agency got wrong (the
document says what it says: a faithful reading gives the stated, wrong, total).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from tests.torture.model import Doc, Grid, Value


def crawler_text(doc: Doc, row_lines: bool = False) -> str:
    """The title on a line, then everything else run together (or a line per table row)."""
    pieces = []
    for block in doc.blocks:
        if not isinstance(block, Grid):
            pieces.append(block)
            continue
        rows = ["".join(p.text for p in row) for row in block.rows]
        pieces.append("\n".join(rows) if row_lines else "".join(rows))
    return doc.title + "\n" + ("\n" if row_lines else "").join(pieces) + "\n"


def layout_text(doc: Doc, wrap: int = 16) -> str:
    """What ``pdftotext -layout`` makes of a ruled report: a line per table row, cells apart by
    spaces, a merged label on the middle line of the rows it covers, and a long label broken
    onto a second line below its row."""
    lines = [doc.title]
    for block in doc.blocks:
        if not isinstance(block, Grid):
            lines.append(block)
            continue
        placed = block.placed_rows()
        for r, line in enumerate(placed):
            cells, rest, seen = [], [], set()
            for slot in line:
                if slot is None or id(slot[0]) in seen:
                    continue
                piece, top = slot
                seen.add(id(piece))
                if piece.rowspan > 1 and r != top + (piece.rowspan - 1) // 2:
                    cells.append("")  # the merged label stands on its middle row only
                    continue
                text = piece.text
                if piece.key is None and len(text) > wrap:
                    text, tail = text[:wrap], text[wrap:]
                    rest.append(" " * (4 * len(cells)) + tail)
                cells.append(text)
            lines.append("    ".join(cells).rstrip())
            lines.extend(rest)
    return "\n".join(lines) + "\n"


def set_row(truth: dict[str, Any], row_keys: list[str], values: list[Value]) -> dict[str, Any]:
    """A copy of ``truth`` whose row (its keys in column order) holds ``values``."""
    cells = dict(truth["cells"])
    cells.update(zip(row_keys, values, strict=True))
    return {**truth, "cells": cells}


def _number(text: str) -> int | None:
    """``text`` as one cell's number, or None where it cannot be one (a leading zero)."""
    return int(text) if text and (text == "0" or not text.startswith("0")) else None


def _parts(digits: str, n: int, target: int) -> Iterator[list[int]]:
    """Cuts of ``digits`` into ``n`` numbers that sum to ``target``."""
    if n == 1:
        value = _number(digits)
        if value == target:
            yield [value]
        return
    for end in range(1, len(digits) - n + 2):
        value = _number(digits[:end])
        if value is None or value > target:
            break  # a longer cut only gives a bigger number
        longest = len(digits) - end - (n - 2)  # the longest number the other n - 1 can hold
        if target - value > 10 ** longest - 1 + 9 * (n - 2):
            continue  # the rest cannot add up to what is left
        for rest in _parts(digits[end:], n - 1, target - value):
            yield [value, *rest]


def fitting_readings(digits: str, group: int, groups: int = 1) -> Iterator[list[int]]:
    """Every cut of ``digits`` into ``groups`` groups of ``group`` numbers (no leading zeros)
    where each group ends with the sum of the others: what the row's arithmetic lets a
    digit solver take."""
    if groups == 0:
        if not digits:
            yield []
        return
    for end in range(group, len(digits) - (groups - 1) * group + 1):
        chunk = digits[:end]
        for size in range(1, len(chunk) - group + 2):  # the group's total: the chunk's last digits
            total = _number(chunk[-size:])
            if total is None:
                continue
            for parts in _parts(chunk[:-size], group - 1, total):
                for rest in fitting_readings(digits[end:], group, groups - 1):
                    yield [*parts, total, *rest]


def false_fit_row(rng: random.Random, group: int = 7, groups: int = 1) -> tuple[list[int], list[int]]:
    """A row whose stated total is wrong, and the one other reading of its digits that adds up.

    ``(stated, fitting)``: the document writes ``stated`` (the last group's total is not the
    sum of its cells); run together, its digits also read as ``fitting``, which adds up and
    so looks recovered, and is wrong in every cell where it differs from ``stated``."""
    while True:
        row: list[int] = []
        for _ in range(groups):
            small = groups > 1  # the appeals row: few cases, mostly single digits
            parts = [rng.choice((0, 0, 1, 2, 3, 10) if small else (0, 0, 0, 1, 2, 3, 5, 8, 10, 11, 12, 20, 21))
                     for _ in range(group - 1)]
            row += [*parts, sum(parts)]
        total = row[-1]
        for stated_total in (total * 10 + rng.randint(0, 9), total + 10, int(f"1{total}")):
            stated = [*row[:-1], stated_total]
            fits = list(fitting_readings("".join(map(str, stated)), group, groups))
            if len(fits) == 1 and fits[0] != stated:
                return stated, fits[0]


def no_fit_row(rng: random.Random, columns: int = 6) -> list[int]:
    """A row whose stated total is wrong and whose run-together digits no reading adds up."""
    while True:
        parts = [rng.choice((0, 0, 1, 2, 3, 4, 7, 15, 30)) for _ in range(columns)]
        stated = [*parts, sum(parts) + rng.choice((1, 2, -1))]
        if stated[-1] < 0:
            continue
        digits = "".join(map(str, stated))
        if not any(fitting_readings(digits, columns + 1)):
            return stated


def one_digit_row(rng: random.Random, columns: int = 6, total_right: bool = True) -> list[int]:
    """A row of single digits (its digits as many as its cells: one reading only), the total
    the sum or, with ``total_right=False``, a wrong single digit."""
    while True:
        parts = [rng.choice((0, 0, 0, 1, 2, 3)) for _ in range(columns)]
        total = sum(parts) if total_right else sum(parts) + rng.choice((1, 2, -1))
        if 0 <= total <= 9 and (total_right or total != sum(parts)):
            return [*parts, total]
