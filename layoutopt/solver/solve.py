"""The solve pipeline: pre-check, CP-SAT stages, thermal and warpage checks in the loop,
validation.

The warpage limit (``layoutopt.mechanics``, default JEITA ED-7306 by ball pitch) is checked
in the same loop, after the temperatures hold, and a breaking layout's structure is cut the
same way; warpage depends on the stack-up and the package size far more than on where the
dies sit, so such a cut is the right move for it too.

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
millisecond; 3D at the loop's 400 um grid: 0.1-1 s, benchmarks/bench_thermal.py; 4-15
times that when a limit is within the grid's error and the die-edge grid decides,
:mod:`layoutopt.thermal.loop`; plus the workloads when the design has time-based skin
limits) plus one re-solve. A layout that breaks a time-based limit (the skin above 48 °C
for more than a minute of the video workload) is cut like a too-hot one.

The loop stops at the first layout that passes, which is optimal among the structures not
cut, and the status says no more than that: after a cut the result is ``feasible`` (with
the reason, and the optimum of the model without thermal limits as its bound) unless it
matches that optimum, which proves it ``optimal``; when every structure is cut it is
``no_solution`` (a cooler variant of a cut structure may exist), never ``infeasible``.
Every returned layout has passed the validator: a disagreement raises
:class:`layoutopt.errors.InternalError`.

Time: one :class:`~layoutopt.deadline.Deadline` for the whole solve; every stage, the
warm start and the explanation take their share of what is left on it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from layoutopt.deadline import Deadline
from layoutopt.errors import InternalError
from layoutopt.fill import fill_to_height
from layoutopt.model import Design, Layout, ObjectiveMode
from layoutopt.solver.build import BuiltModel, build_model
from layoutopt.solver.checks import check_limits, reserve_s, without_layout
from layoutopt.solver.explain import explain_infeasible, precheck
from layoutopt.solver.hints import add_hints, hint_from_solution
from layoutopt.solver.objective import (
    Stage,
    StageName,
    first_stage_unit,
    first_stage_value,
    rank_key,
    stages,
)
from layoutopt.solver.relaxation import RelaxedBound, footprint_bound
from layoutopt.solver.result import SolveOptions, SolveResult, SolveStatus
from layoutopt.solver.run import add_phase_s, found, run_stage, solve_budget
from layoutopt.solver.solution import extract_layout, structure_of
from layoutopt.solver.standard import solve_standard
from layoutopt.solver.stream import (
    EngineStart,
    Incumbent,
    StageOutcome,
    streamed_stage,
    take_engine_layout,
)
from layoutopt.solver.structure import Structure
from layoutopt.solver.warmstart import WARM_START_MIN_DIES, constructive_layout
from layoutopt.thermal.report import ThermalReport

if TYPE_CHECKING:
    from layoutopt.thermal.loop import NotRun

__all__ = ["solve"]

# Each thermal round forbids one stacking structure; past this many the design is treated
# as out of time (a status, with the last violations), not searched further.
MAX_THERMAL_ROUNDS = 50
# Large designs, one worker: CP-SAT alone gets this long (at most a quarter of the stage)
# to find a first layout before the placement engine's packing is called in as a hint.
PROBE_S = 3.0
# From this many dies a one-worker solve runs the engine first, with no CP-SAT probe: at
# 1,000 dies and a 10 s limit the probe found nothing in its share and left the engine no
# time (no solution, exit 5), though the engine packs them in 2-3 s.
ENGINE_FIRST_DIES = 200
# With less than this left, a stage that already has a layout is not started.
MIN_STAGE_S = 0.05
EXPLAIN_MIN_S = 1.0
EXPLAIN_MAX_S = 20.0
# The footprint bound of the largest dies alone (:mod:`layoutopt.solver.relaxation`) gets
# this share of the first stage, at most RELAX_MAX_S, before the stage starts, on designs
# of WARM_START_MIN_DIES dies and more (below that CP-SAT proves its own optimum). On the
# 50-part SiP at 60 s its ladder proves 150.9 mm2 in 5 s (load 4), against CP-SAT's
# 124-139 mm2; on the Bookshelf packages its first rung (under 1 s) stops it.
RELAX_SHARE = 0.1
RELAX_MAX_S = 20.0
# The CP-SAT model's build, seconds per die (an estimate, E): 5,000 dies took 3.3-5.8 s at
# load 2-4, 1,000 dies 0.6-1.7 s (benchmarks/README.md, "Time limits"). A build cannot stop
# part-way, and below ENGINE_ALONE_SHARE of the placement time CP-SAT would get too little
# of what is left after it to improve on the engine (5,000 dies at a 10 s limit: 0.3-1.1 s
# of CP-SAT, which found nothing, after a 3.8-7.5 s build, and the command took 16-19 s).
BUILD_S_PER_DIE = 1.0e-3
ENGINE_ALONE_SHARE = 0.5
# What the engine-alone path spends after the engine's deadline, seconds per die (an
# estimate, E): the packing's conversion to a layout (0.24-0.32 s at 5,000 dies) and the
# engine's own last steps past its deadline (0.3 s), load 2. The engine stops that much
# earlier so that the placement ends on time (it ended 0.8 s late at 5,000 dies).
ENGINE_TAIL_S_PER_DIE = 1.5e-4
# The hint of a layout the engine-alone path has validated itself: the loop does not
# validate the same layout again (0.6-0.8 s at 5,000 dies).
_ENGINE_ALONE_HINT = "engine (the model was not built)"


def _run(
    built: BuiltModel,
    options: SolveOptions,
    name: str,
    deadline: Deadline,
    since: Deadline,
    stats: dict[str, Any],
    watch: Any = None,
) -> tuple[Any, cp_model.CpSolver]:
    return run_stage(
        built,
        name=name,
        workers=options.workers,
        seed=options.seed,
        log=options.log,
        deadline=deadline,
        since=since,
        stats=stats,
        watch=watch,
    )


def _engine_hint(
    built: BuiltModel,
    options: SolveOptions,
    forbidden: list[Structure],
    stage: Deadline,
    since: Deadline,
    stats: dict[str, Any],
) -> Incumbent | None:
    """One worker: hint ``built`` with the placement engine's packing, completed to a full
    solution when it can be; that solution is returned as a legal incumbent the solve
    keeps. (With more workers the engine runs beside CP-SAT: :mod:`layoutopt.solver.stream`.)
    """
    design = built.instance.design
    # The engine counts deterministic work, whose wall time may reach twice its budget: a
    # quarter of what is left. It packs on the model's grid, so the model can take its
    # layout exactly.
    engine = stage.share(0.25)
    started_s = time.perf_counter()
    hint = constructive_layout(
        design, deadline=engine, seed=options.seed, workers=options.workers, grid_um=options.grid_um
    )
    add_phase_s(stats, "engine", time.perf_counter() - started_s)
    stats["hint"] = "engine found none"
    if hint is None:
        return None
    stats["hint"] = "engine"
    taken = take_engine_layout(
        built, hint, workers=options.workers, seed=options.seed, stage=stage, stats=stats
    )
    if taken is not None:
        _first_found(stats, since)
    return taken


def _first_found(stats: dict[str, Any], since: Deadline) -> None:
    stats.setdefault("timing", {}).setdefault("first_solution_s", round(since.elapsed_s(), 3))


def _violations(design: Design, layout: Layout) -> tuple[object, ...]:
    from layoutopt.validate import validate

    return validate(design, layout)


def _large(design: Design) -> bool:
    """A design large enough for the placement engine and the relaxation's bound."""
    return len(design.dies) >= WARM_START_MIN_DIES


