"""Hand-made legal layouts pass the validator, and its verdict is stable."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layout_builders import EXAMPLES, epop_example, tsv_example, with_placement

from layoutopt.model import Rect
from layoutopt.validate import RULES, validate


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_layouts_are_legal(name: str) -> None:
    design, layout = EXAMPLES[name]()
    assert validate(design, layout) == ()


def test_epop_stack_heights_match_hand_arithmetic() -> None:
    # Worked by hand from the test rules (not by the builder): base 180 ball + 100
    # substrate; 10 um DAF under each wire-bonded die; 60 um bumps under the controller.
    _, layout = epop_example()
    z = {p.die_id: (p.z_bottom_um, p.z_top_um) for p in layout.placements}
    assert z == {
        "NAND0": (290, 330),
        "NAND1": (340, 380),
        "DRAM0": (390, 430),
        "CTRL0": (340, 420),
    }
    assert layout.thickness_um == 590  # 430 + 60 wire loop + 100 mold
    assert [(p.die_id, p.stack, p.tier, p.on_die) for p in layout.placements] == [
        ("NAND0", 0, 0, None),
        ("NAND1", 0, 1, "NAND0"),
        ("DRAM0", 0, 2, "NAND1"),
        ("CTRL0", 1, 0, None),
    ]


def test_tsv_stack_uses_an_allowed_thinner_core_die() -> None:
    design, layout = tsv_example()
    assert layout.placement("CORE3").thickness_um == 30
    assert design.die("CORE3").thickness_um == 50
    assert validate(design, layout) == ()


def test_tight_limits_hold_exactly_at_the_boundary() -> None:
    # Every rule is "at least"/"at most": meeting the number exactly is legal.
    design, layout = epop_example(die_spacing_um=300)  # the keep regions are 300 um apart
    assert validate(design, layout) == ()
    design = replace(design, envelope=replace(design.envelope, max_thickness_um=590))
    assert validate(design, layout) == ()


def test_order_of_placements_does_not_change_the_verdict() -> None:
    design, layout = epop_example()
    broken = with_placement(layout, "CTRL0", x_um=6000, y_um=7300)
    forward = validate(design, broken)
    backward = validate(design, replace(broken, placements=broken.placements[::-1]))
    assert forward == backward
    assert len(forward) >= 2
    assert [RULES.index(v.rule) for v in forward] == sorted(RULES.index(v.rule) for v in forward)


@settings(max_examples=25, deadline=None)
@given(dx=st.integers(0, 12000), dy=st.integers(0, 10000), name=st.sampled_from(sorted(EXAMPLES)))
def test_moving_a_whole_legal_layout_inside_the_outline_keeps_it_legal(
    dx: int, dy: int, name: str
) -> None:
    design, layout = EXAMPLES[name]()
    pkg = layout.package
    _, _, maxx, maxy = design.envelope.outline.bounds
    dx = min(dx, int(maxx) - pkg.x_max_um)
    dy = min(dy, int(maxy) - pkg.y_max_um)
    moved = replace(
        layout,
        package=Rect(pkg.x_um + dx, pkg.y_um + dy, pkg.width_um, pkg.length_um),
        placements=tuple(replace(p, x_um=p.x_um + dx, y_um=p.y_um + dy) for p in layout.placements),
        ball_map=None if layout.ball_map is None else layout.ball_map.translated(dx, dy),
    )
    assert validate(design, moved) == ()
