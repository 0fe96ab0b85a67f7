"""From a reader's layout to the canonical record: sections, tables, format, metadata.

Two paths lead to the same cells:
- grid tables (HTML, PDF, Word, tab-separated text): each table row's label cells
  are matched to a row of the format, its value cells read in order;
- flattened tables (crawler copies): the row labels are found in the running
  text and the digits between two labels are that row's values, split with the
  table's own arithmetic when they ran together (``auditkit.digits``).

Both produce, per row, a list of value tokens; one solver turns them into cells,
taking a split only when exactly one fits, and never guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import product

from rapidfuzz import fuzz
from rapidfuzz.fuzz import partial_ratio_alignment

from auditkit.digits import (
    VALUE_CHARS,
    RowCheck,
    Token,
    Value,
    grouped_sums,
    parse_number,
    read_row,
    sums_to_last,
    tokens_of,
)
from auditkit.errors import DiagnosticCode, ReadError, ReadReason
from auditkit.formats import (
    APPLICANT_COLUMNS,
    FORMAT_MARKERS,
    SECTION_KEYS,
    FormatSpec,
    RowSpec,
    TableSpec,
    format_spec,
    nfkc,
    norm,
    sections,
)
from auditkit.layout import Cell, Layout, Table, TextBlock
from auditkit.readers.text import normal_date
from auditkit.record import Diagnostic, Provenance, Report

FUZZY_ROW = 80  # rapidfuzz ratio for a row label that differs from the official wording
FUZZY_TITLE = 80
_TABLE_MARK = "\ue000"  # stands for a grid table in the document stream
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BLANK_LINES = re.compile(r"\n{2,}")


# ---------------------------------------------------------------- the document stream


@dataclass
class Stream:
    """The document as one string: text blocks, and one mark per grid table."""

    text: str
    blocks: list[tuple[int, int, TextBlock | Table]]  # (start, end, block)

    @classmethod
    def of(cls, layout: Layout) -> Stream:
        parts: list[str] = []
        blocks: list[tuple[int, int, TextBlock | Table]] = []
        pos = 0
        for b in layout.blocks:
            piece = b.text if isinstance(b, TextBlock) else _TABLE_MARK
            blocks.append((pos, pos + len(piece), b))
            parts.append(piece + "\n")
            pos += len(piece) + 1
        return cls("".join(parts), blocks)

    def location_at(self, pos: int) -> str:
        for start, end, b in self.blocks:
            if start <= pos <= end:
                return b.location
        return ""

    def text_between(self, start: int, end: int, cut: list[tuple[int, int]] = ()) -> str:  # type: ignore[assignment]
        """Running text of a stretch, without table marks and without the ``cut`` spans."""
        pieces: list[str] = []
        at = start  # the next character to keep
        for a, b in sorted(cut):
            a, b = max(a, start), min(b, end)
            if a >= b:
                continue
            if a > at:
                pieces.append(self.text[at:a])
            at = max(at, b)
        if at < end:
            pieces.append(self.text[at:end])
        return _BLANK_LINES.sub("\n", "".join(pieces).replace(_TABLE_MARK, "")).strip()


@lru_cache(maxsize=1)
def _compact_luts():
    """Lookup tables over the Basic Multilingual Plane for the compact view, built once.

    ``target``: the code point's NFKC form where that is one character (else itself);
    ``multi``: NFKC gives several characters (the slow path handles those texts);
    ``dropped``: the NFKC form is a space or punctuation, or the table mark.
    """
    import numpy as np

    normalize = unicodedata.normalize
    target = list(range(0x10000))
    multi: list[int] = []
    for code in range(0x80, 0x10000):  # ASCII is its own NFKC form
        if 0xD800 <= code <= 0xDFFF:
            continue
        n = normalize("NFKC", chr(code))
        if len(n) != 1:
            multi.append(code)
        else:
            target[code] = ord(n)
    # What the compact view drops, judged on the NFKC form (only punctuation and spaces below
    # U+3100 are dropped: the ideographs above are all kept).
    drop_target = [False] * 0x10000
    for t in range(0x3100):
        c = chr(t)
        drop_target[t] = c.isspace() or (not c.isdigit() and norm(c) == "")
    drop_target[ord(_TABLE_MARK)] = True
    target_arr = np.array(target, dtype=np.uint32)
    # (a few compatibility ideographs have their NFKC form outside the plane: kept)
    dropped = np.array(drop_target, dtype=bool)[np.minimum(target_arr, 0xFFFF)] & (target_arr <= 0xFFFF)
    multi_arr = np.zeros(0x10000, dtype=bool)
    multi_arr[multi] = True
    dropped[multi_arr] = False
    return target_arr, multi_arr, dropped


@lru_cache(maxsize=65536)
def _kept_chars(ch: str) -> str:
    """What a character contributes to the compact view: its NFKC form less spaces and punctuation."""
    return "".join(c for c in nfkc(ch) if not c.isspace() and c != _TABLE_MARK and (c.isdigit() or norm(c)))


@dataclass
class Compact:
    """A whitespace- and punctuation-free view of text, mapped back to positions."""

    text: str
    pos: list[int]

    @classmethod
    def of(cls, text: str, offset: int = 0) -> Compact:
        # Character by character NFKC (not the whole text's: that would compose across
        # characters and lose the one-to-one positions), by numpy lookup tables: str.translate
        # or unicodedata over a whole CJK text cost more than everything else the matcher does.
        import numpy as np

        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        target, multi, dropped = _compact_luts()
        bmp = np.minimum(codes, 0xFFFF)  # U+FFFF maps to itself, is never dropped nor multiple
        wide = codes > 0xFFFF  # characters outside the tables' plane are kept as they are
        if not multi[bmp].any():
            kept = np.flatnonzero(~dropped[bmp])
            out = np.where(wide, codes, target[bmp])[kept].astype(np.uint32)
            return cls(out.tobytes().decode("utf-32-le"), (kept + offset).tolist())
        chars: list[str] = []
        pos: list[int] = []
        kept_chars = _kept_chars
        for i, ch in enumerate(text):
            for c in kept_chars(ch):
                chars.append(c)
                pos.append(offset + i)
        return cls("".join(chars), pos)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of compact [start, end)."""
        return self.pos[start], self.pos[end - 1] + 1


