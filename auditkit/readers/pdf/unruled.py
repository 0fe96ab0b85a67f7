"""Tables drawn without ruling lines, rebuilt from where their text sits on the page.

A report whose tables have no borders (a web page printed without its style sheet,
a Word table with its borders removed) reaches the reader as running lines: a row's
numbers on one line, its wrapped label on the lines around it. This module finds
such tables among the lines the ruled-table pass left and turns them into
``RawTable`` grids like the ruled ones, so the matcher reads them cell by cell.

How a table is recognised
-------------------------
1. Each line is cut into tokens where the gap between characters is wider than a
   quarter of the type size. A line ending in several number tokens is a *value
   line*; its trailing numbers are its values, the rest its label.
2. A table is a stretch of at least ``_MIN_ROWS`` value lines with at least
   ``_MIN_COLUMNS`` numbers each, whose numbers line up in columns (their x
   ranges overlap from line to line). Lines in between that stay left of the
   value columns are label lines (wrapped labels); a line reaching into the value
   columns with text that is not values ends the table. A paragraph with a few
   numbers in it never qualifies: its numbers sit inside words, not in tokens of
   their own, and do not line up over three lines.
3. The lines above the first value line that put short texts over the value
   columns are the header.
4. Label tokens are split into label columns where several lines show a gap at
   the same place (三、本年度办理结果 | （二）部分公开 | 1.属于国家秘密). In each label
   column, lines wrapped close together form one cell; a cell belongs to the value
   lines whose middle it covers (a group label covering several rows spans them),
   or else to the nearest one. An enumerated label (1. （二） 三、) always starts a
   new cell.
5. A table that runs to the end of a page continues at the top of the next one
   when the numbers there fall into the same columns: the rows are appended to
   the same grid (a header repeated there becomes a header row again).

Cells carry their page like the ruled ones, so locations read "page 4, table 2,
row 3, col 5".
"""

from __future__ import annotations

from dataclasses import field, replace
from itertools import pairwise

from auditkit.precompiled import compile_re, dataclass
from auditkit.readers.pdf.model import ENUMERATED, Box, Line, Page, RawTable, join_text, line_text

_GAP = 0.25  # share of the type size: a wider gap between characters separates two tokens
_SPLIT = 0.4  # share of the type size: a gap this wide between two label tokens can be a column edge
_WRAP = 0.8  # share of the type size: lines closer than this in one label column are one wrapped cell
_MAX_GAP = 4.0  # type sizes: a wider vertical gap between two lines ends a table
_MIN_ROWS = 3  # value lines with at least _MIN_COLUMNS numbers before a stretch is a table
_MIN_COLUMNS = 3
_NUMBER = compile_re(r"^[-−－]?[\d０-９]+(?:[,，][\d０-９]{3})*(?:[.．][\d０-９]+)?[%％]?$")
_PLACEHOLDERS = frozenset({"-", "—", "–", "－", "―", "--", "——", "/", "／", "无", "*", "×"})


# ---------------------------------------------------------------- data shapes


@dataclass(slots=True)
class _Token:
    text: str
    x0: float
    x1: float
    numeric: bool  # a number
    value: bool  # a number or a placeholder for none (—, /, 无)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class _Row:
    """One line of a table: its label tokens and, for a value line, its value tokens."""

    line: Line
    labels: list[_Token]
    values: list[_Token]


@dataclass
class _Region:
    """A table under construction, possibly over several pages."""

    columns: list[list[float]]  # value columns: [x0, x1, lines seen in it]
    header: list[_Row] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)  # label lines and value lines, top down
    strong: int = 0  # value lines with at least _MIN_COLUMNS numbers
    table: RawTable | None = None  # once emitted

    @property
    def value_left(self) -> float:
        return self.columns[0][0]

    def left_of_values(self, x1: float, size: float) -> bool:
        """Whether text ending at ``x1`` stays in the label area (a label may come close to
        the first value, never into it)."""
        return x1 <= self.value_left + _GAP * size


