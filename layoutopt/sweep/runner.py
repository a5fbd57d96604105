"""Run a design space: solve every point once, locally in parallel or on a Dask cluster.

A rerun finds what is already finished (points are keyed by content,
:func:`~layoutopt.sweep.point.point_key`) and solves only the rest. Workers run the pure
:func:`~layoutopt.sweep.point.solve_point` wherever :mod:`~layoutopt.sweep.executors`
puts them and return the layout file's text; the main process alone writes files and
SQLite rows. A point whose worker dies is tried again a bounded number of times, then
stored as an error with the cause; rows the store cannot vouch for are solved again.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from layoutopt.errors import LayoutOptError
from layoutopt.layout_io import read_layout
from layoutopt.solver.result import SolveOptions
from layoutopt.sweep.executors import Answer, Executor, Lost, make_executor
from layoutopt.sweep.point import PointOutcome, PointTask, SolveFn, point_key
from layoutopt.sweep.space import Point, Space, check_points, expand_points, load_space
from layoutopt.sweep.store import PointRow, ResultStore
from layoutopt.sweep.warm import WarmStarts

__all__ = [
    "SweepInterrupted",
    "SweepPlan",
    "SweepProgress",
    "SweepSummary",
    "default_loader",
    "default_solver",
    "plan_sweep",
    "run_sweep",
]

LoadFn = Callable[..., Any]
# The columns of layoutopt.assess.metrics that the table keeps.
_ROW_METRICS = ("warpage_um", "package_yield", "cost_usd", "capacity_gb")


def default_solver() -> SolveFn:
    """The real solver, imported late so the sweep works (with an injected one) without it."""
    try:
        from layoutopt.solver import solve  # type: ignore[attr-defined]
    except ImportError as err:
        raise LayoutOptError(f"the solver is not available ({err}); pass solve_fn=") from None
    return solve  # type: ignore[no-any-return]


def default_loader() -> LoadFn:
    """The real design-file loader (``layoutopt.design_file.design_from_text``)."""
    try:
        from layoutopt.design_file import design_from_text  # type: ignore[import-not-found]
    except ImportError as err:
        raise LayoutOptError(f"the design loader is not available ({err}); pass load_fn=") from None
    return design_from_text  # type: ignore[no-any-return]


class SweepProgress(Protocol):
    """Told about the sweep as it goes (see :mod:`layoutopt.sweep.progress`)."""

    def start(self, total: int, finished: Sequence[PointRow]) -> None: ...

    def advance(self, row: PointRow) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep run did."""

    name: str
    outdir: Path
    db_path: Path
    total: int  # points in the space (after filters)
    skipped: int  # already finished before this run
    solved: int  # finished in this run
    errors: int  # points (in all runs) whose solve raised or whose worker died
    statuses: dict[str, int]  # status -> count, all runs
    hinted: int  # points of this run that started from a neighbour's layout
    elapsed_s: float
    notes: tuple[str, ...] = ()  # what the run found and repaired, as it told progress


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep: ``summary`` counts what is stored; the ``dropped`` points
    being solved at that moment were not stored (a rerun solves them)."""

    def __init__(
        self, summary: SweepSummary, dropped: int, cause: KeyboardInterrupt | None = None
    ) -> None:
        super().__init__(f"sweep interrupted: {summary.skipped + summary.solved} points stored")
        self.summary = summary
        self.dropped = dropped
        self.cause = cause or KeyboardInterrupt()  # Ctrl-C, or SIGTERM (Terminated)


def _row(task: PointTask, outcome: PointOutcome, layout_path: str | None) -> PointRow:
    return PointRow(
        key=task.key,
        point_index=task.index,
        axis_values=json.dumps(task.values, sort_keys=True, ensure_ascii=False, default=str),
        status=outcome.status,
        footprint_mm2=outcome.footprint_mm2,
        thickness_um=outcome.thickness_um,
        peak_junction_c=outcome.peak_junction_c,
        skin_c=outcome.skin_c,
        **{k: outcome.metrics.get(k) for k in _ROW_METRICS},
        objective=outcome.objective,
        gap=outcome.gap,
        solve_time_s=outcome.solve_time_s,
        stats=json.dumps(outcome.stats, sort_keys=True, default=str),
        error=outcome.error,
        layout_path=layout_path,
        hint_key=task.hint_key,
        wall_s=round(outcome.wall_s, 6),
    )


def _described(rows: Sequence[tuple[PointRow, str]], limit: int = 5) -> str:
    shown = "; ".join(f"point {row.point_index}: {why}" for row, why in rows[:limit])
    return shown + ("; ..." if len(rows) > limit else "")


class _Run:
    """One run over a store: what is pending, what it finished, what it told progress."""

    def __init__(
        self,
        store: ResultStore,
        plan: SweepPlan,
        solve: SolveFn,
        warm: WarmStarts | None,
        progress: SweepProgress | None,
        worker_retries: int,
    ) -> None:
        self.store, self.keyed, self.loaded = store, plan.points, plan.designs
        self.options, self.solve, self.warm = plan.options, solve, warm
        self.progress, self.worker_retries = progress, worker_retries
        self.pending: deque[str] = deque()
        self.in_flight: dict[str, PointTask] = {}
        self.deaths: dict[str, int] = {}
        self.notes: list[str] = []
        self.finished: list[PointRow] = []
        self.solved = self.hinted = 0

    def note(self, text: str) -> None:
        self.notes.append(text)
        if self.progress is not None:
            self.progress.note(text)

    def load(self, retry_errors: bool) -> None:
        """The stored rows this run trusts, and the points it must solve (again)."""
        if self.store.removed_tmp:
            self.note(
                f"removed {self.store.removed_tmp} temporary files of writes a killed run "
                "left unfinished"
            )
        untrusted: list[tuple[PointRow, str]] = []
        retried: list[PointRow] = []
        for row in self.store.rows():
            if row.key not in self.keyed:
                continue  # another space's or other options' point
            problem = self.store.row_problem(row)
            if problem is not None:
                untrusted.append((row, problem))
            elif retry_errors and row.status == "error":
                retried.append(row)
            else:
                self.finished.append(row)
        if untrusted:
            self.note(
                f"{len(untrusted)} stored points cannot be trusted and are solved again "
                f"({_described(untrusted)})"
            )
        if retried:
            self.note(f"{len(retried)} points that failed before are tried again")
        done = {r.key for r in self.finished}
        self.pending.extend(k for k in self.keyed if k not in done)
        if self.warm is not None:
            for row in self.finished:
                if row.layout_path:
                    self.warm.add(self.keyed[row.key], row.key, row.layout_path)

    def task(self, key: str) -> PointTask:
        point = self.keyed[key]
        options, hint_key = self.options, None
        while self.warm is not None:
            hint_key, hint_path = self.warm.nearest(point)
            if hint_path is None:
                break
            try:
                hint = read_layout(self.store.outdir / hint_path).layout
            except (LayoutOptError, OSError) as err:
                self.warm.discard(hint_key)  # its layout is unreadable: solve it again
                self.note(f"the layout of a finished point cannot be read, solving it again: {err}")
                if hint_key not in self.pending and hint_key not in self.in_flight:
                    self.pending.append(hint_key)
                continue
            options = dataclasses.replace(self.options, hint=hint)
            break
        return PointTask(
            key=key,
            index=point.index,
            values=point.values,
            design=self.loaded[key],
            options=options,
            solve_fn=self.solve,
            hint_key=hint_key if options is not self.options else None,
        )

    def answer(self, task: PointTask, answer: Answer) -> None:
        """Store a finished point, or try again (a bounded number of times) one whose worker died."""
        self.in_flight.pop(task.key, None)
        if isinstance(answer, Lost):
            deaths = self.deaths[task.key] = self.deaths.get(task.key, 0) + 1
            if answer.retry and deaths <= self.worker_retries:
                self.note(
                    f"point {task.index}: its worker process {answer.cause}; trying again "
                    f"({deaths} of {self.worker_retries} retries)"
                )
                self.pending.appendleft(task.key)
                return
            if answer.retry:
                why = f"the worker process solving this point died {deaths} times; the last one"
                why += f" {answer.cause}"
            else:
                why = answer.cause
            answer = PointOutcome(
                key=task.key,
                status="error",
                error=f"{why}. Not tried again: rerun with --retry-errors to try again",
            )
        layout_path = self.store.layout_path_for(task.key) if answer.layout_text else None
        row = _row(task, answer, layout_path)
        self.store.record(row, answer.layout_text)
        self.solved += 1
        self.hinted += task.hint_key is not None
        if self.warm is not None and layout_path is not None:
            self.warm.add(self.keyed[task.key], task.key, layout_path)
        if self.progress is not None:
            self.progress.advance(row)

    def drive(self, executor: Executor) -> None:
        while self.pending or self.in_flight:
            while self.pending and len(self.in_flight) < executor.capacity:
                task = self.task(self.pending.popleft())
                executor.submit(task)
                self.in_flight[task.key] = task
            for task, answer in executor.wait():
                self.answer(task, answer)


@dataclass(frozen=True)
class SweepPlan:
    """A space's distinct points, each loaded, keyed by :func:`point_key` (in point order)."""

    space: Space
    options: SolveOptions
    points: dict[str, Point]
    designs: dict[str, Any]


