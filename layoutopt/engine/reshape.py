"""Re-pack the band of blocks beyond a cut with the B*-tree annealer, to lower that edge.

CP-SAT proves small bands (up to 30 blocks) but stalls on the rows under them: on n200,
after 15 s of LNS no top band of 20-30 blocks lowered the packing any more, while the
annealer, given the 40 blocks above a cut on the same packing, lowered it by 2 units
(3.31 -> 2.91 % dead space) in about 3 s (benchmarks/README.md, "Min-area from 150
blocks").

The band's floor is ragged: the frozen blocks that cross the cut stick up into it. They
become obstacles of a sub-problem whose origin is the cut, and the annealer (which lifts a
block over any obstacle it would overlap) packs the band's blocks in a fixed outline: the
packing's width, and a height ``step`` below the band's. The right band is the same
problem transposed. Whatever it returns is checked against that outline, mapped back and
compacted; the caller compares costs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from layoutopt.engine.btree import AnnealResult, anneal_chains, shelf_tree
from layoutopt.engine.compaction import compact
from layoutopt.engine.problem import FootprintTable
from layoutopt.model import Rect

__all__ = ["BandMove", "anneal_band"]


@dataclass(frozen=True)
class BandMove:
    """An annealed band that fitted: the new footprint corners."""

    xs: list[int]
    ys: list[int]
    rots: list[bool]


def _sides(table: FootprintTable, i: int, across: bool) -> tuple[tuple[int, int], tuple[int, int]]:
    """Footprint extents along the cut and across it, per orientation (``across``: the
    right band, whose frame is the packing transposed)."""
    if across:
        return table.heights[i], table.widths[i]
    return table.widths[i], table.heights[i]


def _floor(
    frozen: list[int], along: list[int], up: list[int], ext: list[tuple[int, int]], cut: int
) -> int:
    """The band's ground: the lowest top of a frozen block with no frozen block above it
    (the frozen blocks' upper contour), at most ``cut``. A pocket under the cut (a short
    block beside a tall one) is room for the band."""
    if not frozen:
        return cut
    lo = np.array([along[j] for j in frozen])
    hi = lo + np.array([ext[j][0] for j in frozen])
    bottom = np.array([up[j] for j in frozen])
    top = bottom + np.array([ext[j][1] for j in frozen])
    # covered[j, k]: frozen block k lies above j and shares part of its x extent.
    covered = (bottom[None, :] >= top[:, None]) & (lo[None, :] < hi[:, None])
    covered &= hi[None, :] > lo[:, None]
    open_tops = top[~covered.any(axis=1)]
    floor = int(min(cut, open_tops.min())) if open_tops.size else cut
    return floor


def anneal_band(
    table: FootprintTable,
    corners: tuple[list[int], list[int], list[bool]],
    free: set[int],
    *,
    right: bool,
    step_um: int,
    budget_s: float,
    seeds: list[int],
    deterministic: bool,
    cancel: threading.Event | None = None,
) -> tuple[BandMove | None, int]:
    """Pack the blocks ``free`` (every block beyond a cut) ``step_um`` lower (or narrower).

    Parameters
    ----------
    table, corners
        The footprints and a legal packing of them (no obstacles, no nets).
    free
        The band: the blocks whose bottom (left) edge lies at or beyond the cut.
    right
        The right band (width) instead of the top band (height).
    step_um
        How far below the band's current top the outline of the sub-problem ends.
    budget_s, seeds, deterministic
        The annealer's budget (moves counted when ``deterministic``), one chain per seed.

    Returns
    -------
    (BandMove or None, moves)
        The packing with the band re-packed and the whole compacted left and down, or None
        when the annealer did not fit the lower outline; and the moves it made.
    """
    xs, ys, rots = corners
    n = len(xs)
    along, up = (ys, xs) if right else (xs, ys)
    members = sorted(free)
    sizes = [_sides(table, i, right) for i in range(n)]
    ext = [(sizes[i][0][int(rots[i])], sizes[i][1][int(rots[i])]) for i in range(n)]
    frozen = [j for j in range(n) if j not in free]
    floor = _floor(frozen, along, up, ext, min(up[i] for i in members))
    obstacles = [
        Rect(along[j], max(0, up[j] - floor), ext[j][0], up[j] + ext[j][1] - max(up[j], floor))
        for j in frozen
        if up[j] + ext[j][1] > floor  # reaches above the floor: part of the band's ground
    ]
    reach = max(along[i] + ext[i][0] for i in range(n))
    top = max(up[i] + ext[i][1] for i in range(n))
    target = top - floor - step_um
    if target <= 0:
        return None, 0
    sub = FootprintTable(
        widths=tuple(sizes[i][0] for i in members),
        heights=tuple(sizes[i][1] for i in members),
        offsets=tuple(((0, 0), (0, 0)) for _ in members),
        rotatable=tuple(table.rotatable[i] for i in members),
        spacing_um=table.spacing_um,
        container=(reach, target),
        obstacles=tuple(sorted(obstacles, key=lambda o: (o.y_um, o.x_um))),
    )
    # Shelves of the band's width, tallest first: a tree of the band as it lies would
    # decode far from it, since a block that rests on an obstacle has no slot at its x.
    order = sorted(range(len(members)), key=lambda k: (-max(sub.heights[k]), k))
    start = shelf_tree(sub, reach, order)
    result: AnnealResult = anneal_chains(
        sub,
        start,
        seeds,
        budget_s=budget_s,
        deterministic=deterministic,
        start_accept=0.5,
        cancel=cancel,
    )
    moves = result.moves
    if result.width > reach or result.height > target:
        return None, moves
    nx, ny, nr = list(xs), list(ys), list(rots)
    for k, i in enumerate(members):
        a, b = result.xs[k], result.ys[k] + floor
        nx[i], ny[i] = (b, a) if right else (a, b)
        nr[i] = result.rots[k]
    nx, ny = compact(table, nx, ny, nr)
    return BandMove(nx, ny, nr), moves
