"""Run a design space: solve every point once, locally in parallel or on a Dask cluster.

Each point is keyed by a content hash of its resolved design-file dict and the solve
options, so a rerun finds what is already finished and solves only the rest. Workers
(local processes or Dask) run the same pure function, :func:`solve_point`, and return the
layout file's text; the main process alone writes files and SQLite rows.

Examples
--------
>>> from layoutopt.solver.result import SolveOptions
>>> key = point_key({"name": "a"}, SolveOptions(workers=1))
>>> key == point_key({"name": "a"}, SolveOptions(workers=1)), len(key)
(True, 64)
>>> point_key({"name": "a"}, SolveOptions(seed=1)) == point_key({"name": "a"}, SolveOptions(seed=2))
False
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from layoutopt.errors import LayoutOptError
from layoutopt.layout_io import LayoutRecord, read_layout, to_json
from layoutopt.serialize import to_data
from layoutopt.solver.result import SolveOptions
from layoutopt.sweep.space import Point, Space, check_points, expand_points, load_space
from layoutopt.sweep.store import PointRow, ResultStore
from layoutopt.sweep.warm import WarmStarts

__all__ = [
    "PointOutcome",
    "PointTask",
    "SweepProgress",
    "SweepSummary",
    "default_loader",
    "default_solver",
    "point_key",
    "run_sweep",
    "solve_point",
]

SolveFn = Callable[[Any, SolveOptions], Any]
LoadFn = Callable[..., Any]

# Fields of SolveOptions that do not change what a point *is*: a warm start only helps the
# search, and logging only talks.
_NOT_IN_KEY = ("hint", "log")


def point_key(design: dict[str, Any], options: SolveOptions) -> str:
    """sha256 of the canonical JSON of a point's design-file dict and its solve options."""
    opts = {k: v for k, v in to_data(options).items() if k not in _NOT_IN_KEY}
    text = json.dumps(
        {"design": design, "options": opts},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs for one point (picklable: functions by reference)."""

    key: str
    index: int
    values: dict[str, Any]
    design: Any  # the loaded core Design (loaded once, up front, by check_points)
    options: SolveOptions
    solve_fn: SolveFn
    hint_key: str | None = None


@dataclass(frozen=True)
class PointOutcome:
    """What a worker sends back: the row's numbers and the layout file's text."""

    key: str
    status: str
    footprint_mm2: float | None = None
    thickness_um: int | None = None
    peak_junction_c: float | None = None
    skin_c: float | None = None
    objective: float | None = None
    gap: float | None = None
    solve_time_s: float | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    layout_text: str | None = None
    wall_s: float = 0.0


def solve_point(task: PointTask) -> PointOutcome:
    """Solve one point; never raises (a failure is an ``"error"`` outcome)."""
    start = time.perf_counter()
    try:
        design = task.design
        result = task.solve_fn(design, task.options)
        layout, thermal = result.layout, result.thermal
        layout_text = None
        if layout is not None:
            record = LayoutRecord(
                design=design, layout=layout, thermal=thermal, solver=result.to_data()
            )
            layout_text = to_json(record)
        return PointOutcome(
            key=task.key,
            status=result.status.value,
            footprint_mm2=None if layout is None else layout.footprint_um2 / 1e6,
            thickness_um=None if layout is None else layout.thickness_um,
            peak_junction_c=None if thermal is None else thermal.peak_junction_c,
            skin_c=None if thermal is None else thermal.skin_c,
            objective=result.objective,
            gap=result.gap,
            solve_time_s=result.time_s,
            stats=dict(result.stats),
            layout_text=layout_text,
            wall_s=time.perf_counter() - start,
        )
    except Exception as err:  # a failing point is a result of the sweep, not its end
        if isinstance(err, LayoutOptError):
            text = str(err)
        else:
            text = "".join(traceback.format_exception_only(err)).strip()
        return PointOutcome(
            key=task.key, status="error", error=text, wall_s=time.perf_counter() - start
        )


class SweepProgress(Protocol):
    """Told about the sweep as it goes (see :mod:`layoutopt.sweep.progress`)."""

    def start(self, total: int, finished: Sequence[PointRow]) -> None: ...

    def advance(self, row: PointRow) -> None: ...

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
    errors: int  # points (in all runs) whose solve raised
    statuses: dict[str, int]  # status -> count, all runs
    hinted: int  # points of this run that started from a neighbour's layout
    elapsed_s: float


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
        objective=outcome.objective,
        gap=outcome.gap,
        solve_time_s=outcome.solve_time_s,
        stats=json.dumps(outcome.stats, sort_keys=True, default=str),
        error=outcome.error,
        layout_path=layout_path,
        hint_key=task.hint_key,
        wall_s=round(outcome.wall_s, 6),
    )


class _Executor(Protocol):
    capacity: int

    def submit(self, task: PointTask) -> Any: ...

    def wait_any(self, futures: Iterable[Any]) -> Iterable[Any]: ...

    def close(self) -> None: ...


class _Inline:
    """workers=1: solve in this process, in order (deterministic, no start-up cost)."""

    capacity = 1

    def submit(self, task: PointTask) -> cf.Future[PointOutcome]:
        future: cf.Future[PointOutcome] = cf.Future()
        future.set_result(solve_point(task))
        return future

    def wait_any(self, futures: Iterable[Any]) -> Iterable[Any]:
        return list(futures)

    def close(self) -> None:
        pass


class _Local:
    def __init__(self, workers: int) -> None:
        self._pool = cf.ProcessPoolExecutor(max_workers=workers)
        # Two tasks per worker keep workers busy while leaving room for warm starts.
        self.capacity = 2 * workers

    def submit(self, task: PointTask) -> cf.Future[PointOutcome]:
        return self._pool.submit(solve_point, task)

    def wait_any(self, futures: Iterable[Any]) -> Iterable[Any]:
        return cf.wait(list(futures), return_when=cf.FIRST_COMPLETED).done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Dask:
    def __init__(self, scheduler: Any) -> None:
        from distributed import Client

        self._own = not isinstance(scheduler, Client)
        self._client = Client(scheduler) if self._own else scheduler
        threads = sum(self._client.nthreads().values()) or 1
        self.capacity = 2 * threads

    def submit(self, task: PointTask) -> Any:
        # pure=False: the key is ours; Dask must not merge or cache two submissions.
        return self._client.submit(solve_point, task, pure=False)

    def wait_any(self, futures: Iterable[Any]) -> Iterable[Any]:
        from distributed import wait

        return wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        if self._own:
            self._client.close()


def _executor(workers: int, scheduler: Any) -> _Executor:
    if scheduler is not None:
        return _Dask(scheduler)
    if workers <= 1:
        return _Inline()
    return _Local(workers)


def run_sweep(
    space: Space | str | Path,
    outdir: str | Path,
    *,
    workers: int = 1,
    scheduler: Any = None,
    options: SolveOptions | None = None,
    progress: SweepProgress | None = None,
    solve_fn: SolveFn | None = None,
    load_fn: LoadFn | None = None,
    warm_start: bool = True,
) -> SweepSummary:
    """Solve every point of ``space`` not yet finished in ``outdir``; return a summary.

    Parameters
    ----------
    space
        A :class:`Space` or the path of a space file.
    outdir
        The sweep directory: ``sweep.sqlite`` and ``points/../layout.json``.
    workers
        Local worker processes (1: solve in this process).
    scheduler
        A Dask scheduler address, cluster or ``distributed.Client``; overrides ``workers``.
    options
        Solve options for every point (default: one CP-SAT worker per point, 30 s).
    progress
        Told about each finished point; ``None`` reports nothing.
    solve_fn, load_fn
        The solver and the design-text loader (default: the real ones). With process
        workers or Dask they must be importable module-level functions.
    warm_start
        Start each point from the layout of its nearest solved neighbour with the same dies.

    Every point's design is loaded before the first solve: a bad space raises
    :class:`~layoutopt.errors.SpaceError` and solves nothing.
    """
    started = time.perf_counter()
    space = space if isinstance(space, Space) else load_space(space)
    options = options if options is not None else SolveOptions(workers=1)
    options = dataclasses.replace(options, hint=None)
    load = load_fn or default_loader()
    solve = solve_fn or default_solver()
    points = expand_points(space)
    designs = check_points(space, points, load)
    keyed: dict[str, Point] = {}
    loaded: dict[str, Any] = {}
    for point, design in zip(points, designs, strict=True):
        key = point_key(point.design, options)  # the same design and options: one point
        keyed.setdefault(key, point)
        loaded.setdefault(key, design)

    with ResultStore(outdir) as store:
        done = store.finished_keys()
        finished_rows = [r for r in store.rows() if r.key in keyed]
        pending = deque(k for k in keyed if k not in done)
        warm = WarmStarts(space.axes) if warm_start else None
        if warm is not None:
            for r in finished_rows:
                if r.layout_path:
                    warm.add(keyed[r.key], r.key, r.layout_path)
        if progress is not None:
            progress.start(len(keyed), finished_rows)
        solved = hinted = 0
        executor = _executor(workers, scheduler) if pending else _Inline()
        in_flight: dict[Any, PointTask] = {}
        try:
            while pending or in_flight:
                while pending and len(in_flight) < executor.capacity:
                    key = pending.popleft()
                    point = keyed[key]
                    task_options, hint_key = options, None
                    if warm is not None:
                        hint_key, hint_path = warm.nearest(point)
                        if hint_path is not None:
                            hint = read_layout(store.outdir / hint_path).layout
                            task_options = dataclasses.replace(options, hint=hint)
                    task = PointTask(
                        key=key,
                        index=point.index,
                        values=point.values,
                        design=loaded[key],
                        options=task_options,
                        solve_fn=solve,
                        hint_key=hint_key,
                    )
                    in_flight[executor.submit(task)] = task
                for future in executor.wait_any(list(in_flight)):
                    task = in_flight.pop(future)
                    outcome: PointOutcome = future.result()
                    layout_path = store.layout_path_for(task.key) if outcome.layout_text else None
                    row = _row(task, outcome, layout_path)
                    store.record(row, outcome.layout_text)
                    solved += 1
                    hinted += task.hint_key is not None
                    if warm is not None and layout_path is not None:
                        warm.add(keyed[task.key], task.key, layout_path)
                    if progress is not None:
                        progress.advance(row)
        finally:
            executor.close()
            if progress is not None:
                progress.close()
        all_rows = [r for r in store.rows() if r.key in keyed]
    statuses: dict[str, int] = {}
    for r in all_rows:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    return SweepSummary(
        name=space.name,
        outdir=Path(outdir),
        db_path=Path(outdir) / "sweep.sqlite",
        total=len(keyed),
        skipped=len(finished_rows),
        solved=solved,
        errors=statuses.get("error", 0),
        statuses=dict(sorted(statuses.items())),
        hinted=hinted,
        elapsed_s=time.perf_counter() - started,
    )
