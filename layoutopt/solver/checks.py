"""The limits checks of one candidate layout, each started only when it fits in the budget.

The solver loop checks every candidate layout against the design's limits: the steady
temperatures (the 3D model, or the compact one), the warpage, then the workloads of
time-based skin limits. A check cannot stop part-way and costs from milliseconds to
minutes (the 3D grid grows with the square of the die count: 13.8 M cells at 1,000 dies).
So each starts only when its estimated cost (:func:`layoutopt.thermal.loop.steady_cost`,
:func:`warpage_cost_s`) fits in what is left of the solve's :class:`Deadline`; one that
does not is *not run*: the layout is kept, the result says which check was not run, how
long it would take and how long was left, and the status claims nothing about that limit
(never ``optimal``). On a work budget (one worker) each check run is counted at its
estimated cost, so the decisions repeat exactly.

Before the first layout exists, :func:`reserve_s` estimates the checks from the design
alone, and the placement stops that much earlier, so a search that runs to the limit still
leaves the checks their time.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from layoutopt.deadline import Deadline
from layoutopt.limits import MAX_FV3D_CELLS
from layoutopt.model import Design, Layout
from layoutopt.solver.result import SolveOptions, SolveResult
from layoutopt.solver.run import add_phase_s

__all__ = [
    "RESERVE_SHARE",
    "VALIDATE_S_PER_DIE",
    "check_limits",
    "reserve_s",
    "warpage_cost_s",
    "with_warpage_report",
    "without_layout",
]

_WARPAGE_NOT_RUN = "the warpage check was NOT RUN"

# The warpage report's cost: 1.4 s at 1,000 dies, 4.2 s at 5,000 (generated designs, 2
# cores, load 4-5); a few ms for the shipped designs.
WARPAGE_BASE_S = 0.05
WARPAGE_S_PER_DIE = 1e-3
# The compact thermal check's cost (an estimate, E): its sparse network took 0.8 s at
# 5,000 dies (generated design, load 4-5), a few ms for the shipped designs. Without it
# in the reserve the placement left the check no time and the solve ended 0.8 s late.
COMPACT_S_PER_DIE = 2e-4
# Validating a candidate (it comes before its checks): 0.09 s at 1,000 dies, 0.34 s at
# 5,000 (load 3.4), taken at twice that.
VALIDATE_S_PER_DIE = 1.5e-4
# The checks keep at most this share of a budget from the placement search: past it the
# search needs the time more, and a check that does not fit is reported as not run.
RESERVE_SHARE = 0.5
# Cells of the board around the package and of its grading, per lateral axis, and cell
# layers: for the estimate before a layout exists (a layout's own grid replaces it).
_BOARD_LINES = 30
_LAYERS = 10


def warpage_cost_s(design: Design) -> float:
    """The warpage report's estimated cost (seconds)."""
    return WARPAGE_BASE_S + WARPAGE_S_PER_DIE * len(design.dies)


def _design_cells(design: Design, step_um: float) -> int:
    """About how many cells the loop's 3D grid of any layout of ``design`` has: the
    lateral step over the outline plus two lines per die edge pair (an over-estimate: dies
    share edges), the board's lines, ten layers."""
    x0, y0, x1, y1 = design.envelope.outline.bounds
    width_um, length_um = x1 - x0, y1 - y0
    n = len(design.dies)
    nx = width_um / step_um + 2 * n + _BOARD_LINES
    ny = length_um / step_um + 2 * n + _BOARD_LINES
    return int(nx * ny * _LAYERS)


def _checks_costs_s(
    design: Design, options: SolveOptions, layout: Layout | None
) -> tuple[float, ...]:
    """The estimated cost of each check of one candidate, in the order they run: of
    ``layout`` when given, else of any layout of ``design``."""
    from layoutopt.thermal.loop import (
        LOOP_FIRST_STEP_S,
        LOOP_STEP_S,
        STEADY_BASE_S,
        STEADY_S_PER_CELL,
        WORKLOAD_S_PER_CELL_STEP,
        LoopGrid,
        steady_cost,
        workloads_cost,
    )
    from layoutopt.thermal.transient import step_count

    fv3d = options.thermal and options.thermal_model == "fv3d"
    grid = LoopGrid.at(options.thermal_step_um).coarse
    steady = workloads = 0.0
    if fv3d and layout is not None:
        steady = steady_cost(design, layout, grid).seconds
        workloads = workloads_cost(design, layout, grid).seconds
    elif fv3d:
        cells = _design_cells(design, options.thermal_step_um)
        steady = STEADY_BASE_S + STEADY_S_PER_CELL * cells
        if design.thermal.skin_limits:
            runs = [w for w in design.thermal.workloads if w.checked]
            steps = sum(step_count(w, LOOP_STEP_S, LOOP_FIRST_STEP_S) for w in runs)
            workloads = WORKLOAD_S_PER_CELL_STEP * cells * steps
    elif options.thermal:  # the compact network, whose cost grows with the dies
        steady = COMPACT_S_PER_DIE * len(design.dies)
    warpage = warpage_cost_s(design) if options.warpage and design.materials else 0.0
    return steady, warpage, workloads


