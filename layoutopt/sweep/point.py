"""One point of a sweep: its key, what a worker gets, what it sends back, and the pure
function that turns one into the other (run in local workers, on Dask, or inline).

Each point is keyed by a content hash of its resolved design-file dict and the solve
options, so a rerun finds what is already finished and solves only the rest.

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

import hashlib
import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from layoutopt.assess import assess, metrics
from layoutopt.errors import LayoutOptError
from layoutopt.layout_io import LayoutRecord, to_json
from layoutopt.serialize import to_data
from layoutopt.solver.result import SolveOptions

__all__ = ["PointOutcome", "PointTask", "SolveFn", "point_key", "solve_point"]

SolveFn = Callable[[Any, SolveOptions], Any]

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
    metrics: dict[str, float] = field(default_factory=dict)  # layoutopt.assess.metrics


def solve_point(task: PointTask) -> PointOutcome:
    """Solve one point; never raises (a failure is an ``"error"`` outcome)."""
    start = time.perf_counter()
    try:
        design = task.design
        result = task.solve_fn(design, task.options)
        layout, thermal = result.layout, result.thermal
        layout_text = None
        found: dict[str, float] = {}
        if layout is not None:
            checks = assess(design, layout, warpage=result.warpage)
            found = metrics(checks)
            record = LayoutRecord(
                design=design,
                layout=layout,
                thermal=thermal,
                solver=result.to_data(),
                warpage=checks.warpage,
                cost=checks.cost,
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
            metrics=found,
        )
    except Exception as err:  # a failing point is a result of the sweep, not its end
        if isinstance(err, LayoutOptError):
            text = str(err)
        else:
            text = "".join(traceback.format_exception_only(err)).strip()
        return PointOutcome(
            key=task.key, status="error", error=text, wall_s=time.perf_counter() - start
        )