def _streams(design: Design, options: SolveOptions) -> bool:
    """Does the first stage use the placement engine (large designs, no given hint)?"""
    return options.hint is None and options.warm_start and _large(design)


def _engine_ahead(design: Design, options: SolveOptions, deadline: Deadline) -> EngineStart | None:
    """The placement engine started before the model is built, for a first stage that
    streams it beside CP-SAT (more than one worker): the engine needs only the design,
    and the build took 3.5-6.9 s of a 10 s limit at 5,000 dies. Its budget ends where the
    first stage would end if the build took no time; the real stage ends later (it gets
    its share of what is left after the build), so the engine still stops before it."""
    if options.workers <= 1 or not _streams(design, options):
        return None
    count = 1 if design.objective.mode is ObjectiveMode.WEIGHTED else 2  # see stages()
    stage = deadline.share(_stage_share(0, count, streamed=True))
    return EngineStart(
        design, stage, seed=options.seed, workers=options.workers, grid_um=options.grid_um
    )


def _first_stage(
    built: BuiltModel,
    options: SolveOptions,
    objective: Stage,
    stage: Deadline,
    since: Deadline,
    stats: dict[str, Any],
    forbidden: list[Structure],
    ahead: EngineStart | None,
) -> StageOutcome:
    """The footprint (or weighted) stage. On large designs the placement engine runs
    beside CP-SAT and streams its layouts in (:mod:`layoutopt.solver.stream`); with one
    worker, a short CP-SAT probe first, and the engine's packing as the hint when it
    finds nothing (and, once the model accepted it, a legal incumbent)."""

    name = objective.name.value

    def outcome(status: Any, solver: cp_model.CpSolver, inc: Incumbent | None) -> StageOutcome:
        return StageOutcome(status, solver, inc, solver.best_objective_bound)

    if not _streams(built.instance.design, options):
        return outcome(*_run(built, options, name, stage, since, stats), None)
    if options.workers > 1:
        return streamed_stage(
            built,
            workers=options.workers,
            seed=options.seed,
            grid_um=options.grid_um,
            stage=stage,
            stats=stats,
            run_round=lambda until, watch: _run(built, options, name, until, since, stats, watch),
            on_first=lambda: _first_found(stats, since),
            started=ahead,
        )
    if len(built.instance.die_ids) >= ENGINE_FIRST_DIES:  # no probe: see ENGINE_FIRST_DIES
        status = cp_model.UNKNOWN
    else:
        probe = stage.share(0.25, at_most_s=PROBE_S)
        status, solver = _run(built, options, name + " (probe)", probe, since, stats)
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE) or stage.remaining_s() <= 0.1:
            return outcome(status, solver, None)
    incumbent = None
    if status == cp_model.FEASIBLE:
        hint_from_solution(built, solver)  # carry on from the probe's layout
    else:
        incumbent = _engine_hint(built, options, forbidden, stage, since, stats)
    status, solver = _run(built, options, name, stage, since, stats)
    if incumbent is not None and found(status):
        if first_stage_value(built.instance.design, incumbent[0]) >= solver.objective_value - 0.5:
            incumbent = None
    return outcome(status, solver, incumbent)


