"""The engine's starting layout: legal stacks, a legal packing, hints the model accepts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from layoutopt.ballmap import place_balls
from layoutopt.deadline import Deadline
from layoutopt.design_file import load_design
from layoutopt.solver import SolveOptions, solve
from layoutopt.solver.build import build_model
from layoutopt.solver.hints import complete_hint
from layoutopt.solver.warmstart import constructive_layout, greedy_chains, relabel_identical
from layoutopt.stackup import package_thickness_um, stack_up
from layoutopt.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SIP_50 = ROOT / "benchmarks" / "designs" / "sip_50.yaml"


def _as_layout(design, hint):  # type: ignore[no-untyped-def]
    """The hint with z filled in from the rules, so the validator can judge it."""
    rules = design.rules
    by_id = {p.die_id: p for p in hint.placements}
    placed: dict[str, object] = {}
    for p in sorted(hint.placements, key=lambda p: p.tier):
        die = design.die(p.die_id)
        if p.on_die is None:
            z = rules.base_thickness_um + rules.joint_um(die, None)
        else:
            lower = placed[p.on_die]
            z = lower.z_top_um + rules.joint_um(die, design.die(p.on_die))  # type: ignore[attr-defined]
        placed[p.die_id] = replace(p, z_bottom_um=z)
    placements = tuple(placed[p.die_id] for p in hint.placements)  # type: ignore[misc]
    assert set(by_id) == set(placed)
    return replace(
        hint,
        placements=placements,
        thickness_um=package_thickness_um(design, placements),
        stack_up=stack_up(design, placements),
        ball_map=place_balls(design, hint.package, placements),
    )


def test_greedy_chains_stack_the_memory_and_keep_the_rest_side_by_side() -> None:
    design = load_design(SIP_50)
    chains = greedy_chains(design)
    stacked = [[design.dies[m.index].id for m in c] for c in chains if len(c) > 1]
    assert stacked and all(len(c) <= design.rules.max_dies_per_stack for c in stacked)
    assert sum(len(c) for c in chains) == len(design.dies)


def test_constructive_layout_is_legal() -> None:
    design = load_design(SIP_50)
    hint = relabel_identical(
        design, constructive_layout(design, deadline=Deadline.after(2), seed=0)
    )
    assert validate(design, _as_layout(design, hint)) == ()


def test_the_engine_stops_at_the_aimed_end_once_it_holds_a_layout() -> None:
    # A deadline a floor moved later (the command line after slow imports): the engine
    # returns its first legal layout instead of improving it for the floor's 20 s.
    import time

    design = load_design(SIP_50)
    now = Deadline.after(0.0).start_s
    started = time.perf_counter()
    hint = constructive_layout(design, deadline=Deadline(now, now + 20.0, aim_s=now), seed=0)
    assert hint is not None and time.perf_counter() - started < 10.0
    assert validate(design, _as_layout(design, relabel_identical(design, hint))) == ()


def test_the_model_accepts_the_hint_as_a_complete_solution() -> None:
    design = load_design(SIP_50)
    hint = relabel_identical(
        design, constructive_layout(design, deadline=Deadline.after(2), seed=0)
    )
    built = build_model(design, 10)
    assert complete_hint(built, hint, workers=1, seed=0, deadline=Deadline.after(10))


def test_fifty_parts_reach_a_legal_layout() -> None:
    # How fast is measured in benchmarks/bench_solver.py; here: that it gets there, with
    # the engine's layouts streamed into CP-SAT's rounds.
    result = solve(load_design(SIP_50), SolveOptions(time_limit_s=10, thermal=False))
    assert result.status.has_layout and result.layout is not None
    assert "first_solution_s" in result.timing_data()
    assert validate(result.design, result.layout) == ()
    assert result.stats["hint"] == "engine (streamed)"
    assert result.stats["engine_layouts"] >= 1 and result.stats["cp_sat_rounds"] >= 1
    # The bound is the higher of CP-SAT's and the relaxation's (solver/relaxation.py),
    # and the stats say whose; it never exceeds the layout's footprint.
    assert result.best_bound is not None and result.objective is not None
    assert result.best_bound <= result.objective
    relaxed = result.stats.get("relaxation")
    if relaxed is not None:
        step = result.design.rules.package_grid_um
        assert result.best_bound >= relaxed["bound_cells"] * step**2
        whose = result.stats["bound"]
        assert whose == "cp_sat" or whose.startswith("relaxation of the")


def test_the_stream_hands_over_every_better_layout_legal() -> None:
    design = load_design(SIP_50)
    seen: list[object] = []
    final = constructive_layout(
        design, deadline=Deadline.after(3), seed=0, workers=2, grid_um=10, on_layout=seen.append
    )
    assert seen and final is not None
    areas = [lay.package.width_um * lay.package.length_um for lay in seen]  # type: ignore[attr-defined]
    assert validate(design, seen[-1]) == ()  # type: ignore[arg-type]
    # Each layout comes from a better packing; the final one is the last (or as good).
    assert final.package.width_um * final.package.length_um <= areas[0]
    assert all(p.x_um % 10 == 0 and p.y_um % 10 == 0 for p in final.placements)


def test_the_engines_layout_is_kept_when_cp_sat_finds_none(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # #19: n200 / n300 as package designs ended "no solution" although the engine's
    # packing was legal. Here CP-SAT is made to find nothing in any run; the solve must
    # still return the engine's layout, legal, and not call it optimal.
    import sys

    from ortools.sat.python import cp_model

    module = sys.modules["layoutopt.solver.solve"]
    real_run = module._run

    def run_finding_nothing(built, options, name, deadline, since, stats, watch=None):  # type: ignore[no-untyped-def]
        _, solver = real_run(built, options, name, Deadline.after(0.001), since, stats, watch)
        return cp_model.UNKNOWN, solver

    monkeypatch.setattr(module, "_run", run_finding_nothing)
    result = solve(load_design(SIP_50), SolveOptions(time_limit_s=20, thermal=False, seed=1))
    assert result.status.value == "feasible" and result.layout is not None
    assert "fallback" in result.stats and result.gap != 0.0
    assert validate(result.design, result.layout) == ()


def test_an_engine_layout_published_while_cp_sat_ran_out_the_stage_is_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # 1,000 dies at --time-limit 10: the first CP-SAT round took the whole stage and the
    # engine's layout, published meanwhile, was dropped ("no solution", exit 5).
    import sys
    import time

    from ortools.sat.python import cp_model

    module = sys.modules["layoutopt.solver.solve"]
    real_run = module._run

    def run_out_the_stage(built, options, name, deadline, since, stats, watch=None):  # type: ignore[no-untyped-def]
        _, solver = real_run(built, options, name, Deadline.after(0.001), since, stats, watch)
        time.sleep(deadline.remaining_s())  # finds nothing, and ends with the stage
        return cp_model.UNKNOWN, solver

    monkeypatch.setattr(module, "_run", run_out_the_stage)
    options = SolveOptions(time_limit_s=8, thermal=False, warpage=False, seed=1)
    result = solve(load_design(SIP_50), options)
    assert result.status.value == "feasible" and result.layout is not None, result.explanation
    assert validate(result.design, result.layout) == ()


def test_one_worker_on_a_large_design_runs_the_engine_without_a_probe(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    module = sys.modules["layoutopt.solver.solve"]
    monkeypatch.setattr(module, "ENGINE_FIRST_DIES", 40)  # SIP_50 counts as large here
    options = SolveOptions(time_limit_s=6, thermal=False, warpage=False, seed=1, workers=1)
    result = solve(load_design(SIP_50), options)
    assert result.layout is not None and validate(result.design, result.layout) == ()
    names = [stage["name"] for stage in result.stats["stages"]]
    assert not any("probe" in name for name in names), names
    assert result.stats["timing"]["phases_s"]["engine"] > 0


def test_a_model_that_would_not_build_in_time_leaves_the_engine_alone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # 5,000 dies at --time-limit 10: the model's build (3.8-7.5 s) left CP-SAT under a
    # second, which found nothing. Here the build is made to look that slow for 50 parts:
    # the engine's layout is the answer, legal, not called optimal, and the reason is said.
    import sys

    module = sys.modules["layoutopt.solver.solve"]
    monkeypatch.setattr(module, "BUILD_S_PER_DIE", 10.0)
    monkeypatch.setattr(module, "build_model", None)  # never called
    checked = []  # the validator runs once on the engine's layout (0.6-0.8 s at 5,000 dies)
    monkeypatch.setattr(
        sys.modules["layoutopt.validate"],
        "validate",
        lambda d, lay: checked.append(lay) or validate(d, lay),
    )
    options = SolveOptions(time_limit_s=6, thermal=False, warpage=False, seed=1)
    result = solve(load_design(SIP_50), options)
    assert result.status.value == "feasible" and result.layout is not None
    assert validate(result.design, result.layout) == ()
    assert checked == [result.layout]
    assert "was not built" in result.stats["model"] and result.stats["stages"] == []
    assert any("not built" in line for line in result.explanation), result.explanation
    # Measured against the relaxation's bound, which no legal layout beats.
    assert result.best_bound is not None and result.best_bound <= result.objective
    assert result.gap is not None and 0.0 <= result.gap < 1.0


def test_the_model_is_built_when_it_fits_and_always_with_one_worker(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sys

    module = sys.modules["layoutopt.solver.solve"]
    design = load_design(SIP_50)
    ten_s = Deadline.after(10.0)
    assert module._model_left_out(design, SolveOptions(workers=2), ten_s) is None
    monkeypatch.setattr(module, "BUILD_S_PER_DIE", 0.2)  # 50 parts: 10 s, over half of 10 s
    why = module._model_left_out(design, SolveOptions(workers=2), ten_s)
    assert why is not None and "50 dies take about 10 s" in why
    # One worker counts work, not seconds: the choice must not depend on the clock.
    assert module._model_left_out(design, SolveOptions(workers=1), ten_s) is None
