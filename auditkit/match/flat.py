"""Flattened tables (crawler copies): a table's rows found in the running text.

The row labels of the format are searched in order in the compact view of a section
(typos allowed between two rows found verbatim); the digits between one label and
the next are that row's values, as tokens the solver may have to split with the
table's arithmetic (``auditkit.digits``). The appeals table is a header of labels
followed by its fifteen values.
"""

from __future__ import annotations

import re

from auditkit.digits import VALUE_CHARS, Token, tokens_of
from auditkit.formats import FormatSpec, RowSpec, TableSpec, nfkc, norm
from auditkit.match.rows import FUZZY_ROW, RowRun, TableReading, header_variants
from auditkit.match.stream import Compact, Stream
from auditkit.precompiled import compile_re

# A unit written after each number (80件1件0件): it separates the numbers as a space would.
_UNITS = ("人次", "万元", "件", "个", "条", "项", "次", "元")
_UNIT_AFTER_DIGIT = compile_re(r"(?<=\d)(?:" + "|".join(_UNITS) + ")")
_CONTENT_WORD = compile_re("信息内容")
_DIGIT = compile_re(r"\d")


def _value_prefix(text: str) -> str:
    """The leading stretch of ``text`` that can only be values (digits, spaces, dashes, a unit
    after a number)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        c = nfkc(ch)
        if all(x in VALUE_CHARS for x in c):
            out.append(ch)
        elif ch == "无" and (i + 1 == len(text) or not "\u4e00" <= text[i + 1] <= "\u9fff"):  # no ideograph after it
            out.append(ch)
        else:
            unit = next((u for u in _UNITS if text.startswith(u, i)), None)
            if unit is None or not out or not nfkc(out[-1]).isdigit():
                break
            out.append(unit)
            i += len(unit)
            continue
        i += 1
    return "".join(out)


def _value_tokens(values: str, location: str) -> list[Token]:
    """The tokens of a run of values, units read as separators."""
    return tokens_of(_UNIT_AFTER_DIGIT.sub(" ", nfkc(values)), location)


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
        from rapidfuzz.fuzz import partial_ratio_alignment  # here: most reports never need it (start-up)

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
            m = compile_re(re.escape(nxt[2].numbering) + r"\s*[.、．]\s*$").search(raw)
            if m:
                raw = raw[:m.start()]
        # Closing brackets and quotes of the label itself come before the values.
        lead = len(raw) - len(raw.lstrip(_LABEL_TAIL))
        values = _value_prefix(raw[lead:])
        label = stream.text[o_start:o_end]
        location = f"{stream.location_at(o_start)}, 「{label.strip()[:24]}」后"
        reading.runs.append(RowRun(row.key if row else group, label, _value_tokens(values, location), location,
                                   fuzzy=fuzzy, merged_group=group or None, raw=values.strip()))
        run_end = o_end + lead + len(values)
        reading.span = (min(reading.span[0], o_start) if reading.span else o_start, run_end)
    if spec.key == "active":
        _flat_active_headers(view, spec, reading)
    else:
        first = hits[0][0]
        header_variants(spec, view.text[max(0, first - 200):first], reading)
    return reading


def _flat_active_headers(view: Compact, spec: TableSpec, reading: TableReading) -> None:
    """Column labels written between 信息内容 and a row label, checked against the format."""
    for m in _CONTENT_WORD.finditer(view.text):
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
            from rapidfuzz.fuzz import partial_ratio_alignment  # here: most reports never need it (start-up)

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
    m = _DIGIT.search(rest)
    if not m:
        return reading
    values = _value_prefix(rest[m.start():])
    at = o_start + m.start()
    location = f"{stream.location_at(at)}, 复议诉讼表数字"
    reading.found = True
    reading.runs.append(RowRun("*", "", _value_tokens(values, location), location, raw=values.strip()))
    reading.span = (o_start, at + len(values))
    return reading
