"""Bond fingers and wires: where each wire-bonded pad lands, and the wire between them.

The construction is the one ``docs/rules.md`` specifies (``finger_ring``, ``finger_fit``,
``wire_*``); the validator checks its result, the drawings draw it. It is a pure function
of the design and the placements.

Fingers
    On each side of a top-side stack, the wire-bonded dies with a pad edge facing that side
    bond to the substrate in tier order: the lowest takes the innermost finger row(s), each
    die above the next ones out, so no wire lands inside a lower tier's fingers. A tier
    takes one row (``inline``) or two offset rows (``staggered``, pads alternating between
    them). Row ``j`` lies ``bond_finger_ring_um - finger_row_pitch_um // 2 + j *
    finger_row_pitch_um`` outside the stack's box (the first row sits in the ring the
    process always reserves; each further row widens it, :meth:`ProcessRules.ring_width_um`).
    A finger sits straight out from its pad when the tier's rows can hold the pads' pitch
    (``rows x pad_pitch >= finger_pitch``); otherwise the tier's fingers fan out at
    ``finger_pitch / rows`` about the centre of its pads.

Wires
    Seen along the edge (a radial coordinate ``r``, outward from the stack's box edge), a
    wire rises ``wire_loop_um`` above its pad, runs level, and descends in a straight line
    onto its finger at ``max_drop_angle_deg`` (a bonder's standard forward loop; domain_data
    §2.5 low loops 40-80 µm). When the finger is too near for that angle the descent starts
    at the pad and is steeper: ``wire_drop`` reports it. In plan the wire is the straight
    line from pad to finger, so a fanned wire's level run and descent are longer by its plan
    slope. Fingers lie at the substrate top (``base_thickness_um``), or, in a PoP, on the
    top package's substrate (``pop_gap_um`` above the bottom-package die it spans).

Examples
--------
>>> from layoutopt.model import (BondType, Design, Die, DieKind, Envelope, Family,
...     Layout, Placement, ProcessRules, Rect)
>>> from shapely.geometry import box
>>> die = Die("D0", "d", DieKind.DRAM, 2000, 3000, 40, 0.0, 85.0, BondType.WIRE_BOND,
...           pad_edges=frozenset({Edge.WEST}), pad_count=3, pad_pitch_um=100)
>>> rules = ProcessRules(Family.EPOP, bond_finger_ring_um=250, finger_row_pitch_um=100,
...                      finger_pitch_um=80, wire_loop_um=60, max_drop_angle_deg=45,
...                      die_attach_um=10, substrate_thickness_um=100, ball_height_um=130)
>>> design = Design("d", (die,), rules, Envelope(box(0, 0, 9000, 9000), 1000))
>>> p = Placement("D0", 1000, 1000, 2000, 3000, 0, 240, 40, stack=0, tier=0)
>>> [edge] = bond_plan(design, (p,))
>>> edge.side.value, edge.rows, [(f.x_um, f.y_um) for f in edge.fingers]
('west', 1, [(800, 2400), (800, 2500), (800, 2600)])
>>> w = edge.wires[0]
>>> w.pad_um, round(w.drop_angle_deg, 1), round(w.length_um)
((1000, 2400, 280), 45.0, 306)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from layoutopt.model import BondType, Design, Die, Edge, Family, Placement, Rect, Side, rotate_edge

__all__ = [
    "EdgeBonds",
    "Finger",
    "Wire",
    "WireSummary",
    "bond_plan",
    "bonding_dies",
    "lateral_um",
    "radial_um",
    "ring_rows",
    "wire_summary",
]

_SIDES: tuple[Edge, ...] = (Edge.WEST, Edge.SOUTH, Edge.EAST, Edge.NORTH)


@dataclass(frozen=True)
class Finger:
    """One bond finger: its bond point on the substrate (µm)."""

    die_id: str
    side: Edge
    row: int  # 0 is the row nearest the stack
    x_um: int
    y_um: int
    z_um: int


@dataclass(frozen=True)
class Wire:
    """One wire from a die pad to its finger, with its shape and measures.

    ``run_um`` is the radial distance (along the edge normal) from the pad to where the
    descent starts; ``loop_top_um`` the height of the level run; ``length_um`` the 3D length
    (rise, level run and descent) and ``drop_angle_deg`` the descent's angle to the
    horizontal.
    """

    die_id: str
    side: Edge
    tier: int
    row: int
    pad_um: tuple[int, int, int]
    finger_um: tuple[int, int, int]
    loop_top_um: int
    run_um: float
    length_um: float
    drop_angle_deg: float

    @property
    def loop_height_um(self) -> int:
        """Loop height above the pad."""
        return self.loop_top_um - self.pad_um[2]


@dataclass(frozen=True)
class EdgeBonds:
    """The fingers and wires on one side of one stack."""

    stack: int
    side: Edge
    rows: int
    box: Rect  # the stack's bounding box
    dies: tuple[str, ...]  # the bonding dies, lowest tier first
    fingers: tuple[Finger, ...]
    wires: tuple[Wire, ...]


def radial_um(box: Rect, side: Edge, x: float, y: float) -> float:
    """Distance of point (x, y) outward from ``side`` of ``box`` (negative: inside)."""
    return {
        Edge.WEST: box.x_um - x,
        Edge.EAST: x - box.x_max_um,
        Edge.SOUTH: box.y_um - y,
        Edge.NORTH: y - box.y_max_um,
    }[side]


def lateral_um(side: Edge, x: float, y: float) -> float:
    """The coordinate along ``side`` (y for west/east, x for south/north)."""
    return y if side in (Edge.WEST, Edge.EAST) else x


def _point(box: Rect, side: Edge, r: int, u: int) -> tuple[int, int]:
    """The point ``r`` outside ``side`` of ``box`` at lateral coordinate ``u``."""
    if side is Edge.WEST:
        return box.x_um - r, u
    if side is Edge.EAST:
        return box.x_max_um + r, u
    if side is Edge.SOUTH:
        return u, box.y_um - r
    return u, box.y_max_um + r


def _facing(die: Die, rotation_deg: int, side: Edge) -> Edge | None:
    """The die's own (rotation-0) pad edge that faces ``side`` after rotation, if any."""
    for edge in _SIDES:
        if edge in die.pad_edges and rotate_edge(edge, rotation_deg) is side:
            return edge
    return None


