"""The variables container: every decision variable of one model, created here, by die id.

The primer's pattern: :func:`create_variables` makes every decision variable, each named
and with bounds derived from the instance (the outline, the grid and the dies), together
with the *definitions* that give the variables their meaning (a die's extent follows its
rotation, a stack's box holds its members, the package thickness stands above every
top-side die). The rule modules (:mod:`layoutopt.solver.rules`) then only read the
container and add the constraints of docs/rules.md; a rule module creates no decision
variable, only the auxiliary literals a disjunction needs (which side of an obstacle a
box keeps to), named after their constraint. So each rule module builds and is tested
alone on a fresh container, and none depends on another having run.

Units are in the names: ``*_um`` are micrometres, ``*_steps`` grid steps (die positions
on the position grid ``grid_um``, package sizes on ``rules.package_grid_um``). Die
positions are on the grid, sizes never are, so a grid answer is legal in exact µm.

>>> from ortools.sat.python import cp_model
>>> from shapely.geometry import box
>>> from layoutopt.model import BondType, Design, Die, DieKind, Envelope, Family, ProcessRules
>>> from layoutopt.solver.instance import build_instance
>>> die = Die("C0", "ctrl", DieKind.CONTROLLER, 2000, 1000, 80, 0.1, 85.0, BondType.FLIP_CHIP)
>>> design = Design("one", (die,), ProcessRules(Family.SIP), Envelope(box(0, 0, 5000, 5000), 900))
>>> v = create_variables(cp_model.CpModel(), build_instance(design, 10))
>>> v.die("C0").x_steps.name, sorted(v.die("C0").rotation), v.package.area_steps.name
('C0.x_steps', [0, 90], 'package.area_steps')
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from layoutopt.model import BondType, Die, Edge, Family
from layoutopt.solver.boxes import Box, Expr
from layoutopt.solver.geometry import outline_obstacles
from layoutopt.solver.groups import RuleGroup
from layoutopt.solver.instance import Instance, allowed_rotations, link_weight

__all__ = [
    "DieVars",
    "LinkVars",
    "PackageVars",
    "StackVars",
    "Variables",
    "create_variables",
    "package_step_bounds",
]

IntVar = cp_model.IntVar


@dataclass(frozen=True)
class DieVars:
    """One die: where it is, how it is turned and thinned, and where it sits in a stack."""

    die: Die
    x_steps: IntVar
    y_steps: IntVar
    x_um: Expr  # grid_um * x_steps: the lower-left corner of the rotated die
    y_um: Expr
    rotation: dict[int, IntVar]  # rotation_deg -> literal, exactly one true
    width_um: Expr  # x extent after rotation
    length_um: Expr  # y extent after rotation
    thickness_um: Expr  # the delivered thickness, or the chosen thinned one
    thickness_choice: dict[int, IntVar]  # thickness_um -> literal; empty: not thinnable
    base: IntVar  # rests on the substrate (tier 0); the root of its stack
    on: dict[str, IntVar]  # lower die id -> rests directly on that die
    member: dict[str, IntVar]  # root die id -> belongs to the stack rooted there
    tier: IntVar
    z_um: IntVar  # bottom of the die above the seating plane
    bottom: IntVar | None  # on the bottom face (double-sided SiP); None: cannot be
    # Turns its stack's staircase on a film-over-wire DAF (docs/rules.md film_over_wire);
    # None: cannot (the process has no film that holds the loops, or no wire-bonded die
    # can be below it).
    film_over_wire: IntVar | None = None

    @property
    def box(self) -> Box:
        return Box(self.x_um, self.y_um, self.x_um + self.width_um, self.y_um + self.length_um)

    @property
    def top_um(self) -> Expr:
        return self.z_um + self.thickness_um


@dataclass(frozen=True)
class StackVars:
    """The stack whose tier-0 die is ``root``: its box, finger rings and keep region.

    The box may be larger than the true bounding box, a ring may be present where no pad
    needs it and hold more finger rows than its dies need: all only add room, so an answer
    stays legal."""

    root: str
    box: Box  # of IntVars: holds every member die
    # A finger ring on that side of the box; empty when no die that may join the stack
    # is wire-bonded with pads (then ``rows`` is empty too and every ``ring_um`` is 0).
    ring: dict[Edge, IntVar]
    # Finger rows the ring holds (>= 1 with a ring) and its width,
    # rules.ring_width_um(rows); with no row pitch the rows do not widen the ring.
    rows: dict[Edge, IntVar]
    ring_um: dict[Edge, Expr]
    # The box grown by its rings and, for flip-chip, the fillet: variables, or with no
    # rings the box's own variables plus the fillet (affine, as an interval needs).
    keep: Box


@dataclass(frozen=True)
class PackageVars:
    x_um: IntVar
    y_um: IntVar
    width_steps: IntVar  # in rules.package_grid_um
    length_steps: IntVar
    width_um: Expr
    length_um: Expr
    area_steps: IntVar  # width_steps * length_steps
    # An upper bound on the package thickness (the exact one at an optimum that minimises
    # it); a layout reports the exact value recomputed from its placements.
    thickness_um: IntVar

    @property
    def box(self) -> Box:
        return Box(self.x_um, self.y_um, self.x_um + self.width_um, self.y_um + self.length_um)


@dataclass(frozen=True)
class LinkVars:
    """A CMC memory die's link to the compute die (the interconnect objective's terms)."""

    gap_um: IntVar  # from the PHY edge to the compute die
    offset2_um: IntVar  # at least twice the centre offset along the PHY edge
    weight: int  # bandwidth in Gbit/s, rounded, at least 1


@dataclass(frozen=True)
class Variables:
    dies: dict[str, DieVars]  # design order
    stacks: dict[str, StackVars]  # by root die id, design order
    package: PackageVars
    links: dict[str, LinkVars]  # by memory die id (CMC with a compute die only)
    groups: dict[RuleGroup, IntVar]  # enforcement literal of each rule group

    def die(self, die_id: str) -> DieVars:
        return self.dies[die_id]


def package_step_bounds(instance: Instance) -> tuple[int, int, int, int]:
    """(min, max) package width and length in package-grid steps."""
    design = instance.design
    step = design.rules.package_grid_um
    box, _ = outline_obstacles(design.envelope.outline)
    min_die = min((min(d.width_um, d.length_um) for d in design.dies), default=0)
    lo = max(1, -(-(min_die + 2 * design.rules.die_edge_keepout_um) // step))
    hi_w = max(box.width_um, instance.slack_um) // step
    hi_l = max(box.length_um, instance.slack_um) // step
    return lo, max(lo, hi_w), lo, max(lo, hi_l)


def _die_vars(
    model: cp_model.CpModel, instance: Instance, die: Die, *, loose_tiers: bool
) -> DieVars:
    g, name = instance.grid_um, die.id
    x_steps = model.new_int_var(*instance.x_steps, f"{name}.x_steps")
    y_steps = model.new_int_var(*instance.y_steps, f"{name}.y_steps")
    rotation = {r: model.new_bool_var(f"{name}.rotation[{r}]") for r in allowed_rotations(die)}
    model.add_exactly_one(rotation.values())
    choice: dict[int, IntVar] = {}
    thickness: Expr = die.thickness_um
    if die.allowed_thickness_um:
        options = sorted({die.thickness_um, *die.allowed_thickness_um})
        choice = {t: model.new_bool_var(f"{name}.thickness[{t}]") for t in options}
        model.add_exactly_one(choice.values())
        thickness = cp_model.LinearExpr.weighted_sum(list(choice.values()), options)
    rots = sorted(rotation)
    base = model.new_bool_var(f"{name}.base")
    # The dies-per-stack limit is a rule (which an explanation may switch off): with
    # ``loose_tiers`` the tier may reach the die count, else the limit bounds the domain
    # too (the rule still holds; a tight domain is what a normal solve propagates best).
    limit = instance.design.rules.max_dies_per_stack
    last_tier = max(0, (len(instance.die_ids) if loose_tiers else limit) - 1)
    return DieVars(
        die=die,
        x_steps=x_steps,
        y_steps=y_steps,
        x_um=g * x_steps,
        y_um=g * y_steps,
        rotation=rotation,
        width_um=cp_model.LinearExpr.weighted_sum(
            [rotation[r] for r in rots], [die.size_um(r)[0] for r in rots]
        ),
        length_um=cp_model.LinearExpr.weighted_sum(
            [rotation[r] for r in rots], [die.size_um(r)[1] for r in rots]
        ),
        thickness_um=thickness,
        thickness_choice=choice,
        base=base,
        on={lo: model.new_bool_var(f"{name}.on[{lo}]") for lo in instance.lower[name]},
        member={
            root: base if root == name else model.new_bool_var(f"{name}.member[{root}]")
            for root in instance.member_roots[name]
        },
        tier=model.new_int_var(0, last_tier, f"{name}.tier"),
        z_um=model.new_int_var(0, instance.z_cap_um, f"{name}.z_um"),
        bottom=model.new_bool_var(f"{name}.bottom") if name in instance.bottom_ok else None,
        film_over_wire=(
            model.new_bool_var(f"{name}.film_over_wire") if _can_turn(instance, die) else None
        ),
    )


def _can_turn(instance: Instance, die: Die) -> bool:
    """Whether ``die`` may turn a staircase: the process's film-over-wire DAF holds the
    loops, and it and some die it may rest on are wire-bonded with pads."""
    rules = instance.design.rules
    if rules.film_over_wire_um <= 0 or rules.film_over_wire_um < rules.wire_loop_um:
        return False

    def wired(d: Die) -> bool:
        return d.bond is BondType.WIRE_BOND and bool(d.pad_edges)

    return wired(die) and any(wired(instance.die(lo)) for lo in instance.lower[die.id])


def _stack_vars(
    model: cp_model.CpModel, instance: Instance, root: str, dies: dict[str, DieVars]
) -> StackVars:
    """A stack's box, rings and keep region, with their definitions: the box holds every
    member and the keep region is the box grown by the rings present and the fillet."""
    g = instance.grid_um
    (x_lo, x_hi), (y_lo, y_hi) = instance.x_steps, instance.y_steps
    name = f"stack[{root}]"
    box = Box(
        model.new_int_var(x_lo * g, x_hi * g, f"{name}.x0_um"),
        model.new_int_var(y_lo * g, y_hi * g, f"{name}.y0_um"),
        model.new_int_var(x_lo * g, x_hi * g, f"{name}.x1_um"),
        model.new_int_var(y_lo * g, y_hi * g, f"{name}.y1_um"),
    )
    for member_id in instance.members[root]:
        member = dies[member_id]
        literal = member.member[root]
        for edge in Edge:
            model.add(box.inset(member.box, edge) >= 0).only_enforce_if(literal)
    rules = instance.design.rules
    fillet = rules.underfill_fillet_um if dies[root].die.bond is BondType.FLIP_CHIP else 0
    if not _ring_bonders(instance, root):
        # No die that could join the stack is wire-bonded with pads, so it has no rings
        # (the general form below would fix every ring literal to false): its keep region
        # is the box grown by the fillet. Twelve variables and sixteen constraints fewer
        # per stack: a third of a 5,000-die flip-chip SiP's model.
        keep = box
        if fillet:
            keep = Box(box.x0 - fillet, box.y0 - fillet, box.x1 + fillet, box.y1 + fillet)
        return StackVars(root, box, {}, {}, dict.fromkeys(Edge, 0), keep)
    ring = {edge: model.new_bool_var(f"{name}.ring[{edge.value}]") for edge in Edge}
    (kx_lo, kx_hi), (ky_lo, ky_hi) = instance.x_range_um, instance.y_range_um
    keep = Box(
        model.new_int_var(kx_lo, kx_hi, f"{name}.keep_x0_um"),
        model.new_int_var(ky_lo, ky_hi, f"{name}.keep_y0_um"),
        model.new_int_var(kx_lo, kx_hi, f"{name}.keep_x1_um"),
        model.new_int_var(ky_lo, ky_hi, f"{name}.keep_y1_um"),
    )
    rows, ring_um = _ring_rows(model, instance, root, ring)
    for edge in Edge:
        # The keep side stands outside the box side by the ring (when present) and fillet.
        model.add(keep.inset(box, edge) == ring_um[edge] + fillet)
    return StackVars(root, box, ring, rows, ring_um, keep)


def _ring_bonders(instance: Instance, root: str) -> int:
    """How many dies that may join the stack rooted at ``root`` are wire-bonded with pads
    (each may need finger rows on the ring)."""
    return sum(
        1
        for die_id in instance.members[root]
        if instance.die(die_id).bond is BondType.WIRE_BOND and instance.die(die_id).pad_edges
    )


def _ring_rows(
    model: cp_model.CpModel, instance: Instance, root: str, ring: dict[Edge, IntVar]
) -> tuple[dict[Edge, IntVar], dict[Edge, Expr]]:
    """Finger rows per ring side and the ring's width: ``bond_finger_ring_um`` for the
    first row, ``finger_row_pitch_um`` for each further one (docs/rules.md finger_ring).
    A stack no wire-bonded die can join has no rings (their bounds are what keeps the
    model small: most stacks of a SiP are a passive)."""
    rules = instance.design.rules
    most = rules.rows_per_tier * _ring_bonders(instance, root)
    rows: dict[Edge, IntVar] = {}
    width: dict[Edge, Expr] = {}
    for edge in Edge:
        n = model.new_int_var(0, most, f"stack[{root}].rows[{edge.value}]")
        model.add(n >= ring[edge])  # a ring holds at least one row
        model.add(n == 0).only_enforce_if(ring[edge].negated())
        rows[edge] = n
        pitch = rules.finger_row_pitch_um
        width[edge] = (rules.bond_finger_ring_um - pitch) * ring[edge] + pitch * n
    return rows, width


def _package_vars(model: cp_model.CpModel, instance: Instance) -> PackageVars:
    rules = instance.design.rules
    step = rules.package_grid_um
    box, _ = outline_obstacles(instance.design.envelope.outline)
    w_lo, w_hi, l_lo, l_hi = package_step_bounds(instance)
    width = model.new_int_var(w_lo, w_hi, "package.width_steps")
    length = model.new_int_var(l_lo, l_hi, "package.length_steps")
    area = model.new_int_var(w_lo * l_lo, w_hi * l_hi, "package.area_steps")
    model.add_multiplication_equality(area, [width, length])
    thickness = model.new_int_var(
        rules.base_thickness_um, instance.z_cap_um, "package.thickness_um"
    )
    return PackageVars(
        x_um=model.new_int_var(box.x_um - instance.slack_um, box.x_max_um, "package.x_um"),
        y_um=model.new_int_var(box.y_um - instance.slack_um, box.y_max_um, "package.y_um"),
        width_steps=width,
        length_steps=length,
        width_um=step * width,
        length_um=step * length,
        area_steps=area,
        thickness_um=thickness,
    )


def _package_above_dies(
    model: cp_model.CpModel, instance: Instance, package: PackageVars, dies: dict[str, DieVars]
) -> None:
    """The definition of the package thickness: it stands above every top-side die by
    the die's top clearance (docs/rules.md ``thickness``, the part that is no limit)."""
    rules = instance.design.rules
    for d in dies.values():
        top = d.top_um + rules.top_clearance_um(d.die)
        if d.bottom is None:
            model.add(package.thickness_um >= top)
        else:
            model.add(package.thickness_um >= top).only_enforce_if(d.bottom.negated())


