"""Warpage: the closed forms of domain_data.md §8.6, the package model built on them, the
JEITA default limit, and the errors for missing mechanical properties."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layoutopt.design_file import design_from_text
from layoutopt.errors import DesignError
from layoutopt.mechanics import jeita_limit_um, warpage_report
from layoutopt.mechanics.laminate import (
    bimetal_curvature,
    columns_curvature,
    grouped_curvatures,
    multilayer_curvature,
    sagitta,
)
from layoutopt.model import Rect
from layoutopt.thermal.samples import stack_layout


def test_timoshenko_reproduces_the_si_on_emc_worked_example():
    # §8.6: Si 100 um (130 GPa, 2.6 ppm/K) on EMC 200 um (18 GPa, 11 ppm/K), 175 -> 25 °C:
    # |kappa| = 6.18e-3 /mm; over the 8 x 9.5 mm diagonal (12.42 mm), w = 119 um.
    kappa = bimetal_curvature(
        0.100, 0.200, 130.0, 18.0, free_strain_bottom=-150 * 2.6e-6, free_strain_top=-150 * 11e-6
    )
    assert abs(kappa) == pytest.approx(6.18e-3, rel=0.01)
    diagonal = math.hypot(8.0, 9.5)
    assert diagonal == pytest.approx(12.42, rel=0.001)
    assert abs(sagitta(kappa, diagonal)) * 1000 == pytest.approx(119, rel=0.01)


def test_equal_layers_reproduce_the_hyfeast_bimetal_example():
    # §8.6: L = 3000 mm, h = 300 mm, alpha 5e-6 and 10e-6 /K, dT = 50 K: kappa = 1.25e-6 /mm,
    # cantilever end displacement kappa L^2 / 2 = 5.625 mm (the page's FE: 5.67551 mm).
    kappa = bimetal_curvature(
        150.0, 150.0, 1.0, 1.0, free_strain_bottom=5e-6 * 50, free_strain_top=10e-6 * 50
    )
    assert kappa == pytest.approx(1.25e-6, rel=1e-9)
    assert kappa * 3000.0**2 / 2 == pytest.approx(5.625, rel=0.01)
    assert multilayer_curvature([(150.0, 1.0, 2.5e-4), (150.0, 1.0, 5e-4)]) == pytest.approx(
        kappa, rel=1e-12
    )


def test_timoshenko_equal_thickness_general_modulus():
    # §8.6 'Do not use as an oracle': for m = 1, kappa = 24 d_alpha dT / (h (14 + n + 1/n)).
    for n in (0.35, 1.0, 2.9):
        kappa = bimetal_curvature(0.5, 0.5, n, 1.0, free_strain_bottom=0.0, free_strain_top=1e-3)
        assert kappa == pytest.approx(24 * 1e-3 / (1.0 * (14 + n + 1 / n)), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.01, 10.0),
    st.floats(0.01, 10.0),
    st.floats(0.1, 500.0),
    st.floats(0.1, 500.0),
    st.floats(-3e-3, 3e-3),
    st.floats(-3e-3, 3e-3),
)
def test_hsueh_two_layers_is_timoshenko(t1, t2, e1, e2, s1, s2):
    hsueh = multilayer_curvature([(t1, e1, s1), (t2, e2, s2)])
    timoshenko = bimetal_curvature(t1, t2, e1, e2, free_strain_bottom=s1, free_strain_top=s2)
    # Where the two strains nearly cancel the curvature is ~0 and both formulas are left
    # with rounding of the strains' scale over the thickness (seen: -1.3e-15 against an
    # absolute 1e-15), so the absolute tolerance is relative to that scale.
    scale = (abs(s1) + abs(s2)) / min(t1, t2)
    assert hsueh == pytest.approx(timoshenko, rel=1e-9, abs=1e-12 * scale + 1e-300)


def test_bonded_columns_reduce_to_hsueh_and_average_between_columns():
    plies = [
        (0.1, 27.0, -1.9e-3),
        (0.01, 2.0, -9.7e-3),
        (0.04, 180.0, -0.4e-3),
        (0.3, 25.0, -1.6e-3),
    ]
    t = np.array([p[0] for p in plies])
    z1 = np.cumsum(t)
    z0 = z1 - t
    modulus = np.array([p[1] for p in plies])
    strain = np.array([p[2] for p in plies])
    one = columns_curvature(z0, z1, modulus, strain, np.ones(4))[1]
    assert one == pytest.approx(multilayer_curvature(plies), rel=1e-10)
    # Two copies of the same column, any areas: the same curvature.
    double = columns_curvature(
        np.r_[z0, z0],
        np.r_[z1, z1],
        np.r_[modulus, modulus],
        np.r_[strain, strain],
        np.r_[np.full(4, 3.0), np.full(4, 7.0)],
    )[1]
    assert double == pytest.approx(one, rel=1e-10)


def _si_on_emc_design(nu: float = 0.25, extra: str = "") -> str:
    return f"""
