"""Bond fingers and wires: rows per tier, ring widths, and each wire's shape against
closed forms (docs/rules.md, *Fingers and wires*)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from layout_builders import LayoutBuilder, bonded_example, make_design, make_die, make_rules

from layoutopt.bonding import bond_plan, ring_rows, wire_summary
from layoutopt.model import Edge, FingerRows
from layoutopt.validate import _gap, _profile, finger_rings, validate


def test_each_tier_takes_the_next_row_out() -> None:
    design, layout = bonded_example()
    (edge,) = bond_plan(design, layout.placements)
    assert (edge.side, edge.rows, edge.dies) == (Edge.WEST, 2, ("DRAM0", "DRAM1"))
    rows = {d: {w.row for w in edge.wires if w.die_id == d} for d in edge.dies}
    assert rows == {"DRAM0": {0}, "DRAM1": {1}}
    # row j at 250 - 50 + 100 j from the stack's west edge (x 450)
    assert {f.x_um for f in edge.fingers if f.row == 0} == {250}
    assert {f.x_um for f in edge.fingers if f.row == 1} == {150}
    # the ring widens by one row pitch: 350 um, x 100..450
    (strip,) = finger_rings(design, layout)[0]
    assert strip[1].x_um == 100 and strip[1].width_um == 350


def test_wire_shape_matches_the_closed_form() -> None:
    # DRAM1: pad at the die edge x 600 (r = -150), z 380; loop 60 to 440; finger r = 300 at
    # z 280. A 45 deg descent needs 160 um of run-out, so the level run is 450 - 160 = 290.
    design, layout = bonded_example()
    (edge,) = bond_plan(design, layout.placements)
    w = next(w for w in edge.wires if w.die_id == "DRAM1")
    assert w.pad_um[0] == 600 and w.pad_um[2] == 380 and w.finger_um == (150, w.pad_um[1], 280)
    assert w.loop_height_um == 60 and w.run_um == pytest.approx(290)
    assert w.drop_angle_deg == pytest.approx(45)
    assert w.length_um == pytest.approx(60 + 290 + 160 * math.sqrt(2))


def test_a_finger_too_near_makes_the_descent_steeper() -> None:
    design, layout = bonded_example(max_drop_angle_deg=25.0)
    (edge,) = bond_plan(design, layout.placements)
    w = next(w for w in edge.wires if w.die_id == "DRAM0")
    # 110 um drop over the 200 um to row 0: atan(110 / 200), no level run
    assert w.run_um == 0 and w.drop_angle_deg == pytest.approx(math.degrees(math.atan2(110, 200)))


def test_clearance_over_a_lower_tier_is_the_step_or_the_row_pitch_times_tan() -> None:
    # Two level runs one die step apart, two parallel descents one row apart: the least gap
    # is min(z step, row pitch x tan(angle)), for any angle where both have a level run.
    for angle, pitch in ((45.0, 100), (30.0, 100), (45.0, 40), (60.0, 20)):
        design, layout = bonded_example(max_drop_angle_deg=angle, finger_row_pitch_um=pitch)
        (edge,) = bond_plan(design, layout.placements)
        up = next(w for w in edge.wires if w.die_id == "DRAM1")
        low = next(w for w in edge.wires if w.die_id == "DRAM0")
        expect = min(50, pitch * math.tan(math.radians(angle)))
        assert _gap(_profile(edge, up), _profile(edge, low)) == pytest.approx(expect)


def test_staggered_rows_put_fine_pitched_pads_straight_out() -> None:
    # 60 pads at 50 um: in line, 80 um fingers fan out; staggered, two rows of 100 um hold
    # them at the pads' own laterals, so the ring has two rows per tier.
    design, layout = bonded_example()
    dies = tuple(replace(d, pad_pitch_um=50) for d in design.dies)
    staggered = replace(
        design, dies=dies, rules=replace(design.rules, finger_rows=FingerRows.STAGGERED)
    )
    (edge,) = bond_plan(staggered, layout.placements)
    assert edge.rows == 4
    assert all(w.pad_um[1] == w.finger_um[1] for w in edge.wires)
    assert {w.row for w in edge.wires if w.die_id == "DRAM1"} == {2, 3}
    assert ring_rows(staggered, layout.placements) == {Edge.WEST: 4}
    inline = replace(design, dies=dies)
    (fanned,) = bond_plan(inline, layout.placements)
    ends = sorted(w.finger_um[1] for w in fanned.wires if w.die_id == "DRAM0")
    assert ends[1] - ends[0] == 80


def test_pop_memory_wires_land_on_the_top_package_substrate() -> None:
    rules = make_rules(
        "pop",
        pop_air_gap_um=30,
        top_substrate_thickness_um=100,
        max_dies_per_stack=2,
        stack_pairs=(("dram", "logic"),),
    )
    soc = make_die("SOC", "logic", 8000, 8000, 100, "flip_chip")
    dram = make_die(
        "DRAM0", "dram", 6000, 7000, 40, "wire_bond", pads="W", pad_count=4, pad_pitch_um=100
    )
    design = make_design("pop", (soc, dram), rules, max_thickness_um=1200)
    b = LayoutBuilder(design, package_um=(9000, 9000))
    b.place("SOC", 500, 500)
    b.place("DRAM0", 1500, 1000, on="SOC")
    layout = b.build()
    (edge,) = bond_plan(design, layout.placements)
    # the top of the top substrate, SoC top + air gap + substrate (under DRAM0's DAF), not
    # the bottom substrate at 280
    soc_top = layout.placement("SOC").z_top_um
    assert {f.z_um for f in edge.fingers} == {soc_top + 30 + 100}
    assert layout.placement("DRAM0").z_bottom_um == soc_top + 30 + 100 + 10
    assert validate(design, layout) == ()


def test_the_wire_summary_names_the_longest_and_the_steepest_wire() -> None:
    design, layout = bonded_example()
    wires = [w for edge in bond_plan(design, layout.placements) for w in edge.wires]
    summary = wire_summary(design, layout.placements)
    assert summary is not None and summary.count == len(wires) > 1
    assert summary.longest.length_um == max(w.length_um for w in wires)
    assert summary.steepest.drop_angle_deg == max(w.drop_angle_deg for w in wires)
    # DRAM1's wire (the closed form above) is longer than DRAM0's: it starts a tier higher
    assert summary.longest.die_id == "DRAM1"
    assert f"longest {summary.longest.length_um / 1000:.3f} mm (DRAM1" in summary.line()


def test_no_wire_bonded_die_no_wire_summary() -> None:
    design, _ = bonded_example()
    assert wire_summary(design, ()) is None
