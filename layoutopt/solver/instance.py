"""The design as the model sees it: the grid, who may rest on whom, coordinate bounds.

Plain data computed once from a :class:`~layoutopt.model.Design`, before any CP-SAT
object exists (the primer's *instance*). Every mapping is keyed by die id and lists dies
in design order, so the model built from it does not depend on hashing.

>>> from shapely.geometry import box
>>> from layoutopt.model import BondType, Design, Die, DieKind, Envelope, Family, ProcessRules
>>> d0 = Die("D0", "dram", DieKind.DRAM, 3000, 3000, 40, 0.1, 85.0, BondType.WIRE_BOND)
>>> d1 = Die("D1", "dram", DieKind.DRAM, 3000, 3000, 40, 0.1, 85.0, BondType.WIRE_BOND)
>>> rules = ProcessRules(Family.EPOP, max_dies_per_stack=2,
...                      stack_pairs=((DieKind.DRAM, DieKind.DRAM),))
>>> design = Design("two", (d0, d1), rules, Envelope(box(0, 0, 9000, 9000), 900))
>>> instance = build_instance(design, grid_um=10)
>>> instance.lower["D1"], instance.member_roots["D1"], instance.members["D0"]
(('D0',), ('D0', 'D1'), ('D0', 'D1'))

Building it takes time linear in the dies plus the pairs that may rest on each other (a
design of 5,000 flip-chip dies, none of which can rest on another, has no pairs at all).
"""

from __future__ import annotations

from dataclasses import dataclass

from layoutopt.model import ROTATIONS_DEG, BondType, Design, Die, DieKind, Family

__all__ = [
    "Instance",
    "allowed_rotations",
    "build_instance",
    "compute_die_id",
    "identity_classes",
    "link_weight",
]


def allowed_rotations(die: Die) -> tuple[int, ...]:
    """Rotations that give different layouts: a die without oriented edges needs only 0/90,
    a square one only 0."""
    oriented = bool(die.pad_edges or die.phy_edges or die.power_map)
    if oriented:
        return ROTATIONS_DEG
    return (0,) if die.is_square else (0, 90)


def compute_die_id(design: Design) -> str | None:
    """The compute die of a CMC: the most powerful logic die (first on ties)."""
    best: Die | None = None
    for die in design.dies:
        if die.kind is DieKind.LOGIC and (best is None or die.power_w > best.power_w):
            best = die
    return None if best is None else best.id


def link_weight(die: Die) -> int:
    """A memory die's weight in the interconnect objective: its bandwidth in Gbit/s,
    rounded to a whole number, at least 1."""
    return max(1, round(die.bandwidth_gbps))


def _identity(die: Die) -> tuple[object, ...]:
    # Everything but the id: who may rest on whom follows from these and the rules.
    return (
        die.part,
        die.kind,
        die.width_um,
        die.length_um,
        die.thickness_um,
        die.power_w,
        die.max_junction_c,
        die.bond,
        tuple(sorted(die.pad_edges)),
        tuple(sorted(die.phy_edges)),
        die.bandwidth_gbps,
        die.allowed_thickness_um,
        die.power_map,
        die.material,
        die.capacity_gbit,
        die.interfaces,
        die.pad_count,  # pads and their pitch set the die's fingers and wires
        die.pad_pitch_um,
    )


def identity_classes(design: Design) -> tuple[tuple[str, ...], ...]:
    """Ids of interchangeable dies (same part and everything else but the id), each class
    in design order, classes in the order of their first die."""
    classes: dict[tuple[object, ...], list[str]] = {}
    for die in design.dies:
        classes.setdefault(_identity(die), []).append(die.id)
    return tuple(tuple(ids) for ids in classes.values())


def _can_rest_on(design: Design, upper: Die, lower: Die) -> bool:
    rules = design.rules
    if upper.bond in (BondType.FLIP_CHIP, BondType.SMT) or lower.bond is BondType.SMT:
        return False
    return rules.can_stack(upper.kind, lower.kind) and rules.max_dies_per_stack > 1


def _may_be_root(design: Design, die: Die) -> bool:
    """Micro-bumped dies only sit on dies; a PoP's wire-bonded dies belong to its top
    package (their wires land on the top substrate, docs/rules.md ``pop_package``)."""
    if die.bond is BondType.MICRO_BUMP:
        return False
    return not (design.family is Family.POP and die.bond is BondType.WIRE_BOND)


@dataclass(frozen=True)
class Instance:
    """What every part of the model shares. Lengths in µm; ``*_steps`` in grid steps."""

    design: Design
    grid_um: int
    die_ids: tuple[str, ...]  # design order
    position: dict[str, int]  # die id -> index in the design (symmetry keys, hints)
    lower: dict[str, tuple[str, ...]]  # the dies each die may rest on
    roots: tuple[str, ...]  # dies that may be at tier 0 (the roots of stacks)
    member_roots: dict[str, tuple[str, ...]]  # the roots whose stack a die may join
    members: dict[str, tuple[str, ...]]  # root -> the dies that may join its stack
    bottom_ok: tuple[str, ...]  # dies that may go on the bottom face (double-sided SiP)
    # Room beyond the outline box that coordinates may reach when the outline is relaxed
    # (for infeasibility explanations): every die side by side with all its margins.
    slack_um: int
    x_steps: tuple[int, int]  # range of a die's x in grid steps
    y_steps: tuple[int, int]
    halo_um: int  # the widest finger ring plus fillet around a stack box
    z_cap_um: int  # no z in the model exceeds this
    compute_id: str | None  # the CMC compute die

    def die(self, die_id: str) -> Die:
        return self.design.dies[self.position[die_id]]

    @property
    def x_range_um(self) -> tuple[int, int]:
        """Range of any x coordinate in the model (die, stack box or keep region)."""
        g, (lo, hi) = self.grid_um, self.x_steps
        return lo * g - self.halo_um, hi * g + self.halo_um

    @property
    def y_range_um(self) -> tuple[int, int]:
        g, (lo, hi) = self.grid_um, self.y_steps
        return lo * g - self.halo_um, hi * g + self.halo_um

    @property
    def span_um(self) -> int:
        """An upper bound on any distance between two coordinates of the model."""
        (x0, x1), (y0, y1) = self.x_range_um, self.y_range_um
        return max(x1 - x0, y1 - y0)


