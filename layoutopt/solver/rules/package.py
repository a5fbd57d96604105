"""The package rectangle: inside the envelope, clear of keep-outs, on the package grid;
dies and finger rings inside it with their edge keep-outs; height zones.

Rules: docs/rules.md ``package_grid`` (the package's sizes are grid steps by
construction), ``outline``, ``keepout``, ``height_zone``, ``die_edge``, ``finger_ring``
(containment part); plus a redundant area bound. Envelope shapes reach the model as
conservative rectangle covers (:mod:`layoutopt.solver.geometry`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from layoutopt.model import Edge, Rect
from layoutopt.solver.boxes import Box
from layoutopt.solver.geometry import cover_rects, outline_obstacles
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance
from layoutopt.solver.variables import Variables

__all__ = ["build"]


def _avoid(
    model: cp_model.CpModel,
    box: Box,
    obstacle: Rect,
    enforce: Sequence[cp_model.BoolVarT],
    name: str,
) -> None:
    """Add: ``box`` and ``obstacle`` do not overlap (when every ``enforce`` literal holds)."""
    sides = []
    for edge in Edge:
        side = model.new_bool_var(f"{name}.clear[{edge.value}]")
        # Clear on side ``edge`` of the obstacle: the box's opposite side is beyond it.
        obstacle_box = Box(obstacle.x_um, obstacle.y_um, obstacle.x_max_um, obstacle.y_max_um)
        model.add(obstacle_box.gap_beyond(box, edge) >= 0).only_enforce_if(side)
        sides.append(side)
    model.add_bool_or(sides).only_enforce_if(list(enforce))


def build(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    env = instance.design.envelope
    box, outside = outline_obstacles(env.outline)
    package = v.package.box
    outline = v.groups[RuleGroup.OUTLINE]
    model.add(package.x0 >= box.x_um).only_enforce_if(outline)
    model.add(package.y0 >= box.y_um).only_enforce_if(outline)
    model.add(package.x1 <= box.x_max_um).only_enforce_if(outline)
    model.add(package.y1 <= box.y_max_um).only_enforce_if(outline)
    for k, obstacle in enumerate(outside):
        _avoid(model, package, obstacle, [outline], f"package.outside[{k}]")
    keepout = v.groups[RuleGroup.KEEPOUT]
    for k, polygon in enumerate(env.keepouts):
        for m, obstacle in enumerate(cover_rects(polygon)):
            _avoid(model, package, obstacle, [keepout], f"package.keepout[{k}.{m}]")
    if not outside and not env.keepouts and not env.height_zones:
        # A rectangular, unobstructed outline: every position of the package is as good as
        # any other, so put it in the lower-left corner (removes translation symmetry).
        model.add(package.x0 == box.x_um).only_enforce_if(outline)
        model.add(package.y0 == box.y_um).only_enforce_if(outline)
    _height_zones(model, v, instance)
    _dies_inside(model, v, instance)
    _area_bound(model, v, instance)


def _height_zones(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rule ``height_zone``: over a zone the package is at most the zone's height; a
    package taller than the zone keeps clear of it (the avoidance is enforced only then)."""
    group = v.groups[RuleGroup.HEIGHT_ZONE]
    for k, zone in enumerate(instance.design.envelope.height_zones):
        low = model.new_bool_var(f"package.below_zone[{k}]")
        model.add(v.package.thickness_um <= zone.max_thickness_um).only_enforce_if(low)
        model.add(v.package.thickness_um > zone.max_thickness_um).only_enforce_if(low.negated())
        for m, piece in enumerate(cover_rects(zone.region)):
            _avoid(model, v.package.box, piece, [group, low.negated()], f"package.zone[{k}.{m}]")


def _dies_inside(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Rules ``die_edge`` and ``finger_ring`` (containment): dies and top-face rings stand
    inside the package by their keep-outs (with the keep-outs relaxed, still inside)."""
    rules = instance.design.rules
    die_edge, finger_edge = rules.die_edge_keepout_um, rules.finger_edge_keepout_um
    package = v.package.box
    edge_group = v.groups[RuleGroup.EDGE_KEEPOUT]
    for d in v.dies.values():
        for edge in Edge:
            model.add(package.inset(d.box, edge) >= die_edge * edge_group)
    for root in instance.roots:
        base = v.dies[root]
        present: list[cp_model.BoolVarT] = [base.base]
        if base.bottom is not None:
            present.append(base.bottom.negated())
        stack = v.stacks[root]
        for edge in stack.ring:  # the sides that may hold a ring (none: no wire bonds)
            inset = package.inset(stack.box, edge) - stack.ring_um[edge]
            model.add(inset >= finger_edge * edge_group).only_enforce_if(
                [*present, stack.ring[edge]]
            )


def _area_bound(model: cp_model.CpModel, v: Variables, instance: Instance) -> None:
    """Redundant: the top-face stacks, each padded by half the spacing, fit the package.

    The product ``width x length`` alone gives CP-SAT a weak bound on side-by-side layouts.
    Two stacks at least ``s`` apart keep their dies' rectangles grown by ``s/2`` disjoint,
    and those lie inside the package shrunk by ``edge - s/2``; so with ``c = 2 edge - s``::

        sum over roots of (w + s)(l + s)  <=  (W - c)(L - c)  =  W L - c (W + L) + c^2

    which is linear in the package's area, width and length (rotation does not change the
    left side). ``s`` is the least spacing any two kinds need, capped at ``2 edge``. It
    holds only while the spacing and the edge keep-outs do, so it is enforced by both.
    """
    design = instance.design
    rules = design.rules
    kinds = sorted({d.kind for d in design.dies}, key=lambda k: k.value)
    least = min(rules.spacing_um(a, b) for a in kinds for b in kinds)
    pad = min(least, 2 * rules.die_edge_keepout_um)
    shrink = 2 * rules.die_edge_keepout_um - pad
    step = rules.package_grid_um
    p = v.package
    terms = [
        (v.dies[root].die.width_um + pad) * (v.dies[root].die.length_um + pad) * v.dies[root].base
        for root in instance.roots
        if v.dies[root].bottom is None
    ]
    if not terms:
        return
    room = step * step * p.area_steps - shrink * step * (p.width_steps + p.length_steps)
    model.add(sum(terms) <= room + shrink**2).only_enforce_if(
        [v.groups[RuleGroup.SPACING], v.groups[RuleGroup.EDGE_KEEPOUT]]
    )
