"""One test per solver rule module: fix a few variables, assert feasible or infeasible."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ortools.sat.python import cp_model
from shapely.geometry import Polygon, box
from solver_fixtures import EPOP_RULES, epop_design, wb_die

from layoutopt.model import BondType, Design, Die, DieKind, Edge, Envelope, Family, HeightZone
from layoutopt.solver.build import build_model


def _status(design: Design, fix=None) -> int:  # type: ignore[no-untyped-def]
    built = build_model(design, 10)
    if fix is not None:
        fix(built.model, built.v)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver.Solve(built.model)


FEASIBLE = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def two_dies(**overrides) -> Design:  # type: ignore[no-untyped-def]
    return replace(epop_design(n_nand=1), dies=epop_design(n_nand=1).dies[:2], **overrides)


def test_stacking_chain_allows_dram_on_nand_with_staircase():
    design = two_dies()

    # DRAM0 (index 0) on NAND0 (index 1) is not allowed to hide NAND0's south pads.
    def fix(model, v):  # type: ignore[no-untyped-def]
        model.Add(v.on[1, 0] == 1)  # NAND0 on DRAM0

    assert _status(design, fix) in FEASIBLE


def test_stacking_pad_exposure_forbids_covering_pads():
    design = two_dies()

    def fix(model, v):  # type: ignore[no-untyped-def]
        model.Add(v.on[1, 0] == 1)  # NAND0 on DRAM0 (DRAM pads west)
        model.Add(v.rot[0][0] == 1)
        model.Add(v.x[1] == v.x[0])  # flush with the DRAM's pad edge: pads covered

    assert _status(design, fix) == cp_model.INFEASIBLE


def test_stacking_overhang_limit():
    design = two_dies(
        rules=replace(EPOP_RULES, max_overhang_um=0, stack_pairs=((DieKind.DRAM, DieKind.NAND),))
    )

    def fix(model, v):  # type: ignore[no-untyped-def]
        model.Add(v.on[0, 1] == 1)  # the larger DRAM on the smaller NAND: overhangs

    assert _status(design, fix) == cp_model.INFEASIBLE


def test_stacking_max_dies_per_stack():
    design = epop_design(n_nand=2, max_dies_per_stack=2, outline_um=(8000, 9500))
    # Four dies, at most two per stack, in a package that fits a single stack only.
    assert _status(design) == cp_model.INFEASIBLE


def test_spacing_side_by_side_needs_rings_and_spacing():
    dies = (
        wb_die("A", DieKind.NAND, 3000, 3000, pads=(Edge.WEST,)),
        wb_die("B", DieKind.NAND, 3000, 3000, pads=(Edge.WEST,)),
    )
    rules = replace(EPOP_RULES, max_dies_per_stack=1)

    # Best: rings face outward: 2 x (finger edge 100 + ring 250 + die 3000) + spacing 200 = 6900.
    def design(width_um: int) -> Design:
        return Design("s", dies, rules, Envelope(box(0, 0, width_um, 3400), max_thickness_um=700))

    assert _status(design(6900)) in FEASIBLE
    assert _status(design(6850)) == cp_model.INFEASIBLE


def test_package_keepout_and_outline():
    dies = (wb_die("A", DieKind.NAND, 3000, 3000, pads=()),)
    rules = replace(EPOP_RULES, max_dies_per_stack=1)
    free = Design("k", dies, rules, Envelope(box(0, 0, 4000, 3400), max_thickness_um=700))
    assert _status(free) in FEASIBLE
    blocked = replace(
        free, envelope=Envelope(box(0, 0, 4000, 3400), 700, keepouts=(box(1500, 1500, 2000, 2000),))
    )
    assert _status(blocked) == cp_model.INFEASIBLE
    # An L-shaped outline: the package must go in the wide arm.
    l_shape = Polygon([(0, 0), (8000, 0), (8000, 3400), (3000, 3400), (3000, 9000), (0, 9000)])
    assert _status(replace(free, envelope=Envelope(l_shape, 700))) in FEASIBLE


def test_height_zone_limits_thickness_over_it():
    dies = (wb_die("A", DieKind.NAND, 3000, 3000, pads=()),)
    rules = replace(EPOP_RULES, max_dies_per_stack=1)
    zone = HeightZone(box(0, 0, 10000, 10000), max_thickness_um=300, name="hinge")
    design = Design("z", dies, rules, Envelope(box(0, 0, 4000, 3400), 700, height_zones=(zone,)))
    assert _status(design) == cp_model.INFEASIBLE  # 150+100+10+40+60+75 = 435 > 300


def test_thickness_limit():
    design = epop_design(n_nand=1, max_thickness_um=420, outline_um=(8000, 9500))
    assert _status(design) == cp_model.INFEASIBLE
    assert (
        _status(replace(design, envelope=replace(design.envelope, max_thickness_um=700)))
        in FEASIBLE
    )


def test_tsv_stack_height_picks_thin_core_dies():
    base = Die("BASE", "base", DieKind.LOGIC, 11000, 11000, 60, 5.0, 105.0, BondType.FLIP_CHIP)
    cores = tuple(
        Die(
            f"CORE{k}",
            "core",
            DieKind.DRAM,
            11000,
            11000,
            50,
            0.5,
            95.0,
            BondType.MICRO_BUMP,
            allowed_thickness_um=(30, 40, 50),
        )
        for k in range(4)
    )
    rules = replace(
        EPOP_RULES,
        family=Family.TSV_STACK,
        max_overhang_um=0,
        bond_line_um=15,
        flip_chip_gap_um=40,
        max_dies_per_stack=5,
        max_stack_height_um=200,
        stack_pairs=((DieKind.DRAM, DieKind.LOGIC), (DieKind.DRAM, DieKind.DRAM)),
    )
    design = Design("hbm", (base, *cores), rules, Envelope(box(0, 0, 12000, 12000), 2000))
    # 60 + 4 x (15 + 30) = 240 > 200: infeasible; with 260 um it needs the 30 um option.
    assert _status(design) == cp_model.INFEASIBLE
    relaxed = replace(design, rules=replace(rules, max_stack_height_um=260))
    assert _status(relaxed) in FEASIBLE


def test_cmc_phy_edges_face_compute_within_reach():
    compute = Die("SOC", "soc", DieKind.LOGIC, 8000, 8000, 100, 5.0, 105.0, BondType.FLIP_CHIP)
    mem = Die(
        "M0",
        "lp5x",
        DieKind.DRAM,
        4000,
        6000,
        100,
        0.5,
        95.0,
        BondType.FLIP_CHIP,
        phy_edges=frozenset({Edge.EAST}),
        bandwidth_gbps=100,
    )
    rules = replace(
        EPOP_RULES,
        family=Family.CMC,
        max_dies_per_stack=1,
        die_spacing_um=100,
        underfill_fillet_um=0,
        max_die_to_die_um=150,
        stack_pairs=(),
    )
    design = Design("cmc", (compute, mem), rules, Envelope(box(0, 0, 20000, 20000), 2000))

    def far(model, v):  # type: ignore[no-untyped-def]
        model.Add(v.x[0] - (v.x[1] + v.w[1]) >= 1000)

    assert _status(design) in FEASIBLE
    assert _status(design, far) == cp_model.INFEASIBLE


@pytest.mark.parametrize("face_ok", [True, False])
def test_double_sided_bottom_face_only_for_low_parts(face_ok: bool):
    cap = Die(
        "C0",
        "cap0201",
        DieKind.PASSIVE,
        600,
        300,
        100 if face_ok else 400,
        0.0,
        125.0,
        BondType.SMT,
    )
    rules = replace(
        EPOP_RULES,
        family=Family.SIP,
        double_sided=True,
        bottom_side_max_height_um=140,
        smt_gap_um=20,
        max_dies_per_stack=1,
    )
    design = Design("ds", (cap,), rules, Envelope(box(0, 0, 2000, 2000), 1000))
    built = build_model(design, 10)
    assert (0 in built.v.bottom) is face_ok
