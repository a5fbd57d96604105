"""Standards as targets: a package built *to* a fixed height (layoutopt.fill).

The numbers are the HBM KGSD (domain_data.md §3.5 'HBM KGSD height' 720 µm) and the test
builders' stacks; each expected value is derived in the test from the rules.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from layout_builders import epop_example, tsv_example

from layoutopt.design_file import design_from_text
from layoutopt.errors import DesignError
from layoutopt.fill import fill_to_height, thickness_groups
from layoutopt.model import Design, Layout
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.stackup import FILL_LAYER
from layoutopt.validate import validate

DESIGNS = Path(__file__).resolve().parents[1] / "designs"


def _with_target(design: Design, target_um: int) -> Design:
    envelope = replace(design.envelope, target_height_um=target_um, max_thickness_um=target_um)
    return replace(design, envelope=envelope)


def _hbm(process: str, cores: int, height: str = "720 um") -> Design:
    text = (DESIGNS / "hbm_12hi_mr_muf.yaml").read_text()
    text = text.replace('height: "720 um"', f'height: "{height}"')
    text = text.replace("count: 12", f"count: {cores}").replace(
        "process: hbm_mr_muf", f"process: {process}"
    )
    return design_from_text(text)


def _rule_ids(design: Design, layout: Layout) -> set[str]:
    return {v.rule for v in validate(design, layout)}


def test_tsv_stack_takes_thickest_cores_and_fills_with_the_top_die() -> None:
    design, layout = tsv_example(top_die_fill=True)
    design = _with_target(design, 900)
    filled = fill_to_height(design, layout)
    assert filled.thickness_um == 900
    cores = [filled.placement(f"CORE{i}").thickness_um for i in range(4)]
    # base die top at 280 + 60 + 100 = 440; 50 um cores: 440 + 4 x (10 + 50) + cap 100 = 780
    # <= 900; the top die takes the other 120 um
    assert cores == [50, 50, 50, 170]
    assert sum(layer.thickness_um for layer in filled.stack_up) == 900
    assert validate(design, filled) == ()


def test_without_top_die_fill_the_rest_is_mold() -> None:
    design, layout = tsv_example()
    design = _with_target(design, 900)
    filled = fill_to_height(design, layout)
    assert [filled.placement(f"CORE{i}").thickness_um for i in range(4)] == [50] * 4
    assert [(layer.name, layer.thickness_um) for layer in filled.stack_up[-2:]] == [
        ("mold cap", 100),
        (FILL_LAYER, 900 - 780),
    ]
    assert validate(design, filled) == ()


def test_thicker_cores_that_overshoot_are_thinned() -> None:
    # 440 + 4 x (10 + t) + 100 <= 720 only for t = 30 (40 gives 740); the 20 um left let
    # the top die take its 50 um option (a thicker top die before mold)
    design, layout = tsv_example()
    design = _with_target(design, 720)
    filled = fill_to_height(design, layout)
    assert [filled.placement(f"CORE{i}").thickness_um for i in range(4)] == [30, 30, 30, 50]
    assert filled.stack_up[-1].name == "mold cap"
    assert validate(design, filled) == ()


def test_wire_bonded_stack_fills_with_mold_above_the_loop() -> None:
    design, layout = epop_example()
    design = _with_target(design, 600)
    filled = fill_to_height(design, layout)
    assert filled.thickness_um == 600
    assert [layer.name for layer in filled.stack_up][-3:] == [
        "wire loop",
        "mold over loop",
        FILL_LAYER,
    ]
    assert filled.stack_up[-1].thickness_um == 600 - layout.thickness_um
    assert validate(design, filled) == ()


def test_validator_holds_the_package_to_its_target() -> None:
    design, layout = tsv_example(top_die_fill=True)
    design = _with_target(design, 900)
    assert "thickness" in _rule_ids(design, layout)  # 760 um, not the 900 um target
    filled = fill_to_height(design, layout)
    too_tall = replace(
        filled,
        placements=tuple(
            replace(p, thickness_um=p.thickness_um + 20) if p.die_id == "CORE3" else p
            for p in filled.placements
        ),
    )
    messages = [v.message for v in validate(design, too_tall) if v.rule == "thickness"]
    assert any("needs 920 um" in m and "fixes the height at 900 um" in m for m in messages)


def test_top_die_beyond_its_options_needs_the_fill_rule() -> None:
    design, layout = tsv_example(top_die_fill=True)
    design = _with_target(design, 900)
    filled = fill_to_height(design, layout)
    plain = replace(design, rules=replace(design.rules, top_die_fill=False))
    assert "die_thickness" in _rule_ids(plain, filled)


def test_groups_are_per_part_thickest_first() -> None:
    design, _ = tsv_example()
    assert thickness_groups(design) == ((tuple(f"CORE{i}" for i in range(4)), (50, 40, 30)),)


@pytest.mark.parametrize(
    ("process", "cores", "core_um"),
    [
        # 60 + 8 x (17 + 50) = 596 <= 720: the thickest cores (§2.4: 8-Hi dies are thicker)
        ("hbm_mr_muf", 8, 50),
        # 60 + 12 x (17 + 40) = 744 > 720, so 30 um (§2.4 'HBM3 12-Hi core die' ~30 um)
        ("hbm_mr_muf", 12, 30),
        # 60 + 12 x (7 + 40) = 624 <= 720 with TC-NCF's 7 um bond line
        ("hbm_tc_ncf", 12, 40),
    ],
)
def test_hbm_kgsd_is_built_to_720_um(process: str, cores: int, core_um: int) -> None:
    design = _hbm(process, cores)
    result = solve(design, SolveOptions(thermal=False))
    assert result.status.has_layout and result.layout is not None
    layout = result.layout
    assert layout.thickness_um == 720
    stacked = sorted(layout.placements, key=lambda p: p.tier)
    assert {p.thickness_um for p in stacked[1:-1]} == {core_um}
    assert stacked[-1].thickness_um > core_um  # the top die takes up the rest
    assert validate(design, layout) == ()


def test_target_below_the_thinnest_stack_is_infeasible_with_numbers() -> None:
    result = solve(_hbm("hbm_mr_muf", 12, "600 um"), SolveOptions(thermal=False))
    assert result.status is SolveStatus.INFEASIBLE
    text = " ".join(result.explanation)
    assert "= 0.624 mm > 0.6 mm target height" in text
    assert "envelope.height = 0.6 mm (a fixed target)" in text


def test_envelope_needs_a_ceiling_or_a_target() -> None:
    with pytest.raises(DesignError, match=r"max_thickness \(a ceiling\) or height"):
        design_from_text(
            "process: epop\ndies: [{part: lpddr4x_16gb}]\n"
            "envelope: {outline: {width: '10 mm', length: '10 mm'}}\n"
        )


def test_target_above_the_ceiling_is_an_error() -> None:
    with pytest.raises(DesignError, match=r"height \(800 um\) is above max_thickness \(700 um\)"):
        design_from_text(
            "process: epop\ndies: [{part: lpddr4x_16gb}]\n"
            "envelope: {outline: {width: '10 mm', length: '10 mm'}, height: '800 um', "
            "max_thickness: '700 um'}\n"
        )