def reserve_s(
    design: Design, options: SolveOptions, deadline: Deadline, layout: Layout | None = None
) -> float:
    """Seconds the placement leaves the checks of its layout: the estimated cost (of
    ``layout``, the last candidate, when there is one) of the checks that fit in
    :data:`RESERVE_SHARE` of what is left, in the order they run; a check that does not
    is not run, and keeping time for it would only take it from the search. The
    candidate's validation, which comes first, is kept too."""
    room_s = RESERVE_SHARE * deadline.remaining_s()
    kept_s = min(room_s, VALIDATE_S_PER_DIE * len(design.dies))
    for need_s in _checks_costs_s(design, options, layout):
        if kept_s + need_s <= room_s:
            kept_s += need_s
    return kept_s


def _fits(need_s: float, deadline: Deadline) -> bool:
    return math.isfinite(need_s) and need_s <= deadline.remaining_s()


def _thermal_check(
    design: Design,
    layout: Layout,
    result: SolveResult,
    options: SolveOptions,
    phases: dict[str, Any],
    deadline: Deadline,
    thermal: Any,
) -> tuple[SolveResult, tuple[str, ...]]:
    """The steady check (``thermal``: the solver's own, see ``solve._thermal``), if it
    fits: (result with the report or the reason it was not run, violations)."""
    from layoutopt.thermal.loop import LoopGrid, NotRun, steady_cost, steady_cost_at_least

    started_s = time.perf_counter()
    if options.thermal_model == "fv3d":
        # When not even the lower bound fits, the grid is not sized: that took 0.4-0.8 s
        # at 5,000 dies, after the time was up.
        cost = steady_cost_at_least(layout)
        if _fits(cost.seconds, deadline):
            cost = steady_cost(design, layout, LoopGrid.at(options.thermal_step_um).coarse)
        if not _fits(cost.seconds, deadline):
            left_s = deadline.remaining_s()
            command = f"layoutopt thermal LAYOUT --step-um {options.thermal_step_um}"
            note = ""
            if cost.cells > MAX_FV3D_CELLS:  # that command refuses such a grid: say so
                command = "layoutopt thermal LAYOUT --model compact"
                note = (
                    f"its 3D model refuses grids over {MAX_FV3D_CELLS / 1e6:g} M cells, and "
                    "every die edge is a grid line here"
                )
            skipped = NotRun("the 3D thermal check", cost, left_s, command, note=note)
            return _not_run(result, skipped.sentence()), ()
        deadline.spend(cost.seconds)
    report = thermal(design, layout, options, workloads=False, deadline=deadline)
    add_phase_s(phases, "thermal", time.perf_counter() - started_s)
    if isinstance(report, NotRun):
        return _not_run(result, report.sentence()), ()
    result = replace(result, thermal=report)
    return result, report.violations()


def _workloads_check(
    design: Design,
    layout: Layout,
    result: SolveResult,
    options: SolveOptions,
    phases: dict[str, Any],
    deadline: Deadline,
) -> tuple[SolveResult, tuple[str, ...]]:
    """The workloads of time-based skin limits on the steady report, if they fit."""
    from layoutopt.thermal.loop import LoopGrid, NotRun, check_workloads, workloads_cost

    if result.thermal is None or not (design.thermal.skin_limits and result.thermal.ok):
        return result, ()
    grid = LoopGrid.at(options.thermal_step_um)
    cost = workloads_cost(design, layout, grid.coarse)
    if not _fits(cost.seconds, deadline):
        command = "layoutopt thermal LAYOUT --workloads"
        skipped = NotRun("the workloads' skin check", cost, deadline.remaining_s(), command)
        return _not_run(result, skipped.sentence()), ()
    deadline.spend(cost.seconds)
    started_s = time.perf_counter()
    report = check_workloads(result.thermal, design, layout, grid, deadline=deadline)
    add_phase_s(phases, "thermal", time.perf_counter() - started_s)
    if isinstance(report, NotRun):
        return _not_run(result, report.sentence()), ()
    return replace(result, thermal=report), report.violations()


