"""Rule module ``package`` alone: fix a few variables, assert feasible or infeasible."""

from __future__ import annotations

from dataclasses import replace

from shapely.geometry import Polygon, box
from solver_fixtures import EPOP_RULES, rule_model, status, wb_die

from layoutopt.model import Design, DieKind, Edge, Envelope, HeightZone
from layoutopt.solver.rules import package

RULES = replace(EPOP_RULES, max_dies_per_stack=1)
DIE = wb_die("A", DieKind.NAND, 3000, 3000, pads=())


def _design(envelope: Envelope) -> Design:
    return Design("p", (DIE,), RULES, envelope)


def test_the_package_stays_inside_the_outline() -> None:
    model, v, _ = rule_model(_design(Envelope(box(0, 0, 4000, 3400), 700)), package)
    model.add(v.package.width_um == 4050)
    assert status(model) == "infeasible"


def test_an_l_shaped_outline_takes_the_package_in_its_wide_arm_only() -> None:
    l_shape = Polygon([(0, 0), (8000, 0), (8000, 3400), (3000, 3400), (3000, 9000), (0, 9000)])
    model, v, _ = rule_model(_design(Envelope(l_shape, 700)), package)
    model.add(v.package.width_um == 3400)
    model.add(v.package.length_um == 3400)
    model.add(v.package.x_um == 4000)
    model.add(v.package.y_um == 0)
    assert status(model) == "feasible"
    model.add(v.package.y_um >= 100)  # up into the missing corner
    assert status(model) == "infeasible"


def test_the_package_avoids_keepouts() -> None:
    envelope = Envelope(box(0, 0, 9000, 3400), 700, keepouts=(box(3500, 0, 4000, 3400),))
    model, v, _ = rule_model(_design(envelope), package)
    model.add(v.package.width_um == 3400)
    model.add(v.package.x_um == 0)
    assert status(model) == "feasible"
    model, v, _ = rule_model(_design(envelope), package)
    model.add(v.package.width_um == 3600)
    model.add(v.package.x_um == 0)
    assert status(model) == "infeasible"


def test_dies_keep_their_edge_distance() -> None:
    model, v, _ = rule_model(_design(Envelope(box(0, 0, 9000, 9000), 700)), package)
    model.add(v.package.x_um == 0)
    model.add(v.die("A").x_um == 190)  # 200 um die-to-edge keep-out
    assert status(model) == "infeasible"


def test_a_finger_ring_stays_inside_the_package() -> None:
    # With a ring on the west side of A's stack: box.x - 250 >= package.x + 100. (A die
    # with pads: a stack no wire-bonded die can join has no rings at all.)
    bonded = wb_die("A", DieKind.NAND, 3000, 3000, pads=(Edge.WEST,))
    for box_x_um, verdict in ((340, "infeasible"), (350, "feasible")):
        design = Design("p", (bonded,), RULES, Envelope(box(0, 0, 9000, 9000), 700))
        model, v, _ = rule_model(design, package)
        model.add(v.die("A").base == 1)
        model.add(v.stacks["A"].ring[Edge.WEST] == 1)
        model.add(v.package.x_um == 0)
        model.add(v.stacks["A"].box.x0 == box_x_um)
        assert status(model) == verdict


# --- height zones ------------------------------------------------------------------------

ZONE = HeightZone(box(0, 0, 4500, 9000), max_thickness_um=500, name="hinge")


def _zoned(thickness_um: int, package_x_um: int) -> str:
    envelope = Envelope(box(0, 0, 9000, 9000), 900, height_zones=(ZONE,))
    model, v, _ = rule_model(_design(envelope), package)
    model.add(v.package.thickness_um == thickness_um)
    model.add(v.package.width_um == 4000)
    model.add(v.package.x_um == package_x_um)
    return status(model)


def test_a_package_no_taller_than_the_zone_may_sit_over_it() -> None:
    assert _zoned(500, 0) == "feasible"


def test_a_package_taller_than_the_zone_keeps_clear_of_it() -> None:
    assert _zoned(501, 0) == "infeasible"
    assert _zoned(501, 4500) == "feasible"
    assert _zoned(501, 4450) == "infeasible"
