"""One test per violation kind: break exactly one rule of a legal layout and find it.

Each case perturbs a legal example (``layout_builders``) and states which rule ids must
appear (and no others), a fragment of the message with the numbers, and the excess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from layout_builders import (
    LayoutBuilder,
    ballout_example,
    bonded_example,
    cmc_example,
    double_sided_example,
    epop_example,
    hybrid_stack_example,
    make_design,
    make_die,
    make_rules,
    pop_example,
    sip_example,
    tsv_example,
    with_placement,
)
from shapely.geometry import box

from layoutopt.model import BallSpec, Design, Die, HeightZone, Layout, Placement, Rect, Side
from layoutopt.validate import RULES, validate

Build = Callable[[], tuple[Design, Layout]]


@dataclass(frozen=True)
class Case:
    build: Build
    rules: frozenset[str]  # exactly these rule ids are reported
    fragment: str  # appears in one message of the first rule
    excess_um: int | None = None  # that message's excess, when given
    die_ids: tuple[str, ...] | None = None


def _set_rules(example: Callable[..., tuple[Design, Layout]], **changes: object) -> Build:
    """The example's legal layout, validated against changed rules of its design."""

    def build() -> tuple[Design, Layout]:
        design, layout = example()
        return replace(design, rules=replace(design.rules, **changes)), layout

    return build


def _moved(example: Callable[..., tuple[Design, Layout]], die_id: str, **changes: object) -> Build:
    def build() -> tuple[Design, Layout]:
        design, layout = example()
        return design, with_placement(layout, die_id, **changes)

    return build


def _layout(example: Callable[..., tuple[Design, Layout]], **changes: object) -> Build:
    def build() -> tuple[Design, Layout]:
        design, layout = example()
        return design, replace(layout, **changes)

    return build


def _envelope(example: Callable[..., tuple[Design, Layout]], **changes: object) -> Build:
    def build() -> tuple[Design, Layout]:
        design, layout = example()
        return replace(design, envelope=replace(design.envelope, **changes)), layout

    return build


# --- builds that need more than one change ------------------------------------------------


def _missing_die() -> tuple[Design, Layout]:
    design, layout = epop_example()
    return design, replace(
        layout, placements=tuple(p for p in layout.placements if p.die_id != "CTRL0")
    )


def _duplicate_die() -> tuple[Design, Layout]:
    design, layout = epop_example()
    return design, replace(layout, placements=(*layout.placements, layout.placement("CTRL0")))


def _unknown_die() -> tuple[Design, Layout]:
    design, layout = epop_example()
    ghost = Placement("GHOST", 3000, 3000, 100, 100, 0, 300, 50, stack=9, tier=0)
    return design, replace(layout, placements=(*layout.placements, ghost))


def _stack_moved_west(dx_um: int) -> Build:
    def build() -> tuple[Design, Layout]:
        design, layout = epop_example()
        for die_id in ("NAND0", "NAND1", "DRAM0"):
            layout = with_placement(layout, die_id, x_um=layout.placement(die_id).x_um - dx_um)
        return design, layout

    return build


def _dram_pads_east_overhanging() -> tuple[Design, Layout]:
    # DRAM0 with its pads east, reaching 300 um past NAND1's east edge; overhang allows
    # 500 um here, so only the unsupported pad row is wrong.
    design, layout = epop_example(max_overhang_um=500)
    dies = tuple(
        make_die("DRAM0", "dram", 4500, 6000, 40, "wire_bond", pads="E") if d.id == "DRAM0" else d
        for d in design.dies
    )
    design = replace(design, dies=dies)
    return design, with_placement(layout, "DRAM0", x_um=1800)


def _controller_on_dram() -> tuple[Design, Layout]:
    design, _ = epop_example(
        stack_pairs=(("nand", "nand"), ("dram", "nand"), ("controller", "dram"))
    )
    design = replace(design, envelope=replace(design.envelope, max_thickness_um=1000))
    b = LayoutBuilder(design, package_um=(8000, 10000))
    b.place("NAND0", 350, 200)
    b.place("NAND1", 500, 200, on="NAND0")
    b.place("DRAM0", 650, 400, on="NAND1")
    b.place("CTRL0", 1000, 1000, on="DRAM0")
    return design, b.build()


