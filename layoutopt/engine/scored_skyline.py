"""A skyline heuristic whose block order matters, and a local search over that order.

The best-fit skyline (:func:`~layoutopt.engine.skyline.skyline_best_fit`) gives the lowest
gap the widest block that fits, so its order only breaks ties and a search over orders
barely changes the packing. Here, after the scoring rule of Wei, Zhang and Chen ("A
skyline heuristic for the 2D rectangular packing and strip packing problems", EJOR 215,
2011, 337-346) as refined by Wei, Hu, Leung and Zhang ("An improved skyline based
heuristic for the 2D strip packing problem and its efficient implementation", Computers &
Operations Research 80, 2017, 113-127: IDBS), every block that fits the lowest gap gets a
small integer score for how it fills it (:func:`fitness`), and of the best-scored blocks
the **earliest in the sequence** wins. Most blocks of a floorplan match no wall exactly,
so they tie at the bottom score and the sequence decides: a local search over the
sequence (swap two blocks, keep the swap when the packing is not larger, as in IDBS)
then moves the packing, and an outer search over the strip width turns the papers'
strip height into our bounding-box area. The code is written from the papers' ideas,
not from their code.

Every kernel counts its work (blocks scanned at a gap, plus skyline segments scanned), so
a deterministic :class:`~layoutopt.engine.clock.Clock` can be charged for it exactly
(:data:`SCANS_PER_S`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from layoutopt.engine.problem import FootprintTable
from layoutopt.engine.skyline import merge_segments, place_on_segment

__all__ = [
    "SCANS_PER_S",
    "SequenceSearch",
    "fitness",
    "scored_skyline",
    "search_sequence",
]

# Work units (a block scanned at a gap, or a segment scanned for the lowest gap) per
# second of one core: 1,000 swaps from the largest-first order in the square strip ran
# 6.5e7 units/s on n300 (a packing 48,000 units), 5.2e7 on n200, 8.3e7 on random-1000-1
# (`benchmarks/bench_starts.py --calibrate`, load 2.5 on 2 cores).
SCANS_PER_S = 7.0e7
# A wall that is the strip's edge: no block levels with it.
_EDGE = np.int64(1) << np.int64(60)


@njit(cache=True, nogil=True)
def fitness(gap_um, tall_um, low_um, width_um, height_um, narrowest_other_um):
    """The score of a ``width_um`` x ``height_um`` footprint at a gap ``gap_um`` wide whose
    walls rise ``tall_um`` and ``low_um`` above it (the block goes beside the taller):

    - 4: it fills the gap and levels with the taller wall;
    - 3: it fills the gap and levels with the lower wall;
    - 2: it fills the gap;
    - 1: it levels with the taller wall, leaving room for another block beside it;
    - 0: it leaves room for another block;
    - -1: what it leaves beside it is narrower than every other block (dead space).

    Compiled; callable from Python as well.

    >>> fitness(10, 4, 4, 10, 4, 3), fitness(10, 4, 2, 10, 2, 3), fitness(10, 4, 2, 9, 7, 3)
    (4, 3, -1)
    """
    if width_um == gap_um:
        if height_um == tall_um:
            return 4
        if height_um == low_um:
            return 3
        return 2
    if gap_um - width_um < narrowest_other_um:
        return -1
    if height_um == tall_um:
        return 1
    return 0


@njit(cache=True, nogil=True)
def _scored_kernel(widths, heights, sequence, strip_um):
    """Pack the blocks (rows of ``widths`` / ``heights``, orientation 0 and 1, a width of
    ``_EDGE`` where a turn is not allowed) in a strip ``strip_um`` wide by the scoring rule.

    Returns xs, ys, turned (per block), the height and width reached, the work counted and
    whether every block fitted the strip.
    """
    n = sequence.shape[0]
    xs = np.zeros(n, np.int64)
    ys = np.zeros(n, np.int64)
    turned = np.zeros(n, np.bool_)
    # The blocks still to place, in sequence order, and their narrowest sides.
    waiting = sequence.copy()
    narrow = np.empty(n, np.int64)
    for i in range(n):
        narrow[i] = min(widths[i, 0], widths[i, 1])
    # Skyline segments x, y, w, left to right, covering [0, strip_um).
    sx = np.zeros(2 * n + 2, np.int64)
    sy = np.zeros(2 * n + 2, np.int64)
    sw = np.zeros(2 * n + 2, np.int64)
    sw[0] = strip_um
    m = 1
    top = 0
    right = 0
    work = 0
    left = n
    while left > 0:
        k = 0
        for j in range(1, m):  # the lowest gap, the leftmost of equal ones
            if sy[j] < sy[k]:
                k = j
        work += m + left
        gx, gy, gw = sx[k], sy[k], sw[k]
        wall_l = sy[k - 1] - gy if k > 0 else _EDGE
        wall_r = sy[k + 1] - gy if k + 1 < m else _EDGE
        tall, low = max(wall_l, wall_r), min(wall_l, wall_r)
        # The two narrowest waiting blocks: the room beside a block is dead when it is
        # narrower than every *other* block.
        first, second, first_at = _EDGE, _EDGE, -1
        for p in range(left):
            v = narrow[waiting[p]]
            if v < first:
                first, second, first_at = v, first, p
            elif v < second:
                second = v
        best_p, best_r, best_score = -1, 0, -2
        for p in range(left):
            i = waiting[p]
            other = second if p == first_at else first
            for r in range(2):
                w = widths[i, r]
                if w > gw:
                    continue
                score = fitness(gw, tall, low, w, heights[i, r], other)
                if score > best_score:
                    best_p, best_r, best_score = p, r, score
            if best_score == 4:
                break  # nothing scores higher, and earlier blocks win ties
        if best_p < 0:
            if m == 1:
                return xs, ys, turned, top, right, work, False
            sy[k] = gy + low  # nothing fits: the gap rises to its lower wall
            m = merge_segments(sx, sy, sw, m)
            continue
        i = waiting[best_p]
        for p in range(best_p, left - 1):  # out of the waiting list, the order kept
            waiting[p] = waiting[p + 1]
        left -= 1
        w, h = widths[i, best_r], heights[i, best_r]
        x = gx
        if w < gw and wall_r > wall_l:  # beside the taller wall
            x = gx + gw - w
        xs[i], ys[i], turned[i] = x, gy, best_r == 1
        top = max(top, gy + h)
        right = max(right, x + w)
        m = place_on_segment(sx, sy, sw, m, k, x, w, h)
    return xs, ys, turned, top, right, work, True


@njit(cache=True, nogil=True)
def _next_random(state):
    """splitmix64 (Steele, Lea and Flood 2014; unsigned arithmetic wraps modulo 2^64): the
    search's own generator, so that its draws depend on its seed alone, in any thread."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = (state ^ (state >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True)
