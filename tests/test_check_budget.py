"""The limits checks follow the solve's deadline (issue #12, "Sizes and time").

Before: at 1,000 dies the 3D thermal check took 829 s and the warpage report 448 s of a
10 s limit, started whatever was left. Now a check starts only when its estimated cost
fits in what is left; one that does not is NOT RUN, the layout is kept, the result says
why with the numbers, and the status is never ``optimal``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import layoutopt.thermal.loop as loop
from layoutopt.cli import ExitCode, app
from layoutopt.deadline import Deadline
from layoutopt.layout_io import read_layout
from layoutopt.solver import SolveOptions, SolveResult, SolveStatus, solve
from layoutopt.solver.checks import (
    VALIDATE_S_PER_DIE,
    check_limits,
    reserve_s,
    warpage_cost_s,
    with_warpage_report,
)
from layoutopt.thermal.fv3d import build_model
from layoutopt.thermal.report import ThermalReport
from layoutopt.thermal.samples import single_die_sample

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
pytestmark = pytest.mark.timeout(120)


def _too_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the steady 3D check look like it needs a day."""
    monkeypatch.setattr(loop, "STEADY_BASE_S", 86_400.0)


def test_a_check_that_does_not_fit_is_not_run_and_the_status_is_not_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    design, _ = single_die_sample(power_w=0.1)  # 31 K over the ambient
    options = SolveOptions(time_limit_s=20, workers=1)
    checked = solve(design, options)
    assert checked.status is SolveStatus.OPTIMAL and checked.thermal is not None
    assert not checked.unchecked and "unchecked" not in checked.to_data()

    # A grid whose cells cost too much: sized, and its estimate said.
    monkeypatch.setattr(loop, "STEADY_S_PER_CELL", 1.0)  # its one die: 1 cell at least
    result = solve(design, options)
    assert result.status is SolveStatus.FEASIBLE
    assert result.layout == checked.layout and result.thermal is None
    (sentence,) = result.unchecked
    assert result.explanation[0] == sentence
    assert sentence.startswith("the 3D thermal check was NOT RUN: it needs about ")
    assert " cells) and " in sentence
    assert "s of the time limit were left" in sentence and "layoutopt thermal" in sentence
    assert result.to_data()["unchecked"] == [sentence]
    assert result.warpage is not None  # the warpage check fitted, and ran

    # Less time than the check's fixed cost: the grid is not sized, the bound is said.
    monkeypatch.undo()
    _too_slow(monkeypatch)
    (sentence,) = solve(design, options).unchecked
    assert sentence.startswith("the 3D thermal check was NOT RUN: it needs at least 86400.0 s (at")


def test_the_layout_of_a_check_not_run_is_written_and_the_other_commands_work_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _too_slow(monkeypatch)
    out = tmp_path / "o"
    design = ROOT / "designs" / "phone_pop.yaml"
    args = ["solve", str(design), "-o", str(out), "--time-limit", "20", "--no-drawings"]
    solved = runner.invoke(app, args)
    assert solved.exit_code == ExitCode.OK, solved.output
    assert "NOT RUN" in solved.output
    record = read_layout(out / "layout.json")
    assert record.solver["status"] == "feasible"
    assert record.solver["unchecked"][0].startswith("the 3D thermal check was NOT RUN")
    assert runner.invoke(app, ["validate", str(out / "layout.json")]).exit_code == ExitCode.OK
    thermal = runner.invoke(
        app, ["thermal", str(out / "layout.json"), "--step-um", "400", "--no-workloads"]
    )
    assert thermal.exit_code == ExitCode.OK, thermal.output


def test_the_cost_estimate_counts_the_grid_the_check_builds() -> None:
    record = read_layout(ROOT / "tests" / "data" / "layouts" / "shipped" / "wearable_sip.json")
    design, layout = record.design, record.layout
    grid = loop.LoopGrid()
    coarse = loop.steady_cost(design, layout, grid.coarse)
    assert coarse.cells == math.prod(build_model(design, layout, grid.coarse).grid.shape)
    assert coarse.seconds == pytest.approx(
        loop.STEADY_BASE_S + loop.STEADY_S_PER_CELL * coarse.cells
    )
    refined = loop.steady_cost(design, layout, grid.refined)
    assert refined.cells > coarse.cells and refined.seconds > coarse.seconds
    assert warpage_cost_s(design) < 0.1  # a few dies: milliseconds, estimated as such


