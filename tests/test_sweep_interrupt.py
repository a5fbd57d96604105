"""Ctrl-C in a sweep: stop at once, store nothing for the points being solved, say what is
kept, exit 130. Before, CP-SAT swallowed it in a ``-j 1`` sweep: the point was stored as
finished with a cut-short answer (kept by every rerun) and the sweep went on.

Signals go to real subprocesses: ``-j 1`` with the real solver and a shipped design, and
``-j 2`` with Ctrl-C reaching the whole process group, as a terminal sends it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
from signal_helpers import default_sigint, wait_for_cpu
from sweep_helpers import space_with_parts

from layoutopt.sweep.store import DB_NAME

REPO = Path(__file__).resolve().parents[1]


def stored_rows(out: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(out / DB_NAME) as conn:
        return list(conn.execute("SELECT point_index, status FROM points ORDER BY point_index"))


def stop_a_one_worker_sweep(tmp_path: Path, sig: signal.Signals) -> tuple[Path, int, str]:
    """Start a real ``-j 1`` sweep of two points, send ``sig`` while the first is being
    solved; (the store's path, the exit code, stderr on one line)."""
    space = tmp_path / "space.yaml"
    space.write_text(
        f"name: interrupted\nbase: {REPO / 'designs' / 'wearable_sip.yaml'}\n"
        "axes:\n  - {path: envelope.max_thickness, values: ['1 mm', '0.95 mm']}\n"
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "layoutopt", "sweep", str(space), "-o", str(out)]
    proc = subprocess.Popen(
        [*command, "-j", "1", "--time-limit", "300", "--no-report"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        while not (out / DB_NAME).exists() and proc.poll() is None:
            time.sleep(0.05)  # the store opens once every point's design has loaded
        # Then the first point is being solved, in the sweep's worker (imports: ~2 s).
        wait_for_cpu(proc, 6.0)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert "Traceback" not in stderr
    return out, proc.returncode, " ".join(stderr.split())


def test_ctrl_c_in_a_one_worker_sweep_stores_nothing_for_the_point(tmp_path: Path) -> None:
    out, code, message = stop_a_one_worker_sweep(tmp_path, signal.SIGINT)
    assert code == 130, message[-3000:]
    assert f"interrupted (Ctrl-C): 0 of 2 points are stored in {out / DB_NAME}" in message
    assert "the 1 being solved were not stored" in message
    assert stored_rows(out) == []
    assert not (out / "points").exists()


def test_sigterm_in_a_one_worker_sweep_stops_like_ctrl_c(tmp_path: Path) -> None:
    out, code, message = stop_a_one_worker_sweep(tmp_path, signal.SIGTERM)
    assert code == 143, message[-3000:]
    assert f"terminated (SIGTERM): 0 of 2 points are stored in {out / DB_NAME}" in message
    assert stored_rows(out) == []


def test_ctrl_c_to_the_process_group_stops_workers_and_keeps_finished_points(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "stalled.pid"
    space = space_with_parts(tmp_path, ["lpddr4x_16gb", f"stall@{pid_file}"])
    env = dict(os.environ)
    env.update(
        LAYOUTOPT_SWEEP_SOLVE="sweep_fakes:fake_solve",
        LAYOUTOPT_SWEEP_LOAD="sweep_fakes:fake_load_design",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests"), env.get("PYTHONPATH", "")]),
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "layoutopt.sweep", str(space), "-o", str(out)]
    proc = subprocess.Popen(
        [*command, "-j", "2", "--no-warm-start", "--no-report"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        preexec_fn=default_sigint,
    )
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.01)
        while len(stored_rows(out)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # the other worker finishes the three other points
        children = psutil.Process(proc.pid).children(recursive=True)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: main, fork server and workers
        _, stderr = proc.communicate(timeout=60)
        _, alive = psutil.wait_procs(children, timeout=10)
    finally:
        proc.kill()
        for child in children:
            if child.is_running():
                child.kill()
    message = " ".join(stderr.split())
    assert proc.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "interrupted (Ctrl-C): 3 of 4 points are stored" in message
    assert "the 1 being solved were not stored" in message
    rows = stored_rows(out)
    assert len(rows) == 3 and all(status == "optimal" for _, status in rows)
    assert not alive, f"workers outlived the interrupted sweep: {alive}"
