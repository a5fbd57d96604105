"""The runner: every point once, errors recorded, reruns skip, files before rows."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from sweep_fakes import fake_load_design, fake_solve
from sweep_helpers import table, write_space

from layoutopt.layout_io import read_layout
from layoutopt.solver.result import SolveOptions
from layoutopt.sweep.analysis import results_frame
from layoutopt.sweep.progress import JsonLines
from layoutopt.sweep.report import write_report
from layoutopt.sweep.runner import run_sweep
from layoutopt.sweep.space import expand_points, load_space

FAKE = {"solve_fn": fake_solve, "load_fn": fake_load_design}


@pytest.fixture
def space_file(tmp_path: Path) -> Path:
    return write_space(tmp_path)


def test_sweep_records_every_point_with_errors_and_infeasible(
    space_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    summary = run_sweep(space_file, out, **FAKE)
    assert summary.total == 4 * 3 * 3 == summary.solved
    df = table(out)
    assert len(df) == summary.total
    # 'boom' dies make the fake solver raise: recorded, the sweep goes on.
    booms = df[df["dies_0_part"] == "boom"]
    assert (booms["status"] == "error").all() and len(booms) == 12
    assert booms["error"].str.contains("fake solver failure").all()
    assert summary.errors == 12
    # Thin envelopes cannot hold 4 dies: infeasible is a result, with no layout.
    infeasible = df[df["status"] == "infeasible"]
    assert len(infeasible) > 0 and infeasible["layout_path"].isna().all()
    solved = df[df["status"] == "optimal"]
    assert len(solved) > 0
    for _, row in solved.iterrows():
        record = read_layout(out / row["layout_path"])
        assert record.layout.thickness_um == row["thickness_um"]
        assert record.layout.footprint_um2 / 1e6 == pytest.approx(row["footprint_mm2"])
        assert json.loads(row["axis_values"])["max_thickness"] == row["max_thickness"]
    assert summary.statuses == df["status"].value_counts().sort_index().to_dict()


def test_rerun_solves_nothing(space_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_sweep(space_file, out, **FAKE)
    again = run_sweep(space_file, out, **FAKE)
    assert again.solved == 0 and again.skipped == first.total


def test_different_options_are_different_points(space_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sweep(space_file, out, options=SolveOptions(workers=1, seed=1), **FAKE)
    again = run_sweep(space_file, out, options=SolveOptions(workers=1, seed=2), **FAKE)
    assert again.skipped == 0 and again.solved == again.total


def test_two_workers_give_the_same_table_as_one(space_file: Path, tmp_path: Path) -> None:
    run_sweep(space_file, tmp_path / "one", workers=1, **FAKE)
    run_sweep(space_file, tmp_path / "two", workers=2, **FAKE)
    pd.testing.assert_frame_equal(table(tmp_path / "one"), table(tmp_path / "two"))


def test_deterministic_reruns_give_identical_tables(space_file: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        run_sweep(space_file, tmp_path / name, warm_start=False, **FAKE)
    pd.testing.assert_frame_equal(table(tmp_path / "a"), table(tmp_path / "b"))


def test_warm_start_uses_nearest_neighbour_with_same_dies(space_file: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, object]] = []

    def recording_solve(design, options):  # type: ignore[no-untyped-def]
        seen.append((design.envelope.max_thickness_um, options.hint))
        return fake_solve(design, options)

    out = tmp_path / "out"
    summary = run_sweep(space_file, out, solve_fn=recording_solve, load_fn=fake_load_design)
    assert summary.hinted > 0
    df = table(out).set_index("key")
    full = results_frame(out).set_index("key")
    hinted = full[full["hint_key"].notna()]
    for key, row in hinted.iterrows():
        neighbour = full.loc[row["hint_key"]]
        # Same dies (part and count), a solved layout, and a different point.
        assert neighbour["dies_0_part"] == row["dies_0_part"]
        assert neighbour["dies_1_count"] == row["dies_1_count"]
        assert neighbour["layout_path"] is not None and key != row["hint_key"]
    # The first point of each die set has nothing to start from.
    assert any(hint is None for _, hint in seen) and any(hint is not None for _, hint in seen)
    assert len(df) == summary.total


def test_jsonl_progress_one_line_per_point(space_file: Path, tmp_path: Path) -> None:
    stream = io.StringIO()
    summary = run_sweep(space_file, tmp_path / "out", progress=JsonLines(stream), **FAKE)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == summary.solved
    assert {"key", "status", "footprint_mm2", "axis_values"} <= set(lines[0])


def test_duplicate_points_are_solved_once(tmp_path: Path) -> None:
    path = write_space(
        tmp_path,
        """
name: dup
base:
  name: g
  process: epop
  dies: [{part: a, count: 1}]
  envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}
axes:
  - {path: process, values: [epop, sip]}
  - name: same
    choices: [{label: x, set: {name: g}}, {label: y, set: {name: g}}]
""",
    )
    assert len(expand_points(load_space(path))) == 4
    assert run_sweep(path, tmp_path / "out", **FAKE).total == 2


def test_report_writes_front_plots_and_summary(space_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sweep(space_file, out, **FAKE)
    report = write_report(out, formats=("svg",), drawings=False)
    front = pd.read_csv(report.front_csv)
    assert report.front_size == len(front) > 0
    assert (report.directory / "pareto.svg").exists()
    assert (report.directory / "footprint_mm2_vs_max_thickness.svg").exists()
    text = report.summary.read_text()
    assert "front.csv" in text and "Errors (12)" in text
    # Deterministic SVG: a second report is byte-identical.
    first = (report.directory / "pareto.svg").read_bytes()
    write_report(out, formats=("svg",), drawings=False)
    assert (report.directory / "pareto.svg").read_bytes() == first
