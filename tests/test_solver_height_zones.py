"""Height zones bind only a package taller than the zone (issue: they acted as keep-outs)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import box
from solver_fixtures import EPOP_RULES, wb_die

from layoutopt.design_file import load_design
from layoutopt.model import Design, DieKind, Envelope, HeightZone
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.validate import validate

ROOT = Path(__file__).resolve().parents[1]
# The smart-glasses ePOP in its own family: 7.35 x 8.85 mm (its finger rows included),
# 0.58 mm thick (three dies in one stack); with the controller beside the stack 0.49 mm.
EPOP = load_design(ROOT / "designs" / "smart_glasses_epop.yaml").variants()[0]
# Geometry only: the height-zone rule, not the thermal or warpage limits of the sample design.
OPTIONS = SolveOptions(time_limit_s=30, workers=1, seed=0, thermal=False, warpage=False)


def _zoned(design: Design, x0_um: int, x1_um: int, max_thickness_um: int) -> Design:
    _, y0, _, y1 = design.envelope.outline.bounds
    zone = HeightZone(box(x0_um, y0, x1_um, y1), max_thickness_um, name="hinge")
    return replace(design, envelope=replace(design.envelope, height_zones=(zone,)))


def _solved(design: Design):  # type: ignore[no-untyped-def]
    result = solve(design, OPTIONS)
    assert result.status is SolveStatus.OPTIMAL, result.explanation
    assert result.layout is not None and validate(design, result.layout) == ()
    return result.layout


def test_a_zone_above_the_package_does_not_bind() -> None:
    free = _solved(EPOP)
    zoned = _solved(_zoned(EPOP, 0, 6000, 900))  # a 0.9 mm zone over most of the site
    assert free.thickness_um == 580 < 900
    assert (zoned.footprint_um2, zoned.thickness_um) == (free.footprint_um2, free.thickness_um)


def test_a_binding_zone_keeps_a_taller_package_away() -> None:
    free = _solved(EPOP)
    design = _zoned(EPOP, 0, 2600, 300)  # lower than any package; 7.4 mm of room beside it
    zoned = _solved(design)
    assert zoned.package.x_um >= 2600  # clear of the zone
    assert (zoned.footprint_um2, zoned.thickness_um) == (free.footprint_um2, free.thickness_um)


def test_a_binding_zone_over_the_whole_site_makes_the_package_thinner() -> None:
    free = _solved(EPOP)
    zoned = _solved(_zoned(EPOP, 0, 10000, 500))  # nowhere to go: the stack must come down
    assert free.thickness_um == 580
    assert zoned.thickness_um <= 500
    assert zoned.footprint_um2 > free.footprint_um2  # the controller moved beside the stack


@st.composite
def zoned_designs(draw) -> tuple[Design, Design]:  # type: ignore[no-untyped-def]
    kinds = st.sampled_from([DieKind.DRAM, DieKind.NAND, DieKind.CONTROLLER])
    count = draw(st.integers(1, 3))
    dies = tuple(
        wb_die(
            f"D{k}", draw(kinds), draw(st.integers(15, 50)) * 100, draw(st.integers(15, 50)) * 100
        )
        for k in range(count)
    )
    width, length = draw(st.integers(60, 120)) * 100, draw(st.integers(60, 120)) * 100
    max_thickness = draw(st.sampled_from([500, 600, 800]))
    design = Design("z", dies, EPOP_RULES, Envelope(box(0, 0, width, length), max_thickness))
    x0, y0 = draw(st.integers(0, width - 100)), draw(st.integers(0, length - 100))
    x1, y1 = draw(st.integers(x0 + 100, width)), draw(st.integers(y0 + 100, length))
    ceiling = max_thickness + draw(st.integers(0, 300))
    zone = HeightZone(box(x0, y0, x1, y1), ceiling, name="z")
    return design, replace(design, envelope=replace(design.envelope, height_zones=(zone,)))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zoned_designs())
def test_a_zone_at_or_above_the_maximum_thickness_never_changes_the_optimum(
    pair: tuple[Design, Design],
) -> None:
    free, zoned = (solve(d, OPTIONS) for d in pair)
    # A time-out proves nothing either way: compare only answers the solver proved.
    proven = {SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE}
    assume(free.status in proven and zoned.status in proven)
    assert free.status is zoned.status
    if free.status is SolveStatus.OPTIMAL:
        assert free.layout is not None and zoned.layout is not None
        assert free.layout.footprint_um2 == zoned.layout.footprint_um2
        assert free.layout.thickness_um == zoned.layout.thickness_um