def _micro_bump_base() -> tuple[Design, Layout]:
    design, _ = tsv_example()
    dies = tuple(
        replace(d, bond=make_die("x", "dram", 1, 1, 1, "micro_bump").bond) if d.id == "BASE" else d
        for d in design.dies
    )
    design = replace(design, dies=dies)
    b = LayoutBuilder(design, package_um=(10400, 11400))
    b.place("BASE", 200, 200)
    below = "BASE"
    for i in range(4):
        b.place(f"CORE{i}", 200, 200, on=below, thickness_um=30 if i == 3 else None)
        below = f"CORE{i}"
    return design, b.build()


def _mixed_sides() -> tuple[Design, Layout]:
    design, layout = double_sided_example()
    return design, with_placement(layout, "C2", stack=0, tier=1, on_die="SOC")


def _bottom_too_tall_for_balls() -> tuple[Design, Layout]:
    design, _ = double_sided_example(ball_height_um=150)
    b = LayoutBuilder(design, package_um=(4400, 4400))
    b.place("SOC", 200, 200)
    b.place("C1", 1000, 1000, side=Side.BOTTOM)
    b.place("C2", 1800, 1000, side=Side.BOTTOM)
    return design, b.build()


def _thicker_nand() -> tuple[Design, Layout]:
    design, _ = epop_example()
    b = LayoutBuilder(design, package_um=(8000, 10000))
    b.place("NAND0", 350, 200, thickness_um=45)
    b.place("NAND1", 500, 200, on="NAND0")
    b.place("DRAM0", 650, 400, on="NAND1")
    b.place("CTRL0", 3000, 7600)
    return design, b.build()


def _core_not_allowed_thickness() -> tuple[Design, Layout]:
    design, _ = tsv_example()
    b = LayoutBuilder(design, package_um=(10400, 11400))
    b.place("BASE", 200, 200)
    below = "BASE"
    for i in range(4):
        b.place(f"CORE{i}", 200, 200, on=below, thickness_um=35 if i == 3 else None)
        below = f"CORE{i}"
    return design, b.build()


def _budget_without_mold() -> tuple[Design, Layout]:
    design, layout = epop_example()
    return design, replace(layout, stack_up=layout.stack_up[:-1])


def _memory_beside_not_facing() -> tuple[Design, Layout]:
    # MEM's PHY edge faces east, the compute die is east of it but 300 um lower: they
    # do not face each other along the edge.
    rules = make_rules("cmc", die_spacing_um=50, underfill_fillet_um=50, max_die_to_die_um=200)
    dies = (
        make_die("GPU", "logic", 4000, 4000, 100, "flip_chip", power_w=20.0),
        make_die("MEM", "dram", 2000, 2000, 100, "flip_chip", phy="E"),
    )
    design = make_design("cmc_offset", dies, rules)
    b = LayoutBuilder(design, package_um=(6600, 6700))
    b.place("MEM", 200, 4500)
    b.place("GPU", 2350, 200)
    return design, b.build()


# --- bond fingers, wires and balls ---------------------------------------------------------


def _fanned_fingers() -> tuple[Design, Layout]:
    # 90 pads at 30 um on each 6 mm west edge: in-line fingers at 80 um fan out to
    # 89 x 80 = 7.12 mm about the pads' centre, 560 um past each end of the 6 mm side.
    # Both dies fan alike about the same centre, so their wires keep their order.
    design, _ = bonded_example()
    dies = tuple(replace(d, pad_count=90, pad_pitch_um=30) for d in design.dies)
    design = replace(design, dies=dies)
    b = LayoutBuilder(design, package_um=(6000, 6500))
    b.place("DRAM0", 450, 250)
    b.place("DRAM1", 600, 250, on="DRAM0")
    return design, b.build()


def _crossing_fans() -> tuple[Design, Layout]:
    # DRAM1 fans its 40 pads (30 um) out to 80 um fingers about its pad centre, DRAM0's
    # wires run straight: DRAM1's outer wires cross DRAM0's in plan.
    design, _ = bonded_example()
    dies = tuple(
        replace(d, pad_count=40, pad_pitch_um=30) if d.id == "DRAM1" else d for d in design.dies
    )
    design = replace(design, dies=dies)
    b = LayoutBuilder(design, package_um=(6000, 6500))
    b.place("DRAM0", 450, 250)
    b.place("DRAM1", 600, 250, on="DRAM0")
    return design, b.build()