name: si_on_emc
process: foms
rules:
  ball_height: "0 um"
  rdl_layers: 0
  vertical_wire_gap: "0 um"
  die_edge_keepout: "0 um"
  mold_cap: "200 um"
  mold_material: emc_test
dies:
  - {{id: SI, kind: controller, width: "8 mm", length: "9.5 mm", thickness: "100 um",
      power: "0 W", max_junction_c: 100, bond: vertical_wire, material: si_test}}
envelope:
  outline: {{width: "8 mm", length: "9.5 mm"}}
  max_thickness: "1 mm"
materials:
  si_test:
    k_w_per_m_k: 130
    mechanical: {{youngs_modulus_gpa: 130, poisson_ratio: {nu}, cte_ppm_per_k: 2.6}}
  emc_test:
    k_w_per_m_k: 0.9
    mechanical: {{youngs_modulus_gpa: 18, poisson_ratio: {nu}, cte_ppm_per_k: 11}}
{extra}
"""


def _one_die_layout(design):
    return stack_layout(design, Rect(0, 0, 8000, 9500), [[("SI", 0, 0)]])


def test_package_model_reproduces_the_worked_example_end_to_end():
    design = design_from_text(_si_on_emc_design())
    report = warpage_report(design, _one_die_layout(design))
    assert [c.layers for c in report.columns] == [("si_test 100 um", "emc_test 200 um")]
    # EMC on top shrinks more on cooling: the top shortens, the centre dips, corners rise.
    assert report.room.warpage_um == pytest.approx(119, rel=0.01)
    assert abs(report.room.curvature_per_m) == pytest.approx(6.18, rel=0.01)
    # Heating past the stress-free temperature bends the other way, in proportion.
    assert report.peak.warpage_um == pytest.approx(-119 * 85 / 150, rel=0.01)
    zero = min(report.curve, key=lambda p: abs(p.temperature_c - 175))
    assert zero.temperature_c == 175 and zero.warpage_um == pytest.approx(0, abs=1e-9)


def test_tg_step_changes_the_peak_warpage():
    glassy = design_from_text(_si_on_emc_design())
    text = _si_on_emc_design().replace(
        "cte_ppm_per_k: 11}",
        "cte_ppm_per_k: 11, tg_c: 185, cte_above_tg_ppm_per_k: 45, youngs_modulus_above_tg_gpa: 1}",
    )
    rubbery = design_from_text(text)
    a = warpage_report(glassy, _one_die_layout(glassy))
    b = warpage_report(rubbery, _one_die_layout(rubbery))
    assert a.room.warpage_um == pytest.approx(b.room.warpage_um, rel=1e-12)  # below Tg
    assert 185.0 in [p.temperature_c for p in b.curve]  # the kink is on the curve
    # 175 -> 185 °C glassy, then 185 -> 260 °C rubbery (alpha 2 = 45, E = 1 GPa): the
    # curvature adds up step by step, each step a Timoshenko bimetal with its properties.
    glassy_step = bimetal_curvature(
        100e-6, 200e-6, 130.0, 18.0, free_strain_bottom=2.6e-6 * 10, free_strain_top=11e-6 * 10
    )
    rubbery_step = bimetal_curvature(
        100e-6, 200e-6, 130.0, 1.0, free_strain_bottom=2.6e-6 * 75, free_strain_top=45e-6 * 75
    )
    assert b.peak.curvature_per_m == pytest.approx(glassy_step + rubbery_step, rel=1e-9)
    # No jump at Tg: the curve is continuous (steps of 5 K change it by a few percent).
    values = [p.warpage_um for p in b.curve]
    assert max(abs(u - v) for u, v in itertools.pairwise(values)) < 0.1 * max(map(abs, values))


def test_limit_is_checked_at_every_temperature():
    design = design_from_text(_si_on_emc_design(extra='warpage: {max_warpage: "100 um"}'))
    report = warpage_report(design, _one_die_layout(design))
    assert report.max_warpage_um == 100
    (violation,) = report.violations()
    assert "+119 um at 25 °C exceeds the limit of 100 um" in violation
    loose = design_from_text(_si_on_emc_design(extra='warpage: {max_warpage: "0.2 mm"}'))
    assert warpage_report(loose, _one_die_layout(loose)).ok


def test_missing_mechanical_properties_name_the_material_and_field():
    text = _si_on_emc_design().replace(
        "    mechanical: {youngs_modulus_gpa: 18, poisson_ratio: 0.25, cte_ppm_per_k: 11}\n", ""
    )
    # The loader says so before any solve ...
    with pytest.raises(DesignError) as err:
        design_from_text(text, file="si.yaml")
    message = str(err.value)
    assert message.startswith("si.yaml: materials.emc_test.mechanical")
    assert "material 'emc_test' has no mechanical properties" in message
    assert "used by rules.mold_material" in message
    # ... and so does the model, for a design made in code.
    design = design_from_text(_si_on_emc_design())
    bare = tuple(
        replace(m, mechanical=None) if m.name == "emc_test" else m for m in design.materials
    )
    with pytest.raises(DesignError, match="'emc_test' has no mechanical properties"):
        warpage_report(replace(design, materials=bare), _one_die_layout(design))


def test_tg_without_the_values_above_it_is_a_clear_error():
    text = _si_on_emc_design().replace("cte_ppm_per_k: 11}", "cte_ppm_per_k: 11, tg_c: 185}")
    with pytest.raises(DesignError) as err:
        design_from_text(text)
    message = str(err.value)
    assert "materials.emc_test.mechanical" in message
    assert "cte_above_tg_ppm_per_k and youngs_modulus_above_tg_gpa" in message


@pytest.mark.parametrize(
    ("pitch_um", "limit_um"),
    [
        (400, 100),
        (450, 100),
        (500, 110),
        (650, 140),
        (800, 170),
        (1000, 220),
        (1270, 250),
        (2000, 250),
        (350, 87),
    ],
)
def test_jeita_limit_by_pitch(pitch_um, limit_um):
    found = jeita_limit_um(pitch_um)
    assert found is not None and found[0] == limit_um
    assert ("estimate" in found[1]) == (pitch_um < 400)


def test_every_library_process_family_has_a_limit_or_says_why_not():
    from shapely.geometry import box

    from layoutopt.library import load_library
    from layoutopt.mechanics import warpage_limit
    from layoutopt.model import Design, Envelope

    for process in load_library().processes:
        design = Design("d", (), process.rules, Envelope(box(0, 0, 1, 1), 1))
        limit = warpage_limit(design)
        assert (limit.max_warpage_um is None) == (process.rules.ball_pitch_um == 0), process.name
        assert limit.source


def test_layout_file_carries_warpage_and_cost_and_the_sheet_draws_the_curve(tmp_path):
    from layoutopt.assess import assess
    from layoutopt.layout_io import LayoutRecord, read_layout, write_layout
    from layoutopt.render import to_svg_sheet

    design = design_from_text(_si_on_emc_design(extra='warpage: {max_warpage: "150 um"}'))
    layout = _one_die_layout(design)
    checks = assess(design, layout)
    path = write_layout(
        tmp_path / "layout.json",
        LayoutRecord(design, layout, warpage=checks.warpage, cost=checks.cost),
    )
    back = read_layout(path)
    assert back.warpage == checks.warpage
    assert back.cost == checks.cost
    assert back.design.warpage.max_warpage_um == 150
    svg = to_svg_sheet(design, layout, warpage=back.warpage)
    assert 'id="warpage-plot"' in svg and "±150 µm" in svg and "+119 µm" in svg
    assert 'id="warpage-plot"' not in to_svg_sheet(design, layout)


def test_plate_fe_reproduces_the_uniform_laminate():
    from layoutopt.mechanics.plate_fe import plate_warpage_um

    design = design_from_text(_si_on_emc_design())
    layout = _one_die_layout(design)
    plate = plate_warpage_um(design, layout, (25.0, 260.0), stress_free_c=175.0, divisions=16)
    closed = warpage_report(design, layout)
    assert plate.warpage_um[0] == pytest.approx(closed.room.warpage_um, rel=1e-3)
    assert plate.warpage_um[1] == pytest.approx(closed.peak.warpage_um, rel=1e-3)


def test_plate_fe_sees_a_die_in_a_mold_rim_symmetrically_and_converges():
    from layoutopt.mechanics.plate_fe import plate_warpage_um

    text = _si_on_emc_design().replace(
        'width: "8 mm", length: "9.5 mm", thickness', 'width: "4 mm", length: "4 mm", thickness'
    )
    design = design_from_text(text)
    layout = stack_layout(design, Rect(0, 0, 8000, 9500), [[("SI", 2000, 2750)]])
    coarse, fine = (
        plate_warpage_um(design, layout, (25.0,), stress_free_c=175.0, divisions=n)
        for n in (12, 24)
    )
    assert fine.warpage_um[0] == pytest.approx(coarse.warpage_um[0], rel=0.05)
    x, y, r = fine.x_mm, fine.y_mm, fine.deflection_um[0]
    corners = [r[np.argmin((x - cx) ** 2 + (y - cy) ** 2)] for cx in (0, 8) for cy in (0, 9.5)]
    # A centred die: the four corners alike (to the 2 % the one-way diagonals of the
    # triangle mesh allow).
    assert max(corners) - min(corners) < 0.02 * abs(fine.warpage_um[0])
    # The report takes the plate's warpage when the design asks for it.
    plate_design = design_from_text(text + "warpage: {model: plate}\n")
    report = warpage_report(plate_design, layout)
    assert report.model == "plate"
    assert report.room.warpage_um == pytest.approx(
        plate_warpage_um(plate_design, layout, (25.0,), stress_free_c=175.0).warpage_um[0]
    )


@pytest.mark.parametrize(("limit", "code"), [("100 um", 6), ("0.2 mm", 0)])
def test_cli_warpage_and_cost_commands(tmp_path, limit, code):
    from typer.testing import CliRunner

    from layoutopt.cli import app
    from layoutopt.layout_io import LayoutRecord, write_layout

    design = design_from_text(_si_on_emc_design(extra=f'warpage: {{max_warpage: "{limit}"}}'))
    path = write_layout(tmp_path / "layout.json", LayoutRecord(design, _one_die_layout(design)))
    runner = CliRunner()
    result = runner.invoke(app, ["warpage", str(path)])
    assert result.exit_code == code, result.output
    assert "+119.1 µm at 25 °C" in result.output
    assert ("exceeds the limit of 100 um" in result.output) == (code == 6)
    plate = runner.invoke(app, ["warpage", str(path), "--model", "plate"])
    assert "(plate model)" in plate.output and plate.exit_code == code
    costs = runner.invoke(app, ["cost", str(path), "--inputs"])
    assert costs.exit_code == 0, costs.output
    assert "per good package" in costs.output and "domain_data.md §11" in costs.output


def test_the_solve_loop_holds_the_warpage_limit():
    from layoutopt.solver import SolveOptions, SolveStatus, solve

    design = design_from_text(_si_on_emc_design(extra='warpage: {max_warpage: "100 um"}'))
    options = SolveOptions(time_limit_s=10, workers=1, seed=0, thermal=False)
    broken = solve(design, options)
    # The one structure there is warps +119 um: cut, and no layout is returned as legal.
    assert broken.status is SolveStatus.NO_SOLUTION and broken.layout is None
    assert "broke a warpage limit" in broken.explanation[0]
    assert "+119 um at 25 °C exceeds the limit of 100 um" in broken.explanation[0]
    assert any("lower-CTE mold" in line for line in broken.explanation)
    unchecked = solve(design, replace(options, warpage=False))
    assert unchecked.status is SolveStatus.OPTIMAL and unchecked.warpage is None
    loose = design_from_text(_si_on_emc_design(extra='warpage: {max_warpage: "0.2 mm"}'))
    held = solve(loose, options)
    assert held.status is SolveStatus.OPTIMAL and held.warpage is not None and held.warpage.ok


def _per_cell_columns(design, layout):
    """The column grid the slow way, one cell at a time (the specification of
    :func:`column_grid`, which stacks each distinct set of covering blocks once)."""
    from layoutopt.mechanics.columns import _NOT_BODY, _cell_stack
    from layoutopt.thermal.stackup import build_blocks

    pkg = layout.package
    blocks = [b for b in build_blocks(design, layout, around=False) if b.name not in _NOT_BODY]
    xs = sorted({min(max(v, pkg.x_um), pkg.x_max_um) for b in blocks for v in (b.x0_um, b.x1_um)})
    ys = sorted({min(max(v, pkg.y_um), pkg.y_max_um) for b in blocks for v in (b.y0_um, b.y1_um)})
    cells = {}
    for i, j in itertools.product(range(len(xs) - 1), range(len(ys) - 1)):
        over = [
            b
            for b in blocks
            if b.x0_um <= xs[i]
            and xs[i + 1] <= b.x1_um
            and b.y0_um <= ys[j]
            and ys[j + 1] <= b.y1_um
        ]
        key = _cell_stack(over)
        if key[0]:
            cells[i, j] = key
    return xs, ys, cells


@pytest.mark.parametrize("name", ["wearable_sip", "hbm_12hi_mr_muf", "phone_pop"])
def test_column_grid_matches_the_per_cell_walk(name):
    from layoutopt.layout_io import read_layout
    from layoutopt.mechanics.columns import column_grid

    record = read_layout(f"tests/data/layouts/shipped/{name}.json")
    design, layout = record.design, record.layout
    grid = column_grid(design, layout)
    xs, ys, cells = _per_cell_columns(design, layout)
    assert grid.x_edges_um.tolist() == xs and grid.y_edges_um.tolist() == ys
    keys = {(c.plies, c.die_ids): n for n, c in enumerate(grid.columns)}
    expected = np.full(grid.index.shape, -1)
    area = dict.fromkeys(keys, 0)
    for (i, j), key in cells.items():
        expected[i, j] = keys[key]
        area[key] += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
    assert (grid.index == expected).all()
    assert [c.area_um2 for c in grid.columns] == [area[k] for k in keys]


def test_grouped_curvatures_are_each_groups_own_balance():
    rng = np.random.default_rng(3)
    group = np.repeat(np.arange(4), [3, 5, 2, 9])
    z0 = rng.uniform(0, 1e-3, group.size)
    z1 = z0 + rng.uniform(1e-5, 1e-4, group.size)
    modulus = rng.uniform(1e9, 2e11, group.size)
    modulus[group == 2] = 0.0  # molten: nothing stiff, no curvature
    strain = rng.uniform(-2e-3, 2e-3, group.size)
    weight = rng.uniform(1e-6, 1e-4, group.size)
    got = grouped_curvatures(z0, z1, modulus, strain, weight, group, 5)
    for k in (0, 1, 3):
        sel = group == k
        one = columns_curvature(z0[sel], z1[sel], modulus[sel], strain[sel], weight[sel])[1]
        assert got[k] == pytest.approx(one, rel=1e-12)
    assert np.isnan(got[2]) and np.isnan(got[4])  # no layers at all in group 4


def _runs_per_interval(i0, i1, j0, j1, nx):
    """The runs of :func:`_runs` one x interval at a time (its specification)."""
    out = []
    for i in range(nx):
        active = [b for b in range(len(i0)) if i0[b] <= i < i1[b]]
        edges = sorted({j for b in active for j in (j0[b], j1[b])})
        for a, z in itertools.pairwise(edges):
            cover = [b for b in active if j0[b] <= a < j1[b]]
            if cover:
                out.append((i, a, z, tuple(cover)))
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 12), st.integers(1, 9), st.integers(0, 2**31 - 1))
def test_runs_are_the_per_interval_walk(blocks, nx, seed):
    """The vectorised runs equal the walk over x intervals: order, spans and covering sets
    (painter's order), with gaps no block covers and blocks of no width."""
    from layoutopt.mechanics.columns import _runs

    rng = np.random.default_rng(seed)
    i0 = rng.integers(0, nx + 1, blocks)
    i1 = np.minimum(i0 + rng.integers(0, nx + 1, blocks), nx)
    j0 = rng.integers(0, 8, blocks)
    j1 = j0 + rng.integers(0, 5, blocks)
    xi, ya, yb, rows = _runs(i0, i1, j0, j1, nx)
    got = [(int(x), int(a), int(z), tuple(int(b) for b in r if b >= 0))
           for x, a, z, r in zip(xi, ya, yb, rows, strict=True)]  # fmt: skip
    assert got == _runs_per_interval(i0, i1, j0, j1, nx)
    assert rows.shape[1] == max((len(r[3]) for r in got), default=0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 60),
    st.integers(1, 5),
    st.integers(0, 2**31 - 1),
)
def test_unique_rows_is_numpys_unique_of_rows(n, k, seed):
    """The column grouping's fast unique equals ``np.unique(axis=0)`` on rows with many
    repeats and the -1 padding."""
    from layoutopt.mechanics.columns import _unique_rows

    rng = np.random.default_rng(seed)
    rows = rng.integers(-1, 4, size=(n, k))
    want = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    got = _unique_rows(rows)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])
    assert np.array_equal(got[2], want[2].reshape(-1))
