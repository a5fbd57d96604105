"""The one time budget of a run: an absolute end on the monotonic clock.

A solve has one limit (``SolveOptions.time_limit_s``); every stage (the CP-SAT stages,
the warm start and its packing engine, the thermal rounds, the infeasibility
explanation) asks the same :class:`Deadline` how much is left instead of carrying its own
seconds. A stage that should use only part of what is left takes a :meth:`Deadline.share`,
which ends no later than its parent.

>>> d = Deadline.after(10.0)
>>> 9.0 < d.remaining_s() <= 10.0
True
>>> d.share(0.5).end_s <= d.end_s
True
>>> Deadline.after(0.0).expired()
True
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["Deadline"]


def _now_s() -> float:
    return time.perf_counter()


@dataclass(frozen=True)
class Deadline:
    """Seconds on :func:`time.perf_counter` at which the budget started and ends."""

    start_s: float
    end_s: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now."""
        now = _now_s()
        return cls(now, now + max(0.0, float(seconds)))

    def remaining_s(self) -> float:
        """Seconds left (0 once expired)."""
        return max(0.0, self.end_s - _now_s())

    def elapsed_s(self) -> float:
        """Seconds since the budget started."""
        return _now_s() - self.start_s

    def expired(self) -> bool:
        return _now_s() >= self.end_s

    def share(self, fraction: float, *, at_most_s: float | None = None) -> Deadline:
        """A deadline for a sub-stage: ``fraction`` of what is left now (and at most
        ``at_most_s`` seconds), never later than this one."""
        now = _now_s()
        seconds = max(0.0, fraction) * max(0.0, self.end_s - now)
        if at_most_s is not None:
            seconds = min(seconds, max(0.0, at_most_s))
        return Deadline(now, min(self.end_s, now + seconds))
