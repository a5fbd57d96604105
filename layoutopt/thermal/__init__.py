"""Thermal models of a layout: a compact network and a 3D finite-volume model.

Both return the same :class:`~layoutopt.thermal.report.ThermalReport`. Inputs are the core
``Design`` and ``Layout`` (integer µm); everything inside is SI, converted once.

- :func:`compact_report` — series/parallel resistance network (< 1 ms): the check inside
  the optimisation loop.
- :func:`solve_fv3d` / :func:`fv3d_report` — steady 3D conduction on a non-uniform grid that
  follows die and package edges, on the board's real outline, under the housing and its
  air gap (the reference check of a final layout).
- :func:`simulate` / :func:`transient_reports` — heat over time: a workload's phases
  stepped implicitly (BDF2) on the same grid; temperatures against time per die, top and
  skin, and the time-based skin limits (``thermal.skin_limits``).
- :func:`thermal_check` — one entry point, ``model="compact"`` or ``"fv3d"``.
- :func:`junction_sensitivity` — the linear response dT_i/dP_j (K/W) for the solver.
- :func:`to_hotspot` / :func:`write_hotspot` — HotSpot input files; :func:`plot_top_view`,
  :func:`plot_section` in :mod:`layoutopt.thermal.plot` (imported lazily: matplotlib).

Thermal in the optimisation loop (the method the solver uses)
-------------------------------------------------------------
Temperature is not linear in the *positions* of the dies, so it is not a CP-SAT
constraint. The solver treats it by **lazy cuts over enumerated candidates**:

1. Solve the placement without thermal limits (footprint first).
2. Check the candidate with :func:`thermal_check` (compact). If every limit holds, it is
   accepted; with ``SolveOptions.thermal_model == "fv3d"``, the accepted layout is
   confirmed with the 3D model, and a failure there is treated as in step 3.
3. If a limit is broken, add a cut that removes this candidate *and its thermal
   equivalents* and solve again (the solver keeps its model and hints):

   - the violated die's stack-up (stack membership and tier order) is forbidden, or
   - with :func:`junction_sensitivity`, a linear cut on powers of the dies sharing a stack:
     ``sum_j R[i, j] * P_j <= limit_i - ambient - offset_i``, where ``R`` depends on the
     stack-up only (which die is on which, and the footprint through the convective
     terms); the solver can precompute ``R`` per candidate stack and forbid those stack
     assignments (Boolean literals) whose cut fails, or bound the footprint from below
     since ``R`` falls as the package grows.

4. Stop when a candidate passes, or report INFEASIBLE with the thermal explanation
   (``ThermalReport.violations()``) of the best candidate.

Because the compact network is exactly linear in the powers, a cut computed for one
candidate is valid for every layout with the same stacks, package and stack-up.
"""

from __future__ import annotations

from layoutopt.model import Design, Layout
from layoutopt.thermal.compact import Sensitivity, compact_report, junction_sensitivity
from layoutopt.thermal.fv3d import GridOptions, ThermalField, build_model, fv3d_report, solve_fv3d
from layoutopt.thermal.hotspot import to_hotspot, write_hotspot
from layoutopt.thermal.report import (
    DieTemperature,
    FaceHeat,
    LimitCheck,
    PhaseLimit,
    Series,
    ThermalReport,
    TransientReport,
)
from layoutopt.thermal.transient import simulate, transient_reports

__all__ = [
    "DieTemperature",
    "FaceHeat",
    "GridOptions",
    "LimitCheck",
    "PhaseLimit",
    "Sensitivity",
    "Series",
    "ThermalField",
    "ThermalReport",
    "TransientReport",
    "build_model",
    "compact_report",
    "fv3d_report",
    "junction_sensitivity",
    "simulate",
    "solve_fv3d",
    "thermal_check",
    "to_hotspot",
    "transient_reports",
    "with_workloads",
    "write_hotspot",
]


def thermal_check(
    design: Design, layout: Layout, model: str = "compact", **options: object
) -> ThermalReport:
    """Check ``layout`` with the chosen model; ``options`` go to :func:`solve_fv3d`.

    >>> from layoutopt.thermal.samples import single_die_sample
    >>> report = thermal_check(*single_die_sample(power_w=0.1))
    >>> report.model, report.ok
    ('compact', True)
    """
    if model == "compact":
        if options:
            raise ValueError(f"the compact model takes no options, got {sorted(options)}")
        return compact_report(design, layout)
    if model == "fv3d":
        return fv3d_report(design, layout, **options)
    raise ValueError(f"model must be 'compact' or 'fv3d', not {model!r}")


def with_workloads(
    report: ThermalReport, design: Design, layout: Layout, **options: object
) -> ThermalReport:
    """``report`` with every workload of the design simulated (:func:`transient_reports`);
    its ``violations()`` then include the time-based limits."""
    from dataclasses import replace

    if not design.thermal.workloads:
        return report
    return replace(report, transients=transient_reports(design, layout, **options))
