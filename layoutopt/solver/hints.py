"""Warm starts: hint a model with a layout, or with a whole previous solution."""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.deadline import Deadline
from layoutopt.model import Layout
from layoutopt.solver.build import BuiltModel
from layoutopt.solver.run import charge, cp_solver
from layoutopt.solver.solution import extract_layout, structure_of
from layoutopt.solver.structure import Structure

__all__ = ["add_hints", "complete_hint", "hint_from_solution"]


def add_hints(built: BuiltModel, layout: Layout) -> None:
    """Hint the model with a layout of the same dies (a warm start); unknown dies are skipped."""
    model, v, g = built.model, built.v, built.instance.grid_um
    model.clear_hints()
    for p in layout.placements:
        d = v.dies.get(p.die_id)
        if d is None:
            continue
        model.add_hint(d.x_steps, p.x_um // g)
        model.add_hint(d.y_steps, p.y_um // g)
        for r, lit in d.rotation.items():
            model.add_hint(lit, r == p.rotation_deg)
        model.add_hint(d.base, p.on_die is None)
        for lower, lit in d.on.items():
            model.add_hint(lit, lower == p.on_die)
    step = built.instance.design.rules.package_grid_um
    package = v.package
    model.add_hint(package.x_um, layout.package.x_um)
    model.add_hint(package.y_um, layout.package.y_um)
    model.add_hint(package.width_steps, layout.package.width_um // step)
    model.add_hint(package.length_steps, layout.package.length_um // step)


def hint_from_solution(built: BuiltModel, solver: cp_model.CpSolver) -> None:
    """Hint every variable of the model with its value in ``solver``'s last solution."""
    model = built.model
    model.clear_hints()
    for index in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(index)
        model.add_hint(var, solver.value(var))


def _probe(built: BuiltModel, hint: Layout, *, exact: bool) -> cp_model.CpModel:
    """A copy of the model with the hint's structure fixed, and its positions fixed
    (``exact``) or as near as the rules allow. The copy's variables have the indices of
    ``built``'s, so a solution of it reads through ``built``'s container."""
    g = built.instance.grid_um
    model = built.model.clone()
    model.clear_objective()
    model.clear_hints()

    def same(var: cp_model.IntVar) -> cp_model.IntVar:
        return model.get_int_var_from_proto_index(var.index)

    deviations = []
    for p in hint.placements:
        d = built.v.dies[p.die_id]
        rotation = p.rotation_deg if p.rotation_deg in d.rotation else p.rotation_deg % 180
        model.add(same(d.rotation[rotation if rotation in d.rotation else 0]) == 1)
        model.add(same(d.base) == int(p.on_die is None))
        for lower, lit in d.on.items():
            model.add(same(lit) == int(lower == p.on_die))
        for var, target_um in ((same(d.x_steps), p.x_um), (same(d.y_steps), p.y_um)):
            target = -(-target_um // g)  # round up: keeps clear of the die below/left
            if exact:
                model.add(var == target)
                continue
            model.add_hint(var, target)
            low, high = var.proto.domain[0], var.proto.domain[-1]
            reach = max(abs(high - target), abs(target - low))
            deviation = model.new_int_var(0, reach, f"{var.name}.deviation")
            model.add_abs_equality(deviation, var - target)
            deviations.append(deviation)
    if deviations:
        model.minimize(sum(deviations))
    return model


def complete_hint(
    built: BuiltModel, hint: Layout, *, workers: int, seed: int, deadline: Deadline
) -> tuple[Layout, Structure] | None:
    """Turn a partial hint (positions, rotations, who rests on whom) into a complete legal
    assignment of every model variable, so CP-SAT starts from a solution. First with every
    die exactly where the hint puts it; if grid rounding made that illegal, moving dies as
    little as possible. Returns the layout and structure of that assignment (a legal
    layout the solve keeps, whatever the later runs find), or None."""
    for exact in (True, False):
        model = _probe(built, hint, exact=exact)
        # With every die fixed the model is only loaded and checked, but at 200 dies that
        # alone takes seconds: the exact probe gets the whole time (the engine packs on the
        # model's grid, so it usually holds), and the search that moves dies runs only once
        # the exact one is proven impossible.
        size = len(model.proto.constraints)
        solver = cp_solver(workers=workers, seed=seed, deadline=deadline, constraints=size)
        status = solver.solve(model)
        charge(deadline, solver)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            hint_from_solution(built, solver)
            return extract_layout(built, solver), structure_of(built, solver)
        if status != cp_model.INFEASIBLE:
            break
    return None
