"""Heat over time: a workload's phases stepped implicitly on the finite-volume grid.

Method
------
The semi-discrete system is ``C dθ/dt + G θ = P(t) + g_bc θ_bc`` (``C`` the cells' heat
capacities ρ·c·V, ``G`` the conductances of :mod:`layoutopt.thermal.assemble`). It is stepped
with the variable-step BDF2 formula (second order, A-stable; the first step is backward
Euler), ``method="euler"`` gives backward Euler throughout::

    C (a0 θ[n+1] - a1 θ[n] + a2 θ[n-1]) + G θ[n+1] = P[n+1] + g_bc θ_bc
    ω = dt[n] / dt[n-1],  a0 = (1 + 2ω) / ((1 + ω) dt),  a1 = (1 + ω) / dt,
    a2 = ω² / ((1 + ω) dt)

Each phase is cut into equal steps of at most ``step_s``, so it ends on a step. A step
more than twice the one before (after a short phase) restarts with backward Euler. A matrix ``a0 C + G`` is built once per distinct ``a0`` and its solver (factors, or
the z-line multigrid preconditioner of the main step size, which serves the few odd-sized
steps too) is reused for every step of that size. Powers are those of the phase the step
ends in (a phase change is a step in power at the phase boundary).

Radiation across the housing gap is linearised about the gap's face temperatures and
relinearised whenever its coefficient has moved by more than 2 % (about 2 K) since.

Outputs: the hottest point of every die, the package top and the skin at every step; the
limits are evaluated on every step, with crossing times interpolated linearly between steps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from layoutopt.model import Design, Layout
from layoutopt.thermal.assemble import System, capacities_j_per_k
from layoutopt.thermal.fv3d import FVModel, GridOptions, build_model, solve_steady
from layoutopt.thermal.linear import LinearSolver
from layoutopt.thermal.report import LimitCheck, PhaseLimit, PhaseSpan, Series, TransientReport
from layoutopt.thermal_spec import InitialState, Phase, Workload

__all__ = ["above_spans", "simulate", "step_count", "transient_reports"]

_RELINEARISE = 0.02  # relative change of a gap's radiation coefficient that rebuilds G


@dataclass(frozen=True)
class _Step:
    phase: int
    dt_s: float
    t_end_s: float


_GROWTH = 1.5  # step ratio of a graded phase: BDF2 stays zero-stable below 1 + sqrt(2)


def _phase_steps(duration_s: float, step_s: float, first_step_s: float | None) -> list[float]:
    """One phase's steps: equal, at most ``step_s``; or, with ``first_step_s``, starting
    there and growing by :data:`_GROWTH` up to ``step_s``, all scaled to end on the end.

    >>> _phase_steps(10.0, 4.0, None)
    [3.3333333333333335, 3.3333333333333335, 3.3333333333333335]
    >>> [round(s, 3) for s in _phase_steps(10.0, 4.0, 1.0)]
    [0.825, 1.237, 1.856, 2.784, 3.299]
    """
    if first_step_s is None or first_step_s >= step_s:
        n = max(1, math.ceil(duration_s / step_s - 1e-9))
        return [duration_s / n] * n
    sizes, dt = [], first_step_s
    while sum(sizes) < duration_s - 1e-9:
        sizes.append(dt)
        dt = min(step_s, dt * _GROWTH)
    scale = duration_s / sum(sizes)
    if len(sizes) > 1 and sizes[-1] < sizes[-2]:  # a short last step: share it out
        tail = sizes.pop() + sizes.pop()
        sizes += [tail / 2, tail / 2]
    return [x * scale for x in sizes]


def _schedule(workload: Workload, step_s: float, first_step_s: float | None) -> list[_Step]:
    """Each phase's steps (:func:`_phase_steps`), ending on the phase's end."""
    steps, start = [], 0.0
    for i, phase in enumerate(workload.phases):
        t = start
        for dt in _phase_steps(phase.duration_s, step_s, first_step_s):
            t += dt
            steps.append(_Step(i, dt, t))
        steps[-1] = _Step(i, steps[-1].dt_s, start + phase.duration_s)
        start += phase.duration_s
    return steps


def step_count(workload: Workload, step_s: float, first_step_s: float | None = None) -> int:
    """How many time steps :func:`simulate` takes over ``workload`` (to estimate its cost
    before running it)."""
    return len(_schedule(workload, step_s, first_step_s))


def _phase_powers(model: FVModel, phase: Phase) -> tuple[dict[str, float], dict[str, float]]:
    die_w, source_w = model.design_powers()
    return (
        {d: phase.power_of(d, w) for d, w in die_w.items()},
        {s: phase.source_power_of(s, w) for s, w in source_w.items()},
    )


class _Stepper:
    """The matrices ``a0 C + G`` and their solvers, built once per step size."""

    def __init__(
        self, model: FVModel, capacity: np.ndarray, system: System, direct: int, rtol: float
    ) -> None:
        self.model, self.capacity, self.direct, self.rtol = model, capacity, direct, rtol
        self.base: LinearSolver | None = None
        self.set_system(system)

    def set_system(self, system: System) -> None:
        self.system = system
        self.solvers: dict[float, LinearSolver] = {}

    def solver(self, a0: float) -> LinearSolver:
        key = round(a0, 12)
        if key not in self.solvers:
            matrix = (self.system.matrix + _diag(self.capacity * a0)).tocsr()
            if self.base is None:
                self.base = LinearSolver(
                    matrix, self.system.ijk, direct_max_cells=self.direct, rtol=self.rtol
                )
                self.solvers[key] = self.base
            else:
                self.solvers[key] = self.base.with_matrix(matrix)
        return self.solvers[key]


def _diag(values: np.ndarray) -> sp.csr_matrix:
    return sp.diags(values, format="csr")


def simulate(
    design: Design,
    layout: Layout,
    workload: Workload | str,
    *,
    step_s: float = 1.0,
    first_step_s: float | None = None,
    method: str = "bdf2",
    grid: GridOptions | None = None,
    model: FVModel | None = None,
    direct_max_cells: int = 2000,
    rtol: float = 1e-10,
    tol_k: float = 1e-4,
    max_points: int = 600,
    on_step: Callable[[float, np.ndarray], None] | None = None,
) -> TransientReport:
    """Step ``workload`` (a :class:`Workload` or the name of one of the design's) in time.

    Parameters
    ----------
    step_s
        Time step (s); each phase ends on a step.
    first_step_s
        None: every step ``step_s`` (or a little less, to end each phase on a step).
        Otherwise each phase starts with steps of ``first_step_s`` growing by 1.5 up to
        ``step_s``: a power step is resolved where the temperatures move fastest, and a
        long phase takes few steps (the solver loop's workloads).
    method
        ``"bdf2"`` (second order) or ``"euler"`` (backward Euler, first order).
    grid, model
        The grid options, or a model already built for this layout (reused as is).
    rtol, tol_k
        Each step's iterative solve ends at a relative residual ``rtol`` or once its
        estimated error (the preconditioned residual) is below ``tol_k`` kelvin in every
        cell, whichever comes first.
    max_points
        At most this many points per series in the report (maxima over the steps).
    on_step
        Called with (time s, rise over ambient per active cell) after every step, and at
        the start (to watch a cell, or to animate).
    """
    t0 = time.perf_counter()
    if method not in ("bdf2", "euler"):
        raise ValueError(f"method must be 'bdf2' or 'euler', not {method!r}")
    if not (math.isfinite(step_s) and step_s > 0):
        raise ValueError(f"step_s must be positive, not {step_s}")
    if isinstance(workload, str):
        workload = design.thermal.workload(workload)
    model = model or build_model(design, layout, grid)
    capacity = capacities_j_per_k(model.system0)
    theta, system = _initial(model, workload, direct_max_cells)
    stepper = _Stepper(model, capacity, system, direct_max_cells, rtol)
    h_used = model.radiation(theta) if model.gaps else {}
    theta0 = theta.copy()
    run = _Run(model, len(theta))
    run.record(0.0, theta)
    if on_step is not None:
        on_step(0.0, theta)
    previous, dt_prev = theta, 0.0
    for step in _schedule(workload, step_s, first_step_s):
        die_w, source_w = _phase_powers(model, workload.phases[step.phase])
        power = model.sources.vector(die_w, source_w)
        s = stepper.system
        rhs = power + s.boundary_w_per_k * s.boundary_rise_k
        # BDF2 with a step more than twice the last is close to losing zero-stability
        # (ω < 1 + √2); such steps (after a short phase) restart with backward Euler.
        if method == "euler" or dt_prev == 0.0 or step.dt_s > 2.0 * dt_prev:
            a0 = 1.0 / step.dt_s
            rhs = rhs + capacity * theta / step.dt_s
        else:
            w = step.dt_s / dt_prev
            a0 = (1 + 2 * w) / ((1 + w) * step.dt_s)
            hist = ((1 + w) * theta - w * w / (1 + w) * previous) / step.dt_s
            rhs = rhs + capacity * hist
        guess = theta + (theta - previous) * (step.dt_s / dt_prev if dt_prev else 0.0)
        new = stepper.solver(a0).solve(rhs, guess, step_tol=tol_k)
        run.energy_in_j += float(power.sum()) * step.dt_s
        up, down = s.boundary_heat_w(new)
        run.energy_out_j += (up + down) * step.dt_s
        previous, theta, dt_prev = theta, new, step.dt_s
        run.record(step.t_end_s, theta)
        if on_step is not None:
            on_step(step.t_end_s, theta)
        if model.gaps:
            h_now = model.radiation(theta)
            if max(abs(h_now[k] / h_used[k] - 1.0) for k in h_used) > _RELINEARISE:
                h_used = h_now
                stepper.set_system(model.system(h_now))
    stored = float((capacity * (theta - theta0)).sum())
    return run.report(workload, step_s, stored, time.perf_counter() - t0, max_points)


def _initial(model: FVModel, workload: Workload, direct: int) -> tuple[np.ndarray, System]:
    if workload.initial is InitialState.STEADY:
        die_w, source_w = _phase_powers(model, workload.phases[0])
        theta, system, _ = solve_steady(model, die_w, source_w, direct_max_cells=direct)
        return theta, system
    theta = np.zeros(model.system0.n)
    system = model.system(model.radiation(theta)) if model.gaps else model.system0
    return theta, system


class _Run:
    """The series recorded while stepping, and the report made of them."""

    def __init__(self, model: FVModel, n: int) -> None:
        self.model = model
        self.times: list[float] = []
        self.dies: list[np.ndarray] = []
        self.top: list[float] = []
        self.skin: list[float] = []
        self.energy_in_j = 0.0
        self.energy_out_j = 0.0

    def record(self, t_s: float, theta: np.ndarray) -> None:
        m = self.model
        self.times.append(t_s)
        self.dies.append(m.dies.max_k(theta))
        self.top.append(m.top.max_k(theta))
        if m.skin is not None:
            self.skin.append(m.skin.max_k(theta))

    def report(
        self, workload: Workload, step_s: float, stored_j: float, solve_s: float, max_points: int
    ) -> TransientReport:
        m = self.model
        spec, design = m.design.thermal, m.design
        amb = spec.ambient_c
        t = np.array(self.times)
        die_c = amb + np.array(self.dies).reshape(len(t), -1)
        top_c = amb + np.array(self.top)
        skin_c = amb + np.array(self.skin) if self.skin else None
        spans = []
        start = 0.0
        for p in workload.phases:
            spans.append(PhaseSpan(p.name, start, start + p.duration_s))
            start += p.duration_s
        limits: list[LimitCheck] = []
        phase_limits: list[PhaseLimit] = []
        if skin_c is not None:
            for lim in spec.skin_limits:
                limits.append(_limit("skin", t, skin_c, lim.max_c, lim.duration_s))
                phase_limits += _phase_limits(
                    spans, _after_phases(m, workload), "skin", t, skin_c, lim.max_c
                )
        if spec.max_top_c is not None:
            limits.append(_limit("top", t, top_c, spec.max_top_c, 0.0))
        for j, die_id in enumerate(m.dies.die_ids):
            limits.append(_limit(die_id, t, die_c[:, j], design.die(die_id).max_junction_c, 0.0))
        named = [(d, die_c[:, j]) for j, d in enumerate(m.dies.die_ids)] + [("top", top_c)]
        if skin_c is not None:
            named.append(("skin", skin_c))
        times, decimated = _decimate(t, [v for _, v in named], max_points)
        return TransientReport(
            workload=workload.name,
            times_s=tuple(float(x) for x in times),
            phases=tuple(spans),
            series=tuple(
                Series(name, tuple(round(float(x), 4) for x in values))
                for (name, _), values in zip(named, decimated, strict=True)
            ),
            limits=tuple(limits),
            phase_limits=tuple(phase_limits),
            energy_in_j=self.energy_in_j,
            energy_out_j=self.energy_out_j,
            energy_stored_j=stored_j,
            step_s=step_s,
            steps=len(t) - 1,
            cells=m.grid.cells,
            solve_time_s=solve_s,
            checked=workload.checked,
        )


def above_spans(times_s: np.ndarray, values: np.ndarray, limit: float) -> list[tuple[float, float]]:
    """Stretches of time where ``values`` is above ``limit``, crossings interpolated linearly.

    >>> above_spans(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 2.0, 2.0, 0.0]), 1.0)
    [(0.5, 2.5)]
    """
    above = values > limit
    spans = []
    start = times_s[0] if above[0] else None
    for i in range(1, len(times_s)):
        if above[i] and not above[i - 1]:
            start = _cross(times_s, values, i, limit)
        elif above[i - 1] and not above[i]:
            spans.append((float(start), _cross(times_s, values, i, limit)))
            start = None
    if start is not None:
        spans.append((float(start), float(times_s[-1])))
    return spans


def _cross(t: np.ndarray, v: np.ndarray, i: int, limit: float) -> float:
    """Where the segment (i-1, i) crosses ``limit``."""
    return float(t[i - 1] + (limit - v[i - 1]) / (v[i] - v[i - 1]) * (t[i] - t[i - 1]))


def _limit(what: str, t: np.ndarray, v: np.ndarray, max_c: float, duration_s: float) -> LimitCheck:
    spans = above_spans(t, v, max_c)
    return LimitCheck(
        what,
        max_c,
        duration_s,
        spans[0][0] if spans else None,
        max((b - a for a, b in spans), default=0.0),
        float(v.max()),
    )


def _after_phases(model: FVModel, workload: Workload) -> list[str | None]:
    """Per phase, the phase before it when that one drew more power (so the heat that
    reaches the skin during this phase is mostly the earlier phase's), else None."""
    totals = [sum(sum(d.values()) for d in _phase_powers(model, p)) for p in workload.phases]
    return [None] + [
        before.name if totals[i] < totals[i - 1] else None
        for i, before in enumerate(workload.phases[:-1], start=1)
    ]


def _phase_limits(
    spans: list[PhaseSpan],
    after: list[str | None],
    what: str,
    t: np.ndarray,
    v: np.ndarray,
    max_c: float,
) -> list[PhaseLimit]:
    out = []
    for span, after_phase in zip(spans, after, strict=True):
        inside = (t >= span.start_s - 1e-9) & (t <= span.end_s + 1e-9)
        above = above_spans(t[inside], v[inside], max_c)
        first = None if not above else above[0][0] - span.start_s
        out.append(
            PhaseLimit(
                span.name,
                what,
                max_c,
                first,
                span.end_s - span.start_s,
                float(v[inside].max()),
                after_phase,
            )
        )
    return out


def _decimate(
    t: np.ndarray, series: list[np.ndarray], max_points: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """At most ``max_points`` points: the first sample, then for bins of steps each bin's
    end time and the maximum of each series over the bin (so a peak never disappears)."""
    if len(t) <= max_points:
        return t, series
    bins = np.array_split(np.arange(1, len(t)), max_points - 1)
    times = np.array([t[0]] + [t[b[-1]] for b in bins])
    out = [np.array([v[0]] + [v[b].max() for b in bins]) for v in series]
    return times, out


def transient_reports(
    design: Design, layout: Layout, **options: object
) -> tuple[TransientReport, ...]:
    """Every workload of the design, simulated on one model (``options`` go to
    :func:`simulate`; ``grid`` builds the model)."""
    grid = options.pop("grid", None)
    model = build_model(design, layout, grid)  # type: ignore[arg-type]
    return tuple(
        simulate(design, layout, w, model=model, **options)  # type: ignore[arg-type]
        for w in design.thermal.workloads
    )
