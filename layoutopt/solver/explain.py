"""Why nothing fits: cheap pre-checks first, then CP-SAT assumption cores, in numbers.

Each rule group of the model (``max_thickness``, ``outline``, ``keepout``, ...) has an
assumption literal. When the full model is infeasible, the solver asks CP-SAT for a small
set of groups that cannot hold together, then measures each by relaxing it (e.g. "the
thinnest stack that fits is 0.64 mm"), so the message names the conflict and its size.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from layoutopt.ballmap import BallRequirement, ball_requirements, pattern_sites, sites_along
from layoutopt.interrupt import InterruptibleCpSolver
from layoutopt.model import Design, Layout
from layoutopt.solver.build import build_model, extract_layout
from layoutopt.stackup import describe_layers
from layoutopt.units import format_length_mm

__all__ = ["explain_infeasible", "precheck"]

_GROUP_WORDS = {
    "max_thickness": "the maximum thickness",
    "outline": "the envelope outline",
    "keepout": "the envelope keep-outs",
    "edge_keepout": "the die-to-package-edge keep-outs",
    "height_zone": "the height zones",
    "stack_height": "the stack-height limit",
    "die_to_die": "the maximum die-to-die distance",
    "ball_map": "the ball map",
}


def _mm(um: int) -> str:
    return format_length_mm(um)


def _ball_text(req: BallRequirement, width_um: int, length_um: int) -> str:
    """``req``'s need against the sites a ``width x length`` package has (no depopulation)."""
    nx = sites_along(width_um, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    ny = sites_along(length_um, req.pitch_um, req.diameter_um, req.edge_clearance_um)
    pattern = "full" if req.perimeter_rows <= 0 else f"{req.perimeter_rows} perimeter rows"
    return (
        f"{pattern_sites(nx, ny, req.perimeter_rows)} {req.role.value} ball sites "
        f"({nx} x {ny} at {req.pitch_um} µm pitch, {req.diameter_um} µm balls, {pattern}, "
        f"{req.edge_clearance_um} µm to the edge) for the {req.count} balls needed ({req.basis})"
    )


def _balls_precheck(design: Design) -> list[str]:
    """The largest package the outline's box holds must have sites for every ball."""
    x0, y0, x1, y1 = design.envelope.outline.bounds
    step = design.rules.package_grid_um
    w, length = int(x1 - x0) // step * step, int(y1 - y0) // step * step
    found = []
    for req in ball_requirements(design):
        nx = sites_along(w, req.pitch_um, req.diameter_um, req.edge_clearance_um)
        ny = sites_along(length, req.pitch_um, req.diameter_um, req.edge_clearance_um)
        if pattern_sites(nx, ny, req.perimeter_rows) < req.count:
            found.append(
                f"balls needed against sites available: the largest package the envelope "
                f"holds, {_mm(w)} × {_mm(length)}, has " + _ball_text(req, w, length)
            )
    return found


def precheck(design: Design) -> tuple[str, ...]:
    """Conflicts visible without a solve: each die alone must fit the outline and the
    thickness limit; the largest package in the outline must have sites for its balls."""
    rules, env = design.rules, design.envelope
    x0, y0, x1, y1 = env.outline.bounds
    room_w, room_l = int(x1 - x0), int(y1 - y0)
    edge = rules.die_edge_keepout_um
    found = []
    for die in design.dies:
        fits = any(
            w + 2 * edge <= room_w and length + 2 * edge <= room_l
            for w, length in (die.size_um(0), die.size_um(90))
        )
        if not fits:
            found.append(
                f"die {die.id} {_mm(die.width_um)} × {_mm(die.length_um)} plus {_mm(edge)} "
                f"edge keep-out on each side does not fit the {_mm(room_w)} × {_mm(room_l)} "
                "outline in either orientation"
            )
        thinnest = min((die.thickness_um, *die.allowed_thickness_um))
        alone = (
            rules.base_thickness_um
            + rules.joint_um(die, None)
            + thinnest
            + rules.top_clearance_um(die)
        )
        if alone > env.max_thickness_um:
            found.append(
                f"die {die.id} alone needs {_mm(alone)} (base {rules.base_thickness_um} µm + "
                f"joint {rules.joint_um(die, None)} µm + die {thinnest} µm + above "
                f"{rules.top_clearance_um(die)} µm) > {_mm(env.max_thickness_um)} max"
            )
    return tuple(found + _balls_precheck(design))


def explain_infeasible(design: Design, grid_um: int, time_limit_s: float) -> tuple[str, ...]:
    """Name a small set of rule groups that conflict, each measured by relaxing it."""
    built = build_model(design, grid_um, assume=True)
    solver = _solver(time_limit_s / 3)
    status = solver.Solve(built.model)
    if status != cp_model.INFEASIBLE:
        return ("no conflict could be isolated within the time limit",)
    core_indices = set(solver.SufficientAssumptionsForInfeasibility())
    all_groups = frozenset(built.v.groups)
    names = sorted(name for name, lit in built.v.groups.items() if lit.Index() in core_indices)
    if not names:
        return (
            "the dies cannot be arranged even without the envelope limits: check "
            "max_dies_per_stack, stacking pairs and overhang/staircase rules",
        )
    names = _minimal_core(design, grid_um, names, all_groups, time_limit_s / 3)
    lines = ["these constraints conflict: " + ", ".join(_GROUP_WORDS.get(n, n) for n in names)]
    for name in names:
        detail = _measure(design, grid_um, name, time_limit_s / (3 * len(names)))
        if detail:
            lines.append(detail)
    return tuple(lines)


def _minimal_core(
    design: Design, grid_um: int, core: list[str], all_groups: frozenset[str], time_limit_s: float
) -> list[str]:
    """Deletion filter: drop each group whose removal leaves the rest still infeasible.

    CP-SAT's core is sufficient, not minimal; a minimal one names only what really clashes."""
    kept = list(core)
    for name in list(core):
        if len(kept) == 1:
            break
        trial = [n for n in kept if n != name]
        built = build_model(design, grid_um, relax=all_groups - frozenset(trial))
        solver = _solver(time_limit_s / len(core))
        if solver.Solve(built.model) == cp_model.INFEASIBLE:
            kept = trial
    return kept


def _ball_measure(design: Design, layout: Layout, size: str, proven: str) -> str:
    pkg = layout.package
    texts = [_ball_text(req, pkg.width_um, pkg.length_um) for req in ball_requirements(design)]
    return (
        f"balls needed against sites available: without the ball map the smallest legal "
        f"package{proven} is {size}, which has " + "; and ".join(texts)
    )


def _solver(time_limit_s: float) -> cp_model.CpSolver:
    solver = InterruptibleCpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit_s)
    solver.parameters.num_workers = 1
    return solver


