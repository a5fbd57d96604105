"""Local worker processes that survive the death of any one of them.

:class:`concurrent.futures.ProcessPoolExecutor` takes a dead worker (a segfault in native
code, the out-of-memory killer, an outside ``kill``) as the end of the pool: every pending
future fails with ``BrokenProcessPool``, nobody learns which task did it, and the pool is
unusable. A sweep then stopped at the same point on every rerun. Here each worker runs
one task at a time on its own pipe, so a death names its task and its cause (the exit
status or signal), and the pool starts a fresh worker and carries on.

Workers end with the main process however it ends, SIGKILL included: a thread in each
worker reads its pipe, sees end-of-file when the main process's end closes, and ends the
worker at once, mid-task or not. That needs the main process to hold the only copy of
its end of each pipe, so workers come from a *fork server* (``spawn`` where there is
none): a plain ``fork`` would copy every other worker's pipe into each new worker, and
would copy the main process's threads' locks too. The fork server imports ``preload``
once, so a new worker starts in milliseconds instead of importing the solver again.

Workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group, and the main
process decides what it means (it stops the pool).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from layoutopt.errors import InfrastructureError

__all__ = ["TaskRaised", "WorkerLost", "WorkerPool", "describe_exit"]

# A worker that has not said it is ready after this long will not: its start failed.
_START_TIMEOUT_S = 120.0
# Closing: how long a worker gets to notice its closed pipe before it is killed.
_CLOSE_TIMEOUT_S = 5.0
_READY = "ready"

_SIGNAL_CAUSES = {
    signal.SIGKILL: "was killed by SIGKILL (the out-of-memory killer, or another process)",
    signal.SIGSEGV: "crashed with SIGSEGV (a segmentation fault in native code)",
    signal.SIGABRT: "aborted with SIGABRT (native code gave up)",
    signal.SIGBUS: "crashed with SIGBUS (a bad memory access in native code)",
    signal.SIGTERM: "was terminated by SIGTERM (by another process)",
}


def describe_exit(exitcode: int | None) -> str:
    """How a worker process ended, in words (a predicate: "the worker ...").

    >>> describe_exit(-9)
    'was killed by SIGKILL (the out-of-memory killer, or another process)'
    >>> describe_exit(3)
    'exited with status 3'
    """
    if exitcode is None:
        return "ended without an exit status"
    if exitcode >= 0:
        return f"exited with status {exitcode}"
    try:
        sig = signal.Signals(-exitcode)
    except ValueError:
        return f"was ended by signal {-exitcode}"
    return _SIGNAL_CAUSES.get(sig, f"was ended by {sig.name}")


@dataclass(frozen=True)
class WorkerLost:
    """The worker running a task died before it answered."""

    exitcode: int | None

    @property
    def cause(self) -> str:
        return describe_exit(self.exitcode)


@dataclass(frozen=True)
class TaskRaised:
    """The worker could not run a task (it would not unpickle, or the function raised)."""

    error: str


def _read_tasks(conn: Connection, tasks: queue.SimpleQueue[Any]) -> None:
    """The worker's reader thread: tasks go to ``tasks``; end-of-file ends the worker."""
    while True:
        try:
            tasks.put(conn.recv())
        except (EOFError, OSError):
            os._exit(0)  # the main process is gone or closed the pool: stop, mid-task or not
        except Exception as err:  # a task that does not unpickle here
            tasks.put(TaskRaised(_exception_text(err)))


def _exception_text(err: BaseException) -> str:
    return "".join(traceback.format_exception_only(err)).strip()


def _send(conn: Connection, message: Any) -> None:
    """Send from a worker; a closed pipe means the main process is gone: end quietly."""
    try:
        conn.send(message)
    except OSError:
        os._exit(0)


def _worker_main(fn: Callable[[Any], Any], conn: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_read_tasks, args=(conn, tasks), daemon=True).start()
    _send(conn, _READY)
    while True:
        task = tasks.get()
        if isinstance(task, TaskRaised):
            _send(conn, task)
            continue
        try:
            answer = fn(task)
        except Exception as err:
            answer = TaskRaised(_exception_text(err))
        try:
            _send(conn, answer)
        except Exception as err:  # an answer that does not pickle
            _send(conn, TaskRaised(_exception_text(err)))


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process of the chosen context
    conn: Connection
    tag: Any = None
    busy: bool = False