def _link_vars(model: cp_model.CpModel, instance: Instance) -> dict[str, LinkVars]:
    design = instance.design
    if design.rules.family is not Family.CMC or instance.compute_id is None:
        return {}
    span = instance.span_um
    return {
        d.id: LinkVars(
            gap_um=model.new_int_var(0, span, f"{d.id}.phy_gap_um"),
            offset2_um=model.new_int_var(0, 2 * span, f"{d.id}.phy_offset2_um"),
            weight=link_weight(d),
        )
        for d in design.dies
        if d.id != instance.compute_id and d.phy_edges
    }


def create_variables(
    model: cp_model.CpModel, instance: Instance, *, loose_tiers: bool = False
) -> Variables:
    """Every decision variable of the model, with its domain and its definitions.

    ``loose_tiers``: tiers up to the die count, for a model whose dies-per-stack limit
    may be switched off (infeasibility explanations)."""
    dies = {
        d.id: _die_vars(model, instance, d, loose_tiers=loose_tiers) for d in instance.design.dies
    }
    stacks = {root: _stack_vars(model, instance, root, dies) for root in instance.roots}
    package = _package_vars(model, instance)
    _package_above_dies(model, instance, package, dies)
    groups = {group: model.new_bool_var(f"group[{group.value}]") for group in RuleGroup}
    return Variables(dies, stacks, package, _link_vars(model, instance), groups)