def test_a_refined_check_past_the_deadline_leaves_the_verdict_undecided() -> None:
    design, layout = single_die_sample(power_w=2.0)
    coarse = loop.loop_report(design, layout, workloads=False)
    (die,) = coarse.dies
    near = replace(design, dies=(replace(design.dies[0], max_junction_c=die.max_c + 0.01),))
    assert loop.near_limit(coarse, loop.COARSE_RISE_ERROR, loop.SURFACE_RISE_ERROR) == ()
    skipped = loop.loop_report(near, layout, workloads=False, deadline=Deadline.after(0.0))
    assert isinstance(skipped, loop.NotRun)
    assert skipped.sentence().startswith("the refined 3D thermal check was NOT RUN (the 400 um")
    roomy = loop.loop_report(near, layout, workloads=False, deadline=Deadline.after(600.0))
    assert isinstance(roomy, ThermalReport)
    assert roomy.rise_error == loop.REFINED_RISE_ERROR


def test_on_a_work_budget_each_check_counts_its_estimate() -> None:
    # One worker: the budget counts work, so the checks must count the same amount in
    # every run (their estimates), or the next round's decisions would depend on the load.
    design, layout = single_die_sample(power_w=0.1)
    budget = Deadline.work_budget(100.0, guard_s=1000.0)
    options = SolveOptions(workers=1)
    result, broken, _ = check_limits(
        design,
        layout,
        SolveResult(SolveStatus.OPTIMAL, layout=layout),
        options,
        {},
        budget,
        _solver_thermal(),
    )
    assert not broken and result.thermal is not None and result.warpage is not None
    steady = loop.steady_cost(design, layout, loop.LoopGrid().coarse).seconds
    assert budget.remaining_s() == pytest.approx(100.0 - steady - warpage_cost_s(design))


def test_the_placement_leaves_the_checks_their_time_up_to_a_share() -> None:
    design, layout = single_die_sample()
    options = SolveOptions()
    steady = loop.steady_cost(design, layout, loop.LoopGrid().coarse).seconds
    need = VALIDATE_S_PER_DIE * len(design.dies) + steady + warpage_cost_s(design)
    assert reserve_s(design, options, Deadline.after(100.0), layout) == pytest.approx(
        need, rel=1e-3
    )
    tight = reserve_s(design, options, Deadline.after(2 * steady), layout)
    assert tight < steady  # the steady check does not fit in half: no time is kept for it


def test_a_warpage_check_not_run_is_settled_when_the_report_is_made_afterwards() -> None:
    design, layout = single_die_sample()
    sentence = "the warpage check was NOT RUN: it needs about 9.0 s ..."
    pending = SolveResult(
        SolveStatus.FEASIBLE,
        layout=layout,
        objective=1.0,
        gap=0.5,
        unchecked=(sentence,),
        explanation=(sentence, "x"),
    )
    loose = replace(design, warpage=replace(design.warpage, max_warpage_um=10_000))
    settled = with_warpage_report(loose, pending)
    assert settled.status is SolveStatus.FEASIBLE and settled.warpage is not None
    assert settled.unchecked == () and settled.explanation == ("x",)
    strict = replace(design, warpage=replace(design.warpage, max_warpage_um=1))
    thermal = "the 3D thermal check was NOT RUN: ... Run `layoutopt thermal LAYOUT` ..."
    both = replace(pending, unchecked=(thermal, sentence), explanation=(thermal, sentence, "x"))
    broken = with_warpage_report(strict, both)
    assert broken.status is SolveStatus.NO_SOLUTION and broken.layout is None
    assert "checked afterwards, it breaks the limit: warpage" in broken.explanation[0]
    # No layout file is written for it (result.json is): no advice to run a command on one.
    # Nor what was said of the rejected layout (its gap, "best among ..."): only why.
    assert broken.unchecked == () and len(broken.explanation) == 1
    assert broken.objective is None and broken.gap is None


