"""The solve pipeline: pre-check, CP-SAT stages, thermal check in the loop, validation.

Thermal limits in the loop (lazy no-good cuts)
----------------------------------------------
The placement model has no temperatures. After each placement solve the thermal model
checks the layout; if a junction, top or skin limit is broken, the layout's *stacking
structure* (which die rests on which, thinned thicknesses, face) is forbidden by a no-good
cut and the model is solved again, so the optimiser trades footprint for temperature
(spreads hot dies into separate stacks, puts the hot die on the substrate, reorders).
Temperatures are dominated by the structure (the heat path through the stack) but also
move a little with positions and package size, so the cut is a heuristic in one direction
only: it can forbid a cool variant of a hot structure (the answer may then be larger than
the true optimum), but it can never admit a hot layout, because every returned layout has
passed the thermal check itself. Cost per round: one thermal check (compact: about a
millisecond; 3D at the loop's 400 um grid: 0.1-1 s, benchmarks/bench_thermal.py) plus
one re-solve.
The loop stops at the first layout that passes, which is optimal among the structures not
cut. Every returned layout has passed the validator: a disagreement raises
:class:`layoutopt.errors.InternalError`.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from layoutopt.fill import fill_to_height
from layoutopt.interrupt import InterruptibleCpSolver
from layoutopt.model import Design, Layout
from layoutopt.solver.build import (
    BuiltModel,
    StructureFact,
    add_hints,
    build_model,
    extract_layout,
    structure_of,
)
from layoutopt.solver.explain import explain_infeasible, precheck
from layoutopt.solver.objective import stages
from layoutopt.solver.result import SolveOptions, SolveResult, SolveStatus
from layoutopt.solver.warmstart import (
    WARM_START_MIN_DIES,
    constructive_layout,
    relabel_identical,
)
from layoutopt.thermal.report import ThermalReport

__all__ = ["solve"]

# Each thermal round forbids one stacking structure; past this many the design is treated
# as out of time (a status, with the last violations), not searched further.
MAX_THERMAL_ROUNDS = 50
# Large designs: CP-SAT alone gets this long (at most a quarter of the stage) to find a
# first layout before the placement engine's packing is called in as a hint.
PROBE_S = 3.0


def _solver(options: SolveOptions, time_limit_s: float) -> cp_model.CpSolver:
    solver = InterruptibleCpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.05, time_limit_s)
    params.num_workers = max(1, options.workers)
    params.random_seed = options.seed
    params.log_search_progress = options.log
    if options.workers == 1:
        # Deterministic: same model, seed and single worker give the same answer.
        params.interleave_search = False
    return solver


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Records when the first legal layout appeared (seconds since ``started``)."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self._started = started
        self.elapsed_s: float | None = None

    def on_solution_callback(self) -> None:
        if self.elapsed_s is None:
            self.elapsed_s = time.perf_counter() - self._started


def _hint_from_solution(built: BuiltModel, solver: cp_model.CpSolver) -> None:
    model = built.model
    model.ClearHints()
    proto = model.Proto()
    for index in range(len(proto.variables)):
        var = model.GetIntVarFromProtoIndex(index)
        model.AddHint(var, solver.Value(var))


def _run(
    built: BuiltModel,
    options: SolveOptions,
    time_limit_s: float,
    started: float,
    name: str,
    stats: dict[str, Any],
) -> tuple[Any, cp_model.CpSolver]:
    """One CP-SAT run of the current objective; its statistics go to ``stats``."""
    solver = _solver(options, time_limit_s)
    first = _FirstSolution(started)
    status = solver.Solve(built.model, first)
    timing = stats.setdefault("timing", {})
    if first.elapsed_s is not None and "first_solution_s" not in timing:
        timing["first_solution_s"] = round(first.elapsed_s, 3)
    timing.setdefault("stages_s", []).append(round(solver.WallTime(), 3))
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    stats["stages"].append(
        {
            "name": name,
            "status": solver.StatusName(status).lower(),
            "objective": solver.ObjectiveValue() if found else None,
            "best_bound": solver.BestObjectiveBound(),
            "branches": solver.NumBranches(),
            "conflicts": solver.NumConflicts(),
        }
    )
    return status, solver


def _complete_hint(
    design: Design,
    built: BuiltModel,
    hint: Layout,
    forbidden: list[frozenset[StructureFact]],
    options: SolveOptions,
    time_limit_s: float,
) -> tuple[Layout, frozenset[StructureFact]] | None:
    """Turn a partial hint (positions, rotations, who rests on whom) into a complete legal
    assignment of every model variable, so CP-SAT starts from a solution. First with every
    die exactly where the hint puts it; if grid rounding made that illegal, moving dies as
    little as possible. The probe model is built the same way as ``built``, so its
    variables line up by index. Returns the probe's layout and structure: a legal layout
    the solve keeps, whatever the later runs find."""
    for exact in (True, False):
        probe = build_model(design, options.grid_um, forbidden=forbidden)
        model, v, g = probe.model, probe.v, options.grid_um
        index = {d.id: i for i, d in enumerate(design.dies)}
        deviations = []
        for p in hint.placements:
            i = index[p.die_id]
            rotation = p.rotation_deg if p.rotation_deg in v.rot[i] else p.rotation_deg % 180
            model.Add(v.rot[i][rotation if rotation in v.rot[i] else 0] == 1)
            model.Add(v.base[i] == int(p.on_die is None))
            for (a, b), lit in v.on.items():
                if a == i:
                    model.Add(lit == int(design.dies[b].id == p.on_die))
            for var, target_um in ((v.X[i], p.x_um), (v.Y[i], p.y_um)):
                target = -(-target_um // g)  # round up: keeps clear of the die below/left
                if exact:
                    model.Add(var == target)
                    continue
                model.AddHint(var, target)
                deviation = model.NewIntVar(0, 10**7, "")
                model.AddAbsEquality(deviation, var - target)
                deviations.append(deviation)
        if deviations:
            model.Minimize(sum(deviations))
        # With every die fixed the model is only loaded and checked, but at 200 dies that
        # alone takes seconds: the exact probe gets the whole time, and the search that
        # moves dies runs only once the exact one is proven impossible.
        solver = _solver(options, time_limit_s)
        status = solver.Solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            _hint_from_solution(built, solver)
            return extract_layout(probe, solver), structure_of(probe, solver)
        if status != cp_model.INFEASIBLE:
            break
    return None


def _violations(design: Design, layout: Layout) -> tuple[object, ...]:
    from layoutopt.validate import validate

    return validate(design, layout)


def _layout_structure(
    design: Design, built: BuiltModel, layout: Layout
) -> frozenset[StructureFact]:
    """The facts :func:`structure_of` reads from a solution, read from a layout instead."""
    v = built.v
    index = {d.id: i for i, d in enumerate(design.dies)}
    facts: set[StructureFact] = set()
    for p in layout.placements:
        i = index[p.die_id]
        if p.on_die is None:
            facts.add(("base", i))
        elif (i, index[p.on_die]) in v.on:
            facts.add(("on", i, index[p.on_die]))
        if p.thickness_um in v.th_choice[i]:
            facts.add(("th", i, p.thickness_um))
        if p.side == "bottom" and i in v.bottom:
            facts.add(("bottom", i))
    return frozenset(facts)


def _first_stage(
    design: Design,
    built: BuiltModel,
    options: SolveOptions,
    share_s: float,
    started: float,
    stats: dict[str, Any],
    forbidden: list[frozenset[StructureFact]],
) -> tuple[Any, cp_model.CpSolver, tuple[Layout, frozenset[StructureFact]] | None]:
    """The footprint stage. Large designs get a short probe first; when CP-SAT finds no
    layout in it, the placement engine's packing becomes the hint for the rest. Also
    returns the engine's layout once the model accepted it (a legal incumbent)."""
    name = "footprint" if stats["objective_units"] == "um2" else "weighted"
    large = len(design.dies) >= WARM_START_MIN_DIES
    if options.hint is not None or not options.warm_start or not large:
        return (*_run(built, options, share_s, started, name, stats), None)
    probe_s = min(PROBE_S, 0.25 * share_s)
    status, solver = _run(built, options, probe_s, started, name + " (probe)", stats)
    rest_s = share_s - (time.perf_counter() - started)
    incumbent = None
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) or rest_s <= 0.1:
        return status, solver, None
    if status == cp_model.FEASIBLE:
        _hint_from_solution(built, solver)  # carry on from the probe's layout
    else:
        # The engine improves area faster than the full model (Bookshelf n100 as a package:
        # the model alone 5.1 % over its bound at 60 s, from the engine's start 3.4 %), so
        # it gets half of what is left. With one worker it counts deterministic work,
        # whose wall time may reach twice its budget: a quarter then.
        engine_s = 0.5 * rest_s if options.workers > 1 else 0.25 * rest_s
        hint = constructive_layout(
            design,
            time_limit_s=engine_s,
            seed=options.seed,
            workers=options.workers,
            grid_um=options.grid_um,
        )
        stats["hint"] = "engine found none"
        if hint is not None:
            stats["hint"] = "engine"
            hint = relabel_identical(design, hint)
            if not _violations(design, hint):  # legal as it is: kept from here on
                incumbent = (hint, _layout_structure(design, built, hint))
                timing = stats.setdefault("timing", {})
                timing.setdefault("first_solution_s", round(time.perf_counter() - started, 3))
            completed = _complete_hint(design, built, hint, forbidden, options, 0.3 * rest_s)
            if completed is not None:
                incumbent = completed
                timing = stats.setdefault("timing", {})
                timing.setdefault("first_solution_s", round(time.perf_counter() - started, 3))
            else:
                stats["hint"] = "engine (partial)"
                add_hints(built, hint)
    rest_s = share_s - (time.perf_counter() - started)
    return (*_run(built, options, max(0.1, rest_s), started, name, stats), incumbent)


