"""The command line under bad options, bad output places and bugs (issue #12).

- options: each out-of-range value is a usage error (exit 2) naming the option, the value
  and the range, raised before any solve starts;
- ``-o``: a file, a path under a file, a folder that cannot be written: exit 3 before the
  solve;
- crashes: an unexpected exception is one paragraph and a saved report (exit 70);
- help: ``--version``, ``-h``, and every command's exit codes;
- zero power: ``import-bookshelf`` designs solve, check and draw (no thermal limit to check);
- output names: a design ``name`` never writes outside ``-o``.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import layoutopt
from layoutopt.cli import EXIT_MEANINGS, ExitCode, app

ROOT = Path(__file__).resolve().parents[1]
GLASSES = ROOT / "designs" / "smart_glasses_epop.yaml"
LAYOUT = ROOT / "tests" / "data" / "layouts" / "epop.json"
SPACE = ROOT / "designs" / "spaces" / "smart_glasses_memory.yaml"
runner = CliRunner()
# The module, not layoutopt.validate (the package exports a function of that name).
VALIDATE = importlib.import_module("layoutopt.validate")


def run(*args: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """CLI output with rich's box drawing and line wraps removed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any solve or sweep that starts fails the test (exit 70 instead of the expected code)."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a solve started")

    monkeypatch.setattr("layoutopt.pipeline.compare_families", forbidden)
    monkeypatch.setattr("layoutopt.sweep.cli.run_sweep", forbidden)
    monkeypatch.setattr("layoutopt.thermal.thermal_check", forbidden)
    monkeypatch.setattr("layoutopt.thermal.solve_fv3d", forbidden)


# --- option values (exit 2) -----------------------------------------------------------------


SOLVE = ("solve", GLASSES, "-o")
OPTION_CASES = [
    (SOLVE, ["--time-limit", "0"], "--time-limit", "(0, 604800]"),
    (SOLVE, ["--time-limit", "-1"], "--time-limit", "(0, 604800]"),
    (SOLVE, ["--time-limit", "nan"], "--time-limit", "not a finite number"),
    (SOLVE, ["--time-limit", "inf"], "--time-limit", "not a finite number"),
    (SOLVE, ["--workers", "0"], "--workers", "[1, 256]"),
    (SOLVE, ["--workers", "-5"], "--workers", "[1, 256]"),
    (SOLVE, ["--workers", "two"], "--workers", "not an integer"),
    (SOLVE, ["--grid-um", "0"], "--grid-um", "[1, 10000]"),
    (SOLVE, ["--grid-um", "-10"], "--grid-um", "[1, 10000]"),
    (SOLVE, ["--seed", "-1"], "--seed", "[0, 2.14748e+09]"),
    (SOLVE, ["--max-dies", "0"], "--max-dies", "[1, 1e+06]"),
    (SOLVE, ["--thermal-model", "fem"], "--thermal-model", "fem"),
    (("thermal", LAYOUT), ["--step-um", "0"], "--step-um", "[1, 100000]"),
    (("render", LAYOUT, "-o"), ["--exaggeration", "-1"], "--exaggeration", "(0, 1000]"),
    (("render", LAYOUT, "-o"), ["--exaggeration", "nan"], "--exaggeration", "finite"),
    (("render", LAYOUT, "-o"), ["--views", ""], "--views", "names no view"),
    (("render", LAYOUT, "-o"), ["--views", ", ,"], "--views", "names no view"),
    (("render", LAYOUT, "-o"), ["--views", "top,plan"], "--views", "unknown view 'plan'"),
    (("render", LAYOUT, "-o"), ["--format", "jpg"], "--format", "unknown format 'jpg'"),
    (("render", LAYOUT, "-o"), ["--cut", "z=3 mm"], "--cut", "not a cut line"),
    (("render", LAYOUT, "-o"), ["--cut", "y=4"], "--cut", "bare number"),
    (("sweep", SPACE, "-o"), ["--scheduler", "nonsense:::"], "--scheduler", "tcp://"),
    (("sweep", SPACE, "-o"), ["--scheduler", "tcp://host"], "--scheduler", "not host:port"),
    (("sweep", SPACE, "-o"), ["--scheduler", "udp://h:1"], "--scheduler", "protocol 'udp'"),
    (("sweep", SPACE, "-o"), ["-j", "0"], "--workers", "[1, 256]"),
    (("sweep", SPACE, "-o"), ["--time-limit", "0"], "--time-limit", "(0, 604800]"),
]


