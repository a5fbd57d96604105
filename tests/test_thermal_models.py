"""Thermal models against closed forms, conservation laws and each other."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from layoutopt.errors import DesignError
from layoutopt.model import Layout, Material, Rect, ThermalSpec
from layoutopt.thermal import (
    compact_report,
    fv3d_report,
    junction_sensitivity,
    solve_fv3d,
    thermal_check,
)
from layoutopt.thermal.assemble import assemble
from layoutopt.thermal.grid import Grid
from layoutopt.thermal.linear import LinearSolver
from layoutopt.thermal.samples import epop_sample, single_die_sample
from layoutopt.thermal.stackup import Block
from layoutopt.thermal_spec import Phase, TimeLimit, Workload

COARSE = {"lateral_step_um": 500.0, "vertical_step_um": 200.0}


def _slab(thermal: ThermalSpec) -> tuple:
    """The single-die sample without its die: a uniform stack of full-cover layers."""
    design, layout = single_die_sample(thermal=thermal)
    design = replace(design, dies=())
    return design, replace(layout, placements=())


def _series_layers(design, layout) -> list[tuple[int, float]]:  # type: ignore[no-untyped-def]
    """(thickness um, k_z) bottom to top: board, balls, substrate, mold (library constants)."""
    r = design.rules

    def k_z(name: str) -> float:
        return design.material(name).k_z_w_per_m_k

    return [
        (design.thermal.board_thickness_um, k_z(design.thermal.board_material)),
        (r.ball_height_um, k_z(r.ball_material)),
        (r.substrate_thickness_um, k_z(r.substrate_material)),
        (layout.thickness_um - r.base_thickness_um, k_z(r.mold_material)),
    ]


def test_uniform_slab_matches_series_resistances() -> None:
    # Fixed top and bottom, no board margin: exactly one-dimensional conduction.
    spec = ThermalSpec(board_margin_um=0, top_fixed_c=75.0, bottom_fixed_c=25.0)
    design, layout = _slab(spec)
    field = solve_fv3d(design, layout, lateral_step_um=2000, vertical_step_um=30)
    layers = _series_layers(design, layout)
    r_area = sum(t * 1e-6 / k for t, k in layers)
    area = layout.package.area_um2 * 1e-12
    expected_w = (75.0 - 25.0) * area / r_area
    heat = {f.face: f.heat_w for f in field.heat_out_by_face()}
    assert heat["bottom"] == pytest.approx(expected_w, rel=1e-9)
    assert heat["top"] == pytest.approx(-expected_w, rel=1e-9)


def test_slab_with_convection_matches_series_resistances() -> None:
    spec = ThermalSpec(
        board_margin_um=0, top_fixed_c=65.0, h_bottom_w_per_m2_k=50.0, ambient_c=25.0
    )
    design, layout = _slab(spec)
    field = solve_fv3d(design, layout, lateral_step_um=2000, vertical_step_um=50)
    layers = _series_layers(design, layout)
    r_area = sum(t * 1e-6 / k for t, k in layers) + 1 / 50.0
    expected_w = 40.0 * layout.package.area_um2 * 1e-12 / r_area
    bottom = next(f.heat_w for f in field.heat_out_by_face() if f.face == "bottom")
    assert bottom == pytest.approx(expected_w, rel=1e-9)


def test_energy_balance() -> None:
    design, layout = epop_sample()
    report = fv3d_report(design, layout, **COARSE)
    out = sum(f.heat_w for f in report.heat_out)
    assert report.total_power_w == pytest.approx(sum(d.power_w for d in design.dies), rel=1e-12)
    assert out == pytest.approx(report.total_power_w, rel=1e-6)


def test_mirrored_layout_gives_mirrored_field() -> None:
    design, layout = single_die_sample(die_x_um=1000, power_w=0.5)
    p = layout.placements[0]
    mirrored = replace(
        layout, placements=(replace(p, x_um=layout.package.width_um - p.x_um - p.width_um),)
    )
    a = solve_fv3d(design, layout, **COARSE).temperature_c
    b = solve_fv3d(design, mirrored, **COARSE).temperature_c
    assert a.shape == b.shape
    np.testing.assert_allclose(a[::-1], b, rtol=1e-7, equal_nan=True)
    assert not np.allclose(a, b, equal_nan=True)  # the test can fail: the die is off centre


def test_doubling_every_power_doubles_every_rise() -> None:
    design, layout = epop_sample()
    doubled = replace(design, dies=tuple(replace(d, power_w=2 * d.power_w) for d in design.dies))
    for check in (compact_report, lambda d, lay: fv3d_report(d, lay, **COARSE)):
        one, two = check(design, layout), check(doubled, layout)
        for d1, d2 in zip(one.dies, two.dies, strict=True):
            assert d2.max_c - two.ambient_c == pytest.approx(
                2 * (d1.max_c - one.ambient_c), rel=1e-6
            )


def test_centred_source_matches_lee_song_au_moran_spreading() -> None:
    """Square source on a square plate, convective base, against Lee, Song, Au & Moran,
    "Constriction/spreading resistance model for electronics packaging", ASME/JSME Thermal
    Engineering Conf. 1995: psi_max = eps*tau/sqrt(pi) + (1 - eps) * phi / sqrt(pi) with
    phi = (tanh(l tau) + l/Bi) / (1 + (l/Bi) tanh(l tau)), l = pi + 1/(sqrt(pi) eps),
    eps = a/b, tau = t/b, Bi = h b / k; R_max = R_1D + psi_max / (k sqrt(pi) a), using
    equivalent radii a = sqrt(A_source/pi), b = sqrt(A_plate/pi) (the paper's rule for
    non-circular shapes).
    """
    side, src, t, k, h, q = 10000.0, 2000.0, 1000.0, 10.0, 1000.0, 1.0
    xe = np.concatenate(
        [
            np.linspace(0, 4000, 21)[:-1],
            np.linspace(4000, 6000, 21)[:-1],
            np.linspace(6000, 10000, 21),
        ]
    )
    ze = np.linspace(0, t, 41)
    mat = np.zeros((len(xe) - 1, len(xe) - 1, len(ze) - 1), dtype=np.int32)
    power = np.zeros(mat.shape)
    xc = 0.5 * (xe[:-1] + xe[1:])
    inside = (xc > 4000) & (xc < 6000)
    power[np.ix_(inside, inside, [mat.shape[2] - 1])] = 1.0
    power *= q / power.sum()
    # An adiabatic top (h = 0) and a convective base, as in the paper.
    spec = ThermalSpec(h_top_w_per_m2_k=0.0, h_bottom_w_per_m2_k=h, ambient_c=0.0)
    plate = Block("plate", Material("plate", k, k), 0, 0, int(side), int(side), 0, int(t))
    grid = Grid(xe, xe, ze, mat, np.full(mat.shape, -1), (), (plate,))
    system = assemble(grid, spec, np.array([k]), np.array([k]))
    solver = LinearSolver(system.matrix, system.ijk, direct_max_cells=0, rtol=1e-12)
    theta = system.to_grid(solver.solve(power.ravel()))
    a, b = math.sqrt(src**2 / math.pi) * 1e-6, math.sqrt(side**2 / math.pi) * 1e-6
    eps, tau, bi = a / b, t * 1e-6 / b, h * b / k
    lam = math.pi + 1 / (math.sqrt(math.pi) * eps)
    phi = (math.tanh(lam * tau) + lam / bi) / (1 + lam / bi * math.tanh(lam * tau))
    psi_max = eps * tau / math.sqrt(math.pi) + (1 - eps) * phi / math.sqrt(math.pi)
    r_1d = t * 1e-6 / (k * math.pi * b**2) + 1 / (h * math.pi * b**2)
    expected_max = q * (r_1d + psi_max / (k * math.sqrt(math.pi) * a))
    # Surface temperature at the source centre: the top cell plus its half-cell drop is
    # below the 1 % level on this grid; compare the hottest top cell.
    assert theta[:, :, -1].max() == pytest.approx(expected_max, rel=0.05)


def test_grid_refinement_changes_the_peak_by_less_than_one_percent() -> None:
    design, layout = single_die_sample(power_w=0.5)
    coarse = fv3d_report(design, layout, lateral_step_um=500, vertical_step_um=100)
    fine = fv3d_report(design, layout, lateral_step_um=250, vertical_step_um=50)
    rise = fine.peak_junction_c - fine.ambient_c
    assert abs(coarse.peak_junction_c - fine.peak_junction_c) < 0.01 * rise


@pytest.mark.parametrize(
    "spec", [ThermalSpec(), ThermalSpec(top_fixed_c=25.0), ThermalSpec(housing_thickness_um=500)]
)
def test_compact_agrees_with_fv3d_within_ten_percent_of_the_rise(spec: ThermalSpec) -> None:
    design, layout = single_die_sample(power_w=0.5, thermal=spec)
    compact = compact_report(design, layout)
    fv = fv3d_report(design, layout, **COARSE)
    rise_c = compact.dies[0].mean_c - spec.ambient_c
    rise_f = fv.dies[0].mean_c - spec.ambient_c
    assert rise_c == pytest.approx(rise_f, rel=0.10)
    assert sum(f.heat_w for f in compact.heat_out) == pytest.approx(0.5, rel=1e-9)
    if spec.housing_thickness_um:
        assert fv.skin_c is not None and compact.skin_c is not None
        assert fv.skin_c < fv.top_surface_c


def test_sensitivity_reproduces_the_compact_report() -> None:
    design, layout = epop_sample()
    s = junction_sensitivity(design, layout)
    powers = np.array([design.die(d).power_w for d in s.die_ids])
    temps = design.thermal.ambient_c + s.offset_k + s.matrix_k_per_w @ powers
    report = compact_report(design, layout)
    np.testing.assert_allclose(temps, [report.die(d).max_c for d in s.die_ids], rtol=1e-12)
    assert np.all(s.matrix_k_per_w > 0)


def test_power_map_turns_with_the_die() -> None:
    # Hot tile in the east column at rotation 0; after 90° CCW it must be in the north.
    hot_east = ((0.0, 1.0), (0.0, 1.0))
    design, layout = single_die_sample(power_map=hot_east, power_w=1.0)
    p = layout.placements[0]
    turned = replace(layout, placements=(replace(p, rotation_deg=90),))
    for lay, axis in ((layout, "x"), (turned, "y")):
        field = solve_fv3d(design, lay, lateral_step_um=250, vertical_step_um=100)
        _, (x, y, _), die_id = field.hottest()
        assert die_id == "D0"
        centre = 4000
        assert (x if axis == "x" else y) > centre + 500
        assert abs((y if axis == "x" else x) - centre) < 1000


def test_fv3d_report_fields() -> None:
    design, layout = epop_sample()
    report = thermal_check(design, layout, model="fv3d", **COARSE)
    assert report.model == "fv3d" and report.cells > 1000
    assert report.hottest_die_id == "C0"
    assert report.hottest_c == pytest.approx(report.die("C0").max_c)
    assert all(d.max_c >= d.mean_c > report.ambient_c for d in report.dies)
    assert report.ambient_c < report.top_surface_c < report.peak_junction_c


def _bad(design, **changes):
    return replace(design, **changes)


def _workload(*phases: Phase) -> ThermalSpec:
    return ThermalSpec(workloads=(Workload("w", phases),))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: _bad(d, thermal=ThermalSpec(h_top_w_per_m2_k=-1.0)), "thermal.h_top_w_per_m2_k"),
        (
            lambda d: _bad(d, thermal=ThermalSpec(h_bottom_w_per_m2_k=float("nan"))),
            "thermal.h_bottom_w_per_m2_k",
        ),
        (
            lambda d: _bad(d, thermal=ThermalSpec(h_top_w_per_m2_k=0.0, h_bottom_w_per_m2_k=0.0)),
            "thermal.h_top_w_per_m2_k",
        ),
        (lambda d: _bad(d, thermal=ThermalSpec(ambient_c=-300.0)), "thermal.ambient_c"),
        (
            lambda d: _bad(d, thermal=ThermalSpec(max_skin_c=20.0, housing_thickness_um=500)),
            "thermal.max_skin_c",
        ),
        (lambda d: _bad(d, thermal=ThermalSpec(max_skin_c=43.0)), "thermal.max_skin_c"),
        (
            lambda d: _bad(d, dies=(replace(d.dies[0], max_junction_c=20.0),)),
            "dies[D0].max_junction_c",
        ),
        (
            lambda d: _bad(d, dies=(replace(d.dies[0], power_map=((1.0, 2.0), (1.0,))),)),
            "dies[D0].power_map",
        ),
        (lambda d: _bad(d, dies=(replace(d.dies[0], power_w=-0.1),)), "dies[D0].power_w"),
        (
            lambda d: _bad(d, materials=(Material("emc", 0.0, 0.9),)),
            "materials[emc].k_xy_w_per_m_k",
        ),
        (
            lambda d: _bad(d, thermal=_workload(Phase("run", 60.0, (("D9", 1.0),)))),
            "thermal.workloads[w].phases[0].power",
        ),
        (
            lambda d: _bad(d, thermal=_workload(Phase("run", -5.0))),
            "thermal.workloads[w].phases[0].duration",
        ),
        (
            lambda d: _bad(
                d,
                thermal=ThermalSpec(housing_thickness_um=500, skin_limits=(TimeLimit(48.0, 0.0),)),
            ),
            "thermal.skin_limits[0].for",
        ),
    ],
)
def test_bad_thermal_input_is_a_design_error(change, field) -> None:
    design, _layout = single_die_sample()
    with pytest.raises(DesignError) as err:
        change(design)
    assert err.value.field == field
    assert err.value.fix


@pytest.mark.parametrize("model", ["compact", "fv3d"])
def test_a_material_the_design_lacks_is_a_design_error(model: str) -> None:
    design, layout = single_die_sample()
    bad = replace(design, dies=(replace(design.dies[0], material="unobtainium"),))
    with pytest.raises(DesignError) as err:
        thermal_check(bad, layout, model=model, **(COARSE if model == "fv3d" else {}))
    assert err.value.field == "dies[D0].material" and "unobtainium" in str(err.value)


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="compact"):
        thermal_check(*single_die_sample(), model="magic")


def test_layout_without_dies_still_solves() -> None:
    design, layout = single_die_sample()
    empty = Layout(layout.design_name, layout.family, Rect(0, 0, 4000, 4000), 500, ())
    report = fv3d_report(replace(design, dies=()), empty, **COARSE)
    assert report.total_power_w == 0.0 and report.top_surface_c == pytest.approx(25.0)


def _graded_edges_per_interval(breaks, fine_lo, fine_hi, fine, coarse, growth):
    """The graded edges one interval at a time with ``np.interp`` (the specification)."""
    import itertools

    pieces = []
    for a, b in itertools.pairwise(breaks):
        x = np.linspace(a, b, 257)
        d = np.maximum(np.maximum(fine_lo - x, x - fine_hi), 0.0)
        h = np.minimum(coarse, fine + (growth - 1.0) * d)
        cum = np.concatenate([[0.0], np.cumsum(0.5 * (1 / h[1:] + 1 / h[:-1]) * np.diff(x))])
        n = max(1, int(np.ceil(cum[-1] - 1e-9)))
        pieces.append(np.interp(np.linspace(0.0, cum[-1], n + 1)[:-1], cum, x))
    return np.concatenate([*pieces, breaks[-1:]]).astype(float)


@pytest.mark.parametrize("seed", range(40))
def test_graded_edges_are_the_per_interval_interpolation_bit_for_bit(seed: int) -> None:
    from layoutopt.thermal.grid import graded_edges

    rng = np.random.default_rng(seed)
    breaks = np.unique(np.round(rng.uniform(-5000, 5000, rng.integers(2, 60)), seed % 3))
    lo, hi = sorted(rng.uniform(-3000, 3000, 2))
    fine = float(rng.choice([10.0, 25.0, 37.5, 100.0]))
    coarse, growth = fine * float(rng.choice([1, 2, 8])), float(rng.choice([1.1, 1.3, 1.5]))
    want = _graded_edges_per_interval(breaks, lo, hi, fine, coarse, growth)
    got = graded_edges(breaks, lo, hi, fine, coarse, growth)
    assert got.dtype == want.dtype and np.array_equal(got, want)


def test_the_compact_networks_sparse_matrix_keeps_kirchhoffs_law() -> None:
    # Assembled from branch triplets (a dense matrix of 5,000 dies took 800 MB and a 27 s
    # solve): symmetric, each row summing to the node's conductance to its boundary, and
    # the sparse solve equal to the dense one.
    from pathlib import Path

    from layoutopt.layout_io import read_layout
    from layoutopt.thermal import compact

    root = Path(__file__).resolve().parents[1] / "tests" / "data" / "layouts" / "shipped"
    record = read_layout(root / "wearable_sip.json")
    net = compact._network(record.design, record.layout)
    dense = net.matrix.toarray()
    assert np.allclose(dense, dense.T, rtol=0, atol=1e-12 * abs(dense).max())
    assert np.allclose(dense.sum(axis=1), net.out_w_per_k, rtol=1e-9, atol=1e-12)
    report = compact.compact_report(record.design, record.layout)
    powers = np.array([record.design.die(d).power_w for d in net.die_ids])
    q = net.boundary_w.copy()
    q[: len(powers)] += powers
    theta = np.linalg.solve(dense, q)
    rises = [d.max_c - report.ambient_c for d in report.dies]
    assert np.allclose(rises, theta[: len(powers)], rtol=1e-9)
