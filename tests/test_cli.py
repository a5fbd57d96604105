"""The CLI through a runner: exit codes, output files and messages (no tracebacks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layoutopt.cli import ExitCode, app

ROOT = Path(__file__).resolve().parents[1]
GLASSES = ROOT / "designs" / "smart_glasses_epop.yaml"
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("glasses")
    result = run("solve", GLASSES, "-o", out, "--workers", "1", "--time-limit", "20")
    assert result.exit_code == ExitCode.OK, result.output
    assert "status    optimal" in result.output
    # the ball-out and the extreme wires, against the process's limits
    assert "board balls at 0.35 mm pitch" in result.output
    assert "wires, longest" in result.output and "limit 3 mm" in result.output
    return out


def test_solve_writes_documented_layout(solved: Path) -> None:
    data = json.loads((solved / "layout.json").read_text())
    assert data["format"] == "layoutopt.layout"
    die = data["layout"]["dies"][0]
    for key in (
        "id",
        "part",
        "x_um",
        "y_um",
        "width_um",
        "length_um",
        "z_bottom_um",
        "thickness_um",
        "rotation_deg",
        "stack",
        "tier",
    ):
        assert key in die
    breakdown = data["layout"]["thickness_breakdown"]
    assert sum(layer["thickness_um"] for layer in breakdown) == data["layout"]["thickness_um"]
    assert data["solver"]["status"] == "optimal"
    assert data["thermal"]["dies"]
    assert list(solved.glob("*.svg")), "drawings are written next to the layout"


def test_validate_accepts_a_solved_layout(solved: Path) -> None:
    result = run("validate", solved / "layout.json")
    assert result.exit_code == ExitCode.OK, result.output
    assert "valid" in result.output


def test_validate_reports_a_broken_layout(solved: Path, tmp_path: Path) -> None:
    data = json.loads((solved / "layout.json").read_text())
    data["layout"]["dies"][0]["x_um"] = -5000
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = run("validate", broken)
    assert result.exit_code == ExitCode.VIOLATIONS
    assert "die_edge" in result.output


def test_render_from_layout_file(solved: Path, tmp_path: Path) -> None:
    result = run("render", solved / "layout.json", "-o", tmp_path, "--views", "top,section")
    assert result.exit_code == ExitCode.OK, result.output
    assert len(list(tmp_path.glob("*.svg"))) == 2


def test_bad_design_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GLASSES.read_text().replace("max_thickness:", "max_thicknes:"))
    result = run("solve", bad, "-o", tmp_path / "o")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "bad.yaml" in result.output and "Traceback" not in result.output


def test_infeasible_design_exits_4_with_the_reason(tmp_path: Path) -> None:
    tight = tmp_path / "tight.yaml"
    text = GLASSES.read_text()
    import re

    tight.write_text(re.sub(r'max_thickness: "[^"]+"', 'max_thickness: "0.45 mm"', text))
    result = run("solve", tight, "-o", tmp_path / "o", "--workers", "1", "--time-limit", "20")
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    assert "why" in result.output and "0.45 mm max" in result.output
    assert (tmp_path / "o" / "result.json").exists()


def test_missing_layout_file_is_bad_input(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "nope.json")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "no such file" in result.output


def test_usage_error_exit_code() -> None:
    assert run("solve").exit_code == ExitCode.USAGE


def test_library_and_schema_commands() -> None:
    assert run("library").exit_code == ExitCode.OK
    result = run("schema")
    assert result.exit_code == ExitCode.OK
    committed = json.loads((ROOT / "layoutopt" / "schema" / "design.schema.json").read_text())
    assert json.loads(result.output) == committed


def test_thermal_command_and_hotspot_export(solved: Path, tmp_path: Path) -> None:
    result = run(
        "thermal",
        solved / "layout.json",
        "--model",
        "fv3d",
        "--step-um",
        "400",
        "--no-workloads",
        "--hotspot",
        tmp_path / "hotspot",
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "skin" in result.output
    assert list((tmp_path / "hotspot").glob("*.flp"))
    assert list((tmp_path / "hotspot").glob("*.lcf"))


def test_import_bookshelf_writes_a_solvable_design(tmp_path: Path) -> None:
    blocks = tmp_path / "tiny.blocks"
    blocks.write_text(
        "UCSC blocks 1.0\n\nNumSoftRectangularBlocks : 0\nNumHardRectilinearBlocks : 3\n"
        "NumTerminals : 0\n\n"
        "a hardrectilinear 4 (0, 0) (0, 40) (60, 40) (60, 0)\n"
        "b hardrectilinear 4 (0, 0) (0, 30) (30, 30) (30, 0)\n"
        "c hardrectilinear 4 (0, 0) (0, 20) (50, 20) (50, 0)\n"
    )
    design = tmp_path / "tiny.yaml"
    result = run("import-bookshelf", blocks, "-o", design, "--whitespace", "0.5")
    assert result.exit_code == ExitCode.OK, result.output
    solved = run("solve", design, "-o", tmp_path / "o", "--no-thermal", "--workers", "1")
    assert solved.exit_code == ExitCode.OK, solved.output


def test_import_bookshelf_bad_file_is_bad_input(tmp_path: Path) -> None:
    blocks = tmp_path / "bad.blocks"
    blocks.write_text("UCSC blocks 1.0\nNumHardRectilinearBlocks : 2\nx hardrectilinear 4 (0, 0)\n")
    result = run("import-bookshelf", blocks, "-o", tmp_path / "x.yaml")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "bad.blocks" in result.output and "Traceback" not in result.output


def test_fixed_seed_one_worker_gives_byte_identical_outputs(tmp_path: Path) -> None:
    outs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        # The three families share --time-limit: 90 s gives each the 30 s it had alone
        # (a limit that binds under load cuts a search short, and then bytes differ).
        options = ("--workers", "1", "--seed", "7", "--time-limit", "90")
        result = run("solve", GLASSES, "-o", out, *options)
        assert result.exit_code == ExitCode.OK, result.output
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert any(f.suffix == ".svg" for f in files) and Path("layout.json") in files
    for name in files:
        if name.name == "timing.json":  # wall-clock times, by design apart from the results
            continue
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_the_command_line_counts_its_time_limit_from_the_process_start(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The user's clock starts when the command does, before the interpreter's imports
    # (0.5-1.6 s at load 5 at 5,000 dies); a process that runs commands as functions
    # (this test, a notebook) counts each from its own start.
    import time

    import layoutopt.cli as cli

    started = time.perf_counter() - 2.0
    monkeypatch.setattr(cli, "_process_started_s", started)
    first = cli._command_deadline(10.0)
    assert first.start_s == started and first.end_s == started + 10.0
    second = cli._command_deadline(10.0)  # the process's start is used once
    assert second.start_s > started + 1.9 and second.remaining_s() > 9.9
    assert 0.0 <= cli._process_age_s() < 24 * 3600


def test_the_command_line_collects_less_often_and_leaves_its_heap_at_exit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A 5,000-die solve spent about 2 s in the collector and 1.1 s more at exit, when
    # Python collects the whole heap again as it tears the modules down.
    import gc

    import layoutopt.cli as cli

    seen: dict[str, object] = {}

    def command(prog_name: str) -> None:
        seen["threshold"] = gc.get_threshold()[0]
        seen["frozen"] = gc.get_freeze_count()
        raise SystemExit(0)

    before = gc.get_threshold()
    monkeypatch.setattr(cli, "app", command)
    monkeypatch.setattr(cli, "stop_on_sigterm", lambda: None)
    try:
        with pytest.raises(SystemExit):
            cli.main()
        frozen_after = gc.get_freeze_count()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
    assert seen["threshold"] == cli._GC_FIRST_THRESHOLD
    assert frozen_after > seen["frozen"]  # frozen once the command has ended


def test_dollars_are_to_the_cent_and_huge_ones_in_three_digits() -> None:
    from layoutopt.cli import _usd

    assert _usd(8.164) == "$8.16" and _usd(999_999.994) == "$999999.99"
    assert _usd(2.8706e25) == "$2.87e+25"
