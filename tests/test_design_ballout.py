"""Ball-out and I/O inputs: one failing input per error, and the counts that reach the model."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from layoutopt.ballmap import ball_requirements
from layoutopt.design_file import design_from_text
from layoutopt.errors import DesignError
from layoutopt.model import Corner, InterfaceRole, Rect
from layoutopt.solver import SolveOptions, solve

BASE: dict[str, Any] = {
    "name": "t",
    "process": "epop",
    "dies": [{"part": "lpddr4x_16gb"}, {"part": "nand_tlc_512gb"}, {"part": "emmc_controller"}],
    "envelope": {"outline": {"width": "10 mm", "length": "12 mm"}, "max_thickness": "0.6 mm"},
}


def load(**changes: Any):  # type: ignore[no-untyped-def]
    return design_from_text(yaml.safe_dump({**BASE, **changes}), file="t.yaml")


def error_of(**changes: Any) -> DesignError:
    with pytest.raises(DesignError) as info:
        load(**changes)
    return info.value


def test_balls_reach_the_core_model() -> None:
    design = load(
        balls={
            "count": 150,
            "pitch": "0.4 mm",
            "diameter": "0.25 mm",
            "rows": 3,
            "a1": "south_west",
            "keepouts": [{"x": "-1 mm", "y": "-1 mm", "width": "2 mm", "length": "2 mm"}],
        }
    )
    (req,) = ball_requirements(design)
    assert (req.count, req.pitch_um, req.diameter_um, req.perimeter_rows) == (150, 400, 250, 3)
    assert design.balls.a1 is Corner.SOUTH_WEST
    assert design.balls.keepouts == (Rect(-1000, -1000, 2000, 2000),)


def test_a_pitch_below_the_familys_minimum_is_an_error() -> None:
    err = error_of(balls={"count": 144, "pitch": "0.3 mm"})
    assert err.field == "balls.pitch" and err.value == "300 um"
    assert "below the finest the 'epop' process offers (350 um)" in err.message
    assert "at least 0.35 mm" in (err.fix or "")


def test_a_ball_larger_than_its_pitch_is_an_error() -> None:
    err = error_of(balls={"pitch": "0.4 mm", "diameter": "0.45 mm"})
    assert err.field == "balls.diameter" and err.value == "450 um"
    assert "a 450 um ball does not fit a 400 um pitch" in err.message


def test_balls_for_a_family_without_a_ball_map_are_an_error() -> None:
    err = error_of(
        process="hbm_mr_muf",
        dies=[{"part": "hbm3e_base"}, {"part": "hbm3e_core_24gb", "count": 4}],
        # the KGSD site (its mold sidewall needs 10.2 x 11 mm)
        envelope={"outline": {"width": "12 mm", "length": "12 mm"}, "max_thickness": "0.72 mm"},
        balls={"count": 100},
    )
    assert err.field == "balls" and "has no ball map" in err.message


def test_pads_that_do_not_fit_their_edge_are_an_error() -> None:
    err = error_of(dies=[{"part": "lpddr4x_16gb", "pads": 400}])
    assert err.field == "dies[0].pads" and err.value == 400
    assert "the 400 west pads of die DRAM0 at 50 um need 19.95 mm; the edge is 8 mm" in err.message


def test_an_unknown_interface_names_its_entry() -> None:
    err = error_of(dies=[{"part": "lpddr4x_16gb", "interfaces": [{"interface": "lpddr6"}]}])
    assert err.field == "dies[0].interfaces[0].interface" and err.value == "lpddr6"
    assert "known interfaces" in (err.fix or "")


def test_a_design_may_give_its_dies_interfaces() -> None:
    design = load(
        dies=[
            {
                "part": "lpddr4x_16gb",
                "interfaces": [{"interface": "lpddr4x_x16", "count": 1}],
            }
        ],
        process="sip",
    )
    (itf,) = design.dies[0].interfaces
    assert (itf.name, itf.count, itf.signals, itf.role) == (
        "lpddr4x_x16",
        1,
        34,
        InterfaceRole.DEVICE,
    )
    (req,) = ball_requirements(design)
    assert req.count == -(-34 * 29 // 10)  # 34 signals x (1 + 1.9)


def test_a_ball_count_no_outline_can_hold_is_infeasible_with_the_numbers() -> None:
    design = load(balls={"count": 400, "pitch": "0.35 mm"})
    result = solve(design, SolveOptions(time_limit_s=10, workers=1, thermal=False))
    assert result.status.value == "infeasible"
    (why,) = result.explanation
    assert "balls needed against sites available" in why
    assert "224 board ball sites (27 x 33 at 350 µm pitch" in why and "400 balls needed" in why


def test_balls_that_need_the_whole_envelope_past_a_keepout_are_infeasible_with_numbers() -> None:
    # 220 balls need the whole 10 x 12 mm box (224 sites); a screw boss in its corner
    # forbids that: the pre-check passes, the model's core names the ball map.
    design = load(
        balls={"count": 220, "pitch": "0.35 mm"},
        envelope={
            "outline": {"width": "10 mm", "length": "12 mm"},
            "max_thickness": "0.6 mm",
            "keepouts": [
                {"name": "boss", "x": "0 mm", "y": "0 mm", "width": "1 mm", "length": "1 mm"}
            ],
        },
    )
    result = solve(design, SolveOptions(time_limit_s=20, workers=1, thermal=False))
    assert result.status.value == "infeasible"
    text = " ".join(result.explanation)
    assert "the ball map" in text and "balls needed against sites available" in text