# ---------------------------------------------------------------- sections


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
        pattern = re.compile(re.escape(sec.numeral) + re.escape(words))
        m = pattern.search(view.text, cursor)
        if m:
            found = (m.start(), m.end(), False)
        else:
            best = (0.0, 0, 0)
            for m2 in re.finditer(re.escape(sec.numeral), view.text[cursor:]):
                s = cursor + m2.end()
                for extra in range(-2, 4):
                    candidate = view.text[s:s + len(words) + extra]
                    score = fuzz.ratio(norm(candidate), words)
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


# ---------------------------------------------------------------- format detection


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


# ---------------------------------------------------------------- rows found in a document


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


@dataclass
class TableReading:
    runs: list[RowRun] = field(default_factory=list)
    column_variants: dict[str, str] = field(default_factory=dict)  # cell key -> header text as written
    found: bool = False
    span: tuple[int, int] | None = None  # stream span of a flattened table


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
    return fuzz.ratio(a, b)


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
    return bool(row.numbering) and re.match(rf"\s*{row.numbering}\s*[.、．]", nfkc(label)) is not None


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


# ---------------------------------------------------------------- grid tables


@lru_cache(maxsize=65536)
def _is_value_text(text: str) -> bool:
    kind, _ = parse_number(text)
    if kind != "text":
        return True
    t = nfkc(text)
    return all(ch in VALUE_CHARS or ch == "无" for ch in t) and any(ch.isdigit() for ch in t)


def table_text(table: Table) -> str:
    """A grid's cells, each once, in the compact form labels are compared in."""
    return Compact.of("".join(c.text for r in range(table.n_rows) for c in table.row_cells(r))).text


def classify_table(text: str, fmt: FormatSpec) -> str | None:
    """Which table of the format a grid holds (``text`` from ``table_text``), by its row labels."""
    scores: dict[str, int] = {}
    for key, spec in fmt.tables.items():
        scores[key] = sum(1 for n in spec.label_names if n in text)
    if "行政复议" in text and ("尚未审结" in text or "结果维持" in text):
        scores["appeals"] += 3
    if "第二十条" in text or "信息内容" in text:
        scores["active"] += 2
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


def _cell_tokens(cells: list[Cell]) -> list[Token]:
    out: list[Token] = []
    for c in cells:
        toks = tokens_of(c.text, c.location)
        if not toks:
            out.append(Token("" if not c.text.strip() else c.text.strip(), c.location))
        else:
            out.extend(toks)
    return out