def test_a_layout_rejected_at_the_end_of_the_time_leaves_no_advice_on_its_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The 3D check does not fit, the warpage check runs and breaks the limit, the rounds
    # run out: no_solution, result.json only, so the 3D check's "Run `layoutopt thermal
    # LAYOUT` on the layout file" would point at a file that does not exist.
    import importlib

    solve_module = importlib.import_module("layoutopt.solver.solve")
    from layoutopt.pipeline import write_solution

    _too_slow(monkeypatch)
    monkeypatch.setattr(solve_module, "MAX_THERMAL_ROUNDS", 1)
    design, _ = single_die_sample(power_w=0.1)
    strict = replace(design, warpage=replace(design.warpage, max_warpage_um=1))
    result = solve(strict, SolveOptions(time_limit_s=20, workers=1))
    assert result.status is SolveStatus.NO_SOLUTION and result.layout is None
    assert result.unchecked == ()
    assert result.explanation[0].startswith("no layout met the warpage limits before")
    written = {p.name for p in write_solution(tmp_path, strict, result)}
    assert written == {"result.json", "timing.json"}
    assert "NOT RUN" not in (tmp_path / "result.json").read_text()


def _solver_thermal():  # type: ignore[no-untyped-def]
    from layoutopt.solver.solve import _thermal

    return _thermal


def test_a_3d_check_the_thermal_command_would_refuse_points_to_the_compact_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1,000 dies: 14.3 M cells, over `layoutopt thermal`'s 4 M: its --step-um advice would
    # be refused, so the sentence names the compact model instead.
    import layoutopt.solver.checks as checks

    monkeypatch.setattr(loop, "STEADY_S_PER_CELL", 1.0)  # the grid sized, and too slow
    monkeypatch.setattr(checks, "MAX_FV3D_CELLS", 10)
    design, _ = single_die_sample(power_w=0.1)
    (sentence,) = solve(design, SolveOptions(time_limit_s=20, workers=1)).unchecked
    assert "Run `layoutopt thermal LAYOUT --model compact` on the layout file (its 3D" in sentence
    assert "refuses grids over 1e-05 M cells" in sentence
    # Not sized (too little time for any grid): the lower bound on its cells decides.
    monkeypatch.undo()
    _too_slow(monkeypatch)
    monkeypatch.setattr(checks, "MAX_FV3D_CELLS", 0)
    (sentence,) = solve(design, SolveOptions(time_limit_s=20, workers=1)).unchecked
    assert "at least 1 cells" in sentence and "--model compact" in sentence


def test_with_no_layout_written_the_command_gives_no_advice_on_drawing_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Drawings too slow for the limit are skipped "`layoutopt render LAYOUT` draws them":
    # said of an infeasible result, that pointed at a layout file that is not written.
    import re

    import layoutopt.pipeline

    monkeypatch.setattr(layoutopt.pipeline, "drawing_time_s", lambda design: 86_400.0)
    tight = tmp_path / "tight.yaml"
    text = (ROOT / "designs" / "smart_glasses_epop.yaml").read_text()
    tight.write_text(re.sub(r'max_thickness: "[^"]+"', 'max_thickness: "0.45 mm"', text))
    args = ["solve", str(tight), "-o", str(tmp_path / "o"), "--workers", "1", "--time-limit", "20"]
    done = runner.invoke(app, args)
    assert done.exit_code == ExitCode.INFEASIBLE, done.output
    assert (tmp_path / "o" / "result.json").exists()
    assert "LAYOUT" not in done.output and "drawings" not in done.output


@pytest.mark.parametrize("name", ["smart_glasses_epop", "phone_pop", "ai_pc_cmc", "wearable_sip"])
def test_the_steady_checks_lower_bound_is_below_its_estimate(name: str) -> None:
    # The loop skips sizing the grid when not even the lower bound fits: it must be one.
    from layoutopt.layout_io import read_layout

    record = read_layout(ROOT / "tests" / "data" / "layouts" / "shipped" / f"{name}.json")
    grid = loop.LoopGrid.at(200.0).coarse
    low = loop.steady_cost_at_least(record.layout)
    cost = loop.steady_cost(record.design, record.layout, grid)
    assert not low.sized and cost.sized
    assert 1 <= low.cells <= cost.cells and low.seconds <= cost.seconds
