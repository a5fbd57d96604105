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

__all__ = ["SearchProgress", "add_phase_s", "cp_solver", "found", "run_stage"]

# CP-SAT is given at least this long, so a nearly spent budget still returns a status.
MIN_RUN_S = 0.05


def cp_solver(
    *, workers: int, seed: int, time_limit_s: float, log: bool = False
) -> cp_model.CpSolver:
    """A CP-SAT solver; one worker with a fixed seed is deterministic (same model, same
    answer) unless the time limit binds. Ctrl-C ends its search with KeyboardInterrupt
    (:mod:`layoutopt.interrupt`), never with a cut-short answer."""
    solver = InterruptibleCpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(MIN_RUN_S, time_limit_s)
    params.num_workers = max(1, workers)
    params.random_seed = seed
    params.log_search_progress = log
    if workers == 1:
        params.interleave_search = False
    return solver


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
    solver = cp_solver(workers=workers, seed=seed, time_limit_s=deadline.remaining_s(), log=log)
    first = SearchProgress(since.start_s)
    if watch is not None:
        watch(solver, first)
    status = solver.solve(built.model, first)
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