def _without_ball_map() -> tuple[Design, Layout]:
    design, layout = ballout_example()
    return design, replace(layout, ball_map=None)


def _balls_under_the_passive() -> tuple[Design, Layout]:
    design, layout = ballout_example()
    assert layout.ball_map is not None
    full = replace(layout.ball_map.arrays[0], depopulated=())
    return design, replace(layout, ball_map=replace(layout.ball_map, arrays=(full,)))


def _balls_in_a_keepout() -> tuple[Design, Layout]:
    # A 1 x 1 mm void 1.5 mm east of the centre, added after the map was made.
    design, layout = ballout_example()
    return replace(
        design, balls=replace(design.balls, keepouts=(Rect(1000, -500, 1000, 1000),))
    ), layout


def _pop_with(die: Die, x_um: int, y_um: int) -> tuple[Design, Layout]:
    """The PoP example with one more die on the bottom substrate at ``(x_um, y_um)``."""
    design, _ = pop_example()
    design = replace(design, dies=(*design.dies, die))
    b = LayoutBuilder(design, package_um=(10500, 10500))
    b.place("SOC", 2250, 2250)
    b.place("DRAM0", 2500, 2250, on="SOC")
    b.place("DRAM1", 2650, 2250, on="DRAM0")
    b.place(die.id, x_um, y_um)
    return design, b.build()


def _pop_wire_bond_on_bottom_substrate() -> tuple[Design, Layout]:
    # A wire-bonded PMIC in the corner of the bottom package: its fingers (250..500 in x)
    # would be on the bottom substrate. Keep regions 250..1500 and 1900.. stay 400 apart.
    pmic = make_die("PMIC0", "pmic", 1000, 1000, 100, "wire_bond", pads="W")
    return _pop_with(pmic, 500, 500)


def _pop_tall_bottom_part() -> tuple[Design, Layout]:
    # A 300 um passive on 20 um solder tops out at 280 + 20 + 300 = 600 um; the top
    # substrate starts 30 um over the SoC's 440 um top: 600 + 30 - 470 = 160 um too low.
    cap = make_die("C0", "passive", 600, 300, 300, "smt", power_w=0.0)
    return _pop_with(cap, 1000, 4000)


