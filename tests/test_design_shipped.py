"""Every shipped design loads, stays small, and its thickness arithmetic holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from layoutopt.design_file import load_design
from layoutopt.model import Family

DESIGNS = Path(__file__).resolve().parent.parent / "designs"
FILES = sorted(DESIGNS.glob("*.yaml"))


def test_the_expected_designs_ship():
    names = {p.stem for p in FILES}
    assert names == {
        "smart_glasses_epop",
        "wearable_sip",
        "ai_phone_foms_r_lpddr",
        "ai_pc_cmc",
        "hbm_12hi_mr_muf",
        "hbm_12hi_tc_ncf",
        "phone_pop",
    }
    readme = (DESIGNS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{p.name}`" in readme for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_design_loads_and_is_small(path: Path):
    design = load_design(path)
    assert design.name == path.stem
    limit = 30 if design.family is Family.SIP else 13
    assert 1 <= len(design.dies) <= limit
    assert path.read_text(encoding="utf-8").lstrip().startswith("#"), "header names the product"


def _stack_height_um(design, die_ids):
    """Package thickness with ``die_ids`` stacked bottom to top (docs/rules.md 'z', 'thickness')."""
    rules = design.rules
    if rules.fan_out.flipped:  # tier 0 at the package top, the last die over the RDL
        dies = [design.die(i) for i in die_ids]
        joints = sum(rules.joint_um(up, lo) for up, lo in zip(dies[1:], dies, strict=False))
        return (
            rules.base_thickness_um
            + rules.vertical_wire_standoff_um
            + sum(d.thickness_um for d in dies)
            + joints
            + rules.top_clearance_um(dies[0])
        )
    z = rules.base_thickness_um
    below = None
    top = 0
    for die_id in die_ids:
        die = design.die(die_id)
        z += rules.joint_um(die, below) + die.thickness_um
        top = z + rules.top_clearance_um(die)
        below = die
    return top


def test_smart_glasses_epop_fits_0_6_mm_with_all_dies_stacked():
    design = load_design(DESIGNS / "smart_glasses_epop.yaml")
    assert design.envelope.max_thickness_um == 600
    ids = ["NAND0", "DRAM0", "CTRL0"]
    for upper, lower in zip(ids[1:], ids, strict=False):
        assert design.rules.can_stack(design.die(upper).kind, design.die(lower).kind)
    assert _stack_height_um(design, ids) == 580  # the sum in the file's header comment
    assert len(ids) <= design.rules.max_dies_per_stack


@pytest.mark.parametrize(
    ("name", "order", "expected_um"),
    [
        ("hbm_12hi_mr_muf", ["BASE0"] + [f"CORE{i}" for i in range(12)], 624),
        ("hbm_12hi_tc_ncf", ["BASE0"] + [f"CORE{i}" for i in range(12)], 504),
        ("phone_pop", ["SOC0", "DRAM0", "DRAM1", "DRAM2", "DRAM3"], 950),
        ("ai_phone_foms_r_lpddr", ["DRAM0", "DRAM1", "DRAM2", "DRAM3"], 450),
    ],
)
def test_header_arithmetic(name, order, expected_um):
    design = load_design(DESIGNS / f"{name}.yaml")
    height = _stack_height_um(design, order)
    assert height == expected_um
    assert height <= design.envelope.max_thickness_um


def test_hbm_mr_muf_needs_the_thinnest_core_dies():
    design = load_design(DESIGNS / "hbm_12hi_mr_muf.yaml")
    core = design.die("CORE0")
    assert core.allowed_thickness_um == (30, 40, 50)
    rules = design.rules
    base = design.die("BASE0").thickness_um
    assert base + 12 * (rules.bond_line_um + 40) > rules.max_stack_height_um
    assert base + 12 * (rules.bond_line_um + 30) <= rules.max_stack_height_um


def test_cmc_memory_dies_carry_phy_and_bandwidth():
    design = load_design(DESIGNS / "ai_pc_cmc.yaml")
    drams = [d for d in design.dies if d.id.startswith("DRAM")]
    assert len(drams) == 4
    assert all(d.phy_edges and d.bandwidth_gbps > 0 and not d.pad_edges for d in drams)