@dataclass
class _Outcome:
    """What the stages found: the first stage's status and numbers, the last layout."""

    first_status: Any = None
    objective: float | None = None
    bound: float | None = None
    proven: bool = True
    layout: Layout | None = None
    structure: Structure | None = None


def _stage_share(k: int, count: int, streamed: bool) -> float:
    # The first stage gets most of the time; later stages refine within its optimum. With
    # the engine streamed into the first stage, the later ones start from its layout and
    # mostly need little: Bookshelf n50 as a package at 60 s ended at 44 s with 0.7 (the
    # thickness stage proved in 1.2 s), gap 2.6 %; with 0.85, 1.9 %; with 0.92 (and the
    # engine's tail cut, solver/stream.py) the engine gets 53 s of 60 s and the later
    # stages 4.8 s (n50's 0.9 s, the 50-part SiP's 2.2 s at load 5: 930 um as with 0.85).
    # At load 13-15 the SiP's thickness stage found nothing even in 8 s: the footprint
    # then stands with its first layout's thickness, unproven.
    if k == 0 and count > 1:
        return 0.92 if streamed else 0.7
    return 1.0 / max(1, count - k)


def _run_stages(
    built: BuiltModel,
    plan: tuple[Stage, ...],
    options: SolveOptions,
    forbidden: list[Structure],
    deadline: Deadline,
    since: Deadline,
    stats: dict[str, Any],
    ahead: EngineStart | None,
) -> _Outcome:
    out = _Outcome()
    streamed = _streams(built.instance.design, options) and options.workers > 1
    relaxed: RelaxedBound | None = None
    for k, stage in enumerate(plan):
        if deadline.remaining_s() <= MIN_STAGE_S and out.layout is not None:
            out.proven = False
            break
        share = deadline.share(_stage_share(k, len(plan), streamed))
        built.model.minimize(stage.expr)
        incumbent, bound = None, -math.inf
        if k == 0:
            relaxed = _relaxed_bound(built, options, stage, share, forbidden, stats)
            first = _first_stage(built, options, stage, share, since, stats, forbidden, ahead)
            status, solver, incumbent = first.status, first.solver, first.incumbent
            bound = first.bound
            if status == cp_model.UNKNOWN and deadline.remaining_s() > MIN_STAGE_S:
                # No layout from CP-SAT yet (perhaps the engine's, as a hint): the later
                # stages' share is better spent on this one.
                status, solver = _run(built, options, stage.name.value, deadline, since, stats)
                bound = max(bound, solver.best_objective_bound)
                if incumbent is not None and found(status):
                    value = first_stage_value(built.instance.design, incumbent[0])
                    incumbent = incumbent if value < solver.objective_value - 0.5 else None
        else:
            status, solver = _run(built, options, stage.name.value, share, since, stats)
        if incumbent is not None:  # the engine's layout beats CP-SAT's (or it has none)
            _keep_incumbent(out, built, incumbent, bound, stats)
            _take_relaxed(out, relaxed, stats)
            break
        if not found(status):
            if k == 0:
                out.first_status = status
            else:
                out.proven = False
            break
        proven = status == cp_model.OPTIMAL
        if k == 0:
            out.first_status = status
            out.objective = solver.objective_value
            out.bound = max(bound, solver.best_objective_bound)
            proven = _take_relaxed(out, relaxed, stats) or proven
        out.proven = out.proven and proven
        out.layout = extract_layout(built, solver)
        out.structure = structure_of(built, solver)
        value = round(solver.objective_value)
        hint_from_solution(built, solver)
        if k + 1 < len(plan):
            built.model.add(stage.expr <= value)
    return out