# ---------------------------------------------------------------- entry point


def find_unruled_tables(pages: list[Page]) -> None:
    """Replace, page by page, the lines that form a table without rulings by a ``RawTable``."""
    carry: _Region | None = None  # a table running to the bottom of the previous page
    for page in pages:
        if not any(_may_hold_values(it) for it in page.items if isinstance(it, Line)):
            carry = None  # the common case of a prose page or a ruled one: nothing to do
            continue
        carry = _scan_page(page, carry)


def _may_hold_values(line: Line) -> bool:
    """Cheap test before tokenising: at least two space-separated numbers on the line."""
    return sum(1 for w in line.text.split() if _NUMBER.match(w) or w in _PLACEHOLDERS) >= 2


def _scan_page(page: Page, carry: _Region | None) -> _Region | None:
    """Find the page's unruled tables; returns the table still open at the page's end."""
    out: list[Line | RawTable] = []
    open_region: _Region | None = None
    k = 0
    items = page.items
    while k < len(items):
        if not isinstance(items[k], Line):  # a ruled table: nothing continues past it
            out.append(items[k])
            open_region = carry = None
            k += 1
            continue
        end = k
        while end < len(items) and isinstance(items[end], Line):
            end += 1
        kept, open_region = _scan_segment(items[k:end], carry)  # type: ignore[arg-type]
        out.extend(kept)
        carry = None  # only the page's first lines can continue the previous page's table
        k = end
    page.items = out
    return open_region


def _scan_segment(lines: list[Line], carry: _Region | None) -> tuple[list[Line | RawTable], _Region | None]:
    """The segment's lines with each table found in it replaced by its ``RawTable``, and the
    table that runs to the segment's end (it may continue on the next page)."""
    rows = [_split_line(ln) for ln in lines]
    out: list[Line | RawTable] = []
    open_region: _Region | None = None
    i = floor = 0  # next line to look at; first line not taken by a table
    if carry is not None:
        i = floor = _continue_region(carry, rows)
        if i == len(rows):
            open_region = carry
    while i < len(rows):
        found = _grow_region(rows, i)
        if found is None:
            i += 1
            continue
        region, stop = found
        top = _take_header(region, rows, i, floor)
        out.extend(_join_wrapped_labels(rows[floor:top]))  # running text before the table
        out.append(_build(region))
        open_region = region if stop == len(rows) else None
        i = floor = stop
    out.extend(_join_wrapped_labels(rows[floor:]))
    return out, open_region


def _join_wrapped_labels(rows: list[_Row]) -> list[Line]:
    """The lines of text outside tables, a line of bare values whose label wraps around it
    (行政规范性文 / 77 132 470 / 件: a small table without rulings) made one line with its
    label, so the flat reading finds label then values."""
    lines = [r.line for r in rows]
    k = 1
    while k < len(rows) - 1:
        span = _wrapped_label_around(rows, lines, k)
        if span is None:
            k += 1
            continue
        lo, hi = span
        values = lines[k]
        label = [ln for ln in lines[lo:hi] if ln is not values]
        text = ""
        for ln in label:
            text = join_text(text, ln.text, " ")
        merged = replace(label[0], text=f"{text} {values.text}", x1=values.x1, y1=max(ln.y1 for ln in label),
                         chars=[c for ln in lines[lo:hi] for c in ln.chars])
        lines[lo:hi] = [merged]
        rows[lo:hi] = [_Row(merged, [], [])]
        k = lo + 1
    return lines


