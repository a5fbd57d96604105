"""Where a sweep's points run: in this process, in local worker processes, or on Dask.

Each executor takes :class:`~layoutopt.sweep.point.PointTask` s and answers, for each, the
worker's :class:`~layoutopt.sweep.point.PointOutcome` or a :class:`Lost` (its worker died
first). Faults of the machinery itself (no worker can start, the scheduler is lost or
unreachable) raise :class:`~layoutopt.errors.InfrastructureError` with the fix.
"""

from __future__ import annotations

import concurrent.futures
import traceback
from dataclasses import dataclass
from typing import Any, Protocol

from layoutopt.errors import InfrastructureError
from layoutopt.sweep.point import PointOutcome, PointTask, SolveFn, solve_point
from layoutopt.sweep.pool import TaskRaised, WorkerLost, WorkerPool

__all__ = ["Answer", "Executor", "Lost", "make_executor"]


@dataclass(frozen=True)
class Lost:
    """A point's worker died before answering. ``retry``: try it again here (local pools;
    ``cause`` completes "the last one ..."). Dask retries by itself and reports a point only
    once its workers have died too often (``cause`` is then the whole story)."""

    cause: str
    retry: bool


Answer = PointOutcome | Lost


class Executor(Protocol):
    capacity: int

    def submit(self, task: PointTask) -> None: ...

    def wait(self) -> list[tuple[PointTask, Answer]]: ...

    def close(self) -> None: ...


class _Inline:
    """workers=1: solve in this process, in order (deterministic, no start-up cost)."""

    capacity = 1

    def __init__(self) -> None:
        self._queued: list[PointTask] = []

    def submit(self, task: PointTask) -> None:
        self._queued.append(task)

    def wait(self) -> list[tuple[PointTask, Answer]]:
        queued, self._queued = self._queued, []
        return [(task, solve_point(task)) for task in queued]

    def close(self) -> None:
        self._queued = []


class _Local:
    """Local worker processes (:mod:`layoutopt.sweep.pool`): a death is an answer."""

    def __init__(self, workers: int, solve: SolveFn) -> None:
        self._pool = WorkerPool(
            solve_point, workers, preload=(solve_point.__module__, solve.__module__)
        )
        self.capacity = workers

    def submit(self, task: PointTask) -> None:
        self._pool.submit(task, task)

    def wait(self) -> list[tuple[PointTask, Answer]]:
        answers: list[tuple[PointTask, Answer]] = []
        for task, answer in self._pool.wait():
            if isinstance(answer, WorkerLost):
                answers.append((task, Lost(answer.cause, retry=True)))
            elif isinstance(answer, TaskRaised):
                answers.append(
                    (task, PointOutcome(key=task.key, status="error", error=answer.error))
                )
            else:
                answers.append((task, answer))
        return answers

    def close(self) -> None:
        self._pool.close()


def _scheduler_fault(scheduler: Any, err: BaseException, doing: str) -> InfrastructureError:
    where = f" at {scheduler}" if isinstance(scheduler, str) else ""
    lines = "".join(traceback.format_exception_only(err)).split("\n")
    text = " ".join(s.strip() for s in lines if s.strip() and not s.startswith("Future"))
    if doing == "connecting to":
        fix = "start it (dask scheduler) or correct --scheduler"
    else:
        fix = "see the scheduler's log for why it stopped, restart it and its workers"
    return InfrastructureError(
        f"{doing} the Dask scheduler{where} failed ({text})",
        fix=(
            f"{fix}, then run the same command again: finished points are kept. "
            "Or run locally with -j N instead of --scheduler"
        ),
    )


# What a lost or unreachable scheduler raises: Dask cancels the futures of a client that
# lost its scheduler (FuturesCancelledError, a CancelledError); connections and their
# timeouts fail with OSError.
_SCHEDULER_GONE = (OSError, concurrent.futures.CancelledError)


class _Dask:
    def __init__(self, scheduler: Any) -> None:
        from distributed import Client

        self._scheduler = scheduler
        self._own = not isinstance(scheduler, Client)
        try:
            self._client = Client(scheduler) if self._own else scheduler
            threads = sum(self._client.nthreads().values()) or 1
        except _SCHEDULER_GONE as err:
            raise _scheduler_fault(scheduler, err, "connecting to") from None
        # One point per worker thread: a dead worker then takes only its own point down
        # (Dask counts every task queued on a worker that died against that task).
        self.capacity = threads
        self._futures: dict[Any, PointTask] = {}

    def submit(self, task: PointTask) -> None:
        # pure=False: the key is ours; Dask must not merge or cache two submissions.
        self._futures[self._client.submit(solve_point, task, pure=False)] = task

    def wait(self) -> list[tuple[PointTask, Answer]]:
        from distributed import KilledWorker, wait

        try:
            done = wait(list(self._futures), return_when="FIRST_COMPLETED").done
        except _SCHEDULER_GONE as err:
            raise _scheduler_fault(self._scheduler, err, "waiting on") from None
        answers: list[tuple[PointTask, Answer]] = []
        for future in sorted(done, key=lambda f: self._futures[f].index):
            task = self._futures.pop(future)
            try:
                answers.append((task, future.result()))
            except KilledWorker as err:
                lost = Lost(
                    f"the Dask workers solving this point died too often (KilledWorker: {err})",
                    False,
                )
                answers.append((task, lost))
            except Exception as err:  # lost with the scheduler, or any other failure of Dask
                raise _scheduler_fault(self._scheduler, err, "getting a result from") from None
        return answers

    def close(self) -> None:
        futures, self._futures = list(self._futures), {}
        try:
            if futures:
                self._client.cancel(futures)
            if self._own:
                self._client.close()
        except _SCHEDULER_GONE:
            pass  # a lost scheduler has nothing left to cancel


def make_executor(
    workers: int, scheduler: Any, solve: SolveFn, *, isolate: bool = False
) -> Executor:
    """Dask when given a scheduler, else local processes, else (one worker, not
    ``isolate``) this process."""
    if scheduler is not None:
        return _Dask(scheduler)
    if workers <= 1 and not isolate:
        return _Inline()
    return _Local(max(1, workers), solve)
