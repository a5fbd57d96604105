"""A starting layout for large designs: greedy stacks, packed by the placement engine.

CP-SAT alone is slow to find a first legal layout once a package holds dozens of parts
(a SiP with its passives). This module builds a good one in a fraction of the budget and
hands it to the model as hints:

1. **Greedy stacks.** Stackable dies, largest first, go onto the top of an existing chain
   when the family allows the pair and the staircase rules leave room (pad rows exposed,
   pads supported, overhang and wire span kept); the offset is the smallest legal one.
2. **Packing.** Each chain becomes one block of :mod:`layoutopt.engine` (its bounding box,
   with the finger rings and underfill fillets as a halo, the largest spacing between
   blocks), packed for the least area inside the envelope's box.
3. **Back to dies.** Block positions (turned by 90° where the engine turned them) give every
   die's position, rotation and the die it rests on, and the rules its height: a
   :class:`~layoutopt.model.Layout` the model takes as hints, and the solve keeps as an
   answer when the validator accepts it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from layoutopt.ballmap import grow_to_hold, place_balls
from layoutopt.deadline import Deadline
from layoutopt.model import BondType, Design, Die, Edge, Layout, Placement, Rect
from layoutopt.solver.instance import identity_classes
from layoutopt.stackup import package_thickness_um, stack_up

# The engine is imported where it is used: it brings numba (0.2-0.5 s), and every solve
# imports this module while only large designs call the engine.
if TYPE_CHECKING:
    from layoutopt.engine import Packing, PackProblem

__all__ = [
    "WARM_START_MIN_DIES",
    "EnginePlan",
    "constructive_layout",
    "engine_plan",
    "greedy_chains",
    "layout_from_packing",
    "relabel_identical",
]

# Below this many dies CP-SAT finds a first layout within seconds (measured: a 19-part SiP
# in < 1 s); a probe-and-restart would only lose its search. The 50-part SiP and the
# Bookshelf n50/n100 instances are where the engine pays.
WARM_START_MIN_DIES = 40

_PAD_BONDS = (BondType.WIRE_BOND, BondType.VERTICAL_WIRE)


@dataclass(frozen=True)
class _Member:
    index: int
    rotation_deg: int
    x_um: int  # relative to the chain's origin
    y_um: int
    width_um: int
    length_um: int


def _pads(die: Die, rotation_deg: int) -> frozenset[Edge]:
    return die.pad_edges_at(rotation_deg) if die.bond in _PAD_BONDS else frozenset()


def _range(
    lo_edge: int, lo_size: int, size: int, design: Design, low_pads: set[str], high_pads: set[str]
) -> tuple[int, int]:
    """Feasible [min, max] of the upper die's low coordinate on one axis.

    ``low_pads`` / ``high_pads`` name which dies ("lower", "upper") have pads on the low /
    high side of this axis."""
    rules = design.rules
    lo = lo_edge - rules.max_overhang_um
    hi = lo_edge + lo_size + rules.max_overhang_um - size
    if "lower" in low_pads:
        lo = max(lo, lo_edge + rules.staircase_offset_um)
    if "lower" in high_pads:
        hi = min(hi, lo_edge + lo_size - rules.staircase_offset_um - size)
    if "upper" in low_pads:
        lo = max(lo, lo_edge)
    if "upper" in high_pads:
        hi = min(hi, lo_edge + lo_size - size)
    return lo, hi


def _place_on(design: Design, top: _Member, die: Die, index: int) -> _Member | None:
    """``die`` on ``top`` at the same rotation, as close to ``top``'s corner as is legal."""
    rotation = top.rotation_deg if die.pad_edges else 0
    width, length = die.size_um(rotation)
    lower_pads = _pads(design.dies[top.index], top.rotation_deg)
    upper_pads = _pads(die, rotation)

    def who(side: Edge) -> set[str]:
        return {
            name for name, pads in (("lower", lower_pads), ("upper", upper_pads)) if side in pads
        }

    x_lo, x_hi = _range(top.x_um, top.width_um, width, design, who(Edge.WEST), who(Edge.EAST))
    y_lo, y_hi = _range(top.y_um, top.length_um, length, design, who(Edge.SOUTH), who(Edge.NORTH))
    if x_lo > x_hi or y_lo > y_hi:
        return None
    return _Member(
        index,
        rotation,
        min(max(top.x_um, x_lo), x_hi),
        min(max(top.y_um, y_lo), y_hi),
        width,
        length,
    )