def _wrapped_label_around(rows: list[_Row], lines: list[Line], k: int) -> tuple[int, int] | None:
    """``(lo, hi)`` when ``lines[k]`` holds only numbers and ``lines[lo:hi]`` around it are the
    lines of one wrapped label to its left (same left edge, close together)."""
    row = rows[k]
    if not row.values or row.labels or not any(t.numeric for t in row.values):
        return None
    values = lines[k]
    size = max(values.size, 1.0)
    first = lines[k - 1]

    def label_line(j: int) -> bool:
        ln = lines[j]
        return ln.x1 < values.x0 - _GAP * size and abs(ln.x0 - first.x0) <= 0.5 * size and not rows[j].values

    if not label_line(k - 1):
        return None
    lo = k - 1
    while lo > 0 and label_line(lo - 1) and lines[lo].y0 - lines[lo - 1].y1 <= _WRAP * size \
            and not ENUMERATED.match(lines[lo].text):
        lo -= 1
    hi = k + 1
    prev = first
    while hi < len(lines) and label_line(hi) and lines[hi].y0 - prev.y1 <= _WRAP * size \
            and not ENUMERATED.match(lines[hi].text):
        prev = lines[hi]
        hi += 1
    if hi == k + 1 or not (lines[lo].y0 <= (values.y0 + values.y1) / 2 <= prev.y1):
        return None  # the label does not wrap around the values: leave the lines as they are
    return lo, hi


# ---------------------------------------------------------------- tokens


def _tokens(line: Line) -> list[_Token]:
    """The line cut at spaces and wide gaps, left to right."""
    size = max(line.size, 1.0)
    groups: list[list] = []
    prev = None
    for ch in line.chars:
        if ch.ch == " ":
            prev = None
            continue
        if prev is None or ch.x0 - prev.x1 > _GAP * size:
            groups.append([])
        groups[-1].append(ch)
        prev = ch
    out: list[_Token] = []
    for g in groups:
        text = line_text(g)
        if not text:
            continue
        numeric = bool(_NUMBER.match(text))
        out.append(_Token(text, g[0].x0, max(c.x1 for c in g), numeric, numeric or text in _PLACEHOLDERS))
    return _join_spread(out, size)


def _join_spread(tokens: list[_Token], size: float) -> list[_Token]:
    """A label typed or set with space between its characters (本 年 新 收 …, 分散对齐) as one
    token: a run of three characters or more standing alone, the same gap between each two, two of
    them CJK at least. A list number may open the run (1 . 属 于 …); other digits end it, so a
    row's numbers are never joined."""
    out: list[_Token] = []
    k = 0
    while k < len(tokens):
        end = k
        while end + 1 < len(tokens) and _spread_pair(tokens, k, end + 1, size):
            end += 1
        run = tokens[k:end + 1]
        if end - k >= 2 and sum(_wide(t.text) for t in run) >= 2:
            out.append(_Token("".join(t.text for t in run), run[0].x0, run[-1].x1, False, False))
        else:
            out.extend(run)
        k = end + 1
    return out


def _spread_pair(tokens: list[_Token], start: int, nxt: int, size: float) -> bool:
    """Whether ``tokens[nxt]`` carries on the spread run from ``tokens[start]``."""
    a, b = tokens[nxt - 1], tokens[nxt]
    if len(b.text) != 1 or len(tokens[start].text) != 1:
        return False
    if b.text.isdigit() or (a.text.isdigit() and any(_wide(t.text) for t in tokens[start:nxt])):
        return False  # digits only as the run's list number
    gap = b.x0 - a.x1
    if gap > 1.5 * size:
        return False
    first = tokens[start + 1].x0 - tokens[start].x1 if nxt > start + 1 else gap
    return abs(gap - first) <= 0.25 * size


def _split_line(line: Line) -> _Row:
    """Label tokens and trailing value tokens (values are only the run at the line's end)."""
    toks = _tokens(line)
    k = len(toks)
    while k > 0 and toks[k - 1].value:
        k -= 1
    values = toks[k:]
    if len(values) < 2 and not (values and values[0].numeric and k > 0):
        # a lone number after a label may be a one-column value; without a label it is text
        return _Row(line, toks, [])
    return _Row(line, toks[:k], values)


# ---------------------------------------------------------------- finding a table


