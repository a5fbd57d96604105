"""Package on package as two packages: stack-up, validator, solver and thermal agree.

The example (``layout_builders.pop_example``) is worked by hand in its docstring: SoC on
60 um bumps at 340..440 um, 30 um air gap and 100 um top substrate over it, DRAM0 on its
10 um DAF at 580 um, 830 um in all.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from layout_builders import pop_example, with_placement

from layoutopt.ball_layer import LAND_TO_BALL, ball_layer_conductivity_w_per_m_k
from layoutopt.design_file import load_design
from layoutopt.model import BondType, Layer
from layoutopt.pop import pop_structure
from layoutopt.solver import SolveOptions, solve
from layoutopt.stackup import stack_up
from layoutopt.thermal.stackup import build_blocks
from layoutopt.validate import validate

FAST = SolveOptions(time_limit_s=20, workers=1, seed=0, thermal=False, warpage=False)


def test_a_legal_pop_lists_its_real_layers() -> None:
    design, layout = pop_example()
    assert validate(design, layout) == ()
    layers = stack_up(design, layout.placements)
    assert [(layer.name, layer.thickness_um) for layer in layers] == [
        ("balls", 180),
        ("substrate", 100),
        ("bumps + underfill under SOC", 60),
        ("SOC die", 100),
        ("PoP air gap under DRAM0", 30),
        ("top substrate under DRAM0", 100),
        ("DAF under DRAM0", 10),
        ("DRAM0 die", 40),
        ("DAF under DRAM1", 10),
        ("DRAM1 die", 40),
        ("wire loop", 60),
        ("mold over loop", 100),
    ]
    assert sum(layer.thickness_um for layer in layers) == layout.thickness_um == 830
    assert layers[5].material == design.rules.top_substrate_material


def test_the_structure_has_the_interface_levels_and_the_ring_around_the_mold() -> None:
    design, layout = pop_example()
    pop = pop_structure(design, layout)
    assert pop is not None
    assert (pop.substrate_top_um, pop.mold_top_um) == (280, 440)  # exposed die: flush
    assert (pop.top_substrate_bottom_um, pop.top_substrate_top_um) == (470, 570)
    assert pop.standoff_um == 190  # bumps 60 + SoC 100 + air 30
    assert (pop.mold.x_um, pop.mold.x_max_um) == (1950, 8550)
    # two rows at 0.4 mm from 450 um: the band 250..1050 um, the hole beyond it
    assert pop.ring is not None and pop.ring_hole is not None
    assert (pop.ring.x_um, pop.ring_hole.x_um) == (250, 1050)
    assert pop.ring_hole.contains(pop.mold)


def test_a_pop_without_its_top_substrate_is_rejected() -> None:
    # DRAM0 drawn on the SoC across the air gap alone (the top substrate left out): the
    # stack is 100 um too low and the budget no longer sums to the thickness.
    design, layout = pop_example()
    low = with_placement(layout, "DRAM0", z_bottom_um=480)
    low = with_placement(low, "DRAM1", z_bottom_um=530)
    low = replace(low, thickness_um=730)
    found = validate(design, low)
    assert {v.rule for v in found} == {"z", "thickness"}
    assert any("rule gives 580 um" in v.message for v in found if v.rule == "z")
    assert any("layers sum to 830 um" in v.message for v in found if v.rule == "thickness")


def test_a_pop_whose_thickness_is_wrong_is_rejected() -> None:
    design, layout = pop_example()
    found = validate(design, replace(layout, thickness_um=1110))
    assert {v.rule for v in found} == {"thickness"}
    assert any("the stack gives 830 um" in v.message for v in found)


def test_the_memory_s_wires_land_on_the_top_substrate() -> None:
    design, layout = pop_example()
    from layoutopt.bonding import bond_plan

    (edge,) = bond_plan(design, layout.placements)
    assert {f.z_um for f in edge.fingers} == {570}  # the top substrate's top


def test_the_solver_puts_the_memory_in_the_top_package_and_the_validator_agrees() -> None:
    design, _ = pop_example()
    result = solve(design, FAST)
    assert result.status.value == "optimal"
    layout = result.layout
    assert validate(design, layout) == ()
    assert layout.thickness_um == 830
    tiers = {p.die_id: (p.tier, p.on_die) for p in layout.placements}
    assert tiers["DRAM0"][0] >= 1 and tiers["DRAM1"][0] >= 1
    names = [layer.name for layer in layout.stack_up]
    assert any(n.startswith("top substrate under") for n in names)


def test_memory_that_cannot_reach_the_top_package_is_infeasible() -> None:
    # One die per stack on the SoC: the second DRAM would have to bond to the bottom
    # substrate, which the validator rejects, so the solver finds no layout.
    design, _ = pop_example(max_dies_per_stack=2)
    result = solve(design, FAST)
    assert result.status.value == "infeasible"


def test_interface_conductivity_against_closed_forms() -> None:
    phi = math.pi * (LAND_TO_BALL * 250) ** 2 / (4 * 400**2)
    k_xy, k_z = ball_layer_conductivity_w_per_m_k(250, 400, 58.0, 58.0, 0.026, 0.026)
    assert k_z == pytest.approx(phi * 58.0 + (1 - phi) * 0.026)
    # Maxwell-Garnett for cylinders lies between the series and parallel bounds
    series = 1 / (phi / 58.0 + (1 - phi) / 0.026)
    assert series < k_xy < k_z
    # one material: the mixture is that material
    assert ball_layer_conductivity_w_per_m_k(250, 400, 3.0, 3.0, 3.0, 3.0) == pytest.approx(
        (3.0, 3.0)
    )


def test_the_thermal_model_sees_the_interface_not_a_solder_block() -> None:
    design, layout = pop_example()
    blocks = {b.name: b for b in build_blocks(design, layout)}
    top = blocks["pop.top_substrate"]
    assert (top.z0_um, top.z1_um) == (470, 570)
    assert (top.x0_um, top.x1_um) == (0, 10500)  # the whole top package
    assert blocks["pop.fill"].material.name == "air"
    ring = blocks["pop.ring"].material
    assert 5 < ring.k_z_w_per_m_k < 15 and ring.k_xy_w_per_m_k < 0.1
    joint = blocks["DRAM0.joint"]
    assert (joint.z0_um, joint.z1_um, joint.material.name) == (570, 580, "daf")


def test_phone_pop_is_two_packages() -> None:
    design = load_design("designs/phone_pop.yaml")
    rules = design.rules
    soc, dram = design.die("SOC0"), design.die("DRAM0")
    assert soc.bond is BondType.FLIP_CHIP and dram.bond is BondType.WIRE_BOND
    layers = rules.joint_layers(dram, soc)
    assert [layer.name for layer in layers] == ["PoP air gap", "top substrate", "DAF"]
    assert [layer.thickness_um for layer in layers] == [30, 100, 10]
    assert sum(layer.thickness_um for layer in layers) == rules.joint_um(dram, soc)
    assert Layer("DAF", 10, "daf") == layers[-1]


def _peaks(design, layout) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from layoutopt.thermal import fv3d_report

    report = fv3d_report(design, layout, lateral_step_um=400)
    return {d.die_id: d.max_c for d in report.dies}


def test_the_air_gap_separates_the_memory_from_the_soc_and_underfill_couples_them() -> None:
    # 2 W in the SoC, none in the memory: across 30 um of air the top package runs cooler;
    # filling the interface with underfill (0.6 W/m·K, 23x air) brings it closer.
    design, layout = pop_example()
    air = _peaks(design, layout)
    filled = replace(design, rules=replace(design.rules, pop_interface_fill_material="underfill"))
    under = _peaks(filled, layout)
    assert air["DRAM0"] < air["SOC"] - 1.0
    assert air["SOC"] - air["DRAM0"] > under["SOC"] - under["DRAM0"]


def test_the_section_draws_the_two_packages() -> None:
    import xml.etree.ElementTree as ET

    from layoutopt.render import to_svg_section

    design, layout = pop_example()
    root = ET.fromstring(to_svg_section(design, layout))
    ns = "{http://www.w3.org/2000/svg}"
    groups = {g.get("id"): g for g in root.iter(f"{ns}g") if g.get("id")}
    for name in ("layer-pop-interface", "layer-pop-bottom-mold", "layer-pop-top-substrate"):
        assert name in groups, name
    # a cut through the middle meets the two-row ring twice on each side
    assert len(list(groups["layer-pop-balls"].iter(f"{ns}ellipse"))) == 4
    dims = [t.text for t in groups["pop-dimensions"].iter(f"{ns}text")]
    assert dims == ["interface 0.19 mm", "top substrate 0.1 mm"]
    # the first memory die's drawn joint is its DAF alone, not the interface under it
    die = groups["section-die-DRAM0"]
    assert "DAF 10 µm below" in die.find(f"{ns}title").text


def test_a_molded_bottom_package_adds_its_cap_under_the_top_substrate() -> None:
    # 50 um of bottom mold over the SoC (no exposed die): everything above moves up 50 um.
    design, layout = pop_example(pop_mold_cap_um=50)
    assert validate(design, layout) == ()
    assert layout.placement("DRAM0").z_bottom_um == 440 + 50 + 30 + 100 + 10
    names = [(layer.name, layer.thickness_um) for layer in stack_up(design, layout.placements)]
    assert ("bottom mold cap under DRAM0", 50) in names
    pop = pop_structure(design, layout)
    assert pop is not None
    assert (pop.mold_top_um, pop.top_substrate_bottom_um, pop.standoff_um) == (490, 520, 240)
    mold = {b.name: b for b in build_blocks(design, layout)}["pop.mold"]
    assert (mold.z0_um, mold.z1_um) == (280, 490)
