"""The wires rule module alone (layoutopt.solver.rules.wires): fix a few variables, assert
feasible or infeasible at the boundary each rule draws."""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import box
from solver_fixtures import EPOP_RULES, rule_model, status

from layoutopt.model import BondType, Design, Die, DieKind, Edge, Envelope, FingerRows
from layoutopt.solver.rules import wires

# Base 250 um (balls 150 + substrate 100); test wire rules (E, as in layout_builders).
RULES = replace(
    EPOP_RULES,
    stack_pairs=((DieKind.DRAM, DieKind.DRAM),),
    finger_pitch_um=80,
    finger_row_pitch_um=100,
    finger_rows=FingerRows.STAGGERED,
    max_drop_angle_deg=45.0,
    max_wire_length_um=3000,
    wire_clearance_um=25,
)


def _dram(die_id: str, pads: int = 60, pitch: int = 50, thickness: int = 40) -> Die:
    return Die(
        die_id,
        "dram",
        DieKind.DRAM,
        4500,
        6000,
        thickness,
        0.05,
        85.0,
        BondType.WIRE_BOND,
        pad_edges=frozenset({Edge.WEST}),
        pad_count=pads,
        pad_pitch_um=pitch,
    )


def _design(*dies: Die, **rules: object) -> Design:
    return Design("w", dies, replace(RULES, **rules), Envelope(box(0, 0, 20000, 20000), 1000))


def _two_high(model, v, *, rotation: int = 0) -> None:  # type: ignore[no-untyped-def]
    """DRAM1 in DRAM0's stack, both turned ``rotation`` (pads west at 0)."""
    model.add(v.die("DRAM0").base == 1)
    model.add(v.die("DRAM1").member["DRAM0"] == 1)
    for name in ("DRAM0", "DRAM1"):
        model.add(v.die(name).rotation[rotation] == 1)


def test_each_bonding_tier_takes_its_rows() -> None:
    # Two dies bonding west, staggered: 4 rows, so the west ring is 250 + 3 x 100 wide.
    for rows, verdict in ((3, "infeasible"), (4, "feasible")):
        model, v, _ = rule_model(_design(_dram("DRAM0"), _dram("DRAM1")), wires)
        _two_high(model, v)
        model.add(v.stacks["DRAM0"].rows[Edge.WEST] == rows)
        assert status(model) == verdict, rows
    model, v, _ = rule_model(_design(_dram("DRAM0"), _dram("DRAM1")), wires)
    _two_high(model, v)
    model.add(v.stacks["DRAM0"].rows[Edge.WEST] == 4)
    model.add(v.stacks["DRAM0"].keep.x0 == v.stacks["DRAM0"].box.x0 - 549)
    assert status(model) == "infeasible"  # the keep region is as wide as the ring: 550


def test_a_wire_descends_no_steeper_than_the_angle() -> None:
    # DRAM0 alone, top at 290 um: drop 290 + 60 - 250 = 100 over the pad's inset plus the
    # innermost row (250 - 50 = 200): any inset >= -100 holds at 45 deg (tan in
    # thousandths: 999). With 85 deg the same wire needs far less; with 20 deg, 75 more.
    def verdict(angle: float, inset: int) -> str:
        model, v, _ = rule_model(_design(_dram("DRAM0"), max_drop_angle_deg=angle), wires)
        d = v.die("DRAM0")
        model.add(d.base == 1)
        model.add(d.rotation[0] == 1)
        model.add(d.z_um == 250)
        model.add(d.x_um - v.stacks["DRAM0"].box.x0 == inset)
        return status(model)

    # 1000 x 100 <= 363 x (inset + 200) at 20 deg (tan 0.36397): inset >= 76
    assert verdict(20.0, 70) == "infeasible"
    assert verdict(20.0, 80) == "feasible"
    assert verdict(45.0, 0) == "feasible"


def test_the_longest_wire_is_bounded_by_its_legs() -> None:
    # loop 60 + inset + outer row (200 + 100 (rows - 1)) + drop (top + 60 - 250) <= limit;
    # one die, staggered: 2 rows, outer row 300 out; top 290: drop 100 -> 460 + inset.
    def verdict(limit: int, inset: int) -> str:
        model, v, _ = rule_model(_design(_dram("DRAM0"), max_wire_length_um=limit), wires)
        d = v.die("DRAM0")
        model.add(d.base == 1)
        model.add(d.rotation[0] == 1)
        model.add(d.z_um == 250)
        model.add(v.stacks["DRAM0"].rows[Edge.WEST] == 2)
        model.add(d.x_um - v.stacks["DRAM0"].box.x0 == inset)
        return status(model)

    assert verdict(1000, 540) == "feasible"
    assert verdict(1000, 550) == "infeasible"


def test_dies_whose_wires_could_touch_keep_off_one_side_together() -> None:
    # Die tops 50 um apart (40 um dies on 10 um DAF) clear 25 um; a 60 um clearance
    # forbids two bonders on one side, a 50 um one does not.
    for need, verdict in ((50, "feasible"), (60, "infeasible")):
        model, v, _ = rule_model(
            _design(_dram("DRAM0"), _dram("DRAM1"), wire_clearance_um=need), wires
        )
        _two_high(model, v)
        assert status(model) == verdict, need


def test_a_fanned_die_bonds_alone_on_its_side() -> None:
    # 20 pads at 30 um in line with 80 um fingers fan out: its wires could cross another
    # tier's, so it does not share the west side; straight pads (60 um, staggered) may.
    fanned = _dram("DRAM1", pads=20, pitch=30)
    model, v, _ = rule_model(_design(_dram("DRAM0"), fanned), wires)
    _two_high(model, v)
    assert status(model) == "infeasible"
    model, v, _ = rule_model(_design(_dram("DRAM0"), _dram("DRAM1", pads=20, pitch=60)), wires)
    _two_high(model, v)
    assert status(model) == "feasible"


def test_a_fan_wider_than_its_edge_is_not_turned_that_way() -> None:
    # 90 pads at 30 um fan to 89 x 40 = 3.56 mm staggered: fits the 6 mm west edge; at
    # 80 um in line 7.12 mm does not, so no rotation may put those pads on a side.
    wide = _dram("DRAM0", pads=90, pitch=30)
    model, v, _ = rule_model(_design(wide, finger_rows=FingerRows.INLINE), wires)
    model.add(v.die("DRAM0").base == 1)
    assert status(model) == "infeasible"
    model, v, _ = rule_model(_design(wide), wires)
    model.add(v.die("DRAM0").base == 1)
    assert status(model) == "feasible"


def test_an_outline_too_tight_for_the_finger_rows_is_explained_with_the_ring() -> None:
    # The smart-glasses dies need 7.35 x 8.85 mm with two bonding tiers per side (four
    # staggered rows); a 7.2 x 8.7 mm envelope held them before rows widened the rings.
    from layoutopt.design_file import design_from_text
    from layoutopt.solver import SolveOptions, solve

    design = design_from_text(
        """
        process: epop
        dies: [{part: lpddr4x_16gb}, {part: nand_tlc_512gb}, {part: emmc_controller}]
        envelope: {outline: {width: "7.2 mm", length: "8.7 mm"}, max_thickness: "0.6 mm"}
        """
    )
    result = solve(design, SolveOptions(time_limit_s=20, workers=1, thermal=False))
    assert result.status.value == "infeasible"
    text = " ".join(result.explanation)
    assert "the bond-finger rings" in text and "100 µm per further finger row" in text
    assert "finger ring of stack" in text  # the ring that breaks, with its numbers
