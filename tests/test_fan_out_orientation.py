"""Fan-out orientation as a process attribute (docs/rules.md ``z``, vertical-wire fan-out).

FOMS-R (``designs/ai_phone_foms_r_lpddr.yaml``) is built face up on a carrier, a vertical
wire stands on each pad row, the mold is ground to the wire tips and the RDL is built on
that surface; the package is flipped onto the board, so the last die placed is nearest the
board and tier 0 is the package top.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from layoutopt.design_file import load_design
from layoutopt.library import load_library
from layoutopt.model import FanOut, Layout
from layoutopt.render import to_svg_section
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.thermal.stackup import build_blocks
from layoutopt.validate import validate

DESIGN = Path(__file__).resolve().parents[1] / "designs" / "ai_phone_foms_r_lpddr.yaml"


@pytest.fixture(scope="module")
def solved() -> tuple[object, Layout]:
    design = load_design(DESIGN)
    result = solve(design, SolveOptions(workers=1, thermal=False, warpage=False, time_limit_s=60))
    assert result.status is SolveStatus.OPTIMAL and result.layout is not None
    return design, result.layout


def test_the_library_names_each_fan_out_build() -> None:
    lib = load_library()
    assert lib.process("foms").rules.fan_out is FanOut.FACE_DOWN_CHIP_FIRST
    assert lib.process("foms_r_lpddr").rules.fan_out is FanOut.VERTICAL_WIRE
    assert [f.flipped for f in FanOut] == [False, False, False, False, True]


def test_the_last_die_placed_is_nearest_the_board(solved) -> None:  # type: ignore[no-untyped-def]
    design, layout = solved
    rules = design.rules
    for k in (0, 1):
        stack = sorted((p for p in layout.placements if p.stack == k), key=lambda p: p.tier)
        assert len(stack) == 4
        # the top tier one standoff over the RDL, each lower tier one adhesive above it
        assert stack[-1].z_bottom_um == rules.base_thickness_um + 50
        zs = [p.z_bottom_um for p in stack]
        assert zs == sorted(zs, reverse=True) and zs[0] - zs[-1] == 3 * (40 + 10)
    # 180 balls + 20 RDL + 50 standoff + 4 x 40 + 3 x 10 + the carrier-side 10 = 450
    assert layout.thickness_um == 450
    names = [layer.name for layer in layout.stack_up]
    assert names[2] == "mold over the nearest die (vertical wires)"
    assert names[3].endswith("die (face down)") and names[-1].endswith("(carrier side)")
    assert sum(layer.thickness_um for layer in layout.stack_up) == 450


def test_the_thermal_blocks_follow_the_orientation(solved) -> None:  # type: ignore[no-untyped-def]
    design, layout = solved
    blocks = {b.name: b for b in build_blocks(design, layout)}
    nearest = min((p for p in layout.placements if p.stack == 0), key=lambda p: p.z_bottom_um)
    assert nearest.tier == 3
    # each adhesive on the die's back (above it), not under its face
    for p in layout.placements:
        joint = blocks[f"{p.die_id}.joint"]
        assert (joint.z0_um, joint.z1_um) == (p.z_top_um, p.z_top_um + 10)


def test_the_section_draws_a_vertical_wire_from_each_pad_row_to_the_rdl(solved) -> None:  # type: ignore[no-untyped-def]
    from layoutopt.render.section import choose_cuts

    # The two stacks are an optimum either way round (13.1 x 8 or 8 x 13.1 mm): of the
    # drawings' two sections, the one along the stacks shows both their pad edges side on.
    design, layout = solved
    svgs = [to_svg_section(design, layout, cut) for cut in choose_cuts(design, layout)]
    best = max(svgs, key=lambda svg: svg.count('class="vertical-wire"'))
    assert 'id="vertical-wires"' in best
    assert best.count('class="vertical-wire"') == 8  # one wire per die


def test_a_flipped_stack_built_upwards_breaks_z(solved) -> None:  # type: ignore[no-untyped-def]
    design, layout = solved
    rules = design.rules
    placements = tuple(
        replace(p, z_bottom_um=rules.base_thickness_um + 10 + 50 * p.tier)
        for p in layout.placements
    )
    found = {v.rule for v in validate(design, replace(layout, placements=placements))}
    assert "z" in found
    assert validate(design, layout) == ()


def test_the_warm_start_hangs_its_stacks_from_the_rdl_too(solved) -> None:  # type: ignore[no-untyped-def]
    from layoutopt.solver.warmstart import _stacked_up

    design, layout = solved
    flat = [replace(p, z_bottom_um=0) for p in layout.placements]
    assert _stacked_up(design, flat) == list(layout.placements)
