"""Why nothing fits: cheap pre-checks first, then CP-SAT assumption cores, in numbers.

Each rule group of the model (:class:`~layoutopt.solver.groups.RuleGroup`: the outline,
the keep-outs, the height zones, the maximum thickness, the edge keep-outs, finger rings,
spacing, wire span, overhang, staircase, dies per stack, stack height, die-to-die reach)
has an assumption literal. When the full model is infeasible, the solver asks CP-SAT for a
set of groups that cannot hold together, shrinks it to a minimal one, names each with the
design values behind it (the ``rules:`` fields a design may override, the envelope's
limits) and measures each by solving without it ("the thinnest stack that fits is
0.64 mm"). When no conflict can be isolated, the message says what was tried.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from layoutopt.ballmap import BallRequirement, ball_requirements, pattern_sites, sites_along
from layoutopt.deadline import Deadline
from layoutopt.model import Design, Layout
from layoutopt.solver.build import BuiltModel, build_model
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.run import charge, cp_solver, found
from layoutopt.solver.solution import extract_layout
from layoutopt.stackup import describe_layers
from layoutopt.units import format_length_mm
from layoutopt.validate import validate

__all__ = ["describe_group", "explain_infeasible", "precheck"]


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
    found_ = []
    for die in design.dies:
        fits = any(
            w + 2 * edge <= room_w and length + 2 * edge <= room_l
            for w, length in (die.size_um(0), die.size_um(90))
        )
        if not fits:
            found_.append(
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
            found_.append(
                f"die {die.id} alone needs {_mm(alone)} (base {rules.base_thickness_um} µm + "
                f"joint {rules.joint_um(die, None)} µm + die {thinnest} µm + above "
                f"{rules.top_clearance_um(die)} µm) > {_mm(env.max_thickness_um)} max"
            )
    return tuple(found_ + _balls_precheck(design))


def describe_group(design: Design, group: RuleGroup) -> str:
    """The group in words with the design values behind it."""
    rules, env = design.rules, design.envelope
    x0, y0, x1, y1 = env.outline.bounds
    values: dict[RuleGroup, str] = {
        RuleGroup.OUTLINE: f"envelope.outline {_mm(int(x1 - x0))} × {_mm(int(y1 - y0))} box",
        RuleGroup.KEEPOUT: "envelope.keepouts "
        + ", ".join(
            name or f"#{k}" for k, name in enumerate(env.keepout_names or [""] * len(env.keepouts))
        ),
        RuleGroup.HEIGHT_ZONE: "envelope.height_zones "
        + ", ".join(
            f"{zone.name or f'#{k}'} ≤ {_mm(zone.max_thickness_um)}"
            for k, zone in enumerate(env.height_zones)
        ),
        RuleGroup.MAX_THICKNESS: f"envelope.max_thickness = {_mm(env.max_thickness_um)}"
        if env.target_height_um is None
        else f"envelope.height = {_mm(env.target_height_um)} (a fixed target)",
        RuleGroup.EDGE_KEEPOUT: f"rules.die_edge_keepout = {rules.die_edge_keepout_um} µm, "
        f"rules.finger_edge_keepout = {rules.finger_edge_keepout_um} µm",
        RuleGroup.FINGER_RING: f"rules.bond_finger_ring = {rules.bond_finger_ring_um} µm"
        + (
            f" + {rules.finger_row_pitch_um} µm per further finger row, "
            f"{rules.rows_per_tier} per bonding tier ({rules.finger_rows.value})"
            if rules.finger_row_pitch_um
            else ""
        )
        + f", clear of rules.underfill_fillet = {rules.underfill_fillet_um} µm",
        RuleGroup.SPACING: f"rules.die_spacing = {rules.die_spacing_um} µm"
        + "".join(f", {a.value}-{b.value} {um} µm" for (a, b), um in rules.pair_spacing_um),
        RuleGroup.WIRE_REACH: f"rules.max_wire_span = {rules.max_wire_span_um} µm",
        RuleGroup.OVERHANG: f"rules.max_overhang = {rules.max_overhang_um} µm",
        RuleGroup.STAIRCASE: f"rules.staircase_offset = {rules.staircase_offset_um} µm",
        RuleGroup.STACK_LIMIT: f"rules.max_dies_per_stack = {rules.max_dies_per_stack}",
        RuleGroup.STACK_HEIGHT: f"rules.max_stack_height = {rules.max_stack_height_um} µm",
        RuleGroup.DIE_TO_DIE: f"rules.max_die_to_die = {rules.max_die_to_die_um} µm",
        RuleGroup.BALL_MAP: "; ".join(
            f"{req.count} {req.role.value} balls at {req.pitch_um} µm pitch"
            for req in ball_requirements(design)
        ),
        RuleGroup.WIRE_DROP: f"rules.max_drop_angle_deg = {rules.max_drop_angle_deg:g}°",
        RuleGroup.WIRE_LENGTH: f"rules.max_wire_length = {rules.max_wire_length_um} µm",
        RuleGroup.WIRE_CLEARANCE: f"rules.wire_clearance = {rules.wire_clearance_um} µm, "
        f"{rules.finger_rows.value} finger rows at {rules.finger_row_pitch_um} µm",
    }
    return f"{group.words} ({values[group]})"


def _solve(model: cp_model.CpModel, deadline: Deadline) -> tuple[Any, cp_model.CpSolver]:
    solver = cp_solver(
        workers=1, seed=0, deadline=deadline, constraints=len(model.proto.constraints)
    )
    status = solver.solve(model)
    charge(deadline, solver)
    return status, solver


def explain_infeasible(design: Design, grid_um: int, deadline: Deadline) -> tuple[str, ...]:
    """Name every conflict between rule groups, each group with its numbers and measured
    by relaxing the conflicts; or say what was tried when none can be isolated in time.

    A design can be infeasible for several independent reasons (a 16-high stack breaks
    the dies-per-stack limit, the stack height and the thickness at once). So after a
    minimal conflict is found its groups are relaxed and the rest checked again, until
    the model fits; the measurements then relax every group found, so each says how far
    its own limit is from what the design needs.
    """
    budget_s = deadline.remaining_s()
    cores, stopped = _conflicts(design, grid_um, deadline.share(2 / 3), budget_s / 3)
    if not cores:
        return (stopped or _fixed_rules_conflict(design),)
    lines = []
    for k, core in enumerate(cores):
        lead = "these constraints conflict: " if k == 0 else "and, on their own, also: "
        lines.append(lead + "; ".join(describe_group(design, g) for g in core))
    if stopped:
        lines.append(stopped)
    # Each group is measured without itself and without the other conflicts (its partners
    # in its own conflict stay on: they are what it conflicts with).
    measured = [(g, core) for core in cores for g in core]
    for k, (group, own) in enumerate(measured):
        others = frozenset(g for core in cores if core is not own for g in core)
        share = deadline.share(1 / (len(measured) - k), at_most_s=budget_s / 3 / len(measured))
        detail = _measure(design, grid_um, group, others | {group}, share)
        if detail:
            lines.append(detail)
    return tuple(lines)


def _conflicts(
    design: Design, grid_um: int, deadline: Deadline, filter_s: float
) -> tuple[list[list[RuleGroup]], str | None]:
    """Minimal conflicts, each found with the earlier ones relaxed; and, when the search
    stopped before the model fitted, what was tried (``None`` when it is complete)."""
    cores: list[list[RuleGroup]] = []
    relaxed: frozenset[RuleGroup] = frozenset()
    while len(relaxed) < len(RuleGroup):
        built = build_model(design, grid_um, relax=relaxed, assume=True)
        status, solver = _solve(built.model, deadline.share(0.5))
        if found(status):
            return cores, None
        tried = ", ".join(g.value for g in RuleGroup if g not in relaxed)
        if status != cp_model.INFEASIBLE:
            return cores, (
                f"no {'further ' if cores else ''}conflict could be isolated: the check with "
                f"these rule groups as assumptions ({tried}) ended "
                f"{solver.status_name(status).lower()} within the time budget"
            )
        core = set(solver.sufficient_assumptions_for_infeasibility())
        names = [g for g in RuleGroup if g not in relaxed and built.v.groups[g].index in core]
        if not names:
            return cores, (None if not cores else _fixed_rules_conflict(design))
        names = _minimal_core(design, grid_um, names, deadline.share(0.5), filter_s)
        cores.append(names)
        relaxed |= frozenset(names)
    return cores, None


def _fixed_rules_conflict(design: Design) -> str:
    rules = design.rules
    pairs = ", ".join(f"{up.value} on {lo.value}" for up, lo in rules.stack_pairs) or "none"
    return (
        "the dies cannot be arranged even with every switchable rule group relaxed "
        f"({', '.join(g.value for g in RuleGroup)}): the conflict is in the fixed rules: "
        f"which kinds may stack (rules.stack_pairs: {pairs}), the bonds that only sit on the "
        f"substrate, and the {len(design.dies)} dies' own sizes"
    )


def _minimal_core(
    design: Design, grid_um: int, core: list[RuleGroup], deadline: Deadline, budget_s: float
) -> list[RuleGroup]:
    """Deletion filter: drop each group whose removal leaves the rest still infeasible.

    CP-SAT's core is sufficient, not minimal; a minimal one names only what really clashes.
    Groups outside ``core`` are switched off (only the core's groups are enforced)."""
    kept = list(core)
    for k, group in enumerate(core):
        if len(kept) == 1:
            break
        trial = [g for g in kept if g is not group]
        built = build_model(design, grid_um, relax=frozenset(RuleGroup) - frozenset(trial))
        share = deadline.share(1 / (len(core) - k), at_most_s=budget_s / len(core))
        status, _ = _solve(built.model, share)
        if status == cp_model.INFEASIBLE:
            kept = trial
    return kept


_AREA_GROUPS = (
    RuleGroup.OUTLINE,
    RuleGroup.KEEPOUT,
    RuleGroup.EDGE_KEEPOUT,
    RuleGroup.FINGER_RING,
    RuleGroup.SPACING,
    RuleGroup.WIRE_REACH,
    RuleGroup.OVERHANG,
    RuleGroup.STAIRCASE,
    RuleGroup.BALL_MAP,
    RuleGroup.WIRE_DROP,
    RuleGroup.WIRE_LENGTH,
    RuleGroup.WIRE_CLEARANCE,
)
# The validator's rules behind the wire groups: a layout found without one says which wire
# breaks it, by how much.
_WIRE_RULES = {
    RuleGroup.FINGER_RING: ("finger_ring", "finger_fit"),
    RuleGroup.WIRE_DROP: ("wire_drop",),
    RuleGroup.WIRE_LENGTH: ("wire_length",),
    RuleGroup.WIRE_CLEARANCE: ("wire_clearance", "wire_crossing"),
}
# Groups measured by the worst case they limit: the tallest stack, the most dies in one
# stack, the longest PHY gap.
_WORST_GROUPS = (RuleGroup.STACK_HEIGHT, RuleGroup.STACK_LIMIT, RuleGroup.DIE_TO_DIE)


def _worst(built: BuiltModel, group: RuleGroup) -> cp_model.IntVar:
    """A variable at least the quantity ``group`` limits, everywhere in the layout."""
    model, v, instance = built.model, built.v, built.instance
    worst = model.new_int_var(0, instance.z_cap_um + instance.span_um, f"explain.{group.value}")
    if group is RuleGroup.DIE_TO_DIE:
        for link in v.links.values():
            model.add(worst >= link.gap_um)
        return worst
    for d in v.dies.values():
        if group is RuleGroup.STACK_LIMIT:
            model.add(worst >= d.tier + 1)
            continue
        for root, member in d.member.items():
            height = d.top_um - v.dies[root].z_um
            model.add(worst >= height).only_enforce_if(member)
    return worst


def _measure(
    design: Design,
    grid_um: int,
    group: RuleGroup,
    relaxed: frozenset[RuleGroup],
    deadline: Deadline,
) -> str | None:
    """Solve with the ``relaxed`` groups off, minimising what ``group`` limits, and say
    by how much it binds (or that no layout was found without it)."""
    built = build_model(design, grid_um, relax=relaxed)
    v = built.v
    worst = None
    if group in (RuleGroup.MAX_THICKNESS, RuleGroup.HEIGHT_ZONE):
        built.model.minimize(v.package.thickness_um)
    elif group in _WORST_GROUPS:
        worst = _worst(built, group)
        built.model.minimize(worst)
    elif group in _AREA_GROUPS:
        built.model.minimize(v.package.area_steps)
    else:
        return None
    status, solver = _solve(built.model, deadline)
    if not found(status):
        verdict = "none fits" if status == cp_model.INFEASIBLE else "none found in the time given"
        return f"measured without {group.words} alone: {verdict}"
    proven = "" if status == cp_model.OPTIMAL else " (best found)"
    also = sorted(g.value for g in relaxed - {group})
    if also:
        proven += f" (with {', '.join(also)} also relaxed)"
    if worst is not None:
        return _worst_words(design, group, solver.value(worst), proven)
    return _layout_words(design, group, extract_layout(built, solver), proven)


def _worst_words(design: Design, group: RuleGroup, worst: int, proven: str) -> str:
    rules = design.rules
    if group is RuleGroup.STACK_HEIGHT:
        return (
            f"without the stack-height limit, the lowest tallest stack{proven} is "
            f"{worst} µm > rules.max_stack_height {rules.max_stack_height_um} µm"
        )
    if group is RuleGroup.STACK_LIMIT:
        return (
            f"without the dies-per-stack limit, the fewest dies in the largest stack{proven} "
            f"is {worst} > rules.max_dies_per_stack {rules.max_dies_per_stack}"
        )
    return (
        f"without the die-to-die limit, the nearest the memory PHY edges get to the compute "
        f"die{proven} is {worst} µm > rules.max_die_to_die {rules.max_die_to_die_um} µm"
    )


def _layout_words(design: Design, group: RuleGroup, layout: Layout, proven: str) -> str:
    env = design.envelope
    if group is RuleGroup.MAX_THICKNESS:
        return (
            f"the thinnest legal stack-up{proven} is {describe_layers(layout.stack_up)} = "
            f"{_mm(layout.thickness_um)} > {_mm(env.max_thickness_um)} "
            + ("max" if env.target_height_um is None else "target height")
        )
    size = f"{_mm(layout.package.width_um)} × {_mm(layout.package.length_um)}"
    if group is RuleGroup.OUTLINE:
        x0, y0, x1, y1 = env.outline.bounds
        return (
            f"without the outline, the smallest legal package{proven} is {size}; the outline "
            f"box is {_mm(int(x1 - x0))} × {_mm(int(y1 - y0))}"
        )
    if group is RuleGroup.BALL_MAP:
        pkg = layout.package
        texts = [_ball_text(req, pkg.width_um, pkg.length_um) for req in ball_requirements(design)]
        return (
            f"balls needed against sites available: without the ball map the smallest legal "
            f"package{proven} is {size}, which has " + "; and ".join(texts)
        )
    if group in _WIRE_RULES:
        broken = [v for v in validate(design, layout) if v.rule in _WIRE_RULES[group]]
        which = f"; there {broken[0].message}" if broken else ""
        return f"without {describe_group(design, group)} a {size} package{proven} would fit" + which
    if group is RuleGroup.HEIGHT_ZONE:
        package = layout.package.to_polygon()
        over = [
            f"{zone.name or f'#{k}'} (≤ {_mm(zone.max_thickness_um)})"
            for k, zone in enumerate(env.height_zones)
            if package.intersection(zone.region).area > 0
        ]
        where = f", over zone {', '.join(over)}" if over else ""
        return (
            f"without the height zones, the thinnest legal package{proven} is "
            f"{_mm(layout.thickness_um)} thick ({size}){where}"
        )
    return f"without {describe_group(design, group)} a {size} package{proven} would fit"
