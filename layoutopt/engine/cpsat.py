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
from dataclasses import dataclass, field
from itertools import pairwise

from ortools.sat.python import cp_model

from layoutopt.engine.netlist import NetIndex
from layoutopt.engine.problem import FootprintTable, Packing, PackProblem, PackStatus
from layoutopt.interrupt import InterruptibleCpSolver
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


@dataclass
class _Vars:
    """The model's variables per block, in block order (internal).

    ``xs``, ``ys`` are footprint corners and ``rot`` the turn literal, in grid units; a
    frozen block has plain integers instead of variables.
    """

    xs: list = field(default_factory=list)
    ys: list = field(default_factory=list)
    rot: list = field(default_factory=list)
    x_iv: list = field(default_factory=list)
    y_iv: list = field(default_factory=list)
    ends_x: list = field(default_factory=list)
    ends_y: list = field(default_factory=list)


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
        When given, every free block's footprint must lie inside this rectangle (µm), and
        frozen blocks whose footprints do not meet it are left out of the model (they
        still bound the box): a small model for a small window. Frozen blocks are then
        taken to be legal among themselves, as in a legal ``hint``.
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
    fixed_set = set(fixed)
    if fixed_set and hint is None:
        raise ValueError("fixed blocks need a hint packing to take their positions from")
    breaking = symmetry_breaking and not (problem.wirelength_weight > 0 and problem.nets)
    groups = _identical_groups(problem, table, fixed_set) if breaking else []
    corners = _hint_corners(problem, table, hint, groups)
    grid = _grid(table, problem, fixed_set, corners)
    cw, ch = _container(table, corners, max_bbox_um)

    model = cp_model.CpModel()
    room = (cw // grid, ch // grid)
    v = _add_blocks(model, problem, table, grid, room, fixed_set, window, corners)
    if corners is not None:
        _add_hints(model, table, v, corners, grid)
    _add_obstacles(model, table, grid, v)
    model.add_no_overlap_2d(v.x_iv, v.y_iv)
    for members in groups:
        for a, c in pairwise(members):
            model.add(v.xs[a] <= v.xs[c])
    width = model.new_int_var(0, room[0], "W")
    height = model.new_int_var(0, room[1], "H")
    model.add_max_equality(width, _ends(v.ends_x))
    model.add_max_equality(height, _ends(v.ends_y))
    mode = objective
    if mode == "auto":
        mode = "area" if problem.seeks_area else "none"
    free = [i for i, b in enumerate(problem.blocks) if b.id not in fixed_set]
    objective_terms = _set_objective(
        model, problem, table, grid, v, (width, height), room, mode, free if gravity else []
    )

    solver = InterruptibleCpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    if deterministic_time is not None:
        solver.parameters.max_deterministic_time = max(0.001, float(deterministic_time))
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    code = solver.solve(model)
    status = _STATUS.get(code, PackStatus.NO_SOLUTION)
    if not status.has_packing:
        return CpsatResult(status, None, None, None, solver.wall_time, solver.deterministic_time)

    def um(e: object) -> int:
        return (e if isinstance(e, int) else int(solver.value(e))) * grid  # type: ignore[operator]

    rots = [bool(r) if isinstance(r, int) else bool(solver.value(r)) for r in v.rot]
    packing = table.to_packing(problem, [um(x) for x in v.xs], [um(y) for y in v.ys], rots)
    objective_value, bound = _objective_values(solver, objective_terms, mode, grid)
    return CpsatResult(
        status, packing, objective_value, bound, solver.wall_time, solver.deterministic_time
    )


def _ends(ends: list) -> list:
    """The variable ends and the largest constant one (frozen blocks): a shorter max."""
    constants = [e for e in ends if isinstance(e, int)]
    return [e for e in ends if not isinstance(e, int)] + ([max(constants)] if constants else [])


_Corners = tuple[list[int], list[int], list[bool]]


def _hint_corners(
    problem: PackProblem, table: FootprintTable, hint: Packing | None, groups: list[list[int]]
) -> _Corners | None:
    """The hint's footprint corners, relabelled so that identical blocks obey the x order
    of the symmetry breaking (a relabelled packing is the same packing)."""
    if hint is None:
        return None
    hx, hy, hr = (list(c) for c in table.from_packing(problem, hint))
    for members in groups:
        spots = sorted((hx[i], hy[i], hr[i]) for i in members)
        for i, (x0, y0, r0) in zip(members, spots, strict=True):
            hx[i], hy[i], hr[i] = x0, y0, r0
    return hx, hy, hr  # type: ignore[return-value]


def _container(
    table: FootprintTable, corners: _Corners | None, max_bbox_um: tuple[int, int] | None
) -> tuple[int, int]:
    """Room for the footprints (µm): the container, or for a free outline a box no packing
    at least as good as the hint can leave."""
    n = len(table)
    if table.container is not None:
        cw, ch = table.container
    else:
        cw = sum(max(table.widths[i]) for i in range(n))
        ch = sum(max(table.heights[i]) for i in range(n))
        if corners is not None:
            # A packing no larger than the hint has W * H <= Wh * Hh, and each side is at
            # least the largest unavoidable block side: that caps the other side.
            hx, hy, hr = corners
            wh = max(hx[i] + table.size(i, hr[i])[0] for i in range(n))
            hh = max(hy[i] + table.size(i, hr[i])[1] for i in range(n))
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
        cw = min(cw, max_bbox_um[0] + table.spacing_um)
        ch = min(ch, max_bbox_um[1] + table.spacing_um)
    return cw, ch


def _add_blocks(
    model: cp_model.CpModel,
    problem: PackProblem,
    table: FootprintTable,
    grid: int,
    room: tuple[int, int],
    fixed_set: set[str],
    window: Rect | None,
    corners: _Corners | None = None,
) -> _Vars:
    """One x and one y interval per block; frozen blocks as constants (at the hint)."""
    v = _Vars()
    for i, b in enumerate(problem.blocks):
        w0, w1 = table.widths[i][0] // grid, table.widths[i][1] // grid
        h0, h1 = table.heights[i][0] // grid, table.heights[i][1] // grid
        if b.id in fixed_set:
            hx, hy, hr = corners  # type: ignore[misc]
            x0, y0 = hx[i] // grid, hy[i] // grid
            w, h = (w1, h1) if hr[i] else (w0, h0)
            v.xs.append(x0)
            v.ys.append(y0)
            v.rot.append(int(hr[i]))
            v.ends_x.append(x0 + w)
            v.ends_y.append(y0 + h)
            if window is None or _meets(hx[i], hy[i], w * grid, h * grid, window):
                v.x_iv.append(model.new_fixed_size_interval_var(x0, w, f"fx{i}"))
                v.y_iv.append(model.new_fixed_size_interval_var(y0, h, f"fy{i}"))
            continue
        lo_x, lo_y, hi_x, hi_y = 0, 0, room[0], room[1]
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
        ex = model.new_int_var(lo_x, hi_x, f"ex{i}")
        ey = model.new_int_var(lo_y, hi_y, f"ey{i}")
        v.xs.append(x)
        v.ys.append(y)
        v.rot.append(r)
        v.x_iv.append(model.new_interval_var(x, w_expr, ex, f"ix{i}"))
        v.y_iv.append(model.new_interval_var(y, h_expr, ey, f"iy{i}"))
        v.ends_x.append(ex)
        v.ends_y.append(ey)
    return v


def _meets(x_um: int, y_um: int, w_um: int, h_um: int, window: Rect) -> bool:
    """Whether a footprint overlaps the window (touching is not overlapping)."""
    return (
        x_um < window.x_max_um
        and window.x_um < x_um + w_um
        and y_um < window.y_max_um
        and window.y_um < y_um + h_um
    )


def _add_hints(
    model: cp_model.CpModel, table: FootprintTable, v: _Vars, corners: _Corners, grid: int
) -> None:
    hx, hy, hr = corners
    for i in range(len(table)):
        if isinstance(v.xs[i], int):
            continue  # frozen
        model.add_hint(v.xs[i], hx[i] // grid)
        model.add_hint(v.ys[i], hy[i] // grid)
        if not isinstance(v.rot[i], int):
            model.add_hint(v.rot[i], bool(hr[i]))


def _add_obstacles(model: cp_model.CpModel, table: FootprintTable, grid: int, v: _Vars) -> None:
    """Obstacles as constant intervals, rounded outwards to the grid."""
    for o in table.obstacles:
        x0, y0 = o.x_um // grid, o.y_um // grid
        x1, y1 = -(-o.x_max_um // grid), -(-o.y_max_um // grid)
        v.x_iv.append(model.new_fixed_size_interval_var(x0, x1 - x0, "ox"))
        v.y_iv.append(model.new_fixed_size_interval_var(y0, y1 - y0, "oy"))


@dataclass(frozen=True)
class _Objective:
    """What the model minimises: the primary term (area, a side or None), the wirelength
    expression (or None), and whether gravity alone is the objective."""

    primary: object
    wirelength: object
    gravity_only: bool
    gravity: bool


def _set_objective(
    model: cp_model.CpModel,
    problem: PackProblem,
    table: FootprintTable,
    grid: int,
    v: _Vars,
    box: tuple[cp_model.IntVar, cp_model.IntVar],
    room: tuple[int, int],
    mode: str,
    gravity_blocks: list[int],
) -> _Objective:
    """Minimise ``mode`` (area, height, width or none), plus the weighted wirelength, with
    gravity (sum of x + y over ``gravity_blocks``) as the lexicographic tie-break."""
    width, height = box
    primary = None
    if mode == "area":
        area = model.new_int_var(0, room[0] * room[1], "area")
        model.add_multiplication_equality(area, [width, height])
        primary = area
    elif mode == "height":
        primary = height
    elif mode == "width":
        primary = width
    wl = None
    if problem.wirelength_weight > 0 and problem.nets:
        wl = _wirelength(model, problem, table, grid, v.xs, v.ys, v.rot)
    gravity = sum(v.xs[i] + v.ys[i] for i in gravity_blocks) if gravity_blocks else None
    if wl is not None:
        # Objective in µm² (area) plus weight * µm (half of the doubled grid wirelength).
        unit = float(grid * grid) if mode == "area" else float(grid)
        expr = wl * (problem.wirelength_weight * grid / 2)
        model.minimize(expr + primary * unit if primary is not None else expr)
    elif primary is not None and gravity is not None:
        # Integer lexicographic objective: the primary term dominates every gravity sum.
        scale = len(gravity_blocks) * (room[0] + room[1]) + 1
        model.minimize(primary * scale + gravity)
    elif primary is not None:
        model.minimize(primary)
    elif gravity is not None:
        model.minimize(gravity)
    return _Objective(
        primary=primary,
        wirelength=wl,
        gravity_only=primary is None and wl is None and gravity is not None,
        gravity=gravity is not None,
    )


def _objective_values(
    solver: cp_model.CpSolver, terms: _Objective, mode: str, grid: int
) -> tuple[float | None, float | None]:
    """Objective and bound in µm² (area), µm (a side) or the model's own units (with
    wirelength); 0 for a gravity-only model, None when nothing was minimised."""
    if terms.gravity_only:
        return 0.0, 0.0
    if terms.primary is None and terms.wirelength is None:
        return None, None
    value, bound = solver.objective_value, solver.best_objective_bound
    if terms.wirelength is not None:
        return value, bound
    unit = grid * grid if mode == "area" else grid
    if terms.gravity:
        return float(solver.value(terms.primary)) * unit, None
    return value * unit, bound * unit


def _grid(
    table: FootprintTable, problem: PackProblem, fixed_set: set[str], corners: _Corners | None
) -> int:
    """The largest grid that every size and frozen coordinate is a multiple of."""
    values = [v for row in table.widths for v in row] + [v for row in table.heights for v in row]
    for o in table.obstacles:
        values += [o.x_um, o.y_um, o.x_max_um, o.y_max_um]
    for i, b in enumerate(problem.blocks):
        if b.id in fixed_set and corners is not None:
            values += [corners[0][i], corners[1][i]]
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