def _aligned(region: _Region, values: list[_Token], tol: float) -> bool:
    """Whether most value tokens fall into the region's value columns."""
    if not values:
        return False
    hits = sum(1 for t in values if any(t.x0 <= c[1] + tol and t.x1 >= c[0] - tol for c in region.columns))
    return hits >= max(1, 0.6 * len(values))


def _add_values(region: _Region, values: list[_Token], tol: float) -> None:
    """Widen the value columns by this line's tokens (a token clear of every column opens one)."""
    for t in values:
        for c in region.columns:
            if t.x0 <= c[1] + tol and t.x1 >= c[0] - tol:
                c[0], c[1] = min(c[0], t.x0), max(c[1], t.x1)
                c[2] += 1
                break
        else:
            region.columns.append([t.x0, t.x1, 1])
    region.columns.sort()


def _classify(region: _Region, row: _Row) -> str:
    """'value', 'label' (left of the value columns) or 'other' (ends the table)."""
    size = max(row.line.size, 1.0)
    if row.values and _aligned(region, row.values, 0.5 * size) \
            and all(region.left_of_values(t.x1, size) for t in row.labels):
        return "value"
    if region.left_of_values(row.line.x1, size):
        return "label"
    return "other"


def _grow_region(rows: list[_Row], i: int) -> tuple[_Region, int] | None:
    """A table whose first value line is ``rows[i]``: (region, index after its last line)."""
    first = rows[i]
    if sum(1 for t in first.values if t.numeric) < _MIN_COLUMNS:
        return None
    region = _Region(columns=[[t.x0, t.x1, 1] for t in first.values])
    region.columns.sort()
    body: list[_Row] = [first]
    region.strong = 1
    last_value = i
    j = i + 1
    while j < len(rows):
        row = rows[j]
        size = max(row.line.size, 1.0)
        if row.line.y0 - rows[j - 1].line.y1 > _MAX_GAP * size:
            break
        kind = _classify(region, row)
        if kind == "other":
            break
        if kind == "value":
            _add_values(region, row.values, 0.5 * size)
            if sum(1 for t in row.values if t.numeric) >= _MIN_COLUMNS:
                region.strong += 1
            last_value = j
        body.append(row)
        j += 1
    if region.strong < _MIN_ROWS or sum(1 for c in region.columns if c[2] >= 2) < _MIN_COLUMNS:
        return None
    stop = _trailing_labels(rows, last_value, j)
    region.rows = body[:stop - i]
    return region, stop


def _trailing_labels(rows: list[_Row], last_value: int, end: int) -> int:
    """Index after the last line of the table: label lines after its last value line belong to
    the last row only while they sit beside it or wrap on right below it."""
    stop = last_value + 1
    anchor = rows[last_value].line
    prev = anchor
    while stop < end:
        line = rows[stop].line
        size = max(line.size, 1.0)
        beside = abs((line.y0 + line.y1) / 2 - (anchor.y0 + anchor.y1) / 2) < size
        wrapped = line.y0 - prev.y1 <= _WRAP * size and not ENUMERATED.match(line.text)
        if not (beside or wrapped):
            break
        prev = line
        stop += 1
    return stop


def _continue_region(region: _Region, rows: list[_Row]) -> int:
    """How many lines opening this page continue ``region`` from the page before (0 if none):
    its values fall into the same columns; a header repeated above them is dropped."""
    j = 0
    first_value = last_value = -1
    while j < len(rows):
        row = rows[j]
        if j and row.line.y0 - rows[j - 1].line.y1 > _MAX_GAP * max(row.line.size, 1.0):
            break
        kind = _classify(region, row)
        if kind == "value":
            first_value = j if first_value < 0 else first_value
            last_value = j
        elif kind == "other" and (first_value >= 0 or not _is_header_line(region, row)):
            break
        j += 1
    if first_value < 0:
        return 0
    header = [r for r in rows[:first_value] if _is_header_line(region, r)]
    body_start = rows.index(header[-1]) + 1 if header else 0
    if header and not _repeats(region.header, rows[:body_start]):
        return 0  # another table's header: not a continuation
    stop = _trailing_labels(rows, last_value, j)
    for row in rows[body_start:stop]:
        if row.values and _classify(region, row) == "value":
            _add_values(region, row.values, 0.5 * max(row.line.size, 1.0))
    region.rows.extend(rows[body_start:stop])
    _build(region)  # the grid rebuilt in place, now with this page's rows
    return stop


