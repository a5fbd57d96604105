"""Objectives: lexicographic stages (footprint, then thickness, then interconnect), one
weighted sum, or the cost per good package (the lexicographic stages, families ranked by
cost), each an integer expression to minimise; and the same values read off a layout, so
families are ranked by exactly what the solver minimised.

The weighted sum is exact. Its terms are counted in model units: package area in
package-grid cells (``package_grid_um²``), thickness in µm, interconnect in half µm times
each link's bandwidth weight. The weights are per mm², per mm and per mm, as written in
the design (decimals, read as exact fractions), so each term's coefficient is a rational
number; one integer scale (the least common multiple of their denominators, divided by the
greatest common divisor of the results) makes every coefficient an integer without
rounding. At a 50 µm grid an area weight of 1 is 1/400 per cell and a thickness weight of
0.3 is 3/10000 per µm: coefficients 25 and 3 at scale 10000.

>>> from layoutopt.model import Objective, ObjectiveMode
>>> s = weighted_scale(Objective(ObjectiveMode.WEIGHTED, 1.0, 0.3, 0.0), package_grid_um=50)
>>> s.area_per_step, s.thickness_per_um, s.interconnect_per_unit, s.per_unit
(25, 3, 0, Fraction(1, 10000))
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import gcd, lcm

from layoutopt.errors import DesignError
from layoutopt.model import (
    EDGE_GEOMETRY,
    Design,
    Layout,
    Objective,
    ObjectiveMode,
    in_compass_order,
)
from layoutopt.solver.boxes import Expr
from layoutopt.solver.instance import compute_die_id, link_weight
from layoutopt.solver.variables import Variables

__all__ = [
    "ObjectiveTerms",
    "Stage",
    "StageName",
    "WeightedScale",
    "first_stage_unit",
    "first_stage_value",
    "layout_terms",
    "rank_key",
    "stages",
    "weighted_scale",
]

# CP-SAT objectives are 64-bit integers; keep every bound well inside.
_MAX_OBJECTIVE = 2**62


class StageName(StrEnum):
    FOOTPRINT = "footprint"
    THICKNESS = "thickness"
    INTERCONNECT = "interconnect"
    WEIGHTED = "weighted"


@dataclass(frozen=True)
class Stage:
    """One objective to minimise; ``per_unit`` converts its model value to the reported
    one (µm² for footprint, µm for thickness, the weights' units for weighted)."""

    name: StageName
    expr: Expr
    per_unit: Fraction


@dataclass(frozen=True)
class WeightedScale:
    """Integer coefficients of the weighted sum per model unit; ``per_unit`` is the
    value of one unit of the integer sum in the weights' units (exact)."""

    area_per_step: int
    thickness_per_um: int
    interconnect_per_unit: int  # per half µm times bandwidth weight
    per_unit: Fraction


def _exact(weight: float) -> Fraction:
    # The shortest decimal that reads back as this float: the number the user wrote.
    return Fraction(repr(float(weight)))


def weighted_scale(objective: Objective, package_grid_um: int) -> WeightedScale:
    """The exact integer form of the weighted objective at this package grid."""
    per_model_unit = (
        _exact(objective.weight_area_per_mm2) * Fraction(package_grid_um**2, 10**6),
        _exact(objective.weight_thickness_per_mm) * Fraction(1, 1000),
        _exact(objective.weight_interconnect_per_mm) * Fraction(1, 2000),
    )
    scale = Fraction(lcm(*(c.denominator for c in per_model_unit)))
    numerators = [int(c * scale) for c in per_model_unit]
    common = gcd(*numerators)
    if common > 1:
        scale /= common
    area, thickness, interconnect = (int(c * scale) for c in per_model_unit)
    return WeightedScale(area, thickness, interconnect, 1 / scale)


@dataclass(frozen=True)
class ObjectiveTerms:
    """The objective's terms in model units, read off a layout."""

    area_steps: int
    thickness_um: int
    interconnect: int  # half µm times bandwidth weight, summed over the CMC links


def _interconnect(design: Design, layout: Layout) -> int:
    """The model's interconnect term of ``layout``: for each memory die with PHY edges,
    its weight times (twice the gap to the compute die plus twice the largest centre
    offset along a PHY edge), as :mod:`layoutopt.solver.rules.cmc` defines it."""
    compute_id = compute_die_id(design)
    if compute_id is None:
        return 0
    placed = {p.die_id: p for p in layout.placements}
    c = placed[compute_id].rect
    total = 0
    for die in design.dies:
        if die.id == compute_id or not die.phy_edges:
            continue
        m = placed[die.id].rect
        gap = offset2 = 0
        for edge in in_compass_order(die.phy_edges_at(placed[die.id].rotation_deg)):
            geometry = EDGE_GEOMETRY[edge]
            (m0, m1), (c0, c1) = m.span_um(geometry.normal), c.span_um(geometry.normal)
            gap = max(gap, c0 - m1 if geometry.outward > 0 else m0 - c1)
            (m0, m1), (c0, c1) = m.span_um(geometry.along), c.span_um(geometry.along)
            offset2 = max(offset2, abs((m0 + m1) - (c0 + c1)))
        total += link_weight(die) * (2 * gap + offset2)
    return total


def layout_terms(design: Design, layout: Layout) -> ObjectiveTerms:
    step = design.rules.package_grid_um
    return ObjectiveTerms(
        area_steps=(layout.package.width_um // step) * (layout.package.length_um // step),
        thickness_um=layout.thickness_um,
        interconnect=_interconnect(design, layout),
    )


def rank_key(design: Design, layout: Layout) -> tuple[Fraction, ...]:
    """The objective of ``layout`` as the solver minimised it, comparable across
    families: the weighted sum in the weights' units, or the lexicographic stages in µm²,
    µm and weighted half µm; for ``cost``, the cost per good package in USD first (the
    float's exact value), then the stages."""
    terms = layout_terms(design, layout)
    if design.objective.mode is ObjectiveMode.WEIGHTED:
        s = weighted_scale(design.objective, design.rules.package_grid_um)
        return (first_stage_value(design, layout) * s.per_unit,)
    lexicographic = (
        Fraction(layout.footprint_um2),
        Fraction(terms.thickness_um),
        Fraction(terms.interconnect),
    )
    if design.objective.mode is ObjectiveMode.COST:
        from layoutopt.economics import cost_report

        return (Fraction(cost_report(design, layout).cost_per_good_usd), *lexicographic)
    return lexicographic


def first_stage_value(design: Design, layout: Layout) -> int:
    """The first stage's objective of ``layout`` in model units (footprint: package-grid
    cells; weighted: the integer sum), as CP-SAT would report it for this layout."""
    terms = layout_terms(design, layout)
    if design.objective.mode is not ObjectiveMode.WEIGHTED:
        return terms.area_steps
    s = weighted_scale(design.objective, design.rules.package_grid_um)
    return (
        s.area_per_step * terms.area_steps
        + s.thickness_per_um * terms.thickness_um
        + s.interconnect_per_unit * terms.interconnect
    )


def _interconnect_expr(v: Variables) -> Expr:
    return sum(link.weight * (2 * link.gap_um + link.offset2_um) for link in v.links.values())


def _check_range(design: Design, s: WeightedScale, v: Variables) -> None:
    bound = (
        s.area_per_step * v.package.area_steps.proto.domain[-1]
        + s.thickness_per_um * v.package.thickness_um.proto.domain[-1]
        + s.interconnect_per_unit
        * sum(
            link.weight * (2 * link.gap_um.proto.domain[-1] + link.offset2_um.proto.domain[-1])
            for link in v.links.values()
        )
    )
    if bound >= _MAX_OBJECTIVE:
        raise DesignError(
            f"the weighted objective needs integer coefficients {s.area_per_step}, "
            f"{s.thickness_per_um}, {s.interconnect_per_unit} to be exact, which overflow "
            "CP-SAT's 64-bit objective",
            field="objective",
            value=design.objective,
            fix="write the weights with fewer significant digits",
        )


def first_stage_unit(design: Design) -> Fraction:
    """What one unit of :func:`first_stage_value` is worth: µm² per package-grid cell, or
    the weighted sum's value in the weights' units (the first stage's ``per_unit``)."""
    if design.objective.mode is ObjectiveMode.WEIGHTED:
        return weighted_scale(design.objective, design.rules.package_grid_um).per_unit
    return Fraction(design.rules.package_grid_um**2)


def stages(design: Design, v: Variables) -> tuple[Stage, ...]:
    """The objectives to minimise, in order.

    ``cost`` has the lexicographic stages: for given dies and processes, every term of the
    cost per good package that a placement can change (substrate, RDL and mold by area,
    balls by the array the outline holds) grows with the package, and die, bond and test
    costs and every yield do not depend on where the dies go; so the least footprint is
    the least cost up to the ball count's rounding to the pitch, and the families are then
    ranked by the cost itself (:func:`rank_key`).
    """
    if design.objective.mode is ObjectiveMode.WEIGHTED:
        s = weighted_scale(design.objective, design.rules.package_grid_um)
        _check_range(design, s, v)
        expr = s.area_per_step * v.package.area_steps + s.thickness_per_um * v.package.thickness_um
        if v.links and s.interconnect_per_unit:
            expr += s.interconnect_per_unit * _interconnect_expr(v)
        return (Stage(StageName.WEIGHTED, expr, s.per_unit),)
    result = [
        Stage(StageName.FOOTPRINT, v.package.area_steps, first_stage_unit(design)),
        Stage(StageName.THICKNESS, v.package.thickness_um, Fraction(1)),
    ]
    if v.links:
        result.append(Stage(StageName.INTERCONNECT, _interconnect_expr(v), Fraction(1)))
    return tuple(result)
