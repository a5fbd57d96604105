"""Thermal limits are constraints: the optimiser trades footprint for temperature."""

from __future__ import annotations

from dataclasses import replace

from solver_fixtures import epop_design

from layoutopt.model import ThermalSpec
from layoutopt.solver import SolveOptions, SolveStatus, solve

# The loop's mechanics on the compact model (fast, and its numbers are easy to reason about).
OPTIONS = SolveOptions(time_limit_s=20, workers=1, seed=0, thermal_model="compact")


def design_with_top_limit(limit_c: float | None):  # type: ignore[no-untyped-def]
    design = epop_design(n_nand=2, outline_um=(12000, 14000))
    spec = ThermalSpec(
        ambient_c=25,
        h_top_w_per_m2_k=12,
        h_bottom_w_per_m2_k=12,
        board_margin_um=10000,
        max_top_c=limit_c,
    )
    return replace(design, thermal=spec)


def test_a_binding_limit_spreads_the_dies_and_holds() -> None:
    free = solve(design_with_top_limit(None), OPTIONS)
    limited = solve(design_with_top_limit(55.0), OPTIONS)
    assert free.status is SolveStatus.OPTIMAL
    assert free.layout and limited.layout and free.thermal and limited.thermal
    assert free.thermal.top_surface_c > 55.0  # the limit binds
    assert limited.thermal.top_surface_c <= 55.0  # and holds on the model
    assert limited.layout.footprint_um2 > free.layout.footprint_um2
    assert len(limited.layout.stacks()) > len(free.layout.stacks())
    assert limited.stats["thermal_rounds"] >= 1
    # A cut structure may have a cooler variant: the answer is not proven optimal, its
    # bound is the optimum without the limit, and the result says why.
    assert limited.status is SolveStatus.FEASIBLE
    assert limited.best_bound == free.objective
    assert limited.gap is not None and limited.gap > 0
    assert "not cut" in limited.explanation[0] and "cooler variant" in limited.explanation[0]


def test_an_impossible_limit_is_no_solution_with_numbers() -> None:
    # Every structure was cut, but a cut is no proof: no_solution, not infeasible.
    result = solve(design_with_top_limit(45.0), OPTIONS)
    assert result.status is SolveStatus.NO_SOLUTION and result.layout is None
    assert "was cut after one of its layouts broke a thermal limit" in result.explanation[0]
    assert "> limit 45.0 °C" in result.explanation[0]
    assert "not proof" in result.explanation[0]


def test_a_thermal_no_solution_out_of_time_says_why() -> None:
    result = solve(design_with_top_limit(45.0), replace(OPTIONS, time_limit_s=0.3))
    assert result.status is SolveStatus.NO_SOLUTION
    assert result.explanation, "a no_solution must say why"
    assert "(0.3 s" in result.explanation[0]  # the limit, as a time or a work budget


def test_by_default_the_limits_hold_on_the_3d_model() -> None:
    result = solve(design_with_top_limit(70.0), SolveOptions(time_limit_s=20, workers=1, seed=0))
    assert result.status is SolveStatus.OPTIMAL and result.thermal is not None
    assert result.thermal.model == "fv3d"
    assert result.thermal.top_surface_c <= 70.0 and result.thermal.ok