def _repeats(first: list[_Row], again: list[_Row]) -> bool:
    """Whether the lines ``again`` repeat the table's header ``first`` (as a new page does)."""
    seen = "".join(r.line.text for r in first).replace(" ", "")
    return bool(seen) and all(r.line.text.replace(" ", "") in seen for r in again)


def _is_header_line(region: _Region, row: _Row) -> bool:
    """Short texts over the value columns; a prose line runs across them and into the label area."""
    left, width = region.value_left, region.columns[-1][1] - region.value_left
    size = max(row.line.size, 1.0)
    over = [t for t in row.labels + row.values if not region.left_of_values(t.x1, size)]
    if not over or sum(t.x1 - t.x0 for t in over) > 0.8 * width:
        return False
    return all(t.x1 - t.x0 <= 0.6 * width and t.x0 >= left - 2 * size for t in over)


def _take_header(region: _Region, rows: list[_Row], start: int, floor: int) -> int:
    """Put the header lines above row ``start`` into ``region``; returns the index of the first."""
    top = start
    j = start - 1
    while j >= floor:
        row = rows[j]
        below = rows[j + 1].line
        if below.y0 - row.line.y1 > _MAX_GAP * max(row.line.size, 1.0):
            break
        if any(t.numeric for t in row.values):
            break  # a line of values: a row of the table above (主动公开's 规章 0 0 8), never a header
        if _is_header_line(region, row):
            top = j
        elif not region.left_of_values(row.line.x1, max(row.line.size, 1.0)):
            break  # text across the value columns: prose or another table
        j -= 1
    # label lines between the last header line and the first value line open the first row
    last_header = top
    for k in range(top, start):
        if _is_header_line(region, rows[k]):
            last_header = k
    if top < start:
        region.header = rows[top:last_header + 1]
        region.rows[:0] = rows[last_header + 1:start]
    return top


# ---------------------------------------------------------------- the grid


def _label_edges(rows: list[_Row], left: float) -> list[float]:
    """Left edges of the label columns: the table's left edge, then every place where at
    least two lines break between two label tokens."""
    gaps: list[tuple[float, float]] = []
    for row in rows:
        size = max(row.line.size, 1.0)
        for a, b in pairwise(row.labels):
            if b.x0 - a.x1 >= _SPLIT * size:
                gaps.append((a.x1, b.x0))
    gaps.sort()
    edges: list[float] = []
    k = 0
    while k < len(gaps):
        lo, hi = gaps[k]
        n = 1
        while k + n < len(gaps) and gaps[k + n][0] <= hi:  # overlapping gaps: one column edge
            lo, hi = max(lo, gaps[k + n][0]), min(hi, gaps[k + n][1]) if gaps[k + n][1] > lo else hi
            n += 1
        if n >= 2:
            edges.append(hi)
        k += n
    return [left, *sorted(e for e in edges if e > left)]