def _search_kernel(widths, heights, sequence, strip_um, work_budget, seed):
    """Swaps of two random blocks of ``sequence``, each kept when the packing's area is
    not larger (a walk on the plateau of equal areas), until ``work_budget`` units are
    spent (at least one packing). Returns the best sequence, its packing (xs, ys, turned),
    its area (-1 when the strip is too narrow) and the work counted."""
    n = sequence.shape[0]
    current = sequence.copy()
    xs, ys, turned, top, right, work, ok = _scored_kernel(widths, heights, current, strip_um)
    if not ok:
        return current, xs, ys, turned, np.int64(-1), work
    cost = top * right
    state = np.uint64(seed)
    while work < work_budget and n >= 2:
        state, a = _next_random(state)
        state, b = _next_random(state)
        i = np.int64(a % np.uint64(n))
        j = np.int64(b % np.uint64(n - 1))
        if j >= i:
            j += 1
        current[i], current[j] = current[j], current[i]
        got_xs, got_ys, got_turned, top, right, spent, ok = _scored_kernel(
            widths, heights, current, strip_um
        )
        work += spent
        if ok and top * right <= cost:
            cost = top * right
            xs, ys, turned = got_xs, got_ys, got_turned
        else:
            current[i], current[j] = current[j], current[i]
    return current, xs, ys, turned, cost, work


def _footprints(table: FootprintTable) -> tuple[np.ndarray, np.ndarray]:
    """Widths and heights per block and orientation; a turn not allowed never fits."""
    n = len(table)
    widths = np.array(table.widths, dtype=np.int64).reshape(n, 2)
    heights = np.array(table.heights, dtype=np.int64).reshape(n, 2)
    widths[~np.array(table.rotatable, dtype=np.bool_), 1] = _EDGE
    return widths, heights


def scored_skyline(
    table: FootprintTable, width_um: int, sequence: list[int]
) -> tuple[list[int], list[int], list[bool], int, int] | None:
    """The scoring-rule skyline packing in a strip ``width_um`` wide: xs, ys, rotations
    (per block), the height reached and the work counted; ``None`` when a block is wider
    than the strip in every orientation allowed."""
    widths, heights = _footprints(table)
    order = np.array(sequence, dtype=np.int64)
    xs, ys, turned, top, _, work, ok = _scored_kernel(widths, heights, order, width_um)
    if not ok:
        return None
    return xs.tolist(), ys.tolist(), turned.tolist(), int(top), int(work)


@dataclass(frozen=True)
class SequenceSearch:
    """What :func:`search_sequence` found: the best sequence, its packing (footprint
    corners and turns per block), the area that packing covers (µm², footprints; -1 when
    the strip is too narrow) and the work counted."""

    sequence: tuple[int, ...]
    xs: tuple[int, ...]
    ys: tuple[int, ...]
    turned: tuple[bool, ...]
    area_um2: int
    work: int


def search_sequence(
    table: FootprintTable, width_um: int, sequence: list[int], work_budget: int, seed: int
) -> SequenceSearch:
    """The local search over the sequence (see the module docstring) in a strip
    ``width_um`` wide, from ``sequence``, its swaps drawn from ``seed``, until it has
    spent ``work_budget`` units (see :data:`SCANS_PER_S`)."""
    widths, heights = _footprints(table)
    order = np.array(sequence, dtype=np.int64)
    best, xs, ys, turned, area, work = _search_kernel(
        widths, heights, order, width_um, work_budget, seed
    )
    return SequenceSearch(
        tuple(best.tolist()),
        tuple(xs.tolist()),
        tuple(ys.tolist()),
        tuple(turned.tolist()),
        int(area),
        int(work),
    )
