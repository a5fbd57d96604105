"""Rule module ``spacing`` alone: fix a few variables, assert feasible or infeasible."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shapely.geometry import box
from solver_fixtures import EPOP_RULES, double_sided_cap, rule_model, status, wb_die

from layoutopt.model import BondType, Design, Die, DieKind, Edge, Envelope
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.rules import spacing


def _pair(**rules: int) -> Design:
    dies = (
        wb_die("A", DieKind.NAND, 3000, 3000, pads=(Edge.WEST,)),
        wb_die("B", DieKind.NAND, 3000, 3000, pads=(Edge.WEST,)),
    )
    rules_ = replace(EPOP_RULES, max_dies_per_stack=1, **rules)
    return Design("s", dies, rules_, Envelope(box(0, 0, 20000, 20000), 700))


def _side_by_side(design: Design, b_x_um: int, relax=()):  # type: ignore[no-untyped-def]
    model, v, _ = rule_model(design, spacing, relax=relax)
    a, b = v.die("A"), v.die("B")
    for d in (a, b):
        model.add(d.base == 1)
        model.add(d.rotation[0] == 1)
        model.add(d.y_um == 0)
    model.add(a.x_um == 0)
    model.add(b.x_um == b_x_um)
    return model


def test_stacks_keep_the_spacing_beyond_the_finger_ring() -> None:
    # B's pads face west, toward A: its 250 um ring sits between, plus 200 um spacing.
    assert status(_side_by_side(_pair(), 3000 + 250 + 200)) == "feasible"
    assert status(_side_by_side(_pair(), 3000 + 250 + 190)) == "infeasible"


def test_pair_spacing_overrides_the_default() -> None:
    design = _pair(pair_spacing_um=(((DieKind.NAND, DieKind.NAND), 500),))
    assert status(_side_by_side(design, 3000 + 250 + 490)) == "infeasible"
    assert status(_side_by_side(design, 3000 + 250 + 500)) == "feasible"


def test_a_flip_chip_stack_keeps_its_fillet() -> None:
    dies = (
        Die("F", "fc", DieKind.LOGIC, 3000, 3000, 100, 1.0, 105.0, BondType.FLIP_CHIP),
        wb_die("B", DieKind.NAND, 3000, 3000, pads=()),
    )
    rules = replace(EPOP_RULES, max_dies_per_stack=1, underfill_fillet_um=300, die_spacing_um=0)
    design = Design("f", dies, rules, Envelope(box(0, 0, 20000, 20000), 700))
    for gap_um, verdict in ((290, "infeasible"), (300, "feasible")):
        model, v, _ = rule_model(design, spacing)
        f, b = v.die("F"), v.die("B")
        for d in (f, b):
            model.add(d.base == 1)
            model.add(d.y_um == 0)
        model.add(f.x_um == 0)
        model.add(b.x_um == 3000 + gap_um)
        assert status(model) == verdict


def test_wire_reach_limits_the_pad_edge_inset_in_its_stack() -> None:
    # B (pads west) in A's stack, 600 um inside the stack box's west side.
    dies = (
        wb_die("A", DieKind.NAND, 3000, 3000, pads=()),
        wb_die("B", DieKind.NAND, 2000, 2000, pads=(Edge.WEST,)),
    )
    for span_um, verdict in ((500, "infeasible"), (600, "feasible")):
        rules = replace(EPOP_RULES, max_wire_span_um=span_um)
        design = Design("w", dies, rules, Envelope(box(0, 0, 20000, 20000), 900))
        model, v, _ = rule_model(design, spacing)
        a, b = v.die("A"), v.die("B")
        model.add(a.base == 1)
        model.add(b.member["A"] == 1)
        model.add(b.rotation[0] == 1)
        model.add(a.x_um == 0)
        model.add(b.x_um == 600)
        assert status(model) == verdict


def test_relaxed_spacing_still_keeps_stacks_apart() -> None:
    # With the spacing group off (an explanation measuring it), stacks may touch but
    # never overlap.
    design = _pair(die_spacing_um=1000)
    relax = {RuleGroup.SPACING}
    assert status(_side_by_side(design, 3000 + 250, relax)) == "feasible"
    assert status(_side_by_side(design, 3000 + 240, relax)) == "infeasible"


def test_finger_ring_clears_the_flip_chip_roots_fillet() -> None:
    # A wire-bonded die (pads west) on a flip-chip root: the ring lies just west of the
    # stack box, so the root must stand the 200 um fillet inside the box on that side.
    dies = (
        Die("F", "fc", DieKind.LOGIC, 4000, 4000, 100, 1.0, 105.0, BondType.FLIP_CHIP),
        wb_die("W", DieKind.DRAM, 4000, 3000, pads=(Edge.WEST,)),
    )
    rules = replace(
        EPOP_RULES,
        underfill_fillet_um=200,
        max_overhang_um=500,
        stack_pairs=((DieKind.DRAM, DieKind.LOGIC),),
    )
    design = Design("p", dies, rules, Envelope(box(0, 0, 20000, 20000), 900))
    for overhang_um, relax, verdict in (
        (190, (), "infeasible"),
        (200, (), "feasible"),
        (0, (RuleGroup.FINGER_RING,), "feasible"),
    ):
        model, v, _ = rule_model(design, spacing, relax=relax)
        f, w = v.die("F"), v.die("W")
        model.add(f.base == 1)
        model.add(w.member["F"] == 1)
        model.add(w.rotation[0] == 1)
        model.add(f.x_um == 1000)
        model.add(w.x_um == 1000 - overhang_um)
        assert status(model) == verdict, overhang_um


def _caps(n: int, *, spacing_um: int = 200, **rules: object) -> Design:
    """``n`` 0201 capacitors on a double-sided SiP (each may go on either face)."""
    design = double_sided_cap(100)
    cap = design.dies[0]
    caps = tuple(replace(cap, id=f"C{k}") for k in range(n))
    rules_ = replace(design.rules, die_spacing_um=spacing_um, **rules)
    return replace(design, dies=caps, rules=rules_)


def _at(model, d, x_um: int, *, bottom: bool) -> None:  # type: ignore[no-untyped-def]
    model.add(d.base == 1)
    model.add(d.bottom == int(bottom))
    model.add(d.rotation[0] == 1)
    model.add(d.x_um == x_um)
    model.add(d.y_um == 0)


@pytest.fixture(params=["pairwise", "per face"])
def spacing_form(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Both forms of the rule: pair by pair (small designs) and one NoOverlap2D per face
    (large ones; forced here on small ones)."""
    if request.param == "per face":
        monkeypatch.setattr(spacing, "PAIRWISE_MAX_ROOTS", 0)
    return request.param


