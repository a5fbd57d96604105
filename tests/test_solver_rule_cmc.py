"""Rule module ``cmc`` alone: fix a few variables, assert feasible or infeasible."""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import box
from solver_fixtures import EPOP_RULES, rule_model, solved, status

from layoutopt.model import BondType, Design, Die, DieKind, Edge, Envelope, Family
from layoutopt.solver.rules import cmc

COMPUTE = Die("SOC", "soc", DieKind.LOGIC, 8000, 8000, 100, 5.0, 105.0, BondType.FLIP_CHIP)
MEMORY = Die(
    "M0", "lp5x", DieKind.DRAM, 4000, 6000, 100, 0.5, 95.0, BondType.FLIP_CHIP,
    phy_edges=frozenset({Edge.EAST}), bandwidth_gbps=100,
)  # fmt: skip
RULES = replace(
    EPOP_RULES,
    family=Family.CMC,
    max_dies_per_stack=1,
    die_spacing_um=100,
    underfill_fillet_um=0,
    max_die_to_die_um=150,
    stack_pairs=(),
)
DESIGN = Design("cmc", (COMPUTE, MEMORY), RULES, Envelope(box(0, 0, 20000, 20000), 2000))


def _placed(memory_x_um: int, memory_y_um: int, rotation: int = 0):  # type: ignore[no-untyped-def]
    model, v, _ = rule_model(DESIGN, cmc)
    soc, mem = v.die("SOC"), v.die("M0")
    model.add(soc.x_um == 5000)
    model.add(soc.y_um == 5000)
    model.add(mem.rotation[rotation] == 1)
    model.add(mem.x_um == memory_x_um)
    model.add(mem.y_um == memory_y_um)
    return model, v


def test_the_phy_edge_faces_the_compute_die_within_reach() -> None:
    # M0's PHY edge (east) at x = 850 + 4000 = 4850: 150 um short of the SoC at 5000.
    assert status(_placed(850, 6000)[0]) == "feasible"
    assert status(_placed(840, 6000)[0]) == "infeasible"  # 160 um > 150 um


def test_the_phy_edge_must_face_not_turn_away() -> None:
    # Turned by 180 the PHY edge faces west, away from the SoC east of it.
    assert status(_placed(850, 6000, rotation=180)[0]) == "infeasible"


def test_the_dies_overlap_along_the_phy_edge() -> None:
    assert status(_placed(850, 13000)[0]) == "infeasible"  # M0 entirely north of the SoC


def test_the_link_variables_hold_the_gap_and_the_centre_offset() -> None:
    model, v = _placed(900, 6000)
    link = v.links["M0"]
    model.minimize(link.offset2_um)
    solver = solved(model)
    # Gap 5000 - 4900; centres at y 9000 (M0) and 9000 (SoC): offset 0.
    assert solver.value(link.gap_um) == 100
    assert solver.value(link.offset2_um) == 0
    assert link.weight == 100