def read_grid(tables: list[Table], spec: TableSpec, fmt: FormatSpec) -> TableReading:
    reading = TableReading(found=True)
    matcher = RowMatcher(fmt, spec.key)
    header_texts: list[str] = []
    column_header: list[str] | None = None  # active table: the header of the rows below it
    loose_values: list[Cell] = []  # appeals: value rows without labels
    for table in tables:
        for r in range(table.n_rows):
            cells = table.row_cells(r)
            last_label = len(cells) - 1  # the last cell that is not a value
            while last_label >= 0 and _is_value_text(cells[last_label].text):
                last_label -= 1
            labels = [c for c in cells[:last_label + 1] if c.text.strip()]
            values = cells[last_label + 1:]
            has_values = any(c.text.strip() for c in values)
            if not labels:
                if has_values:
                    loose_values.extend(values)
                continue
            # An empty data row has its label (and its groups' labels) and blank cells; a header has many.
            blank_cells = len(values) if not has_values and len(labels) <= 3 and spec.key != "appeals" else 0
            hit = matcher.match([c.text for c in labels], has_values, blank_cells)
            if hit is None:
                header_texts.extend(c.text for c in labels)
                if not has_values and len(labels) >= 2:
                    column_header = [c.text for c in labels[1:]]
                continue
            key, fuzzy, is_group = hit
            n = len(spec.row(key).columns) if not is_group else len(spec.row(spec.groups[0].children[0]).columns)
            while len(values) > n and not values[-1].text.strip():
                values = values[:-1]
            while len(values) > n and not values[0].text.strip():
                values = values[1:]
            run = RowRun(key, labels[-1].text, _cell_tokens(values),
                         labels[-1].location, fuzzy=fuzzy, merged_group=key if is_group else None,
                         raw="\t".join(c.text for c in values))
            reading.runs.append(run)
            if spec.key == "active" and column_header and not is_group:
                _column_variants(spec.row(key), column_header, spec.key, reading)
    if spec.key == "appeals" and loose_values and not reading.runs:
        reading.runs.append(RowRun("*", "", _cell_tokens(loose_values), loose_values[0].location,
                                   raw="\t".join(c.text for c in loose_values)))
    if spec.key != "active":
        _header_variants(spec, "".join(header_texts), reading)
    return reading


def _column_variants(row: RowSpec, header: list[str], table: str, reading: TableReading) -> None:
    """Column labels above an active-table row that differ from the official wording."""
    if len(header) != len(row.columns):
        return
    for col, text in zip(row.columns, header, strict=True):
        if norm(text) != norm(col.label) and fuzz.ratio(norm(text), norm(col.label)) >= 60:
            reading.column_variants[row.cell_key(table, col.key)] = text


def _header_variants(spec: TableSpec, header: str, reading: TableReading) -> None:
    """Column leaf labels (自然人, 结果维持, …) absent from the header but present with a typo."""
    text = norm(header)
    if not text:
        return
    for col in spec.column_labels():
        name = norm(col.leaf)
        if len(name) < 3 or name in text:
            continue
        al = partial_ratio_alignment(name, text)
        if al is not None and al.score >= FUZZY_ROW:
            found = text[al.dest_start:al.dest_end]
            for r in spec.rows:
                for c in r.columns:
                    if c.label == col.label:
                        reading.column_variants[r.cell_key(spec.key, c.key)] = found


# ---------------------------------------------------------------- flattened tables


def _value_prefix(text: str) -> str:
    """The leading stretch of ``text`` that can only be values (digits, spaces, dashes)."""
    out = []
    for i, ch in enumerate(text):
        c = nfkc(ch)
        if all(x in VALUE_CHARS for x in c):
            out.append(ch)
        elif ch == "无" and (i + 1 == len(text) or not _CJK.match(text[i + 1])):
            out.append(ch)
        else:
            break
    return "".join(out)


_LABEL_TAIL = "）)”\"’'」』】]》〉 \t\u3000\xa0"