def _relaxed_bound(
    built: BuiltModel,
    options: SolveOptions,
    stage: Stage,
    share: Deadline,
    forbidden: list[Structure],
    stats: dict[str, Any],
) -> RelaxedBound | None:
    """The footprint bound of the largest dies alone, on a large design's first round
    (a cut round's layouts are bounded by the first round's); None where it is not run."""
    if forbidden or stage.name is not StageName.FOOTPRINT:
        return None
    return _relaxed_footprint(built.instance.design, options, share, stats)


def _relaxed_footprint(
    design: Design, options: SolveOptions, share: Deadline, stats: dict[str, Any]
) -> RelaxedBound | None:
    """:func:`footprint_bound` for a first stage of ``share`` (RELAX_SHARE of it), with its
    time and rungs in ``stats``; None on a small design or a weighted objective."""
    if not _large(design) or design.objective.mode is ObjectiveMode.WEIGHTED:
        return None
    started_s = time.perf_counter()
    relaxed = footprint_bound(
        design,
        grid_um=options.grid_um,
        workers=options.workers,
        seed=options.seed,
        deadline=share.share(RELAX_SHARE, at_most_s=RELAX_MAX_S),
    )
    add_phase_s(stats, "relaxation", time.perf_counter() - started_s)
    if relaxed is not None:
        stats["relaxation"] = {
            "bound_cells": relaxed.cells,
            "dies": relaxed.dies,
            "proven": relaxed.proven,
            "rungs": [list(rung) for rung in relaxed.rungs],
        }
    return relaxed


def _take_relaxed(out: _Outcome, relaxed: RelaxedBound | None, stats: dict[str, Any]) -> bool:
    """Raise the first stage's bound to the relaxation's where it is higher (``stats
    ["bound"]`` says whose it is); True when that proves the stage's layout optimal."""
    if relaxed is None or out.objective is None:
        return False
    if out.bound is not None and out.bound >= relaxed.cells:
        stats["bound"] = "cp_sat"
        return False
    out.bound = _relaxed_cells(relaxed, out.objective, stats)
    return relaxed.cells >= out.objective - 0.5


def _relaxed_cells(relaxed: RelaxedBound, objective: float, stats: dict[str, Any]) -> float:
    """The relaxation's bound (model units) for a legal layout of ``objective``, said to be
    the relaxation's in ``stats["bound"]``; a bound above the layout is a bug."""
    if relaxed.cells > objective + 0.5:
        raise InternalError(
            f"the relaxation's footprint bound ({relaxed.cells} cells, {relaxed.dies} dies) "
            f"exceeds a legal layout's ({objective:g} cells)"
        )
    stats["bound"] = f"relaxation of the {relaxed.dies} largest dies alone"
    return float(relaxed.cells)


def _keep_incumbent(
    out: _Outcome,
    built: BuiltModel,
    incumbent: Incumbent,
    bound: float,
    stats: dict[str, Any],
) -> None:
    """CP-SAT found nothing better in its time, but the engine's layout is legal: never
    "no solution" while a stage holds one. Later stages need a solution of the model, so
    they are skipped; CP-SAT's bound still measures the layout when it is finite."""
    layout, structure = incumbent
    design = built.instance.design
    stats["fallback"] = "engine layout (CP-SAT found no better one in time)"
    out.first_status, out.proven = cp_model.FEASIBLE, False
    out.layout, out.structure = layout, structure
    out.objective = float(first_stage_value(design, layout))
    # Valid when finite, even if CP-SAT's status is UNKNOWN.
    out.bound = bound if math.isfinite(bound) and bound <= out.objective else None


def _scaled(value: float | None, per_unit: Fraction) -> float | None:
    return None if value is None else float(Fraction(value) * per_unit)


def _model_left_out(design: Design, options: SolveOptions, deadline: Deadline) -> str | None:
    """Why the CP-SAT model is not built for this placement solve, or None (it is): a
    design the engine streams into CP-SAT (more than one worker: a wall-clock budget, so
    the choice may depend on the time left) whose estimated build would take more than
    ENGINE_ALONE_SHARE of the placement time."""
    if options.workers <= 1 or not _streams(design, options):
        return None
    build_s, left_s = BUILD_S_PER_DIE * len(design.dies), deadline.remaining_s()
    if build_s <= ENGINE_ALONE_SHARE * left_s:
        return None
    return (
        f"the CP-SAT model was not built: {len(design.dies)} dies take about {build_s:.0f} s "
        f"to build, more than half of the {left_s:.1f} s the placement had, so the "
        "placement engine had it all (a longer --time-limit builds it)"
    )


