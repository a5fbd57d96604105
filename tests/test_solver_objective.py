"""Objectives: the weighted sum is exact, and families are ranked by what was minimised."""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import pytest
from layout_builders import cmc_example
from shapely.geometry import box
from solver_fixtures import EPOP_RULES, wb_die

from layoutopt.library import load_library
from layoutopt.model import (
    Design,
    DieKind,
    Envelope,
    Layout,
    Objective,
    ObjectiveMode,
    Placement,
    Rect,
)
from layoutopt.pipeline import best_of
from layoutopt.solver import SolveOptions, SolveResult, SolveStatus, solve
from layoutopt.solver.objective import rank_key, weighted_scale
from layoutopt.stackup import package_thickness_um, stack_up
from layoutopt.validate import validate

GRID = 250


def test_the_scale_keeps_every_weight_exactly() -> None:
    # The old rounding: at a 50 um grid an area weight of 1 became 2 per cell instead of
    # 2.5 (x1000), at 10 um it became 0; thickness weights below 0.5 per mm became 0.
    for grid_um in (10, 50, 250):
        for w_area, w_thick, w_inter in ((1.0, 0.3, 1.0), (0.1, 0.01, 0.0), (2.5, 0.0, 7.0)):
            objective = Objective(ObjectiveMode.WEIGHTED, w_area, w_thick, w_inter)
            s = weighted_scale(objective, grid_um)
            exact = (
                Fraction(repr(w_area)) * Fraction(grid_um**2, 10**6),
                Fraction(repr(w_thick)) / 1000,
                Fraction(repr(w_inter)) / 2000,
            )
            coefficients = (s.area_per_step, s.thickness_per_um, s.interconnect_per_unit)
            assert tuple(c * s.per_unit for c in coefficients) == exact


# --- brute force on a small design ------------------------------------------------------
# Two square wire-bonded dies without pads on a 250 um grid: side by side (larger, thinner)
# or one on the other (smaller, thicker). Every layout on the grid is enumerated, judged by
# the validator, and its weighted value computed from the weights as written.

RULES = replace(
    EPOP_RULES,
    package_grid_um=GRID,
    die_edge_keepout_um=250,
    finger_edge_keepout_um=0,
    bond_finger_ring_um=0,
    die_spacing_um=250,
    staircase_offset_um=0,
    max_overhang_um=0,
    max_dies_per_stack=2,
    stack_pairs=((DieKind.NAND, DieKind.NAND),),
)
DIES = (
    wb_die("A", DieKind.NAND, 1000, 1000, t=100, pads=()),
    wb_die("B", DieKind.NAND, 750, 750, t=50, pads=()),
)
OUTLINE_UM = (3000, 2000)


def _design(w_area: float, w_thick: float) -> Design:
    return Design(
        "brute",
        DIES,
        RULES,
        Envelope(box(0, 0, *OUTLINE_UM), max_thickness_um=2000),
        objective=Objective(ObjectiveMode.WEIGHTED, w_area, w_thick, 0.0),
        materials=load_library().materials,  # the warpage check in the loop reads them
    )


