"""Sizes (issue #12): what a file may ask for is bounded, checked at load time, with the
numbers in the message. Before: ``count: 1e9`` hung, 10,000 dies took 6.8 GB, a 10^6-point
sweep grid printed nothing for minutes, a 10^9-value range raised MemoryError.

Every test here is bounded by a timeout: a regression is a hang, and the timeout fails it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from layoutopt.cli import ExitCode, app
from layoutopt.design_file import design_from_text, load_design
from layoutopt.errors import DesignError, SpaceError
from layoutopt.limits import DesignLimits
from layoutopt.sweep.space import space_from_text

ROOT = Path(__file__).resolve().parents[1]
GLASSES = ROOT / "designs" / "smart_glasses_epop.yaml"
runner = CliRunner()

DESIGN = """
name: many
process: sip
dies:
  - {{part: nand_tlc_512gb, count: {count}}}
envelope:
  outline: {{width: "900 mm", length: "900 mm"}}
  max_thickness: "1.2 mm"
"""

pytestmark = pytest.mark.timeout(60)


def test_a_billion_dies_is_refused_at_once_with_the_numbers() -> None:
    with pytest.raises(DesignError) as info:
        design_from_text(DESIGN.format(count=1_000_000_000), file="many.yaml")
    err = info.value
    assert err.field == "dies[0].count" and err.value == 1_000_000_000
    assert "1,000,000,000 dies; the limit is 5,000" in err.message
    assert "--max-dies" in err.fix


def test_ten_thousand_dies_need_a_raised_limit() -> None:
    with pytest.raises(DesignError, match="10,000 dies; the limit is 5,000"):
        design_from_text(DESIGN.format(count=10_000))
    with pytest.raises(DesignError, match="11 dies; the limit is 10"):
        design_from_text(DESIGN.format(count=11), limits=DesignLimits(max_dies=10))
    raised = design_from_text(DESIGN.format(count=10), limits=DesignLimits(max_dies=10))
    assert len(raised.dies) == 10


def test_solve_max_dies_option_applies_before_the_solve(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(GLASSES), "-o", str(tmp_path), "--max-dies", "2"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "asks for 3 dies; the limit is 2" in " ".join(result.output.split())
    assert not (tmp_path / "layout.json").exists()


def test_an_alias_bomb_stops_before_it_expands() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    text = "\n".join(levels) + "\nname: bomb\nprocess: epop\n"
    with pytest.raises(DesignError, match="more than 1,000,000 values"):
        design_from_text(text, file="bomb.yaml")


def test_polygon_corners_and_power_map_cells_are_bounded() -> None:
    # Small limits keep the test fast; the defaults (10,000 each) are the same code path.
    limits = DesignLimits(max_points=100, max_power_map_cells=100)
    corners = ", ".join(f'["{i} um", "{(i * 7) % 13} um"]' for i in range(101))
    polygon = GLASSES.read_text().replace(
        'outline: {width: "10 mm", length: "12 mm"}', f"outline: {{points: [{corners}]}}"
    )
    with pytest.raises(DesignError, match="101 corners; the limit is 100") as info:
        design_from_text(polygon, limits=limits)
    assert info.value.field == "envelope.outline.points"
    rows = "[" + ", ".join(["[" + ", ".join(["1"] * 20) + "]"] * 6) + "]"
    from test_bad_input import replace_entry

    mapped = replace_entry(
        GLASSES.read_text(),
        "- part: emmc_controller ",
        f"- {{part: emmc_controller, power_map: {rows}}}",
    )
    with pytest.raises(DesignError, match="120 cells; the limit is 100") as info:
        design_from_text(mapped, limits=limits)
    assert info.value.field == "dies[2].power_map"
    assert DesignLimits().max_points == DesignLimits().max_power_map_cells == 10_000


def test_design_file_size_is_bounded(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match=r"MiB; the limit is"):
        load_design(GLASSES, limits=DesignLimits(max_file_bytes=1024))


# --- sweeps -----------------------------------------------------------------------------------


def space(axes: str, extra: str = "") -> str:
    return (
        "name: big\n"
        "base: {name: d, process: epop, dies: [{part: lpddr4x_16gb}],\n"
        '       envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}}\n'
        f"axes:\n{axes}{extra}"
    )


HUNDRED = "    values: [" + ", ".join(str(i) for i in range(100)) + "]\n"
MILLION = (
    "  - path: dies[0].count\n"
    + HUNDRED
    + "  - path: thermal.ambient_c\n"
    + HUNDRED
    + "  - path: thermal.h_top_w_per_m2_k\n"
    + HUNDRED
)


def test_a_million_point_grid_is_refused_with_its_shape() -> None:
    with pytest.raises(SpaceError) as info:
        space_from_text(space(MILLION), file="big.yaml")
    err = info.value
    assert "1,000,000 points (100 x 100 x 100); a sweep solves at most 10,000" in err.message
    assert "sample" in err.fix and "max_points" in err.fix


def test_the_grid_may_be_sampled_or_the_limit_raised() -> None:
    sampled = space_from_text(space(MILLION, "sample: {method: lhs, n: 50, seed: 1}\n"))
    assert sampled.grid_size == 1_000_000
    with pytest.raises(SpaceError, match="20,000 points"):
        space_from_text(space(MILLION, "sample: {method: random, n: 20000}\n"))
    raised = space_from_text(space(MILLION, "max_points: 1000000\n"))
    assert raised.grid_size == 1_000_000


def test_a_billion_value_range_is_refused_before_it_is_built() -> None:
    axes = '  - path: envelope.max_thickness\n    range: {start: "0 um", stop: "1000000000 um", step: "1 um"}\n'
    with pytest.raises(SpaceError) as info:
        space_from_text(space(axes), file="big.yaml")
    assert "1,000,000,001 values" in info.value.message
    assert info.value.field == "axes[0].range"


def test_sweep_command_exits_3_on_a_too_big_space(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(space(MILLION))
    result = runner.invoke(app, ["sweep", str(path), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "1,000,000 points" in " ".join(result.output.split())


# --- the whole command within --time-limit (the sizes themselves: benchmarks/) --------------


def test_families_share_one_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before, each family of a design with alternatives had the whole limit.
    from layoutopt import pipeline
    from layoutopt.deadline import Deadline
    from layoutopt.solver import SolveOptions, SolveResult, SolveStatus

    design = load_design(GLASSES)
    whole = Deadline.after(30.0)
    ends: list[float] = []

    def fake_solve(variant, options, *, deadline, **_):  # type: ignore[no-untyped-def]
        ends.append(deadline.end_s)
        return SolveResult(SolveStatus.NO_SOLUTION)

    monkeypatch.setattr(pipeline, "solve", fake_solve)
    pipeline.compare_families(design, SolveOptions(time_limit_s=30), deadline=whole)
    families = len(design.variants())
    assert families > 1 and len(ends) == families
    assert all(end <= whole.end_s for end in ends)
    assert ends[0] - whole.start_s == pytest.approx(30.0 / families, abs=0.5)


def test_drawings_keep_inside_the_limit_or_are_skipped_with_the_reason() -> None:
    from layoutopt.cli import _drawing_budget
    from layoutopt.deadline import Deadline
    from layoutopt.pipeline import drawing_time_s, writing_time_s

    design = load_design(ROOT / "designs" / "phone_pop.yaml")
    need_s, write_s = drawing_time_s(design), writing_time_s(design)
    roomy = Deadline.after(100 * need_s)
    budget, skipped = _drawing_budget(design, roomy, 100 * need_s, True, 2)
    assert skipped is None and budget.end_s == pytest.approx(roomy.end_s - need_s - write_s)
    # Too tight to draw: only writing the results (at most a third of the limit) is kept.
    tight = Deadline.after(need_s)
    budget, skipped = _drawing_budget(design, tight, need_s, True, 2)
    kept_s = min(write_s, need_s / 3)
    assert budget.end_s == pytest.approx(tight.end_s - kept_s, abs=0.05) and skipped is not None
    assert "skipped" in skipped and "layoutopt render" in skipped and f"{need_s:.0f} s" in skipped


def test_a_solve_keeps_a_floor_of_the_limit_after_slow_imports() -> None:
    # Imports and loading at load 12 took 6-8 s of a 10 s limit: the 10-die solve had no
    # time left and ended "no solution".
    from layoutopt.cli import SOLVE_FLOOR, _drawing_budget
    from layoutopt.deadline import Deadline

    design = load_design(ROOT / "designs" / "phone_pop.yaml")
    spent = Deadline(Deadline.after(0.0).start_s - 9.5, Deadline.after(0.0).start_s + 0.5)
    budget, _ = _drawing_budget(design, spent, 10.0, False, 2)
    assert budget.remaining_s() == pytest.approx(SOLVE_FLOOR * 10.0, abs=0.1)
    # The floor is time to find an answer: one held stops at the limit's own end.
    assert budget.aim_s is not None and budget.aim_s < spent.end_s
    late = Deadline(spent.start_s - 1.0, spent.end_s - 1.0)  # the limit itself has passed
    assert _drawing_budget(design, late, 10.0, False, 2)[0].past_aim()
    roomy, _ = _drawing_budget(design, Deadline.after(1000.0), 1000.0, False, 2)
    assert roomy.aim_s is None


def test_a_solve_records_where_its_time_went() -> None:
    from layoutopt.solver import SolveOptions, solve

    result = solve(load_design(ROOT / "designs" / "phone_pop.yaml"), SolveOptions(time_limit_s=20))
    phases = result.timing_data()["phases_s"]
    assert {"build", "cp_sat", "validate", "thermal"} <= set(phases), phases
    assert all(seconds >= 0 for seconds in phases.values())
    assert "phases_s" not in str(result.to_data())  # wall times stay out of layout.json


def test_the_command_line_starts_without_importing_the_solver_or_the_dxf_writer() -> None:
    # `layoutopt --version` took 10.6 s at load 13: importing the package imported
    # everything (5.4 s), ezdxf alone 2.6 s; now the package imports on first use.
    import subprocess
    import sys

    # OR-Tools (and the pandas it imports) was 0.4 s of the 1.0 s of `--version` (load 3).
    code = (
        "import sys, layoutopt.cli; "
        "print(sorted(m for m in ('ezdxf', 'layoutopt.solver.solve', 'layoutopt.render', "
        "'ortools', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_solve_path_imports_what_only_some_solves_use_on_first_use() -> None:
    # Each solve paid for modules it may never call (load 2.5): numba 0.19 s (the
    # placement engine: large designs only), scipy.interpolate and scipy.ndimage 0.26 s
    # (the 3D check's windows: near dies only), scipy.special 0.06 s (the compact model).
    import subprocess
    import sys

    code = (
        "import sys, layoutopt.cli, layoutopt.design_file, layoutopt.pipeline, "
        "layoutopt.solver.solve, layoutopt.thermal.loop; "
        "print(sorted(m for m in ('numba', 'layoutopt.engine', 'scipy.interpolate', "
        "'scipy.ndimage', 'scipy.special') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_with_no_warpage_the_summary_and_layout_share_one_warpage_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was computed twice (layout.json, then the summary): 2 x 448 s for 1,000 dies.
    import layoutopt.assess
    import layoutopt.mechanics
    from layoutopt.mechanics.warpage import warpage_report

    calls: list[str] = []

    def counted(design, layout):  # type: ignore[no-untyped-def]
        calls.append(design.name)
        return warpage_report(design, layout)

    monkeypatch.setattr(layoutopt.assess, "warpage_report", counted)
    monkeypatch.setattr(layoutopt.mechanics, "warpage_report", counted)
    design = ROOT / "designs" / "phone_pop.yaml"
    args = ["solve", str(design), "-o", str(tmp_path / "o"), "--no-warpage", "--no-drawings"]
    result = runner.invoke(app, [*args, "--time-limit", "20"])
    assert result.exit_code == ExitCode.OK, result.output
    assert len(calls) == 1, calls
    assert "warpage" in result.output