def _engine_alone(
    design: Design, options: SolveOptions, deadline: Deadline, why: str
) -> tuple[SolveResult, None]:
    """The placement engine's layout without the CP-SAT model (:func:`_model_left_out`),
    checked by the validator, measured against the relaxation's footprint bound. It has no
    structure: a layout that breaks a limit cannot be cut and solved again."""
    since = Deadline.after(0.0)
    weighted = design.objective.mode is ObjectiveMode.WEIGHTED
    stats: dict[str, Any] = {
        "stages": [],
        "hint": _ENGINE_ALONE_HINT,
        "objective_units": "weighted" if weighted else "um2",
        "model": why,
    }
    relaxed = _relaxed_footprint(design, options, deadline, stats)
    started_s = time.perf_counter()
    layout = constructive_layout(
        design,
        deadline=deadline.before_end(ENGINE_TAIL_S_PER_DIE * len(design.dies)),
        seed=options.seed,
        workers=options.workers,
        grid_um=options.grid_um,
    )
    add_phase_s(stats, "engine", time.perf_counter() - started_s)
    started_s = time.perf_counter()
    legal = layout is not None and not _violations(design, layout)
    add_phase_s(stats, "validate", time.perf_counter() - started_s)
    if layout is None or not legal:
        stats["hint"] = "engine found none" if layout is None else "engine layout not legal"
        return SolveResult(SolveStatus.NO_SOLUTION, time_s=since.elapsed_s(), stats=stats), None
    _first_found(stats, since)
    stats["fallback"] = "engine layout (the CP-SAT model was not built)"
    value, unit = first_stage_value(design, layout), first_stage_unit(design)
    bound = None if relaxed is None else _relaxed_cells(relaxed, float(value), stats)
    objective, best = _scaled(float(value), unit), _scaled(bound, unit)
    gap = None if best is None or not objective else max(0.0, (objective - best) / objective)
    result = SolveResult(
        SolveStatus.FEASIBLE,
        layout=layout,
        objective=objective,
        best_bound=best,
        gap=gap,
        time_s=since.elapsed_s(),
        stats=stats,
    )
    return result, None


def _placement_solve(
    design: Design, options: SolveOptions, forbidden: list[Structure], deadline: Deadline
) -> tuple[SolveResult, Structure | None]:
    """One placement solve over all objective stages (no thermal check)."""
    why = _model_left_out(design, options, deadline)
    if why is not None:
        return _engine_alone(design, options, deadline, why)
    since = Deadline.after(0.0)
    ahead = _engine_ahead(design, options, deadline)
    try:
        built = build_model(design, options.grid_um, forbidden=forbidden)
        if options.hint is not None:
            add_hints(built, options.hint)
        plan = stages(design, built.v)
        weighted = plan[0].name is StageName.WEIGHTED
        stats: dict[str, Any] = {
            "stages": [],
            "hint": "given" if options.hint is not None else None,
            "objective_units": "weighted" if weighted else "um2",
        }
        add_phase_s(stats, "build", since.elapsed_s())
        out = _run_stages(built, plan, options, forbidden, deadline, since, stats, ahead)
    finally:
        if ahead is not None:  # a stage that took it has stopped it already
            ahead.abandon()
    elapsed = since.elapsed_s()
    if out.layout is None:
        status = (
            SolveStatus.INFEASIBLE
            if out.first_status == cp_model.INFEASIBLE
            else SolveStatus.NO_SOLUTION
        )
        return SolveResult(status, time_s=elapsed, stats=stats), None
    objective = _scaled(out.objective, plan[0].per_unit)
    bound = _scaled(out.bound, plan[0].per_unit)
    gap: float | None = 0.0
    if objective and bound is not None:
        gap = max(0.0, (objective - bound) / abs(objective))
    elif "fallback" in stats:
        gap = None  # no bound to measure the engine's layout against
    status = SolveStatus.OPTIMAL if out.proven else SolveStatus.FEASIBLE
    result = SolveResult(
        status,
        layout=out.layout,
        objective=objective,
        best_bound=bound,
        gap=0.0 if status is SolveStatus.OPTIMAL else gap,
        time_s=elapsed,
        stats=stats,
    )
    return result, out.structure