@pytest.mark.parametrize(("head", "option", "name", "words"), OPTION_CASES)
def test_option_out_of_range_is_a_usage_error_before_any_solve(
    tmp_path: Path, no_solve: None, head: tuple, option: list[str], name: str, words: str
) -> None:
    result = run(*head, tmp_path / "out", *option)
    text = flat(result.output)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert name in text and words in text, text
    if option[1].strip(", "):
        assert repr(option[1]) in text or option[1] in text, text  # the value
    assert "Traceback" not in result.output


SWEEP_MODULE_CASES = [
    (["-j", "0"], "-j/--workers", "[1, 256]"),
    (["--workers", "-5"], "-j/--workers", "[1, 256]"),
    (["--time-limit-s", "0"], "--time-limit-s", "(0, 604800]"),
    (["--time-limit-s", "nan"], "--time-limit-s", "not a finite number"),
    (["--seed", "-1"], "--seed", "[0, 2.14748e+09]"),
    (["--scheduler", "udp://h:1"], "--scheduler", "protocol 'udp'"),
]


@pytest.mark.parametrize(("option", "name", "words"), SWEEP_MODULE_CASES)
def test_python_m_layoutopt_sweep_checks_its_options_as_the_cli_does(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: list[str],
    name: str,
    words: str,
) -> None:
    # Before, argparse took -j 0, --time-limit-s nan and a udp:// scheduler to the sweep.
    from layoutopt.sweep import cli as sweep_cli

    monkeypatch.setattr(sweep_cli, "main_sweep", lambda *a, **k: pytest.fail("it ran"))
    with pytest.raises(SystemExit) as done:
        sweep_cli.main([str(SPACE), "-o", str(tmp_path / "out"), *option])
    assert done.value.code == ExitCode.USAGE
    text = flat(capsys.readouterr().err)
    assert f"argument {name}: {option[1]!r}" in text and words in text, text


def test_whitespace_nan_is_a_usage_error(tmp_path: Path) -> None:
    blocks = tmp_path / "t.blocks"
    blocks.write_text(
        "UCSC blocks 1.0\nNumHardRectilinearBlocks : 1\nNumTerminals : 0\n"
        "a hardrectilinear 4 (0, 0) (0, 40) (60, 40) (60, 0)\n"
    )
    result = run("import-bookshelf", blocks, "-o", tmp_path / "x.yaml", "--whitespace", "nan")
    assert result.exit_code == ExitCode.USAGE
    assert "--whitespace" in flat(result.output) and "'nan'" in flat(result.output)
    assert not (tmp_path / "x.yaml").exists()


def test_cut_outside_the_package_names_the_package_span(tmp_path: Path, no_solve: None) -> None:
    result = run("render", LAYOUT, "-o", tmp_path, "--cut", "y=100 mm")
    text = flat(result.output)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--cut" in text and "y=100000 um is outside the package" in text
    assert not list(tmp_path.glob("*.svg"))


def test_fine_thermal_step_is_refused_with_the_step_that_fits(no_solve: None) -> None:
    result = run("thermal", LAYOUT, "--step-um", "1")
    text = flat(result.output)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--step-um" in text and "the limit is 4,000,000 cells" in text
    step = int(re.search(r"use --step-um (\d+) or more", text).group(1))  # type: ignore[union-attr]
    from layoutopt.layout_io import read_layout
    from layoutopt.thermal.fv3d import grid_shape

    record = read_layout(LAYOUT)
    import math

    assert math.prod(grid_shape(record.design, record.layout, lateral_step_um=step)) <= 4_000_000
    assert math.prod(grid_shape(record.design, record.layout, lateral_step_um=1)) > 4_000_000


