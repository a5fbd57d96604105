"""Exact packing model on CP-SAT: ``AddNoOverlap2D`` over footprints, rotation as a size.

A turned block swaps its footprint width and height, so each block has one x interval and
one y interval whose sizes are affine in a rotation literal; fixed blocks and obstacles are
constant intervals in the same constraint. Identical free blocks are ordered by x (any
packing can be relabelled to satisfy it), which removes their permutations without losing
a single packing. All coordinates are divided by the greatest common divisor of the data
first; the outline is rounded down, so an answer on the coarse grid is legal in µm.

Examples
--------
>>> from layoutopt.engine.problem import Block, PackProblem
>>> p = PackProblem(blocks=(Block("A", 20, 10), Block("B", 10, 20)), outline_um=(20, 20))
>>> r = cpsat_pack(p, time_limit_s=5, workers=1)
>>> r.status.value, r.packing.width_um, r.packing.length_um
('optimal', 20, 20)
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise

from ortools.sat.python import cp_model

from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.problem import FootprintTable, Packing, PackProblem, PackStatus
from layoutopt.model import Rect

__all__ = ["CpsatResult", "cpsat_pack"]

_STATUS = {
    cp_model.OPTIMAL: PackStatus.OPTIMAL,
    cp_model.FEASIBLE: PackStatus.FEASIBLE,
    cp_model.INFEASIBLE: PackStatus.INFEASIBLE,
}


@dataclass(frozen=True)
class CpsatResult:
    """Status, packing (or None), objective and bound (in µm², µm or 0), wall time."""

    status: PackStatus
    packing: Packing | None
    objective: float | None
    bound: float | None
    time_s: float
    deterministic_time: float = 0.0


def cpsat_pack(
    problem: PackProblem,
    hint: Packing | None = None,
    fixed: Collection[str] = (),
    window: Rect | None = None,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    deterministic_time: float | None = None,
    objective: str = "auto",
    max_bbox_um: tuple[int, int] | None = None,
    symmetry_breaking: bool = True,
    gravity: bool = False,
) -> CpsatResult:
    """Solve (part of) a packing problem with CP-SAT.

    Parameters
    ----------
    problem
        The instance. With a fixed outline the model is a feasibility problem (or minimises
        wirelength when ``problem.wirelength_weight > 0``).
    hint
        A packing to start from (CP-SAT solution hint); it need not be legal.
    fixed
        Block ids frozen where ``hint`` has them (``hint`` is then required).
    window
        When given, every free block's footprint must lie inside this rectangle (µm).
    time_limit_s, seed, workers
        CP-SAT wall-time limit, random seed and number of workers.
    deterministic_time
        CP-SAT deterministic-time limit; with ``workers=1`` it makes the run reproducible.
    objective
        ``"area"`` (bounding box area), ``"height"``, ``"width"``, ``"none"``, or ``"auto"``:
        area for a free outline, none for a fixed one. Wirelength is added when weighted.
    max_bbox_um
        Upper bounds on the bounding box (width, length) of the bodies and halos.
    symmetry_breaking
        Order identical free blocks by x.
    gravity
        Among equal objectives prefer free blocks low and to the left (sum of x + y), which
        opens room at the top and right for later moves (used by :func:`lns`).
    """
    table = FootprintTable.of(problem)
    n = len(problem.blocks)
    fixed_set = set(fixed)
    if fixed_set and hint is None:
        raise ValueError("fixed blocks need a hint packing to take their positions from")
    hx, hy, hr = table.from_packing(problem, hint) if hint is not None else (None, None, None)
    s = table.spacing_um

    breaking = symmetry_breaking and not (problem.wirelength_weight > 0 and problem.nets)
    groups = _identical_groups(problem, table, fixed_set) if breaking else []
    if hint is not None and groups:
        hx, hy, hr = list(hx), list(hy), list(hr)  # type: ignore[arg-type]
        for members in groups:  # relabel the hint so that it obeys the ordering below
            spots = sorted((hx[i], hy[i], hr[i]) for i in members)
            for i, (x0, y0, r0) in zip(members, spots, strict=True):
                hx[i], hy[i], hr[i] = x0, y0, r0
    grid = _grid(table, problem, fixed_set, hx, hy)
    if table.container is not None:
        cw, ch = table.container
    else:
        cw = sum(max(table.widths[i]) for i in range(n))
        ch = sum(max(table.heights[i]) for i in range(n))
        if hint is not None:
            # A packing no larger than the hint has W * H <= Wh * Hh, and each side is at
            # least the largest unavoidable block side: that caps the other side.
            wh = max(hx[i] + table.size(i, hr[i])[0] for i in range(n))  # type: ignore[index]
            hh = max(hy[i] + table.size(i, hr[i])[1] for i in range(n))  # type: ignore[index]
            w_min = max(
                min(table.widths[i]) if table.rotatable[i] else table.widths[i][0] for i in range(n)
            )
            h_min = max(
                min(table.heights[i]) if table.rotatable[i] else table.heights[i][0]
                for i in range(n)
            )
            cw = min(cw, wh * hh // h_min)
            ch = min(ch, wh * hh // w_min)
    if max_bbox_um is not None:
        cw = min(cw, max_bbox_um[0] + s)
        ch = min(ch, max_bbox_um[1] + s)
    cw_g, ch_g = cw // grid, ch // grid

    model = cp_model.CpModel()
    xs, ys, rot, x_iv, y_iv = [], [], [], [], []
    ends_x, ends_y = [], []
    for i, b in enumerate(problem.blocks):
        w0, w1 = table.widths[i][0] // grid, table.widths[i][1] // grid
        h0, h1 = table.heights[i][0] // grid, table.heights[i][1] // grid
        if b.id in fixed_set:
            r_val = int(hr[i])  # type: ignore[index]
            x0, y0 = hx[i] // grid, hy[i] // grid  # type: ignore[index]
            w, h = (w1, h1) if r_val else (w0, h0)
            xs.append(x0)
            ys.append(y0)
            rot.append(r_val)
            x_iv.append(model.new_fixed_size_interval_var(x0, w, f"fx{i}"))
            y_iv.append(model.new_fixed_size_interval_var(y0, h, f"fy{i}"))
            ends_x.append(x0 + w)
            ends_y.append(y0 + h)
            continue
        lo_x, lo_y, hi_x, hi_y = 0, 0, cw_g, ch_g
        if window is not None:
            lo_x, lo_y = -(-window.x_um // grid), -(-window.y_um // grid)
            hi_x, hi_y = min(hi_x, window.x_max_um // grid), min(hi_y, window.y_max_um // grid)
        if table.rotatable[i]:
            r = model.new_bool_var(f"r{i}")
            w_expr = w0 + (w1 - w0) * r
            h_expr = h0 + (h1 - h0) * r
        else:
            r = 0
            w_expr, h_expr = w0, h0
        x = model.new_int_var(lo_x, max(lo_x, hi_x - min(w0, w1)), f"x{i}")
        y = model.new_int_var(lo_y, max(lo_y, hi_y - min(h0, h1)), f"y{i}")
        xs.append(x)
        ys.append(y)
        rot.append(r)
        ex = model.new_int_var(lo_x, hi_x, f"ex{i}")
        ey = model.new_int_var(lo_y, hi_y, f"ey{i}")
        x_iv.append(model.new_interval_var(x, w_expr, ex, f"ix{i}"))
        y_iv.append(model.new_interval_var(y, h_expr, ey, f"iy{i}"))
        ends_x.append(ex)
        ends_y.append(ey)
        if hint is not None:
            model.add_hint(x, hx[i] // grid)  # type: ignore[index]
            model.add_hint(y, hy[i] // grid)  # type: ignore[index]
            if table.rotatable[i]:
                model.add_hint(r, bool(hr[i]))  # type: ignore[index]
    for o in table.obstacles:
        x0, y0 = o.x_um // grid, o.y_um // grid
        x1, y1 = -(-o.x_max_um // grid), -(-o.y_max_um // grid)
        x_iv.append(model.new_fixed_size_interval_var(x0, x1 - x0, "ox"))
        y_iv.append(model.new_fixed_size_interval_var(y0, y1 - y0, "oy"))
    model.add_no_overlap_2d(x_iv, y_iv)

    for members in groups:
        for a, c in pairwise(members):
            model.add(xs[a] <= xs[c])

    width = model.new_int_var(0, cw_g, "W")
    height = model.new_int_var(0, ch_g, "H")
    model.add_max_equality(width, ends_x)
    model.add_max_equality(height, ends_y)
    mode = objective
    if mode == "auto":
        mode = "area" if problem.seeks_area else "none"
    primary = None
    if mode == "area":
        area = model.new_int_var(0, cw_g * ch_g, "area")
        model.add_multiplication_equality(area, [width, height])
        primary = area
    elif mode == "height":
        primary = height
    elif mode == "width":
        primary = width
    wl = None
    if problem.wirelength_weight > 0 and problem.nets:
        wl = _wirelength(model, problem, table, grid, xs, ys, rot)
    free = [i for i, b in enumerate(problem.blocks) if b.id not in fixed_set]
    has_obj = primary is not None or wl is not None
    if primary is None and wl is None:
        gravity_only = bool(gravity and free)
    else:
        gravity_only = False
    if wl is not None:
        # Objective in µm² (area) plus weight * µm (half of the doubled grid wirelength).
        unit = float(grid * grid) if mode == "area" else float(grid)
        expr = wl * (problem.wirelength_weight * grid / 2)
        model.minimize(expr + primary * unit if primary is not None else expr)
    elif primary is not None and gravity and free:
        # Integer lexicographic objective: the primary term dominates every gravity sum.
        scale = len(free) * (cw_g + ch_g) + 1
        model.minimize(primary * scale + sum(xs[i] + ys[i] for i in free))
    elif primary is not None:
        model.minimize(primary)
    elif gravity and free:
        model.minimize(sum(xs[i] + ys[i] for i in free))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    if deterministic_time is not None:
        solver.parameters.max_deterministic_time = max(0.001, float(deterministic_time))
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    code = solver.solve(model)
    status = _STATUS.get(code, PackStatus.NO_SOLUTION)
    if not status.has_packing:
        return CpsatResult(status, None, None, None, solver.wall_time, solver.deterministic_time)
    px = [int(solver.value(v)) * grid if not isinstance(v, int) else v * grid for v in xs]
    py = [int(solver.value(v)) * grid if not isinstance(v, int) else v * grid for v in ys]
    pr = [bool(solver.value(r)) if not isinstance(r, int) else bool(r) for r in rot]
    packing = table.to_packing(problem, px, py, pr)
    value = None
    bound = None
    if gravity_only:
        value, bound = 0.0, 0.0
    elif has_obj:
        value, bound = solver.objective_value, solver.best_objective_bound
        if wl is None and primary is not None:
            if gravity and free:
                value = float(solver.value(primary))
                bound = None
            unit = grid * grid if mode == "area" else grid
            value = value * unit
            bound = bound * unit if bound is not None else None
    return CpsatResult(status, packing, value, bound, solver.wall_time, solver.deterministic_time)


def _grid(
    table: FootprintTable,
    problem: PackProblem,
    fixed_set: set[str],
    hx: list[int] | None,
    hy: list[int] | None,
) -> int:
    """The largest grid that every size and frozen coordinate is a multiple of."""
    values = [v for row in table.widths for v in row] + [v for row in table.heights for v in row]
    for o in table.obstacles:
        values += [o.x_um, o.y_um, o.x_max_um, o.y_max_um]
    for i, b in enumerate(problem.blocks):
        if b.id in fixed_set:
            values += [hx[i], hy[i]]
    g = 0
    for v in values:
        g = math.gcd(g, v)
    return max(1, g)


def _identical_groups(
    problem: PackProblem, table: FootprintTable, fixed_set: set[str]
) -> list[list[int]]:
    """Free blocks with equal footprints, two or more per group, in index order."""
    groups: dict[tuple, list[int]] = {}
    for i, b in enumerate(problem.blocks):
        if b.id in fixed_set:
            continue
        key = (table.widths[i], table.heights[i], table.offsets[i], table.rotatable[i])
        groups.setdefault(key, []).append(i)
    return [m for m in groups.values() if len(m) > 1]


def _wirelength(
    model: cp_model.CpModel,
    problem: PackProblem,
    table: FootprintTable,
    grid: int,
    xs: list,
    ys: list,
    rot: list,
) -> cp_model.LinearExprT | None:
    """Sum over nets of doubled half-perimeters, in grid units (a linear expression)."""
    nets = NetIndex.of(problem, table)
    bound = (
        4
        * (
            max(table.container or (0, 0))
            + sum(max(r) for r in table.widths)
            + sum(max(r) for r in table.heights)
        )
        // grid
        + 4
    )
    total = []
    for blocks, box in nets.nets:
        for axis, coords in ((0, xs), (1, ys)):
            points = []
            for i in blocks:
                c0 = round(2 * nets.centre[i][0][axis] / grid)
                c1 = round(2 * nets.centre[i][1][axis] / grid)
                base = 2 * coords[i]
                if isinstance(rot[i], int):
                    points.append(base + (c1 if rot[i] else c0))
                else:
                    points.append(base + c0 + (c1 - c0) * rot[i])
            if box is not None:
                points.append(round(2 * box[2 * axis] / grid))
                points.append(round(2 * box[2 * axis + 1] / grid))
            if len(points) < 2:
                continue
            lo = model.new_int_var(-bound, bound, "")
            hi = model.new_int_var(-bound, bound, "")
            for p in points:
                model.add(lo <= p)
                model.add(hi >= p)
            total.append(hi - lo)
    if not total:
        return None
    return sum(total)
