"""The compiled greedy decoders against plain references.

The skyline and MaxRects run compiled (numba) inside the engine; here each is checked
against a plain-Python statement of the same rules, packing for packing, on random
instances (rotatable or not, with spacing, and for MaxRects obstacles).
"""

from __future__ import annotations

import random

import pytest

from layoutopt.engine import Block, PackProblem
from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.skyline import maxrects_best_short_side, skyline_best_fit
from layoutopt.model import Rect


def _skyline_reference(table, width, priority, by_taller):  # type: ignore[no-untyped-def]
    """Best-fit skyline written plainly: the lowest (then leftmost) gap takes the widest
    fitting footprint, then the tallest, then the earliest in ``priority`` (orientation 0
    first), the scan ending after the first exact fit; a gap nothing fits is raised to
    its lower neighbour."""
    n = len(table)
    if any(
        min(table.size(i, False)[0], table.size(i, True)[0] if table.rotatable[i] else 1 << 62)
        > width
        for i in range(n)
    ):
        return None
    xs, ys, rots = [0] * n, [0] * n, [False] * n
    sky = [[0, 0, width]]
    left = list(priority)
    while left:
        k = min(range(len(sky)), key=lambda j: (sky[j][1], sky[j][0]))
        gx, gy, gw = sky[k]
        best = None
        for i in left:
            exact = False
            for r in (0, 1) if table.rotatable[i] else (0,):
                w, h = table.size(i, bool(r))
                if w > gw:
                    continue
                exact = exact or w == gw
                if best is None or (w, h) > best[2:]:
                    best = (i, r, w, h)
            if exact:
                break
        if best is None:
            sky[k][1] = min(sky[j][1] for j in (k - 1, k + 1) if 0 <= j < len(sky))
        else:
            i, r, w, h = best
            left.remove(i)
            x = gx
            if by_taller and w < gw:
                lh = sky[k - 1][1] if k > 0 else 1 << 60
                rh = sky[k + 1][1] if k + 1 < len(sky) else 1 << 60
                x = gx + gw - w if rh > lh else gx
            xs[i], ys[i], rots[i] = x, gy, bool(r)
            new = [[gx, gy, x - gx], [x, gy + h, w], [x + w, gy, gx + gw - x - w]]
            sky[k : k + 1] = [seg for seg in new if seg[2] > 0]
        merged = [sky[0]]
        for seg in sky[1:]:
            if seg[1] == merged[-1][1]:
                merged[-1] = [merged[-1][0], seg[1], merged[-1][2] + seg[2]]
            else:
                merged.append(seg)
        sky = merged
    top = max((ys[i] + table.size(i, rots[i])[1] for i in range(n)), default=0)
    return xs, ys, rots, top


@pytest.mark.parametrize("seed", range(10))
def test_compiled_skyline_matches_a_plain_reference(seed: int) -> None:
    rng = random.Random(seed)
    many = rng.random() < 0.5  # many blocks of few sizes: ties and exact fits
    sizes = [(rng.randint(2, 12), rng.randint(2, 12)) for _ in range(4)] if many else None
    blocks = tuple(
        Block(
            f"B{i}",
            *(rng.choice(sizes) if sizes else (rng.randint(1, 40), rng.randint(1, 40))),
            rotatable=rng.random() < 0.6,
        )
        for i in range(rng.randint(1, 90))
    )
    problem = PackProblem(blocks, spacing_um=seed % 3)
    table = FootprintTable.of(problem)
    side = max(1, int(sum(b.area_um2 for b in blocks) ** 0.5))
    for width in (side // 2, side, 2 * side):
        for by_taller in (True, False):
            order = list(range(len(blocks)))
            rng.shuffle(order)
            got = skyline_best_fit(table, width, order, place_by_taller=by_taller)
            assert got == _skyline_reference(table, width, order, by_taller)


def _maxrects_reference(table, width, height, order):  # type: ignore[no-untyped-def]
    """MaxRects best short side fit written plainly: every maximal free rectangle kept as
    a set, each block at the (short leftover, long leftover, y, x)-least one."""
    free = {(0, 0, width, height)}

    def carve(rect):  # type: ignore[no-untyped-def]
        x0, y0, x1, y1 = rect
        out = set()
        for f in free:
            fx0, fy0, fx1, fy1 = f
            if not (fx0 < x1 and fx1 > x0 and fy0 < y1 and fy1 > y0):
                out.add(f)
                continue
            for part in (
                (fx0, fy0, x0, fy1),
                (x1, fy0, fx1, fy1),
                (fx0, fy0, fx1, y0),
                (fx0, y1, fx1, fy1),
            ):
                if part[0] < part[2] and part[1] < part[3]:
                    out.add(part)
        return {
            a
            for a in out
            if not any(
                b != a and b[0] <= a[0] and b[1] <= a[1] and b[2] >= a[2] and b[3] >= a[3]
                for b in out
            )
        }

    for o in table.obstacles:
        free = carve((o.x_um, o.y_um, o.x_max_um, o.y_max_um))
    xs, ys, rots = [0] * len(table), [0] * len(table), [False] * len(table)
    for i in order:
        options = []
        for r in (0, 1) if table.rotatable[i] else (0,):
            w, h = table.size(i, bool(r))
            for fx0, fy0, fx1, fy1 in free:
                lw, lh = fx1 - fx0 - w, fy1 - fy0 - h
                if lw >= 0 and lh >= 0:
                    options.append(((min(lw, lh), max(lw, lh), fy0, fx0), r, w, h))
        if not options:
            return None
        (_, _, y, x), r, w, h = min(options, key=lambda o: o[0])  # ties: the first turn
        xs[i], ys[i], rots[i] = x, y, bool(r)
        free = carve((x, y, x + w, y + h))
    return xs, ys, rots


@pytest.mark.parametrize("seed", range(8))
def test_compiled_maxrects_matches_a_plain_reference(seed: int) -> None:
    from layoutopt.engine.problem import FootprintTable

    rng = random.Random(seed)
    blocks = tuple(
        Block(f"B{i}", rng.randint(5, 40), rng.randint(5, 40), rotatable=rng.random() < 0.7)
        for i in range(rng.randint(8, 30))
    )
    area = sum(b.area_um2 for b in blocks)
    fill = rng.uniform(0.9, 0.97) if seed >= 6 else rng.uniform(0.55, 0.8)  # tight: no fit
    side = int((area / fill) ** 0.5)
    holes = (Rect(side // 3, side // 4, 9, 7),) if seed % 2 else ()
    problem = PackProblem(blocks, outline_um=(side, side), spacing_um=seed % 3, obstacles=holes)
    table = FootprintTable.of(problem)
    order = list(range(len(blocks)))
    rng.shuffle(order)
    got = maxrects_best_short_side(table, *table.container, order)  # type: ignore[misc]
    want = _maxrects_reference(table, *table.container, order)  # type: ignore[misc]
    assert (got is None) == (want is None)
    if got is not None:
        assert got[:3] == want
