"""One worker counts work, not seconds (layoutopt.deadline, layoutopt.solver.run).

A wall-clock limit that binds makes a one-worker search depend on the machine's load; a
work budget stops CP-SAT on its deterministic time, so the same search is cut at the same
place. These tests pin the pieces: the clock, the solver's parameters, and a solve whose
budget binds giving the same layout twice.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from layoutopt.deadline import Deadline
from layoutopt.design_file import load_design
from layoutopt.solver import SolveOptions, solve
from layoutopt.solver.run import (
    DET_TIME_PER_S,
    FEASIBILITY_JUMP_MAX_CONSTRAINTS,
    charge,
    cp_solver,
    solve_budget,
)

ROOT = Path(__file__).resolve().parents[1]


def test_a_work_budget_moves_only_when_work_is_spent() -> None:
    budget = Deadline.work_budget(2.0, guard_s=60.0)
    time.sleep(0.05)
    assert budget.remaining_s() == 2.0  # wall time passing spends nothing
    stage = budget.share(0.5)
    stage.spend(0.75)
    assert stage.remaining_s() == 0.25 and budget.remaining_s() == 1.25
    stage.spend_rest()
    assert stage.expired() and not budget.expired()
    assert budget.renewed(5.0).remaining_s() == 5.0  # an explanation after the budget


def test_the_wall_guard_ends_a_work_budget_and_says_so() -> None:
    budget = Deadline.work_budget(100.0, guard_s=0.0)
    assert budget.expired() and budget.remaining_s() == 0.0
    assert budget.work is not None and budget.work.guard_hit


def test_a_wall_deadline_ignores_spending() -> None:
    wall = Deadline.after(10.0)
    wall.spend(100.0)
    assert 9.0 < wall.remaining_s() <= 10.0 and not wall.counts_work


def test_an_aimed_end_follows_every_derived_deadline_and_never_passes_its_end() -> None:
    now = Deadline.after(0.0).start_s
    floor = Deadline(now, now + 10.0, aim_s=now + 4.0)
    assert not floor.past_aim() and 3.0 < floor.aim_remaining_s() <= 4.0  # type: ignore[operator]
    assert floor.before_end(1.0).aim_s == pytest.approx(now + 3.0)
    short = floor.share(0.2)
    assert short.aim_s == short.end_s  # the share ends first
    assert floor.share(0.9).aim_s == pytest.approx(now + 4.0)
    assert Deadline(now, now + 10.0, aim_s=now - 1.0).past_aim()
    plain = Deadline.after(5.0)
    assert plain.aim_s is None and not plain.past_aim() and plain.aim_remaining_s() is None
    assert plain.share(0.5).aim_s is None and plain.before_end(1.0).aim_s is None


def test_one_worker_gets_a_work_budget_and_more_get_the_wall_clock() -> None:
    assert solve_budget(10.0, 1).counts_work
    assert not solve_budget(10.0, 2).counts_work


def _hard_model() -> cp_model.CpModel:
    """A search CP-SAT cannot finish in a few hundredths of deterministic time."""
    model = cp_model.CpModel()
    xs = [model.new_int_var(0, 60, f"x{i}") for i in range(24)]
    model.add_all_different(xs)
    for i in range(len(xs) - 2):
        model.add(xs[i] + 2 * xs[i + 1] != xs[i + 2])
    model.minimize(sum((i % 7 + 1) * x for i, x in enumerate(xs)))
    return model


def test_cp_sat_stops_on_deterministic_time_under_a_work_budget() -> None:
    budget = Deadline.work_budget(0.2, guard_s=60.0)
    solver = cp_solver(workers=1, seed=0, deadline=budget)
    assert solver.parameters.max_deterministic_time == pytest.approx(0.2 * DET_TIME_PER_S)
    assert solver.parameters.max_time_in_seconds > 60.0 - 1.0  # the guard, not the budget
    solver.solve(_hard_model())
    charge(budget, solver)
    assert budget.remaining_s() < 0.2  # the search's deterministic time was counted
    wall = cp_solver(workers=1, seed=0, deadline=Deadline.after(3.0))
    assert wall.parameters.max_time_in_seconds <= 3.0


def test_a_binding_work_budget_gives_the_same_layout_twice() -> None:
    # The 19-part SiP: one worker cannot prove its optimum in 1 s of work.
    design = load_design(ROOT / "designs" / "wearable_sip.yaml").variants()[0]
    options = SolveOptions(time_limit_s=1.0, workers=1, seed=3, thermal=False, warpage=False)
    first, second = (solve(design, options) for _ in range(2))
    assert first.status.value == "feasible", "the budget must bind for this to mean anything"
    assert first.stats["budget"] == "work"
    assert first.to_data() == second.to_data()
    assert first.layout == second.layout


def test_large_models_leave_out_the_worker_that_overruns_its_time() -> None:
    # The feasibility-jump worker ran a 20 s solve of 1,000 dies for 229 s (run.py).
    small, large = (
        cp_solver(workers=2, seed=0, deadline=Deadline.after(1.0), constraints=n)
        for n in (FEASIBILITY_JUMP_MAX_CONSTRAINTS, FEASIBILITY_JUMP_MAX_CONSTRAINTS + 1)
    )
    assert small.parameters.use_feasibility_jump
    assert not large.parameters.use_feasibility_jump
