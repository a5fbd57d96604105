"""Infeasibility explanations name every conflicting group, with the numbers behind it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from shapely.geometry import box

from layoutopt.deadline import Deadline
from layoutopt.design_file import design_from_text, load_design
from layoutopt.model import HeightZone
from layoutopt.solver import SolveOptions, SolveStatus, solve
from layoutopt.solver.explain import explain_infeasible
from layoutopt.solver.groups import RuleGroup

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = SolveOptions(time_limit_s=20, workers=1, seed=0, thermal=False)


def _why(design) -> str:  # type: ignore[no-untyped-def]
    result = solve(design, OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE, result.status
    return "\n".join(result.explanation)


def test_a_sixteen_high_stack_names_thickness_dies_per_stack_and_stack_height() -> None:
    # Three independent reasons, each with its numbers (it used to say only "the maximum
    # thickness", or that the dies could not be arranged).
    text = (ROOT / "designs" / "hbm_12hi_mr_muf.yaml").read_text(encoding="utf-8")
    design = design_from_text(text.replace("count: 12 ", "count: 16 "))
    why = _why(design)
    assert "the maximum thickness (envelope.height = 0.72 mm (a fixed target))" in why
    assert "the dies-per-stack limit (rules.max_dies_per_stack = 13)" in why
    assert "the stack-height limit (rules.max_stack_height = 720 µm)" in why
    assert "16 × bond line 17 µm + 16 × CORE die 30 µm = 0.812 mm > 0.72 mm" in why
    assert "largest stack" in why and "is 17 > rules.max_dies_per_stack 13" in why
    assert "812 µm > rules.max_stack_height 720 µm" in why


def test_a_height_zone_over_the_whole_site_is_named_with_its_limit() -> None:
    design = load_design(ROOT / "designs" / "smart_glasses_epop.yaml").variants()[0]
    zone = HeightZone(box(0, 0, 10000, 12000), 400, name="hinge")
    design = replace(design, envelope=replace(design.envelope, height_zones=(zone,)))
    why = _why(design)
    assert "the height zones (envelope.height_zones hinge ≤ 0.4 mm)" in why
    assert "over zone hinge (≤ 0.4 mm)" in why
    assert "0.49 mm thick" in why  # the thinnest package there is: the controller beside


SIP_WITH_SPACING = """
name: glasses_sip_spaced
process: sip
rules: {die_spacing: "4 mm"}   # the user's override: far more than the process needs
dies:
  - part: lpddr4x_16gb
  - part: nand_tlc_512gb
  - part: emmc_controller
envelope:
  outline: {width: "10 mm", length: "12 mm"}
  max_thickness: "0.6 mm"
"""


def test_a_rules_override_is_named_with_its_field_and_value() -> None:
    # Without the override the SiP fits (7.2 x 11.6 mm); with it, the stacks cannot part.
    why = _why(design_from_text(SIP_WITH_SPACING))
    assert "the spacing between stacks (rules.die_spacing = 4000 µm" in why
    assert "without the spacing between stacks" in why and "package would fit" in why


def test_no_isolated_conflict_says_what_was_tried(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Every check runs out of time (as on a large design with a tiny budget).
    from ortools.sat.python import cp_model

    from layoutopt.solver import explain

    monkeypatch.setattr(
        explain, "_solve", lambda model, deadline: (cp_model.UNKNOWN, cp_model.CpSolver())
    )
    design = load_design(ROOT / "designs" / "smart_glasses_epop.yaml").variants()[2]  # foms
    lines = explain_infeasible(design, 10, Deadline.after(1.0))
    assert len(lines) == 1 and lines[0].startswith("no conflict could be isolated")
    assert all(group.value in lines[0] for group in RuleGroup)
    assert "ended unknown within the time budget" in lines[0]