def solve(
    design: Design,
    options: SolveOptions | None = None,
    *,
    deadline: Deadline | None = None,
    checks_until: Deadline | None = None,
) -> SolveResult:
    """Place and stack the dies of ``design``: the smallest legal package, then the thinnest.

    Infeasible designs and time-outs are statuses of the result, not exceptions.
    ``deadline`` (default: ``options.time_limit_s`` from now) bounds the whole solve.
    ``checks_until`` (default: ``deadline``) bounds its limits checks, which cannot stop
    part-way: a family's share of a comparison bounds its search, and its checks may use
    what the whole comparison has left (:func:`layoutopt.pipeline.compare_families`).
    """
    options = options or SolveOptions()
    deadline = deadline or solve_budget(options.time_limit_s, options.workers)
    checks = checks_until or deadline
    if design.envelope.standard_sizes:  # outline: standard (layoutopt.solver.standard)
        standard = solve_standard(design, options, deadline, solve, _thermal_report)
        return _with_answers(design, options, _claim_only_checked(standard), checks)
    problems = precheck(design)
    if problems:
        return SolveResult(
            SolveStatus.INFEASIBLE,
            explanation=problems,
            time_s=deadline.elapsed_s(),
            stats={"stage": "precheck"},
            design=design,
        )
    loop = _thermal_loop(design, options, deadline, checks)
    started_s = time.perf_counter()
    result = _with_reason(design, options, loop, deadline)
    phases_s = {**loop.phases_s, "explain": round(time.perf_counter() - started_s, 3)}
    stats = dict(result.stats)
    stats["timing"] = {**stats.get("timing", {}), "phases_s": dict(sorted(phases_s.items()))}
    stats.update(
        {
            "thermal_rounds": len(loop.cut),
            "grid_um": options.grid_um,
            "workers": options.workers,
            "seed": options.seed,
            "budget": _budget_words(deadline),
        }
    )
    result = _with_answers(design, options, _claim_only_checked(result), checks)
    return replace(result, time_s=deadline.elapsed_s(), stats=stats, design=design)


def _claim_only_checked(result: SolveResult) -> SolveResult:
    """A layout with a limits check not run (:mod:`layoutopt.solver.checks`) is not proven
    optimal among the layouts within the limits, nor known to be within them: never
    ``optimal``, and the explanation starts with what was not run and why. A result
    without a layout has no not-run sentences (:func:`without_layout`)."""
    if result.layout is None:
        return without_layout(result)
    if not result.unchecked:
        return result
    status = SolveStatus.FEASIBLE if result.status is SolveStatus.OPTIMAL else result.status
    said = tuple(u for u in result.unchecked if u not in result.explanation)
    return replace(result, status=status, explanation=(*said, *result.explanation))


def _the_limit(options: SolveOptions, deadline: Deadline) -> str:
    """The limit in words, as the solve's clock counted it: one worker counts work
    (:func:`solve_budget`), not seconds."""
    if deadline.counts_work:
        return f"the work budget ({options.time_limit_s:g} s of one core, --workers 1)"
    return f"the time limit ({options.time_limit_s:g} s)"


def _budget_words(deadline: Deadline) -> str:
    """How the time limit was counted: 'wall clock', or 'work' (one worker: reproducible),
    unless the runaway guard cut the work budget short on the wall clock."""
    if deadline.work is None:
        return "wall clock"
    if deadline.work.guard_hit:
        return "work, cut short by the wall-clock guard (not reproducible)"
    return "work"


def _with_answers(
    design: Design, options: SolveOptions, result: SolveResult, deadline: Deadline
) -> SolveResult:
    """The final layout's thermal report with the workloads the loop does not hold
    (``checked: false``) simulated once, for their answers, when they fit in what is left
    of ``deadline`` (they hold no limit: when they do not fit, the explanation says so)."""
    if result.thermal is None or result.layout is None or options.thermal_model != "fv3d":
        return result
    from layoutopt.thermal.loop import LoopGrid, with_answers, workloads_cost

    grid = LoopGrid.at(options.thermal_step_um).coarse
    cost = workloads_cost(design, result.layout, grid, checked=False)
    if cost.seconds > deadline.remaining_s():
        why = (
            f"the answer-only workloads (checked: false) were not simulated: they need about "
            f"{cost.seconds:.0f} s and {deadline.remaining_s():.1f} s were left; "
            "`layoutopt thermal LAYOUT --workloads` runs them"
        )
        return replace(result, explanation=(*result.explanation, why))
    deadline.spend(cost.seconds)
    return replace(result, thermal=with_answers(result.thermal, design, result.layout, grid))


