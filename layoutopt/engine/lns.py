"""Large-neighbourhood search: re-pack a few blocks with CP-SAT, the rest frozen.

Each round frees a handful of blocks and keeps the others where they are. Bands along the
top (right) edge hold every block that decides the height (width) plus random neighbours
below (left of) them; CP-SAT then minimises that side with the other side capped. Windows
around a random point, around an edge block, or a random subset are *compacted*: the free
blocks are pulled down and left (sum of x + y) inside the current box, which opens room at
the top and right for later bands. Equal-cost answers are accepted (a walk on the
plateau). Band and window sizes grow while sub-solves are proven optimal and shrink when
they time out.
"""

from __future__ import annotations

import random
from dataclasses import replace

from layoutopt.engine.check import hpwl_um
from layoutopt.engine.clock import CPSAT_DET_PER_S, UNITS_PER_S, Clock
from layoutopt.engine.cpsat import cpsat_pack
from layoutopt.engine.problem import (
    FootprintTable,
    Packing,
    PackProblem,
    PackStatus,
    ProgressCallback,
)

__all__ = ["lns", "packing_cost"]

_SUB_DET_TIME = 0.8  # deterministic time per sub-solve (about a second of one core)
_SUB_WALL_S = 1.5
# Neighbourhood kinds in turn: 0 top band, 1 right band, 2 around a point, 3 random,
# 4 around an edge block.
_SCHEDULE = (0, 1, 2, 0, 1, 4, 0, 1, 3)


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
    rounds = 0

    def reached(p: Packing) -> bool:
        return target_um is not None and p.width_um <= target_um[0] and p.length_um <= target_um[1]

    while clock.elapsed_s() < stop_at and not clock.expired() and not reached(best):
        rounds += 1
        kind = _SCHEDULE[rounds % len(_SCHEDULE)]
        if mode == "height" and kind == 1:
            kind = 0
        if mode == "width" and kind == 0:
            kind = 1
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
        remaining = max(0.01, stop_at - clock.elapsed_s())
        if clock.deterministic:  # the wall limit must never bind, or runs would differ
            det_limit: float | None = min(_SUB_DET_TIME, remaining * CPSAT_DET_PER_S)
            wall_limit = 10 * det_limit + 1.0
        else:
            det_limit, wall_limit = None, min(_SUB_WALL_S, remaining)
        result = cpsat_pack(
            sub_problem,
            hint=current,
            fixed=fixed,
            time_limit_s=wall_limit,
            seed=rng.randrange(1 << 30),
            workers=workers,
            deterministic_time=det_limit,
            objective=sub_objective,
            max_bbox_um=limit,
            gravity=not wants_wl and sub_objective == "none",
        )
        if clock.deterministic:
            clock.spend(result.deterministic_time / CPSAT_DET_PER_S * UNITS_PER_S)
        if result.status is PackStatus.OPTIMAL and k < min(n, 30):
            sizes[group] = k + 1
        elif result.status is not PackStatus.OPTIMAL and k > 4:
            sizes[group] = k - 1
        if result.packing is None:
            continue
        cost = packing_cost(problem, result.packing, mode)
        if cost <= cur_cost:
            current, cur_cost = result.packing, cost
            if cost < best_cost:
                best, best_cost = current, cost
                if progress is not None:
                    progress(clock.elapsed_s(), best.area_um2, "lns")
    return best


def _neighbourhood(
    packing: Packing,
    table: FootprintTable,
    problem: PackProblem,
    rng: random.Random,
    k: int,
    kind: int,
) -> set[int]:
    """Indices of ``k`` blocks to free: near an edge block, near a point, or at random."""
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
    if kind in (0, 1):  # a band along the top (right) edge: those blocks decide the size
        axis_pos, axis_size = (ys, 1) if kind == 0 else (xs, 0)
        reach = [axis_pos[i] + table.size(i, rots[i])[axis_size] for i in range(n)]
        order = sorted(range(n), key=lambda i: -reach[i])
        edge_blocks = [i for i in order if reach[i] == reach[order[0]]]
        pool = [i for i in order if i not in edge_blocks][: 2 * k]
        extra = rng.sample(pool, max(0, min(len(pool), k - len(edge_blocks))))
        return set(edge_blocks) | set(extra)
    if kind == 3:
        return set(rng.sample(range(n), k))
    if kind == 4 and edge:
        cx, cy = centres[rng.choice(edge)]
    else:
        cx, cy = rng.uniform(0, packing.width_um), rng.uniform(0, packing.length_um)
    order = sorted(range(n), key=lambda i: (centres[i][0] - cx) ** 2 + (centres[i][1] - cy) ** 2)
    return set(order[:k])
