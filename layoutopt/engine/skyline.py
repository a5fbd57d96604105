"""Fast greedy decoders: best-fit skyline strip packing and bottom-left fill with obstacles.

Both work on footprints (see :mod:`layoutopt.engine.problem`) and return footprint corners.

The best-fit skyline (Burke, Kendall and Whitwell, Operations Research 52(4), 2004) packs
into a strip of fixed width: it always fills the lowest gap of the skyline with the block
that fits its width best, and raises the gap when nothing fits. It needs no search and is
strong on many similar blocks, so it finds fixed-outline packings for 100 blocks in
milliseconds.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from layoutopt.engine.problem import FootprintTable

__all__ = ["Decoded", "bottom_left_fill", "maxrects_best_short_side", "skyline_best_fit"]

# xs, ys, rotations of the footprints, and the height they reach.
Decoded = tuple[list[int], list[int], list[bool], int]


def skyline_best_fit(
    table: FootprintTable, width: int, priority: list[int], *, place_by_taller: bool = True
) -> Decoded | None:
    """Best-fit skyline packing in a strip ``width`` wide.

    The lowest gap of the skyline (the leftmost of equal ones) takes the block that fits
    it best: the widest footprint that fits, then the tallest, then the earliest in
    ``priority`` (orientation 0 before 1); the scan in priority order stops after the
    first block with an exact fit, which cannot be beaten on width. When nothing fits, the
    gap is raised to its lower neighbour. With ``place_by_taller`` a block goes beside
    the taller neighbour of the gap, which leaves flatter skylines. Returns ``None`` when a
    block is wider than the strip.

    Compiled, and free of the GIL: 5,000 blocks took 1.4 CPU s in numpy, most of it call
    overhead, and held the GIL that a solve building its model beside the engine needs.
    """
    n = len(table)
    for i in range(n):
        fits = table.widths[i][0] <= width or (table.rotatable[i] and table.widths[i][1] <= width)
        if not fits:
            return None
    order = np.array(priority, dtype=np.int64)
    widths = np.array([table.widths[i] for i in priority], dtype=np.int64).reshape(-1, 2)
    heights = np.array([table.heights[i] for i in priority], dtype=np.int64).reshape(-1, 2)
    turnable = np.array([table.rotatable[i] for i in priority], dtype=np.bool_)
    widths[~turnable, 1] = np.iinfo(np.int64).max  # never fits turned
    xs, ys, rots, top, ok = _skyline_kernel(order, widths, heights, width, place_by_taller)
    if not ok:
        return None
    return xs.tolist(), ys.tolist(), rots.tolist(), int(top)


@njit(cache=True, nogil=True)
def _skyline_kernel(order, widths, heights, width, place_by_taller):
    n = order.shape[0]
    xs = np.zeros(n, np.int64)
    ys = np.zeros(n, np.int64)
    rots = np.zeros(n, np.bool_)
    alive = np.ones(n, np.bool_)
    # Skyline segments x, y, w, left to right, covering [0, width).
    sx = np.zeros(2 * n + 2, np.int64)
    sy = np.zeros(2 * n + 2, np.int64)
    sw = np.zeros(2 * n + 2, np.int64)
    sw[0] = width
    m = 1
    top = 0
    far = np.int64(1) << np.int64(60)
    left = n
    while left > 0:
        k = 0
        for j in range(1, m):  # the lowest gap; x grows along the list, so the leftmost
            if sy[j] < sy[k]:
                k = j
        gx, gy, gw = sx[k], sy[k], sw[k]
        rank, r = _best_fit(widths, heights, alive, gw)
        if rank < 0:
            if m == 1:
                return xs, ys, rots, top, False
            low = far
            if k > 0:
                low = sy[k - 1]
            if k + 1 < m and sy[k + 1] < low:
                low = sy[k + 1]
            sy[k] = low
            m = merge_segments(sx, sy, sw, m)
            continue
        alive[rank] = False
        left -= 1
        i = order[rank]
        w, h = widths[rank, r], heights[rank, r]
        x = gx
        if place_by_taller and w < gw:
            lh = sy[k - 1] if k > 0 else far
            rh = sy[k + 1] if k + 1 < m else far
            if rh > lh:
                x = gx + gw - w
        xs[i], ys[i], rots[i] = x, gy, r == 1
        top = max(top, gy + h)
        m = place_on_segment(sx, sy, sw, m, k, x, w, h)
    return xs, ys, rots, top, True


@njit(cache=True, nogil=True)
def place_on_segment(sx, sy, sw, m, k, x, w, h):
    """A block ``w`` x ``h`` at ``x`` on skyline segment ``k`` (of ``m``; x, y, w in
    ``sx``, ``sy``, ``sw``): the segment becomes the block's top and what is left of it
    on either side, neighbours of one height joined. Returns the new count."""
    gx, gy, gw = sx[k], sy[k], sw[k]
    parts = 1 + (1 if x > gx else 0) + (1 if x + w < gx + gw else 0)
    for j in range(m - 1, k, -1):  # make room for parts - 1 more segments
        sx[j + parts - 1], sy[j + parts - 1], sw[j + parts - 1] = sx[j], sy[j], sw[j]
    at = k
    if x > gx:
        sx[at], sy[at], sw[at] = gx, gy, x - gx
        at += 1
    sx[at], sy[at], sw[at] = x, gy + h, w
    at += 1
    if x + w < gx + gw:
        sx[at], sy[at], sw[at] = x + w, gy, gx + gw - x - w
    return merge_segments(sx, sy, sw, m + parts - 1)


@njit(cache=True, nogil=True)
def _best_fit(widths, heights, alive, gap):
    """(rank, rotation) of the best fit for a gap ``gap`` wide, or (-1, 0)."""
    best_rank, best_r, best_w, best_h = -1, 0, -1, -1
    for rank in range(widths.shape[0]):
        if not alive[rank]:
            continue
        exact = False
        for r in range(2):
            w = widths[rank, r]
            if w > gap:
                continue
            exact = exact or w == gap
            h = heights[rank, r]
            if w > best_w or (w == best_w and h > best_h):
                best_rank, best_r, best_w, best_h = rank, r, w, h
        if exact:
            break
    return best_rank, best_r


@njit(cache=True, nogil=True)
def merge_segments(sx, sy, sw, m):
    """Neighbouring segments of one height joined; returns the new count."""
    out = 0
    for j in range(1, m):
        if sy[j] == sy[out]:
            sw[out] += sw[j]
        else:
            out += 1
            sx[out], sy[out], sw[out] = sx[j], sy[j], sw[j]
    return out + 1


def bottom_left_fill(
    table: FootprintTable,
    width: int,
    height: int | None,
    order: list[int],
    rotations: list[bool] | None = None,
    *,
    try_both: bool = True,
) -> Decoded | None:
    """Place blocks in ``order`` at their lowest, then leftmost, free position.

    Candidate corners are the origin and the east and north edges of what is already placed
    (obstacles included), so the result is bottom-left stable. With ``try_both`` each block
    takes whichever orientation sits lower. ``height=None`` means an unbounded strip.
    Returns ``None`` when a block finds no room.
    """
    n = len(table)
    xs, ys, rots = [0] * n, [0] * n, [False] * n
    rx0 = [o.x_um for o in table.obstacles]
    ry0 = [o.y_um for o in table.obstacles]
    rx1 = [o.x_max_um for o in table.obstacles]
    ry1 = [o.y_max_um for o in table.obstacles]
    limit = height if height is not None else 1 << 50
    for i in order:
        choices = [bool(rotations[i]) if rotations is not None else False]
        if try_both and table.rotatable[i]:
            choices = [choices[0], not choices[0]]
        elif not table.rotatable[i]:
            choices = [False]
        best = None
        cand_x = np.unique(np.array([0, *rx1], dtype=np.int64))
        cand_y = np.unique(np.array([0, *ry1], dtype=np.int64))
        a0, b0 = np.array(rx0, dtype=np.int64), np.array(ry0, dtype=np.int64)
        a1, b1 = np.array(rx1, dtype=np.int64), np.array(ry1, dtype=np.int64)
        for r in choices:
            w, h = table.size(i, r)
            cx = cand_x[cand_x + w <= width]
            cy = cand_y[cand_y + h <= limit]
            if cx.size == 0 or cy.size == 0:
                continue
            gx, gy = np.meshgrid(cx, cy)
            gx, gy = gx.ravel(), gy.ravel()
            if a0.size:
                hit = (
                    (gx[:, None] < a1[None, :])
                    & (a0[None, :] < gx[:, None] + w)
                    & (gy[:, None] < b1[None, :])
                    & (b0[None, :] < gy[:, None] + h)
                ).any(axis=1)
                free = ~hit
            else:
                free = np.ones(gx.shape, dtype=bool)
            if not free.any():
                continue
            fx, fy = gx[free], gy[free]
            j = np.lexsort((fx, fy + h))[0]  # lowest top first, then leftmost
            key = (int(fy[j]) + h, int(fx[j]))
            if best is None or key < best[0]:
                best = (key, int(fx[j]), int(fy[j]), r, w, h)
        if best is None:
            return None
        _, x, y, r, w, h = best
        xs[i], ys[i], rots[i] = x, y, bool(r)
        rx0.append(x)
        ry0.append(y)
        rx1.append(x + w)
        ry1.append(y + h)
    top = max((ys[i] + table.size(i, rots[i])[1] for i in range(n)), default=0)
    return xs, ys, rots, top


def maxrects_best_short_side(
    table: FootprintTable, width: int, height: int, order: list[int]
) -> Decoded | None:
    """MaxRects packing into a ``width`` x ``height`` box (Jylänki 2010, best short side fit).

    The free space is kept as every maximal free rectangle (obstacles taken out first).
    Blocks in ``order`` each go to the bottom-left corner of the free rectangle, and the
    orientation, leaving the smallest short-side leftover (then long side, then lowest,
    then leftmost). A different greedy from the skyline: it fits some tight outlines the
    skyline misses (ami49 at 5 % whitespace and aspect 3:1). Returns ``None`` when a block
    finds no room.

    Compiled: each block scans every free rectangle, which numpy did at 0.25 ms a block
    in call overhead alone (ami49: 12 ms a run, against 0.2 ms here), too slow to try
    first in a tight outline.
    """
    n = len(table)
    obstacles = np.array(
        [(o.x_um, o.y_um, o.x_max_um, o.y_max_um) for o in table.obstacles], dtype=np.int64
    ).reshape(-1, 4)
    xs, ys, rots, fitted = _maxrects_kernel(
        np.array(table.widths, dtype=np.int64).reshape(n, 2),
        np.array(table.heights, dtype=np.int64).reshape(n, 2),
        np.array(table.rotatable, dtype=np.bool_),
        np.array(order, dtype=np.int64),
        width,
        height,
        obstacles,
    )
    if not fitted:
        return None
    top = max((int(ys[i]) + table.size(i, bool(rots[i]))[1] for i in range(n)), default=0)
    return xs.tolist(), ys.tolist(), rots.tolist(), top


@njit(cache=True, nogil=True)
def _maxrects_kernel(widths, heights, rotatable, order, width, height, obstacles):
    n = widths.shape[0]
    free = np.empty((64, 4), np.int64)
    free[0, 0], free[0, 1], free[0, 2], free[0, 3] = 0, 0, width, height
    count = 1
    for k in range(obstacles.shape[0]):
        free, count = _carve(free, count, obstacles[k])
    xs = np.zeros(n, np.int64)
    ys = np.zeros(n, np.int64)
    rots = np.zeros(n, np.bool_)
    rect = np.empty(4, np.int64)
    for i in order:
        # The key (short leftover, long leftover, y, x) is unique among maximal free
        # rectangles, so the choice does not depend on the list's order.
        found = False
        best_short, best_long, best_y, best_x, best_r = 0, 0, 0, 0, 0
        for r in range(2 if rotatable[i] else 1):
            w, h = widths[i, r], heights[i, r]
            for j in range(count):
                fw, fh = free[j, 2] - free[j, 0], free[j, 3] - free[j, 1]
                if fw < w or fh < h:
                    continue
                short, long = min(fw - w, fh - h), max(fw - w, fh - h)
                y, x = free[j, 1], free[j, 0]
                better = not found or (short, long, y, x) < (best_short, best_long, best_y, best_x)
                if better:
                    found = True
                    best_short, best_long, best_y, best_x, best_r = short, long, y, x, r
        if not found:
            return xs, ys, rots, False
        xs[i], ys[i], rots[i] = best_x, best_y, best_r == 1
        rect[0], rect[1] = best_x, best_y
        rect[2], rect[3] = best_x + widths[i, best_r], best_y + heights[i, best_r]
        free, count = _carve(free, count, rect)
    return xs, ys, rots, True


@njit(cache=True, nogil=True)
def _carve(free, count, rect):
    """The maximal free rectangles (the first ``count`` rows of ``free``) once ``rect``
    (x0, y0, x1, y1) is taken; returns the array (grown when needed) and the new count."""
    x0, y0, x1, y1 = rect[0], rect[1], rect[2], rect[3]
    kept = 0
    parts = np.empty((4 * count, 4), np.int64)
    made = 0
    for j in range(count):
        fx0, fy0, fx1, fy1 = free[j, 0], free[j, 1], free[j, 2], free[j, 3]
        if not (fx0 < x1 and fx1 > x0 and fy0 < y1 and fy1 > y0):
            free[kept] = free[j]  # kept rows move down in order
            kept += 1
            continue
        if x0 > fx0:
            parts[made, 0], parts[made, 1], parts[made, 2], parts[made, 3] = fx0, fy0, x0, fy1
            made += 1
        if x1 < fx1:
            parts[made, 0], parts[made, 1], parts[made, 2], parts[made, 3] = x1, fy0, fx1, fy1
            made += 1
        if y0 > fy0:
            parts[made, 0], parts[made, 1], parts[made, 2], parts[made, 3] = fx0, fy0, fx1, y0
            made += 1
        if y1 < fy1:
            parts[made, 0], parts[made, 1], parts[made, 2], parts[made, 3] = fx0, y1, fx1, fy1
            made += 1
    if kept + made > free.shape[0]:
        grown = np.empty((2 * (kept + made), 4), np.int64)
        grown[:kept] = free[:kept]
        free = grown
    total = kept
    for p in range(made):
        px0, py0, px1, py1 = parts[p, 0], parts[p, 1], parts[p, 2], parts[p, 3]
        # A part inside a kept rectangle or another part is not maximal; of identical
        # parts the first stays. (A part lies inside the rectangle it was cut from, so it
        # cannot hold a kept one.)
        maximal = True
        for j in range(kept):
            if free[j, 0] <= px0 and free[j, 1] <= py0 and free[j, 2] >= px1 and free[j, 3] >= py1:
                maximal = False
                break
        if maximal:
            for q in range(made):
                if q == p:
                    continue
                qx0, qy0, qx1, qy1 = parts[q, 0], parts[q, 1], parts[q, 2], parts[q, 3]
                if qx0 <= px0 and qy0 <= py0 and qx1 >= px1 and qy1 >= py1:
                    same = qx0 == px0 and qy0 == py0 and qx1 == px1 and qy1 == py1
                    if not same or q < p:
                        maximal = False
                        break
        if maximal:
            free[total] = parts[p]
            total += 1
    return free, total


def guillotine_best_short_side(
    table: FootprintTable, width: int, height: int, order: list[int]
) -> Decoded | None:
    """Guillotine packing into a ``width`` x ``height`` box (Jylänki 2010: best short side
    fit, shorter-axis split, free sections merged).

    Free space is a list of disjoint sections. Each block in ``order`` goes to the
    bottom-left corner of the section, and the orientation, leaving the smallest
    short-side leftover (the first such section); the section's rest is cut in two along
    its shorter axis, and each part is joined to any section it completes to a rectangle.
    Cruder than MaxRects, and so a different greedy with different luck: at 5 %
    whitespace and aspect 2:1 and 3:1 it fits n200 and n300, which neither the skyline nor
    MaxRects fits (benchmarks/README.md). No obstacles (returns ``None`` with them, or
    when a block finds no room).
    """
    if table.obstacles:
        return None
    n = len(table)
    sections: list[list[int]] = [[0, 0, width, height]]  # x, y, w, h
    xs, ys, rots = [0] * n, [0] * n, [False] * n
    for i in order:
        best = None
        for r in (0, 1) if table.rotatable[i] else (0,):
            w, h = table.size(i, bool(r))
            for k, (_, _, sw, sh) in enumerate(sections):
                if w <= sw and h <= sh:
                    fit = min(sw - w, sh - h)
                    if best is None or fit < best[0]:
                        best = (fit, k, r, w, h)
        if best is None:
            return None
        _, k, r, w, h = best
        sx, sy, sw, sh = sections.pop(k)
        xs[i], ys[i], rots[i] = sx, sy, bool(r)
        if sw < sh:  # cut along the top of the block: a full-width section above
            parts = [(sx, sy + h, sw, sh - h), (sx + w, sy, sw - w, h)]
        else:  # cut along its right side: a full-height section to the right
            parts = [(sx, sy + h, w, sh - h), (sx + w, sy, sw - w, sh)]
        for part in parts:
            if part[2] > 0 and part[3] > 0:
                _add_section(sections, list(part))
    top = max((ys[i] + table.size(i, rots[i])[1] for i in range(n)), default=0)
    return xs, ys, rots, top


def _add_section(sections: list[list[int]], new: list[int]) -> None:
    """Append a free section, first joined with every section it makes a rectangle with
    (sharing a whole side), repeatedly."""
    joined = True
    while joined and sections:
        joined = False
        keep = []
        for s in sections:
            if _join(new, s):
                joined = True
            else:
                keep.append(s)
        sections[:] = keep
    sections.append(new)


def _join(a: list[int], b: list[int]) -> bool:
    """Grow ``a`` to its union with ``b`` when that union is a rectangle (or one holds the
    other); True when it did."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    if bx >= ax and by >= ay and bx + bw <= ax + aw and by + bh <= ay + ah:
        return True
    if ax >= bx and ay >= by and ax + aw <= bx + bw and ay + ah <= by + bh:
        a[:] = b
        return True
    touches = ax <= bx + bw and bx <= ax + aw and ay <= by + bh and by <= ay + ah
    if not touches:
        return False
    if ax == bx and aw == bw:
        lo, hi = min(ay, by), max(ay + ah, by + bh)
        a[1], a[3] = lo, hi - lo
        return True
    if ay == by and ah == bh:
        lo, hi = min(ax, bx), max(ax + aw, bx + bw)
        a[0], a[2] = lo, hi - lo
        return True
    return False