def _context(preload: Sequence[str]) -> Any:
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    # Takes effect when the fork server starts (the first pool of the process).
    ctx.set_forkserver_preload(list(dict.fromkeys(["layoutopt.sweep.pool", *preload])))
    return ctx


class WorkerPool:
    """``size`` worker processes, each running ``fn`` on one task at a time.

    ``fn`` must be an importable module-level function. :meth:`submit` hands a task to an
    idle worker; :meth:`wait` returns ``(tag, answer)`` pairs, where the answer is what
    ``fn`` returned, a :class:`TaskRaised` or a :class:`WorkerLost`.
    """

    def __init__(self, fn: Callable[[Any], Any], size: int, *, preload: Sequence[str] = ()):
        self._fn = fn
        self._ctx = _context(preload)
        self._workers: list[_Worker] = []
        self._start(size)

    def _start(self, count: int) -> None:
        """Start ``count`` workers and wait until each has said it is ready."""
        fresh = []
        try:
            for _ in range(count):
                parent_end, child_end = self._ctx.Pipe()
                process = self._ctx.Process(
                    target=_worker_main, args=(self._fn, child_end), daemon=True
                )
                process.start()
                child_end.close()
                fresh.append(_Worker(process, parent_end))
        except OSError as err:
            raise InfrastructureError(
                f"cannot start a worker process ({err})",
                fix="lower -j, or free memory and process slots, then run the same command again",
            ) from None
        self._workers.extend(fresh)  # from here on, close() ends them whatever happens
        for worker in fresh:
            if not worker.conn.poll(_START_TIMEOUT_S) or not self._ready(worker):
                worker.process.join(_CLOSE_TIMEOUT_S)
                raise InfrastructureError(
                    "a worker process failed to start: it "
                    + describe_exit(worker.process.exitcode),
                    fix="run with -j 1 to see the error in this process",
                )

    @staticmethod
    def _ready(worker: _Worker) -> bool:
        try:
            return bool(worker.conn.recv() == _READY)
        except (EOFError, OSError):
            return False

    def submit(self, tag: Any, task: Any) -> None:
        """Give ``task`` to an idle worker; ``tag`` comes back with its answer."""
        worker = next(w for w in self._workers if not w.busy)
        try:
            worker.conn.send(task)
        except (EOFError, OSError):  # it died idle: replace it and send again
            self._replace(worker)
            worker = self._workers[-1]
            worker.conn.send(task)
        worker.tag, worker.busy = tag, True

    def _replace(self, worker: _Worker) -> None:
        worker.conn.close()
        worker.process.join(_CLOSE_TIMEOUT_S)
        self._workers.remove(worker)
        self._start(1)

    def wait(self) -> list[tuple[Any, Any]]:
        """Block until a busy worker answers or dies; every ``(tag, answer)`` that ended."""
        busy = [w for w in self._workers if w.busy]
        if not busy:
            return []
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        ended: list[tuple[Any, Any]] = []
        for worker in busy:  # in the pool's order, not in the order the answers came
            if worker.conn not in ready and worker.process.sentinel not in ready:
                continue
            tag = worker.tag
            try:
                if not worker.conn.poll():
                    raise EOFError
                answer = worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join(_CLOSE_TIMEOUT_S)
                ended.append((tag, WorkerLost(worker.process.exitcode)))
                self._replace(worker)
                continue
            worker.tag, worker.busy = None, False
            ended.append((tag, answer))
        return ended

    def close(self) -> None:
        """Stop every worker now (a busy one drops its task); kill any that lingers."""
        for worker in self._workers:
            worker.conn.close()
        for worker in self._workers:
            worker.process.join(_CLOSE_TIMEOUT_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(_CLOSE_TIMEOUT_S)
        self._workers = []
