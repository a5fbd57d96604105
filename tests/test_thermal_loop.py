"""The solver loop's thermal check: die-edge grid lines, refining near a limit, graded time
steps, and time-based skin limits held by the solver (layoutopt.thermal.loop)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from solver_fixtures import epop_design

from layoutopt.model import ThermalSpec
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.thermal.assemble import capacities_j_per_k
from layoutopt.thermal.fv3d import GridOptions, build_model, fv3d_report
from layoutopt.thermal.loop import (
    COARSE_RISE_ERROR,
    FACE_CELL_UM,
    REFINED_RISE_ERROR,
    TOP_LINES_UM,
    LoopGrid,
    _check,
    _outside_below,
    _refine,
    _refined_grid,
    loop_report,
    refine_cost,
    steady_cost,
)
from layoutopt.thermal.samples import epop_sample, single_die_sample
from layoutopt.thermal.transient import simulate
from layoutopt.thermal_spec import InitialState, Phase, TimeLimit, Workload


def test_edge_lines_are_grid_lines_on_both_sides_of_every_die_edge() -> None:
    design, layout = epop_sample()
    plain = build_model(design, layout, GridOptions(400.0)).grid
    lined = build_model(design, layout, GridOptions(400.0, edge_lines_um=(10.0, 40.0))).grid
    for p in layout.placements:
        for edge in (p.x_um, p.x_um + p.width_um):
            for d in (-40.0, -10.0, 10.0, 40.0):
                assert np.isclose(lined.x_edges_um, edge + d).any(), (p.die_id, edge + d)
    assert len(lined.x_edges_um) > len(plain.x_edges_um)
    only = GridOptions(400.0, edge_lines_um=(10.0,), edge_dies=("C0",))
    c0 = layout.placement("C0")
    grid = build_model(design, layout, only).grid
    assert np.isclose(grid.x_edges_um, c0.x_um - 10.0).any()
    with pytest.raises(ValueError, match="edge_lines_um"):
        GridOptions(edge_lines_um=(-1.0,))


def test_graded_steps_follow_the_lumped_rc_closed_form() -> None:
    """Steps from tau/1000 growing by 1.5 to tau/10: T - T_amb = P/(hA) (1 - exp(-t/tau))
    still within 1 % (the same lumped body as test_thermal_transient)."""
    h, power = 20.0, 0.5
    spec = ThermalSpec(board_margin_um=0, h_top_w_per_m2_k=h, h_bottom_w_per_m2_k=0.0)
    design, layout = single_die_sample(power_w=power, thermal=spec)
    design = replace(
        design,
        materials=tuple(
            replace(m, k_xy_w_per_m_k=1e4, k_z_w_per_m_k=1e4) for m in design.materials
        ),
    )
    grid = GridOptions(lateral_step_um=1000.0, vertical_step_um=200.0, board_step_um=2000.0)
    model = build_model(design, layout, grid)
    tau = float(capacities_j_per_k(model.system0).sum()) / (h * layout.package.area_um2 * 1e-12)
    workload = Workload("step", (Phase("on", 3 * tau),), InitialState.AMBIENT)
    design = replace(design, thermal=replace(spec, workloads=(workload,)))
    report = simulate(design, layout, "step", step_s=tau / 10, first_step_s=tau / 1000, model=model)
    assert report.steps < 50  # against 300 equal steps of tau / 100
    t = np.array(report.times_s)
    rise = np.array(report.get("D0").values_c) - spec.ambient_c
    expected = power / (h * layout.package.area_um2 * 1e-12) * (1 - np.exp(-t / tau))
    # The first step of each phase is backward Euler (first order): 1 % off at t = tau/1000
    # on its own; from a tenth of tau on, every step is within 1 %.
    late = t >= 0.1 * tau
    assert late.sum() > 20
    assert np.allclose(rise[late], expected[late], rtol=0.01)


def _with_junction_limit(design, die_id: str, limit_c: float):  # type: ignore[no-untyped-def]
    dies = tuple(replace(d, max_junction_c=limit_c) if d.id == die_id else d for d in design.dies)
    return replace(design, dies=dies)


def test_the_loop_refines_the_grid_only_near_a_limit() -> None:
    design, layout = epop_sample()
    far = loop_report(design, layout)
    assert far.rise_error == COARSE_RISE_ERROR  # every limit far: the coarse grid decides
    hot = far.die("C0")
    rise = hot.max_c - far.ambient_c
    # A limit 5 % of the rise above the coarse answer: the coarse grid cannot decide it.
    near = loop_report(_with_junction_limit(design, "C0", hot.max_c + 0.05 * rise), layout)
    assert near.rise_error == REFINED_RISE_ERROR
    assert near.cells > far.cells
    assert near.die("C0").max_c == pytest.approx(hot.max_c, rel=0.01)


IDLE = (("CTRL0", 0.01), ("DRAM0", 0.01), ("NAND0", 0.01))


def _glasses_like(checked: bool):  # type: ignore[no-untyped-def]
    """A small ePOP under a housing whose burst holds the skin above 30 °C for about two
    minutes whatever the layout (idle skin 26.5 °C, burst peak 50 °C; junctions stay
    below 76 °C, far from their 85 °C, so the loop's coarse grid decides)."""
    design = epop_design(n_nand=1)
    burst = Workload(
        "burst",
        (Phase("idle", 30.0, IDLE), Phase("run", 120.0, (("CTRL0", 0.4),))),
        checked=checked,
    )
    spec = ThermalSpec(
        h_top_w_per_m2_k=30.0,
        h_bottom_w_per_m2_k=30.0,
        housing_thickness_um=800,
        housing_gap_um=500,
        board_margin_um=5000,
        skin_limits=(TimeLimit(30.0, 10.0),),
        workloads=(burst,),
    )
    return replace(design, thermal=spec)


OPTIONS = SolveOptions(time_limit_s=10, workers=1, seed=0, warpage=False)


def test_a_layout_that_breaks_a_time_based_limit_is_cut() -> None:
    result = solve(_glasses_like(checked=True), OPTIONS)
    assert result.status is SolveStatus.NO_SOLUTION and result.layout is None
    assert "workload burst" in result.explanation[0]
    assert "30.0 °C for 10 s broken" in result.explanation[0]


def test_an_unchecked_workload_is_answered_not_held() -> None:
    result = solve(_glasses_like(checked=False), OPTIONS)
    assert result.status.has_layout and result.thermal is not None
    assert result.thermal.ok  # the burst breaks the limit, but it is not the layout's
    (burst,) = result.thermal.transients
    assert not burst.checked and not burst.limits[0].ok
    assert any("run can run" in line for line in burst.answers())


def test_the_sheet_draws_each_workload_over_time() -> None:
    from layoutopt.render.sheet import to_svg_sheet
    from layoutopt.thermal import fv3d_report

    spec = ThermalSpec(
        housing_thickness_um=800, board_margin_um=5000, skin_limits=(TimeLimit(30.0, 10.0),)
    )
    design, layout = epop_sample(thermal=spec)
    burst = Workload("burst", (Phase("idle", 30.0, (("C0", 0.01),)), Phase("run", 60.0)))
    design = replace(design, thermal=replace(spec, workloads=(burst,)))
    grid = GridOptions(lateral_step_um=1000.0, vertical_step_um=200.0, board_step_um=2000.0)
    run = simulate(design, layout, "burst", step_s=10.0, grid=grid)
    report = replace(fv3d_report(design, layout, lateral_step_um=1000.0), transients=(run,))
    svg = to_svg_sheet(design, layout, thermal=report)
    assert 'id="transient-burst"' in svg and "WORKLOAD BURST" in svg
    assert "30 °C" in svg  # the skin limit as a line
    assert 'id="transient-' not in to_svg_sheet(
        design, layout, thermal=replace(report, transients=())
    )


def test_outer_layers_graded_from_their_faces() -> None:
    design, layout = epop_sample()
    graded = build_model(design, layout, GridOptions(400.0, outer_face_cell_um=25.0)).grid
    z = graded.z_edges_um
    board = design.thermal.board_thickness_um
    for plane in (-board + 25.0, -board + 75.0, -75.0, -25.0):  # 25 um cells, then 50 um
        assert np.isclose(z, plane).any(), plane
    plain = build_model(design, layout, GridOptions(400.0)).grid
    assert not np.isclose(plain.z_edges_um, -25.0).any()
    assert np.array_equal(z[z >= 0], plain.z_edges_um[plain.z_edges_um >= 0])  # package alike
    with pytest.raises(ValueError, match="outer_face_cell_um"):
        GridOptions(outer_face_cell_um=0.0)


def _glasses():  # type: ignore[no-untyped-def]
    from layoutopt.layout_io import read_layout

    shipped = read_layout(Path(__file__).parent / "data/layouts/shipped/smart_glasses_epop.json")
    return shipped.design, shipped.layout


def test_a_near_skin_is_read_on_graded_layers_not_on_die_edge_lines() -> None:
    """The glasses' skin on three uniform cells per board layer is 0.6 % low (the unsafe
    side); the loop's refinement for a near skin grades the outer layers instead of adding
    die-edge lines, and reads it within 0.2 % of 6 um face cells and 25 um layers."""
    design, layout = _glasses()
    loop = LoopGrid()
    for face in ("skin", "top"):
        grid = _refined_grid(loop.refined, layout, (face,))
        assert grid.extra_x_um == grid.extra_y_um == () and grid.edge_dies == ()
        assert grid.outer_face_cell_um == FACE_CELL_UM
    assert _refined_grid(loop.refined, layout, ("CTRL0",)).outer_face_cell_um is None
    amb = design.thermal.ambient_c
    fine = GridOptions(400.0, vertical_step_um=25.0, outer_face_cell_um=6.0)
    reference = fv3d_report(design, layout, grid=fine).skin_c - amb
    coarse = loop_report(design, layout, workloads=False)
    assert coarse.skin_c - amb < (1 - 0.004) * reference  # what the refinement is for
    limit = coarse.skin_c + 0.005 * (coarse.skin_c - amb)
    spec = replace(design.thermal, max_skin_c=limit)
    near = loop_report(replace(design, thermal=spec), layout, workloads=False)
    assert near.rise_error == REFINED_RISE_ERROR
    assert near.skin_c - amb == pytest.approx(reference, rel=0.002)


def test_the_refinement_cost_is_the_window_where_a_window_is_read() -> None:
    """Near one die the deadline prices the window (its cells), not the whole refined
    model; near the skin of a design with a housing gap, the whole model."""
    design, layout = epop_sample()
    loop = LoopGrid()
    report, coarse = _check(design, layout, loop.coarse, loop.coarse_error)
    cost = refine_cost(design, layout, loop, ("C0",), coarse)
    whole = steady_cost(design, layout, _refined_grid(loop.refined, layout, ("C0",)))
    assert cost.seconds < 0.5 * whole.seconds
    t0 = time.perf_counter()
    refined = _refine(design, layout, loop, report, coarse, ("C0",))
    spent = time.perf_counter() - t0
    solved = refined.cells - report.cells  # the window's active cells
    assert solved <= cost.cells <= 1.5 * solved
    assert spent / 10 < cost.seconds < 10 * spent  # loose: the machine is shared
    g_design, g_layout = _glasses()
    _, g_coarse = _check(g_design, g_layout, loop.coarse, loop.coarse_error)
    skin = refine_cost(g_design, g_layout, loop, ("skin",), g_coarse)
    assert skin == steady_cost(g_design, g_layout, _refined_grid(loop.refined, g_layout, ("skin",)))


def test_a_near_top_is_read_in_the_window_of_the_die_under_its_hottest_point() -> None:
    """The CMC's top without a housing: the window around the compute die (lines at its
    edges, outer layers graded) reads what the whole model on the same grid reads, and
    below the coarse grid's over-read; the deadline is charged the window."""
    from layoutopt.layout_io import read_layout

    shipped = read_layout(Path(__file__).parent / "data/layouts/shipped/ai_pc_cmc.json")
    design, layout = shipped.design, shipped.layout
    loop = LoopGrid()
    amb = design.thermal.ambient_c
    report, coarse = _check(design, layout, loop.coarse, loop.coarse_error)
    rise = report.top_surface_c - amb
    spec = replace(design.thermal, max_top_c=report.top_surface_c + 0.005 * rise)
    near = loop_report(replace(design, thermal=spec), layout, workloads=False)
    assert near.rise_error == REFINED_RISE_ERROR
    lines = replace(loop.refined, edge_lines_um=TOP_LINES_UM)
    grid = _refined_grid(lines, layout, ("top", "XPU0"))
    whole = fv3d_report(design, layout, grid=grid, rtol=1e-4)
    assert near.top_surface_c - amb == pytest.approx(whole.top_surface_c - amb, rel=0.002)
    assert near.top_surface_c - amb < (1 - 0.005) * rise  # the coarse grid over-reads it
    cost = refine_cost(design, layout, loop, ("top",), coarse)
    assert cost.cells < 0.5 * whole.cells
    # Where the coarse top outside the window could be the maximum, the whole model.
    assert _outside_below(coarse, "XPU0", near.top_surface_c, 0.0)
    assert not _outside_below(coarse, "XPU0", near.top_surface_c, 10.0)
