"""The bond line from its structure (layoutopt.bondline) against Colgan et al. and limits."""

from __future__ import annotations

import math

import pytest

from layoutopt.bondline import (
    K_BUMP_XY_W_PER_M_K,
    BumpArray,
    bump_area_fraction,
    conductivity_w_per_m_k,
    unit_resistance_k_mm2_per_w,
)
from layoutopt.design_file import design_from_text, load_design
from layoutopt.errors import DesignError

# domain_data.md §4.1 'Micro-bump + underfill unit thermal resistance' (Colgan et al., H):
# 25 um bumps, 16.1 um high (§3.2), in a capillary underfill (0.5 W/(m·K), §4.1, E).
COLGAN = {50: 8.0, 71: 15.5, 100: 19.0}


@pytest.mark.parametrize("pitch_um", sorted(COLGAN))
def test_unit_resistance_reproduces_colgan_within_fifteen_percent(pitch_um: int) -> None:
    r = unit_resistance_k_mm2_per_w(16.1, (BumpArray(25, pitch_um, 1.0),), 0.5)
    assert r == pytest.approx(COLGAN[pitch_um], rel=0.15)


def test_resistance_grows_with_pitch_as_measured() -> None:
    rs = [unit_resistance_k_mm2_per_w(16.1, (BumpArray(25, p, 1.0),), 0.5) for p in (50, 71, 100)]
    assert rs == sorted(rs)


def test_no_bumps_is_the_bulk_fill() -> None:
    assert conductivity_w_per_m_k((), 0.4, 0.3) == pytest.approx((0.4, 0.3))
    assert conductivity_w_per_m_k((BumpArray(25, 50, 0.0),), 0.4, 0.3) == pytest.approx((0.4, 0.3))


def test_in_plane_rule_is_the_fill_when_bumps_conduct_like_it() -> None:
    k = K_BUMP_XY_W_PER_M_K
    assert conductivity_w_per_m_k((BumpArray(25, 50, 1.0),), k, 1.0)[0] == pytest.approx(k)


def test_area_fraction_is_the_circle_in_its_cell() -> None:
    assert bump_area_fraction((BumpArray(25, 50, 0.5),)) == pytest.approx(0.5 * math.pi / 16)
    with pytest.raises(ValueError, match="more than the whole die"):
        bump_area_fraction((BumpArray(25, 50, 0.7), BumpArray(25, 50, 0.7)))
    with pytest.raises(ValueError, match="does not fit its pitch"):
        BumpArray(60, 50, 0.5)


def test_hbm_bond_lines_are_derived_anisotropic_materials() -> None:
    for name, fill in (("hbm_12hi_mr_muf", "mr_muf"), ("hbm_12hi_tc_ncf", "ncf")):
        design = load_design(f"designs/{name}.yaml")
        joint = design.rules.bond_line_joint_material
        assert joint == f"{fill}_bond_line"
        material, bulk = design.material(joint), design.material(fill)
        # Bumps conduct better than the fill through the plane, less so across it.
        assert material.k_z_w_per_m_k > material.k_xy_w_per_m_k > bulk.k_xy_w_per_m_k
        assert material.confidence == "E" and "bumps" in material.source


def test_bump_wider_than_pitch_is_a_clear_error() -> None:
    text = """
name: bad_bumps
process: hbm_mr_muf
dies:
  - part: hbm3e_base
  - {part: hbm3e_core_24gb, count: 4}
envelope: {outline: {width: "12 mm", length: "12 mm"}, max_thickness: "0.72 mm"}
rules:
  bond_line_bumps: [{diameter: "60 um", pitch: "50 um", coverage: 0.5}]
"""
    with pytest.raises(DesignError) as err:
        design_from_text(text, "bad.yaml")
    assert "bond_line_bumps" in str(err.value) and "pitch" in str(err.value)