def _placement_solve(
    design: Design,
    options: SolveOptions,
    forbidden: list[frozenset[StructureFact]],
    deadline: float,
) -> tuple[SolveResult, frozenset[StructureFact] | None]:
    """One placement solve over all objective stages (no thermal check)."""
    started = time.perf_counter()
    built = build_model(design, options.grid_um, forbidden=forbidden)
    if options.hint is not None:
        add_hints(built, options.hint)
    plan = stages(design, built.v)
    status_first = None
    objective = bound = None
    proven = True
    layout: Layout | None = None
    structure = None
    stats: dict[str, Any] = {
        "stages": [],
        "hint": "given" if options.hint is not None else None,
        "objective_units": "um2" if plan[0][0] == "footprint" else "weighted",
    }
    for k, (name, expr) in enumerate(plan):
        remaining = deadline - time.perf_counter()
        if remaining <= 0.05 and layout is not None:
            proven = False
            break
        # The first stage gets most of the time; later stages refine within its optimum.
        share = remaining * (0.7 if k == 0 and len(plan) > 1 else 1.0 / max(1, len(plan) - k))
        built.model.Minimize(expr)
        if k == 0:
            status, solver, incumbent = _first_stage(
                design, built, options, share, time.perf_counter(), stats, forbidden
            )
        else:
            status, solver = _run(built, options, share, started, name, stats)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if k == 0 and incumbent is not None:
                # CP-SAT found nothing in its time, but the engine's layout is legal: never
                # "no solution" while a stage holds one (#19). Later stages need a solution
                # of ``built``, so they are skipped.
                layout, structure = incumbent
                stats["fallback"] = "engine layout (CP-SAT found none in time)"
                status_first = cp_model.FEASIBLE
                proven = False
                if stats["objective_units"] == "um2":
                    step2 = design.rules.package_grid_um**2
                    objective = layout.package.width_um * layout.package.length_um / step2
                    lower = solver.BestObjectiveBound()  # valid when finite, even if UNKNOWN
                    bound = lower if math.isfinite(lower) and lower <= objective else None
                break
            if k == 0:
                status_first = status
                break
            proven = False
            break
        if k == 0:
            status_first = status
            objective, bound = solver.ObjectiveValue(), solver.BestObjectiveBound()
        proven = proven and status == cp_model.OPTIMAL
        layout = extract_layout(built, solver)
        structure = structure_of(built, solver)
        value = round(solver.ObjectiveValue())
        _hint_from_solution(built, solver)
        if k + 1 < len(plan):
            built.model.Add(expr <= value)
    elapsed = time.perf_counter() - started
    if layout is None:
        if status_first == cp_model.INFEASIBLE:
            return SolveResult(SolveStatus.INFEASIBLE, time_s=elapsed, stats=stats), None
        return SolveResult(SolveStatus.NO_SOLUTION, time_s=elapsed, stats=stats), None
    step2 = design.rules.package_grid_um**2
    is_area = stats["objective_units"] == "um2"
    scale = step2 if is_area else 1
    objective_value = None if objective is None else objective * scale
    bound_value = None if bound is None else bound * scale
    gap: float | None = 0.0
    if objective_value and bound_value is not None:
        gap = max(0.0, (objective_value - bound_value) / abs(objective_value))
    elif "fallback" in stats:
        gap = None  # no bound to measure the engine's layout against
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    return (
        SolveResult(
            status,
            layout=layout,
            objective=objective_value,
            best_bound=bound_value,
            gap=0.0 if status is SolveStatus.OPTIMAL else gap,
            time_s=elapsed,
            stats=stats,
        ),
        structure,
    )


