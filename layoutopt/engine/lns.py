"""Large-neighbourhood search: re-pack a few blocks with CP-SAT, the rest frozen.

Each round frees a handful of blocks and keeps the others where they are. A *band* frees
every block that lies wholly beyond a cut line across the top (right) edge, a strip over a
ragged floor, and CP-SAT minimises that side with the other side capped. A *window* frees
the blocks nearest a point of empty space, an edge block or a random point (or a random
subset) and compacts them: they are pulled down and left (sum of x + y) inside the box of
their own footprints, which opens room at the top and right for later bands. After every
sub-solve the whole packing is compacted left and down (:func:`compact`), so the room a
window opened travels to the edges. Equal-cost answers are accepted (a walk on the
plateau). Band and window sizes grow while sub-solves are proven optimal and shrink when
they time out. From 150 blocks, once the CP-SAT rounds stall, every third round hands a
band of 30-55 blocks to the B*-tree annealer instead (:mod:`layoutopt.engine.reshape`).

Free blocks stay inside their band or window, so the sub-model holds only the frozen
blocks whose footprints meet it (:func:`~layoutopt.engine.cpsat.cpsat_pack` with a
``window``): on n300 the median sub-model holds 35 intervals instead of 300, and CP-SAT
searches the window instead of propagating over the whole packing (benchmarks/README.md,
60 s, three seeds: n200 3.11-3.31 -> 2.71-3.26 %, n300 2.76-2.92 % before and after).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import numpy as np

from layoutopt.engine.btree import KERNEL_PLACEMENTS_PER_S
from layoutopt.engine.check import hpwl_um
from layoutopt.engine.clock import CPSAT_DET_PER_S, UNITS_PER_S, Clock, cpsat_guard_s
from layoutopt.engine.compaction import compact
from layoutopt.engine.cpsat import cpsat_pack
from layoutopt.engine.problem import (
    FootprintTable,
    Packing,
    PackProblem,
    PackStatus,
    ProgressCallback,
)
from layoutopt.engine.reshape import anneal_band
from layoutopt.model import Rect

__all__ = ["lns", "lns_from_starts", "packing_cost"]

# Time per sub-solve, deterministic (about a second of one core per 0.8) and wall-clock.
# A window's gravity is rarely proven (on n200, 10 free blocks ran out of 1.5 s unproven
# in 6 of 9 tries) and its answer matters only as a rearrangement: 0.3 s; a band is where
# the area falls.
_SUB_DET_TIME = {"band": 0.8, "window": 0.16}
_SUB_WALL_S = {"band": 1.5, "window": 0.3}
# Beyond any packing: a band's window is open towards the top (right).
_FAR_UM = 1 << 40
# Neighbourhood kinds in turn: 0 top band, 1 right band, 2 around a point of empty space,
# 3 random, 4 around an edge block.
_SCHEDULE = (0, 1, 2, 0, 1, 4, 0, 1, 3)
# From 150 blocks, once a whole turn of the schedule has brought no gain, every third
# round is instead the band beyond a cut re-packed by the annealer a step lower
# (:func:`~layoutopt.engine.reshape.anneal_band`): CP-SAT proves bands of up to 30 blocks
# and then stalls on the rows under them, the annealer takes 30-55 blocks
# (benchmarks/README.md, "Min-area from 150 blocks"). Only when stalled: where CP-SAT
# still gains (random-200-1), rounds taken from it cost more than the annealer brings.
_ANNEALED_MIN_BLOCKS = 150
_ANNEALED_BLOCKS = (30, 40, 55)
# The annealer's budget per block of the band (1 s for 40 blocks, two chains), and its
# first step as a share of the side: each fit doubles the step, each miss halves it.
_ANNEALED_S_PER_BLOCK = 1.0 / 40
_ANNEALED_FIRST_STEP = 0.001


@dataclass(frozen=True)
class _Run:
    """What every round of one :func:`lns` call reads (internal)."""

    problem: PackProblem
    sub_problem: PackProblem
    table: FootprintTable
    mode: str
    box: tuple[int, int]
    workers: int
    wants_wl: bool
    clock: Clock
    stop_at: float


def packing_cost(problem: PackProblem, packing: Packing, objective: str = "auto") -> float:
    """The value ``lns`` minimises: area (free outline) or height/width, plus wirelength."""
    mode = _mode(problem, objective)
    value = {"area": packing.area_um2, "height": packing.length_um, "width": packing.width_um}.get(
        mode, 0
    )
    if problem.wirelength_weight > 0 and problem.nets:
        value += problem.wirelength_weight * hpwl_um(problem, packing)
    return float(value)


def _mode(problem: PackProblem, objective: str) -> str:
    if objective != "auto":
        return objective
    return "area" if problem.seeks_area else "none"


def lns(
    problem: PackProblem,
    start: Packing,
    time_limit_s: float = 10.0,
    seed: int = 0,
    *,
    workers: int = 1,
    objective: str = "auto",
    max_bbox_um: tuple[int, int] | None = None,
    target_um: tuple[int, int] | None = None,
    block_count: int = 10,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
) -> Packing:
    """Improve a packing ``start`` by repeated CP-SAT re-packing of a few blocks.

    Parameters
    ----------
    problem, start
        The instance and a packing of it, legal but for possibly exceeding the outline.
    time_limit_s, seed, workers
        Budget, randomness and CP-SAT workers per sub-solve. With ``workers=1`` the budget
        is counted in deterministic time, so the answer is reproducible.
    objective
        ``"area"`` (free outline default), ``"height"`` or ``"width"`` (strip packing with
        the other side capped), or ``"none"`` (fixed outline: wirelength only).
    max_bbox_um
        The bounding box every answer must keep (default: the start's, so it never grows).
    target_um
        Stop as soon as the packing fits this (width, length).
    block_count
        Initial number of free blocks per round.
    """
    rng = random.Random(seed)
    clock = clock or Clock(time_limit_s, deterministic=workers == 1)
    stop_at = clock.elapsed_s() + time_limit_s
    table = FootprintTable.of(problem)
    mode = _mode(problem, objective)
    n = len(problem.blocks)
    wants_wl = problem.wirelength_weight > 0 and bool(problem.nets)
    best = current = start
    best_cost = cur_cost = packing_cost(problem, start, mode)
    if n < 2 or (mode == "none" and not wants_wl):
        return start
    # Work on the outline-free problem: the cap below is the outline, when it matters.
    # (obstacles need the outline, so it stays then and ``start`` must fit it).
    sub_problem = problem if problem.obstacles else replace(problem, outline_um=None)
    box = max_bbox_um or (start.width_um, start.length_um)
    sizes = {"band": max(2, min(block_count, n)), "window": max(2, min(block_count, n))}
    # The annealed band needs a packing the compaction may move: no obstacles, no nets.
    annealed = n >= _ANNEALED_MIN_BLOCKS and mode != "none" and not problem.obstacles
    annealed = annealed and not wants_wl
    step = stalled = 0
    rounds = 0
    run = _Run(problem, sub_problem, table, mode, box, workers, wants_wl, clock, stop_at)

    def reached(p: Packing) -> bool:
        return target_um is not None and p.width_um <= target_um[0] and p.length_um <= target_um[1]

    while clock.elapsed_s() < stop_at and not clock.expired() and not reached(best):
        rounds += 1
        kind = _SCHEDULE[rounds % len(_SCHEDULE)]
        if annealed and stalled >= len(_SCHEDULE) and rounds % 3 == 0:
            kind = 5
        stalled += 1
        if mode == "height" and kind == 1:
            kind = 0
        if mode == "width" and kind == 0:
            kind = 1
        if kind == 5:
            right = mode == "width"
            side = current.width_um if right else current.length_um
            step = step or max(1, int(side * _ANNEALED_FIRST_STEP))
            got = _annealed_band(problem, table, current, rng, right, step, clock, stop_at)
            step = 2 * step if got is not None else max(1, step // 2)
        else:
            got = _cpsat_round(run, current, rng, sizes, kind)
        if got is None:
            continue
        cost = packing_cost(problem, got, mode)
        if cost <= cur_cost:
            current, cur_cost = got, cost
            if cost < best_cost:
                best, best_cost, stalled = current, cost, 0
                if progress is not None:
                    progress(clock.elapsed_s(), best.area_um2, "lns")
    return best


# Each start's share of the budget in :func:`lns_from_starts`; the best of them gets the
# rest. Four starts of a tenth each, against one LNS from the best greedy packing at 60 s
# (benchmarks/README.md, "LNS from several starts"): random-200-1 2.63 -> 2.08 %,
# random-500-1 2.25 -> 1.90 %, n300 2.62 both.
_START_SHARE = 0.1


def lns_from_starts(
    problem: PackProblem,
    starts: list[Packing],
    time_limit_s: float,
    seed: int = 0,
    *,
    workers: int = 1,
    clock: Clock | None = None,
) -> Packing:
    """:func:`lns` from several packings of a free outline, a short run each, then on from
    the best of them for the rest of ``time_limit_s``.

    LNS on a few hundred blocks gains in its first seconds and then stalls where its start
    leaves it, so a few short runs from different starts (packings of different widths)
    and the rest of the budget on the best one beat one long run from the best start.
    Each start gets ``_START_SHARE`` of the budget (counted as :func:`lns` counts it).
    """
    clock = clock or Clock(time_limit_s, deterministic=workers == 1)
    stop_at = clock.elapsed_s() + time_limit_s
    rng = random.Random(seed)
    share = _START_SHARE * time_limit_s if len(starts) > 1 else time_limit_s
    results = []
    for start in starts:
        budget = min(share, stop_at - clock.elapsed_s())
        if budget <= 0 or clock.expired():
            break
        results.append(
            lns(problem, start, budget, rng.randrange(1 << 30), workers=workers, clock=clock)
        )
    best = min(results or starts, key=lambda p: (packing_cost(problem, p), p.width_um))
    rest = stop_at - clock.elapsed_s()
    if len(starts) > 1 and rest > 0 and not clock.expired():
        best = lns(problem, best, rest, rng.randrange(1 << 30), workers=workers, clock=clock)
    return best


def _cpsat_round(
    run: _Run, current: Packing, rng: random.Random, sizes: dict[str, int], kind: int
) -> Packing | None:
    """One CP-SAT round of kind ``kind`` (a band or a window) on ``current``: the answer,
    compacted, or None; the band or window size in ``sizes`` follows its proof."""
    problem, table, mode, box, clock = run.problem, run.table, run.mode, run.box, run.clock
    n = len(problem.blocks)
    group = "band" if kind in (0, 1) else "window"
    k = sizes[group]
    free = _neighbourhood(current, table, problem, rng, k, kind)
    fixed = [b.id for i, b in enumerate(problem.blocks) if i not in free]
    # Bands shrink one side of the box; windows compact (gravity) within it.
    sub = {
        "area": ("height", "width"),
        "height": ("height", "height"),
        "width": ("width", "width"),
    }.get(mode)
    sub_objective = "none"
    if sub is not None and kind in (0, 1):
        sub_objective = sub[kind]
    limit = (min(current.width_um, box[0]), min(current.length_um, box[1]))
    if mode == "height":
        limit = (box[0], current.length_um)
    elif mode == "width":
        limit = (current.width_um, box[1])
    remaining = max(0.01, run.stop_at - clock.elapsed_s())
    if clock.deterministic:  # the wall limit must never bind, or runs would differ
        det_limit: float | None = min(_SUB_DET_TIME[group], remaining * CPSAT_DET_PER_S)
        wall_limit = cpsat_guard_s(det_limit)
    else:
        det_limit, wall_limit = None, min(_SUB_WALL_S[group], remaining)
    window = _window(current, table, problem, free, kind)
    result = cpsat_pack(
        run.sub_problem,
        hint=current,
        fixed=fixed,
        window=window,
        time_limit_s=wall_limit,
        seed=rng.randrange(1 << 30),
        workers=run.workers,
        deterministic_time=det_limit,
        objective=sub_objective,
        max_bbox_um=limit,
        gravity=not run.wants_wl and sub_objective == "none",
    )
    if clock.deterministic:
        clock.spend(result.deterministic_time / CPSAT_DET_PER_S * UNITS_PER_S)
    if result.status is PackStatus.OPTIMAL and k < min(n, 30):
        sizes[group] = k + 1
    elif result.status is not PackStatus.OPTIMAL and k > 4:
        sizes[group] = k - 1
    got = result.packing
    if got is not None and not problem.obstacles and not run.wants_wl:
        # compaction sees no obstacles, no nets
        xs, ys, rots = table.from_packing(problem, got)
        xs, ys = compact(table, xs, ys, rots)
        got = table.to_packing(problem, xs, ys, rots)
    return got


def _annealed_band(
    problem: PackProblem,
    table: FootprintTable,
    packing: Packing,
    rng: random.Random,
    right: bool,
    step_um: int,
    clock: Clock,
    stop_at: float,
) -> Packing | None:
    """The blocks beyond a cut re-packed by the annealer ``step_um`` lower (narrower), or
    None when it found no fit; two chains on the wall clock, one counted in moves."""
    n = len(problem.blocks)
    corners = table.from_packing(problem, packing)
    low = corners[0] if right else corners[1]
    k = min(n - 1, rng.choice(_ANNEALED_BLOCKS))
    cut = sorted(low, reverse=True)[k - 1]
    free = {i for i in range(n) if low[i] >= cut}
    if len(free) >= n:
        return None
    budget = min(k * _ANNEALED_S_PER_BLOCK, max(0.01, stop_at - clock.elapsed_s()))
    chains = 1 if clock.deterministic else 2
    moved, moves = anneal_band(
        table,
        corners,
        free,
        right=right,
        step_um=step_um,
        budget_s=budget,
        seeds=[rng.randrange(1 << 30) for _ in range(chains)],
        deterministic=clock.deterministic,
        cancel=clock.cancel,
    )
    if clock.deterministic:
        clock.spend(moves * len(free) / KERNEL_PLACEMENTS_PER_S * UNITS_PER_S)
    if moved is None:
        return None
    return table.to_packing(problem, moved.xs, moved.ys, moved.rots)


def _window(
    packing: Packing, table: FootprintTable, problem: PackProblem, free: set[int], kind: int
) -> Rect | None:
    """Where the free blocks must stay (footprint coordinates): beyond the band's cut, or
    the box of their own footprints; None (anywhere) for a random subset."""
    if kind == 3:
        return None
    xs, ys, rots = table.from_packing(problem, packing)
    if kind == 0:
        return Rect(0, min(ys[i] for i in free), _FAR_UM, _FAR_UM)
    if kind == 1:
        return Rect(min(xs[i] for i in free), 0, _FAR_UM, _FAR_UM)
    x0 = min(xs[i] for i in free)
    y0 = min(ys[i] for i in free)
    x1 = max(xs[i] + table.size(i, rots[i])[0] for i in free)
    y1 = max(ys[i] + table.size(i, rots[i])[1] for i in free)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _hole_point(
    packing: Packing,
    table: FootprintTable,
    corners: tuple[list[int], list[int], list[bool]],
    rng: random.Random,
    cells: int = 128,
) -> tuple[float, float]:
    """A random point of the packing's empty space: the centre of a random raster cell
    (``cells`` x ``cells`` over the bounding box) whose centre no footprint covers."""
    xs, ys, rots = corners
    n = len(xs)
    width, length = max(1, packing.width_um), max(1, packing.length_um)
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    w = np.array([table.size(i, rots[i])[0] for i in range(n)], dtype=np.float64)
    h = np.array([table.size(i, rots[i])[1] for i in range(n)], dtype=np.float64)

    def first_cell(v: np.ndarray, side: int) -> np.ndarray:  # first cell centre >= v
        return np.clip(np.ceil(v / side * cells - 0.5), 0, cells).astype(np.int64)

    c0, c1 = first_cell(x, width), first_cell(x + w, width)
    r0, r1 = first_cell(y, length), first_cell(y + h, length)
    # Each footprint adds 1 over its cells: a 2D difference array, summed up.
    diff = np.zeros((cells + 1, cells + 1), dtype=np.int64)
    np.add.at(diff, (r0, c0), 1)
    np.add.at(diff, (r0, c1), -1)
    np.add.at(diff, (r1, c0), -1)
    np.add.at(diff, (r1, c1), 1)
    cover = diff.cumsum(axis=0).cumsum(axis=1)[:cells, :cells]
    empty = np.flatnonzero(cover.ravel() == 0)
    if empty.size == 0:
        return rng.uniform(0, width), rng.uniform(0, length)
    cell = int(empty[rng.randrange(empty.size)])
    return (cell % cells + 0.5) * width / cells, (cell // cells + 0.5) * length / cells


def _neighbourhood(
    packing: Packing,
    table: FootprintTable,
    problem: PackProblem,
    rng: random.Random,
    k: int,
    kind: int,
) -> set[int]:
    """Indices of the blocks to free: every block beyond a cut (a band, at least ``k``),
    or ``k`` blocks near empty space, near an edge block, or at random."""
    n = len(problem.blocks)
    xs, ys, rots = table.from_packing(problem, packing)
    s = table.spacing_um
    centres = []
    edge = []
    for i in range(n):
        w, h = table.size(i, rots[i])
        centres.append((xs[i] + w / 2, ys[i] + h / 2))
        if xs[i] + w - s >= packing.width_um or ys[i] + h - s >= packing.length_um:
            edge.append(i)
    if kind in (0, 1):
        # A band: every block that starts beyond the cut, which the k-th from the edge
        # sets; the blocks across the cut are the band's ragged floor.
        low = ys if kind == 0 else xs
        order = sorted(range(n), key=lambda i: (-low[i], i))
        cut = low[order[min(n, k) - 1]]
        return {i for i in range(n) if low[i] >= cut}
    if kind == 3:
        return set(rng.sample(range(n), k))
    if kind == 4 and edge:
        cx, cy = centres[rng.choice(edge)]
    elif kind == 2:
        cx, cy = _hole_point(packing, table, (xs, ys, rots), rng)
    else:
        cx, cy = rng.uniform(0, packing.width_um), rng.uniform(0, packing.length_um)
    order = sorted(range(n), key=lambda i: (centres[i][0] - cx) ** 2 + (centres[i][1] - cy) ** 2)
    return set(order[:k])