def read_flat(stream: Stream, start: int, end: int, spec: TableSpec, fmt: FormatSpec,
              anchor: str | None) -> TableReading:
    """Find the rows of a flattened table in ``stream.text[start:end]``."""
    region = stream.text[start:end]
    view = Compact.of(region, offset=start)
    reading = TableReading()
    cursor = 0
    if anchor:
        a = view.text.find(norm(anchor))
        if a < 0:
            return reading
        cursor = a
    if spec.key == "appeals":
        return _read_flat_appeals(stream, view, cursor, end, reading)

    rows = list(spec.rows)
    hits: list[tuple[int, int, RowSpec | None, str, bool]] = []  # compact start, end, row, group key, fuzzy

    def find(names: tuple[str, ...], frm: int) -> tuple[int, int, bool] | None:
        """Earliest occurrence of any name: (start, end, is the official wording)."""
        best = None
        for n, name in enumerate(names):
            i = view.text.find(name, frm)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, i + len(name), n == 0)
        return best

    for row in rows:
        hit = find(row.names(), cursor)
        if hit:
            hits.append((hit[0], hit[1], row, "", not hit[2]))
            cursor = hit[1]
    # Rows not found verbatim: look for them, with typos allowed, between their neighbours.
    found_keys = {h[2].key for h in hits if h[2]}
    for i, row in enumerate(rows):
        if row.key in found_keys:
            continue
        before = [h for h in hits if h[2] and rows.index(h[2]) < i]
        after = [h for h in hits if h[2] and rows.index(h[2]) > i]
        lo = before[-1][1] if before else 0
        hi = after[0][0] if after else len(view.text)
        if hi <= lo:
            continue
        gap = view.text[lo:hi]
        name = row.names()[0]
        al = partial_ratio_alignment(name, gap)
        if al is not None and al.score >= FUZZY_ROW and len(name) >= 3:
            hits.append((lo + al.dest_start, lo + al.dest_end, row, "", True))
    hits.sort(key=lambda h: h[0])
    # A 2021-format group written as one row: children absent, the group label present.
    if fmt.name == "2021":
        for g in spec.groups:
            if any(h[2] and h[2].key in g.children for h in hits):
                continue
            prev = [h for h in hits if h[2] and rows.index(h[2]) < rows.index(spec.row(g.children[0]))]
            lo = prev[-1][1] if prev else 0
            hit = find((norm(g.label),), lo)
            if hit:
                hits.append((hit[0], hit[1], None, g.key, False))
        hits.sort(key=lambda h: h[0])
    if not hits:
        return reading
    reading.found = True
    for j, (s, e, row, group, fuzzy) in enumerate(hits):
        o_start, o_end = view.span(s, e)
        nxt = hits[j + 1] if j + 1 < len(hits) else None
        stop = view.span(nxt[0], nxt[1])[0] if nxt else end
        raw = stream.text[o_end:stop]
        if nxt and nxt[2] is not None and nxt[2].numbering:
            m = re.search(re.escape(nxt[2].numbering) + r"\s*[.、．]\s*$", raw)
            if m:
                raw = raw[:m.start()]
        # Closing brackets and quotes of the label itself come before the values.
        lead = len(raw) - len(raw.lstrip(_LABEL_TAIL))
        values = _value_prefix(raw[lead:])
        label = stream.text[o_start:o_end]
        location = f"{stream.location_at(o_start)}, 「{label.strip()[:24]}」后"
        reading.runs.append(RowRun(row.key if row else group, label, tokens_of(values, location), location,
                                   fuzzy=fuzzy, merged_group=group or None, raw=values.strip()))
        run_end = o_end + lead + len(values)
        reading.span = (min(reading.span[0], o_start) if reading.span else o_start, run_end)
    if spec.key == "active":
        _flat_active_headers(view, spec, reading)
    else:
        first = hits[0][0]
        _header_variants(spec, view.text[max(0, first - 200):first], reading)
    return reading


def _flat_active_headers(view: Compact, spec: TableSpec, reading: TableReading) -> None:
    """Column labels written between 信息内容 and a row label, checked against the format."""
    for m in re.finditer("信息内容", view.text):
        seg_end = len(view.text)
        for r in spec.rows:
            for n in r.names():
                i = view.text.find(n, m.end())
                if i >= 0:
                    seg_end = min(seg_end, i)
        header = view.text[m.end():seg_end]
        following = [r for r in spec.rows if any(view.text.find(n, m.end()) == seg_end for n in r.names())]
        if not following:
            continue
        # Rows under this header: those found before the next 信息内容.
        nxt = view.text.find("信息内容", m.end())
        under = [r for r in spec.rows
                 if any(0 <= view.text.find(n, seg_end) < (nxt if nxt >= 0 else len(view.text))
                        for n in r.names())]
        cols = following[0].columns
        for ci, col in enumerate(cols):
            name = norm(col.label)
            if name in header:
                continue
            al = partial_ratio_alignment(name, header)
            if al is not None and al.score >= 60:
                found = header[al.dest_start:al.dest_end]
                for r in under:
                    if len(r.columns) == len(cols):
                        reading.column_variants[r.cell_key(spec.key, r.columns[ci].key)] = found