def _lower(design: Design) -> dict[str, tuple[str, ...]]:
    """The dies each die may rest on, in design order. Whether one die may rest on another
    depends only on their bonds and kinds, so it is decided once per pair of those."""
    dies = design.dies
    decided: dict[tuple[object, ...], bool] = {}

    def may(up: Die, lo: Die) -> bool:
        key = (up.bond, up.kind, lo.bond, lo.kind)
        if key not in decided:
            decided[key] = _can_rest_on(design, up, lo)
        return decided[key]

    lower: dict[str, tuple[str, ...]] = {}
    for up in dies:
        if up.bond in (BondType.FLIP_CHIP, BondType.SMT) or design.rules.max_dies_per_stack < 2:
            lower[up.id] = ()  # rests on nothing (the common case of a large design)
            continue
        lower[up.id] = tuple(lo.id for lo in dies if lo.id != up.id and may(up, lo))
    return lower


def _reachable_roots(
    lower: dict[str, tuple[str, ...]],
    roots: frozenset[str],
    position: dict[str, int],
    die_id: str,
) -> tuple[str, ...]:
    seen: set[str] = set()
    frontier = [die_id]
    while frontier:
        k = frontier.pop()
        if k in seen:
            continue
        seen.add(k)
        frontier.extend(lower[k])
    return tuple(sorted((r for r in seen if r in roots), key=position.__getitem__))


def _members(
    ids: tuple[str, ...], roots: tuple[str, ...], member_roots: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Root -> the dies that may join its stack, in design order (the inverse of
    ``member_roots``, in one pass)."""
    members: dict[str, list[str]] = {root: [] for root in roots}
    for die_id in ids:
        for root in member_roots[die_id]:
            members[root].append(die_id)
    return {root: tuple(m) for root, m in members.items()}


def _slack_um(design: Design) -> int:
    rules = design.rules
    wired = sum(1 for d in design.dies if d.bond is BondType.WIRE_BOND)
    ring = rules.ring_width_um(rules.rows_per_tier * max(1, wired))  # the widest a ring gets
    margin = 2 * (rules.die_edge_keepout_um + ring + rules.underfill_fillet_um)
    slack = sum(max(d.width_um, d.length_um) + margin + rules.die_spacing_um for d in design.dies)
    widest_pair = max((s for _, s in rules.pair_spacing_um), default=0)
    return slack + widest_pair * len(design.dies) + 2 * rules.finger_edge_keepout_um


def _z_cap_um(design: Design) -> int:
    """A safe upper bound on any z in the model (every die stacked on every other)."""
    rules = design.rules
    total = rules.base_thickness_um
    for die in design.dies:
        thickest = max((die.thickness_um, *die.allowed_thickness_um))
        joints = (rules.joint_um(die, None), rules.pop_gap_um + rules.attach_um(die.bond))
        total += thickest + max(*joints, rules.die_attach_um, rules.film_over_wire_um)
    return total + rules.wire_loop_um + rules.mold_clearance_um + rules.mold_cap_um


def _bottom_ok(design: Design) -> tuple[str, ...]:
    rules = design.rules
    if not rules.double_sided:
        return ()
    room = min(rules.bottom_side_max_height_um, rules.ball_height_um)
    return tuple(
        d.id
        for d in design.dies
        if d.kind in (DieKind.PASSIVE, DieKind.PMIC)
        and rules.joint_um(d, None) + d.thickness_um <= room
    )


def build_instance(design: Design, grid_um: int) -> Instance:
    """The instance of ``design`` on a position grid of ``grid_um``."""
    dies = design.dies
    ids = tuple(d.id for d in dies)
    position = {die_id: k for k, die_id in enumerate(ids)}
    lower = _lower(design)
    roots = tuple(d.id for d in dies if _may_be_root(design, d))
    root_set = frozenset(roots)
    member_roots = {i: _reachable_roots(lower, root_set, position, i) for i in ids}
    slack = _slack_um(design)
    g = grid_um
    x0, y0, x1, y1 = design.envelope.outline.bounds
    reach = slack // g + 1
    rules = design.rules
    return Instance(
        design=design,
        grid_um=g,
        die_ids=ids,
        position=position,
        lower=lower,
        roots=roots,
        member_roots=member_roots,
        members=_members(ids, roots, member_roots),
        bottom_ok=_bottom_ok(design),
        slack_um=slack,
        x_steps=(int(x0) // g - reach, int(x1) // g + reach),
        y_steps=(int(y0) // g - reach, int(y1) // g + reach),
        halo_um=rules.bond_finger_ring_um + rules.underfill_fillet_um,
        z_cap_um=_z_cap_um(design),
        compute_id=compute_die_id(design),
    )
