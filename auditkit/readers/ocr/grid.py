"""Ruling lines of a page image, grouped into tables, and the cells they enclose.

A ruling is what survives a morphological opening with a long thin kernel (0.25 in):
text strokes are shorter. Rulings that touch each other form a table; a lone
segment (an underline, a dash written in a cell) is no table and stays text.
Cells are the connected regions of paper enclosed by a table's rulings, so a
merged cell (a missing inner line) is one region, whatever its shape in the grid.
The same segments, in points, feed the PDF reader's grid builder unchanged.
"""

from __future__ import annotations

from dataclasses import field

import cv2
import numpy as np

from auditkit.precompiled import dataclass


@dataclass
class CellRegion:
    x0: int
    y0: int
    x1: int
    y1: int
    mask: np.ndarray  # bool, (y1-y0, x1-x0): the paper of this cell, rulings excluded


@dataclass
class TableRegion:
    x0: int
    y0: int
    x1: int
    y1: int
    hs: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1) px
    vs: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1) px
    cells: list[CellRegion] = field(default_factory=list)


def line_masks(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling candidates: long thin runs (opened first, so strokes of
    neighbouring characters are never bridged into a line), then short gaps along a line closed."""
    k = max(15, int(0.3 * dpi))
    gap = max(3, int(0.03 * dpi))
    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    h = cv2.morphologyEx(h, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    v = cv2.morphologyEx(v, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    return h, v


def _segments(mask: np.ndarray, horizontal: bool):
    """(position, start, end, label) of each connected piece of a line mask, and the label image."""
    n, lab, stats, cent = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _area = stats[i]
        if horizontal:
            out.append((float(cent[i][1]), float(x), float(x + w - 1), i))
        else:
            out.append((float(cent[i][0]), float(y), float(y + h - 1), i))
    return out, lab


def _ends_held(segs, cross, tol: float, long: float):
    """Segments whose two ends each meet a crossing segment (a border ends at a border), or long ones."""
    out = []
    for pos, a, b, i in segs:
        if b - a >= long:
            out.append((pos, a, b, i))
            continue
        ok_a = any(abs(cp - a) <= tol and ca - tol <= pos <= cb + tol for cp, ca, cb, _ in cross)
        ok_b = any(abs(cp - b) <= tol and ca - tol <= pos <= cb + tol for cp, ca, cb, _ in cross)
        if ok_a and ok_b:
            out.append((pos, a, b, i))
    return out


def find_tables(ink: np.ndarray, dpi: float) -> tuple[list[TableRegion], np.ndarray]:
    """Tables (with segments and cell regions) and the mask of their rulings (dilated a little)."""
    hmask, vmask = line_masks(ink, dpi)
    hs, hlab = _segments(hmask, True)
    vs, vlab = _segments(vmask, False)
    tol = max(4.0, 0.03 * dpi)
    long = 1.2 * dpi
    # a stroke chain inside text meets a border at one end at most; prune twice (a pruned line may hold another)
    for _ in range(2):
        hs = _ends_held(hs, vs, tol, long)
        vs = _ends_held(vs, hs, tol, long)
    # group touching segments into tables (union-find)
    n_h = len(hs)
    parent = list(range(n_h + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (hy, hx0, hx1, _) in enumerate(hs):
        for j, (vx, vy0, vy1, _) in enumerate(vs):
            if hx0 - tol <= vx <= hx1 + tol and vy0 - tol <= hy <= vy1 + tol:
                parent[find(i)] = find(n_h + j)
    groups: dict[int, tuple[list, list]] = {}
    for i in range(n_h):
        groups.setdefault(find(i), ([], []))[0].append(hs[i])
    for j in range(len(vs)):
        groups.setdefault(find(n_h + j), ([], []))[1].append(vs[j])
    rulings = np.zeros_like(ink)
    tables: list[TableRegion] = []
    min_side = int(0.3 * dpi)
    keep_h = np.zeros(max(hlab.max() + 1, 1), bool)
    keep_v = np.zeros(max(vlab.max() + 1, 1), bool)
    for gh, gv in groups.values():
        if len(gh) < 2 or len(gv) < 2:
            continue
        x0 = int(min(min(s[1] for s in gh), min(s[0] for s in gv)))
        x1 = int(max(max(s[2] for s in gh), max(s[0] for s in gv))) + 1
        y0 = int(min(min(s[0] for s in gh), min(s[1] for s in gv)))
        y1 = int(max(max(s[0] for s in gh), max(s[2] for s in gv))) + 1
        if x1 - x0 < min_side or y1 - y0 < min_side:
            continue
        for s in gh:
            keep_h[s[3]] = True
        for s in gv:
            keep_v[s[3]] = True
        tables.append(TableRegion(x0, y0, x1, y1, [(p, a, b) for p, a, b, _ in gh], [(p, a, b) for p, a, b, _ in gv]))
    rulings[keep_h[hlab] & (hmask > 0)] = 255
    rulings[keep_v[vlab] & (vmask > 0)] = 255
    grow = max(1, round(dpi / 150))
    rulings = cv2.dilate(rulings, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    pad = grow + 1
    H, W = ink.shape
    for t in tables:
        t.x0, t.y0 = max(0, t.x0 - pad), max(0, t.y0 - pad)
        t.x1, t.y1 = min(W, t.x1 + pad), min(H, t.y1 + pad)
        t.cells = _cells(rulings[t.y0:t.y1, t.x0:t.x1], t.x0, t.y0, dpi)
    return tables, rulings


def _cells(rul: np.ndarray, ox: int, oy: int, dpi: float) -> list[CellRegion]:
    free = (rul == 0).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    min_side = max(4, int(0.04 * dpi))
    H, W = rul.shape
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < min_side or h < min_side:
            continue
        # the paper around a closed table touches the region's edge and is a thin frame: not a cell
        if (x == 0 or y == 0 or x + w == W or y + h == H) and (min(w, h) < 3 * min_side or area < 0.5 * w * h):
            continue
        out.append(CellRegion(int(x + ox), int(y + oy), int(x + w + ox), int(y + h + oy), lab[y:y + h, x:x + w] == i))
    return out
