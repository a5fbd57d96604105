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

The site counts are auxiliary variables of this rule (functions of the package size in
the container), named after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from layoutopt.ballmap import BallRequirement, ball_requirements, sites_along
from layoutopt.model import Axis, BallRole, BondType
from layoutopt.solver.boxes import Expr
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance
from layoutopt.solver.variables import Variables, package_step_bounds

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


@dataclass(frozen=True)
class _Grid:
    """The ball sites along each side of the package, as the map counts them."""

    columns: cp_model.IntVar
    rows: cp_model.IntVar
    most_columns: int
    most_rows: int


def _count(
    model: cp_model.CpModel,
    size_um: Expr,
    most: int,
    req: BallRequirement,
    name: str,
    enforce: cp_model.IntVar,
) -> cp_model.IntVar:
    """Sites along one side of ``size_um``, exactly as the map counts them:
    ``pitch (n - 1) <= size - 2c - d < pitch n`` (two linear inequalities)."""
    p = req.pitch_um
    room = size_um - 2 * req.edge_clearance_um - req.diameter_um
    n = model.new_int_var(1, max(1, most), name)
    model.add(p * (n - 1) <= room).only_enforce_if(enforce)
    model.add(p * n >= room + 1).only_enforce_if(enforce)
    return n


def _grid(
    model: cp_model.CpModel,
    v: Variables,
    instance: Instance,
    req: BallRequirement,
    name: str,
    enforce: cp_model.IntVar,
) -> _Grid:
    step = instance.design.rules.package_grid_um
    _, w_hi, _, l_hi = package_step_bounds(instance)
    most_x = sites_along(w_hi * step, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    most_y = sites_along(l_hi * step, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    columns = _count(model, v.package.width_um, most_x, req, f"{name}.columns", enforce)
    rows = _count(model, v.package.length_um, most_y, req, f"{name}.rows", enforce)
    return _Grid(columns, rows, max(1, most_x), max(1, most_y))


def _fits(
    model: cp_model.CpModel,
    grid: _Grid,
    req: BallRequirement,
    count: int,
    name: str,
    enforce: cp_model.IntVar,
) -> None:
    """Exact and cheap: at least as many rows as ``count`` sites need beside the columns
    (a table over the few column counts, since sites grow with both)."""
    cap = grid.most_rows + 1
    needed = [cap] + [
        min(cap, _rows_needed(count, n, req.perimeter_rows))
        for n in range(1, grid.most_columns + 1)
    ]
    need = model.new_int_var(0, cap, f"{name}.rows_needed")
    model.add_element(grid.columns, needed, need)
    model.add(grid.rows >= need).only_enforce_if(enforce)


def _sites(model: cp_model.CpModel, grid: _Grid, perimeter_rows: int, name: str) -> cp_model.IntVar:
    most = grid.most_columns * grid.most_rows
    all_sites = model.new_int_var(0, most, f"{name}.grid_sites")
    model.add_multiplication_equality(all_sites, [grid.columns, grid.rows])
    if perimeter_rows <= 0:
        return all_sites
    inner_x = model.new_int_var(0, grid.most_columns, f"{name}.inner_columns")
    inner_y = model.new_int_var(0, grid.most_rows, f"{name}.inner_rows")
    model.add_max_equality(inner_x, [0, grid.columns - 2 * perimeter_rows])
    model.add_max_equality(inner_y, [0, grid.rows - 2 * perimeter_rows])
    inner = model.new_int_var(0, most, f"{name}.inner_sites")
    model.add_multiplication_equality(inner, [inner_x, inner_y])
    sites = model.new_int_var(0, most, f"{name}.sites")
    model.add(sites == all_sites - inner)
    return sites


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    design = instance.design
    requirements = ball_requirements(design)
    if not requirements:
        return
    enforce = v.groups[RuleGroup.BALL_MAP]
    bottom = [d for d in v.dies.values() if d.bottom is not None]
    for req in requirements:
        name = f"balls[{req.role.value}]"
        grid = _grid(model, v, instance, req, name, enforce)
        fixed = sum(lost_sites(k.width_um, k.length_um, req) for k in design.balls.keepouts)
        if req.role is BallRole.INTERFACE:
            _clear_of_mold(model, v, instance, req, grid, enforce)
            _fits(model, grid, req, req.count, name, enforce)
        elif not bottom:
            _fits(model, grid, req, req.count + fixed, name, enforce)
        else:
            # Bottom-side parts empty sites only when they are placed there: a product.
            lost = [
                lost_sites(d.die.width_um, d.die.length_um, req) * d.bottom
                for d in bottom
                if d.bottom is not None
            ]
            sites = _sites(model, grid, req.perimeter_rows, name)
            model.add(sites - sum(lost) - fixed >= req.count).only_enforce_if(enforce)


def _clear_of_mold(
    model: cp_model.CpModel,
    v: Variables,
    instance: Instance,
    req: BallRequirement,
    grid: _Grid,
    enforce: cp_model.IntVar,
) -> None:
    """The bottom mold (the flip-chip dies' box grown by the margin), grown by the ball's
    reach, lies inside the ring's inner rows of sites, on all four sides."""
    chips = [d for d in v.dies.values() if d.die.bond is BondType.FLIP_CHIP]
    if not chips:
        return
    m = instance.design.rules.pop_mold_margin_um
    reach2 = req.diameter_um + 2 * req.edge_clearance_um  # twice the ball's reach
    p, k = req.pitch_um, max(1, req.perimeter_rows)
    package = v.package.box
    counts = {Axis.X: (grid.columns, v.package.width_um), Axis.Y: (grid.rows, v.package.length_um)}
    ranges = {Axis.X: instance.x_range_um, Axis.Y: instance.y_range_um}
    for axis, (n, size) in counts.items():
        lo_um, hi_um = ranges[axis]
        first = model.new_int_var(lo_um, hi_um, f"ring_{axis.value}0_um")
        odd = model.new_bool_var(f"ring_{axis.value}0_half")
        # first = origin + floor((size - (n - 1) p) / 2), as layoutopt.ballmap centres it
        model.add(2 * first + odd == 2 * package.low(axis) + size - (n - 1) * p)
        lows = [d.box.low(axis) for d in chips]
        highs = [d.box.high(axis) for d in chips]
        mold_lo: Expr = lows[0]
        mold_hi: Expr = highs[0]
        if len(chips) > 1:
            low_var = model.new_int_var(lo_um, hi_um, f"mold_{axis.value}0_um")
            high_var = model.new_int_var(lo_um, hi_um, f"mold_{axis.value}1_um")
            model.add_min_equality(low_var, lows)
            model.add_max_equality(high_var, highs)
            mold_lo, mold_hi = low_var, high_var
        # inner rows k - 1 and n - k stay a reach away from the grown mold
        model.add(2 * (mold_lo - m) - reach2 >= 2 * (first + (k - 1) * p)).only_enforce_if(enforce)
        model.add(2 * (mold_hi + m) + reach2 <= 2 * (first + (n - k) * p)).only_enforce_if(enforce)
