"""Turned staircases (docs/rules.md ``film_over_wire``, ``pad_exposure``, ``z``).

A 16-die NAND stack is built as two 8-die staircases, the upper one turned 180°
(domain_data.md §2.4 'Wire-bonded NAND stacks', M): the first turned die sits on the pads
and wires of the die below, on a film-over-wire DAF that embeds their loops (§2.4 'DAF
thickness, modern memory stacks' 20–60 µm film-over-wire, E). The validator checks the turn
exactly; the solver chooses it (the turn tier, or none) when it gives the smaller package.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from layout_builders import LayoutBuilder, epop_example, make_design, make_die, make_rules
from test_wires_nand16 import TEXT

from layoutopt.bonding import Wire, bond_plan
from layoutopt.design_file import design_from_text
from layoutopt.model import Design, Layout
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.stackup import stack_up
from layoutopt.validate import validate

# The 16 x 1 Tb NAND in 11.5 x 13.5 mm, on the process that builds turned staircases.
NAND16 = TEXT.replace("process: sip\n", "process: sip_nand_stack\n")


def _sixteen(design: Design, *, turned: bool, step_um: int = 150, y0_um: int = 1000) -> Layout:
    """16 x 1 Tb NAND (pads south): one staircase stepping north, or two of eight, the
    upper eight turned 180° (pads north) and stepping back south from NAND8, which sits
    squarely on NAND7 on its film-over-wire DAF."""
    b = LayoutBuilder(design, package_um=(11500, 13500))
    below = None
    for k in range(16):
        if turned and k >= 8:
            y, rotation = y0_um + step_um * (15 - k), 180
        else:
            y, rotation = y0_um + step_um * k, 0
        b.place(
            f"NAND{k}", 2000, y, on=below, rotation_deg=rotation, film_over_wire=turned and k == 8
        )
        below = f"NAND{k}"
    return b.build()


def _wires(design: Design, layout: Layout) -> list[Wire]:
    return [w for edge in bond_plan(design, layout.placements) for w in edge.wires]


def test_the_turned_sixteen_halves_the_shift_and_the_longest_wire() -> None:
    design = design_from_text(NAND16)
    one_way, turned = _sixteen(design, turned=False), _sixteen(design, turned=True)
    longest = {
        name: max(_wires(design, lay), key=lambda w: w.length_um)
        for name, lay in (("one-way", one_way), ("turned", turned))
    }
    # One way: NAND15 at 15 x 150 = 2250 um in, to row 31 (250 - 50 + 3100 = 3300 um out).
    assert (longest["one-way"].die_id, round(longest["one-way"].length_um)) == ("NAND15", 5966)
    # Turned: NAND15 7 x 150 = 1050 um in from the north edge, to north row 15 (1700 um
    # out), 50 um higher for the film: 60 rise + 1840 level + 1287 descent.
    assert (longest["turned"].die_id, round(longest["turned"].length_um)) == ("NAND15", 3187)
    boxes = {
        name: max(p.rect.y_max_um for p in lay.placements)
        - min(p.rect.y_um for p in lay.placements)
        for name, lay in (("one-way", one_way), ("turned", turned))
    }
    assert boxes == {"one-way": 9300 + 2250, "turned": 9300 + 1050}
    # the film is 50 um thicker than a DAF: the turned stack stands 50 um taller
    assert turned.thickness_um - one_way.thickness_um == 50


def test_the_turned_sixteen_under_the_shipped_wire_rules() -> None:
    """What still breaks, with numbers: the shipped 45 deg drop (an estimate) cannot hold
    a turned die's wires, which start from the box edge at tier 8 (560 um above the
    substrate) with their first finger row 200 um out."""
    design = design_from_text(NAND16)
    found = validate(design, _sixteen(design, turned=True, y0_um=1575))  # centred in y
    rules = {v.rule for v in found}
    assert "pad_exposure" not in rules and "z" not in rules and "film_over_wire" not in rules
    assert "overhang" not in rules and "pad_support" not in rules
    assert rules == {"finger_ring", "wire_drop", "wire_length", "wire_clearance"}
    steep = {v.die_ids[0]: v for v in found if v.rule == "wire_drop"}
    assert sorted(steep) == ["NAND8", "NAND9"]
    assert "drop 560 um from their loop to the finger row 200 um out: 70.3 deg" in (
        steep["NAND8"].message
    )
    # 16 rows a side: 1750 um rings north and south of a 10.35 mm box do not fit 13.5 mm
    # (2 x 1750 + 10350 + 2 x 150 keep-out = 14150 um: 325 um short on each side)
    rings = sorted((v.message.split()[1], v.excess_um) for v in found if v.rule == "finger_ring")
    assert rings == [("north", 325), ("south", 325)]
    long = sorted(v.die_ids[0] for v in found if v.rule == "wire_length")
    assert long == ["NAND15", "NAND7"]  # 3.187 mm north; 3.001 mm south, as one way
    one_way = {v.rule for v in validate(design, _sixteen(design, turned=False))}
    assert one_way == {"finger_ring", "wire_length"}


# --- the rule, case by case -----------------------------------------------------------


def _turned_pair(film_um: int = 60) -> tuple[Design, LayoutBuilder]:
    rules = make_rules(
        "epop", max_dies_per_stack=2, stack_pairs=(("nand", "nand"),), film_over_wire_um=film_um
    )
    dies = (
        make_die("NAND0", "nand", 5500, 7000, 40, "wire_bond", pads="S"),
        make_die("NAND1", "nand", 5500, 7000, 40, "wire_bond", pads="S"),
    )
    design = make_design("turn", dies, rules, outline_um=(8000, 10000), max_thickness_um=900)
    return design, LayoutBuilder(design, package_um=(8000, 10000))


def test_a_turned_die_covers_the_pads_below_on_its_film() -> None:
    design, b = _turned_pair()
    b.place("NAND0", 1000, 1000)
    b.place("NAND1", 1000, 1000, rotation_deg=180, on="NAND0", film_over_wire=True)
    layout = b.build()
    assert validate(design, layout) == ()
    nand1 = layout.placement("NAND1")
    assert nand1.z_bottom_um == layout.placement("NAND0").z_top_um + 60
    names = [layer.name for layer in stack_up(design, layout.placements)]
    assert "film-over-wire DAF under NAND1" in names


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"rotation_deg": 0}, "both have pads on the south"),
        ({"film_over_wire": False}, "stands back 0 um from the south pad edge"),
    ],
)
def test_a_turn_needs_the_die_turned_and_its_film(change: dict[str, object], fragment: str) -> None:
    design, b = _turned_pair()
    b.place("NAND0", 1000, 1000)
    b.place(
        "NAND1", 1000, 1000, on="NAND0", **{"rotation_deg": 180, "film_over_wire": True, **change}
    )  # type: ignore[arg-type]
    found = validate(design, b.build())
    assert any(fragment in v.message for v in found), [str(v) for v in found]


def test_the_film_must_hold_the_loops() -> None:
    design, b = _turned_pair(40)
    b.place("NAND0", 1000, 1000)
    b.place("NAND1", 1000, 1000, rotation_deg=180, on="NAND0", film_over_wire=True)
    (v,) = validate(design, b.build())
    assert v.rule == "film_over_wire" and v.excess_um == 20
    assert "a 40 um film, and the film must embed the 60 um wire loops" in v.message


def test_a_turned_die_may_not_reach_past_the_pads_below() -> None:
    design, b = _turned_pair()
    b.place("NAND0", 1000, 1000)
    b.place("NAND1", 1000, 990, rotation_deg=180, on="NAND0", film_over_wire=True)
    found = validate(design, b.build())
    assert {(v.rule, v.excess_um) for v in found} == {("pad_exposure", 10)}


def test_one_turn_per_stack() -> None:
    design, layout = epop_example(film_over_wire_um=60, max_overhang_um=500)
    twice = replace(
        layout,
        placements=tuple(
            replace(p, film_over_wire=True) if p.tier >= 1 else p for p in layout.placements
        ),
    )
    found = [v for v in validate(design, twice) if v.rule == "film_over_wire"]
    assert any("turns at 2 dies (NAND1, DRAM0)" in v.message for v in found)


# --- the solver picks the turn --------------------------------------------------------


def _four_high(film_um: int) -> Design:
    """Four 512 Gb NAND (5.5 x 7.0 mm, pads south) in a 6.5 x 7.9 mm outline: one stack
    (two side by side need 11.4 mm). One way: 7000 + 3 x 150 in the box, a 250 um ring,
    the 100 um finger and 200 um die-edge keep-outs: 8000 um > 7900. Turned after two:
    7000 + 150, two rings and two finger keep-outs: 7850 um."""
    rules = make_rules(
        "epop", max_dies_per_stack=4, stack_pairs=(("nand", "nand"),), film_over_wire_um=film_um
    )
    dies = tuple(
        make_die(f"NAND{k}", "nand", 5500, 7000, 40, "wire_bond", pads="S") for k in range(4)
    )
    return make_design("four", dies, rules, outline_um=(6500, 7900), max_thickness_um=900)


def test_the_solver_turns_the_staircase_when_one_way_does_not_fit() -> None:
    options = SolveOptions(time_limit_s=30, workers=1, thermal=False, warpage=False)
    result = solve(_four_high(60), options)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    layout = result.layout
    assert layout is not None and validate(_four_high(60), layout) == ()
    (turn,) = [p for p in layout.placements if p.film_over_wire]
    assert turn.tier in (1, 2, 3)
    # without a film the process builds no turns: no layout fits
    assert solve(_four_high(0), options).status is SolveStatus.INFEASIBLE


def test_the_drawings_name_the_turn() -> None:
    from layoutopt.render import to_svg_section, to_svg_top
    from layoutopt.render.section import Cut

    design = design_from_text(NAND16)
    layout = _sixteen(design, turned=True, y0_um=1575)
    assert "turned at t8 (film over wire)" in to_svg_top(design, layout)
    section = to_svg_section(design, layout, Cut("x", 5750))
    assert "film over wire 60 µm (staircase turns)" in section
    assert "film-over-wire DAF 60 µm below" in section
