"""Read a layout and its stacking structure out of a CP-SAT solution."""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.ballmap import place_balls
from layoutopt.model import Layout, Placement, Rect, Side
from layoutopt.solver.build import BuiltModel
from layoutopt.solver.structure import (
    OnBottomFace,
    OnSubstrate,
    RestsOn,
    Structure,
    StructureFact,
    ThinnedTo,
)
from layoutopt.stackup import package_thickness_um, stack_up

__all__ = ["extract_layout", "layout_structure", "structure_of"]


def structure_of(built: BuiltModel, solver: cp_model.CpSolver) -> Structure:
    """The stacking structure of the current solution (what the compact thermal model sees)."""
    facts: list[StructureFact] = []
    for die_id, d in built.v.dies.items():
        if solver.boolean_value(d.base):
            facts.append(OnSubstrate(die_id))
        facts.extend(
            ThinnedTo(die_id, t)
            for t, lit in d.thickness_choice.items()
            if solver.boolean_value(lit)
        )
        facts.extend(
            RestsOn(die_id, lower) for lower, lit in d.on.items() if solver.boolean_value(lit)
        )
        if d.bottom is not None and solver.boolean_value(d.bottom):
            facts.append(OnBottomFace(die_id))
    return Structure.of(facts)


def layout_structure(built: BuiltModel, layout: Layout) -> Structure:
    """The facts :func:`structure_of` reads from a solution, read from a layout instead
    (facts the model cannot express are left out)."""
    facts: list[StructureFact] = []
    for p in layout.placements:
        d = built.v.dies[p.die_id]
        if p.on_die is None:
            facts.append(OnSubstrate(p.die_id))
        elif p.on_die in d.on:
            facts.append(RestsOn(p.die_id, p.on_die))
        if p.thickness_um in d.thickness_choice:
            facts.append(ThinnedTo(p.die_id, p.thickness_um))
        if p.side is Side.BOTTOM and d.bottom is not None:
            facts.append(OnBottomFace(p.die_id))
    return Structure.of(facts)


def extract_layout(built: BuiltModel, solver: cp_model.CpSolver) -> Layout:
    """Read the layout out of a solution; stacks are numbered by their tier-0 die's order."""
    design, v, instance = built.instance.design, built.v, built.instance
    value = solver.value
    roots = [r for r in instance.roots if solver.boolean_value(v.dies[r].base)]
    stack_of_root = {root: k for k, root in enumerate(roots)}
    placements = []
    for die_id, d in v.dies.items():
        rotation = next(r for r, lit in d.rotation.items() if solver.boolean_value(lit))
        width_um, length_um = d.die.size_um(rotation)
        root = next(r for r, lit in d.member.items() if solver.boolean_value(lit))
        below = next((lo for lo, lit in d.on.items() if solver.boolean_value(lit)), None)
        bottom = d.bottom is not None and solver.boolean_value(d.bottom)
        placements.append(
            Placement(
                die_id=die_id,
                x_um=value(d.x_um),
                y_um=value(d.y_um),
                width_um=width_um,
                length_um=length_um,
                rotation_deg=rotation,
                z_bottom_um=value(d.z_um),
                thickness_um=value(d.thickness_um),
                stack=stack_of_root[root],
                tier=value(d.tier),
                on_die=below,
                side=Side.BOTTOM if bottom else Side.TOP,
                film_over_wire=d.film_over_wire is not None
                and solver.boolean_value(d.film_over_wire),
            )
        )
    placements_t = tuple(placements)
    p = v.package
    outline = Rect(value(p.x_um), value(p.y_um), value(p.width_um), value(p.length_um))
    return Layout(
        design_name=design.name,
        family=design.family,
        package=outline,
        thickness_um=package_thickness_um(design, placements_t),
        placements=placements_t,
        stack_up=stack_up(design, placements_t),
        ball_map=place_balls(design, outline, placements_t),
    )
