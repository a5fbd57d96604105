"""A time budget that can be counted in deterministic work units instead of wall time.

CP-SAT is reproducible only single-threaded and without a binding wall-clock limit. The
engine's own searches follow the same idea: with ``deterministic=True`` the budget is spent
in counted work (block placements of the annealer, skyline runs, CP-SAT's deterministic
time for sub-solves), converted at fixed rates calibrated to one second of one idle core, so
the same seed gives the same answer on any machine and under any load.

The deterministic mode is therefore a *work* budget, not a wall-clock one: its wall time is
the budget times a factor that depends on the machine and its load (measured in
``benchmarks/README.md``). The wall clock only guards against runaway, at ``WALL_GUARD``
times the budget (plus 10 s); a run cut there is no longer reproducible, which is why the
guard sits far above any factor measured (it used to be 2x and cut runs short under load).
The caller's :class:`~layoutopt.deadline.Deadline` (the solve's one time budget), when
one is given, also ends the search, and so does its ``cancel`` event (a caller that runs
the engine beside another search stops it once that search has proven its answer).
"""

from __future__ import annotations

import threading
import time

from layoutopt.deadline import Deadline

__all__ = ["UNITS_PER_S", "WALL_GUARD", "Clock", "cpsat_guard_s"]

# Block placements per second of one core in the pure-Python decoders (measured on the
# development machine; an estimate that only scales the deterministic budget).
UNITS_PER_S = 400_000.0
# CP-SAT deterministic time per second of wall time, single worker (an estimate).
CPSAT_DET_PER_S = 1.0
WALL_GUARD = 10.0


def cpsat_guard_s(deterministic_s: float) -> float:
    """The wall-clock limit of a CP-SAT run held to ``deterministic_s`` of deterministic
    time: a runaway guard, never the limit that binds, or runs would differ. One unit of
    deterministic time took about 4.3 s of one idle core (CPSAT_DET_PER_S is 1.0 against
    about 0.23 measured), and the load stretches that: ``10 x + 1 s`` bound sub-solves of
    LNS at load 5 and made one-worker runs differ (tests/test_engine_lns.py)."""
    return WALL_GUARD * 10.0 * deterministic_s + 10.0


class Clock:
    """Budget of ``time_limit_s``, in wall time or in deterministic work units."""

    def __init__(
        self,
        time_limit_s: float,
        *,
        deterministic: bool,
        deadline: Deadline | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.time_limit_s = float(time_limit_s)
        self.deterministic = deterministic
        self.deadline = deadline
        self.cancel = cancel
        self._start = time.perf_counter()
        self._units = 0.0

    def spend(self, units: float) -> None:
        """Count decoder work (block placements) or converted CP-SAT time."""
        self._units += units

    def spend_seconds(self, seconds: float) -> None:
        self._units += seconds * UNITS_PER_S

    def restart_wall(self) -> None:
        """Start the wall clock again (the runaway guard's), the counted work kept: for
        set-up whose wall time is no part of the work (numba's first compile)."""
        self._start = time.perf_counter()

    def wall_s(self) -> float:
        return time.perf_counter() - self._start

    def elapsed_s(self) -> float:
        """Budget used so far, in (deterministic or wall) seconds."""
        if self.deterministic:
            return self._units / UNITS_PER_S
        return self.wall_s()

    def expired(self) -> bool:
        if self.cancel is not None and self.cancel.is_set():
            return True
        if self.deadline is not None and self.deadline.expired():
            return True
        if self.deterministic and self.wall_s() > WALL_GUARD * self.time_limit_s + 10.0:
            return True
        return self.elapsed_s() >= self.time_limit_s
