"""The package rectangle: inside the envelope, clear of keep-outs, on the package grid;
dies and finger rings inside it with their edge keep-outs; height zones.

Rules: docs/rules.md ``package_grid``, ``outline``, ``keepout``, ``height_zone``,
``die_edge``, ``finger_ring`` (containment part). Envelope shapes reach the model as
conservative rectangle covers (:mod:`layoutopt.solver.geometry`).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.model import Edge, Rect
from layoutopt.solver.geometry import cover_rects, outline_obstacles
from layoutopt.solver.variables import ModelContext, Variables

__all__ = ["build", "package_step_bounds"]


def package_step_bounds(ctx: ModelContext) -> tuple[int, int, int, int]:
    """(min, max) package width and length in package-grid steps."""
    design = ctx.design
    step = design.rules.package_grid_um
    box, _ = outline_obstacles(design.envelope.outline)
    min_die = min((min(d.width_um, d.length_um) for d in design.dies), default=0)
    lo = max(1, -(-(min_die + 2 * design.rules.die_edge_keepout_um) // step))
    hi_w = max(box.width_um, ctx.slack_um) // step
    hi_l = max(box.length_um, ctx.slack_um) // step
    return lo, max(lo, hi_w), lo, max(lo, hi_l)


def _avoid(model: cp_model.CpModel, rect: tuple, obstacle: Rect, enforce: list) -> list:  # type: ignore[type-arg]
    """Add: ``rect`` (x0, y0, x1, y1 expressions) and ``obstacle`` do not overlap."""
    x0, y0, x1, y1 = rect
    sides = [model.NewBoolVar("") for _ in range(4)]
    model.Add(x1 <= obstacle.x_um).OnlyEnforceIf(sides[0])
    model.Add(x0 >= obstacle.x_max_um).OnlyEnforceIf(sides[1])
    model.Add(y1 <= obstacle.y_um).OnlyEnforceIf(sides[2])
    model.Add(y0 >= obstacle.y_max_um).OnlyEnforceIf(sides[3])
    model.AddBoolOr(sides).OnlyEnforceIf(enforce)
    return sides


def build(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    design = ctx.design
    rules, env = design.rules, design.envelope
    step = rules.package_grid_um
    box, outside = outline_obstacles(env.outline)
    w_lo, w_hi, l_lo, l_hi = package_step_bounds(ctx)
    v.pw_steps = model.NewIntVar(w_lo, w_hi, "package_width_steps")
    v.pl_steps = model.NewIntVar(l_lo, l_hi, "package_length_steps")
    v.pw, v.pl = step * v.pw_steps, step * v.pl_steps
    v.px = model.NewIntVar(box.x_um - ctx.slack_um, box.x_max_um, "package_x_um")
    v.py = model.NewIntVar(box.y_um - ctx.slack_um, box.y_max_um, "package_y_um")
    v.area_steps = model.NewIntVar(w_lo * l_lo, w_hi * l_hi, "package_area_steps")
    model.AddMultiplicationEquality(v.area_steps, [v.pw_steps, v.pl_steps])
    px1, py1 = v.px + v.pw, v.py + v.pl
    outline = v.group(model, "outline")
    model.Add(v.px >= box.x_um).OnlyEnforceIf(outline)
    model.Add(v.py >= box.y_um).OnlyEnforceIf(outline)
    model.Add(px1 <= box.x_max_um).OnlyEnforceIf(outline)
    model.Add(py1 <= box.y_max_um).OnlyEnforceIf(outline)
    package = (v.px, v.py, px1, py1)
    for obstacle in outside:
        _avoid(model, package, obstacle, [outline])
    if env.keepouts:
        keepout = v.group(model, "keepout")
        for polygon in env.keepouts:
            for obstacle in cover_rects(polygon):
                _avoid(model, package, obstacle, [keepout])
    if not outside and not env.keepouts and not env.height_zones:
        # A rectangular, unobstructed outline: every position of the package is as good as
        # any other, so put it in the lower-left corner (removes translation symmetry).
        model.Add(v.px == box.x_um).OnlyEnforceIf(outline)
        model.Add(v.py == box.y_um).OnlyEnforceIf(outline)
    _height_zones(model, v, ctx, package)
    _dies_inside(model, v, ctx, px1, py1)
    _area_bound(model, v, ctx)


def _height_zones(model: cp_model.CpModel, v: Variables, ctx: ModelContext, package: tuple) -> None:  # type: ignore[type-arg]
    zones = ctx.design.envelope.height_zones
    if not zones:
        return
    group = v.group(model, "height_zone")
    assert v.height is not None  # thickness is built first
    for zone in zones:
        low = model.NewBoolVar("")
        model.Add(v.height <= zone.max_thickness_um).OnlyEnforceIf(low)
        for piece in cover_rects(zone.region):
            # Either the package is at most the zone's height, or it keeps clear of the
            # zone: the avoidance is enforced only when the package is too tall for it.
            _avoid(model, package, piece, [group, low.Not()])


def _dies_inside(model: cp_model.CpModel, v: Variables, ctx: ModelContext, px1, py1) -> None:  # type: ignore[no-untyped-def]
    rules = ctx.design.rules
    dek, fek, ring = (
        rules.die_edge_keepout_um,
        rules.finger_edge_keepout_um,
        rules.bond_finger_ring_um,
    )
    edge = v.group(model, "edge_keepout")
    for i in range(ctx.n):
        model.Add(v.x[i] >= v.px + dek).OnlyEnforceIf(edge)
        model.Add(v.y[i] >= v.py + dek).OnlyEnforceIf(edge)
        model.Add(v.x[i] + v.w[i] <= px1 - dek).OnlyEnforceIf(edge)
        model.Add(v.y[i] + v.l[i] <= py1 - dek).OnlyEnforceIf(edge)
    for b in ctx.roots:
        present = [v.base[b], edge]
        if b in v.bottom:
            present.append(v.bottom[b].Not())
        model.Add(v.sx0[b] - ring >= v.px + fek).OnlyEnforceIf([*present, v.ring[b, Edge.WEST]])
        model.Add(v.sy0[b] - ring >= v.py + fek).OnlyEnforceIf([*present, v.ring[b, Edge.SOUTH]])
        model.Add(v.sx1[b] + ring <= px1 - fek).OnlyEnforceIf([*present, v.ring[b, Edge.EAST]])
        model.Add(v.sy1[b] + ring <= py1 - fek).OnlyEnforceIf([*present, v.ring[b, Edge.NORTH]])


def _area_bound(model: cp_model.CpModel, v: Variables, ctx: ModelContext) -> None:
    """Redundant: the top-face stacks, each padded by half the spacing, fit the package.

    The product ``width x length`` alone gives CP-SAT a weak bound on side-by-side layouts.
    Two stacks at least ``s`` apart keep their dies' rectangles grown by ``s/2`` disjoint,
    and those lie inside the package shrunk by ``edge - s/2``; so with ``c = 2 edge - s``::

        sum over roots of (w + s)(l + s)  <=  (W - c)(L - c)  =  W L - c (W + L) + c^2

    which is linear in the package's area, width and length (rotation does not change the
    left side). ``s`` is the least spacing any two kinds need, capped at ``2 edge``.
    """
    design = ctx.design
    rules = design.rules
    kinds = {d.kind for d in design.dies}
    least = min(rules.spacing_um(a, b) for a in kinds for b in kinds)
    pad = min(least, 2 * rules.die_edge_keepout_um)
    shrink = 2 * rules.die_edge_keepout_um - pad
    step = rules.package_grid_um
    terms = [
        (d.width_um + pad) * (d.length_um + pad) * v.base[b]
        for b, d in ((b, design.dies[b]) for b in ctx.roots)
        if b not in v.bottom
    ]
    if terms and v.area_steps is not None and v.pw_steps is not None and v.pl_steps is not None:
        model.Add(
            sum(terms)
            <= step * step * v.area_steps - shrink * step * (v.pw_steps + v.pl_steps) + shrink**2
        )
