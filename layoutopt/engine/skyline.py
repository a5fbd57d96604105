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

from layoutopt.engine.problem import FootprintTable

__all__ = ["Decoded", "bottom_left_fill", "maxrects_best_short_side", "skyline_best_fit"]

# xs, ys, rotations of the footprints, and the height they reach.
Decoded = tuple[list[int], list[int], list[bool], int]


def skyline_best_fit(
    table: FootprintTable, width: int, priority: list[int], *, place_by_taller: bool = True
) -> Decoded | None:
    """Best-fit skyline packing in a strip ``width`` wide.

    ``priority`` orders the blocks for ties (earlier wins) when several fit a gap equally
    well. With ``place_by_taller`` a block goes beside the taller neighbour of the gap,
    which leaves flatter skylines. Returns ``None`` when a block is wider than the strip.
    """
    n = len(table)
    for i in range(n):
        fits = table.widths[i][0] <= width or (table.rotatable[i] and table.widths[i][1] <= width)
        if not fits:
            return None
    xs, ys, rots = [0] * n, [0] * n, [False] * n
    # Skyline segments: [x, y, w], left to right, covering [0, width).
    sky: list[list[int]] = [[0, 0, width]]
    chooser = _BestFit(table, priority)
    heights = table.heights
    while chooser.left:
        k = min(range(len(sky)), key=lambda j: (sky[j][1], sky[j][0]))
        gx, gy, gw = sky[k]
        best = chooser.pick(gw)
        if best is None:
            # Nothing fits: raise the gap to its lower neighbour and merge.
            neighbours = [sky[j][1] for j in (k - 1, k + 1) if 0 <= j < len(sky)]
            if not neighbours:
                return None
            sky[k][1] = min(neighbours)
            _merge(sky)
            continue
        i, r = best
        w, h = table.widths[i][r], heights[i][r]
        x = gx
        if place_by_taller and w < gw:
            lh = sky[k - 1][1] if k > 0 else 1 << 60
            rh = sky[k + 1][1] if k + 1 < len(sky) else 1 << 60
            if rh > lh:
                x = gx + gw - w
        xs[i], ys[i], rots[i] = x, gy, bool(r)
        # Replace the gap by the block top and the remaining part(s).
        new = []
        if x > gx:
            new.append([gx, gy, x - gx])
        new.append([x, gy + h, w])
        if x + w < gx + gw:
            new.append([x + w, gy, gx + gw - x - w])
        sky[k : k + 1] = new
        _merge(sky)
    height = max(ys[i] + heights[i][int(rots[i])] for i in range(n)) if n else 0
    return xs, ys, rots, height


class _BestFit:
    """The block that best fits a gap, over the blocks not yet placed (internal).

    Best fit: the widest footprint that fits, then the tallest, then the earliest in
    ``priority``; the scan in priority order stops at the first block with an exact fit
    (an exact fit cannot be beaten on width). Vectorised over the blocks, so choosing is
    O(n) numpy work rather than O(n) Python steps: 5,000 blocks pack in about a second.
    """

    def __init__(self, table: FootprintTable, priority: list[int]) -> None:
        order = np.array(priority, dtype=np.int64)
        self.order = order
        self.widths = np.array([table.widths[i] for i in priority], dtype=np.int64).reshape(-1, 2)
        self.heights = np.array([table.heights[i] for i in priority], dtype=np.int64).reshape(-1, 2)
        turnable = np.array([table.rotatable[i] for i in priority], dtype=bool)
        self.widths[~turnable, 1] = np.iinfo(np.int64).max  # never fits turned
        self.alive = np.ones(len(priority), dtype=bool)
        self.left = len(priority)

    def pick(self, gap: int) -> tuple[int, int] | None:
        """(block, rotation) for a gap ``gap`` wide, removed from the pool; None if none fits."""
        fit = (self.widths <= gap) & self.alive[:, None]
        if not fit.any():
            return None
        exact = np.flatnonzero(((self.widths == gap) & fit).any(axis=1))
        if exact.size:
            fit[exact[0] + 1 :] = False
        w = np.where(fit, self.widths, -1)
        widest = w.max()
        h = np.where(w == widest, self.heights, -1)
        tallest = h.max()
        rank, r = np.argwhere(h == tallest)[0]  # earliest rank, then orientation 0 first
        block = int(self.order[rank])
        self.alive[rank] = False
        self.left -= 1
        if 2 * self.left < len(self.alive):  # drop the placed ones: O(n) in all
            keep = self.alive
            self.order, self.alive = self.order[keep], self.alive[keep]
            self.widths, self.heights = self.widths[keep], self.heights[keep]
        return block, int(r)