def _read_flat_appeals(stream: Stream, view: Compact, cursor: int, end: int,
                       reading: TableReading) -> TableReading:
    """The appeals table flattened: a header of labels, then the fifteen values."""
    header_at = view.text.find("结果维持", cursor)
    if header_at < 0:
        header_at = view.text.find("行政复议", cursor)
    if header_at < 0:
        return reading
    o_start = view.span(header_at, header_at + 1)[0]
    rest = stream.text[o_start:end]
    m = re.search(r"\d", rest)
    if not m:
        return reading
    values = _value_prefix(rest[m.start():])
    at = o_start + m.start()
    location = f"{stream.location_at(at)}, 复议诉讼表数字"
    reading.found = True
    reading.runs.append(RowRun("*", "", tokens_of(values, location), location, raw=values.strip()))
    reading.span = (o_start, at + len(values))
    return reading


# ---------------------------------------------------------------- the solver


@dataclass
class Solved:
    cells: dict[str, Value] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _row_check(table: str, n: int) -> RowCheck | None:
    if table == "requests":
        return sums_to_last
    if table == "appeals":
        return grouped_sums(5)
    return None


def solve(reading: TableReading, spec: TableSpec, fmt: FormatSpec) -> Solved:
    """Cells from the runs of one table: direct reads, certain splits, or null with a reason."""
    out = Solved()
    runs = reading.runs
    pending: list[tuple[RowRun, list[str], list[list[Value]]]] = []
    fixed: dict[str, Value] = {}
    merged: dict[str, list[Value] | None] = {}
    seen_rows: set[str] = set()

    for run in runs:
        if run.merged_group:
            group = next(g for g in spec.groups if g.key == run.merged_group)
            columns = [c.key for c in spec.row(group.children[0]).columns]
            keys = [f"{spec.key}.{run.key}.{c}" for c in columns]
        elif run.key == "*":  # the appeals table's single row of fifteen values
            keys = spec.keys
        else:
            if run.key in seen_rows:
                continue
            seen_rows.add(run.key)
            row = spec.row(run.key)
            keys = list(spec.row_keys(run.key))
            if run.fuzzy:
                out.diagnostics.append(Diagnostic(
                    DiagnosticCode.LABEL_VARIANT, f"行标题「{run.label.strip()}」与格式「{row.leaf}」不一致，已按「{row.leaf}」"
                    f"读取 (row label differs from the official wording)", key=keys[0], keys=keys,
                    found=run.label.strip(), location=run.location))
        reading_ = read_row(run.tokens, len(keys), _row_check(spec.key, len(keys)))
        if reading_.direct and not run.merged_group:  # one token per cell: each cell its own text
            for k, v, tok in zip(keys, reading_.values or [], run.tokens, strict=True):
                fixed[k] = v
                out.provenance[k] = Provenance(tok.text, tok.location)
                if v is None:
                    _null_diag(out, k, tok)
            continue
        for k in keys:
            out.provenance[k] = Provenance(run.raw, run.location)
        if run.merged_group:
            merged[run.merged_group] = reading_.values
            continue
        if not run.tokens:
            for k in keys:
                fixed[k] = None
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.MISSING_VALUES, f"「{run.label.strip()}」一行没有数字 (row has no values)",
                key=keys[0], keys=keys, found=run.label.strip(), location=run.location))
        elif len(reading_.candidates) == 1:
            for k, v in zip(keys, reading_.candidates[0], strict=True):
                fixed[k] = v
            if reading_.needed_arithmetic:
                out.diagnostics.append(Diagnostic(
                    DiagnosticCode.RECOVERED_BY_ARITHMETIC, f"数字连写「{run.raw}」，按本行总计拆分唯一 (digits run together; "
                    "the only split where the row adds up)", key=keys[0], keys=keys, found=run.raw,
                    location=run.location, values=dict(zip(keys, reading_.candidates[0], strict=True))))
            else:
                out.diagnostics.append(Diagnostic(
                    DiagnosticCode.DIGITS_SPLIT, f"数字连写「{run.raw}」，按格数拆分唯一 (digits run together; only one "
                    "split has the right number of cells)", key=keys[0], keys=keys, found=run.raw,
                    location=run.location))
        elif not reading_.candidates:
            for k in keys:
                fixed[k] = None
            if len(run.tokens) > len(keys):
                why = "数字个数多于格数"
            elif reading_.gave_up:
                why = "可能的拆分过多"
            else:
                why = "没有一种拆分能使本行总计相符"
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.NO_VALID_SPLIT, f"「{run.raw}」无法确定各格数值：{why} (cannot read this row's values)",
                key=keys[0], keys=keys, found=run.raw, location=run.location))
        else:
            pending.append((run, keys, reading_.candidates))

    hints = _column_hints(pending, fixed, merged, spec) if pending and spec.key == "requests" else {}
    for i, (run, keys, candidates) in enumerate(pending):
        for i, k in enumerate(keys):
            options = {c[i] for c in candidates}
            fixed[k] = options.pop() if len(options) == 1 else None
        nulls = [k for k in keys if fixed[k] is None]
        certain = [k for k in keys if fixed[k] is not None]
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.AMBIGUOUS_DIGITS, f"数字连写「{run.raw}」有{len(candidates)}种拆分都符合算术关系，无法确定的格留空 "
            f"(several splits fit; undetermined cells are null)", key=keys[0], keys=nulls or keys,
            found=run.raw, location=run.location, candidates=candidates[:20]))
        if len(hints.get(i, [])) == 1:
            out.diagnostics[-1].message += (f"；按列间勾稽关系推断为 {hints[i][0]}，未采用，因其依赖待核验的勾稽关系 "
                                            "(the column identities suggest one split; not taken)")
            out.diagnostics[-1].values = dict(zip(keys, hints[i][0], strict=True))
        if certain:
            out.diagnostics.append(Diagnostic(
                DiagnosticCode.RECOVERED_BY_ARITHMETIC, "各种拆分在这些格上一致 (all fitting splits agree on these cells)",
                key=certain[0], keys=certain, found=run.raw, location=run.location))

    for group_key, values in merged.items():
        group = next(g for g in spec.groups if g.key == group_key)
        columns = [c.key for c in spec.row(group.children[0]).columns]
        keys = [spec.row(ch).cell_key(spec.key, c) for ch in group.children for c in columns]
        for k in keys:
            fixed[k] = None
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.MERGED_ROW,
            f"「{group.label}」写成一行，未分{len(group.children)}个子项；子项各格留空，合并行数值见 values "
            "(the sub-rows of the format are merged into one row)", key=keys[0], keys=keys,
            found=group.label, values=dict(zip(columns, values, strict=True)) if values else None))
    for k, text in reading.column_variants.items():
        out.diagnostics.append(Diagnostic(
            DiagnosticCode.LABEL_VARIANT, f"列标题「{text}」与格式不一致 (column label differs from the official wording)",
            key=k, found=text))
    out.cells.update(fixed)
    return out


