"""Design files: count expansion, overrides, shapes, alternatives, materials, schema."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from shapely.geometry import box

from layoutopt.design_file import (
    design_from_text,
    design_json_schema,
    design_schema_text,
    interchangeable_dies,
)
from layoutopt.library import load_library
from layoutopt.model import BondType, Edge, Family

HEAD = """
process: epop
envelope:
  outline: {width: "10 mm", length: "12 mm"}
  max_thickness: "0.6 mm"
"""


def test_count_expands_ids_per_prefix_in_file_order():
    d = design_from_text(
        HEAD
        + """
dies:
  - {part: nand_tlc_512gb, count: 2}
  - part: lpddr4x_16gb
  - part: nand_tlc_1tb
"""
    )
    assert [x.id for x in d.dies] == ["NAND0", "NAND1", "DRAM0", "NAND2"]
    assert [x.part for x in d.dies] == ["nand_tlc_512gb"] * 2 + ["lpddr4x_16gb", "nand_tlc_1tb"]


def test_explicit_id_single_and_counted():
    d = design_from_text(
        HEAD
        + """
dies:
  - {part: lpddr4x_16gb, id: RAM}
  - {part: nand_tlc_512gb, id: FLASH, count: 2}
  - {part: nand_tlc_512gb}
"""
    )
    assert [x.id for x in d.dies] == ["RAM", "FLASH0", "FLASH1", "NAND0"]


def test_auto_ids_skip_explicit_ones():
    d = design_from_text(
        HEAD
        + """
dies:
  - {part: nand_tlc_512gb, id: NAND0}
  - {part: nand_tlc_512gb}
"""
    )
    assert [x.id for x in d.dies] == ["NAND0", "NAND1"]


def test_overrides_apply_in_core_units():
    d = design_from_text(
        HEAD
        + """
dies:
  - part: lpddr4x_16gb
    thickness: "30 um"
    power: "120 mW"
    bond: vertical_wire
    pad_edges: [west, east]
"""
    )
    die = d.dies[0]
    assert die.thickness_um == 30 and die.power_w == pytest.approx(0.12)
    assert die.bond is BondType.VERTICAL_WIRE and die.pad_edges == {Edge.WEST, Edge.EAST}
    assert die.width_um == 6500  # untouched fields keep the library value


def test_custom_die_without_part():
    d = design_from_text(
        HEAD
        + """
dies:
  - {id: ASIC, kind: controller, width: "2 mm", length: "3 mm", thickness: "50 um",
     power: "10 mW", max_junction_c: 90, bond: wire_bond, pad_edges: [north]}
"""
    )
    assert d.dies[0].id == "ASIC" and d.dies[0].part == "ASIC" and d.dies[0].length_um == 3000


def test_rule_overrides_and_alternatives():
    d = design_from_text(
        HEAD
        + """
rules: {mold_clearance: "80 um", max_dies_per_stack: 3}
alternatives:
  - sip
  - {process: sip_double_sided, rules: {die_spacing: "250 um"}}
dies: [{part: lpddr4x_16gb}]
"""
    )
    lib = load_library()
    assert d.rules.mold_clearance_um == 80 and d.rules.max_dies_per_stack == 3
    assert d.rules.wire_loop_um == lib.process("epop").rules.wire_loop_um
    assert [r.name for r in d.alternatives] == ["sip", "sip_double_sided"]
    assert d.alternatives[1].die_spacing_um == 250 and d.alternatives[1].double_sided
    assert [v.family for v in d.variants()] == [Family.EPOP, Family.SIP, Family.SIP]


def test_polygon_outline_keepouts_and_height_zones():
    d = design_from_text("""
process: epop
dies: [{part: lpddr4x_16gb}]
envelope:
  outline:
    points: [["0 mm", "0 mm"], ["14 mm", "0 mm"], ["14 mm", "12 mm"], ["-1 mm", "12 mm"]]
  max_thickness: "0.6 mm"
  keepouts:
    - {name: screw, x: "12 mm", y: "10 mm", width: "2 mm", length: "2 mm"}
  height_zones:
    - {name: hinge, region: {x: "10 mm", width: "4 mm", length: "12 mm"}, max_thickness: "0.5 mm"}
""")
    env = d.envelope
    assert env.outline.bounds == (-1000, 0, 14000, 12000)
    assert env.keepouts[0].equals(box(12000, 10000, 14000, 12000))
    assert env.keepout_names == ("screw",)
    assert env.height_zones[0].max_thickness_um == 500 and env.height_zones[0].name == "hinge"


def test_thermal_objective_and_material_overrides():
    d = design_from_text(
        HEAD
        + """
dies: [{part: lpddr4x_16gb}]
thermal: {ambient_c: 30, board_thickness: "0.4 mm", housing_thickness: "0.8 mm",
          max_skin_c: 43, housing_material: frame}
objective: {mode: weighted, weight_thickness_per_mm: 2}
materials:
  frame: {k_w_per_m_k: 0.3}
  emc: {k_xy_w_per_m_k: 2, k_z_w_per_m_k: 1.5}
"""
    )
    t = d.thermal
    assert (t.ambient_c, t.board_thickness_um, t.housing_thickness_um) == (30, 400, 800)
    assert d.objective.mode == "weighted" and d.objective.weight_thickness_per_mm == 2
    assert d.material("frame").k_z_w_per_m_k == 0.3
    assert d.material("emc").k_xy_w_per_m_k == 2 and d.material("silicon").k_xy_w_per_m_k == 130


def test_name_defaults_to_file_stem():
    d = design_from_text(HEAD + "dies: [{part: lpddr4x_16gb}]", file="x/glasses.yaml")
    assert d.name == "glasses"


def test_interchangeable_dies_ignores_overridden_ones():
    d = design_from_text(
        HEAD
        + """
dies:
  - {part: nand_tlc_512gb, count: 2}
  - {part: nand_tlc_512gb, power: "1 mW"}
"""
    )
    assert interchangeable_dies(d) == (("NAND0", "NAND1"),)


def test_committed_schema_matches_the_model():
    committed = resources.files("layoutopt").joinpath("schema", "design.schema.json")
    text = committed.read_text("utf-8")
    assert json.loads(text) == design_json_schema(), (
        "regenerate: python -m layoutopt.design_file > layoutopt/schema/design.schema.json"
    )
    assert text == design_schema_text()


def test_schema_describes_lengths_as_strings_with_units():
    schema = design_json_schema()
    width = schema["$defs"]["ShapeSpec"]["properties"]["width"]["anyOf"][0]
    assert width["type"] == "string" and "mm" in width["pattern"]
    assert schema["additionalProperties"] is False
