"""Sweeps under faults: dead workers, a killed main process, two sweeps in one folder, a
damaged store, untrusted rows, lost layout files, orphan temporary files, a full disk.

Workers are killed for real (SIGKILL from outside, SIGKILL from inside as the OOM killer
does, a real segmentation fault in native code); the crashing fake parts run only in
worker processes (``workers=2``), never in the test's own process.
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from sweep_fakes import fake_load_design, fake_solve
from sweep_helpers import space_with_parts, table

import layoutopt.sweep.store as store_module
from layoutopt.errors import InfrastructureError
from layoutopt.sweep.cli import EXIT_INFRASTRUCTURE, main_sweep
from layoutopt.sweep.runner import run_sweep
from layoutopt.sweep.store import DB_NAME, ResultStore, store_fault

FAKE = {"solve_fn": fake_solve, "load_fn": fake_load_design}
REPO = Path(__file__).resolve().parents[1]


def rows_by_part(outdir: Path) -> dict[tuple[str, str], pd.Series]:
    df = table(outdir)
    return {(r["max_thickness"], r["part"]): r for _, r in df.iterrows()}


def kill_when_written(pid_file: Path, timeout_s: float = 60.0) -> threading.Thread:
    """Kill (SIGKILL) the process whose id appears in ``pid_file``, from outside."""

    def kill() -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if pid_file.exists() and pid_file.read_text():
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


# --- dead workers -------------------------------------------------------------------------


def test_worker_killed_from_outside_is_recorded_and_the_sweep_finishes(tmp_path: Path) -> None:
    pid_file = tmp_path / "stalled.pid"
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", f"stall@{pid_file}", "lpddr5x_16gb"])
    killer = kill_when_written(pid_file)
    summary = run_sweep(space, tmp_path / "out", workers=2, worker_retries=0, **FAKE)
    killer.join()
    assert summary.solved == summary.total == 6
    rows = rows_by_part(tmp_path / "out")
    stalled = [r for (_, part), r in rows.items() if part.startswith("stall@")]
    # The first attempt of 'stall' stalls (and is killed); with no retries it is a failure,
    # and the other thickness's stall point, run after the kill, solves normally.
    killed = [r for r in stalled if r["status"] == "error"]
    assert len(killed) == 1, [r["error"] for r in stalled]
    assert "was killed by SIGKILL" in killed[0]["error"]
    assert "--retry-errors" in killed[0]["error"]
    others = [r for (_, part), r in rows.items() if not part.startswith("stall@")]
    assert all(r["status"] == "optimal" for r in others)


def test_a_worker_that_died_once_is_retried_and_its_point_solved(tmp_path: Path) -> None:
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", f"crash_once@{tmp_path / 'crashed'}"])
    summary = run_sweep(space, tmp_path / "out", workers=2, **FAKE)
    assert summary.errors == 0 and summary.solved == 4
    assert any("was killed by SIGKILL" in n and "trying again" in n for n in summary.notes)
    assert set(table(tmp_path / "out")["status"]) == {"optimal"}


@pytest.mark.parametrize(
    ("part", "cause"),
    [("segfault", "crashed with SIGSEGV"), ("sigkill", "was killed by SIGKILL")],
)
def test_a_point_that_always_kills_its_worker_fails_after_bounded_retries(
    tmp_path: Path, part: str, cause: str
) -> None:
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", part])
    out = tmp_path / "out"
    summary = run_sweep(space, out, workers=2, worker_retries=1, **FAKE)
    assert summary.solved == summary.total == 4 and summary.errors == 2
    for (_, p), row in rows_by_part(out).items():
        if p == part:
            assert row["status"] == "error"
            assert f"died 2 times; the last one {cause}" in row["error"]
        else:
            assert row["status"] == "optimal"
    # Recorded means finished: a rerun solves nothing, unless asked to retry the errors.
    assert run_sweep(space, out, workers=2, **FAKE).solved == 0
    again = run_sweep(space, out, workers=2, worker_retries=0, retry_errors=True, **FAKE)
    assert again.solved == 2 and again.errors == 2


def test_a_one_worker_sweep_records_a_segfaulting_point_and_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before, -j 1 solved in the command's process: the segfault ended the whole sweep.
    from layoutopt.sweep.cli import EXIT_POINT_ERRORS

    monkeypatch.setenv("LAYOUTOPT_SWEEP_SOLVE", "sweep_fakes:fake_solve")
    monkeypatch.setenv("LAYOUTOPT_SWEEP_LOAD", "sweep_fakes:fake_load_design")
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", "segfault"])
    out = tmp_path / "out"
    assert main_sweep(space, out, workers=1, quiet=True, report=False) == EXIT_POINT_ERRORS
    for (_, part), row in rows_by_part(out).items():
        if part == "segfault":
            assert row["status"] == "error"
            assert "died 3 times; the last one crashed with SIGSEGV" in row["error"]
        else:
            assert row["status"] == "optimal"


def test_killing_only_the_main_process_ends_its_workers(tmp_path: Path) -> None:
    pid_file = tmp_path / "stalled.pid"
    space = space_with_parts(tmp_path, [f"stall@{pid_file}", "lpddr4x_16gb"])
    env = dict(os.environ)
    env.update(
        LAYOUTOPT_SWEEP_SOLVE="sweep_fakes:fake_solve",
        LAYOUTOPT_SWEEP_LOAD="sweep_fakes:fake_load_design",
        LAYOUTOPT_SWEEP_FAKE_DELAY_S="0.5",  # the idle worker is mid-task too, now and then
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests"), env.get("PYTHONPATH", "")]),
    )
    command = [sys.executable, "-m", "layoutopt.sweep", str(space), "-o", str(tmp_path / "out")]
    main = subprocess.Popen([*command, "-j", "2", "--quiet", "--no-report"], env=env)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pid_file.exists(), "the stalling point never started"
        children = psutil.Process(main.pid).children(recursive=True)
        assert int(pid_file.read_text()) in {c.pid for c in children}
        main.kill()  # SIGKILL to the main process only: no cleanup code of its own runs
        main.wait()
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, f"workers outlived the main process: {alive}"
    finally:
        main.kill()
        for child in children:
            if child.is_running():
                child.kill()


# --- one sweep per folder -----------------------------------------------------------------


def test_a_second_sweep_into_a_locked_folder_stops_with_the_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = space_with_parts(tmp_path, ["lpddr4x_16gb"])
    out = tmp_path / "out"
    with ResultStore(out):  # another sweep holds the folder
        with pytest.raises(InfrastructureError, match="another sweep is writing to") as err:
            run_sweep(space, out, **FAKE)
        assert f"process {os.getpid()}" in str(err.value)
        monkeypatch.setenv("LAYOUTOPT_SWEEP_SOLVE", "sweep_fakes:fake_solve")
        monkeypatch.setenv("LAYOUTOPT_SWEEP_LOAD", "sweep_fakes:fake_load_design")
        assert main_sweep(space, out, quiet=True, report=False) == EXIT_INFRASTRUCTURE
    # Released with the store (and with its process, whatever ends it): the sweep runs.
    assert run_sweep(space, out, **FAKE).solved == 2


# --- the store itself ---------------------------------------------------------------------


def finished_sweep(tmp_path: Path) -> tuple[Path, Path]:
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", "lpddr5x_16gb", "nand_tlc_1tb"])
    out = tmp_path / "out"
    run_sweep(space, out, **FAKE)
    return space, out


def test_an_empty_store_is_reported_not_silently_recomputed(tmp_path: Path) -> None:
    space, out = finished_sweep(tmp_path)
    (out / DB_NAME).write_bytes(b"")
    with pytest.raises(InfrastructureError, match=r"is empty \(0 bytes\).* 6 layout files"):
        run_sweep(space, out, **FAKE)
    assert (out / DB_NAME).stat().st_size == 0  # left as found, for the user to decide


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"this is not a database at all" + data[29:],  # the header
        lambda data: data[:4096] + b"\xff" * 4096 + data[8192:],  # a page of the table
    ],
    ids=["header", "page"],
)
def test_a_damaged_store_is_reported(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    space, out = finished_sweep(tmp_path)
    db = out / DB_NAME
    db.write_bytes(damage(db.read_bytes()))
    with pytest.raises(InfrastructureError, match="is damaged") as err:
        run_sweep(space, out, **FAKE)
    assert ".recover" in str(err.value)


def test_untrusted_rows_and_lost_layouts_are_solved_again(tmp_path: Path) -> None:
    space, out = finished_sweep(tmp_path)
    run_sweep(space, tmp_path / "clean", **FAKE)
    with sqlite3.connect(out / DB_NAME) as conn:
        keys = [k for (k,) in conn.execute("SELECT key FROM points ORDER BY point_index")]
        conn.execute("UPDATE points SET footprint_mm2 = NULL WHERE key = ?", (keys[0],))
        conn.execute("UPDATE points SET status = 'great' WHERE key = ?", (keys[1],))
        conn.execute("UPDATE points SET thickness_um = 'thin' WHERE key = ?", (keys[2],))
        conn.execute("UPDATE points SET layout_path = '../../x.json' WHERE key = ?", (keys[3],))
        layout_path = conn.execute(
            "SELECT layout_path FROM points WHERE key = ?", (keys[4],)
        ).fetchone()[0]
    (out / layout_path).unlink()  # a finished point's layout file deleted
    summary = run_sweep(space, out, **FAKE)  # warm starts on: the lost layout must not block
    assert summary.solved == 5 and summary.skipped == 1
    (note,) = [n for n in summary.notes if "cannot be trusted" in n]
    for why in ("without its footprint", "unknown status 'great'", "thickness_um is 'thin'"):
        assert why in note
    assert "is not this point's" in note and "is missing" in note
    pd.testing.assert_frame_equal(table(out), table(tmp_path / "clean"))


def test_an_unreadable_neighbour_layout_is_not_used_and_is_solved_again(tmp_path: Path) -> None:
    space, out = finished_sweep(tmp_path)
    with sqlite3.connect(out / DB_NAME) as conn:
        (key, layout_path), *_ = conn.execute(
            "SELECT key, layout_path FROM points WHERE layout_path IS NOT NULL ORDER BY point_index"
        )
        conn.execute("DELETE FROM points WHERE key != ?", (key,))
    (out / layout_path).write_text("{ not json")
    summary = run_sweep(space, out, **FAKE)
    assert any("cannot be read, solving it again" in n for n in summary.notes)
    assert summary.solved == summary.total == 6  # the five deleted, and the unreadable one


def test_orphan_temporary_files_are_removed_and_others_kept(tmp_path: Path) -> None:
    space, out = finished_sweep(tmp_path)
    layout_dir = next((out / "points").glob("*/*"))
    orphans = [
        layout_dir / ".layout.json.k2j3h4.tmp",
        out / "report" / ".summary.md.x8y9.tmp",
        out / f".{DB_NAME}.4242.tmp",
    ]
    keep = [out / ".notes.tmp", out / "points" / "mine.tmp"]
    for path in orphans + keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half")
    summary = run_sweep(space, out, **FAKE)
    assert not any(p.exists() for p in orphans)
    assert all(p.exists() for p in keep)
    assert "removed 3 temporary files" in summary.notes[0]


# --- infrastructure faults ----------------------------------------------------------------


def test_a_full_disk_stops_the_sweep_with_the_fix_and_keeps_what_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", "lpddr5x_16gb", "nand_tlc_1tb"])
    out = tmp_path / "out"
    written = []

    def write_until_full(path: Path, text: str) -> Path:
        if Path(path).name == "layout.json":  # the disk fills up at the third layout
            if len(written) == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            written.append(path)
        return real_write(path, text)

    real_write = store_module.write_atomic
    monkeypatch.setattr(store_module, "write_atomic", write_until_full)
    with pytest.raises(InfrastructureError, match=r"the disk holding .* is full") as err:
        run_sweep(space, out, **FAKE)
    assert "then run the same command again: the finished points are kept" in str(err.value)
    monkeypatch.undo()
    assert run_sweep(space, out, **FAKE).skipped == 2


def test_a_read_only_store_stops_the_sweep_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    space, out = finished_sweep(tmp_path)
    (out / DB_NAME).unlink()  # solve again, into a store this process may only read
    ResultStore(out).close()
    real_connect = sqlite3.connect

    def read_only(path: object, **kwargs: object) -> sqlite3.Connection:
        return real_connect(f"file:{path}?mode=ro", uri=True, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store_module.sqlite3, "connect", read_only)
    with pytest.raises(InfrastructureError, match=r"cannot write .*sweep.sqlite") as err:
        run_sweep(space, out, **FAKE)
    assert "writable" in str(err.value)


@pytest.mark.parametrize(
    ("err", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "is full"),
        (OSError(errno.EROFS, "Read-only file system"), "cannot write"),
        (OSError(errno.EACCES, "Permission denied"), "cannot write"),
        (sqlite3.OperationalError("database or disk is full"), "failed at"),
        (OSError(errno.EIO, "Input/output error"), "failed at"),
        (OSError(errno.ENOTDIR, "Not a directory"), "is a file"),
    ],
)
def test_store_fault_messages(err: OSError, expected: str, tmp_path: Path) -> None:
    message = str(store_fault(err, tmp_path / DB_NAME, "recording a finished point"))
    assert expected in message and "Fix:" in message


def test_exit_codes_agree_and_are_documented() -> None:
    from typer.testing import CliRunner

    from layoutopt.cli import ExitCode, app
    from layoutopt.sweep import cli as sweep_cli

    assert sweep_cli.EXIT_INFRASTRUCTURE == ExitCode.INFRASTRUCTURE == 7
    assert sweep_cli.EXIT_INTERRUPTED == ExitCode.INTERRUPTED == 130
    assert sweep_cli.EXIT_TERMINATED == ExitCode.TERMINATED == 143
    assert sweep_cli.EXIT_POINT_ERRORS == ExitCode.POINT_ERRORS
    assert sweep_cli.EXIT_INVALID == ExitCode.BAD_INPUT
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "| `7` | a sweep's infrastructure failed" in readme
    assert "| `130` | interrupted by Ctrl-C" in readme
    help_text = " ".join(CliRunner().invoke(app, ["sweep", "--help"]).output.split())
    assert "7 infrastructure fault" in help_text and "130 interrupted by Ctrl-C" in help_text


def test_an_output_folder_that_is_a_file_is_an_infrastructure_fault(tmp_path: Path) -> None:
    space = space_with_parts(tmp_path, ["lpddr4x_16gb"])
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(InfrastructureError, match="is a file") as err:
        run_sweep(space, tmp_path / "taken", **FAKE)
    assert "give -o a folder" in str(err.value)
