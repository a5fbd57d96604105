"""Snapping a package to a standard body (``envelope.outline: standard``).

A reduction over :func:`layoutopt.solver.solve`: the candidate bodies are tried smallest
area first (ties by name), each as a fixed outline ``(0, 0) .. (W, L)`` with its height
class as a further ceiling. The first that holds a legal layout is the answer; the
solver's package is then centred in the body and widened to it (moving every die by one
offset keeps every planar rule, and the edge clearances only grow). Each smaller body is
reported with why it fails, in the solver's numbers: infeasible (proven), or no layout
found in the time left (not proven).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from shapely.geometry import box

from layoutopt.ballmap import place_balls
from layoutopt.deadline import Deadline
from layoutopt.model import Design, Layout, Rect, StandardSize
from layoutopt.solver.result import SolveOptions, SolveResult, SolveStatus
from layoutopt.thermal.report import ThermalReport
from layoutopt.validate import check

__all__ = ["snapped_design", "solve_standard"]

Solve = Callable[..., SolveResult]  # layoutopt.solver.solve
Thermal = Callable[[Design, Layout, SolveOptions], ThermalReport]


def _mm(um: int) -> str:
    return f"{um / 1000:g}"


def size_text(size: StandardSize) -> str:
    """``lpddr4x_10x14p5 (10 x 14.5 mm, <= 1 mm)``."""
    height = "" if size.max_height_um is None else f", <= {_mm(size.max_height_um)} mm"
    return f"{size.name} ({_mm(size.width_um)} x {_mm(size.length_um)} mm{height})"


def snapped_design(design: Design, size: StandardSize) -> Design | str:
    """``design`` with its outline fixed to ``size``, or why that body cannot hold it."""
    env = design.envelope
    ceiling = env.max_thickness_um
    if size.max_height_um is not None:
        ceiling = min(ceiling, size.max_height_um)
    if env.target_height_um is not None and env.target_height_um > ceiling:
        return (
            f"its height class {_mm(ceiling)} mm is below the target height "
            f"{_mm(env.target_height_um)} mm"
        )
    if ceiling <= design.rules.base_thickness_um:
        return (
            f"its height class {_mm(ceiling)} mm leaves no room above the base layers "
            f"({design.rules.base_thickness_um} um)"
        )
    envelope = replace(
        env,
        outline=box(0, 0, size.width_um, size.length_um),
        max_thickness_um=ceiling,
        standard_sizes=(),
    )
    return replace(design, envelope=envelope)


def _widened(design: Design, layout: Layout, size: StandardSize, grid_um: int) -> Layout:
    """The layout centred in the standard body (offsets on the solver grid), its balls
    placed again on the body."""
    pkg = layout.package
    dx = (size.width_um - pkg.width_um) // 2 // grid_um * grid_um - pkg.x_um
    dy = (size.length_um - pkg.length_um) // 2 // grid_um * grid_um - pkg.y_um
    placements = tuple(replace(p, x_um=p.x_um + dx, y_um=p.y_um + dy) for p in layout.placements)
    package = Rect(0, 0, size.width_um, size.length_um)
    balls = None if layout.ball_map is None else place_balls(design, package, placements)
    return replace(layout, package=package, placements=placements, ball_map=balls)


def _why_not(result: SolveResult) -> str:
    if result.status is SolveStatus.INFEASIBLE:
        return "infeasible: " + ("; ".join(result.explanation) or "no legal layout")
    return f"{result.status.value} (not proven infeasible: no layout found in the time given)"


def solve_standard(
    design: Design, options: SolveOptions, deadline: Deadline, solve: Solve, thermal: Thermal
) -> SolveResult:
    """The smallest standard body of ``design.envelope.standard_sizes`` that holds a legal
    layout; ``explanation`` says which it chose and why each smaller one fails.

    The centred layout is validated again and, when the solve checks temperatures, its
    thermal check is redone on the body (a wider package runs cooler, but that is checked,
    not assumed)."""
    rejected: list[str] = []
    last: SolveResult | None = None
    for size in design.envelope.standard_sizes:
        candidate = snapped_design(design, size)
        if isinstance(candidate, str):
            rejected.append(f"{size_text(size)} fails: {candidate}")
            continue
        if deadline.expired():
            rejected.append(f"{size_text(size)}: not tried (time limit reached)")
            continue
        last = solve(candidate, options, deadline=deadline)
        if last.status.has_layout and last.layout is not None:
            layout = _widened(candidate, last.layout, size, options.grid_um)
            check(candidate, layout)
            report = last.thermal
            if report is not None:
                report = thermal(candidate, layout, options)
                if not report.ok:
                    why = "; ".join(report.violations())
                    rejected.append(f"{size_text(size)} fails: too hot in the body: {why}")
                    continue
            chosen = f"standard body {size_text(size)} chosen ({size.source}, {size.confidence})"
            stats = {**last.stats, "standard": size.name}
            return replace(
                last,
                layout=layout,
                thermal=report,
                design=candidate,
                explanation=(chosen, *rejected),
                stats=stats,
                time_s=deadline.elapsed_s(),
            )
        rejected.append(f"{size_text(size)} fails: {_why_not(last)}")
    status = (
        SolveStatus.INFEASIBLE
        if last is None or all("not proven" not in r and "not tried" not in r for r in rejected)
        else SolveStatus.NO_SOLUTION
    )
    return SolveResult(
        status,
        explanation=("no standard body holds a legal layout", *rejected),
        time_s=deadline.elapsed_s(),
        stats={"standard": None},
        design=design,
    )
