"""Signals to real child processes, as a terminal sends them."""

from __future__ import annotations

import signal
import subprocess
import time

import psutil


def default_sigint() -> None:
    """In the child: Ctrl-C as at a terminal, even when the test runner ignores SIGINT (a
    shell's background job inherits SIG_IGN, and Python then installs no handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _tree_cpu_s(process: psutil.Process) -> float:
    total = 0.0
    for p in (process, *process.children(recursive=True)):
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def wait_for_cpu(proc: subprocess.Popen[str], cpu_s: float, timeout_s: float = 240) -> None:
    """Until ``proc`` and its children have computed for ``cpu_s`` (CPU time: the same on
    a busy machine; a ``-j 1`` sweep solves in a worker process)."""
    child = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if _tree_cpu_s(child) >= cpu_s:
            return
        time.sleep(0.05)
    raise AssertionError(f"the child ended or stalled before {cpu_s} s of CPU: {proc.poll()}")