CASES: dict[str, Case] = {
    # placement
    "missing die": Case(_missing_die, frozenset({"placement"}), "die CTRL0 is not placed"),
    "die placed twice": Case(
        _duplicate_die, frozenset({"placement"}), "die CTRL0 is placed 2 times"
    ),
    "unknown die": Case(_unknown_die, frozenset({"placement"}), "unknown die GHOST"),
    "bad rotation": Case(
        _moved(epop_example, "CTRL0", rotation_deg=45),
        frozenset({"placement"}),
        "die CTRL0 has rotation 45 deg",
    ),
    "size does not match rotation": Case(
        _moved(sip_example, "C0", rotation_deg=0),
        frozenset({"placement"}),
        "die C0 is placed as 300 x 600 um at rotation 0 deg; the die is 600 x 300 um",
        300,
    ),
    "unknown side": Case(
        _moved(epop_example, "CTRL0", side="left"),
        frozenset({"placement"}),
        "die CTRL0 is on side 'left'",
    ),
    # package and envelope
    "package off grid": Case(
        _layout(epop_example, package=replace(epop_example()[1].package, width_um=8030)),
        frozenset({"package_grid"}),
        "package width 8030 um is not a multiple of the 50 um package grid "
        "(nearest: 8000 or 8050 um)",
        30,
    ),
    "outside outline": Case(
        _envelope(epop_example, outline=box(0, 0, 7900, 20000)),
        frozenset({"outline"}),
        "reaches outside the envelope outline by up to 100 um (1.000 mm2 outside)",
        100,
    ),
    "over keep-out": Case(
        _envelope(epop_example, keepouts=(box(7000, 9000, 9000, 11000),), keepout_names=("hinge",)),
        frozenset({"keepout"}),
        "package overlaps keep-out 0 (hinge) over 1.000 mm2, 1000 um deep",
        1000,
    ),
    "too thick in height zone": Case(
        _envelope(
            epop_example,
            height_zones=(HeightZone(box(0, 9500, 8000, 12000), 550, "hinge"),),
        ),
        frozenset({"height_zone"}),
        "package is 590 um thick and overlaps height zone 0 (hinge); rule allows <= 550 um",
        40,
    ),
    "die near package edge": Case(
        _moved(epop_example, "CTRL0", x_um=5900),
        frozenset({"die_edge"}),
        "die CTRL0 is 100 um from the package edge on the east; rule needs >= 200 um",
        100,
        ("CTRL0",),
    ),
    # stacking
    "tier gap": Case(
        _moved(epop_example, "DRAM0", tier=3),
        frozenset({"stack_order"}),
        "die DRAM0 at tier 3 of stack 0 (NAND0) sits on NAND1; tier 2 holds no single die",
    ),
    "too many dies in a stack": Case(
        _set_rules(epop_example, max_dies_per_stack=2),
        frozenset({"stack_order"}),
        "stack 0 (NAND0) holds 3 dies; rule allows <= 2",
    ),
    "kinds may not stack": Case(
        _set_rules(epop_example, stack_pairs=(("nand", "nand"),)),
        frozenset({"stack_order"}),
        "die DRAM0 (dram) sits on die NAND1 (nand); the epop rules do not allow dram on nand",
    ),
    "tier 0 on a die": Case(
        _moved(epop_example, "NAND0", on_die="CTRL0"),
        frozenset({"stack_order"}),
        "die NAND0 at tier 0 of stack 0 (NAND0) sits on CTRL0",
    ),
    "flip chip above tier 0": Case(
        _controller_on_dram,
        frozenset({"stack_order"}),
        "die CTRL0 (bond flip_chip) is at tier 3 of stack 0 (NAND0)",
    ),
    "micro bump at tier 0": Case(
        _micro_bump_base,
        frozenset({"stack_order"}),
        "die BASE (bond micro_bump) is at tier 0 of stack 0 (BASE)",
    ),
    "bottom side not allowed": Case(
        _set_rules(double_sided_example, double_sided=False),
        frozenset({"stack_order"}),
        "die C1 is on the bottom side; the sip rules are not double-sided",
    ),
    "stack on two sides": Case(
        _mixed_sides,
        frozenset({"stack_order"}),
        "stack 0 (SOC) has dies on different sides (bottom: C2; top: SOC)",
    ),
    "overhang": Case(
        _moved(epop_example, "DRAM0", x_um=1800),
        frozenset({"overhang"}),
        "die DRAM0 reaches 300 um past die NAND1 on the east; rule allows <= 200 um",
        100,
        ("DRAM0", "NAND1"),
    ),
    "pads covered": Case(
        _moved(epop_example, "DRAM0", x_um=600),
        frozenset({"pad_exposure"}),
        "die DRAM0 stands back 100 um from the west pad edge of die NAND1; rule needs >= 150 um",
        50,
    ),
    "pads unsupported": Case(
        _dram_pads_east_overhanging,
        frozenset({"pad_support"}),
        "the east pad edge of die DRAM0 reaches 300 um past die NAND1 below it",
        300,
    ),
    "turn without turning": Case(
        lambda: (
            epop_example(film_over_wire_um=10)[0],
            with_placement(epop_example()[1], "DRAM0", film_over_wire=True),
        ),
        frozenset({"film_over_wire"}),
        "die DRAM0 turns the staircase on die NAND1 but both have pads on the west",
    ),
    "finger ring near package edge": Case(
        _stack_moved_west(100),
        frozenset({"finger_ring"}),
        "the west finger ring of stack 0 (NAND0) is 0 um from the package edge on the "
        "west; rule needs >= 100 um",
        100,
        ("NAND0", "NAND1", "DRAM0"),
    ),
    "finger ring in a fillet": Case(
        hybrid_stack_example,
        frozenset({"finger_fillet"}),
        "the west finger ring of stack 0 (SOC) lies inside the underfill fillet of SOC "
        "(100 um around the die) at x = 900..1000 um",
        100,
        ("DRAM0", "SOC"),
    ),
    "stacks too close": Case(
        _moved(epop_example, "CTRL0", y_um=7400),
        frozenset({"spacing"}),
        "stack 0 (NAND0) and stack 1 (CTRL0) are 100 um apart (keep regions); rule needs >= 200 um",
        100,
        ("NAND0", "NAND1", "DRAM0", "CTRL0"),
    ),
    "pair spacing override": Case(
        _moved(sip_example, "C0", y_um=6400),
        frozenset({"spacing"}),
        "stack 0 (SOC) and stack 3 (C0) are 100 um apart (keep regions); rule needs >= 150 um",
        50,
    ),
    "bottom parts too close": Case(
        _moved(double_sided_example, "C2", x_um=1700),
        frozenset({"spacing"}),
        "stack 1 (C1) and stack 2 (C2) are 100 um apart (keep regions); rule needs >= 200 um",
        100,
    ),
    "stacks overlap": Case(
        _moved(epop_example, "CTRL0", y_um=6000),
        frozenset({"spacing"}),
        "stack 0 (NAND0) and stack 1 (CTRL0) overlap by 1300 um (keep regions)",
        1500,
    ),
    # vertical
    "wrong z": Case(
        _moved(epop_example, "CTRL0", z_bottom_um=350),
        frozenset({"z"}),
        "die CTRL0 has z_bottom 350 um; rule gives 340 um (base 280 um + joint 60 um)",
        10,
    ),
    "bottom part too tall": Case(
        _set_rules(double_sided_example, bottom_side_max_height_um=160),
        frozenset({"z"}),
        "bottom-side die C1 is 170 um tall with its joint; rule allows <= 160 um",
        10,
    ),
    "bottom part taller than balls": Case(
        _bottom_too_tall_for_balls,
        frozenset({"z"}),
        "bottom-side die C1 needs 170 um (joint 20 um + die 150 um); the balls give 150 um",
        20,
    ),
    "die too thick": Case(
        _thicker_nand,
        frozenset({"die_thickness"}),
        "die NAND0 is 45 um thick; the design allows 40 um",
        5,
    ),
    "core die not an allowed thickness": Case(
        _core_not_allowed_thickness,
        frozenset({"die_thickness"}),
        "die CORE3 is 35 um thick; the design allows one of 30, 40, 50 um",
        5,
    ),
    "thickness does not match stack": Case(
        _layout(epop_example, thickness_um=600),
        frozenset({"thickness"}),
        "layout thickness is 600 um; the stack gives 590 um (top of die DRAM0 at 430 um + "
        "clearance 160 um)",
        10,
    ),
    "thicker than envelope": Case(
        _envelope(epop_example, max_thickness_um=580),
        frozenset({"thickness"}),
        "package is 590 um thick; envelope allows <= 580 um",
        10,
    ),
    "budget does not add up": Case(
        _budget_without_mold,
        frozenset({"thickness"}),
        "thickness budget layers sum to 430 um; layout thickness is 590 um",
        160,
    ),
    "stack too tall": Case(
        _set_rules(tsv_example, max_stack_height_um=300),
        frozenset({"stack_height"}),
        "stack 0 (BASE) is 320 um tall (tier 0 bottom to top of CORE3); rule allows <= 300 um",
        20,
    ),
    # CMC
    "phy faces away": Case(
        _moved(cmc_example, "HBM1", rotation_deg=0),
        frozenset({"phy_facing"}),
        "compute die GPU is not entirely east of the east PHY edge of die HBM1",
        18150,
        ("HBM1", "GPU"),
    ),
    "memory too far": Case(
        _set_rules(cmc_example, max_die_to_die_um=120),
        frozenset({"phy_facing"}),
        "die HBM0 is 150 um from compute die GPU across its east PHY edge; rule allows <= 120 um",
        30,
    ),
    "phy misses the compute die": Case(
        _memory_beside_not_facing,
        frozenset({"phy_facing"}),
        "the east PHY edge of die MEM and compute die GPU do not face each other "
        "(they miss by 300 um along the edge)",
        301,
    ),
    # wire_reach: DRAM0's west pads sit 300 um inside the staircase's west edge
    "wire span too long": Case(
        _set_rules(epop_example, max_wire_span_um=250),
        frozenset({"wire_reach"}),
        "the west pad edge of die DRAM0 is 300 um inside",
        excess_um=50,
        die_ids=("DRAM0",),
    ),
    # Bond fingers and wires (bonded_example: a two-die staircase bonding west)
    "fingers past the side": Case(
        _fanned_fingers,
        frozenset({"finger_fit"}),
        "the 90 west fingers of die DRAM1 reach 560 um past the west side",
        560,
        ("DRAM1",),
    ),
    "wires too steep": Case(
        _set_rules(bonded_example, max_drop_angle_deg=25.0),
        frozenset({"wire_drop"}),
        "the west wires of die DRAM0 (tier 0) drop 110 um from their loop to the finger row "
        "200 um out: 28.8 deg",
        36,
        ("DRAM0",),
    ),
    "wires too long": Case(
        _set_rules(bonded_example, max_wire_length_um=500),
        frozenset({"wire_length"}),
        "the longest of the 60 west wires of die DRAM1 (tier 1, to finger row 1) is 0.576 mm",
        77,
        ("DRAM1",),
    ),
    "wire over wire too close": Case(
        _set_rules(bonded_example, wire_clearance_um=60),
        frozenset({"wire_clearance"}),
        "the west wires of die DRAM1 pass 50.0 um over those of die DRAM0",
        10,
        ("DRAM1", "DRAM0"),
    ),
    "wires cross between tiers": Case(
        _crossing_fans,
        frozenset({"wire_crossing"}),
        "west wires of die DRAM1 cross wires of die DRAM0 in plan",
        None,
        ("DRAM1", "DRAM0"),
    ),
    # Ball map (ballout_example: a 0.4 mm full array, one bottom-side passive)
    "no ball map": Case(
        _without_ball_map,
        frozenset({"ball_map"}),
        "the layout has no board ball array; the design needs 100 balls at 400 um pitch",
    ),
    "too few balls": Case(
        lambda: (
            replace(ballout_example()[0], balls=BallSpec(count=120)),
            ballout_example()[1],
        ),
        frozenset({"ball_count"}),
        "package 5 x 5 mm holds 114 board balls (11 x 11 sites at 400 um pitch, full array, "
        "7 depopulated); the design needs 120 (given by the design)",
        6,
    ),
    "balls under a bottom-side part": Case(
        _balls_under_the_passive,
        frozenset({"ball_clearance"}),
        "7 board balls come within 250 um of bottom-side die C0",
        None,
        ("C0",),
    ),
    "balls in a keep-out": Case(
        _balls_in_a_keepout,
        frozenset({"ball_clearance"}),
        "board balls come within 250 um of ball keep-out",
    ),
    # pop_package
    "pop memory wired to the bottom substrate": Case(
        _pop_wire_bond_on_bottom_substrate,
        frozenset({"pop_package"}),
        "die PMIC0 is wire-bonded in the bottom package",
        die_ids=("PMIC0",),
    ),
    "pop bottom part under the top substrate": Case(
        _pop_tall_bottom_part,
        frozenset({"pop_package"}),
        "bottom-package die C0 tops out at 600 um",
        160,
    ),
    "pop ring over the bottom mold": Case(
        _set_rules(pop_example, pop_mold_margin_um=1100),
        frozenset({"pop_package", "ball_clearance"}),
        "sites of the interface ring fall on the bottom mold",
    ),
    "ball array off centre": Case(
        lambda: (
            ballout_example()[0],
            replace(
                ballout_example()[1],
                package=Rect(0, 0, 5100, 5000),
            ),
        ),
        frozenset({"ball_map"}),
        "the board ball array is -50 um off the package centre in x",
        50,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_breaking_one_rule_reports_that_rule(name: str) -> None:
    case = CASES[name]
    design, layout = case.build()
    found = validate(design, layout)
    assert {v.rule for v in found} == case.rules, [str(v) for v in found]
    matching = [v for v in found if case.fragment in v.message]
    assert matching, [str(v) for v in found]
    if case.excess_um is not None:
        assert matching[0].excess_um == case.excess_um
    if case.die_ids is not None:
        assert matching[0].die_ids == case.die_ids


def test_every_rule_has_a_violation_case() -> None:
    covered = {rule for case in CASES.values() for rule in case.rules}
    assert covered == set(RULES)


def test_phy_facing_applies_to_cmc_only() -> None:
    design, layout = _moved(cmc_example, "HBM1", rotation_deg=0)()
    design = replace(design, rules=replace(design.rules, family=make_rules("sip").family))
    assert validate(design, layout) == ()


def test_height_zone_merely_touching_the_package_does_not_apply() -> None:
    design, layout = _envelope(
        epop_example, height_zones=(HeightZone(box(0, 10000, 8000, 12000), 550),)
    )()
    assert validate(design, layout) == ()


def test_keepout_merely_touching_the_package_is_legal() -> None:
    design, layout = _envelope(epop_example, keepouts=(box(8000, 0, 9000, 10000),))()
    assert validate(design, layout) == ()


def test_unknown_and_missing_dies_do_not_crash_other_rules() -> None:
    design, layout = epop_example()
    ghost = Placement("GHOST", -500, -500, 10, 10, 33, -5, 1, stack=0, tier=7, on_die="X")
    mangled = replace(
        layout,
        placements=(ghost, *(p for p in layout.placements if p.die_id != "NAND1")),
    )
    found = validate(design, mangled)
    assert {"placement", "stack_order"} <= {v.rule for v in found}
    assert any("die NAND1 is not placed" in v.message for v in found)


def _shifted(example: Callable[..., tuple[Design, Layout]], dx_um: int, *die_ids: str) -> Build:
    def build() -> tuple[Design, Layout]:
        design, layout = example()
        for die_id in die_ids:
            layout = with_placement(layout, die_id, x_um=layout.placement(die_id).x_um + dx_um)
        return design, layout

    return build


def _phy_touching_corner() -> tuple[Design, Layout]:
    design, layout = _memory_beside_not_facing()
    return design, with_placement(layout, "MEM", y_um=4200)


# The legal examples sit exactly on many limits; one micrometre more breaks the rule by 1.
ONE_UM_OVER: dict[str, tuple[Build, str]] = {
    "package grid": (
        _layout(epop_example, package=replace(epop_example()[1].package, width_um=8001)),
        "package_grid",
    ),
    "outline": (_envelope(epop_example, outline=box(0, 0, 7999, 20000)), "outline"),
    "keepout": (_envelope(epop_example, keepouts=(box(7999, 0, 9000, 500),)), "keepout"),
    "height zone": (
        _envelope(epop_example, height_zones=(HeightZone(box(0, 0, 100, 100), 589),)),
        "height_zone",
    ),
    "die edge": (_shifted(epop_example, 2801, "CTRL0"), "die_edge"),
    "overhang": (_shifted(epop_example, 51, "NAND1", "DRAM0"), "overhang"),
    "pad exposure": (_shifted(epop_example, -1, "DRAM0"), "pad_exposure"),
    "pad support": (_shifted(_dram_pads_east_overhanging, -299, "DRAM0"), "pad_support"),
    "finger ring": (_stack_moved_west(1), "finger_ring"),
    "spacing": (_shifted(sip_example, -1, "DRAM0"), "spacing"),
    "bottom height": (_set_rules(double_sided_example, bottom_side_max_height_um=169), "z"),
    "envelope thickness": (_envelope(epop_example, max_thickness_um=589), "thickness"),
    "stack height": (_set_rules(tsv_example, max_stack_height_um=319), "stack_height"),
    "die to die": (_set_rules(cmc_example, max_die_to_die_um=149), "phy_facing"),
    "phy overlap": (_phy_touching_corner, "phy_facing"),
}


@pytest.mark.parametrize("name", list(ONE_UM_OVER))
def test_one_micrometre_over_a_limit_is_reported_as_1_um(name: str) -> None:
    build, rule = ONE_UM_OVER[name]
    design, layout = build()
    found = validate(design, layout)
    assert found, "nothing reported"
    assert {(v.rule, v.excess_um) for v in found} == {(rule, 1)}, [str(v) for v in found]