def test_a_layout_no_thermal_step_fits_is_refused_with_the_reason(
    no_solve: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 1,000 dies every die edge is a grid line: 14.3 M cells at any step, and the search
    # for a step that fits coarsened it until the number overflowed (an internal error).
    import layoutopt.limits

    monkeypatch.setattr(layoutopt.limits, "MAX_FV3D_CELLS", 100)  # below any step's grid
    result = run("thermal", LAYOUT, "--step-um", "400", "--no-workloads")
    text = flat(result.output)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "the limit is 100 cells" in text
    assert "no step fits: every die edge is a grid line" in text and "--model compact" in text


def test_thermal_map_of_a_huge_layout_is_refused_before_the_model_runs(
    tmp_path: Path, no_solve: None
) -> None:
    data = json.loads(LAYOUT.read_text())
    data["layout"]["package"].update(width_um=900_000, length_um=900_000)  # 0.9 m, legal
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    result = run("render", path, "-o", tmp_path, "--views", "thermal")
    text = flat(result.output)
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "too large for the thermal map" in text and "layoutopt thermal --step-um" in text
    result = run("render", path, "-o", tmp_path, "--views", "top")
    assert result.exit_code == ExitCode.OK, result.output


def test_good_options_still_run(tmp_path: Path) -> None:
    result = run(
        "render",
        LAYOUT,
        "-o",
        tmp_path,
        "--views",
        " top , section ",
        "--cut",
        "y=4 mm",
        "--exaggeration",
        "5",
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert len(list(tmp_path.glob("*.svg"))) == 2


# --- output places (exit 3, before the solve) ------------------------------------------------


def test_output_is_an_existing_file(tmp_path: Path, no_solve: None) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    for args in (("solve", GLASSES), ("render", LAYOUT), ("sweep", SPACE)):
        result = run(*args, "-o", target)
        assert result.exit_code == ExitCode.BAD_INPUT, result.output
        assert "existing file" in flat(result.output) and "Traceback" not in result.output
    result = run("solve", GLASSES, "-o", target / "sub")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "which is a file" in flat(result.output)
    assert target.read_text() == "x"


def test_import_bookshelf_output_is_a_folder(tmp_path: Path) -> None:
    result = run("import-bookshelf", tmp_path / "none.blocks", "-o", tmp_path)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "existing folder, not a file" in flat(result.output)


def test_output_folder_that_refuses_writes(
    tmp_path: Path, no_solve: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root writes through chmod, so the refusal is simulated where the probe file is made;
    # test_read_only_folder below checks the real thing when not run as root.
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("layoutopt.files.tempfile.mkstemp", refuse)
    result = run("solve", GLASSES, "-o", tmp_path / "out")
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "the file system is read-only" in flat(result.output)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(tmp_path: Path, no_solve: None) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for target in (folder, folder / "sub"):
            result = run("solve", GLASSES, "-o", target)
            assert result.exit_code == ExitCode.BAD_INPUT, result.output
            assert "permission denied" in flat(result.output)
    finally:
        folder.chmod(0o755)


# --- internal errors (exit 70) ------------------------------------------------------------------


def test_unexpected_exception_is_one_paragraph_and_a_saved_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom in the validator")

    monkeypatch.setattr(VALIDATE, "validate", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = run("validate", LAYOUT)
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert "Traceback" not in result.output
    text = flat(result.output)
    assert text.startswith("internal error: RuntimeError: boom in the validator")
    report = Path(re.search(r"saved in (\S+\.txt)", text).group(1))  # type: ignore[union-attr]
    assert report.parent == tmp_path
    content = report.read_text()
    assert f"layoutopt {layoutopt.__version__}" in content
    assert f"command: layoutopt validate {LAYOUT}" in content
    assert "Traceback" in content and "RuntimeError: boom in the validator" in content
    assert '"format": "layoutopt.layout"' in content  # the input file is attached


def test_internal_error_of_the_library_is_reported_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from layoutopt.errors import InternalError

    def rejects(*args: object) -> None:
        raise InternalError("the validator rejected a solver layout")

    monkeypatch.setattr(VALIDATE, "validate", rejects)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = run("validate", LAYOUT)
    assert result.exit_code == ExitCode.INTERNAL
    assert "InternalError: the validator rejected" in flat(result.output)
    assert len(list(tmp_path.glob("layoutopt-crash-*.txt"))) == 1


def test_console_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    code = (
        "import importlib, sys\n"
        "v = importlib.import_module('layoutopt.validate')\n"
        "def broken(*args): raise KeyError('x')\n"
        "v.validate = broken\n"
        "from layoutopt.cli import main\n"
        f"sys.argv = ['layoutopt', 'validate', {str(LAYOUT)!r}]\n"
        "main()\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == ExitCode.INTERNAL, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "internal error: KeyError" in proc.stderr
    assert list(tmp_path.glob("layoutopt-crash-*.txt"))


# --- help, version, exit codes ---------------------------------------------------------------


def test_version_and_short_help() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"layoutopt {layoutopt.__version__}"
    assert run("-h").exit_code == 0 and "solve" in run("-h").output


COMMANDS = [
    "solve",
    "validate",
    "library",
    "schema",
    "render",
    "thermal",
    "sweep",
    "import-bookshelf",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_lists_its_exit_codes(command: str) -> None:
    result = run(command, "-h")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Exit codes: 0 " in text
    if command != "sweep":  # the sweep says what 0 and 3 mean for a sweep
        assert "Exit codes: 0 success;" in text
        assert f"3 {flat(EXIT_MEANINGS[ExitCode.BAD_INPUT])}" in text
    for code in (ExitCode.USAGE, ExitCode.INTERNAL):
        assert f"{int(code)} {flat(EXIT_MEANINGS[code])}" in text
    assert "; 130 interrupted by Ctrl-C" in text
    expected = {"solve": (3, 4, 5), "validate": (3, 6), "thermal": (3, 6), "sweep": (1, 3, 7)}
    for code in expected.get(command, (3,)):
        assert f"; {code} " in text, (command, code)


def test_readme_exit_code_table_is_the_cli_one() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", readme, flags=re.MULTILINE))
    assert {int(k): v for k, v in rows.items()} == {int(k): v for k, v in EXIT_MEANINGS.items()}


# --- zero power: import-bookshelf designs --------------------------------------------------------


def test_zero_power_design_solves_checks_and_draws(tmp_path: Path) -> None:
    blocks = tmp_path / "tiny.blocks"
    blocks.write_text(
        "UCSC blocks 1.0\n\nNumSoftRectangularBlocks : 0\nNumHardRectilinearBlocks : 3\n"
        "NumTerminals : 0\n\n"
        "a hardrectilinear 4 (0, 0) (0, 400) (600, 400) (600, 0)\n"
        "b hardrectilinear 4 (0, 0) (0, 300) (300, 300) (300, 0)\n"
        "c hardrectilinear 4 (0, 0) (0, 200) (500, 200) (500, 0)\n"
    )
    design = tmp_path / "tiny.yaml"
    assert run("import-bookshelf", blocks, "-o", design, "--whitespace", "0.5").exit_code == 0
    out = tmp_path / "o"
    solved = run("solve", design, "-o", out, "--workers", "1", "--time-limit", "10")  # thermal on
    assert solved.exit_code == ExitCode.OK, solved.output
    assert "no power dissipated" in solved.output and "no thermal limit to check" in solved.output
    checked = run("thermal", out / "layout.json")
    assert checked.exit_code == ExitCode.OK, checked.output
    assert "0.000 W in" in checked.output and "no thermal limit to check" in checked.output
    drawn = run("render", out / "layout.json", "--views", "sheet,thermal", "-o", tmp_path / "d")
    assert drawn.exit_code == ExitCode.OK, drawn.output
    sheet = (tmp_path / "d" / "tiny-sheet.svg").read_text()
    assert "No power dissipated: all at 25.0 °C (ambient), no limit to check" in sheet
    assert "no power: all at the ambient 25 °C" in sheet and "none to check (0 W)" in sheet


def test_fv3d_of_zero_power_is_the_ambient_everywhere() -> None:
    from dataclasses import replace

    import numpy as np

    from layoutopt.layout_io import read_layout
    from layoutopt.thermal import solve_fv3d

    record = read_layout(LAYOUT)
    cold = replace(record.design, dies=tuple(replace(d, power_w=0.0) for d in record.design.dies))
    # Large enough for the iterative solver (the direct one never divided by zero).
    field = solve_fv3d(cold, record.layout, lateral_step_um=200, direct_max_cells=100)
    solid = np.isfinite(field.temperature_c)
    assert np.all(field.temperature_c[solid] == cold.thermal.ambient_c)
    assert field.total_power_w == 0


# --- output names stay under -o --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/abs/escaped", "..", "a/../../b"])
def test_design_name_never_writes_outside_the_output_folder(tmp_path: Path, name: str) -> None:
    data = json.loads(LAYOUT.read_text())
    data["design"]["name"] = data["layout"]["design_name"] = name
    layout = tmp_path / "in" / "received.json"
    layout.parent.mkdir()
    layout.write_text(json.dumps(data))
    out = tmp_path / "in" / "out" / "deeper"
    result = run("render", layout, "-o", out, "--views", "top")
    assert result.exit_code == ExitCode.OK, result.output
    written = [p for p in tmp_path.rglob("*.svg")]
    assert written and all(p.parent == out for p in written), written


def test_safe_name_keeps_ordinary_names_and_strips_paths() -> None:
    from layoutopt.files import safe_name

    assert safe_name("smart_glasses_epop") == "smart_glasses_epop"
    assert safe_name("hbm3e-12hi.v2") == "hbm3e-12hi.v2"
    for bad in ("../x", "/abs/x", "..", ".hidden", "a/b\\c", "x" * 300, "\x00"):
        stem = safe_name(bad)
        assert "/" not in stem and "\\" not in stem and not stem.startswith(".")
        assert 0 < len(stem) <= 100 and Path(stem).name == stem


def test_sweep_report_keys_never_reach_outside_the_report(tmp_path: Path) -> None:
    from layoutopt.sweep.report import write_report
    from layoutopt.sweep.store import PointRow, ResultStore

    out = tmp_path / "sweep"
    text = LAYOUT.read_text()
    with ResultStore(out) as store:
        for i, key in enumerate(["../../../../evil", "/tmp/evil2"]):
            store.record(
                PointRow(
                    key=key,
                    point_index=i,
                    axis_values=json.dumps({"a": i}),
                    status="optimal",
                    footprint_mm2=10.0 - i,
                    thickness_um=500 + 10 * i,
                    layout_path=f"points/p{i}/layout.json",
                ),
                text,
            )
        store.record(
            PointRow(
                key="outside",
                point_index=2,
                axis_values=json.dumps({"a": 2}),
                status="optimal",
                footprint_mm2=1.0,
                thickness_um=900,
                layout_path="../../outside.json",
            )
        )
    report = write_report(out, formats=("svg",))
    drawings = report.directory / "drawings"
    assert sorted(p.name for p in drawings.iterdir()) == ["evil.svg", "tmp_evil2.svg"]
    assert not list(tmp_path.glob("*evil*")) and not Path("/tmp/evil2.svg").exists()
    assert "outside" not in report.drawings