def solve(design: Design, options: SolveOptions | None = None) -> SolveResult:
    """Place and stack the dies of ``design``: the smallest legal package, then the thinnest.

    Infeasible designs and time-outs are statuses of the result, not exceptions.
    """
    options = options or SolveOptions()
    started = time.perf_counter()
    deadline = started + options.time_limit_s
    problems = precheck(design)
    if problems:
        return SolveResult(
            SolveStatus.INFEASIBLE,
            explanation=problems,
            time_s=time.perf_counter() - started,
            stats={"stage": "precheck"},
            design=design,
        )
    forbidden: list[frozenset[StructureFact]] = []
    thermal_rounds = 0
    last_too_hot: tuple[str, ...] = ()
    while True:
        result, structure = _placement_solve(design, options, forbidden, deadline)
        if not result.status.has_layout or result.layout is None:
            break
        # A fixed height: thickest dies and fill on the proven footprint (layoutopt.fill).
        result = replace(result, layout=fill_to_height(design, result.layout))
        _validate(design, result.layout)
        if not options.thermal:
            break
        report = _thermal(design, result.layout, options)
        result = replace(result, thermal=report)
        if report.ok or structure is None:
            break
        thermal_rounds += 1
        forbidden.append(structure)
        last_too_hot = report.violations()
        if thermal_rounds >= MAX_THERMAL_ROUNDS or time.perf_counter() >= deadline:
            result = replace(
                result,
                status=SolveStatus.NO_SOLUTION,
                layout=None,
                explanation=(
                    f"no layout met the thermal limits within {thermal_rounds} thermal rounds; "
                    "last violations: " + "; ".join(report.violations()),
                ),
            )
            break
    if result.status is SolveStatus.INFEASIBLE:
        if forbidden:
            explanation = (
                f"every stacking that fits the envelope breaks a thermal limit "
                f"({len(forbidden)} tried); the last one: " + "; ".join(last_too_hot),
                "lower the power, raise the heat-transfer coefficients or the limits, or give "
                "the package more room to spread the dies",
            )
        else:
            remaining = max(1.0, deadline - time.perf_counter())
            explanation = explain_infeasible(design, options.grid_um, min(remaining, 20.0))
        result = replace(result, explanation=explanation)
    elapsed = time.perf_counter() - started
    stats = dict(result.stats)
    stats.update(
        {
            "thermal_rounds": thermal_rounds,
            "grid_um": options.grid_um,
            "workers": options.workers,
            "seed": options.seed,
        }
    )
    return replace(result, time_s=elapsed, stats=stats, design=design)


def _thermal(design: Design, layout: Layout, options: SolveOptions) -> ThermalReport:
    """The thermal check of one candidate, on the model the limits must hold on.

    No compact pre-screen in front of the 3D model: the compact network is within ~15% of
    it but errs either way, and a pessimistic screen would cut layouts that are in fact
    cool enough. The 3D check at the loop's grid costs 0.1-1 s per candidate."""
    from layoutopt.thermal import thermal_check

    if options.thermal_model == "fv3d":
        return thermal_check(design, layout, model="fv3d", lateral_step_um=options.thermal_step_um)
    return thermal_check(design, layout, model="compact")


def _validate(design: Design, layout: Layout) -> None:
    from layoutopt.validate import check

    check(design, layout)
