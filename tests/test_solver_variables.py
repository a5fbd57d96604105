"""The variables container: one place creates every variable, named, with its definitions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from ortools.sat.python import cp_model
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

from layoutopt.model import BondType, Design, Die, DieKind, Edge, Envelope
from layoutopt.solver.build import RULE_MODULES, build_model
from layoutopt.solver.instance import build_instance
from layoutopt.solver.variables import create_variables


def test_every_variable_is_named_and_names_are_unique() -> None:
    built = build_model(epop_design(n_nand=2), 10)
    names = [var.name for var in built.model.proto.variables]
    assert all(names), "unnamed variable"
    assert len(names) == len(set(names))


def test_coordinates_are_bounded_by_the_outline_not_by_a_constant() -> None:
    instance = build_instance(epop_design(n_nand=1, outline_um=(10000, 12000)), 10)
    (x0, x1), (y0, y1) = instance.x_range_um, instance.y_range_um
    assert -instance.slack_um - 500 <= x0 < 0 < 10000 < x1 <= 10000 + instance.slack_um + 500
    assert x1 - x0 < 10**6 and y1 - y0 < 10**6


def test_the_die_extent_follows_its_rotation() -> None:
    model, v, _ = rule_model(epop_design(n_nand=1))
    dram = v.die("DRAM0")
    model.add(dram.rotation[90] == 1)
    solver = solved(model)
    assert (solver.value(dram.width_um), solver.value(dram.length_um)) == (8000, 6500)


def test_a_thinnable_die_is_one_of_its_thicknesses() -> None:
    die = Die("C", "core", DieKind.DRAM, 1000, 1000, 50, 0.1, 95.0, BondType.WIRE_BOND,
              allowed_thickness_um=(30, 40))  # fmt: skip
    design = Design("t", (die,), EPOP_RULES, Envelope(box(0, 0, 5000, 5000), 900))
    model, v, _ = rule_model(design)
    model.add(v.die("C").thickness_choice[40] == 1)
    assert solved(model).value(v.die("C").thickness_um) == 40


def test_a_stack_box_holds_its_members_and_its_keep_region_grows_by_rings() -> None:
    model, v, _ = rule_model(epop_design(n_nand=1))
    stack, nand = v.stacks["DRAM0"], v.die("NAND0")
    model.add(nand.member["DRAM0"] == 1)
    model.add(nand.x_um == 1000)
    model.add(stack.box.x0 == 1010)
    assert status(model) == "infeasible"
    model, v, _ = rule_model(epop_design(n_nand=1))
    stack = v.stacks["DRAM0"]
    model.add(stack.ring[Edge.WEST] == 1)
    model.add(stack.ring[Edge.EAST] == 0)
    solver = solved(model)
    assert solver.value(stack.box.x0) - solver.value(stack.keep.x0) == 250
    assert solver.value(stack.keep.x1) == solver.value(stack.box.x1)


def test_a_stack_no_wire_bonded_die_can_join_has_no_rings_and_keeps_its_fillet() -> None:
    # Flip-chip only: no finger ring can be needed, so the model has no ring variables and
    # the keep region is the box grown by the underfill fillet on every side.
    flip = Die("F", "soc", DieKind.CONTROLLER, 2000, 1000, 80, 0.1, 85.0, BondType.FLIP_CHIP)
    rules = replace(EPOP_RULES, underfill_fillet_um=150)
    design = Design("fc", (flip,), rules, Envelope(box(0, 0, 5000, 5000), 900))
    model, v, _ = rule_model(design)
    stack = v.stacks["F"]
    assert stack.ring == {} and stack.rows == {}
    assert all(width == 0 for width in stack.ring_um.values())
    names = [var.name for var in model.proto.variables]
    assert not [n for n in names if ".ring[" in n or ".rows[" in n or ".keep_" in n]
    model.add(v.die("F").x_um == 1000)
    model.add(stack.box.x0 == 1000)
    solver = solved(model)
    assert solver.value(stack.box.x0) - solver.value(stack.keep.x0) == 150
    assert solver.value(stack.keep.x1) - solver.value(stack.box.x1) == 150
    # A wire-bonded die with pads that may join it brings the rings back.
    _, wb_v, _ = rule_model(epop_design(n_nand=1))
    assert sorted(e.value for e in wb_v.stacks["DRAM0"].ring) == sorted(e.value for e in Edge)


def test_the_package_stands_above_every_top_side_die() -> None:
    model, v, _ = rule_model(epop_design(n_nand=1))
    model.add(v.die("CTRL0").z_um == 400)
    model.add(v.package.thickness_um == 400 + 80 + 60 + 75 - 1)
    assert status(model) == "infeasible"


def test_the_package_area_is_width_times_length_in_grid_cells() -> None:
    model, v, _ = rule_model(epop_design(n_nand=1))
    model.add(v.package.width_steps == 70)
    model.add(v.package.length_steps == 90)
    assert solved(model).value(v.package.area_steps) == 6300


DESIGNS = {
    "epop": epop_design(n_nand=2),
    "wide": Design(
        "wide",
        tuple(wb_die(f"D{k}", DieKind.NAND, 2000, 2000, pads=(Edge.SOUTH,)) for k in range(3)),
        replace(EPOP_RULES, max_dies_per_stack=2),
        Envelope(box(0, 0, 30000, 30000), 2000),
    ),
}


@pytest.mark.parametrize("name", sorted(DESIGNS))
@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_each_rule_module_builds_alone_on_a_fresh_container(module, name) -> None:  # type: ignore[no-untyped-def]
    # No module needs another to have run: each alone gives a valid, satisfiable model.
    design = DESIGNS[name]
    instance = build_instance(design, 10)
    model = cp_model.CpModel()
    v = create_variables(model, instance)
    module.build(model, v, instance)
    assert model.validate() == ""
    assert status(model) == "feasible"


@pytest.mark.parametrize("thickness_um", [100, 400])
def test_only_low_parts_may_go_on_the_bottom_face(thickness_um: int) -> None:
    design = double_sided_cap(thickness_um)
    _, v, _ = rule_model(design)
    assert (v.die("C0").bottom is not None) is (20 + thickness_um <= 140)