def _null_diag(out: Solved, key: str, tok: Token) -> None:
    kind, _ = parse_number(tok.text)
    if kind == "blank":
        out.diagnostics.append(Diagnostic(DiagnosticCode.BLANK_CELL, "空白单元格，按空值处理，不视为0 (blank cell: null, not 0)",
                                          key=key, found="", location=tok.location))
    elif kind == "dash":
        out.diagnostics.append(Diagnostic(DiagnosticCode.DASH_CELL, f"单元格写作「{tok.text}」，按空值处理 (dash or 无: null)",
                                          key=key, found=tok.text, location=tok.location))
    else:
        out.diagnostics.append(Diagnostic(DiagnosticCode.UNPARSED_VALUE, f"无法识别的数值「{tok.text}」 (not a number)",
                                          key=key, found=tok.text, location=tok.location))


def _column_hints(pending, fixed, merged, spec: TableSpec) -> dict[int, list[list[Value]]]:
    """Splits of ambiguous rows that the column identities would leave, per pending row.

    Only a hint for the auditor: a value chosen this way rests on the very sums
    the audit must check, so it is reported, never taken.
    """
    total = 1
    for _, _, c in pending:
        total *= len(c)
    if total > 50_000:
        return {}
    outcome_rows = [r.key for r in spec.rows if r.key not in ("new_received", "carried_over", "total_handled",
                                                               "carried_forward")]
    columns = [*APPLICANT_COLUMNS, "total"]
    survivors = []
    for combo in product(*[c for _, _, c in pending]):
        values = dict(fixed)
        for (_, keys, _), vals in zip(pending, combo, strict=True):
            values.update(zip(keys, vals, strict=True))
        if _columns_hold(values, merged, spec, outcome_rows, columns):
            survivors.append(combo)
    if not survivors:
        return {}
    return {i: [list(x) for x in {tuple(s[i]) for s in survivors}] for i in range(len(pending))}


