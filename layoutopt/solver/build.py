"""Assemble the CP-SAT model from the rule modules, and read a layout back out of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from layoutopt.ballmap import place_balls
from layoutopt.model import Design, Layout, Placement, Rect
from layoutopt.solver.rules import balls, cmc, package, spacing, stacking, thickness
from layoutopt.solver.variables import ModelContext, Variables, build_context, create_variables
from layoutopt.stackup import package_thickness_um, stack_up

__all__ = ["BuiltModel", "StructureFact", "build_model", "extract_layout", "structure_of"]

# A fact about a layout's structure: ("base", i), ("on", i, j), ("bottom", i) or ("th", i, t).
StructureFact = tuple[object, ...]


@dataclass
class BuiltModel:
    model: cp_model.CpModel
    v: Variables
    ctx: ModelContext


def build_model(
    design: Design,
    grid_um: int,
    *,
    forbidden: Iterable[frozenset[StructureFact]] = (),
    relax: frozenset[str] = frozenset(),
    assume: bool = False,
) -> BuiltModel:
    """The full model. Rule groups named in ``relax`` are dropped; with ``assume`` the group
    literals become assumptions (for infeasibility cores), else they are fixed true.
    ``forbidden`` structures (sets of facts) are excluded by no-good cuts."""
    ctx = build_context(design, grid_um)
    model = cp_model.CpModel()
    v = create_variables(model, ctx)
    thickness.build(model, v, ctx)
    stacking.build(model, v, ctx)
    spacing.build(model, v, ctx)
    package.build(model, v, ctx)
    balls.build(model, v, ctx)
    cmc.build(model, v, ctx)
    for facts in forbidden:
        model.AddBoolOr([_fact_literal(v, f).Not() for f in sorted(facts, key=repr)])
    for name, literal in sorted(v.groups.items()):
        if name in relax:
            model.Add(literal == 0)
        elif not assume:
            model.Add(literal == 1)
    if assume:
        model.AddAssumptions([lit for name, lit in sorted(v.groups.items()) if name not in relax])
    return BuiltModel(model, v, ctx)


def _fact_literal(v: Variables, fact: StructureFact) -> cp_model.IntVar:
    kind = fact[0]
    if kind == "base":
        return v.base[fact[1]]  # type: ignore[index]
    if kind == "on":
        return v.on[fact[1], fact[2]]  # type: ignore[index]
    if kind == "bottom":
        return v.bottom[fact[1]]  # type: ignore[index]
    return v.th_choice[fact[1]][fact[2]]  # type: ignore[index]


def structure_of(built: BuiltModel, solver: cp_model.CpSolver) -> frozenset[StructureFact]:
    """The stacking structure of the current solution (what the compact thermal model sees)."""
    v = built.v
    facts: set[StructureFact] = set()
    for i in range(built.ctx.n):
        if solver.BooleanValue(v.base[i]):
            facts.add(("base", i))
        for t, lit in v.th_choice[i].items():
            if solver.BooleanValue(lit):
                facts.add(("th", i, t))
    for (i, j), lit in v.on.items():
        if solver.BooleanValue(lit):
            facts.add(("on", i, j))
    for i, lit in v.bottom.items():
        if solver.BooleanValue(lit):
            facts.add(("bottom", i))
    return frozenset(facts)


def extract_layout(built: BuiltModel, solver: cp_model.CpSolver) -> Layout:
    """Read the layout out of a solution; stacks are numbered by their tier-0 die's order."""
    design, v, ctx = built.ctx.design, built.v, built.ctx
    val = solver.Value
    roots = [b for b in ctx.roots if solver.BooleanValue(v.base[b])]
    stack_of_root = {b: k for k, b in enumerate(roots)}
    below: dict[int, int] = {i: j for (i, j), lit in v.on.items() if solver.BooleanValue(lit)}
    placements = []
    for i, die in enumerate(design.dies):
        rotation = next(r for r, lit in v.rot[i].items() if solver.BooleanValue(lit))
        width_um, length_um = die.size_um(rotation)
        root = next(b for b in ctx.member_roots[i] if solver.BooleanValue(v.member[i, b]))
        bottom = i in v.bottom and solver.BooleanValue(v.bottom[i])
        placements.append(
            Placement(
                die_id=die.id,
                x_um=val(v.x[i]),
                y_um=val(v.y[i]),
                width_um=width_um,
                length_um=length_um,
                rotation_deg=rotation,
                z_bottom_um=val(v.z[i]),
                thickness_um=val(v.th[i]),
                stack=stack_of_root[root],
                tier=val(v.tier[i]),
                on_die=design.dies[below[i]].id if i in below else None,
                side="bottom" if bottom else "top",
            )
        )
    placements_t = tuple(placements)
    outline = Rect(val(v.px), val(v.py), val(v.pw), val(v.pl))
    return Layout(
        design_name=design.name,
        family=design.family,
        package=outline,
        thickness_um=package_thickness_um(design, placements_t),
        placements=placements_t,
        stack_up=stack_up(design, placements_t),
        ball_map=place_balls(design, outline, placements_t),
    )


def add_hints(built: BuiltModel, layout: Layout) -> None:
    """Hint the model with a layout of the same dies (a warm start); unknown dies are skipped."""
    model, v, design, g = built.model, built.v, built.ctx.design, built.ctx.grid_um
    index = {d.id: i for i, d in enumerate(design.dies)}
    model.ClearHints()
    for p in layout.placements:
        i = index.get(p.die_id)
        if i is None:
            continue
        model.AddHint(v.X[i], p.x_um // g)
        model.AddHint(v.Y[i], p.y_um // g)
        for r, lit in v.rot[i].items():
            model.AddHint(lit, int(r == p.rotation_deg))
        model.AddHint(v.base[i], int(p.on_die is None))
        for (a, b), lit in v.on.items():
            if a == i:
                model.AddHint(lit, int(design.dies[b].id == p.on_die))
    step = design.rules.package_grid_um
    if v.pw_steps is not None and v.pl_steps is not None and v.px is not None and v.py is not None:
        model.AddHint(v.px, layout.package.x_um)
        model.AddHint(v.py, layout.package.y_um)
        model.AddHint(v.pw_steps, layout.package.width_um // step)
        model.AddHint(v.pl_steps, layout.package.length_um // step)
