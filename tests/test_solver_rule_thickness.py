"""Rule module ``thickness`` alone: fix a few variables, assert feasible or infeasible."""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import box
from solver_fixtures import EPOP_RULES, epop_design, rule_model, status

from layoutopt.model import BondType, Design, Die, DieKind, Envelope, Family
from layoutopt.solver.rules import thickness


def test_the_package_stays_under_the_maximum_thickness() -> None:
    # The controller (80 um, wire-bonded: loop 60 + mold 75 above) with its bottom at
    # 260 um stands 260 + 80 + 135 = 475 um tall.
    for limit, verdict in ((474, "infeasible"), (475, "feasible")):
        model, v, _ = rule_model(epop_design(n_nand=1, max_thickness_um=limit), thickness)
        model.add(v.die("CTRL0").z_um == 260)
        assert status(model) == verdict


def _hbm(max_stack_height_um: int) -> Design:
    base = Die("BASE", "base", DieKind.LOGIC, 11000, 11000, 60, 5.0, 105.0, BondType.FLIP_CHIP)
    core = Die(
        "CORE", "core", DieKind.DRAM, 11000, 11000, 50, 0.5, 95.0, BondType.MICRO_BUMP,
        allowed_thickness_um=(30, 40, 50),
    )  # fmt: skip
    cores = tuple(replace(core, id=f"CORE{k}") for k in range(4))
    rules = replace(
        EPOP_RULES,
        family=Family.TSV_STACK,
        max_overhang_um=0,
        bond_line_um=15,
        flip_chip_gap_um=40,
        max_dies_per_stack=5,
        max_stack_height_um=max_stack_height_um,
        stack_pairs=((DieKind.DRAM, DieKind.LOGIC), (DieKind.DRAM, DieKind.DRAM)),
    )
    return Design("hbm", (base, *cores), rules, Envelope(box(0, 0, 12000, 12000), 2000))


def _chain(model, v, thick_um: int) -> None:  # type: ignore[no-untyped-def]
    """Fix the HBM chain BASE <- CORE0 <- ... <- CORE3, each core ``thick_um`` thick."""
    model.add(v.die("BASE").base == 1)
    below = "BASE"
    for k in range(4):
        core = v.die(f"CORE{k}")
        model.add(core.member["BASE"] == 1)
        model.add(core.thickness_choice[thick_um] == 1)
        model.add(core.z_um == v.die(below).top_um + 15)  # what the stacking rule sets
        below = f"CORE{k}"


def test_stack_height_limit_picks_thin_core_dies() -> None:
    # 60 + 4 x (15 + 30) = 240 um with the thinnest cores.
    model, v, _ = rule_model(_hbm(200), thickness)
    _chain(model, v, 30)
    assert status(model) == "infeasible"
    model, v, _ = rule_model(_hbm(240), thickness)
    _chain(model, v, 30)
    assert status(model) == "feasible"
    model, v, _ = rule_model(_hbm(240), thickness)
    _chain(model, v, 40)
    assert status(model) == "infeasible"


def test_the_redundant_stack_sum_alone_bounds_the_stack() -> None:
    # Membership alone (no z fixed) already implies the thinnest joints and dies.
    model, v, _ = rule_model(_hbm(239), thickness)
    model.add(v.die("BASE").base == 1)
    for k in range(4):
        model.add(v.die(f"CORE{k}").member["BASE"] == 1)
    assert status(model) == "infeasible"