def _columns_hold(values, merged, spec, outcome_rows, columns) -> bool:
    groups = {ch: g.key for g in spec.groups for ch in g.children}
    for ci, col in enumerate(columns):
        def v(row: str, col: str = col) -> Value:
            return values.get(f"requests.{row}.{col}")
        a, b, t, f = v("new_received"), v("carried_over"), v("total_handled"), v("carried_forward")
        if None not in (a, b, t, f) and a + b != t + f:  # type: ignore[operator]
            return False
        parts: list[Value] = []
        done_groups: set[str] = set()
        for r in outcome_rows:
            g = groups.get(r)
            if g in merged:
                if g not in done_groups:
                    done_groups.add(g)
                    mv = merged[g]
                    parts.append(mv[ci] if mv else None)
                continue
            parts.append(v(r))
        if t is not None and None not in parts and abs(sum(parts) - t) > 1e-9:  # type: ignore[arg-type]
            return False
    return True


# ---------------------------------------------------------------- metadata


_TITLE = re.compile(r"(?P<pre>[^\n]{0,60}?)(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<post>[^\n]{0,60}?)"
                    r"政\s*府\s*信\s*息\s*公\s*开\s*(?:工\s*作\s*)?年\s*度?\s*报\s*告")
_PERIOD = re.compile(r"统计期限自\s*((?:19|20)\d{2})\s*年")
_AGENCY_TAIL = re.compile(r"(人民政府|管委会|管理委员会|办公室|办公厅|局|委员会|委|厅|院|署|中心|实验区|示范区|新区|开发区|政府|"
                          r"街道办事处|街道|镇|乡|处|所|站|队|会)$")


def _clean_agency(text: str) -> str:
    text = re.sub(r"\s+", "", nfkc(text)).strip("《》“”\"'：:-—_，,。.（）()[]【】 ")
    text = re.sub(r"^(关于|标题)", "", text)
    return nfkc(text)


_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")