def _merge(sky: list[list[int]]) -> None:
    j = 0
    while j + 1 < len(sky):
        if sky[j][1] == sky[j + 1][1]:
            sky[j][2] += sky[j + 1][2]
            del sky[j + 1]
        else:
            j += 1


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
    """
    n = len(table)
    free = np.array([[0, 0, width, height]], dtype=np.int64)
    for o in table.obstacles:
        free = _carve(free, (o.x_um, o.y_um, o.x_max_um, o.y_max_um))
    xs, ys, rots = [0] * n, [0] * n, [False] * n
    for i in order:
        best = None
        fw, fh = free[:, 2] - free[:, 0], free[:, 3] - free[:, 1]
        for r in (0, 1) if table.rotatable[i] else (0,):
            w, h = table.size(i, bool(r))
            ok = np.flatnonzero((fw >= w) & (fh >= h))
            if ok.size == 0:
                continue
            short = np.minimum(fw[ok] - w, fh[ok] - h)
            long = np.maximum(fw[ok] - w, fh[ok] - h)
            j = ok[np.lexsort((free[ok, 0], free[ok, 1], long, short))[0]]
            key = (int(min(fw[j] - w, fh[j] - h)), int(max(fw[j] - w, fh[j] - h)))
            key += (int(free[j, 1]), int(free[j, 0]))
            if best is None or key < best[0]:
                best = (key, int(free[j, 0]), int(free[j, 1]), r, w, h)
        if best is None:
            return None
        _, x, y, r, w, h = best
        xs[i], ys[i], rots[i] = x, y, bool(r)
        free = _carve(free, (x, y, x + w, y + h))
    top = max((ys[i] + table.size(i, rots[i])[1] for i in range(n)), default=0)
    return xs, ys, rots, top


def _carve(free: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray:
    """The maximal free rectangles once ``rect`` (x0, y0, x1, y1) is taken."""
    x0, y0, x1, y1 = rect
    hit = (free[:, 0] < x1) & (free[:, 2] > x0) & (free[:, 1] < y1) & (free[:, 3] > y0)
    if not hit.any():
        return free
    keep, cut = free[~hit], free[hit]
    parts = []
    for fx0, fy0, fx1, fy1 in cut.tolist():
        if x0 > fx0:
            parts.append((fx0, fy0, x0, fy1))
        if x1 < fx1:
            parts.append((x1, fy0, fx1, fy1))
        if y0 > fy0:
            parts.append((fx0, fy0, fx1, y0))
        if y1 < fy1:
            parts.append((fx0, y1, fx1, fy1))
    if not parts:
        return keep
    new = np.unique(np.array(parts, dtype=np.int64), axis=0)  # sorted: a defined order
    every = np.vstack((keep, new))
    # A new rectangle inside any other is not maximal (the kept ones already are; a new
    # one lies inside the rectangle it was cut from, so it cannot hold a kept one).
    inside = (
        (every[None, :, 0] <= new[:, None, 0])
        & (every[None, :, 1] <= new[:, None, 1])
        & (every[None, :, 2] >= new[:, None, 2])
        & (every[None, :, 3] >= new[:, None, 3])
    )
    inside[np.arange(len(new)), np.arange(len(new)) + len(keep)] = False  # not itself
    return np.vstack((keep, new[~inside.any(axis=1)]))


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
