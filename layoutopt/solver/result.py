"""Solver options and results: plain values, separate from the CP-SAT model."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from layoutopt.mechanics.warpage import WarpageReport
from layoutopt.model import Design, Layout
from layoutopt.thermal.report import ThermalReport

__all__ = ["SolveOptions", "SolveResult", "SolveStatus"]


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven best under the objective
    FEASIBLE = "feasible"  # legal, not proven best (time limit, or thermal cuts)
    INFEASIBLE = "infeasible"  # proven: no legal layout exists
    NO_SOLUTION = "no_solution"  # none found, none proven impossible (time, thermal cuts)

    @property
    def has_layout(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolveOptions:
    """How to solve.

    ``workers=1`` with a fixed ``seed`` gives byte-identical results across runs and
    processes: its ``time_limit_s`` is then a work budget (:func:`~layoutopt.solver.run.
    solve_budget`), which a loaded machine takes longer to spend but spends the same way. ``hint`` is a layout of the same dies to start from (warm start).
    ``thermal`` puts the thermal model in the loop (limits become constraints);
    ``warpage`` likewise the design's warpage limit (``layoutopt.mechanics``).
    """

    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0
    grid_um: int = 10
    hint: Layout | None = None
    # Large designs (many parts) start from the placement engine's packing as hints.
    warm_start: bool = True
    thermal: bool = True
    # The model the limits must hold on: "fv3d" (3D finite volumes, the default) or
    # "compact" (the fast resistance network, for quick exploration).
    thermal_model: str = "fv3d"
    # fv3d lateral grid step in the loop. At 400 um a die's rise is within 15 % of the
    # converged one (0.5 % stacked, up to 15 % for parts beside a hotter die); where a
    # limit is that close, the loop decides on a grid refined at the die edges (within
    # 1 %): layoutopt.thermal.loop, benchmarks/README.md.
    thermal_step_um: int = 400
    warpage: bool = True
    log: bool = False


@dataclass(frozen=True)
class SolveResult:
    """The outcome of one solve: a status, and a layout when one was found.

    ``objective`` and ``best_bound`` are in the objective's units (µm² of footprint for the
    default lexicographic objective's first stage); ``gap`` is relative (0 when optimal).
    ``explanation`` says, in the user's terms and numbers, why the status is what it is:
    which rules conflict (infeasible), what was not proven and why (feasible: the time
    limit or thermal cuts; no_solution: the time, the rounds, the cut structures).
    ``unchecked``: the limits checks that were not run on ``layout`` for want of time, each
    a sentence with the numbers and the command that runs it (:mod:`layoutopt.solver.
    checks`); a result with any is never ``optimal``.
    """

    status: SolveStatus
    layout: Layout | None = None
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    time_s: float = 0.0
    explanation: tuple[str, ...] = ()
    thermal: ThermalReport | None = None
    warpage: WarpageReport | None = None  # when the warpage limit was checked in the loop
    stats: dict[str, Any] = field(default_factory=dict)
    design: Design | None = None  # the design solved (for drawings and display)
    unchecked: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """The ``solver`` section of the layout file: everything but wall-clock times, so a
        deterministic solve writes the same bytes every time (times: :meth:`timing_data`)."""
        data = {
            "status": self.status.value,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "gap": self.gap,
            "explanation": list(self.explanation),
            "stats": {k: v for k, v in self.stats.items() if k != "timing"},
        }
        if self.unchecked:  # only then: files of fully checked layouts keep their bytes
            data["unchecked"] = list(self.unchecked)
        return data

    def timing_data(self) -> dict[str, Any]:
        """Wall-clock times of the solve (seconds): total, first layout, each stage."""
        return {"time_s": round(self.time_s, 3), **self.stats.get("timing", {})}