def bonding_dies(design: Design, members: Iterable[Placement]) -> dict[Edge, tuple[Placement, ...]]:
    """For each side, the stack's wire-bonded dies with a pad edge facing it, lowest tier
    first (sides without any are left out)."""
    dies = design.dies_by_id
    out: dict[Edge, tuple[Placement, ...]] = {}
    ordered = sorted(members, key=lambda p: (p.tier, p.die_id))
    for side in _SIDES:
        found = tuple(
            p
            for p in ordered
            if p.die_id in dies
            and dies[p.die_id].bond is BondType.WIRE_BOND
            and p.rotation_deg in (0, 90, 180, 270)
            and _facing(dies[p.die_id], p.rotation_deg, side) is not None
        )
        if found:
            out[side] = found
    return out


def ring_rows(design: Design, members: Iterable[Placement]) -> dict[Edge, int]:
    """Finger rows on each side of a stack: ``rows_per_tier`` per bonding die."""
    q = design.rules.rows_per_tier
    return {side: q * len(ps) for side, ps in bonding_dies(design, members).items()}


def _bounding_box(rects: list[Rect]) -> Rect:
    x0 = min(r.x_um for r in rects)
    y0 = min(r.y_um for r in rects)
    x1 = max(r.x_max_um for r in rects)
    y1 = max(r.y_max_um for r in rects)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _finger_level(design: Design, members: tuple[Placement, ...]) -> int:
    """The fingers' height: the substrate top, or in a PoP stack on a bottom-package
    flip-chip die the top of the top package's substrate (``rules.pop_gap_um`` above it)."""
    rules = design.rules
    dies = design.dies_by_id
    root = members[0]
    if rules.family is Family.POP and dies[root.die_id].bond is BondType.FLIP_CHIP:
        return root.z_top_um + rules.pop_gap_um
    return rules.base_thickness_um


