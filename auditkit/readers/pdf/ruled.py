"""Ruled tables: a page's ruling lines turned into table grids (a merged cell is where
a ruling between grid squares is missing), and the characters put into the cells
that hold their centres.
"""

from __future__ import annotations

from bisect import bisect_right

from auditkit.precompiled import compile_re
from auditkit.readers.pdf.model import Box, Char, DoubtChar, OcrChar, RawTable, group_lines, line_text

SNAP = 3.0  # pt: ruling coordinates closer than this are one line
_JOIN = 3.0  # pt: collinear ruling pieces closer than this are one ruling
_MIN_RULE = 4.0  # pt: shorter strokes are glyph bits or ticks, not borders

# A table found from rulings before characters go in: the table, its row boundaries,
# and for each square of the fine grid the box (cell) that owns it.
Grid = tuple[RawTable, list[float], list[list[Box]]]

Ruling = tuple[float, float, float]  # (y, x0, x1) for a horizontal ruling, (x, y0, y1) for a vertical one


def find_grids(hs: list[Ruling], vs: list[Ruling], page: int, width: float) -> list[Grid]:
    """The tables the page's rulings draw: touching rulings grouped, each group laid out as a grid.
    ``width``: the paper's; a table left open where the paper ends is cut there."""
    h = [s for s in _merge_rulings(hs) if s[2] - s[1] >= _MIN_RULE]
    v = [s for s in _merge_rulings(vs) if s[2] - s[1] >= _MIN_RULE]
    if len(h) < 2 or len(v) < 2:
        return []
    # group rulings that touch into tables (union-find over h + v)
    parent = list(range(len(h) + len(v)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (hy, hx0, hx1) in enumerate(h):
        for j, (vx, vy0, vy1) in enumerate(v):
            if hx0 - SNAP <= vx <= hx1 + SNAP and vy0 - SNAP <= hy <= vy1 + SNAP:
                parent[find(i)] = find(len(h) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i in range(len(h)):
        groups.setdefault(find(i), ([], []))[0].append(h[i])
    for j in range(len(v)):
        groups.setdefault(find(len(h) + j), ([], []))[1].append(v[j])

    grids: list[Grid] = []
    for gh, gv in groups.values():
        if len(gh) < 2 or len(gv) < 2:
            continue
        built = _grid_from_rulings(gh, gv, page, width)
        if built is not None:
            grids.append(built)
    return grids


def grid_bounds(grid: Grid) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a table found from rulings."""
    table, ys, _fine = grid
    return table.xs[0], ys[0], table.xs[-1], ys[-1]


def fill_grids(grids: list[Grid], chars: list[Char], width: float) -> tuple[list[RawTable], list[Char]]:
    """Each character put into the cell that holds its centre, and each cell's lines
    rebuilt from the boxes; returns the tables holding text and the characters outside
    them. A one-column table (a framed paragraph, a page border) gives its characters
    back as running text."""
    if not grids:
        return [], chars
    free: list[Char] = []
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        for table, ys, fine in grids:
            xs = table.xs
            if xs[0] - 1 <= cx <= xs[-1] + 1 and ys[0] - 1 <= cy <= ys[-1] + 1:
                r = min(max(bisect_right(ys, cy) - 1, 0), len(ys) - 2)
                c = min(max(bisect_right(xs, cx) - 1, 0), len(xs) - 2)
                fine[r][c].chars.append(ch)
                break
        else:
            free.append(ch)

    out: list[RawTable] = []
    for table, _ys, _fine in grids:
        boxes = {id(b): b for row in table.grid for b in row}
        has_text = any(any(not c.ch.isspace() for c in b.chars) for b in boxes.values())
        if not has_text:
            continue  # a decorative frame
        _prune(table)
        if len(table.xs) == 2:
            # one column: a framed paragraph or a page border, running text rather than a table
            free.extend(c for b in boxes.values() for c in b.chars)
            continue
        out.append(table)
    for t in out:
        if t.cut_left or t.cut_right:
            _mark_cut(t, width)
        split = _split_regions(t)
        for row in t.grid:
            for box in row:
                if box.chars:
                    lines = [(text, lc) for lc in group_lines(box.chars) if (text := line_text(lc))]
                    box.lines = [text for text, _ in lines]
                    box.widths = [(lc[-1].x1 - lc[0].x0, lc[0].x1 - lc[0].x0) for _, lc in lines]
                    box.doubt = [c.doubt for c in box.chars if type(c) is DoubtChar]
                    if id(box) in split and _VALUE_TEXT.match(" ".join(box.lines)):
                        _refuse(box, split[id(box)])
                    box.chars = []
    return out, free


# A cell's text that is values only: digits, separators, and the marks of numbers OCR refused.
_VALUE_TEXT = compile_re(r"^[\d\s.,，．%％\u2370-]*[\d\u2370][\d\s.,，．%％\u2370-]*$")


def _split_regions(table: RawTable) -> dict[int, str]:
    """OCR only: grid cells (by id) where the grid built from the rulings and the cells found in the page
    image disagree: characters of several image cells in one grid cell, or one image cell's characters in
    several grid cells. A character there may sit in its neighbour's cell: its number is not taken."""
    boxes_of: dict[int, set[int]] = {}  # image cell -> grid cells holding its characters
    for row in table.grid:
        for box in row:
            for c in box.chars:
                if isinstance(c, OcrChar) and c.region >= 0:
                    boxes_of.setdefault(c.region, set()).add(id(box))
    if not boxes_of:
        return {}
    regions_of: dict[int, set[int]] = {}
    for region, boxes in boxes_of.items():
        for b in boxes:
            regions_of.setdefault(b, set()).add(region)
    out = {b: f"characters of {len(regions)} cells of the image in one cell of the table"
           for b, regions in regions_of.items() if len(regions) > 1}
    for boxes in boxes_of.values():
        if len(boxes) > 1:
            for b in boxes:
                out.setdefault(b, f"one cell of the image spread over {len(boxes)} cells of the table")
    return out


def _refuse(box: Box, why: str) -> None:
    """The box's numbers replaced by the refusal mark, with what was seen."""
    from auditkit.digits import OCR_DOUBT

    seen = " ".join(box.lines)
    box.doubt = [f"「{seen}」: {why}", *(d for d in box.doubt)]
    box.lines = [OCR_DOUBT]
    box.widths = box.widths[:1]


def _mark_cut(table: RawTable, width: float) -> None:
    """Mark the cells the paper's edge runs through whose text may have lost characters there.

    A cell's text is whole when a character's width of paper lies between it and the edge:
    one more character would have fitted there, so none was lost. An empty cell on the edge
    may have had its whole text beyond it.
    """
    sides = ([0] if table.cut_left else []) + ([len(table.xs) - 2] if table.cut_right else [])
    for col in sides:
        for row in table.grid:
            box = row[col]
            seen = [c for c in box.chars if not c.ch.isspace()]
            if not seen:
                box.cut = True
                continue
            em = max(max(c.y1 - c.y0, c.x1 - c.x0) for c in seen)
            if col == 0 and table.cut_left and min(c.x0 for c in seen) < em:
                box.cut = True
            if col == len(table.xs) - 2 and table.cut_right and width - max(c.x1 for c in seen) < em:
                box.cut = True


def cluster(values: list[float], tol: float = SNAP) -> list[float]:
    """Sorted representatives of groups of values closer than ``tol``."""
    out: list[float] = []
    group: list[float] = []
    for v in sorted(values):
        if group and v - group[-1] > tol:
            out.append(sum(group) / len(group))
            group = []
        group.append(v)
    if group:
        out.append(sum(group) / len(group))
    return out


def _merge_rulings(segs: list[Ruling]) -> list[Ruling]:
    """Collinear pieces (same position within ``SNAP``) joined where they touch."""
    out: list[Ruling] = []
    segs = sorted(segs)
    i = 0
    while i < len(segs):
        j = i + 1
        while j < len(segs) and segs[j][0] - segs[i][0] <= SNAP:  # anchored: dotted borders form chains
            j += 1
        group = segs[i:j]
        pos = sorted(s[0] for s in group)[len(group) // 2]
        spans = sorted((s[1], s[2]) for s in group)
        lo, hi = spans[0]
        for a, b in spans[1:]:
            if a <= hi + _JOIN:
                hi = max(hi, b)
            else:
                out.append((pos, lo, hi))
                lo, hi = a, b
        out.append((pos, lo, hi))
        i = j
    return out


def _grid_from_rulings(h: list[Ruling], v: list[Ruling], page: int, width: float) -> Grid | None:
    xs = cluster([s[0] for s in v])
    ys = cluster([s[0] for s in h])
    # open sides (rulings that run past the outermost cross rulings) still bound the table;
    # an open side on the paper's edge is where the paper cut the table off
    left, right = min(s[1] for s in h), max(s[2] for s in h)
    top, bottom = min(s[1] for s in v), max(s[2] for s in v)
    cut_left = cut_right = False
    if left < xs[0] - SNAP:
        xs.insert(0, left)
        cut_left = left <= SNAP
    if right > xs[-1] + SNAP:
        xs.append(right)
        cut_right = right >= width - SNAP
    if top < ys[0] - SNAP:
        ys.insert(0, top)
    if bottom > ys[-1] + SNAP:
        ys.append(bottom)
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr < 1 or nc < 1:
        return None

    def nearest(vals: list[float], x: float) -> int:
        k = bisect_right(vals, x)
        if k == len(vals) or (k > 0 and x - vals[k - 1] <= vals[k] - x):
            k -= 1
        return k

    # vwall[r][k]: a ruling at boundary xs[k] along row r; hwall[k][c] likewise
    vwall = [[k == 0 or k == nc for k in range(nc + 1)] for _ in range(nr)]
    hwall = [[k == 0 or k == nr for _ in range(nc)] for k in range(nr + 1)]
    for x, y0, y1 in v:
        k = nearest(xs, x)
        for r in range(nr):
            lo, hi = ys[r], ys[r + 1]
            if min(y1, hi) - max(y0, lo) >= 0.5 * (hi - lo):
                vwall[r][k] = True
    for y, x0, x1 in h:
        k = nearest(ys, y)
        for c in range(nc):
            lo, hi = xs[c], xs[c + 1]
            if min(x1, hi) - max(x0, lo) >= 0.5 * (hi - lo):
                hwall[k][c] = True

    # union grid squares with no ruling between them
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not vwall[r][c + 1]:
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr and not hwall[r + 1][c]:
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            members.setdefault(find(r * nc + c), []).append((r, c))
    grid: list[list[Box | None]] = [[None] * nc for _ in range(nr)]
    for sq in members.values():
        r0, r1 = min(s[0] for s in sq), max(s[0] for s in sq)
        c0, c1 = min(s[1] for s in sq), max(s[1] for s in sq)
        if (r1 - r0 + 1) * (c1 - c0 + 1) == len(sq):
            box = Box(page, bbox=(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
            for r, c in sq:
                grid[r][c] = box
        else:
            # not a rectangle (a broken ruling): fall back to one cell per run in each row
            for r in range(r0, r1 + 1):
                prev = -2
                for c in sorted(s[1] for s in sq if s[0] == r):
                    if c != prev + 1:
                        box = Box(page, bbox=(xs[c], ys[r], xs[c + 1], ys[r + 1]))
                    elif box.bbox is not None:
                        box.bbox = (box.bbox[0], box.bbox[1], xs[c + 1], box.bbox[3])
                    grid[r][c] = box
                    prev = c
    fine = [list(row) for row in grid]  # grid squares -> owning cell, before pruning
    span = xs[-1] - xs[0]
    ruled = [0.0] * (nr + 1)  # length of real ruling along each row boundary
    for y, x0, x1 in h:
        ruled[nearest(ys, y)] += min(x1, xs[-1]) - max(x0, xs[0])
    table = RawTable(grid, xs, ys[0], ys[-1], page, page,  # type: ignore[arg-type]
                     top_open=ruled[0] < 0.5 * span, bottom_open=ruled[-1] < 0.5 * span,
                     cut_left=cut_left, cut_right=cut_right)
    return table, ys, fine  # type: ignore[return-value]


def _prune(table: RawTable) -> None:
    """Drop grid rows/columns that only continue the cells of their neighbour."""
    grid = table.grid
    keep_rows = [0] + [r for r in range(1, len(grid))
                       if any(grid[r][c] is not grid[r - 1][c] for c in range(len(grid[r])))]
    grid = [grid[r] for r in keep_rows]
    nc = len(grid[0])
    keep_cols = [0] + [c for c in range(1, nc) if any(row[c] is not row[c - 1] for row in grid)]
    if len(keep_cols) != nc:
        xs = table.xs
        table.xs = [xs[c] for c in keep_cols] + [xs[-1]]
        grid = [[row[c] for c in keep_cols] for row in grid]
    table.grid = grid