def _bbox(chain: list[_Member]) -> Rect:
    x0 = min(m.x_um for m in chain)
    y0 = min(m.y_um for m in chain)
    x1 = max(m.x_um + m.width_um for m in chain)
    y1 = max(m.y_um + m.length_um for m in chain)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _wire_reach_ok(design: Design, chain: list[_Member]) -> bool:
    span = design.rules.max_wire_span_um
    if span <= 0:
        return True
    box = _bbox(chain)
    for m in chain:
        die = design.dies[m.index]
        if die.bond is not BondType.WIRE_BOND:
            continue
        rect = Rect(m.x_um, m.y_um, m.width_um, m.length_um)
        if any(box.inset_um(rect, side) > span for side in die.pad_edges_at(m.rotation_deg)):
            return False
    return True


def greedy_chains(design: Design) -> list[list[_Member]]:
    """Stacks built greedily, largest dies first (each chain bottom tier first)."""
    rules = design.rules
    order = sorted(range(len(design.dies)), key=lambda i: (-design.dies[i].area_um2, i))
    chains: list[list[_Member]] = []
    for i in order:
        die = design.dies[i]
        placed = None
        if die.bond not in (BondType.FLIP_CHIP, BondType.SMT):
            for chain in chains:
                top = chain[-1]
                lower = design.dies[top.index]
                if (
                    len(chain) >= rules.max_dies_per_stack
                    or lower.bond is BondType.SMT
                    or not rules.can_stack(die.kind, lower.kind)
                ):
                    continue
                member = _place_on(design, top, die, i)
                if member is not None and _wire_reach_ok(design, [*chain, member]):
                    chain.append(member)
                    placed = member
                    break
        if placed is None:
            width, length = die.size_um(0)
            chains.append([_Member(i, 0, 0, 0, width, length)])
    return chains


def _halo(design: Design, chain: list[_Member]) -> tuple[int, int, int, int]:
    """Finger rings on the chain's pad sides (as wide as their rows) and the fillet of a
    flip-chip base."""
    rules = design.rules
    bonders = dict.fromkeys((Edge.WEST, Edge.SOUTH, Edge.EAST, Edge.NORTH), 0)
    for m in chain:
        die = design.dies[m.index]
        if die.bond is BondType.WIRE_BOND and rules.bond_finger_ring_um > 0:
            for side in die.pad_edges_at(m.rotation_deg):
                bonders[side] += 1
    fillet = (
        rules.underfill_fillet_um if design.dies[chain[0].index].bond is BondType.FLIP_CHIP else 0
    )
    west, south, east, north = (
        fillet + rules.ring_width_um(rules.rows_per_tier * bonders[side])
        for side in (Edge.WEST, Edge.SOUTH, Edge.EAST, Edge.NORTH)
    )
    return west, south, east, north


@dataclass(frozen=True)
class EnginePlan:
    """A design as a packing problem for the engine, and the way back to dies.

    Each chain (a greedy stack) is one block: its box, padded by its finger rings and
    fillet, the largest spacing between blocks; the package keeps ``margin_um`` (the
    larger edge keep-out) beyond the packing's box.

    One spacing for every pair, not a share per kind as halos: a halo also stays inside
    the outline, so the dies at the package edge would stand further in than their
    keep-out needs, which cost more than the passives gained (the 50-part SiP, engine
    alone for 10 s, three seeds: 177.3 mm² with halos of half the spacing per kind, 173.5
    with one spacing)."""

    design: Design
    chains: tuple[tuple[_Member, ...], ...]
    problem: PackProblem
    origin_um: tuple[int, int]
    margin_um: int


