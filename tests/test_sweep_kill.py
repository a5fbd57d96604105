"""Kill the real command (SIGKILL, mid-sweep), rerun it: same table, nothing solved twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
from sweep_fakes import design_digest, fake_load_design, fake_solve
from sweep_helpers import table, write_space

from layoutopt.solver.result import SolveOptions
from layoutopt.sweep.point import point_key
from layoutopt.sweep.runner import run_sweep
from layoutopt.sweep.space import design_text, expand_points, load_space
from layoutopt.sweep.store import DB_NAME, ResultStore

SPACE = """
name: killme
base:
  name: glasses
  process: epop
  dies: [{part: lpddr4x_16gb, count: 1}, {part: nand_512gb, count: 2}]
  envelope: {outline: {width: "10 mm", length: "12 mm"}, max_thickness: "0.6 mm"}
axes:
  - path: envelope.max_thickness
    range: {start: "0.40 mm", stop: "0.60 mm", step: "0.05 mm"}
  - path: dies[0].part
    values: [lpddr4x_16gb, lpddr5x_16gb, boom]
  - path: dies[1].count
    values: [1, 2]
"""
# What main_sweep solves with (its defaults): part of every point's key.
CLI_OPTIONS = SolveOptions(time_limit_s=30.0, workers=1, seed=0)
REPO = Path(__file__).resolve().parents[1]


def command_env(log: Path, delay_s: float) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LAYOUTOPT_SWEEP_SOLVE="sweep_fakes:fake_solve",
        LAYOUTOPT_SWEEP_LOAD="sweep_fakes:fake_load_design",
        LAYOUTOPT_SWEEP_FAKE_LOG=str(log),
        LAYOUTOPT_SWEEP_FAKE_DELAY_S=str(delay_s),
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests"), env.get("PYTHONPATH", "")]),
    )
    return env


def sweep_command(space: Path, out: Path, workers: int) -> list[str]:
    return [
        *(sys.executable, "-m", "layoutopt.sweep", str(space), "-o", str(out)),
        *("--quiet", "--no-report", "-j", str(workers)),
    ]


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def committed_rows(out: Path) -> int:
    """Rows the running sweep has committed (read-only; 0 while the store is being made)."""
    db = out / DB_NAME
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)) as conn:
            return int(conn.execute("SELECT count(*) FROM points").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or locked by a writer this instant
        return 0


def test_sigkill_then_rerun(tmp_path: Path) -> None:
    space_file = write_space(tmp_path, SPACE)
    points = expand_points(load_space(space_file))
    digest_to_key = {
        design_digest(fake_load_design(design_text(p))): point_key(p.design, CLI_OPTIONS)
        for p in points
    }
    out, log1, log2 = tmp_path / "out", tmp_path / "run1.log", tmp_path / "run2.log"

    kill_after = random.Random().randint(2, len(points) - 4)
    proc = subprocess.Popen(
        sweep_command(space_file, out, workers=2),
        env=command_env(log1, delay_s=0.03),
        start_new_session=True,  # its own process group: the kill reaches its workers too
    )
    deadline = time.monotonic() + 60
    # Solved in a worker is not yet committed by the parent: wait for both, so the kill lands
    # after the first commit (a kill before any commit tests nothing).
    while (
        (len(lines(log1)) < kill_after or committed_rows(out) == 0)
        and proc.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    with ResultStore(out) as store:
        committed = store.finished_keys()
        rows = list(store.rows())
    assert 0 < len(committed) < len(points), "the kill should land mid-sweep"
    # No row points at a missing file.
    assert all((out / r.layout_path).exists() for r in rows if r.layout_path)

    rerun = subprocess.run(
        sweep_command(space_file, out, workers=1),
        env=command_env(log2, delay_s=0.0),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 1, rerun.stderr  # 1: the 'boom' points are recorded errors
    solved_again = [digest_to_key[d] for d in lines(log2)]
    assert not set(solved_again) & committed, "a finished point was solved again"
    assert len(solved_again) == len(set(solved_again))
    assert set(solved_again) | committed == set(digest_to_key.values())

    # The interrupted-and-resumed table equals an uninterrupted run's.
    run_sweep(
        space_file,
        tmp_path / "clean",
        options=CLI_OPTIONS,
        solve_fn=fake_solve,
        load_fn=fake_load_design,
    )
    pd.testing.assert_frame_equal(table(out), table(tmp_path / "clean"))
