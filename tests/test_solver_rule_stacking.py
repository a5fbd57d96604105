"""Rule module ``stacking`` alone: fix a few variables, assert feasible or infeasible."""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import box
from solver_fixtures import (
    EPOP_RULES,
    double_sided_cap,
    epop_design,
    rule_model,
    solved,
    status,
    wb_die,
)

from layoutopt.model import Design, DieKind, Edge, Envelope
from layoutopt.solver.rules import stacking


def two_dies(**overrides) -> Design:  # type: ignore[no-untyped-def]
    design = epop_design(n_nand=1)
    return replace(design, dies=design.dies[:2], **overrides)  # DRAM0 (pads west), NAND0


def test_a_stack_may_be_formed_with_a_staircase() -> None:
    model, v, _ = rule_model(two_dies(), stacking)
    nand, dram = v.die("NAND0"), v.die("DRAM0")
    model.add(nand.on["DRAM0"] == 1)
    model.add(dram.rotation[0] == 1)
    model.add(nand.x_um == dram.x_um + 150)  # the staircase offset exactly
    assert status(model) == "feasible"


def test_pad_exposure_forbids_covering_the_lower_pads() -> None:
    model, v, _ = rule_model(two_dies(), stacking)
    nand, dram = v.die("NAND0"), v.die("DRAM0")
    model.add(nand.on["DRAM0"] == 1)
    model.add(dram.rotation[0] == 1)
    model.add(nand.x_um == dram.x_um + 140)  # 10 um short of the offset: pads covered
    assert status(model) == "infeasible"


def test_pad_support_forbids_an_upper_pad_edge_over_the_void() -> None:
    # NAND pads south; on the DRAM it may not reach past the DRAM's south edge.
    model, v, _ = rule_model(two_dies(), stacking)
    nand, dram = v.die("NAND0"), v.die("DRAM0")
    model.add(nand.on["DRAM0"] == 1)
    model.add(nand.rotation[0] == 1)
    model.add(nand.y_um == dram.y_um - 10)
    assert status(model) == "infeasible"


def test_overhang_limit() -> None:
    rules = replace(EPOP_RULES, max_overhang_um=0, stack_pairs=((DieKind.DRAM, DieKind.NAND),))
    model, v, _ = rule_model(two_dies(rules=rules), stacking)
    model.add(v.die("DRAM0").on["NAND0"] == 1)  # the larger DRAM on the smaller NAND
    assert status(model) == "infeasible"
    model, v, _ = rule_model(two_dies(rules=replace(rules, max_overhang_um=1500)), stacking)
    model.add(v.die("DRAM0").on["NAND0"] == 1)
    assert status(model) == "feasible"


def test_max_dies_per_stack() -> None:
    dies = tuple(wb_die(f"N{k}", DieKind.NAND, 3000, 3000, pads=()) for k in range(3))
    envelope = Envelope(box(0, 0, 20000, 20000), 2000)
    for limit, verdict in ((2, "infeasible"), (3, "feasible")):
        design = Design("s", dies, replace(EPOP_RULES, max_dies_per_stack=limit), envelope)
        model, v, _ = rule_model(design, stacking)
        model.add(v.die("N1").on["N0"] == 1)
        model.add(v.die("N2").on["N1"] == 1)
        assert status(model) == verdict


def test_z_follows_the_chain_of_joints() -> None:
    model, v, _ = rule_model(two_dies(), stacking)
    nand, dram = v.die("NAND0"), v.die("DRAM0")
    model.add(nand.on["DRAM0"] == 1)
    solver = solved(model)
    # base: balls 150 + substrate 100, DAF 10 under each die, DRAM 40 thick.
    assert solver.value(dram.z_um) == 260
    assert solver.value(nand.z_um) == 260 + 40 + 10
    assert (solver.value(dram.tier), solver.value(nand.tier)) == (0, 1)
    assert solver.value(nand.member["DRAM0"]) == 1


def test_one_die_on_each_die_at_most() -> None:
    design = epop_design(n_nand=2)
    model, v, _ = rule_model(design, stacking)
    model.add(v.die("NAND0").on["DRAM0"] == 1)
    model.add(v.die("NAND1").on["DRAM0"] == 1)
    assert status(model) == "infeasible"


def test_a_bottom_face_part_hangs_among_the_balls_and_carries_nothing() -> None:
    design = double_sided_cap(thickness_um=100)  # 20 um solder + 100 um part <= 140 um
    model, v, _ = rule_model(design, stacking)
    bottom = v.die("C0").bottom
    assert bottom is not None
    model.add(bottom == 1)
    assert solved(model).value(v.die("C0").z_um) == 150 - 20 - 100


def test_identical_side_by_side_dies_are_ordered_in_x() -> None:
    dies = tuple(
        replace(wb_die(f"C{k}", DieKind.CONTROLLER, 2000, 2000, pads=()), part="ctrl")
        for k in range(2)
    )
    design = Design(
        "sym", dies, replace(EPOP_RULES, max_dies_per_stack=1), Envelope(box(0, 0, 9000, 9000), 900)
    )
    model, v, _ = rule_model(design, stacking)
    model.add(v.die("C0").x_um == 5000)
    model.add(v.die("C1").x_um == 1000)
    assert status(model) == "infeasible"  # the mirror image (C0 left of C1) is the same layout


def test_pads_turn_with_the_die() -> None:
    # DRAM pads west; turned by 180 they face east, so the NAND stays back from the east.
    model, v, _ = rule_model(two_dies(), stacking)
    nand, dram = v.die("NAND0"), v.die("DRAM0")
    model.add(nand.on["DRAM0"] == 1)
    model.add(dram.rotation[180] == 1)
    model.add(nand.x_um == dram.x_um + 150)  # stays back on the west: pads (east) covered?
    model.add(nand.x_um + nand.width_um == dram.x_um + dram.width_um)
    assert status(model) == "infeasible"
    assert Edge.EAST in dram.die.pad_edges_at(180)