def _build(region: _Region) -> RawTable:
    """The region's grid: one header row, then one row per value line; label columns, then value columns."""
    value_rows = [r for r in region.rows if r.values and _classify(region, r) == "value"]
    columns = _full_row_columns(value_rows) or [c for c in region.columns if c[2] >= 2] or region.columns
    bounds = [(a[1] + b[0]) / 2 for a, b in pairwise(columns)]  # value column edges

    def value_col(t: _Token) -> int:
        return sum(1 for b in bounds if t.cx > b)

    label_rows = region.rows + region.header
    left = min((t.x0 for r in label_rows for t in r.labels), default=region.value_left)
    edges = _label_edges(region.rows, left)
    n_label = len(edges)
    n_cols = n_label + len(columns)

    def label_col(t: _Token, size: float) -> int:
        x = t.x0 + _GAP * size
        return max(0, sum(1 for e in edges if x >= e) - 1)

    # the header: every token in the column under which it sits, lines top down
    page = (region.header or region.rows)[0].line.page
    header_boxes = [Box(page) for _ in range(n_cols)]
    tol_left = region.value_left
    for row in region.header:
        size = max(row.line.size, 1.0)
        for t in row.labels + row.values:
            col = n_label + value_col(t) if t.cx >= tol_left - 0.5 * size else label_col(t, size)
            header_boxes[col].lines.append(t.text)

    # the table's rows top down: one per value line, and one of blank cells per row the agency
    # left empty (its label alone on its line)
    slots = [_Slot(vr.line.page, vr.line.y0, vr.line.y1, vr.line.size, vr.values) for vr in value_rows]
    slots.extend(_blank_rows(region, value_rows, n_label, label_col))
    slots.sort(key=lambda sl: (sl.page, sl.y0))
    grid: list[list[Box]] = [header_boxes] if region.header else []
    body: list[list[Box | None]] = []
    for sl in slots:
        cells: list[Box | None] = [None] * n_label + [Box(sl.page) for _ in columns]
        for t in sl.values:
            box = cells[n_label + value_col(t)]
            assert box is not None
            if box.lines:
                box.lines[-1] += " " + t.text
            else:
                box.lines.append(t.text)
        body.append(cells)

    # label cells, page by page (a wrapped cell never crosses a page break)
    for pg in sorted({r.line.page for r in region.rows}):
        on_page = [r for r in region.rows if r.line.page == pg]
        rows_here = [k for k, sl in enumerate(slots) if sl.page == pg]
        if not rows_here:
            continue
        centres = [(slots[k].y0 + slots[k].y1) / 2 for k in rows_here]
        first = slots[rows_here[0]]
        cut = rows_here[0] - 1  # the previous page's last row: a label cut by the page break ends here
        for col in range(n_label):
            leading = cut >= 0
            for block in _blocks(on_page, col, label_col):
                leading = leading and block.y1 < first.y0 - _WRAP * first.size \
                    and not ENUMERATED.match(block.lines[0])
                if leading:
                    box = body[cut][col] or Box(slots[cut].page)
                    box.lines.extend(block.lines)
                    body[cut][col] = box
                else:
                    _place(block, col, body, rows_here, centres, n_label)

    for cells in body:
        for c in range(n_label):
            if cells[c] is None:
                cells[c] = Box(cells[n_label].page)  # type: ignore[union-attr]
    grid.extend(body)  # type: ignore[arg-type]
    xs = [*edges, *_value_xs(columns, bounds)]
    pages = [r.line.page for r in region.rows]
    y0 = min(r.line.y0 for r in (region.header or region.rows) if r.line.page == pages[0])
    table = region.table
    if table is None:
        table = RawTable(grid, xs, y0, max(r.line.y1 for r in region.rows if r.line.page == pages[0]),
                         pages[0], pages[-1], ruled=False)
        region.table = table
    else:
        table.grid, table.xs, table.last_page = grid, xs, pages[-1]
    return table


def _full_row_columns(value_rows: list[_Row]) -> list[list[float]] | None:
    """Value columns from the lines that hold a value in every column, when there are more such
    columns than the region found: numbers of neighbouring columns placed close together (centred
    in one, right-aligned in the next, some cells blank) run the columns' x ranges into one. Each
    full line's k-th number is in the k-th column; None when the full lines disagree."""
    if not value_rows:
        return None
    most = max(len(vr.values) for vr in value_rows)
    full = [vr.values for vr in value_rows if len(vr.values) == most]
    if len(full) < 2 or most < _MIN_COLUMNS:
        return None
    ranges = [[min(v[k].x0 for v in full), max(v[k].x1 for v in full), float(len(full))] for k in range(most)]
    if any(a[1] >= b[0] for a, b in pairwise(ranges)):
        return None  # the full lines' numbers do not stand in columns
    return ranges