@pytest.mark.parametrize(
    ("gap_um", "same_face", "verdict"),
    [(190, True, "infeasible"), (200, True, "feasible"), (0, False, "feasible")],
)
def test_spacing_holds_per_face(spacing_form, gap_um: int, same_face: bool, verdict: str) -> None:  # type: ignore[no-untyped-def]
    # Two caps 600 um wide: 200 um apart on one face, anywhere when on opposite faces.
    for bottom in (False, True):
        model, v, _ = rule_model(_caps(2), spacing)
        _at(model, v.die("C0"), 0, bottom=bottom)
        _at(model, v.die("C1"), 600 + gap_um, bottom=bottom if same_face else not bottom)
        assert status(model) == verdict, (gap_um, same_face, bottom)


def test_relaxed_spacing_keeps_stacks_apart_in_both_forms(spacing_form) -> None:  # type: ignore[no-untyped-def]
    for gap_um, verdict in ((0, "feasible"), (-10, "infeasible")):
        model, v, _ = rule_model(_caps(2, spacing_um=1000), spacing, relax={RuleGroup.SPACING})
        _at(model, v.die("C0"), 0, bottom=False)
        _at(model, v.die("C1"), 600 + gap_um, bottom=False)
        assert status(model) == verdict, gap_um


def test_a_uniform_spacing_on_many_stacks_needs_no_pairwise_constraint() -> None:
    # Past PAIRWISE_MAX_ROOTS one NoOverlap2D per face states it: the model grows with the
    # stacks, not their pairs (1,000 stacks took 162 s to build pairwise).
    n = spacing.PAIRWISE_MAX_ROOTS + 1
    model, _, _ = rule_model(_caps(n), spacing)
    faces = [c for c in model.proto.constraints if len(c.no_overlap_2d.x_intervals) > 0]
    assert [len(c.no_overlap_2d.x_intervals) for c in faces] == [n, n]  # top, bottom
    assert not any(".apart[" in var.name for var in model.proto.variables)


def test_only_the_pairs_that_need_more_spacing_are_pairwise(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Passives 200 um apart, but a passive and the PMIC 500 um: the NoOverlap2D keeps the
    # 200 um, and only the passive-PMIC pairs get a disjunction for the rest.
    monkeypatch.setattr(spacing, "PAIRWISE_MAX_ROOTS", 0)
    design = _caps(4, pair_spacing_um=(((DieKind.PASSIVE, DieKind.PMIC), 500),))
    pmic = replace(design.dies[0], id="P0", kind=DieKind.PMIC)
    design = replace(design, dies=(*design.dies, pmic))
    model, v, _ = rule_model(design, spacing)
    pairs = {var.name.split(".apart")[0] for var in model.proto.variables if ".apart[" in var.name}
    assert pairs == {f"C{k}|P0" for k in range(4)}
    _at(model, v.die("C0"), 0, bottom=False)
    _at(model, v.die("P0"), 600 + 490, bottom=False)
    assert status(model) == "infeasible"
