"""Rows found in a document, and how labels written in a report are matched to the format.

A table's reading (``TableReading``) is one ``RowRun`` per row found: the row of the
format it was matched to, its label as written and its value tokens; the grid and the
flattened-table paths both produce it, and the solver (``auditkit.match.solve``) reads
it. ``RowMatcher`` matches a row's label cells to a row of one table of one format,
tolerating wording that differs; ``header_variants`` finds column labels written with
a typo.
"""

from __future__ import annotations

from dataclasses import field
from functools import cache, lru_cache

from auditkit.digits import Token
from auditkit.errors import DiagnosticCode
from auditkit.formats import FormatSpec, RowSpec, TableSpec, format_spec, nfkc, norm
from auditkit.match.similarity import ratio
from auditkit.precompiled import compile_re, dataclass
from auditkit.record import Diagnostic

FUZZY_ROW = 80  # similarity ratio (rapidfuzz's) for a row label that differs from the official wording

# Why the reader holds a value back as null, whatever its text says: (code, message).
Hold = tuple[DiagnosticCode, str]

# A label's list numbers, at its start or after other text, by kind: （七） 3. 二、 (not the
# （一） of 第二十条第（一）项, which names an article).
_LIST_NUMBER = compile_re(r"(?:^|(?<=[\u4e00-\u9fff)”。，、]))(?<!第)(?:(?P<paren>\([一二三四五六七八九十]{1,3}\))|"
                          r"(?P<digit>(?<![\d.])\d{1,2}[.．、](?!\d))|(?P<cjk>[一二三四五六七八九十]{1,2}、))")


@dataclass
class RowRun:
    """One table row as found: what it was matched to, its label and its value tokens."""

    key: str  # row key, or the group key for a merged row
    label: str  # label text as written
    tokens: list[Token]
    location: str
    fuzzy: bool = False
    merged_group: str | None = None
    raw: str = ""  # the value text as written
    # token position -> why that value is null whatever it reads as (cut by the page's edge, a
    # number broken over lines, a row whose values cannot be placed in its columns)
    held: dict[int, Hold] = field(default_factory=dict)


@dataclass
class TableReading:
    """One table of a report as read, by either path: its rows, and column labels worded otherwise."""

    runs: list[RowRun] = field(default_factory=list)
    column_variants: dict[str, str] = field(default_factory=dict)  # cell key -> header text as written
    found: bool = False
    span: tuple[int, int] | None = None  # stream span of a flattened table
    notes: list[Diagnostic] = field(default_factory=list)  # what the reading itself tells the auditor
    # grid cells whose digits ran together (one cell spanning the whole row's values): the only
    # cells of a grid the solver may cut into several values
    run_together: set[str] = field(default_factory=set)


@lru_cache(maxsize=262144)
def _label_score(leaf: str, full: str, name: str) -> float:
    """How well a row's normalised leaf label (and all its labels joined) names ``name``."""
    if leaf == name or full == name:
        return 100.0
    if len(name) >= 2 and (full.endswith(name) or leaf.endswith(name)) and len(leaf) <= len(name) + 4:
        return 99.0
    return max(_ratio(leaf, name), _ratio(full, name))


def _ratio(a: str, b: str) -> float:
    # The ratio can reach the threshold only when the lengths are close: skip the rest.
    if not a or 200 * min(len(a), len(b)) < FUZZY_ROW * (len(a) + len(b)):
        return 0.0
    return ratio(a, b)


@cache
def _row_names(fmt_name: str, table: str) -> tuple[list[tuple[str, str, bool, bool]],
                                                   dict[str, list[tuple[str, bool, bool]]], dict[str, int]]:
    """A table's row names for matching, worked out once per table of a format: (key, normalised
    name, is_group, is the official wording); the same by exact name; each key's position. The
    2021 format's groups (（六）其他处理) are names too: a report may merge their sub-rows."""
    spec = format_spec(fmt_name).tables[table]
    names: list[tuple[str, str, bool, bool]] = []
    for r in spec.rows:
        names.extend((r.key, n, False, i == 0) for i, n in enumerate(r.names()))
    if fmt_name == "2021":
        names.extend((g.key, norm(g.label), True, True) for g in spec.groups)
    # Exact names first: most rows are written in the official wording.
    exact: dict[str, list[tuple[str, bool, bool]]] = {}
    for key, name, is_group, official in names:
        exact.setdefault(name, []).append((key, is_group, official))
    order = {r.key: i for i, r in enumerate(spec.rows)}
    for g in spec.groups:
        order[g.key] = order[g.children[0]]
    return names, exact, order


def _numbered_as(label: str, row: RowSpec) -> bool:
    """The label carries the row's own numbering ("3.其他" for 3.其他): a row, not a header word."""
    return bool(row.numbering) and compile_re(rf"\s*{row.numbering}\s*[.、．]").match(nfkc(label)) is not None


