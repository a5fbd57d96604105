"""The validator's shared ring geometry, its entry points and its sync with docs/rules.md."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from layout_builders import (
    LayoutBuilder,
    double_sided_example,
    epop_example,
    make_design,
    make_die,
    make_rules,
    sip_example,
    with_placement,
)

from layoutopt.errors import InternalError
from layoutopt.model import Edge, Rect
from layoutopt.validate import (
    RULES,
    Violation,
    check,
    finger_rings,
    validate,
)

RULES_MD = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_rule_ids_follow_the_specification_table_in_order() -> None:
    ids = re.findall(r"^\| `([a-z_]+)` \|", RULES_MD.read_text(encoding="utf-8"), re.MULTILINE)
    assert tuple(ids) == RULES


def test_finger_rings_of_the_epop_staircase() -> None:
    design, layout = epop_example()
    # Stack 0 spans x 350..6000, y 200..7200; pads west: a 250 um strip west of it.
    assert finger_rings(design, layout) == {0: [(Edge.WEST, Rect(100, 200, 250, 7000))], 1: []}


def test_finger_rings_turn_with_the_die_and_skip_bottom_side() -> None:
    design, layout = sip_example()
    turned = with_placement(layout, "DRAM0", rotation_deg=180, width_um=6500, length_um=8000)
    rings = finger_rings(design, turned)
    assert rings[1] == [(Edge.EAST, Rect(13250, 200, 250, 8000))]
    assert rings[0] == rings[2] == rings[3] == []  # flip-chip and SMT: no fingers
    design, layout = double_sided_example()
    assert all(r == [] for r in finger_rings(design, layout).values())


def test_spacing_is_kept_between_keep_regions_with_rings_and_fillets() -> None:
    # Stack 0's box ends at y 7200 (its ring is on the west); CTRL0 is flip-chip, so its
    # keep region grows by the 100 um fillet: legal exactly at the spacing, not 10 um closer.
    design, layout = epop_example()
    need = max(design.rules.spacing_um(d.kind, design.die("CTRL0").kind) for d in design.dies)
    at = 7200 + design.rules.underfill_fillet_um + need
    assert [v.rule for v in validate(design, with_placement(layout, "CTRL0", y_um=at))] != [
        "spacing"
    ]
    closer = validate(design, with_placement(layout, "CTRL0", y_um=at - 10))
    assert ("spacing", 10) in [(v.rule, v.excess_um) for v in closer]


def test_check_passes_a_legal_layout_and_raises_on_a_broken_one() -> None:
    design, layout = epop_example()
    check(design, layout)
    broken = with_placement(layout, "CTRL0", y_um=7400, z_bottom_um=350)
    with pytest.raises(InternalError) as info:
        check(design, broken)
    text = str(info.value)
    assert "breaks 2 layout rule(s)" in text
    assert "[spacing] stack 0 (NAND0) and stack 1 (CTRL0) are 100 um apart" in text
    assert "[z] die CTRL0 has z_bottom 350 um" in text
    assert text.index("[spacing]") < text.index("[z]")  # in the specification's order
    assert "bug" in text


def test_violation_is_a_readable_frozen_value() -> None:
    v = Violation("z", "die A has z_bottom 1 um; rule gives 2 um", ("A",), 1)
    assert str(v) == "[z] die A has z_bottom 1 um; rule gives 2 um"
    with pytest.raises(AttributeError):
        v.rule = "spacing"  # type: ignore[misc]
    assert hash(v) == hash(replace(v))


def test_vertical_wire_dies_have_no_finger_ring_but_need_pad_exposure() -> None:
    # Fan-out: dies in mold connect through vertical wires, not substrate fingers.
    rules = make_rules(
        "foms", max_dies_per_stack=2, stack_pairs=(("dram", "dram"),), vertical_wire_gap_um=10
    )
    dies = (
        make_die("D0", "dram", 4000, 5000, 40, "vertical_wire", pads="W"),
        make_die("D1", "dram", 4000, 5000, 40, "vertical_wire", pads="W"),
    )
    design = make_design("foms_test", dies, rules)
    b = LayoutBuilder(design, (4600, 5400)).place("D0", 200, 200)
    layout = b.place("D1", 350, 200, on="D0").build()
    assert finger_rings(design, layout) == {0: []}
    assert validate(design, layout) == ()
    found = validate(design, with_placement(layout, "D1", x_um=300))
    assert [(v.rule, v.excess_um) for v in found] == [("pad_exposure", 50)]


def test_zero_width_ring_means_no_ring() -> None:
    # Without finger rings the stack only keeps the die-edge distance (200 um), not the
    # 100 um finger-to-edge distance measured from a ring that does not exist.
    design, layout = epop_example(bond_finger_ring_um=0, finger_edge_keepout_um=300)
    assert finger_rings(design, layout) == {0: [], 1: []}
    moved = layout
    for die_id in ("NAND0", "NAND1", "DRAM0"):
        moved = with_placement(moved, die_id, x_um=moved.placement(die_id).x_um - 150)
    assert validate(design, moved) == ()
    design, _ = epop_example(finger_edge_keepout_um=300)
    assert [v.rule for v in validate(design, moved)] == ["finger_ring"]
