"""Running CP-SAT: the solver's parameters, and one objective stage with its statistics."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from layoutopt.deadline import Deadline
from layoutopt.interrupt import InterruptibleCpSolver
from layoutopt.solver.build import BuiltModel

__all__ = [
    "SearchProgress",
    "add_phase_s",
    "charge",
    "cp_solver",
    "found",
    "run_stage",
    "solve_budget",
]

# CP-SAT is given at least this long, so a nearly spent budget still returns a status.
MIN_RUN_S = 0.05
# CP-SAT's deterministic time per second of one core, one worker, on package models:
# 0.09-0.18 measured on wearable_sip, ai_pc_cmc and sip_50 (15 s runs, wall/deterministic
# 5.6-11, load 2-3; benchmarks/README.md, "Work budget"). An estimate that only converts
# a work budget into CP-SAT's unit: it fixes the answer, not the wall time.
DET_TIME_PER_S = 0.12
# A work budget is cut on the wall clock only past this many times the limit (plus 10 s):
# a runaway guard, far above the load factors measured, since a run cut there is no
# longer reproducible.
WORK_WALL_GUARD = 10.0
# CP-SAT's feasibility-jump worker does not stop at the time limit on large models: a 20 s
# solve of the generated 1,000-die design (36,028 constraints) took 228.9 s with it and
# 20.0 s without; 600 dies (21,628) 93.5 s against 15.0 s on a 15 s limit; 300 and 400
# dies (10,828 and 14,428) stopped on time either way, and none found a layout by itself
# (the placement engine does at that size). Past this many constraints it is left out.
FEASIBILITY_JUMP_MAX_CONSTRAINTS = 15_000


def solve_budget(time_limit_s: float, workers: int) -> Deadline:
    """The budget of a solve of ``time_limit_s``: with one worker counted in work, so a
    fixed seed gives the same answer under any load (README, "deterministic"); with more,
    on the wall clock."""
    if workers == 1:
        return Deadline.work_budget(time_limit_s, guard_s=WORK_WALL_GUARD * time_limit_s + 10.0)
    return Deadline.after(time_limit_s)


def cp_solver(
    *, workers: int, seed: int, deadline: Deadline, log: bool = False, constraints: int = 0
) -> cp_model.CpSolver:
    """A CP-SAT solver that stops at ``deadline``; one worker with a fixed seed is
    deterministic (same model, same answer), and on a work deadline (one worker) it stops
    on CP-SAT's deterministic time, so a binding limit keeps it so. Call :func:`charge`
    after the solve. ``constraints``, the model's size, leaves out the search workers that
    overrun their time on large models. Ctrl-C ends its search with KeyboardInterrupt
    (:mod:`layoutopt.interrupt`), never with a cut-short answer."""
    solver = InterruptibleCpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(MIN_RUN_S, deadline.wall_remaining_s())
    if deadline.counts_work:
        params.max_deterministic_time = max(MIN_RUN_S, deadline.remaining_s()) * DET_TIME_PER_S
    params.num_workers = max(1, workers)
    if constraints > FEASIBILITY_JUMP_MAX_CONSTRAINTS:
        params.use_feasibility_jump = False
    params.random_seed = seed
    params.log_search_progress = log
    if workers == 1:
        params.interleave_search = False
    return solver


def charge(deadline: Deadline, solver: cp_model.CpSolver) -> None:
    """Count a finished search's deterministic time on a work deadline."""
    deadline.spend(solver.deterministic_time / DET_TIME_PER_S)


def add_phase_s(stats: dict[str, Any], phase: str, seconds: float) -> None:
    """Add ``seconds`` of wall time to ``phase`` in ``stats["timing"]["phases_s"]`` (the
    time a command spent where: model build, engine, CP-SAT, checks; timing.json)."""
    phases = stats.setdefault("timing", {}).setdefault("phases_s", {})
    phases[phase] = round(phases.get(phase, 0.0) + seconds, 3)


def found(status: Any) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


class SearchProgress(cp_model.CpSolverSolutionCallback):
    """Records when the first legal layout appeared (seconds since ``started_s``) and the
    best objective so far (read from another thread while the search runs)."""

    def __init__(self, started_s: float) -> None:
        super().__init__()
        self._started_s = started_s
        self.elapsed_s: float | None = None
        self.best_objective = math.inf

    def on_solution_callback(self) -> None:
        if self.elapsed_s is None:
            self.elapsed_s = time.perf_counter() - self._started_s
        self.best_objective = min(self.best_objective, self.objective_value)


def run_stage(
    built: BuiltModel,
    *,
    name: str,
    workers: int,
    seed: int,
    log: bool,
    deadline: Deadline,
    since: Deadline,
    stats: dict[str, Any],
    watch: Callable[[cp_model.CpSolver, SearchProgress], None] | None = None,
) -> tuple[Any, cp_model.CpSolver]:
    """One CP-SAT run of the model's current objective until ``deadline``; its statistics
    go to ``stats`` (times of the first solution are counted from ``since``'s start).
    ``watch`` receives the solver and its progress before the search starts (a caller
    that may stop it from another thread)."""
    size = len(built.model.proto.constraints)
    solver = cp_solver(workers=workers, seed=seed, deadline=deadline, log=log, constraints=size)
    first = SearchProgress(since.start_s)
    if watch is not None:
        watch(solver, first)
    status = solver.solve(built.model, first)
    charge(deadline, solver)
    timing = stats.setdefault("timing", {})
    if first.elapsed_s is not None and "first_solution_s" not in timing:
        timing["first_solution_s"] = round(first.elapsed_s, 3)
    timing.setdefault("stages_s", []).append(round(solver.wall_time, 3))
    add_phase_s(stats, "cp_sat", solver.wall_time)
    stats["stages"].append(
        {
            "name": name,
            "status": solver.status_name(status).lower(),
            "objective": solver.objective_value if found(status) else None,
            "best_bound": solver.best_objective_bound,
            "branches": solver.num_branches,
            "conflicts": solver.num_conflicts,
        }
    )
    return status, solver
