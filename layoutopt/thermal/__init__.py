"""Thermal models of a layout: a compact network and a 3D finite-volume model.

Both return the same :class:`~layoutopt.thermal.report.ThermalReport`. Inputs are the core
``Design`` and ``Layout`` (integer µm); everything inside is SI, converted once.

- :func:`compact_report` — series/parallel resistance network (2-10 ms): the loop's check
  with ``thermal_model="compact"`` (quick exploration).
- :func:`solve_fv3d` / :func:`fv3d_report` — steady 3D conduction on a non-uniform grid that
  follows die and package edges, on the board's real outline, under the housing and its
  air gap (the reference check of a final layout).
- :func:`simulate` / :func:`transient_reports` — heat over time: a workload's phases
  stepped implicitly (BDF2) on the same grid; temperatures against time per die, top and
  skin, and the time-based skin limits (``thermal.skin_limits``).
- :func:`thermal_check` — one entry point, ``model="compact"`` or ``"fv3d"``; with
  ``around=True`` (fv3d) the report also gives the temperatures without the heat sources
  around the package (``thermal.sources`` and the bodies of ``thermal.around``:
  :mod:`layoutopt.thermal.around`), so their effect reads off it.
- :func:`junction_sensitivity` — the linear response dT_i/dP_j (K/W) of the compact network.
- :func:`to_hotspot` / :func:`write_hotspot` — HotSpot input files; :func:`plot_top_view`,
  :func:`plot_section` in :mod:`layoutopt.thermal.plot` (imported lazily: matplotlib).

Thermal in the optimisation loop (what the solver does)
------------------------------------------------------
Temperature is not linear in the positions of the dies, so it is not a CP-SAT constraint.
:func:`layoutopt.solver.solve` checks each candidate layout with :func:`thermal_check` on
the model the limits must hold on (``SolveOptions.thermal_model``: ``"fv3d"`` by default,
or ``"compact"``; there is no compact pre-screen in front of the 3D model). A candidate
that breaks a limit has its stacking structure (who rests on whom, thinned thicknesses,
bottom-face parts) forbidden by a no-good cut, and the placement is solved again, until a
candidate passes, the round or time limit is reached, or every structure is cut. A cut
may forbid a cooler variant of a hot structure, so after a cut the solver reports
``feasible`` (or ``no_solution``) unless the answer matches the optimum without thermal
limits; see the module docstring of :mod:`layoutopt.solver.solve`.
:func:`junction_sensitivity` is not used by the solver.
"""

from __future__ import annotations

from layoutopt.model import Design, Layout
from layoutopt.thermal.compact import Sensitivity, compact_report, junction_sensitivity
from layoutopt.thermal.fv3d import GridOptions, ThermalField, build_model, fv3d_report, solve_fv3d
from layoutopt.thermal.hotspot import to_hotspot, write_hotspot
from layoutopt.thermal.report import (
    AroundEffect,
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
    "AroundEffect",
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