@dataclass(frozen=True)
class _Loop:
    """How the limits loop ended: its last result, the structures it cut (each after one
    of its layouts broke a limit), that layout's violations and which limits they were,
    and the first round (the model without cuts, whose optimum bounds every layout within
    the limits from below)."""

    result: SolveResult
    cut: tuple[Structure, ...]
    last_too_hot: tuple[str, ...]
    first: SolveResult
    out_of_rounds: bool = False
    kinds: frozenset[str] = frozenset()  # "thermal", "warpage": what the cuts were for
    phases_s: dict[str, float] = field(default_factory=dict)  # every round's, summed


def _thermal_loop(
    design: Design, options: SolveOptions, deadline: Deadline, checks: Deadline
) -> _Loop:
    cut: list[Structure] = []
    last_too_hot: tuple[str, ...] = ()
    kinds: set[str] = set()
    first: SolveResult | None = None
    times: dict[str, Any] = {}  # {"timing": {"phases_s": ...}} over every round
    layout: Layout | None = None  # the last candidate: its checks' cost is the reserve
    while True:
        # The placement leaves the checks their estimated time (layoutopt.solver.checks).
        placement = deadline.before_end(reserve_s(design, options, deadline, layout))
        result, structure = _placement_solve(design, options, cut, placement)
        for phase, seconds in result.stats.get("timing", {}).get("phases_s", {}).items():
            add_phase_s(times, phase, seconds)
        first = first or result
        if not result.status.has_layout or result.layout is None:
            break
        # A fixed height: thickest dies and fill on the proven footprint (layoutopt.fill).
        layout = fill_to_height(design, result.layout)
        validated = layout is result.layout and result.stats.get("hint") == _ENGINE_ALONE_HINT
        result = replace(result, layout=layout)
        if not validated:
            started_s = time.perf_counter()
            _validate(design, layout)
            add_phase_s(times, "validate", time.perf_counter() - started_s)
        result, broken, kind = check_limits(
            design, layout, result, options, times, checks, _thermal
        )
        if not broken or structure is None:
            break
        cut.append(structure)
        last_too_hot, kinds = broken, kinds | {kind}
        if len(cut) >= MAX_THERMAL_ROUNDS or deadline.expired():
            result = replace(without_layout(result), status=SolveStatus.NO_SOLUTION)
            return _Loop(
                result,
                tuple(cut),
                last_too_hot,
                first,
                out_of_rounds=True,
                kinds=frozenset(kinds),
                phases_s=times.get("timing", {}).get("phases_s", {}),
            )
    phases_s = times.get("timing", {}).get("phases_s", {})
    return _Loop(result, tuple(cut), last_too_hot, first, kinds=frozenset(kinds), phases_s=phases_s)


_THERMAL_FIX = (
    "lower the power, raise the heat-transfer coefficients or the limits, or give the "
    "package more room to spread the dies"
)
_WARPAGE_FIX = (
    "for warpage: a lower-CTE mold compound or a stiffer, lower-CTE substrate, a mold cap "
    "that balances the substrate, a smaller or thicker package, or a warpage.max_warpage "
    "that the board assembly accepts (a lid or stiffener, not modelled, is how large "
    "packages meet it)"
)


def _limit_words(loop: _Loop) -> tuple[str, str, tuple[str, ...]]:
    """('thermal' / 'warpage' / 'thermal or warpage', 'cooler' / 'flatter' / both, the
    fixes) for the loop's cuts."""
    kinds = sorted(loop.kinds) or ["thermal"]
    better = {"thermal": "cooler", "warpage": "flatter"}
    fixes = tuple(
        f for k, f in (("thermal", _THERMAL_FIX), ("warpage", _WARPAGE_FIX)) if k in kinds
    )
    return " or ".join(kinds), " or ".join(better[k] for k in kinds), fixes