def _arabic_years(text: str) -> str:
    """``二〇二三年`` -> ``2023年`` so that one pattern reads both."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def _signature(stream: Stream) -> str | None:
    """The agency named in the signature: a short line before a date at the very end."""
    lines = [ln.strip() for ln in stream.text.strip().split("\n") if ln.strip()][-4:]
    for i in range(len(lines) - 1):
        name = _clean_agency(lines[i])
        if 3 <= len(name) <= 30 and _AGENCY_TAIL.search(name) and normal_date(_arabic_years(lines[i + 1])):
            return name
    return None


def read_metadata(layout: Layout, stream: Stream, first_section: int | None,
                  diags: list[Diagnostic]) -> tuple[str | None, int | None, str | None]:
    """Agency, report year and publication date, from the title and what the page states."""
    head_end = first_section if first_section is not None else min(len(stream.text), 600)
    head = stream.text[:head_end][:600]
    # A title broken over short lines ("淮安市洪泽区人民政府" / "2024 年政府信息公开工作年度报告").
    short_lines = [ln.strip() for ln in head.split("\n")[:6] if 0 < len(ln.strip()) <= 40]
    candidates = [layout.meta.get("title", ""), head, "".join(short_lines)]
    agency = year = None
    for text in candidates:
        m = _TITLE.search(_arabic_years(text.replace(_TABLE_MARK, "")))
        if not m:
            continue
        year = int(m.group("year"))
        pre = _clean_agency(m.group("pre").split("\n")[-1] if "\n" in m.group("pre") else m.group("pre"))
        post = _clean_agency(m.group("post"))
        if not pre and "\n" in m.group("pre"):
            pre = _clean_agency(m.group("pre"))
        agency = pre or post or None
        if agency:
            break
    if year is None:
        m2 = _PERIOD.search(stream.text)
        if m2:
            year = int(m2.group(1))
            diags.append(Diagnostic(DiagnosticCode.YEAR_GUESS, f"标题中未见报告年度，按统计期限取{year}年 (report year taken "
                                    "from the statistics period)"))
    if not agency:
        agency = _signature(stream)
        if agency:
            diags.append(Diagnostic(DiagnosticCode.AGENCY_GUESS, f"标题中未见机关名称，按落款取「{agency}」 (agency taken "
                                    "from the signature at the end)"))
    if not agency and layout.meta.get("publisher"):
        agency = _clean_agency(layout.meta["publisher"])
        diags.append(Diagnostic(DiagnosticCode.AGENCY_GUESS, f"标题中未见机关名称，按发布机构取「{agency}」 (agency taken from "
                                "the page's publisher)"))
    if agency and not _AGENCY_TAIL.search(agency) and layout.meta.get("publisher"):
        diags.append(Diagnostic(DiagnosticCode.AGENCY_GUESS, f"机关名称「{agency}」不像机关全称 (agency name looks incomplete)"))
    published = layout.meta.get("published")
    published = normal_date(published) if published else None
    return agency, year, published


# ---------------------------------------------------------------- the whole record


def match_layout(layout: Layout, sha256: str) -> Report:
    """Build the canonical record of one report from its layout."""
    diags: list[Diagnostic] = []
    stream = Stream.of(layout)
    view = Compact.of(stream.text)
    if "政府信息公开" not in view.text and not layout.tables:
        raise ReadError(ReadReason.NOT_A_REPORT, "不是政府信息公开工作年度报告：未见“政府信息公开” (not an annual report on "
                        "government information disclosure)")
    hits = find_sections(stream, view, diags)
    ranges = section_ranges(stream, hits)
    first_section = min((h.start for h in hits.values()), default=None)
    agency, year, published = read_metadata(layout, stream, first_section, diags)
    grid_texts = [table_text(t) for t in layout.tables]
    fmt = format_spec(detect_format(view.text + "".join(grid_texts), year, diags))

    classified: dict[str, list[Table]] = {k: [] for k in fmt.tables}
    for t, text in zip(layout.tables, grid_texts, strict=True):
        kind = classify_table(text, fmt)
        if kind:
            classified[kind].append(t)

    cells: dict[str, Value] = dict.fromkeys(fmt.keys)
    provenance: dict[str, Provenance] = {}
    cuts: list[tuple[int, int]] = []
    tables_found = 0
    anchors = {"active": "信息内容", "requests": "本年新收", "appeals": None}
    for key, spec in fmt.tables.items():
        if classified[key]:
            reading = read_grid(classified[key], spec, fmt)
        else:
            start, end = ranges.get(key, (0, len(stream.text)))
            anchor = anchors[key] if key in ranges else (anchors[key] or "行政复议")
            reading = read_flat(stream, start, end, spec, fmt, anchor)
            if not reading.found and key in ranges and anchors[key]:
                reading = read_flat(stream, start, end, spec, fmt, None)
            if reading.span:
                cuts.append(reading.span)
        if not reading.found or not reading.runs:
            diags.append(Diagnostic(DiagnosticCode.MISSING_TABLE, f"未找到「{spec.title}」的表格，各格留空 (table not found; its "
                                    "cells are null)", key=f"table.{key}", keys=spec.keys))
            continue
        tables_found += 1
        solved = solve(reading, spec, fmt)
        missing_rows = [r for r in spec.rows if r.cell_key(key, r.columns[0].key) not in solved.cells]
        merged_keys = {k for d in solved.diagnostics if d.code == DiagnosticCode.MERGED_ROW for k in (d.keys or [])}
        for r in missing_rows:
            keys = [r.cell_key(key, c.key) for c in r.columns]
            if keys[0] in merged_keys:
                continue
            diags.append(Diagnostic(DiagnosticCode.MISSING_ROW, f"表中未找到「{r.leaf}」一行，各格留空 (row not found; its cells "
                                    "are null)", key=keys[0], keys=keys))
        cells.update({k: v for k, v in solved.cells.items() if k in cells})
        provenance.update(solved.provenance)
        diags.extend(solved.diagnostics)

    if not hits and tables_found == 0:
        raise ReadError(ReadReason.NOT_A_REPORT, "不是政府信息公开工作年度报告：未见年报的部分标题和表格 (no section or table of "
                        "the national format found)")
    section_text = {}
    for key in SECTION_KEYS:
        if key in ranges:
            s, e = ranges[key]
            section_text[key] = stream.text_between(s, e, cuts)
        else:
            section_text[key] = ""
    return Report(source=layout.source, sha256=sha256, kind=layout.kind, format=fmt.name, agency=agency, year=year,
                  published=published, cells=cells, sections=section_text, diagnostics=diags,
                  provenance=provenance)
