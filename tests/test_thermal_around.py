"""Heat sources with a body around the package (thermal.around): placement, closed forms,
energy balance, their effect in the report, and bad input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from layoutopt.design_file import design_from_text, load_design
from layoutopt.errors import DesignError
from layoutopt.model import Material, Rect
from layoutopt.thermal import solve_fv3d, thermal_check
from layoutopt.thermal.around import body_rect_um
from layoutopt.thermal.samples import single_die_sample
from layoutopt.thermal_spec import BodyLayer, BodySite, Compass, HeatBody, ThermalSpec

DESIGNS = Path(__file__).resolve().parents[1] / "designs"


def _body(**kw: object) -> HeatBody:
    base = {
        "name": "gpu",
        "power_w": 2.0,
        "layers": (BodyLayer(400, "silicon"),),
        "width_um": 3000,
        "length_um": 2000,
        "side": Compass.EAST,
        "gap_um": 1000,
    }
    base.update(kw)
    return HeatBody(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("side", "rect"),
    [
        (Compass.WEST, (-4000, 3000, -1000, 5000)),
        (Compass.EAST, (9000, 3000, 12000, 5000)),
        (Compass.SOUTH, (2500, -3000, 5500, -1000)),
        (Compass.NORTH, (2500, 9000, 5500, 11000)),
    ],
)
def test_beside_centres_the_body_on_the_side(side: Compass, rect: tuple[int, ...]) -> None:
    assert body_rect_um(_body(side=side), Rect(0, 0, 8000, 8000)) == rect


def test_under_takes_the_package_outline_and_lifts_the_board() -> None:
    host = HeatBody("host", 0.5, (BodyLayer(300, "substrate_2l"),), site=BodySite.UNDER_PACKAGE)
    assert body_rect_um(host, Rect(100, 200, 8000, 9000)) == (100, 200, 8100, 9200)
    design, layout = single_die_sample(thermal=ThermalSpec(bodies=(host,)))
    field = solve_fv3d(design, layout, lateral_step_um=500)
    assert field.z_edges_um[0] == pytest.approx(-300 - design.thermal.board_thickness_um)
    assert -300 in field.z_edges_um


def _column_design(h_um: int, k_b: float, board_k_z: float, q_w: float):
    """A single die at 0 W and a body beside it on a board that conducts only through its
    thickness (k_xy ~ 0), adiabatic on top, held at the ambient below: every column is 1D."""
    spec = ThermalSpec(
        h_top_w_per_m2_k=0.0,
        h_bottom_w_per_m2_k=0.0,
        bottom_fixed_c=25.0,
        board_material="column_board",
        board_thickness_um=400,
    )
    design, layout = single_die_sample(power_w=0.0, thermal=spec)
    materials = (
        *design.materials,
        Material("column_board", 1e-7, board_k_z),
        Material("column_body", 1e-7, k_b),
    )
    body = _body(layers=(BodyLayer(h_um, "column_body"),), power_w=q_w, gap_um=2000)
    design = replace(design, materials=materials, thermal=replace(spec, bodies=(body,)))
    return design, layout, body


def test_body_on_a_board_matches_the_one_dimensional_closed_form() -> None:
    """Uniform heating q''' in a slab of height H (adiabatic top) over a board of thickness
    t held at T0 below: T(z) = T0 + (Q/A) t / k_board + (q'''/k_b)(H z - z²/2)."""
    h_um, k_b, k_board, q_w = 400, 2.0, 0.5, 0.3
    design, layout, body = _column_design(h_um, k_b, k_board, q_w)
    field = solve_fv3d(design, layout, lateral_step_um=500, vertical_step_um=50)
    x0, y0, x1, y1 = body_rect_um(body, layout.package)
    area_m2 = (x1 - x0) * (y1 - y0) * 1e-12
    flux = q_w / area_m2
    q3 = flux / (h_um * 1e-6)
    xc, yc, zc = (field.grid.centres_um(a) for a in range(3))
    ix = int(np.searchsorted(xc, (x0 + x1) / 2))
    iy = int(np.searchsorted(yc, (y0 + y1) / 2))
    t = field.temperature_c[ix, iy, :]
    inside = (zc > 0) & (zc < h_um)
    z = zc[inside] * 1e-6
    exact = 25.0 + flux * 400e-6 / k_board + q3 / k_b * (h_um * 1e-6 * z - z**2 / 2)
    assert np.allclose(t[inside], exact, rtol=0, atol=1e-3 * (exact.max() - 25.0))
    # Energy: what leaves the fixed bottom is what the body puts in.
    faces = {f.face: f.heat_w for f in field.heat_out_by_face()}
    assert faces["bottom"] == pytest.approx(q_w, rel=1e-6)


def _hbm_with_gpu(power_w: float = 100.0):
    design = load_design(DESIGNS / "hbm_12hi_mr_muf.yaml")
    gpu = HeatBody(
        "gpu", power_w, (BodyLayer(600, "silicon"),), width_um=8000, length_um=9000,
        side=Compass.WEST, gap_um=500,
    )  # fmt: skip
    return replace(design, thermal=replace(design.thermal, bodies=(gpu,)))


def _hbm_layout(design):
    from layoutopt.solver import SolveOptions, solve

    return solve(design, SolveOptions(thermal=False, workers=1, seed=0)).layout


def test_energy_in_is_energy_out_with_a_gpu_beside_the_stack() -> None:
    design = _hbm_with_gpu()
    layout = _hbm_layout(design)
    report = thermal_check(design, layout, model="fv3d", lateral_step_um=400)
    dies_w = sum(d.power_w for d in design.dies)
    assert report.total_power_w == pytest.approx(dies_w + 100.0)
    out = sum(f.heat_w for f in report.heat_out)
    assert out == pytest.approx(report.total_power_w, rel=1e-5)


def test_the_effect_of_a_body_is_linear_in_its_power() -> None:
    """No radiation gap: the rise the GPU adds to each die's mean doubles with its power
    (a die's maximum is not linear: its hottest point moves towards the GPU)."""
    layout = _hbm_layout(_hbm_with_gpu())
    rises = []
    for power in (50.0, 100.0):
        report = thermal_check(
            _hbm_with_gpu(power), layout, model="fv3d", lateral_step_um=400, around=True
        )
        assert report.around is not None and report.around.sources == ("gpu",)
        assert report.around.power_w == pytest.approx(power)
        without = {d.die_id: d.mean_c for d in report.around.dies}
        rises.append(np.array([d.mean_c - without[d.die_id] for d in report.dies]))
    assert rises[0].min() > 0.1
    assert np.allclose(rises[1], 2 * rises[0], rtol=1e-4)


def test_switching_off_the_sources_around_is_the_design_without_their_power() -> None:
    design = _hbm_with_gpu()
    layout = _hbm_layout(design)
    report = thermal_check(design, layout, model="fv3d", lateral_step_um=400, around=True)
    cold = _hbm_with_gpu(0.0)
    alone = thermal_check(cold, layout, model="fv3d", lateral_step_um=400)
    assert report.around.peak_junction_c == pytest.approx(alone.peak_junction_c, abs=1e-4)
    assert "gpu" in report.around_sentences()[0]


def test_a_workload_phase_sets_a_body_power() -> None:
    text = (DESIGNS / "smart_glasses_epop.yaml").read_text()
    text = text.replace("  sources:\n", "  around:\n    - {name: cam, power: '50 mW', "
                        "at: {x: '1 mm', y: '14 mm'}, width: '6 mm', length: '6 mm', "
                        "height: '0.4 mm', material: silicon}\n  sources:\n", 1)  # fmt: skip
    text = text.replace('sources: {soc: "1.5 W"}', 'sources: {soc: "1.5 W", cam: "0.4 W"}')
    design = design_from_text(text)
    assert [b.name for b in design.thermal.bodies] == ["cam"]
    phase = design.thermal.workload("camera").phases[1]
    assert phase.source_power_of("cam", 0.0) == pytest.approx(0.4)


# --- bad input ------------------------------------------------------------------------------


def _glasses_with(entry: str) -> str:
    text = (DESIGNS / "smart_glasses_epop.yaml").read_text()
    return text.replace("  sources:\n", f"  around:\n    - {entry}\n  sources:\n", 1)


def test_a_body_off_the_board_is_a_clear_error() -> None:
    with pytest.raises(DesignError) as err:
        design_from_text(
            _glasses_with(
                "{name: cam, power: '50 mW', at: {x: '20 mm', y: '0 mm'}, width: '5 mm', "
                "length: '5 mm', height: '0.4 mm', material: silicon}"
            )
        )
    text = str(err.value)
    assert "thermal.around[cam].at" in text and "not on the board" in text
    assert "x 20..25 mm" in text and "grow thermal.board.outline" in text


def test_a_body_beside_the_package_off_the_board_is_a_clear_error() -> None:
    """Placed by the package, the body is checked once the layout is known."""
    design = design_from_text(
        _glasses_with(
            "{name: cam, power: '50 mW', beside: {side: west, gap: '1 mm'}, width: '5 mm', "
            "length: '5 mm', height: '0.4 mm', material: silicon}"
        )
    )
    from layoutopt.solver import SolveOptions, solve

    layout = solve(design, SolveOptions(thermal=False, workers=1, seed=0)).layout
    with pytest.raises(DesignError, match=r"thermal.around\[cam\].beside.*not on the board"):
        thermal_check(design, layout, model="fv3d", lateral_step_um=400)


def test_a_body_over_the_package_is_a_clear_error() -> None:
    design, layout = single_die_sample(
        thermal=ThermalSpec(bodies=(_body(side=None, x_um=1000, y_um=1000),))
    )
    with pytest.raises(DesignError, match=r"overlaps the package.*under: true"):
        thermal_check(design, layout, model="fv3d", lateral_step_um=500)


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        (
            "{name: cam, power: '-5 mW', at: {x: '1 mm', y: '14 mm'}, width: '5 mm', "
            "length: '5 mm', height: '0.4 mm', material: silicon}",
            "thermal.around[0].power",
            "",
        ),
        (
            "{name: cam, power: '5 mW', width: '5 mm', length: '5 mm', height: '0.4 mm', "
            "material: silicon}",
            "thermal.around[cam].at",
            "exactly one position",
        ),
        (
            "{name: cam, power: '5 mW', at: {x: '1 mm', y: '14 mm'}, width: '5 mm', "
            "length: '5 mm', height: '0.4 mm', material: unobtainium}",
            "thermal.around[cam].layers[0].material",
            "unknown material",
        ),
        (
            "{name: soc, power: '5 mW', under: true, height: '0.4 mm', material: silicon}",
            "thermal.around",
            "given twice",
        ),
        (
            "{name: cam, power: '5 mW', under: true, height: '0.4 mm', material: silicon, "
            "layers: [{thickness: '1 mm', material: silicon}]}",
            "thermal.around[0]",
            "height and material, or as layers",
        ),
    ],
)
def test_bad_bodies_name_the_field(entry: str, field: str, words: str) -> None:
    with pytest.raises(DesignError) as err:
        design_from_text(_glasses_with(entry))
    text = str(err.value)
    assert field in text, text
    assert words in text, text


def test_the_compact_model_refuses_bodies() -> None:
    design, layout = single_die_sample(thermal=ThermalSpec(bodies=(_body(),)))
    with pytest.raises(DesignError, match=r"thermal.around"):
        thermal_check(design, layout, model="compact")


def test_the_effect_survives_the_layout_file() -> None:
    from layoutopt.serialize import from_data, to_data
    from layoutopt.thermal.report import ThermalReport

    design = _hbm_with_gpu()
    report = thermal_check(
        design, _hbm_layout(design), model="fv3d", lateral_step_um=600, around=True
    )
    assert from_data(ThermalReport, to_data(report)) == report