class RowMatcher:
    """Matches row labels to the rows of one table of one format, in document order."""

    def __init__(self, fmt: FormatSpec, table: str) -> None:
        self.spec = fmt.tables[table]
        self.names, self.exact, self.order = _row_names(fmt.name, table)
        self.used: set[str] = set()

    def match(self, label_cells: list[str], has_values: bool, blank_cells: int = 0) -> tuple[str, bool, bool] | None:
        """(key, fuzzy, is_group) for a row's label cells, or None.

        ``blank_cells``: how many value cells the row has, all blank (a row the agency left
        empty is still that row). Taken only on an exact wording of four characters or more
        (or a shorter one carrying the row's numbering, "3.其他") and with a blank cell for each
        of the row's columns: a header's short words ("总计", "其他") have blank cells beside
        them too, where spanning cells were flattened.
        """
        if any(two_labels(c) for c in label_cells):
            return None  # （六）其他处理（七）总计: two rows' labels in one cell, their values in doubt
        leaf, full = norm(label_cells[-1]), norm("".join(label_cells))
        for text in (leaf, full):
            for key, is_group, official in self.exact.get(text, ()):
                blank_row = (blank_cells and not is_group and blank_cells >= len(self.spec.row(key).columns)
                             and (len(text) >= 4 or _numbered_as(label_cells[-1], self.spec.row(key))))
                if key not in self.used and (has_values or blank_row
                                             or (self.spec.key == "requests" and len(text) >= 6)):
                    self.used.add(key)
                    return key, not official, is_group
        best: tuple[float, int, str, bool, bool] | None = None
        for key, name, is_group, official in self.names:
            if key in self.used:
                continue
            score = _label_score(leaf, full, name)
            if not has_values and (score < 100 or len(name) < 6 or self.spec.key != "requests"):
                continue
            if score < FUZZY_ROW:
                continue
            rank = (score, -self.order[key], key, is_group, official)
            if best is None or rank > best:
                best = rank
        if best is None:
            return None
        self.used.add(best[2])
        return best[2], best[0] < 99 or not best[4], best[3]


    def match_cut(self, remains: list[str], after: str | None, before: str | None) -> list[str] | None:
        """Rows for labels the page's edge cut (their start lost), in document order, between the
        rows ``after`` and ``before`` (matched rows, or None at the table's ends): each label is
        what remains of its row's name, and the rows keep the format's order. Taken only when
        exactly one assignment fits; None otherwise."""
        lo = self.order[after] if after else -1
        hi = self.order[before] if before else len(self.order) + 1
        rows = [r for r in self.spec.rows if r.key not in self.used and lo < self.order[r.key] < hi]
        texts = [_cut_remains(t) for t in remains]
        if not rows or any(len(t) < 2 for t in texts):
            return None
        fits = [[any(name.endswith(t) for name in r.names()) for r in rows] for t in texts]

        @cache
        def ways(i: int, j: int) -> int:  # assignments of texts[i:] to rows[j:], capped at 2
            if i == len(texts):
                return 1
            return min(2, sum(ways(i + 1, k + 1) for k in range(j, len(rows)) if fits[i][k]))

        if ways(0, 0) != 1:
            return None
        keys, j = [], 0
        for i in range(len(texts)):
            k = next(k for k in range(j, len(rows)) if fits[i][k] and ways(i + 1, k + 1))
            keys.append(rows[k].key)
            j = k + 1
        self.used.update(keys)
        return keys


@lru_cache(maxsize=65536)
def two_labels(text: str) -> bool:
    """A label cell holding two numbered labels of one level (（六）其他处理（七）总计, 2.申请人…申请3.其他):
    two rows' labels run together. (A group's label beside its sub-group's, 三、…（三）…, is one row's.)"""
    kinds = [m.lastgroup for m in _LIST_NUMBER.finditer(nfkc(text).strip())]
    return len(kinds) != len(set(kinds))


def _cut_remains(label: str) -> str:
    """What remains of a label whose start the page's edge cut: its normalised text, without
    the broken numbering left at its start (the ``）`` of ``（一）``)."""
    return norm(label).lstrip("0123456789一二三四五六七八九十")


def header_variants(spec: TableSpec, header: str, reading: TableReading) -> None:
    """Column leaf labels (自然人, 结果维持, …) absent from the header but present with a typo."""
    text = norm(header)
    if not text:
        return
    for col in spec.column_labels():
        name = norm(col.leaf)
        if len(name) < 3 or name in text:
            continue
        from rapidfuzz.fuzz import partial_ratio_alignment  # here: see _ratio

        al = partial_ratio_alignment(name, text)
        if al is not None and al.score >= FUZZY_ROW:
            found = text[al.dest_start:al.dest_end]
            for r in spec.rows:
                for c in r.columns:
                    if c.label == col.label:
                        reading.column_variants[r.cell_key(spec.key, c.key)] = found
