"""Ctrl-C is the user's: CP-SAT must not swallow it, ``layoutopt solve`` stops at once,
writes nothing and exits 130 (before, CP-SAT ended the search as if out of time, the cut-
short answer was written with exit 0, and the next Ctrl-C killed the process silently).

Signals go to real subprocesses, never to the test process itself.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from signal_helpers import default_sigint, wait_for_cpu

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "layoutopt"


# A Golomb ruler of 11 marks: CP-SAT needs far longer than the 60 s limit to prove it.
SEARCH = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from ortools.sat.python import cp_model
    from layoutopt.interrupt import InterruptibleCpSolver

    n = 11
    model = cp_model.CpModel()
    marks = [model.new_int_var(0, n * n, f"m{i}") for i in range(n)]
    model.add(marks[0] == 0)
    for a, b in zip(marks, marks[1:]):
        model.add(b > a)
    diffs = [marks[j] - marks[i] for i in range(n) for j in range(i + 1, n)]
    gaps = [model.new_int_var(1, n * n, "") for _ in diffs]
    for gap, diff in zip(gaps, diffs):
        model.add(gap == diff)
    model.add_all_different(gaps)
    model.minimize(marks[-1])

    class Seen(cp_model.CpSolverSolutionCallback):  # the solver's stages pass one too
        def on_solution_callback(self):
            pass

    solver = InterruptibleCpSolver()
    solver.parameters.max_time_in_seconds = 60.0
    solver.parameters.num_workers = int(sys.argv[1])
    threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    try:
        status = solver.solve(model, Seen())
    except KeyboardInterrupt:
        print(f"interrupted after {time.perf_counter() - start:.2f} s", flush=True)
    else:
        print(f"returned {solver.status_name(status)} after {time.perf_counter() - start:.2f} s")
    """
)


def test_ctrl_c_ends_a_cp_sat_search_with_keyboard_interrupt() -> None:
    # One worker and a solution callback: the case where a wait that ended too early
    # let the process exit under a running search (and abort: SIGABRT, exit -6).
    done = subprocess.run(
        [sys.executable, "-c", SEARCH, "1"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=default_sigint,
    )
    match = re.fullmatch(r"interrupted after ([\d.]+) s\n", done.stdout)
    assert match, (done.stdout, done.stderr[-2000:])
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(match.group(1)) < 10.0  # the SIGINT came at 1 s; the limit is 60 s


def test_every_cp_sat_solver_of_the_package_leaves_ctrl_c_to_python() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "interrupt.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bCpSolver\s*\(", line)
    ]
    assert not offenders, f"use layoutopt.interrupt.InterruptibleCpSolver: {offenders}"


def test_ctrl_c_in_solve_stops_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [
        *(sys.executable, "-m", "layoutopt", "solve", str(REPO / "designs" / "wearable_sip.yaml")),
        *("-o", str(out), "--time-limit", "300", "--workers", "1", "--no-drawings"),
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        # Imports and loading take about 2 s of CPU; from 4 s on it is solving.
        wait_for_cpu(proc, 4.0)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        stopped_s = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 130, (stdout, stderr[-3000:])
    message = " ".join(stderr.split())  # the console wraps long lines
    assert message.endswith(f"nothing was written to {out}."), stderr[-3000:]
    assert "Traceback" not in stderr
    assert not (out / "layout.json").exists()
    assert stopped_s < 20, stopped_s
    print(f"stopped {stopped_s:.2f} s after SIGINT")


def test_sigterm_in_solve_stops_like_ctrl_c_and_exits_143(tmp_path: Path) -> None:
    # Before, SIGTERM ended Python at once: no message, exit -15, nothing said about -o.
    out = tmp_path / "out"
    command = [
        *(sys.executable, "-m", "layoutopt", "solve", str(REPO / "designs" / "wearable_sip.yaml")),
        *("-o", str(out), "--time-limit", "300", "--workers", "1", "--no-drawings"),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_cpu(proc, 4.0)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143, stderr[-3000:]
    message = " ".join(stderr.split())
    assert message.startswith("terminated (SIGTERM): stopped before any answer was final")
    assert "Traceback" not in stderr
    assert not (out / "layout.json").exists()


@pytest.mark.parametrize("command", ["render", "thermal", "validate"])
def test_ctrl_c_in_a_layout_command_exits_130_with_one_line(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: click's "Aborted!" and exit 1, which the README reserves for sweeps.
    from typer.testing import CliRunner

    from layoutopt.cli import app

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("layoutopt.layout_io.read_layout", interrupted)
    layout = REPO / "tests" / "data" / "layouts" / "shipped" / "wearable_sip.json"
    result = CliRunner().invoke(app, [command, str(layout)])
    assert result.exit_code == 130, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"interrupted (Ctrl-C): layoutopt {command}")
    assert "Aborted" not in result.output