def check_limits(
    design: Design,
    layout: Layout,
    result: SolveResult,
    options: SolveOptions,
    phases: dict[str, Any],
    deadline: Deadline,
    thermal: Any,
) -> tuple[SolveResult, tuple[str, ...], str]:
    """The candidate with its thermal and warpage reports, what it breaks, and which kind
    ("thermal", "warpage"; "" when nothing is broken). A check that does not fit in what
    is left of ``deadline`` is not run; its reason is added to ``result.unchecked``.

    Warpage is checked once the steady temperatures hold (a cut for heat already changes
    the structure). The workloads of time-based skin limits come last, being the costliest
    check, wasted on a layout cut for warpage."""
    if options.thermal:
        result, broken = _thermal_check(design, layout, result, options, phases, deadline, thermal)
        if broken:
            return result, broken, "thermal"
    # A design without a material table (a hand-made core value) has nothing to bend.
    if options.warpage and design.materials:
        need_s = warpage_cost_s(design)
        if not _fits(need_s, deadline):
            sentence = (
                f"{_WARPAGE_NOT_RUN}: it needs about {need_s:.1f} s for "
                f"{len(design.dies)} dies and {deadline.remaining_s():.1f} s of the time limit "
                "were left; its limit is not known to hold. Run `layoutopt warpage LAYOUT` on "
                "the layout file, or give a longer --time-limit"
            )
            result = _not_run(result, sentence)
        else:
            from layoutopt.mechanics import warpage_report

            deadline.spend(need_s)
            started_s = time.perf_counter()
            warp = warpage_report(design, layout)
            add_phase_s(phases, "warpage", time.perf_counter() - started_s)
            result = replace(result, warpage=warp)
            if not warp.ok:
                return result, warp.violations(), "warpage"
    if options.thermal and options.thermal_model == "fv3d":
        result, broken = _workloads_check(design, layout, result, options, phases, deadline)
        if broken:
            return result, broken, "thermal"
    return result, (), ""


def _not_run(result: SolveResult, sentence: str) -> SolveResult:
    return replace(result, unchecked=(*result.unchecked, sentence))


def without_layout(result: SolveResult) -> SolveResult:
    """``result`` with its layout rejected: no layout, and no not-run sentences, in
    ``unchecked`` or the explanation. Each asks the user to run a command on the layout
    file, which is not written for a result without a layout (``result.json`` is), and
    the limits left unchecked on a layout that breaks another do not matter."""
    explanation = tuple(e for e in result.explanation if e not in result.unchecked)
    return replace(result, layout=None, unchecked=(), explanation=explanation)


def with_warpage_report(design: Design, result: SolveResult) -> SolveResult:
    """``result`` with the warpage report of its layout, made here when the loop did not
    make one (``--no-warpage``, or the check was not run for want of time: writing the
    results has its own share of the command's limit, :func:`layoutopt.pipeline.
    writing_time_s`). A check the loop had not run is then settled: within the limit, the
    not-run sentence goes; past it, the layout is not an answer (the loop never returns
    one that breaks a limit): ``no_solution``, with the numbers."""
    from layoutopt.mechanics import warpage_report
    from layoutopt.solver.result import SolveStatus

    if result.layout is None or result.warpage is not None or not design.materials:
        return result
    warp = warpage_report(design, result.layout)
    skipped = tuple(u for u in result.unchecked if u.startswith(_WARPAGE_NOT_RUN))
    if not skipped:
        return replace(result, warpage=warp)
    if warp.ok:
        unchecked = tuple(u for u in result.unchecked if u not in skipped)
        explanation = tuple(e for e in result.explanation if e not in skipped)
        return replace(result, warpage=warp, unchecked=unchecked, explanation=explanation)
    why = (
        "the time limit ran out before the last layout's warpage was checked in the solve; "
        f"checked afterwards, it breaks the limit: {'; '.join(warp.violations())}. A longer "
        "--time-limit lets the solve look for one within it"
    )
    # The rest of the explanation, the objective and the gap were about the rejected
    # layout ("best among the structures not cut", the gap to the bound): not said of a
    # result without one. The bound stays a bound.
    return replace(
        without_layout(result),
        status=SolveStatus.NO_SOLUTION,
        objective=None,
        gap=None,
        thermal=None,
        explanation=(why,),
    )
