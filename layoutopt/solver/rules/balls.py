"""The package outline holds its ball map: rows and columns of ball sites, exactly.

Rules: docs/rules.md ``ball_map``, ``ball_count``, ``ball_clearance`` (the map itself is
written by :func:`layoutopt.ballmap.place_balls` from the solved outline).

Columns and rows follow from the package size exactly as the map is built
(``n = floor((L - 2c - d) / pitch) + 1``, :func:`layoutopt.ballmap.sites_along`), as two
linear inequalities each. Sites grow with both counts, so "the outline holds ``N`` balls"
is "there are at least as many rows as ``N`` sites need beside the columns": a table over
the few possible column counts (an Element constraint), exact and cheaper than the product
``n_x n_y`` or a table over the package width (both measured slower to presolve). Only
where bottom-side parts may take sites does the count need the product. A full array holds
``n_x n_y`` sites, a perimeter array of k rows ``n_x n_y - (n_x - 2k)+ (n_y - 2k)+``.
Sites left empty are bounded from above, so a solver
answer always holds enough balls in exact micrometres: a bottom-side part or a ball
keep-out of size ``w x h`` empties at most ``ceil((w + d + 2c) / p) x ceil((h + d + 2c) / p)``
sites (the centres nearer than ``d/2 + c`` lie in an open box that much larger). A PoP's
interface ring must clear the bottom mold entirely: the mold, grown by ``d/2 + c``, lies
inside the ring's inner rows, so no ring site is lost and the count is exact too.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.ballmap import BallRequirement, ball_requirements, sites_along
from layoutopt.model import BallRole, BondType
from layoutopt.solver.rules.package import package_step_bounds
from layoutopt.solver.variables import ModelContext, Variables

__all__ = ["build", "lost_sites"]


def lost_sites(width_um: int, length_um: int, req: BallRequirement) -> int:
    """Most sites a ``width x length`` rectangle can empty (either orientation).

    >>> from layoutopt.model import BallRole
    >>> req = BallRequirement(BallRole.BOARD, 100, 400, 250, 0, 250, 0, "")
    >>> lost_sites(400, 200, req)  # 01005 part: open boxes 1150 x 950 um
    9
    """
    p, reach = req.pitch_um, req.diameter_um + 2 * req.edge_clearance_um

    def along(length: int) -> int:
        return -(-(length + reach) // p)

    return max(along(width_um) * along(length_um), along(length_um) * along(width_um))


def _rows_needed(count: int, columns: int, perimeter_rows: int) -> int:
    """The fewest rows of sites beside ``columns`` columns that hold ``count`` sites.

    ``pattern_sites`` is ``columns x rows`` up to ``2k`` rows (and for a narrow array),
    then grows by ``2k`` per row: ``2k (columns + rows) - 4k^2``.

    >>> from layoutopt.ballmap import pattern_sites
    >>> all(pattern_sites(7, _rows_needed(n, 7, 2), 2) >= n > pattern_sites(7, _rows_needed(n, 7, 2) - 1, 2)
    ...     for n in range(1, 80))
    True
    """
    k = perimeter_rows
    if k <= 0 or columns <= 2 * k or count <= columns * 2 * k:
        return -(-count // columns)
    return -(-(count - 2 * k * columns + 4 * k * k) // (2 * k))


def _count(
    model: cp_model.CpModel, size, most: int, req: BallRequirement, name: str, enforce
) -> cp_model.IntVar:  # type: ignore[no-untyped-def]
    """Sites along one side of ``size`` µm, exactly as the map counts them:
    ``pitch (n - 1) <= size - 2c - d < pitch n`` (two linear inequalities)."""
    p = req.pitch_um
    room = size - 2 * req.edge_clearance_um - req.diameter_um
    n = model.NewIntVar(1, max(1, most), name)
    model.Add(p * (n - 1) <= room).OnlyEnforceIf(enforce)
    model.Add(p * n >= room + 1).OnlyEnforceIf(enforce)
    return n


def _grid(
    model: cp_model.CpModel,
    v: Variables,
    ctx: ModelContext,
    req: BallRequirement,
    name: str,
    enforce,
):  # type: ignore[no-untyped-def]
    step = ctx.design.rules.package_grid_um
    _, w_hi, _, l_hi = package_step_bounds(ctx)
    most_x = sites_along(w_hi * step, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    most_y = sites_along(l_hi * step, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    nx = _count(model, v.pw, most_x, req, f"{name}_columns", enforce)
    ny = _count(model, v.pl, most_y, req, f"{name}_rows", enforce)
    return nx, ny, max(1, most_x), max(1, most_y)


def _fits(
    model: cp_model.CpModel,
    nx,
    ny,
    most_x: int,
    most_y: int,
    req: BallRequirement,
    count: int,
    name: str,
    enforce,
) -> None:  # type: ignore[no-untyped-def]
    """Exact and cheap: at least as many rows as ``count`` sites need beside the columns
    (a table over the few column counts, since sites grow with both)."""
    cap = most_y + 1
    needed = [cap] + [
        min(cap, _rows_needed(count, n, req.perimeter_rows)) for n in range(1, most_x + 1)
    ]
    need = model.NewIntVar(0, cap, f"{name}_rows_needed")
    model.AddElement(nx, needed, need)
    model.Add(ny >= need).OnlyEnforceIf(enforce)


def _sites(model: cp_model.CpModel, nx, ny, rows: int, name: str) -> cp_model.IntVar:  # type: ignore[no-untyped-def]
    all_sites = model.NewIntVar(0, 10**8, f"{name}_grid")
    model.AddMultiplicationEquality(all_sites, [nx, ny])
    if rows <= 0:
        return all_sites
    ix = model.NewIntVar(0, 10_000, f"{name}_inner_x")
    iy = model.NewIntVar(0, 10_000, f"{name}_inner_y")
    model.AddMaxEquality(ix, [0, nx - 2 * rows])
    model.AddMaxEquality(iy, [0, ny - 2 * rows])
    inner = model.NewIntVar(0, 10**8, f"{name}_inner")
    model.AddMultiplicationEquality(inner, [ix, iy])
    sites = model.NewIntVar(0, 10**8, f"{name}_sites")
    model.Add(sites == all_sites - inner)
    return sites


def build(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    design = ctx.design
    requirements = ball_requirements(design)
    if not requirements:
        return
    enforce = v.group(model, "ball_map")
    for req in requirements:
        name = f"balls_{req.role.value}"
        nx, ny, most_x, most_y = _grid(model, v, ctx, req, name, enforce)
        fixed = sum(lost_sites(k.width_um, k.length_um, req) for k in design.balls.keepouts)
        if req.role is BallRole.INTERFACE:
            _clear_of_mold(model, v, ctx, req, nx, ny, enforce)
            _fits(model, nx, ny, most_x, most_y, req, req.count, name, enforce)
        elif not v.bottom:
            _fits(model, nx, ny, most_x, most_y, req, req.count + fixed, name, enforce)
        else:
            # Bottom-side parts empty sites only when they are placed there: a product.
            lost = [
                lost_sites(design.dies[i].width_um, design.dies[i].length_um, req) * v.bottom[i]
                for i in sorted(v.bottom)
            ]
            sites = _sites(model, nx, ny, req.perimeter_rows, name)
            model.Add(sites - sum(lost) - fixed >= req.count).OnlyEnforceIf(enforce)


def _clear_of_mold(model, v, ctx, req, nx, ny, enforce) -> None:  # type: ignore[no-untyped-def]
    """The bottom mold (the flip-chip dies' box grown by the margin), grown by the ball's
    reach, lies inside the ring's inner rows of sites, on all four sides."""
    design = ctx.design
    chips = [i for i, d in enumerate(design.dies) if d.bond is BondType.FLIP_CHIP]
    if not chips:
        return
    m = design.rules.pop_mold_margin_um
    reach2 = req.diameter_um + 2 * req.edge_clearance_um  # twice the ball's reach
    p, k = req.pitch_um, max(1, req.perimeter_rows)
    for axis, n, origin, size, lo, hi in (
        ("x", nx, v.px, v.pw, [v.x[i] for i in chips], [v.x[i] + v.w[i] for i in chips]),
        ("y", ny, v.py, v.pl, [v.y[i] for i in chips], [v.y[i] + v.l[i] for i in chips]),
    ):
        first = model.NewIntVar(-(10**7), 10**7, f"ring_{axis}0_um")
        odd = model.NewBoolVar(f"ring_{axis}0_half")
        # first = origin + floor((size - (n - 1) p) / 2), as layoutopt.ballmap centres it
        model.Add(2 * first + odd == 2 * origin + size - (n - 1) * p)
        if len(chips) == 1:
            mold_lo, mold_hi = lo[0], hi[0]
        else:
            mold_lo = model.NewIntVar(-(10**7), 10**7, f"mold_{axis}0_um")
            mold_hi = model.NewIntVar(-(10**7), 10**7, f"mold_{axis}1_um")
            model.AddMinEquality(mold_lo, lo)
            model.AddMaxEquality(mold_hi, hi)
        # inner rows k - 1 and n - k stay a reach away from the grown mold
        model.Add(2 * (mold_lo - m) - reach2 >= 2 * (first + (k - 1) * p)).OnlyEnforceIf(enforce)
        model.Add(2 * (mold_hi + m) + reach2 <= 2 * (first + (n - k) * p)).OnlyEnforceIf(enforce)