def engine_plan(design: Design, grid_um: int = 1) -> EnginePlan | None:
    """The packing problem of ``design`` (least area in the envelope's box), or None when
    the envelope leaves no room. The packing's origin is on the model's ``grid_um`` grid,
    so that a packing on that grid puts every die on it."""
    from layoutopt.engine import Block, PackProblem

    rules = design.rules
    chains = greedy_chains(design)
    blocks = []
    for k, chain in enumerate(chains):
        box = _bbox(chain)
        # A chain may turn as a whole: its members and its halo turn with it.
        blocks.append(Block(f"S{k}", box.width_um, box.length_um, halo_um=_halo(design, chain)))
    spacing = max((rules.die_spacing_um, *(s for _, s in rules.pair_spacing_um)))
    margin = max(rules.die_edge_keepout_um, rules.finger_edge_keepout_um)
    x0, y0, x1, y1 = (int(c) for c in design.envelope.outline.bounds)
    ox, oy = (-(-(v + margin) // grid_um) * grid_um for v in (x0, y0))
    room = (x1 - margin - ox, y1 - margin - oy)
    if min(room) <= 0:
        return None
    problem = PackProblem(tuple(blocks), outline_um=room, spacing_um=spacing, minimize_area=True)
    return EnginePlan(design, tuple(tuple(c) for c in chains), problem, (ox, oy), margin)


def layout_from_packing(plan: EnginePlan, packing: Packing) -> Layout:
    """The package layout of an engine packing: every die's position, rotation and the die
    it rests on, heights from the rules, the outline on the package grid (grown to hold
    the ball map), identical parts relabelled into the model's symmetry order."""
    design, rules = plan.design, plan.design.rules
    ox, oy = plan.origin_um
    placements = []
    for k, (chain, where) in enumerate(zip(plan.chains, packing.positions, strict=True)):
        box = _bbox(list(chain))
        for tier, m in enumerate(chain):
            rx, ry = m.x_um - box.x_um, m.y_um - box.y_um
            width, length, rotation = m.width_um, m.length_um, m.rotation_deg
            if where.rotated:  # a 90° CCW turn of the whole chain about its box
                rx, ry = box.length_um - ry - length, rx
                width, length, rotation = length, width, (rotation + 90) % 360
            placements.append(
                Placement(
                    die_id=design.dies[m.index].id,
                    x_um=ox + where.x_um + rx,
                    y_um=oy + where.y_um + ry,
                    width_um=width,
                    length_um=length,
                    rotation_deg=rotation,
                    z_bottom_um=0,
                    thickness_um=design.dies[m.index].thickness_um,
                    stack=k,
                    tier=tier,
                    on_die=None if tier == 0 else design.dies[chain[tier - 1].index].id,
                )
            )
    step = rules.package_grid_um
    x0, y0 = (int(c) for c in design.envelope.outline.bounds[:2])
    width = -(-(ox - x0 + packing.width_um + plan.margin_um) // step) * step
    length = -(-(oy - y0 + packing.length_um + plan.margin_um) // step) * step
    # The outline must also hold the ball map (a tight packing may not): grow it, inside
    # the envelope.
    outline = design.envelope.outline
    width, length = grow_to_hold(
        design, width, length, step, lambda w, h: outline.covers(Rect(x0, y0, w, h).to_polygon())
    )
    placements = _stacked_up(design, placements)
    package = Rect(x0, y0, width, length)
    layout = Layout(
        design.name,
        design.family,
        package,
        package_thickness_um(design, placements),
        tuple(placements),
        stack_up(design, placements),
        ball_map=place_balls(design, package, placements),
    )
    return relabel_identical(design, layout)


def constructive_layout(
    design: Design,
    *,
    deadline: Deadline,
    seed: int = 0,
    workers: int = 1,
    grid_um: int = 1,
    on_layout: Callable[[Layout], None] | None = None,
    cancel: threading.Event | None = None,
) -> Layout | None:
    """A legal-looking starting layout (a hint), or None when the engine finds none
    before ``deadline`` (or ``cancel`` is set first).

    Packed on the model's ``grid_um`` grid, so that the model can take it exactly.
    ``on_layout`` receives the layout of every better packing as the engine finds it
    (from the engine's threads): a solve streams them into CP-SAT. Where ``deadline``
    has an end aimed at (:attr:`~layoutopt.deadline.Deadline.aim_s`), the engine stops
    there once it holds a packing (``cancel``, created when not given, is set)."""
    from layoutopt.engine import pack

    plan = engine_plan(design, grid_um)
    if plan is None:
        return None
    # The last layout handed out, with its packing: the final packing is usually the last
    # one streamed, and converting it again took 1.1 s at 5,000 dies.
    last: list[tuple[Packing, Layout]] = []
    aim_left_s = deadline.aim_remaining_s()
    found = threading.Event()
    if aim_left_s is not None and cancel is None:
        cancel = threading.Event()
    stop = cancel

    def publish(packing: Packing) -> None:
        found.set()
        if stop is not None and deadline.past_aim():
            stop.set()
        if on_layout is not None:
            layout = layout_from_packing(plan, packing)
            last[:] = [(packing, layout)]
            on_layout(layout)

    def at_aim() -> None:
        if stop is not None and found.is_set():
            stop.set()

    timer = None if aim_left_s is None else threading.Timer(aim_left_s, at_aim)
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        result = pack(
            plan.problem,
            time_limit_s=deadline.remaining_s(),
            seed=seed,
            workers=workers,
            deadline=deadline,
            grid_um=grid_um,
            on_packing=publish if on_layout is not None or timer is not None else None,
            cancel=cancel,
        )
    finally:
        if timer is not None:
            timer.cancel()
    deadline.spend_rest()  # the engine counts its own work within the budget it was given
    if result.packing is None:
        return None
    if last and last[0][0] == result.packing:
        return last[0][1]
    return layout_from_packing(plan, result.packing)


def _stacked_up(design: Design, placements: list[Placement]) -> list[Placement]:
    """Each die's z: on the substrate or on the die below, plus the joint the rules give."""
    rules = design.rules
    placed: dict[str, Placement] = {}
    for p in sorted(placements, key=lambda p: p.tier):
        die = design.die(p.die_id)
        if p.on_die is None:
            z = rules.base_thickness_um + rules.joint_um(die, None)
        else:
            lower = placed[p.on_die]
            lower_die = design.die(p.on_die)
            z = lower.z_top_um + rules.joint_um(die, lower_die, film_over_wire=p.film_over_wire)
        placed[p.die_id] = replace(p, z_bottom_um=z)
    if rules.fan_out.flipped:
        return _flipped(design, [placed[p.die_id] for p in placements])
    return [placed[p.die_id] for p in placements]


def _flipped(design: Design, placements: list[Placement]) -> list[Placement]:
    """z of a vertical-wire fan-out (docs/rules.md ``z``): each stack hangs face down from
    the RDL, its last tier one standoff up, each die one joint above the die it carries."""
    rules = design.rules
    placed: dict[str, Placement] = {}
    carried = {p.on_die: p for p in placements if p.on_die is not None}
    for p in sorted(placements, key=lambda p: -p.tier):
        up = carried.get(p.die_id)
        if up is None:
            z = rules.base_thickness_um + rules.vertical_wire_standoff_um
        else:
            above = placed[up.die_id]
            z = above.z_top_um + rules.joint_um(design.die(up.die_id), design.die(p.die_id))
        placed[p.die_id] = replace(p, z_bottom_um=z)
    return [placed[p.die_id] for p in placements]


def relabel_identical(design: Design, hint: Layout) -> Layout:
    """Give identical side-by-side parts the hint positions in the order the model's
    symmetry breaking demands (x, then y, increasing with the die's index)."""
    by_id = {p.die_id: p for p in hint.placements}
    moved: dict[str, Placement] = {}
    for ids in identity_classes(design):
        if len(ids) < 2 or any(by_id[i].on_die is not None or by_id[i].tier for i in ids):
            continue
        spots = sorted((by_id[i] for i in ids), key=lambda p: (p.x_um, p.y_um))
        for die_id, spot in zip(ids, spots, strict=True):
            moved[die_id] = replace(spot, die_id=die_id)
    return replace(hint, placements=tuple(moved.get(p.die_id, p) for p in hint.placements))
