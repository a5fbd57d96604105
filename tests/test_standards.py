"""Standard package bodies: the library table and ``envelope.outline: standard``."""

from __future__ import annotations

import pytest

from layoutopt.design_file import design_from_text
from layoutopt.errors import DesignError
from layoutopt.library.standards import load_standards, standard
from layoutopt.model import Design
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.validate import validate

FAST = SolveOptions(thermal=False)


def _epop(dies: str, outline: str = "standard", ceiling: str = "1.0 mm") -> Design:
    return design_from_text(
        f"process: epop\ndies: {dies}\n"
        f"envelope: {{outline: {outline}, max_thickness: '{ceiling}'}}\n"
    )


def test_every_standard_is_sourced_and_sane() -> None:
    sizes = load_standards()
    assert len({s.name for s in sizes}) == len(sizes)
    for s in sizes:
        assert s.source.startswith("domain_data.md §"), s.name
        assert s.confidence in "HMLE"
        assert 1000 <= s.width_um <= 60000 and 1000 <= s.length_um <= 60000
        assert s.families


def test_smallest_standard_that_holds_the_dies_is_chosen() -> None:
    # NAND + DRAM + controller stack to 580 um (designs/smart_glasses_epop.yaml budget):
    # the 8 x 9.5 x 0.6 mm ePOP5x body holds it (two 8 x 9.5 bodies: the name decides)
    design = _epop("[{part: lpddr4x_16gb}, {part: nand_tlc_512gb}, {part: emmc_controller}]")
    result = solve(design, FAST)
    assert result.status.has_layout and result.layout is not None
    assert result.stats["standard"] == "epop_8x9p5_0p6"
    pkg = result.layout.package
    assert (pkg.width_um, pkg.length_um) == (8000, 9500)
    assert result.explanation[0].startswith("standard body epop_8x9p5_0p6 (8 x 9.5 mm")
    assert result.design is not None
    assert validate(result.design, result.layout) == ()


def test_the_answer_says_why_each_smaller_body_fails() -> None:
    # two 7.5 x 9.3 mm 1 Tb NAND dies (+ 0.2 mm edge keep-out) cannot fit 8 x 9.5 mm; two
    # stacks with their finger rows (two per bonding tier) do not fit 9 x 13 mm either
    design = _epop(
        "[{part: lpddr4x_16gb, count: 2}, {part: nand_tlc_1tb, count: 2}, {part: emmc_controller}]"
    )
    result = solve(design, FAST)
    assert result.status.has_layout and result.layout is not None
    assert result.stats["standard"] == "ufs4_11x13"
    rejected = result.explanation[1:]
    assert [line.split(" ")[0] for line in rejected] == [
        "epop_8x9p5_0p6",
        "epop_8x9p5_0p8",
        "ufs4_9x13",
    ]
    assert all("infeasible" in line and "7.5 mm × 9.3 mm" in line for line in rejected[:2])
    assert "the bond-finger rings" in rejected[2]
    assert validate(result.design, result.layout) == ()


def test_no_standard_holds_the_layout_is_infeasible_with_numbers() -> None:
    design = _epop("[{part: nand_tlc_1tb}]", outline="{standard: [epop_8x9p5_0p6, epop_8x9p5_0p8]}")
    result = solve(design, FAST)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.explanation[0] == "no standard body holds a legal layout"
    assert "8 mm × 9.5 mm outline" in result.explanation[1]


def test_height_class_below_the_target_rejects_the_body() -> None:
    design = design_from_text(
        "process: epop\ndies: [{part: lpddr4x_16gb}]\n"
        "envelope: {outline: {standard: [epop_8x9p5_0p6, epop_8x9p5_0p8]}, height: '0.8 mm'}\n"
    )
    result = solve(design, FAST)
    assert result.stats["standard"] == "epop_8x9p5_0p8"
    assert "height class 0.6 mm is below the target height 0.8 mm" in result.explanation[1]
    assert result.layout is not None and result.layout.thickness_um == 800


def test_unknown_standard_names_the_known_ones() -> None:
    with pytest.raises(DesignError) as err:
        _epop("[{part: lpddr4x_16gb}]", outline="{standard: lpddr5x_pop_12x14}")
    text = str(err.value)
    assert "unknown standard 'lpddr5x_pop_12x14'" in text
    assert "did you mean 'lpddr5x_pop_12p4x14'" in text
    assert all(s.name in text for s in load_standards())
    assert "envelope.outline.standard" in text


def test_keepouts_need_a_drawn_outline() -> None:
    with pytest.raises(DesignError, match="keep-outs and height zones need an outline"):
        design_from_text(
            "process: epop\ndies: [{part: lpddr4x_16gb}]\n"
            "envelope: {outline: standard, max_thickness: '1 mm', "
            "keepouts: [{width: '1 mm', length: '1 mm'}]}\n"
        )


def test_standard_lookup() -> None:
    assert standard("hbm4_11x11").max_height_um == 775
