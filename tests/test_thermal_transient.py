"""Transient thermal against closed forms, the energy balance and the steady answer."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.special import erfc

from layoutopt.errors import DesignError
from layoutopt.model import Material, ThermalSpec
from layoutopt.thermal.assemble import capacities_j_per_k
from layoutopt.thermal.fv3d import GridOptions, build_model, solve_fv3d
from layoutopt.thermal.samples import epop_sample, single_die_sample
from layoutopt.thermal.transient import above_spans, simulate
from layoutopt.thermal_spec import (
    InitialState,
    Phase,
    SourceFace,
    SurfaceSource,
    TimeLimit,
    Workload,
)

COARSE = GridOptions(lateral_step_um=1000.0, vertical_step_um=200.0, board_step_um=2000.0)


def _with_materials(design, change):  # type: ignore[no-untyped-def]
    return replace(design, materials=tuple(change(m) for m in design.materials))


def test_lumped_rc_step_response_within_one_percent() -> None:
    """Everything nearly infinitely conductive (Bi ~ 1e-6), one convective face: the body is
    one heat capacity C behind 1 / (h A), so T - T_amb = P / (h A) (1 - exp(-t / tau)),
    tau = C / (h A)."""
    h, power = 20.0, 0.5
    spec = ThermalSpec(board_margin_um=0, h_top_w_per_m2_k=h, h_bottom_w_per_m2_k=0.0)
    design, layout = single_die_sample(power_w=power, thermal=spec)
    design = _with_materials(design, lambda m: replace(m, k_xy_w_per_m_k=1e4, k_z_w_per_m_k=1e4))
    model = build_model(design, layout, COARSE)
    capacity = float(capacities_j_per_k(model.system0).sum())
    area = layout.package.area_um2 * 1e-12
    tau = capacity / (h * area)
    workload = Workload("step", (Phase("on", 3 * tau),), InitialState.AMBIENT)
    design = replace(design, thermal=replace(spec, workloads=(workload,)))
    report = simulate(design, layout, "step", step_s=tau / 100, model=model, max_points=10_000)
    t = np.array(report.times_s)
    rise = np.array(report.get("D0").values_c) - spec.ambient_c
    expected = power / (h * area) * (1 - np.exp(-t / tau))
    for time_s in (0.5 * tau, tau, 2 * tau, 3 * tau):
        i = int(np.argmin(abs(t - time_s)))
        assert rise[i] == pytest.approx(expected[i], rel=0.01)


def test_semi_infinite_slab_under_a_surface_flux_within_one_percent() -> None:
    """A thick board heated uniformly on its bottom face (a surface heat-flux source), every
    other face adiabatic at these times: T(x, t) - T0 = 2 q/k sqrt(a t / pi) exp(-x²/4at)
    - q x / k erfc(x / 2 sqrt(a t)) (Carslaw & Jaeger §2.9), read at the bottom cell's
    centre."""
    k, rho, c, q_w_per_m2 = 1.0, 1000.0, 1000.0, 2000.0
    alpha = k / (rho * c)
    side_um = 8000
    spec = ThermalSpec(
        board_margin_um=0,
        board_thickness_um=20_000,
        board_material="slab",
        h_top_w_per_m2_k=10.0,
        h_bottom_w_per_m2_k=0.0,
        sources=(
            SurfaceSource("heater", SourceFace.BOARD_BOTTOM, q_w_per_m2 * (side_um * 1e-6) ** 2),
        ),
    )
    design, layout = single_die_sample(package_um=side_um, power_w=0.0, thermal=spec)
    slab = Material("slab", k, k, density_kg_per_m3=rho, specific_heat_j_per_kg_k=c)
    design = replace(design, dies=(), materials=(*design.materials, slab))
    layout = replace(layout, placements=())
    grid = GridOptions(lateral_step_um=side_um, vertical_step_um=50.0, outer_layer_cells=None)
    workload = Workload("heat", (Phase("on", 10.0),), InitialState.AMBIENT)
    design = replace(design, thermal=replace(spec, workloads=(workload,)))
    model = build_model(design, layout, grid)
    samples = []
    # Read the bottom cell directly: the model's die series do not cover the board.
    bottom = model.system0.index[0, 0, 0]
    assert model.grid.shape[:2] == (1, 1)
    x = 0.5 * (model.grid.z_edges_um[1] - model.grid.z_edges_um[0]) * 1e-6

    def closed_form(t: float) -> float:
        s = math.sqrt(alpha * t)
        return 2 * q_w_per_m2 / k * s / math.sqrt(math.pi) * math.exp(-(x**2) / (4 * s * s)) - (
            q_w_per_m2 * x / k * erfc(x / (2 * s))
        )

    simulate(
        design,
        layout,
        "heat",
        step_s=0.01,
        model=model,
        on_step=lambda t_s, theta: samples.append((t_s, float(theta[bottom]))),
    )
    checked = 0
    for t_s, rise in samples:
        if any(math.isclose(t_s, when) for when in (1.0, 2.0, 5.0, 10.0)):
            assert rise == pytest.approx(closed_form(t_s), rel=0.01)
            checked += 1
    assert checked == 4


def _epop_workload(design, *phases: Phase, initial=InitialState.STEADY):  # type: ignore[no-untyped-def]
    return replace(
        design, thermal=replace(design.thermal, workloads=(Workload("w", phases, initial),))
    )


IDLE = (("C0", 0.05), ("M0", 0.01), ("M1", 0.01), ("N0", 0.01), ("N1", 0.01))


def _balance_error(method: str, step_s: float) -> float:
    design, layout = epop_sample()
    design = _epop_workload(
        design, Phase("idle", 20.0, IDLE), Phase("run", 60.0), Phase("idle2", 30.0, IDLE)
    )
    report = simulate(design, layout, "w", step_s=step_s, method=method, grid=COARSE)
    powered = sum(d.power_w for d in design.dies) * 60 + sum(w for _, w in IDLE) * 50
    assert report.energy_in_j == pytest.approx(powered)
    return (report.energy_out_j + report.energy_stored_j) / report.energy_in_j - 1


def test_energy_in_equals_energy_out_plus_stored() -> None:
    # Backward Euler conserves C (theta_end - theta_0) exactly: in each step the cells'
    # stored heat is C dtheta and the conductances between cells cancel in the sum.
    assert abs(_balance_error("euler", 2.0)) < 1e-9
    # BDF2 conserves its own three-level storage term, which differs from C dtheta by
    # O(dt) at the ends of the run: small, and it shrinks with the step.
    coarse, fine = _balance_error("bdf2", 2.0), _balance_error("bdf2", 0.5)
    assert abs(coarse) < 0.01 and abs(fine) < 0.4 * abs(coarse)


def test_long_time_limit_equals_the_steady_answer() -> None:
    design, layout = epop_sample()
    design = _epop_workload(design, Phase("run", 4000.0), initial=InitialState.AMBIENT)
    report = simulate(design, layout, "w", step_s=20.0, grid=COARSE)
    steady = solve_fv3d(
        design,
        layout,
        **{k: getattr(COARSE, k) for k in ("lateral_step_um", "vertical_step_um", "board_step_um")},
    )
    for d in steady.die_stats():
        assert report.get(d.die_id).values_c[-1] == pytest.approx(d.max_c, abs=1e-3)
    assert report.get("top").values_c[-1] == pytest.approx(steady.top_c(), abs=1e-3)


def test_long_time_limit_with_a_radiating_housing_gap() -> None:
    spec = ThermalSpec(housing_thickness_um=800, housing_gap_um=500, board_margin_um=10_000)
    design, layout = epop_sample(thermal=spec)
    design = _epop_workload(design, Phase("run", 6000.0), initial=InitialState.AMBIENT)
    report = simulate(design, layout, "w", step_s=30.0, grid=COARSE)
    steady = solve_fv3d(
        design, layout, lateral_step_um=1000.0, vertical_step_um=200.0, board_step_um=2000.0
    )
    skin = steady.skin_c()
    assert skin is not None
    rise = skin - spec.ambient_c
    # The transient relinearises the radiation when it moves 2 %; the steady solve iterates
    # it to 0.5 %: the two agree to a small share of the rise.
    assert report.get("skin").values_c[-1] == pytest.approx(skin, abs=0.005 * rise)


def test_time_limits_report_the_time_to_the_limit() -> None:
    spec = ThermalSpec(
        housing_thickness_um=800,
        housing_gap_um=300,
        board_margin_um=10_000,
        skin_limits=(TimeLimit(35.0, 60.0), TimeLimit(33.0, 8 * 3600.0)),
    )
    design, layout = epop_sample(thermal=spec)
    design = _epop_workload(design, Phase("idle", 60.0, IDLE), Phase("video", 1200.0))
    report = simulate(design, layout, "w", step_s=5.0, grid=COARSE)
    skin = np.array(report.get("skin").values_c)
    assert skin[0] < 33.0 < skin[-1]  # idle is cool, video heats past both limits
    short, long = report.limits[0], report.limits[1]
    assert (short.what, short.max_c, long.max_c) == ("skin", 35.0, 33.0)
    assert not short.ok and long.ok  # above 35 °C for more than a minute; 33 °C < 8 h
    assert 60.0 < short.first_above_s < 1260.0
    video = next(p for p in report.phase_limits if p.phase == "video" and p.max_c == 35.0)
    assert video.time_to_limit_s == pytest.approx(short.first_above_s - 60.0)
    assert "video can run" in video.sentence() and "35.0 °C" in video.sentence()
    assert any("35.0 °C for 60 s broken" in v for v in report.violations())


def test_above_spans_interpolates_crossings() -> None:
    t = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    v = np.array([40.0, 50.0, 50.0, 40.0, 49.0])
    assert above_spans(t, v, 45.0) == [(5.0, 25.0), (pytest.approx(35.5555555), 40.0)]
    assert above_spans(t, v, 60.0) == []


def test_a_material_without_heat_capacity_is_a_clear_error() -> None:
    design, layout = epop_sample()
    design = _with_materials(
        design, lambda m: replace(m, density_kg_per_m3=None) if m.name == "emc" else m
    )
    design = _epop_workload(design, Phase("run", 10.0))
    with pytest.raises(DesignError) as err:
        simulate(design, layout, "w", grid=COARSE)
    assert err.value.field == "materials[emc].density_kg_per_m3"


def test_unknown_workload_name_is_a_clear_error() -> None:
    design, layout = epop_sample()
    with pytest.raises(DesignError, match="no workload named 'video'"):
        simulate(design, layout, "video", grid=COARSE)


def test_a_limit_crossed_in_a_cool_down_is_said_to_follow_the_burst() -> None:
    # The skin lags the dies: after a short burst it keeps rising into the low-power phase
    # that follows. The cool-down does not "run" until the limit; the burst's heat does.
    def run(limit_c: float):  # type: ignore[no-untyped-def]
        spec = ThermalSpec(
            housing_thickness_um=800,
            housing_gap_um=300,
            board_margin_um=10_000,
            skin_limits=(TimeLimit(limit_c, 60.0),),
        )
        design, layout = epop_sample(thermal=spec)
        phases = (Phase("burst", 5.0), Phase("cool-down", 60.0, IDLE))
        design = _epop_workload(design, *phases, initial=InitialState.AMBIENT)
        return simulate(design, layout, "w", step_s=0.5, grid=COARSE)

    first = run(100.0)
    t, skin = np.array(first.times_s), np.array(first.get("skin").values_c)
    end_of_burst, peak = skin[t <= 5.0][-1], skin.max()
    assert peak > end_of_burst + 0.5  # the skin peaks in the cool-down
    burst, cool = run(0.5 * (end_of_burst + peak)).phase_limits
    assert burst.time_to_limit_s is None and burst.after_phase is None
    assert cool.after_phase == "burst" and cool.time_to_limit_s is not None
    assert "into cool-down, after burst" in cool.sentence()
    assert "can run" not in cool.sentence()