def _layout(design: Design, corners: dict[str, tuple[int, int]], upper: str | None) -> Layout:
    """Both dies at ``corners``, ``upper`` (if any) on the other, in the least package."""
    rules = design.rules
    order = sorted(design.dies, key=lambda d: d.id == upper)  # the lower die first
    z: dict[str, int] = {}
    placed = []
    for die in order:
        on = None if die.id != upper else order[0].id
        if on is None:
            z[die.id] = rules.base_thickness_um + rules.joint_um(die, None)
        else:
            lower = design.die(on)
            z[die.id] = z[on] + lower.thickness_um + rules.joint_um(die, lower)
        x, y = corners[die.id]
        stack = 0 if upper is not None or die.id == "A" else 1
        tier = 0 if on is None else 1
        size = (die.width_um, die.length_um)
        placed.append(
            Placement(die.id, x, y, *size, 0, z[die.id], die.thickness_um, stack, tier, on)
        )
    edge = rules.die_edge_keepout_um
    width = -(-(max(p.x_um + p.width_um for p in placed) + edge) // GRID) * GRID
    length = -(-(max(p.y_um + p.length_um for p in placed) + edge) // GRID) * GRID
    ordered = tuple(sorted(placed, key=lambda p: p.die_id))
    thickness = package_thickness_um(design, ordered)
    package = Rect(0, 0, width, length)
    return Layout(
        design.name, design.family, package, thickness, ordered, stack_up(design, ordered)
    )


def _candidates(design: Design) -> list[Layout]:
    """Every layout with both dies on the grid, in each structure, in the least package
    (a larger one only costs more: the objective grows with the area)."""
    spots = {
        d.id: list(
            itertools.product(
                range(0, OUTLINE_UM[0] - d.width_um + 1, GRID),
                range(0, OUTLINE_UM[1] - d.length_um + 1, GRID),
            )
        )
        for d in design.dies
    }
    return [
        _layout(design, {"A": a, "B": b}, upper)
        for a, b in itertools.product(spots["A"], spots["B"])
        for upper in (None, "A", "B")
    ]


def _value(design: Design, layout: Layout) -> Fraction:
    o = design.objective
    return Fraction(repr(o.weight_area_per_mm2)) * Fraction(layout.footprint_um2, 10**6) + Fraction(
        repr(o.weight_thickness_per_mm)
    ) * Fraction(layout.thickness_um, 1000)


@pytest.fixture(scope="module")
def legal() -> list[Layout]:
    design = _design(1.0, 0.0)
    layouts = [lay for lay in _candidates(design) if validate(design, lay) == ()]
    assert {len(lay.stacks()) for lay in layouts} == {1, 2}  # both structures occur
    return layouts


# Stacking saves 1.5 mm² and costs 60 um: it wins below 25 per mm of thickness per unit
# area weight. 24.9 is the case the old rounding got wrong (it chose side by side).
@pytest.mark.parametrize(
    ("w_area", "w_thick", "stacks"),
    [(1.0, 0.0, 1), (1.0, 24.9, 1), (1.0, 25.1, 2), (0.3, 30.0, 2), (0.01, 0.1, 1)],
)
def test_the_weighted_optimum_is_the_brute_force_optimum(
    legal: list[Layout], w_area: float, w_thick: float, stacks: int
) -> None:
    design = _design(w_area, w_thick)
    best = min(_value(design, lay) for lay in legal)
    result = solve(design, SolveOptions(time_limit_s=20, workers=1, grid_um=GRID, thermal=False))
    assert result.status is SolveStatus.OPTIMAL and result.layout is not None
    assert rank_key(design, result.layout) == (best,)
    assert _value(design, result.layout) == best
    assert result.objective == pytest.approx(float(best), rel=1e-12)
    assert len(result.layout.stacks()) == stacks


def test_the_interconnect_term_is_read_off_the_layout_as_the_model_counts_it() -> None:
    design, layout = cmc_example()
    # HBM0: gap 150, centres level: 2 x 150; HBM1: gap 150, centres 1 um apart: 300 + 2.
    assert rank_key(design, layout) == (layout.footprint_um2, layout.thickness_um, 602)


def test_families_are_ranked_by_the_objective_the_solver_minimised() -> None:
    # Same footprint and thickness; the interconnect decides (it was ignored before).
    design, layout = cmc_example()
    far = replace(
        layout,
        placements=tuple(
            replace(p, y_um=p.y_um + 10) if p.die_id == "HBM1" else p for p in layout.placements
        ),
    )
    results = tuple(SolveResult(SolveStatus.OPTIMAL, layout=lay) for lay in (far, layout))
    assert best_of((design, design), results) == 1
    weighted = replace(design, objective=Objective(ObjectiveMode.WEIGHTED, 1.0, 0.0, 1.0))
    assert best_of((weighted, weighted), results) == 1
