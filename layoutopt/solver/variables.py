"""The variables container: every CP-SAT variable of one model, named and grouped.

Each rule module reads and constrains these; none creates variables of its own kind twice.
Geometry variables are in micrometres; die positions are restricted to a grid of
``grid_um`` (positions only, never sizes: so a grid answer is legal in exact micrometres).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from ortools.sat.python import cp_model

from layoutopt.model import ROTATIONS_DEG, BondType, Design, Die, DieKind, Edge

__all__ = [
    "ModelContext",
    "Variables",
    "allowed_rotations",
    "build_context",
    "create_variables",
    "z_cap_um",
]

Literal = cp_model.IntVar
LinearExpr = cp_model.LinearExprT


def allowed_rotations(die: Die) -> tuple[int, ...]:
    """Rotations that give different layouts: a die without oriented edges needs only 0/90,
    a square one only 0."""
    oriented = bool(die.pad_edges or die.phy_edges or die.power_map)
    if oriented:
        return ROTATIONS_DEG
    return (0,) if die.is_square else (0, 90)


def _can_rest_on(design: Design, upper: Die, lower: Die) -> bool:
    rules = design.rules
    if upper.bond in (BondType.FLIP_CHIP, BondType.SMT) or lower.bond is BondType.SMT:
        return False
    return rules.can_stack(upper.kind, lower.kind) and rules.max_dies_per_stack > 1


@dataclass
class ModelContext:
    """What the rule modules share: the design, the grid, and the index structure."""

    design: Design
    grid_um: int
    # lower[i]: indices of dies that die i may rest on; roots: dies that may be at tier 0
    lower: dict[int, tuple[int, ...]]
    roots: tuple[int, ...]
    # member_roots[i]: roots whose stack die i may belong to
    member_roots: dict[int, tuple[int, ...]]
    bottom_ok: tuple[int, ...]  # dies that may go on the bottom face (double-sided SiP)
    # Room beyond the outline box that variables may reach when the outline is relaxed
    # (for infeasibility explanations): every die side by side with all its margins.
    slack_um: int = 0

    @property
    def n(self) -> int:
        return len(self.design.dies)


@dataclass
class Variables:
    """All decision variables. ``x``, ``y`` are expressions ``grid_um * X``."""

    X: list[cp_model.IntVar] = field(default_factory=list)
    Y: list[cp_model.IntVar] = field(default_factory=list)
    x: list[LinearExpr] = field(default_factory=list)
    y: list[LinearExpr] = field(default_factory=list)
    rot: list[dict[int, Literal]] = field(default_factory=list)
    w: list[LinearExpr] = field(default_factory=list)
    l: list[LinearExpr] = field(default_factory=list)  # noqa: E741 - the die's y extent
    th: list[LinearExpr] = field(default_factory=list)  # die thickness (may be chosen)
    th_choice: list[dict[int, Literal]] = field(default_factory=list)
    base: list[Literal] = field(default_factory=list)  # die at tier 0
    on: dict[tuple[int, int], Literal] = field(default_factory=dict)  # (upper, lower)
    member: dict[tuple[int, int], Literal] = field(default_factory=dict)  # (die, root)
    tier: list[cp_model.IntVar] = field(default_factory=list)
    z: list[cp_model.IntVar] = field(default_factory=list)  # z_bottom_um
    bottom: dict[int, Literal] = field(default_factory=dict)  # die on the bottom face
    # stack bounding boxes and keep regions, per root
    sx0: dict[int, cp_model.IntVar] = field(default_factory=dict)
    sy0: dict[int, cp_model.IntVar] = field(default_factory=dict)
    sx1: dict[int, cp_model.IntVar] = field(default_factory=dict)
    sy1: dict[int, cp_model.IntVar] = field(default_factory=dict)
    ring: dict[tuple[int, Edge], Literal] = field(default_factory=dict)  # (root, side)
    kx0: dict[int, LinearExpr] = field(default_factory=dict)
    ky0: dict[int, LinearExpr] = field(default_factory=dict)
    kx1: dict[int, LinearExpr] = field(default_factory=dict)
    ky1: dict[int, LinearExpr] = field(default_factory=dict)
    # package
    px: cp_model.IntVar | None = None
    py: cp_model.IntVar | None = None
    pw_steps: cp_model.IntVar | None = None
    pl_steps: cp_model.IntVar | None = None
    pw: LinearExpr = 0
    pl: LinearExpr = 0
    area_steps: cp_model.IntVar | None = None  # pw_steps * pl_steps
    height: cp_model.IntVar | None = None  # package thickness_um
    interconnect: LinearExpr = 0  # CMC: bandwidth-weighted length, um * weight
    # assumption literals, one per rule group, for infeasibility explanations
    groups: dict[str, Literal] = field(default_factory=dict)

    def group(self, model: cp_model.CpModel, name: str) -> Literal:
        """The enforcement literal of rule group ``name`` (created on first use)."""
        if name not in self.groups:
            self.groups[name] = model.NewBoolVar(f"group[{name}]")
        return self.groups[name]


def _reachable_roots(lower: dict[int, tuple[int, ...]], roots: set[int], i: int) -> tuple[int, ...]:
    seen: set[int] = set()
    frontier = [i]
    while frontier:
        k = frontier.pop()
        if k in seen:
            continue
        seen.add(k)
        frontier.extend(lower[k])
    return tuple(sorted(seen & roots))


def build_context(design: Design, grid_um: int) -> ModelContext:
    dies = design.dies
    n = len(dies)
    lower = {
        i: tuple(j for j in range(n) if j != i and _can_rest_on(design, dies[i], dies[j]))
        for i in range(n)
    }
    roots = tuple(i for i in range(n) if dies[i].bond is not BondType.MICRO_BUMP)
    member_roots = {i: _reachable_roots(lower, set(roots), i) for i in range(n)}
    rules = design.rules
    bottom_ok = tuple(
        i
        for i, d in enumerate(dies)
        if rules.double_sided
        and d.kind in (DieKind.PASSIVE, DieKind.PMIC)
        and rules.joint_um(d, None) + d.thickness_um
        <= min(rules.bottom_side_max_height_um, rules.ball_height_um)
    )
    margin = 2 * (rules.die_edge_keepout_um + rules.bond_finger_ring_um + rules.underfill_fillet_um)
    slack_um = sum(max(d.width_um, d.length_um) + margin + rules.die_spacing_um for d in dies)
    slack_um += (
        max((s for _, s in rules.pair_spacing_um), default=0) * n + 2 * rules.finger_edge_keepout_um
    )
    return ModelContext(design, grid_um, lower, roots, member_roots, bottom_ok, slack_um)


def z_cap_um(ctx: ModelContext) -> int:
    """A safe upper bound on any z in the model (every die stacked on every other)."""
    rules = ctx.design.rules
    total = rules.base_thickness_um
    for die in ctx.design.dies:
        thickest = max((die.thickness_um, *die.allowed_thickness_um))
        total += thickest + max(rules.joint_um(die, None), rules.pop_gap_um, rules.die_attach_um)
    return total + rules.wire_loop_um + rules.mold_clearance_um + rules.mold_cap_um


def create_variables(model: cp_model.CpModel, ctx: ModelContext) -> Variables:
    """Create every variable with its domain, and the definitions that tie them together
    (size from rotation, thickness from choice). Rules are added by the rule modules."""
    design, g = ctx.design, ctx.grid_um
    bounds = design.envelope.outline.bounds
    reach = ctx.slack_um // g + 1
    x_lo, y_lo = int(bounds[0]) // g - reach, int(bounds[1]) // g - reach
    x_hi, y_hi = int(bounds[2]) // g + reach, int(bounds[3]) // g + reach
    v = Variables()
    z_max = z_cap_um(ctx)
    for i, die in enumerate(design.dies):
        v.X.append(model.NewIntVar(x_lo, x_hi, f"X[{die.id}]"))
        v.Y.append(model.NewIntVar(y_lo, y_hi, f"Y[{die.id}]"))
        v.x.append(g * v.X[i])
        v.y.append(g * v.Y[i])
        rots = {r: model.NewBoolVar(f"rot[{die.id},{r}]") for r in allowed_rotations(die)}
        model.AddExactlyOne(rots.values())
        v.rot.append(rots)
        v.w.append(sum(die.size_um(r)[0] * lit for r, lit in rots.items()))
        v.l.append(sum(die.size_um(r)[1] * lit for r, lit in rots.items()))
        if die.allowed_thickness_um:
            choice = {
                t: model.NewBoolVar(f"th[{die.id},{t}]")
                for t in sorted({die.thickness_um, *die.allowed_thickness_um})
            }
            model.AddExactlyOne(choice.values())
            v.th_choice.append(choice)
            v.th.append(sum(t * lit for t, lit in choice.items()))
        else:
            v.th_choice.append({})
            v.th.append(die.thickness_um)
        v.tier.append(
            model.NewIntVar(0, max(0, design.rules.max_dies_per_stack - 1), f"tier[{die.id}]")
        )
        v.z.append(model.NewIntVar(0, z_max, f"z[{die.id}]"))
        v.base.append(model.NewBoolVar(f"base[{die.id}]"))
        for j in ctx.lower[i]:
            v.on[i, j] = model.NewBoolVar(f"on[{die.id},{design.dies[j].id}]")
        for b in ctx.member_roots[i]:
            v.member[i, b] = (
                v.base[b] if i == b else model.NewBoolVar(f"member[{die.id},{design.dies[b].id}]")
            )
    for i in ctx.bottom_ok:
        v.bottom[i] = model.NewBoolVar(f"bottom[{design.dies[i].id}]")
    for b in ctx.roots:
        name = design.dies[b].id
        v.sx0[b] = model.NewIntVar(x_lo * g, x_hi * g, f"sx0[{name}]")
        v.sy0[b] = model.NewIntVar(y_lo * g, y_hi * g, f"sy0[{name}]")
        v.sx1[b] = model.NewIntVar(x_lo * g, x_hi * g, f"sx1[{name}]")
        v.sy1[b] = model.NewIntVar(y_lo * g, y_hi * g, f"sy1[{name}]")
        for side in Edge:
            v.ring[b, side] = model.NewBoolVar(f"ring[{name},{side.value}]")
    return v


def pairs(indices: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in product(indices, indices) if a < b]