def _laterals(
    die: Die, edge: Edge, p: Placement, side: Edge, q: int, finger_pitch: int
) -> tuple[list[int], list[int]]:
    """Lateral coordinates of the pads on ``edge`` and of their fingers."""
    n = die.pads_on(edge)
    lo = p.y_um if side in (Edge.WEST, Edge.EAST) else p.x_um
    hi = lo + (p.length_um if side in (Edge.WEST, Edge.EAST) else p.width_um)
    mid = (lo + hi) // 2
    pp = die.pad_pitch_um
    pads = [mid - ((n - 1) * pp) // 2 + i * pp for i in range(n)]
    if finger_pitch <= 0 or q * pp >= finger_pitch:
        return pads, pads
    spacing = -(-finger_pitch // q)  # the tier's fingers, alternating over its rows
    centre = (pads[0] + pads[-1]) // 2
    return pads, [centre - ((n - 1) * spacing) // 2 + i * spacing for i in range(n)]


def _wire(
    design: Design,
    p: Placement,
    side: Edge,
    row: int,
    box: Rect,
    pad: tuple[int, int],
    finger: tuple[int, int],
    z_f: int,
) -> Wire:
    rules = design.rules
    r_p = radial_um(box, side, *pad)
    rho = radial_um(box, side, *finger)
    z_p = p.z_top_um
    top = z_p + rules.wire_loop_um
    drop = top - z_f
    span = rho - r_p
    if rules.max_drop_angle_deg > 0:
        descent = drop / math.tan(math.radians(rules.max_drop_angle_deg))
    else:
        descent = span
    run = max(0.0, span - descent)
    slope = math.hypot(span, lateral_um(side, *finger) - lateral_um(side, *pad)) / span
    down = (span - run) * slope
    length = rules.wire_loop_um + run * slope + math.hypot(down, drop)
    angle = math.degrees(math.atan2(drop, down))
    return Wire(p.die_id, side, p.tier, row, (*pad, z_p), (*finger, z_f), top, run, length, angle)


def _edge(
    design: Design, stack: int, side: Edge, bonders: tuple[Placement, ...], box: Rect, z_f: int
) -> EdgeBonds:
    rules = design.rules
    dies = design.dies_by_id
    q = rules.rows_per_tier
    rp = rules.finger_row_pitch_um
    fingers: list[Finger] = []
    wires: list[Wire] = []
    for t, p in enumerate(bonders):
        die = dies[p.die_id]
        edge = _facing(die, p.rotation_deg, side)
        if edge is None or die.pad_pitch_um <= 0 or die.pads_on(edge) == 0:
            continue
        pads, laterals = _laterals(die, edge, p, side, q, rules.finger_pitch_um)
        pad_r = int(radial_um(box, side, *_point_of_edge(p, side)))  # <= 0: inside the box
        for i, (u, v) in enumerate(zip(pads, laterals, strict=True)):
            row = t * q + i % q
            rho = rules.bond_finger_ring_um - rp // 2 + row * rp
            fx, fy = _point(box, side, rho, v)
            px, py = _point(box, side, pad_r, u)
            fingers.append(Finger(p.die_id, side, row, fx, fy, z_f))
            wires.append(_wire(design, p, side, row, box, (px, py), (fx, fy), z_f))
    return EdgeBonds(
        stack,
        side,
        q * len(bonders),
        box,
        tuple(p.die_id for p in bonders),
        tuple(fingers),
        tuple(wires),
    )


def _point_of_edge(p: Placement, side: Edge) -> tuple[int, int]:
    """A point on the die's edge that faces ``side`` (its radial position is what counts)."""
    r = p.rect
    return {
        Edge.WEST: (r.x_um, r.y_um),
        Edge.EAST: (r.x_max_um, r.y_um),
        Edge.SOUTH: (r.x_um, r.y_um),
        Edge.NORTH: (r.x_um, r.y_max_um),
    }[side]


def bond_plan(design: Design, placements: Iterable[Placement]) -> tuple[EdgeBonds, ...]:
    """The fingers and wires of every top-side stack side that wire-bonded dies bond to, by
    stack then side (compass order). Families without a finger ring have none."""
    if design.rules.bond_finger_ring_um <= 0:
        return ()
    known = {d.id for d in design.dies}
    stacks: dict[int, list[Placement]] = {}
    seen: set[str] = set()
    for p in placements:
        if p.die_id in known and p.die_id not in seen:
            seen.add(p.die_id)
            stacks.setdefault(p.stack, []).append(p)
    out = []
    for k, members in sorted(stacks.items()):
        ordered = tuple(sorted(members, key=lambda p: (p.tier, p.die_id)))
        if ordered[0].side is not Side.TOP:
            continue
        box = _bounding_box([p.rect for p in ordered])
        z_f = _finger_level(design, ordered)
        for side, bonders in bonding_dies(design, ordered).items():
            out.append(_edge(design, k, side, bonders, box, z_f))
    return tuple(out)


@dataclass(frozen=True)
class WireSummary:
    """The extreme wires of a layout against the process's limits (0: no limit).

    What a package engineer reads first: how many wires, the longest and the steepest, and
    the lowest loop, each with the die it belongs to.
    """

    count: int
    longest: Wire
    steepest: Wire
    max_wire_length_um: int
    max_drop_angle_deg: float

    def line(self) -> str:
        """One line: ``48 wires, longest 1.23 mm (DRAM0, limit 3 mm), steepest 38.2° ...``."""
        length_limit = (
            "" if self.max_wire_length_um <= 0 else f", limit {self.max_wire_length_um / 1000:g} mm"
        )
        angle_limit = (
            "" if self.max_drop_angle_deg <= 0 else f", limit {self.max_drop_angle_deg:g}°"
        )
        return (
            f"{self.count} wires, longest {self.longest.length_um / 1000:.3f} mm "
            f"({self.longest.die_id}{length_limit}), steepest drop "
            f"{self.steepest.drop_angle_deg:.1f}° ({self.steepest.die_id}{angle_limit})"
        )


def wire_summary(design: Design, placements: Iterable[Placement]) -> WireSummary | None:
    """The longest and steepest of the layout's wires (ties: the first in plan order), or
    ``None`` when nothing is wire-bonded."""
    wires = [w for edge in bond_plan(design, placements) for w in edge.wires]
    if not wires:
        return None
    return WireSummary(
        count=len(wires),
        longest=max(wires, key=lambda w: w.length_um),
        steepest=max(wires, key=lambda w: w.drop_angle_deg),
        max_wire_length_um=design.rules.max_wire_length_um,
        max_drop_angle_deg=design.rules.max_drop_angle_deg,
    )
