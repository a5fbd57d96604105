"""One failing-input test per design error: each names the field, the value and the fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from layoutopt.design_file import design_from_text
from layoutopt.errors import DesignError

BASE: dict[str, Any] = {
    "name": "t",
    "process": "epop",
    "dies": [{"part": "lpddr4x_16gb"}, {"part": "nand_tlc_512gb"}],
    "envelope": {"outline": {"width": "10 mm", "length": "12 mm"}, "max_thickness": "0.6 mm"},
    "thermal": {"ambient_c": 35, "max_skin_c": 43, "housing_thickness": "0.8 mm"},
}


def load(data: dict[str, Any]) -> None:
    design_from_text(yaml.safe_dump(data, allow_unicode=True), file="t.yaml")


def error_of(data: dict[str, Any]) -> DesignError:
    with pytest.raises(DesignError) as info:
        load(data)
    return info.value


def edited(path: str, value: Any) -> dict[str, Any]:
    """BASE with the value at a dotted path (``dies.0.thickness``) set; None deletes."""
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    if value is None:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


def test_base_design_is_valid():
    load(BASE)


def test_yaml_syntax_error_names_the_line():
    text = "name: t\nprocess: epop\ndies:\n  - part: lpddr4x_16gb\n   bad: [1, 2\n"
    with pytest.raises(DesignError) as info:
        design_from_text(text, file="t.yaml")
    assert "line 5" in str(info.value) and "t.yaml" in str(info.value)
    assert "Fix:" in str(info.value)


def test_duplicate_yaml_key():
    text = "process: epop\nprocess: sip\n"
    with pytest.raises(DesignError, match=r"duplicate key 'process' \(first on line 1\)"):
        design_from_text(text, file="t.yaml")


def test_unhashable_yaml_key():
    with pytest.raises(DesignError, match=r"line 1, column 3: found unhashable key"):
        design_from_text("? [1, 2]\n: 3\n", file="t.yaml")


def test_every_shipped_design_parses_as_plain_yaml_does() -> None:
    # The duplicate-key loader builds its own mappings: the same data as PyYAML's.
    from pathlib import Path

    from layoutopt.design_file import parse_yaml

    designs = sorted((Path(__file__).parents[1] / "designs").glob("*.yaml"))
    assert designs
    for path in designs:
        text = path.read_text()
        assert parse_yaml(text, str(path)) == yaml.safe_load(text), path.name


def test_missing_key():
    err = error_of(edited("envelope", None))
    assert err.field == "envelope" and "missing" in err.message and "add 'envelope'" in err.fix


def test_unknown_key_suggests_nearest():
    err = error_of(edited("dies.0.thicknes", "40 um"))
    assert err.field == "dies[0].thicknes"
    assert "did you mean 'thickness'" in err.fix and "allowed keys" in err.fix


def test_negative_length():
    err = error_of(edited("dies.1.thickness", "-40 um"))
    assert err.field == "dies[1].thickness" and err.value == "-40 um"
    assert "positive" in err.message and "'40 um'" in err.fix


def test_unitless_length():
    err = error_of(edited("envelope.max_thickness", 0.6))
    assert err.field == "envelope.max_thickness"
    assert "bare number" in err.message and "unit" in err.fix


def test_unknown_part_suggests_nearest():
    err = error_of(edited("dies.0.part", "lpddr4_16gb"))
    assert err.field == "dies[0].part" and "did you mean 'lpddr4x_16gb'" in err.fix


def test_unknown_process_suggests_nearest():
    err = error_of(edited("process", "epopp"))
    assert err.field == "process" and "did you mean 'epop'" in err.fix


def test_unknown_enum_value_lists_choices():
    err = error_of(edited("dies.0.bond", "wirebond"))
    assert err.field == "dies[0].bond" and "'wire_bond'" in err.fix


def test_die_larger_than_outline_both_ways():
    data = edited("envelope.outline", {"width": "7 mm", "length": "7.5 mm"})
    err = error_of(data)
    assert err.field == "dies[0].width" and "both orientations" in err.message
    assert "enlarge envelope.outline" in err.fix


def test_self_intersecting_outline():
    bowtie = [["0 mm", "0 mm"], ["10 mm", "10 mm"], ["10 mm", "0 mm"], ["0 mm", "10 mm"]]
    err = error_of(edited("envelope.outline", {"points": bowtie}))
    assert err.field == "envelope.outline.points" and "Self-intersection" in err.message
    assert "do not cross" in err.fix


def test_shape_needs_one_form():
    err = error_of(edited("envelope.outline", {"width": "10 mm"}))
    assert err.field == "envelope.outline" and "width and length" in err.message


def test_family_cannot_hold_kind():
    err = error_of(edited("process", "hbm_tc_ncf"))
    assert err.field == "process" and "cannot hold a nand die" in err.message
    assert "choose another process" in err.fix


def test_alternative_family_cannot_hold_kind():
    err = error_of(edited("alternatives", ["cmc"]))
    assert err.field == "alternatives[0].process" and "cannot hold a nand die" in err.message


def test_finger_ring_leaves_no_room():
    err = error_of(edited("rules", {"bond_finger_ring": "6 mm"}))
    assert err.field == "process" and "leaves no room" in err.message
    assert "rules.bond_finger_ring" in err.fix


def test_keepouts_leave_no_room():
    keepout = {"name": "screw", "x": "0 mm", "y": "4 mm", "width": "10 mm", "length": "4 mm"}
    err = error_of(edited("envelope.keepouts", [keepout]))
    assert err.field == "envelope.keepouts" and "screw" in err.message
    assert "shrink or move the keep-outs" in err.fix


def test_max_thickness_below_base_layers():
    err = error_of(edited("envelope.max_thickness", "0.2 mm"))
    assert err.field == "envelope.max_thickness" and "base layers" in err.message
    assert "230 um" in err.message and "raise envelope.max_thickness" in err.fix


def test_die_too_thick_for_the_ceiling_is_infeasible_not_bad_input():
    from layoutopt.solver import SolveOptions, SolveStatus, solve

    design = design_from_text(yaml.safe_dump(edited("dies.0.thickness", "400 um")))
    result = solve(design, SolveOptions(time_limit_s=5, workers=1))
    assert result.status is SolveStatus.INFEASIBLE
    assert "alone needs" in result.explanation[0] and "> 0.6 mm max" in result.explanation[0]


def test_non_positive_conductivity():
    err = error_of(edited("materials", {"gel": {"k_w_per_m_k": 0}}))
    assert err.field == "materials.gel.k_w_per_m_k" and "above 0" in err.fix


def test_negative_h():
    # h = 0 is an adiabatic face; below 0 is bad input.
    err = error_of(edited("thermal.h_top_w_per_m2_k", -1))
    assert err.field == "thermal.h_top_w_per_m2_k" and "at least 0" in err.fix


def test_power_map_shape_mismatch():
    err = error_of(edited("dies.0.power_map", [[1, 1], [1]]))
    assert err.field == "dies[0].power_map" and "rectangular" in err.fix


def test_skin_limit_below_ambient():
    err = error_of(edited("thermal.max_skin_c", 30))
    assert err.field == "thermal.max_skin_c" and err.value == 30
    assert "above thermal.ambient_c" in err.fix


def test_junction_limit_below_ambient():
    err = error_of(edited("dies.1.max_junction_c", 20))
    assert err.field == "dies[1].max_junction_c" and "ambient" in err.message


def test_unknown_material_reference():
    err = error_of(edited("thermal.housing_material", "housing_plastik"))
    assert err.field == "thermal.housing_material"
    assert "did you mean 'housing_plastic'" in err.fix


def test_duplicate_die_id():
    dies = [{"part": "lpddr4x_16gb", "id": "M"}, {"part": "nand_tlc_512gb", "id": "M"}]
    data = edited("dies", dies)
    err = error_of(data)
    assert err.field == "dies[1].id" and "used twice" in err.message and "distinct id" in err.fix


def test_custom_die_lists_missing_fields():
    err = error_of(edited("dies", [{"id": "X", "kind": "dram", "width": "5 mm"}]))
    assert err.field == "dies[0]" and "length" in err.message and "part:" in err.fix


def test_pad_edges_on_flip_chip_die():
    err = error_of(edited("dies.0.bond", "flip_chip"))
    assert err.field == "dies[0].pad_edges" and "bond: wire_bond" in err.fix


def test_error_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(edited("dies.0.part", "nope")), encoding="utf-8")
    from layoutopt.design_file import load_design

    with pytest.raises(DesignError) as info:
        load_design(path)
    assert str(info.value).startswith(str(path))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12_000), st.integers(1, 12_000), st.booleans())
def test_the_room_check_agrees_with_eroding_the_region(w, h, notched):
    """The shortcut through the inscribed circle never changes the erosion test's answer."""
    import shapely.geometry as geom

    from layoutopt.design_file import _Room

    region = geom.box(0, 0, 10_000, 6_000)
    if notched:  # an L-shaped room and a second island
        region = region.difference(geom.box(3_000, 0, 10_000, 3_500)).union(
            geom.box(12_000, 0, 14_000, 2_000)
        )
    x0, y0, x1, y1 = region.bounds
    radius = min(w, h) / 2 - 1
    erosion = w <= x1 - x0 and h <= y1 - y0 and (radius <= 0 or not region.buffer(-radius).is_empty)
    assert _Room.of(region).fits(w, h) is erosion