def _measure(design: Design, grid_um: int, group: str, time_limit_s: float) -> str | None:
    env = design.envelope
    built = build_model(design, grid_um, relax=frozenset({group}))
    v = built.v
    if group == "max_thickness":
        built.model.Minimize(v.height)
    elif group in ("outline", "keepout", "edge_keepout", "ball_map"):
        built.model.Minimize(v.area_steps)
    else:
        return None
    solver = _solver(time_limit_s)
    status = solver.Solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    layout = extract_layout(built, solver)
    proven = "" if status == cp_model.OPTIMAL else " (best found)"
    if group == "max_thickness":
        return (
            f"the thinnest legal stack-up{proven} is {describe_layers(layout.stack_up)} = "
            f"{_mm(layout.thickness_um)} > {_mm(env.max_thickness_um)} max"
        )
    x0, y0, x1, y1 = env.outline.bounds
    size = f"{_mm(layout.package.width_um)} × {_mm(layout.package.length_um)}"
    if group == "outline":
        return (
            f"without the outline, the smallest legal package{proven} is {size}; the outline "
            f"box is {_mm(int(x1 - x0))} × {_mm(int(y1 - y0))}"
        )
    if group == "ball_map":
        return _ball_measure(design, layout, size, proven)
    if group == "edge_keepout":
        return (
            f"without the die-to-edge keep-outs ({design.rules.die_edge_keepout_um} µm, fingers "
            f"{design.rules.finger_edge_keepout_um} µm) a {size} package{proven} would fit"
        )
    return f"without the envelope keep-outs a {size} package{proven} would fit"
