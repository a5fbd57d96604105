"""The one time budget of a run: an end on the wall clock, or on a work clock.

A solve has one limit (``SolveOptions.time_limit_s``); every stage (the CP-SAT stages,
the warm start and its packing engine, the thermal rounds, the infeasibility
explanation) asks the same :class:`Deadline` how much is left instead of carrying its own
seconds. A stage that should use only part of what is left takes a :meth:`Deadline.share`,
which ends no later than its parent.

A wall-clock deadline (:meth:`Deadline.after`) keeps a command to its limit, but what a
search finds by then depends on the machine and its load. A *work* deadline
(:meth:`Deadline.work_budget`) counts instead what the searches report they spent (CP-SAT's
deterministic time, the engine's counted moves; see :mod:`layoutopt.solver.run`), in
seconds of one idle core, so that one worker and a fixed seed give the same answer under
any load. Its wall time is the budget times a factor of the machine and its load; the wall
clock only guards against runaway, at ``guard_s``, and a run cut there says so
(:attr:`WorkClock.guard_hit`), because it is no longer reproducible.

>>> d = Deadline.after(10.0)
>>> 9.0 < d.remaining_s() <= 10.0
True
>>> d.share(0.5).end_s <= d.end_s
True
>>> Deadline.after(0.0).expired()
True
>>> w = Deadline.work_budget(10.0, guard_s=100.0)
>>> w.spend(4.0)
>>> w.remaining_s(), w.share(0.5).remaining_s(), w.before_end(2.0).remaining_s()
(6.0, 3.0, 4.0)
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

__all__ = ["Deadline", "WorkClock"]


def _now_s() -> float:
    return time.perf_counter()


class WorkClock:
    """Seconds of work the searches of one command reported, and a wall-clock guard.

    Shared by every deadline derived from one :meth:`Deadline.work_budget` (the stages
    run one after another; the lock only guards the counter against a watcher thread)."""

    def __init__(self, guard_s: float) -> None:
        self._spent_s = 0.0
        self._lock = threading.Lock()
        self._guard_end_s = _now_s() + max(0.0, guard_s)
        self.guard_hit = False

    def now_s(self) -> float:
        """Work spent so far (seconds of one idle core)."""
        with self._lock:
            return self._spent_s

    def spend(self, seconds: float) -> None:
        with self._lock:
            self._spent_s += max(0.0, seconds)

    def wall_remaining_s(self) -> float:
        """Wall seconds left before the runaway guard."""
        left = self._guard_end_s - _now_s()
        if left <= 0.0:
            self.guard_hit = True
        return max(0.0, left)


@dataclass(frozen=True)
class Deadline:
    """Where the budget started and ends, in seconds of :func:`time.perf_counter` or, with
    ``work``, of that work clock."""

    start_s: float
    end_s: float
    work: WorkClock | None = field(default=None, compare=False, repr=False)
    # When a work budget started on the wall clock (a wall deadline's is start_s):
    # elapsed_s() reports wall time either way.
    wall_start_s: float | None = field(default=None, compare=False, repr=False)
    # The end the caller aimed at, where a floor moved ``end_s`` later (the command line
    # keeps a solve some time however long its imports took): the floor buys time to find
    # an answer, not to improve one, so a search that holds one stops here
    # (:meth:`past_aim`). Wall clock only; never after ``end_s``.
    aim_s: float | None = field(default=None, compare=False, repr=False)

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now on the wall clock."""
        now = _now_s()
        return cls(now, now + max(0.0, float(seconds)))

    @classmethod
    def work_budget(cls, seconds: float, *, guard_s: float) -> Deadline:
        """A budget of ``seconds`` of counted work, cut on the wall clock only after
        ``guard_s``."""
        return cls(0.0, max(0.0, float(seconds)), WorkClock(guard_s), _now_s())

    @property
    def counts_work(self) -> bool:
        return self.work is not None

    def _now(self) -> float:
        return _now_s() if self.work is None else self.work.now_s()

    def remaining_s(self) -> float:
        """Seconds left (0 once expired)."""
        if self.work is not None and self.work.wall_remaining_s() <= 0.0:
            return 0.0
        return max(0.0, self.end_s - self._now())

    def wall_remaining_s(self) -> float:
        """Wall seconds a search may run before it must stop: what is left of a wall
        deadline, the runaway guard of a work one."""
        if self.work is None:
            return self.remaining_s()
        return self.work.wall_remaining_s()

    def elapsed_s(self) -> float:
        """Wall seconds since the budget started."""
        started_s = self.start_s if self.wall_start_s is None else self.wall_start_s
        return _now_s() - started_s

    def expired(self) -> bool:
        if self.work is not None:
            return self.remaining_s() <= 0.0
        return _now_s() >= self.end_s

    def past_aim(self) -> bool:
        """Whether the end aimed at (``aim_s``) has passed: a search that holds an answer
        stops there, one that has none goes on to ``end_s``."""
        return self.aim_s is not None and self.work is None and _now_s() >= self.aim_s

    def aim_remaining_s(self) -> float | None:
        """Wall seconds to the end aimed at, or None when there is none."""
        if self.aim_s is None or self.work is not None:
            return None
        return max(0.0, self.aim_s - _now_s())

    def spend(self, seconds: float) -> None:
        """Count ``seconds`` of work a search reports (a wall deadline counts itself)."""
        if self.work is not None:
            self.work.spend(seconds)

    def spend_rest(self) -> None:
        """Count the whole of this budget as spent: for a search that keeps its own
        count of work within it (the placement engine), so its caller's clock stays
        deterministic."""
        self.spend(self.remaining_s())

    def share(self, fraction: float, *, at_most_s: float | None = None) -> Deadline:
        """A deadline for a sub-stage: ``fraction`` of what is left now (and at most
        ``at_most_s`` seconds), never later than this one."""
        now = self._now()
        seconds = max(0.0, fraction) * max(0.0, self.end_s - now)
        if at_most_s is not None:
            seconds = min(seconds, max(0.0, at_most_s))
        return self._on_same_clock(now, min(self.end_s, now + seconds))

    def before_end(self, seconds: float) -> Deadline:
        """This deadline ending ``seconds`` earlier (never before now), on the same clock:
        a stage that must leave later work its time (the limits checks after a placement).
        """
        now = self._now()
        cut = max(0.0, seconds)
        aim_s = None if self.aim_s is None else max(now, self.aim_s - cut)
        return Deadline(
            self.start_s, max(now, self.end_s - cut), self.work, self.wall_start_s, aim_s
        )

    def renewed(self, seconds: float) -> Deadline:
        """A fresh budget of ``seconds`` from now on the same kind of clock (for work
        that runs after the solve's budget, such as explaining an infeasible design)."""
        if self.work is None:
            return Deadline.after(seconds)
        now = self.work.now_s()
        return self._on_same_clock(now, now + max(0.0, seconds))

    def _on_same_clock(self, start_s: float, end_s: float) -> Deadline:
        wall_start_s = None if self.work is None else _now_s()
        aim_s = None if self.aim_s is None else min(self.aim_s, end_s)
        return Deadline(start_s, end_s, self.work, wall_start_s, aim_s)