def _with_reason(
    design: Design, options: SolveOptions, loop: _Loop, deadline: Deadline
) -> SolveResult:
    """The result with a status that claims only what is proven, and the reason in words.

    A thermal cut forbids a whole stacking structure after one of its layouts was too
    hot, although a cooler variant (other positions, a larger package) may exist. So
    after a cut an answer is ``optimal`` only when it matches the optimum of the model
    without cuts (a lower bound of every thermally legal layout), and "every structure is
    cut" is ``no_solution``, not ``infeasible``."""
    result, n = loop.result, len(loop.cut)
    if not loop.cut:
        if result.status is SolveStatus.INFEASIBLE:
            seconds = min(max(EXPLAIN_MIN_S, deadline.remaining_s()), EXPLAIN_MAX_S)
            why = explain_infeasible(design, options.grid_um, deadline.renewed(seconds))
            return replace(result, explanation=why)
        left_out = result.stats.get("model")  # the engine alone (_model_left_out)
        if result.status is SolveStatus.NO_SOLUTION:
            why = (_no_layout_in_time(design, options, deadline),)
            return replace(result, explanation=(*why, left_out) if left_out else why)
        if result.status is SolveStatus.FEASIBLE:
            whose = str(result.stats.get("bound", ""))
            whose = f" (the {whose})" if whose.startswith("relaxation") else ""
            unproven = left_out or f"{_the_limit(options, deadline)} ran out first"
            why = (
                f"not proven optimal: {unproven}; the best bound{whose} and the gap to it "
                "are reported with the result",
            )
            return replace(result, explanation=why)
        return result
    last = "; ".join(loop.last_too_hot)
    words, better, fixes = _limit_words(loop)
    if loop.out_of_rounds:
        stop = (
            f"the {MAX_THERMAL_ROUNDS}-round limit"
            if n >= MAX_THERMAL_ROUNDS
            else _the_limit(options, deadline)
        )
        why = (
            f"no layout met the {words} limits before {stop}: {n} stacking structure(s) were "
            f"cut, each after one of its layouts broke a limit; the last: {last}",
            *fixes,
        )
        return replace(result, explanation=why)
    if result.status is SolveStatus.INFEASIBLE:
        why = (
            f"every stacking structure that fits the envelope was cut after one of its "
            f"layouts broke a {words} limit ({n} cut); the last: {last}. A {better} variant "
            "of a cut structure (other positions, a larger package) may exist, so this is not "
            "proof that none fits",
            *fixes,
        )
        return replace(result, status=SolveStatus.NO_SOLUTION, explanation=why)
    if result.status is SolveStatus.NO_SOLUTION:
        why = (
            f"{_the_limit(options, deadline)} ran out in limits round {n + 1} "
            f"before a layout of the structures not yet cut was found; the last layout "
            f"broke: {last}",
            *fixes,
        )
        return replace(result, explanation=why)
    if result.layout is None:
        return result
    return _after_cuts(design, loop, result.layout)


def _after_cuts(design: Design, loop: _Loop, layout: Layout) -> SolveResult:
    """A layout found after thermal cuts: optimal only if it matches the uncut optimum."""
    result, first = loop.result, loop.first
    matches = (
        first.status is SolveStatus.OPTIMAL
        and first.layout is not None
        and result.status is SolveStatus.OPTIMAL
        and rank_key(design, layout) == rank_key(design, first.layout)
    )
    if matches:
        return result
    bound = first.best_bound
    gap = result.gap
    if result.objective and bound is not None:
        gap = max(0.0, (result.objective - bound) / abs(result.objective))
    words, better, _ = _limit_words(loop)
    why = (
        f"best among the stacking structures not cut: {len(loop.cut)} structure(s) were cut "
        f"because one of their layouts broke a {words} limit, and a {better} variant of a "
        "cut structure (other positions, a larger package) may be better; the bound is the "
        f"optimum without {words} limits",
    )
    return replace(result, status=SolveStatus.FEASIBLE, best_bound=bound, gap=gap, explanation=why)


def _no_layout_in_time(design: Design, options: SolveOptions, deadline: Deadline) -> str:
    return (
        f"no legal layout was found within {_the_limit(options, deadline)} for "
        f"{len(design.dies)} dies; neither is one proven impossible: a longer --time-limit "
        "(time_limit_s) may find one"
    )


def _thermal(
    design: Design,
    layout: Layout,
    options: SolveOptions,
    *,
    workloads: bool = True,
    deadline: Deadline | None = None,
) -> ThermalReport | NotRun:
    """The thermal check of one candidate, on the model the limits must hold on.

    fv3d: :func:`layoutopt.thermal.loop.loop_report`, the loop's grid (``thermal_step_um``)
    and, where a limit is within that grid's measured error, a grid refined at the die
    edges; with time-based skin limits, every workload too. No compact pre-screen in front
    of it: the compact network errs either way (tests/test_thermal_compact_fidelity.py),
    and a pessimistic screen would cut layouts that are in fact cool enough."""
    if options.thermal_model == "fv3d":
        from layoutopt.thermal.loop import LoopGrid, loop_report

        grid = LoopGrid.at(options.thermal_step_um)
        return loop_report(design, layout, grid, workloads=workloads, deadline=deadline)
    from layoutopt.thermal import thermal_check

    return thermal_check(design, layout, model="compact")


def _thermal_report(design: Design, layout: Layout, options: SolveOptions) -> ThermalReport:
    """:func:`_thermal` with no deadline, as the standard-body path re-checks its chosen
    body: always a report."""
    report = _thermal(design, layout, options)
    if not isinstance(report, ThermalReport):  # only a check given a deadline is not run
        raise TypeError(f"a thermal check without a deadline returned {report!r}")
    return report


def _validate(design: Design, layout: Layout) -> None:
    from layoutopt.validate import check

    check(design, layout)
