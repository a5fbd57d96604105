"""The ball-map rule module (layoutopt.solver.rules.balls): with the package size fixed,
the model is feasible exactly when the map the validator checks holds the balls."""

from __future__ import annotations

from dataclasses import replace

import pytest
from layout_builders import ballout_example, make_design, make_die, make_rules
from ortools.sat.python import cp_model

from layoutopt.ballmap import place_balls
from layoutopt.model import BallSpec, Design, Placement, Rect
from layoutopt.solver.build import build_model
from layoutopt.solver.rules.balls import lost_sites
from layoutopt.validate import validate

FEASIBLE = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _status(design: Design, width_um: int, length_um: int) -> int:
    built = build_model(design, 50)
    step = design.rules.package_grid_um
    built.model.add(built.v.package.width_steps == width_um // step)
    built.model.add(built.v.package.length_steps == length_um // step)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver.solve(built.model)


def _one_chip(count: int, rows: int) -> Design:
    rules = make_rules(
        "sip",
        max_dies_per_stack=1,
        ball_pitch_um=350,
        ball_diameter_um=200,
        ball_edge_clearance_um=250,
        ball_rows=rows,
        package_grid_um=50,
    )
    chip = make_die("C", "controller", 1000, 1000, 100, "flip_chip")
    return replace(make_design("balls", (chip,), rules), balls=BallSpec(count=count))


@pytest.mark.parametrize("rows", [0, 2])
def test_fixed_outline_is_feasible_exactly_when_the_map_holds_the_balls(rows: int) -> None:
    count = 144
    for width in range(3000, 7001, 350):
        for length in (3500, 5000, 7050):
            design = _one_chip(count, rows)
            ball_map = place_balls(design, Rect(0, 0, width, length), ())
            assert ball_map is not None
            holds = ball_map.arrays[0].ball_count >= count
            status = _status(design, width, length)
            assert (status in FEASIBLE) == holds, (width, length, ball_map.arrays[0])


def test_a_bottom_side_part_costs_at_most_its_bound() -> None:
    # ballout_example: 121 sites, the 01005 under it empties 7 (bound 9). 114 balls fit,
    # the bound keeps the solver to 112 when the part is on the bottom.
    design, layout = ballout_example()
    assert lost_sites(400, 200, _req(design)) == 9
    for count, ok in ((112, True), (113, False)):
        d = replace(design, balls=BallSpec(count=count))

        built = build_model(d, 50)
        built.model.add(built.v.package.width_steps == 100)
        built.model.add(built.v.package.length_steps == 100)
        for die in built.v.dies.values():
            if die.bottom is not None:
                built.model.add(die.bottom == 1)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert (solver.solve(built.model) in FEASIBLE) == ok, count
    # and the exact map of the example holds 114: the bound is conservative, never short
    assert validate(design, layout) == ()


def _req(design: Design):  # type: ignore[no-untyped-def]
    from layoutopt.ballmap import ball_requirements

    return ball_requirements(design)[0]


def test_interface_ring_must_clear_the_bottom_mold() -> None:
    rules = make_rules(
        "pop",
        ball_pitch_um=400,
        ball_diameter_um=250,
        ball_edge_clearance_um=250,
        pop_ball_pitch_um=400,
        pop_ball_diameter_um=250,
        pop_ball_rows=2,
        pop_mold_margin_um=300,
        max_dies_per_stack=1,
    )
    soc = make_die("SOC", "logic", 6000, 6000, 100, "flip_chip")
    design = replace(
        make_design("pop", (soc,), rules), balls=BallSpec(count=10, interface_count=100)
    )
    # The mold is 6.6 mm; the ring's inner rows must stand 375 um (reach) beyond it:
    # the hole between rows 1 and n - 2 spans (n - 3) x 400 >= 6600 + 750 -> n >= 22,
    # so the package is at least 21 x 400 + 750 = 9150 um (9.15 mm on the 50 um grid).
    assert _status(design, 9150, 9150) in FEASIBLE
    assert _status(design, 9100, 9150) == cp_model.INFEASIBLE
    ball_map = place_balls(
        design,
        Rect(0, 0, 9150, 9150),
        (Placement("SOC", 1575, 1575, 6000, 6000, 0, 0, 100, stack=0, tier=0),),
    )
    assert ball_map is not None and ball_map.arrays[1].depopulated == ()