def plan_sweep(
    space: Space | str | Path, options: SolveOptions | None = None, load_fn: LoadFn | None = None
) -> SweepPlan:
    """Expand ``space`` and load every point's design; a bad one raises SpaceError.

    ``options`` default to one CP-SAT worker per point, 30 s; their hint is dropped (each
    point gets its own)."""
    space = space if isinstance(space, Space) else load_space(space)
    options = options if options is not None else SolveOptions(workers=1)
    options = dataclasses.replace(options, hint=None)
    points = expand_points(space)
    designs = check_points(space, points, load_fn or default_loader())
    keyed: dict[str, Point] = {}
    loaded: dict[str, Any] = {}
    for point, design in zip(points, designs, strict=True):
        key = point_key(point.design, options)  # the same design and options: one point
        keyed.setdefault(key, point)
        loaded.setdefault(key, design)
    return SweepPlan(space, options, keyed, loaded)


def run_sweep(
    space: Space | str | Path | SweepPlan,
    outdir: str | Path | ResultStore,
    *,
    workers: int = 1,
    scheduler: Any = None,
    options: SolveOptions | None = None,
    progress: SweepProgress | None = None,
    solve_fn: SolveFn | None = None,
    load_fn: LoadFn | None = None,
    warm_start: bool = True,
    worker_retries: int = 2,
    retry_errors: bool = False,
    isolate: bool = False,
) -> SweepSummary:
    """Solve every point of ``space`` not yet finished in ``outdir``; return a summary.

    Parameters
    ----------
    space
        A :class:`Space`, the path of a space file, or a :class:`SweepPlan` of one.
    outdir
        The sweep directory (``sweep.sqlite`` and ``points/../layout.json``), locked for
        the run; or a :class:`ResultStore` the caller opened (and closes).
    workers
        Local worker processes (1: solve in this process).
    scheduler
        A Dask scheduler address, cluster or ``distributed.Client``; overrides ``workers``.
    options, load_fn
        As :func:`plan_sweep` (unused with a plan).
    progress
        Told about each finished point and each repair; ``None`` reports nothing.
    solve_fn
        The solver (default: the real one). With process workers or Dask it must be an
        importable module-level function, as must ``load_fn``.
    warm_start
        Start each point from the layout of its nearest solved neighbour with the same dies.
    worker_retries
        How many times a point whose worker process died (a crash, the out-of-memory
        killer, an outside kill) is tried again before it is stored as an error with the
        cause. On Dask the scheduler's own ``allowed-failures`` applies instead.
    retry_errors
        Solve again the points stored as errors by earlier runs.
    isolate
        With one worker, solve in a worker process all the same (one point at a time, in
        order), so that a point that crashes it is recorded as failed instead of ending
        this process (the command line does; ``solve_fn`` must then be importable).

    Every point's design is loaded before the store is touched: a bad space raises
    :class:`~layoutopt.errors.SpaceError` and solves nothing. A store, disk, lock or
    scheduler fault raises :class:`~layoutopt.errors.InfrastructureError` (finished
    points stay stored); Ctrl-C raises :class:`SweepInterrupted`, with the points being
    solved not stored.
    """
    started = time.perf_counter()
    plan = space if isinstance(space, SweepPlan) else plan_sweep(space, options, load_fn)
    solve = solve_fn or default_solver()
    store = outdir if isinstance(outdir, ResultStore) else ResultStore(outdir)
    try:
        warm = WarmStarts(plan.space.axes) if warm_start else None
        run = _Run(store, plan, solve, warm, progress, worker_retries)
        run.load(retry_errors)
        if progress is not None:
            progress.start(len(plan.points), run.finished)
        try:
            if run.pending:  # nothing to do: no pool to start, no scheduler to reach
                executor = make_executor(workers, scheduler, solve, isolate=isolate)
                try:
                    run.drive(executor)
                finally:
                    executor.close()
        except KeyboardInterrupt as stop:
            summary = _summary(plan, store, run, time.perf_counter() - started)
            raise SweepInterrupted(summary, len(run.in_flight), stop) from None
        finally:
            if progress is not None:
                progress.close()
        return _summary(plan, store, run, time.perf_counter() - started)
    finally:
        if store is not outdir:
            store.close()


def _summary(plan: SweepPlan, store: ResultStore, run: _Run, elapsed_s: float) -> SweepSummary:
    statuses: dict[str, int] = {}
    for r in store.rows():
        if r.key in plan.points:
            statuses[r.status] = statuses.get(r.status, 0) + 1
    return SweepSummary(
        name=plan.space.name,
        outdir=store.outdir,
        db_path=store.path,
        total=len(plan.points),
        skipped=len(run.finished),
        solved=run.solved,
        errors=statuses.get("error", 0),
        statuses=dict(sorted(statuses.items())),
        hinted=run.hinted,
        elapsed_s=elapsed_s,
        notes=tuple(run.notes),
    )