def _value_xs(columns: list[list[float]], bounds: list[float]) -> list[float]:
    """Column boundaries of the value columns: each column's left edge, and the last one's right edge."""
    return [columns[0][0], *bounds, columns[-1][1]]


@dataclass(slots=True)
class _Slot:
    """A row of the grid: where it stands and its value tokens (none for a row left empty)."""

    page: int
    y0: float
    y1: float
    size: float
    values: list[_Token]


def _blank_rows(region: _Region, value_rows: list[_Row], n_label: int, label_col) -> list[_Slot]:
    """Rows the agency left empty: a numbered label (1. （二） 三、) alone on its lines, beside no
    value line, with no label to its right at its height (a group's label, 三、本年度办理结果, has
    its sub-rows' labels there)."""
    out: list[_Slot] = []
    for pg in sorted({r.line.page for r in region.rows}):
        on_page = [r for r in region.rows if r.line.page == pg]
        values = [vr.line for vr in value_rows if vr.line.page == pg]
        if not values:
            continue
        columns = [_blocks(on_page, col, label_col) for col in range(n_label)]
        for col, blocks in enumerate(columns):
            for block in blocks:
                if not ENUMERATED.match(block.lines[0]):
                    continue
                if any(block.y0 < v.y1 and v.y0 < block.y1 for v in values):
                    continue  # the label of a row with values
                if any(block.y0 < b.y1 and b.y0 < block.y1 for right in columns[col + 1:] for b in right):
                    continue
                if block.y1 <= values[0].y0 or block.y0 >= values[-1].y1:
                    continue  # above the first or below the last value line: not between the table's rows
                size = (block.y1 - block.y0) / len(block.lines)
                out.append(_Slot(pg, block.y0, block.y1, size, []))
    return out


@dataclass(slots=True)
class _Block:
    lines: list[str]
    y0: float
    y1: float
    x1: float


def _blocks(rows: list[_Row], col: int, label_col) -> list[_Block]:
    """The cells of one label column on one page: its tokens, line by line, joined where
    lines wrap close together and no enumerated label starts a new cell."""
    out: list[_Block] = []
    for row in rows:
        size = max(row.line.size, 1.0)
        toks = [t for t in row.labels if label_col(t, size) == col]
        if not toks:
            continue
        text = " ".join(t.text for t in toks) if not any(_wide(t.text) for t in toks) else "".join(t.text for t in toks)
        y0, y1, x1 = row.line.y0, row.line.y1, max(t.x1 for t in toks)
        prev = out[-1] if out else None
        if prev is not None and y0 - prev.y1 <= _WRAP * size and not ENUMERATED.match(text):
            prev.lines.append(text)
            prev.y1, prev.x1 = y1, max(prev.x1, x1)
        else:
            out.append(_Block([text], y0, y1, x1))
    return out


def _wide(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def _place(block: _Block, col: int, body: list[list[Box | None]], rows_here: list[int],
           centres: list[float], n_label: int) -> None:
    """Put a label cell into the rows whose value line it covers, or beside the nearest one."""
    size = block.y1 - block.y0 if len(block.lines) == 1 else (block.y1 - block.y0) / len(block.lines)
    pad = 0.3 * size
    covered = [k for k, cy in zip(rows_here, centres, strict=True) if block.y0 - pad <= cy <= block.y1 + pad]
    if not covered:
        mid = (block.y0 + block.y1) / 2
        nearest = min(range(len(centres)), key=lambda n: abs(centres[n] - mid))
        covered = [rows_here[nearest]]
    page = body[covered[0]][n_label].page  # type: ignore[union-attr]
    target: Box | None = None
    for k in covered:
        if body[k][col] is not None:
            target = body[k][col]
    if target is None:
        target = Box(page)
    target.lines.extend(block.lines)
    for k in covered:
        body[k][col] = target
