"""The independent validator: the layout rules of ``docs/rules.md``, in code.

This module *is* the specification. It is written without the solver (it imports nothing
from :mod:`layoutopt.solver`), so a layout the solver returns and this module rejects is a
bug in one of the two, never a matter of opinion. Rectangle geometry is exact integer
arithmetic on :class:`layoutopt.model.Rect`; the envelope rules (outline, keep-outs, height
zones) use shapely on the true shapes.

Readings of the specification chosen here (the solver must match them):

- ``die_thickness``: the allowed thicknesses are ``die.thickness_um`` *and* every value of
  ``die.allowed_thickness_um`` (the nominal die is never forbidden).
- ``z`` (bottom side): ``rules.bottom_side_max_height_um`` is checked only when > 0, as for
  every other "0: unused" limit of :class:`~layoutopt.model.ProcessRules`; the ``z ≥ 0``
  check still bounds the component by the ball height.
- ``finger_ring``: with ``bond_finger_ring_um == 0`` the family has no finger rings at all
  (a zero-width strip is no ring), so ``finger_ring`` checks nothing and the keep regions
  grow by nothing; ``die_edge`` still holds.
- The *lower* die of a tier-k die is the die at tier k−1 of the same stack (``stack_order``
  reports when ``on_die`` disagrees); the side of a stack is the side of its lowest tier.
- ``phy_facing``: the compute die is the highest-power ``logic`` die, the first in design
  order on a tie; it is itself exempt from the rule.

Examples
--------
A single die centred in a 3 mm package with a 200 µm saw-edge keep-out is legal when the
die is 200 µm from every edge; moved 50 µm west it breaks ``die_edge``:

>>> from shapely.geometry import box
>>> from layoutopt.model import (BondType, Design, Die, DieKind, Envelope, Family, Layer,
...     Layout, Placement, ProcessRules, Rect)
>>> die = Die("C0", "ctrl", DieKind.CONTROLLER, 2600, 2600, 80, 0.1, 85.0, BondType.FLIP_CHIP)
>>> rules = ProcessRules(Family.SIP, die_edge_keepout_um=200, package_grid_um=50)
>>> design = Design("one", (die,), rules, Envelope(box(0, 0, 5000, 5000), 1000))
>>> placed = Placement("C0", 200, 200, 2600, 2600, 0, 0, 80, stack=0, tier=0)
>>> layout = Layout("one", Family.SIP, Rect(0, 0, 3000, 3000), 80, (placed,),
...                 (Layer("die", 80),))
>>> validate(design, layout)
()
>>> from dataclasses import replace
>>> moved = replace(layout, placements=(replace(placed, x_um=150),))
>>> [v.message for v in validate(design, moved)]
['die C0 is 150 um from the package edge on the west; rule needs >= 200 um']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from layoutopt.ballmap import (
    BallRequirement,
    ball_requirements,
    bottom_mold,
    keepout_rects,
    too_close,
)
from layoutopt.bonding import EdgeBonds, Wire, bond_plan, lateral_um, radial_um, ring_rows
from layoutopt.errors import InternalError
from layoutopt.model import (
    ROTATIONS_DEG,
    BallArray,
    BallRole,
    BondType,
    Design,
    Die,
    DieKind,
    Edge,
    Family,
    Layout,
    Placement,
    Rect,
    Side,
    rotate_edge,
)

__all__ = [
    "RULES",
    "Violation",
    "check",
    "finger_rings",
    "inset_um",
    "validate",
]

# The rule ids in the order of docs/rules.md; violations are reported in this order.
RULES: tuple[str, ...] = (
    "placement",
    "package_grid",
    "outline",
    "keepout",
    "height_zone",
    "die_edge",
    "stack_order",
    "overhang",
    "pad_exposure",
    "pad_support",
    "film_over_wire",
    "finger_ring",
    "finger_fillet",
    "wire_reach",
    "spacing",
    "z",
    "die_thickness",
    "thickness",
    "stack_height",
    "pop_package",
    "phy_facing",
    "finger_fit",
    "wire_drop",
    "wire_length",
    "wire_clearance",
    "wire_crossing",
    "ball_map",
    "ball_count",
    "ball_clearance",
)

# Compass order used wherever sides are listed (the CCW order of layoutopt.model).
_SIDES: tuple[Edge, ...] = (Edge.WEST, Edge.SOUTH, Edge.EAST, Edge.NORTH)
_PAD_BONDS = (BondType.WIRE_BOND, BondType.VERTICAL_WIRE)  # bonds whose pads need exposure
_TIER0_BONDS = (BondType.FLIP_CHIP, BondType.SMT)  # bonds that only sit on the substrate


@dataclass(frozen=True)
class Violation:
    """One broken rule, in the user's terms and numbers.

    Parameters
    ----------
    rule
        The rule id from ``docs/rules.md`` (one of :data:`RULES`).
    message
        What is wrong, with the numbers and what the rule needs.
    die_ids
        The dies concerned, if any.
    excess_um
        By how much the rule is broken, where a length applies.
    """

    rule: str
    message: str
    die_ids: tuple[str, ...] = ()
    excess_um: int | None = None

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


# --------------------------------------------------------------------------------------
# Integer rectangle geometry
# --------------------------------------------------------------------------------------


def inset_um(outer: Rect, inner: Rect) -> dict[Edge, int]:
    """How far each side of ``inner`` stands inside the same side of ``outer`` (µm).

    Negative where ``inner`` reaches past ``outer``; ``outer.contains(inner)`` exactly when
    every value is ≥ 0.

    >>> insets = inset_um(Rect(0, 0, 100, 100), Rect(10, -5, 50, 20))
    >>> {side.value: um for side, um in insets.items()}
    {'west': 10, 'south': -5, 'east': 40, 'north': 85}
    """
    return {
        Edge.WEST: inner.x_um - outer.x_um,
        Edge.SOUTH: inner.y_um - outer.y_um,
        Edge.EAST: outer.x_max_um - inner.x_max_um,
        Edge.NORTH: outer.y_max_um - inner.y_max_um,
    }


def _gap_beyond(a: Rect, b: Rect, side: Edge) -> int:
    """Gap from side ``side`` of ``a`` to ``b`` lying beyond it (negative: not beyond)."""
    return {
        Edge.EAST: b.x_um - a.x_max_um,
        Edge.WEST: a.x_um - b.x_max_um,
        Edge.NORTH: b.y_um - a.y_max_um,
        Edge.SOUTH: a.y_um - b.y_max_um,
    }[side]


def _overlap_along(a: Rect, b: Rect, side: Edge) -> int:
    """Length over which the projections of ``a`` and ``b`` along ``side`` overlap."""
    if side in (Edge.EAST, Edge.WEST):
        return min(a.y_max_um, b.y_max_um) - max(a.y_um, b.y_um)
    return min(a.x_max_um, b.x_max_um) - max(a.x_um, b.x_um)


def _bounding_box(rects: Iterable[Rect]) -> Rect:
    rs = list(rects)
    if len(rs) == 1:  # most stacks of a large SiP are one die
        return rs[0]
    x0 = min(r.x_um for r in rs)
    y0 = min(r.y_um for r in rs)
    x1 = max(r.x_max_um for r in rs)
    y1 = max(r.y_max_um for r in rs)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _worst_side(insets: dict[Edge, int], need: dict[Edge, int]) -> tuple[Edge, int] | None:
    """The side that misses its need by most, and by how much (None when all are met)."""
    worst: tuple[Edge, int] | None = None
    for side in _SIDES:
        short = need[side] - insets[side]
        if short > 0 and (worst is None or short > worst[1]):
            worst = (side, short)
    return worst


def _ceil_um(value: float) -> int:
    return math.ceil(value - 1e-9)


# --------------------------------------------------------------------------------------
# The layout, indexed once
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    """The layout's placements of known dies (first occurrence of each), grouped by stack."""

    design: Design
    layout: Layout
    dies: dict[str, Die]
    placed: dict[str, Placement]
    stacks: dict[int, tuple[Placement, ...]]  # lowest tier first
    bonds: tuple[EdgeBonds, ...]  # the fingers and wires (layoutopt.bonding)

    @classmethod
    def build(cls, design: Design, layout: Layout) -> _Index:
        dies = design.dies_by_id
        placed: dict[str, Placement] = {}
        for p in layout.placements:
            if p.die_id in dies and p.die_id not in placed:
                placed[p.die_id] = p
        groups: dict[int, list[Placement]] = {}
        for p in placed.values():
            groups.setdefault(p.stack, []).append(p)
        stacks = {
            k: tuple(sorted(v, key=lambda p: (p.tier, p.die_id))) for k, v in sorted(groups.items())
        }
        return cls(design, layout, dies, placed, stacks, bond_plan(design, placed.values()))

    def die(self, p: Placement) -> Die:
        return self.dies[p.die_id]

    # Derived once per layout (several rules read them: at 5,000 stacks, building them
    # again for each rule was a third of the validation's 0.6 s).
    @cached_property
    def stack_boxes(self) -> dict[int, Rect]:
        """The bounding box of each stack's dies."""
        return {k: _bounding_box(p.rect for p in members) for k, members in self.stacks.items()}

    @cached_property
    def rings(self) -> dict[int, list[tuple[Edge, Rect]]]:
        """Each stack's finger rings (:func:`finger_rings`)."""
        return _rings(self)

    def lower(self, p: Placement) -> Placement | None:
        """The die at the tier just below ``p`` in its stack, when exactly one is there."""
        if p.tier < 1:
            return None
        below = [q for q in self.stacks[p.stack] if q.tier == p.tier - 1]
        return below[0] if len(below) == 1 else None

    def stack_side(self, stack: int) -> Side:
        return Side.BOTTOM if self.stacks[stack][0].side is Side.BOTTOM else Side.TOP

    def label(self, stack: int) -> str:
        return f"stack {stack} ({self.stacks[stack][0].die_id})"

    def ids(self, stack: int) -> tuple[str, ...]:
        return tuple(p.die_id for p in self.stacks[stack])

    def pairs(self) -> Iterator[tuple[Placement, Placement, Die, Die]]:
        """Every (upper, lower) pair of adjacent tiers, with their dies."""
        for members in self.stacks.values():
            for up in members:
                lo = self.lower(up)
                if lo is not None:
                    yield up, lo, self.die(up), self.die(lo)

    def die_on_die_pairs(self) -> Iterator[tuple[Placement, Placement, Die, Die]]:
        """The pairs where the upper die rests on the lower one itself: all but a PoP's
        first top-package die, which stands on the top substrate over the SoC."""
        rules = self.design.rules
        for up, lo, up_die, lo_die in self.pairs():
            if not rules.on_top_package(up_die, lo_die):
                yield up, lo, up_die, lo_die


def _edges_at(edges: frozenset[Edge], rotation_deg: int) -> list[Edge]:
    """``edges`` after turning the die, in compass order; none for an illegal rotation."""
    if rotation_deg not in ROTATIONS_DEG:
        return []
    turned = {rotate_edge(e, rotation_deg) for e in edges}
    return [s for s in _SIDES if s in turned]


# --------------------------------------------------------------------------------------
# Stack geometry: rings and keep regions (``finger_rings`` is shared with the drawings)
# --------------------------------------------------------------------------------------


def _ring_widths(index: _Index, stack: int) -> dict[Edge, int]:
    """Finger-ring width on each side of a top-side stack where wire-bonded dies bond."""
    rules = index.design.rules
    if index.stack_side(stack) is not Side.TOP or rules.bond_finger_ring_um <= 0:
        return {}
    rows = ring_rows(index.design, index.stacks[stack])
    return {side: rules.ring_width_um(rows[side]) for side in _SIDES if side in rows}


def _rings(index: _Index) -> dict[int, list[tuple[Edge, Rect]]]:
    out: dict[int, list[tuple[Edge, Rect]]] = {}
    for k in index.stacks:
        box = index.stack_boxes[k]
        strips = []
        for side, ring in _ring_widths(index, k).items():
            strips.append(
                (
                    side,
                    {
                        Edge.WEST: Rect(box.x_um - ring, box.y_um, ring, box.length_um),
                        Edge.EAST: Rect(box.x_max_um, box.y_um, ring, box.length_um),
                        Edge.SOUTH: Rect(box.x_um, box.y_um - ring, box.width_um, ring),
                        Edge.NORTH: Rect(box.x_um, box.y_max_um, box.width_um, ring),
                    }[side],
                )
            )
        out[k] = strips
    return out


def finger_rings(design: Design, layout: Layout) -> dict[int, list[tuple[Edge, Rect]]]:
    """The bond-finger rings of every stack: ``{stack: [(side, strip), ...]}``.

    A ring is the strip just outside the stack's bounding box on a side where a
    ``wire_bond`` die of the stack has a pad edge, spanning the box along that side; its
    width is ``rules.ring_width_um(rows)`` for the finger rows its dies need there. Bottom-side stacks have none (an empty list), nor has any
    stack when the ring width is 0.
    """
    return _rings(_Index.build(design, layout))


def _keep_regions(index: _Index) -> dict[int, Rect]:
    rules = index.design.rules
    rings = index.rings
    out: dict[int, Rect] = {}
    for k, members in index.stacks.items():
        grow = dict.fromkeys(_SIDES, 0)
        for side, strip in rings[k]:
            grow[side] += strip.width_um if side in (Edge.WEST, Edge.EAST) else strip.length_um
        if any(index.die(p).bond is BondType.FLIP_CHIP for p in members):
            for side in _SIDES:
                grow[side] += rules.underfill_fillet_um
        box = index.stack_boxes[k]
        out[k] = box.expanded(grow[Edge.WEST], grow[Edge.SOUTH], grow[Edge.EAST], grow[Edge.NORTH])
    return out


def _compute_die(design: Design) -> Die | None:
    """The compute die of a design: its highest-power ``logic`` die (first on a tie)."""
    best: Die | None = None
    for die in design.dies:
        if die.kind is DieKind.LOGIC and (best is None or die.power_w > best.power_w):
            best = die
    return best


# --------------------------------------------------------------------------------------
# The rules, one function each, in the order of docs/rules.md
# --------------------------------------------------------------------------------------


def _placement(ix: _Index) -> Iterator[Violation]:
    counts = Counter(p.die_id for p in ix.layout.placements)
    for die in ix.design.dies:
        if counts[die.id] == 0:
            yield Violation(
                "placement",
                f"die {die.id} is not placed; every design die is placed once",
                (die.id,),
            )
        elif counts[die.id] > 1:
            yield Violation(
                "placement",
                f"die {die.id} is placed {counts[die.id]} times; every design die is placed once",
                (die.id,),
            )
    for die_id in sorted(set(counts) - set(ix.dies)):
        yield Violation(
            "placement",
            f"placement of unknown die {die_id}; the design has no such die",
            (die_id,),
        )
    for p in ix.layout.placements:
        die = ix.dies.get(p.die_id)
        if die is None:
            continue
        if p.rotation_deg not in ROTATIONS_DEG:
            yield Violation(
                "placement",
                f"die {p.die_id} has rotation {p.rotation_deg} deg; "
                f"rule allows one of {', '.join(map(str, ROTATIONS_DEG))} deg",
                (p.die_id,),
            )
        else:
            w, h = die.size_um(p.rotation_deg)
            if (p.width_um, p.length_um) != (w, h):
                yield Violation(
                    "placement",
                    f"die {p.die_id} is placed as {p.width_um} x {p.length_um} um at rotation "
                    f"{p.rotation_deg} deg; the die is {w} x {h} um at that rotation",
                    (p.die_id,),
                    max(abs(p.width_um - w), abs(p.length_um - h)),
                )
        if p.side not in (Side.TOP, Side.BOTTOM):
            yield Violation(
                "placement",
                f"die {p.die_id} is on side {p.side!r}; rule allows 'top' or 'bottom'",
                (p.die_id,),
            )


def _package_grid(ix: _Index) -> Iterator[Violation]:
    grid = ix.design.rules.package_grid_um
    if grid <= 0:
        return
    pkg = ix.layout.package
    for name, value in (("width", pkg.width_um), ("length", pkg.length_um)):
        rest = value % grid
        if rest:
            yield Violation(
                "package_grid",
                f"package {name} {value} um is not a multiple of the {grid} um package grid "
                f"(nearest: {value - rest} or {value - rest + grid} um)",
                (),
                rest,
            )


def _outline(ix: _Index) -> Iterator[Violation]:
    outline = ix.design.envelope.outline
    pkg = ix.layout.package.to_polygon()
    if outline.covers(pkg):
        return
    outside = pkg.difference(outline)
    corners = list(pkg.exterior.coords)[:-1]
    reach = max(outline.distance(Point(xy)) for xy in corners)
    excess = max(1, _ceil_um(reach))
    yield Violation(
        "outline",
        f"package {_size_text(ix.layout.package)} at ({ix.layout.package.x_um}, "
        f"{ix.layout.package.y_um}) um reaches outside the envelope outline by up to {excess} um "
        f"({outside.area / 1e6:.3f} mm2 outside)",
        (),
        excess,
    )


def _size_text(rect: Rect) -> str:
    return f"{rect.width_um} x {rect.length_um} um"


def _interiors_overlap(a: Polygon, b: Polygon) -> bool:
    return bool(shapely.relate_pattern(a, b, "T********"))


def _keepout(ix: _Index) -> Iterator[Violation]:
    env = ix.design.envelope
    pkg = ix.layout.package.to_polygon()
    for i, region in enumerate(env.keepouts):
        if not _interiors_overlap(pkg, region):
            continue
        name = env.keepout_names[i] if i < len(env.keepout_names) else ""
        shared = pkg.intersection(region)
        x0, y0, x1, y1 = shared.bounds
        depth = max(1, _ceil_um(min(x1 - x0, y1 - y0)))
        label = f"keep-out {i}" + (f" ({name})" if name else "")
        yield Violation(
            "keepout",
            f"package overlaps {label} over {shared.area / 1e6:.3f} mm2, {depth} um deep; "
            "rule needs no overlap",
            (),
            depth,
        )


def _height_zone(ix: _Index) -> Iterator[Violation]:
    pkg = ix.layout.package.to_polygon()
    thickness = ix.layout.thickness_um
    for i, zone in enumerate(ix.design.envelope.height_zones):
        if thickness > zone.max_thickness_um and _interiors_overlap(pkg, zone.region):
            label = f"height zone {i}" + (f" ({zone.name})" if zone.name else "")
            yield Violation(
                "height_zone",
                f"package is {thickness} um thick and overlaps {label}; "
                f"rule allows <= {zone.max_thickness_um} um there",
                (),
                thickness - zone.max_thickness_um,
            )


def _die_edge(ix: _Index) -> Iterator[Violation]:
    keep = ix.design.rules.die_edge_keepout_um
    pkg = ix.layout.package
    need = dict.fromkeys(_SIDES, keep)
    for p in ix.placed.values():
        insets = inset_um(pkg, p.rect)
        worst = _worst_side(insets, need)
        if worst is not None:
            side, short = worst
            yield Violation(
                "die_edge",
                f"die {p.die_id} is {insets[side]} um from the package edge on the "
                f"{side.value}; rule needs >= {keep} um",
                (p.die_id,),
                short,
            )


def _stack_order(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    for k, members in ix.stacks.items():
        label = ix.label(k)
        tiers = sorted(p.tier for p in members)
        if tiers != list(range(len(members))):
            yield Violation(
                "stack_order",
                f"{label} has tiers {tiers}; tiers must be 0..{len(members) - 1}, each once",
                ix.ids(k),
            )
        if len(members) > rules.max_dies_per_stack:
            yield Violation(
                "stack_order",
                f"{label} holds {len(members)} dies; rule allows <= {rules.max_dies_per_stack}",
                ix.ids(k),
            )
        sides = sorted({p.side for p in members})
        if len(sides) > 1:
            by_side = "; ".join(
                f"{s}: {', '.join(p.die_id for p in members if p.side == s)}" for s in sides
            )
            yield Violation(
                "stack_order",
                f"{label} has dies on different sides ({by_side}); a stack is on one side",
                ix.ids(k),
            )
        for p in members:
            yield from _stack_order_die(ix, p, label)


def _stack_order_die(ix: _Index, p: Placement, label: str) -> Iterator[Violation]:
    rules = ix.design.rules
    die = ix.die(p)
    if p.tier == 0 and p.on_die is not None:
        yield Violation(
            "stack_order",
            f"die {p.die_id} at tier 0 of {label} sits on {p.on_die}; "
            "tier 0 sits on the substrate (on_die None)",
            (p.die_id,),
        )
    lo = ix.lower(p)
    if p.tier >= 1 and (lo is None or p.on_die != lo.die_id):
        below = "no single die" if lo is None else f"die {lo.die_id}"
        yield Violation(
            "stack_order",
            f"die {p.die_id} at tier {p.tier} of {label} sits on {p.on_die}; "
            f"tier {p.tier - 1} holds {below}",
            (p.die_id,),
        )
    if lo is not None:
        lo_die = ix.die(lo)
        if not rules.can_stack(die.kind, lo_die.kind):
            yield Violation(
                "stack_order",
                f"die {p.die_id} ({die.kind.value}) sits on die {lo.die_id} "
                f"({lo_die.kind.value}); the {rules.family.value} rules do not allow "
                f"{die.kind.value} on {lo_die.kind.value}",
                (p.die_id, lo.die_id),
            )
    if die.bond in _TIER0_BONDS and p.tier != 0:
        yield Violation(
            "stack_order",
            f"die {p.die_id} (bond {die.bond.value}) is at tier {p.tier} of {label}; "
            "flip_chip and smt dies sit at tier 0 only",
            (p.die_id,),
        )
    if die.bond is BondType.MICRO_BUMP and p.tier < 1:
        yield Violation(
            "stack_order",
            f"die {p.die_id} (bond micro_bump) is at tier {p.tier} of {label}; "
            "micro_bump dies sit on another die (tier >= 1)",
            (p.die_id,),
        )
    if p.side is Side.BOTTOM:
        if not rules.double_sided:
            yield Violation(
                "stack_order",
                f"die {p.die_id} is on the bottom side; the {rules.family.value} rules "
                "are not double-sided",
                (p.die_id,),
            )
        if p.tier != 0:
            yield Violation(
                "stack_order",
                f"die {p.die_id} is on the bottom side at tier {p.tier}; "
                "bottom-side dies sit at tier 0 only",
                (p.die_id,),
            )


def _overhang(ix: _Index) -> Iterator[Violation]:
    allow = ix.design.rules.max_overhang_um
    need = dict.fromkeys(_SIDES, -allow)
    for up, lo, _, _ in ix.die_on_die_pairs():
        insets = inset_um(lo.rect, up.rect)
        worst = _worst_side(insets, need)
        if worst is not None:
            side, short = worst
            yield Violation(
                "overhang",
                f"die {up.die_id} reaches {-insets[side]} um past die {lo.die_id} on the "
                f"{side.value}; rule allows <= {allow} um",
                (up.die_id, lo.die_id),
                short,
            )


def _pad_exposure(ix: _Index) -> Iterator[Violation]:
    staircase = ix.design.rules.staircase_offset_um
    for up, lo, _, lo_die in ix.die_on_die_pairs():
        if lo_die.bond not in _PAD_BONDS:
            continue
        # At the turn of a staircase the film covers the pads: only no reach past them.
        offset = 0 if up.film_over_wire else staircase
        insets = inset_um(lo.rect, up.rect)
        for side in _edges_at(lo_die.pad_edges, lo.rotation_deg):
            if insets[side] < offset:
                yield Violation(
                    "pad_exposure",
                    f"die {up.die_id} stands back {insets[side]} um from the {side.value} pad "
                    f"edge of die {lo.die_id}; rule needs >= {offset} um",
                    (up.die_id, lo.die_id),
                    offset - insets[side],
                )


def _pad_support(ix: _Index) -> Iterator[Violation]:
    for up, lo, up_die, _ in ix.die_on_die_pairs():
        if up_die.bond not in _PAD_BONDS:
            continue
        insets = inset_um(lo.rect, up.rect)
        for side in _edges_at(up_die.pad_edges, up.rotation_deg):
            if insets[side] < 0:
                yield Violation(
                    "pad_support",
                    f"the {side.value} pad edge of die {up.die_id} reaches {-insets[side]} um "
                    f"past die {lo.die_id} below it; rule needs it supported (<= 0 um)",
                    (up.die_id, lo.die_id),
                    -insets[side],
                )


def _film_over_wire(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    for k, members in ix.stacks.items():
        turns = [p for p in members if p.film_over_wire]
        if len(turns) > 1:
            yield Violation(
                "film_over_wire",
                f"{ix.label(k)} turns at {len(turns)} dies "
                f"({', '.join(p.die_id for p in turns)}); rule allows one turn per stack",
                tuple(p.die_id for p in turns),
            )
        for p in turns:
            yield from _turn(ix, p, rules.film_over_wire_um, rules.wire_loop_um)


def _turn(ix: _Index, p: Placement, film_um: int, loop_um: int) -> Iterator[Violation]:
    """The checks of one turned die (docs/rules.md ``film_over_wire``)."""
    lo = ix.lower(p)
    if lo is None or p.side is not Side.TOP:
        yield Violation(
            "film_over_wire",
            f"die {p.die_id} has a film-over-wire attach but rests on no die below it "
            "(tier 0 or the bottom side); only a die on a wire-bonded die can turn a staircase",
            (p.die_id,),
        )
        return
    up_die, lo_die = ix.die(p), ix.die(lo)
    if up_die.bond is not BondType.WIRE_BOND or lo_die.bond is not BondType.WIRE_BOND:
        yield Violation(
            "film_over_wire",
            f"die {p.die_id} ({up_die.bond.value}) turns the staircase on die {lo.die_id} "
            f"({lo_die.bond.value}); both must be wire_bond",
            (p.die_id, lo.die_id),
        )
    shared = set(_edges_at(up_die.pad_edges, p.rotation_deg)) & set(
        _edges_at(lo_die.pad_edges, lo.rotation_deg)
    )
    if shared:
        sides = ", ".join(s.value for s in _SIDES if s in shared)
        yield Violation(
            "film_over_wire",
            f"die {p.die_id} turns the staircase on die {lo.die_id} but both have pads on the "
            f"{sides}; the turned die faces its pads away (turn it 180 deg)",
            (p.die_id, lo.die_id),
        )
    if film_um <= 0 or film_um < loop_um:
        have = "no film-over-wire attach" if film_um <= 0 else f"a {film_um} um film"
        yield Violation(
            "film_over_wire",
            f"die {p.die_id} turns the staircase on die {lo.die_id}; the process has {have}, "
            f"and the film must embed the {loop_um} um wire loops it covers",
            (p.die_id, lo.die_id),
            loop_um - max(0, film_um),
        )


def _finger_ring(ix: _Index) -> Iterator[Violation]:
    keep = ix.design.rules.finger_edge_keepout_um
    pkg = ix.layout.package
    need = dict.fromkeys(_SIDES, keep)
    for k, rings in ix.rings.items():
        for ring_side, strip in rings:
            insets = inset_um(pkg, strip)
            worst = _worst_side(insets, need)
            if worst is not None:
                side, short = worst
                yield Violation(
                    "finger_ring",
                    f"the {ring_side.value} finger ring of {ix.label(k)} is {insets[side]} um "
                    f"from the package edge on the {side.value}; rule needs >= {keep} um",
                    ix.ids(k),
                    short,
                )


def _on_top_substrate(ix: _Index, stack: int) -> bool:
    """A PoP stack resting on a flip-chip die is the top package: its fingers are on the
    top substrate (``rules.pop_gap_um`` above the flip-chip die), above the bottom fillets."""
    if ix.design.family is not Family.POP:
        return False
    root = next(p for p in ix.stacks[stack] if p.tier == 0)
    return ix.die(root).bond is BondType.FLIP_CHIP


def _finger_fillet(ix: _Index) -> Iterator[Violation]:
    """No finger ring inside the underfill fillet of a flip-chip die on the substrate."""
    fillet = ix.design.rules.underfill_fillet_um
    if fillet <= 0:
        return
    flips = sorted(
        (
            p
            for p in ix.placed.values()
            if p.side == "top" and p.tier == 0 and ix.die(p).bond is BondType.FLIP_CHIP
        ),
        key=lambda p: p.die_id,
    )
    for k, rings in ix.rings.items():
        if _on_top_substrate(ix, k):
            continue
        for ring_side, strip in rings:
            for p in flips:
                zone = p.rect.expanded(fillet, fillet, fillet, fillet)
                if not strip.intersects(zone):
                    continue
                if ring_side in (Edge.WEST, Edge.EAST):
                    lo, hi = max(strip.x_um, zone.x_um), min(strip.x_max_um, zone.x_max_um)
                    axis = "x"
                else:
                    lo, hi = max(strip.y_um, zone.y_um), min(strip.y_max_um, zone.y_max_um)
                    axis = "y"
                yield Violation(
                    "finger_fillet",
                    f"the {ring_side.value} finger ring of {ix.label(k)} lies inside the "
                    f"underfill fillet of {p.die_id} ({fillet} um around the die) at "
                    f"{axis} = {lo}..{hi} um",
                    tuple(sorted({*ix.ids(k), p.die_id})),
                    hi - lo,
                )


def _wire_reach(ix: _Index) -> Iterator[Violation]:
    span = ix.design.rules.max_wire_span_um
    if span <= 0:
        return
    for k, members in ix.stacks.items():
        if ix.stack_side(k) is not Side.TOP:
            continue
        box = ix.stack_boxes[k]
        for p in members:
            die = ix.die(p)
            if die.bond is not BondType.WIRE_BOND:
                continue
            insets = inset_um(box, p.rect)
            for side in _edges_at(die.pad_edges, p.rotation_deg):
                if insets[side] > span:
                    yield Violation(
                        "wire_reach",
                        f"the {side.value} pad edge of die {p.die_id} is {insets[side]} um inside "
                        f"the {side.value} edge of {ix.label(k)}; its wires may span at most "
                        f"{span} um to the fingers",
                        (p.die_id,),
                        insets[side] - span,
                    )


def _near_pairs(keeps: dict[int, Rect], order: list[int], reach_um: int) -> list[tuple[int, int]]:
    """Pairs of stacks (in stack order) whose keep regions come within ``reach_um`` in x
    and in y.

    The clearance is Chebyshev, so two regions that far apart in x or in y are that far
    apart: a sweep in x, filtered in y, visits only the pairs that can break the rule
    (1,000 stacks side by side: a few thousand, not 499,500; 5,000 stacks: the x band alone
    held 212,000 pairs)."""
    rank = {k: n for n, k in enumerate(order)}
    by_x = sorted(order, key=lambda k: (keeps[k].x_um, rank[k]))
    pairs = []
    for n, a in enumerate(by_x):
        ka = keeps[a]
        reach = ka.x_max_um + reach_um
        low, high = ka.y_um - reach_um, ka.y_max_um + reach_um
        for b in by_x[n + 1 :]:
            kb = keeps[b]
            if kb.x_um >= reach:
                break
            if kb.y_um < high and low < kb.y_max_um:
                pairs.append((a, b) if rank[a] < rank[b] else (b, a))
    return sorted(pairs, key=lambda pair: (rank[pair[0]], rank[pair[1]]))


def _spacing(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    keeps = _keep_regions(ix)
    kinds = sorted({d.kind for d in ix.design.dies}, key=lambda k: k.value)
    widest = max((rules.spacing_um(k1, k2) for k1 in kinds for k2 in kinds), default=0)
    for a, b in _near_pairs(keeps, list(ix.stacks), widest):
        if ix.stack_side(a) != ix.stack_side(b):
            continue
        need = max(
            rules.spacing_um(ix.die(p).kind, ix.die(q).kind)
            for p in ix.stacks[a]
            for q in ix.stacks[b]
        )
        gap = keeps[a].gap_um(keeps[b])
        if gap < need:
            where = f"{ix.label(a)} and {ix.label(b)}"
            state = f"are {gap} um apart" if gap >= 0 else f"overlap by {-gap} um"
            yield Violation(
                "spacing",
                f"{where} {state} (keep regions); rule needs >= {need} um",
                ix.ids(a) + ix.ids(b),
                need - gap,
            )


def _z(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    for p in ix.placed.values():
        die = ix.die(p)
        if p.side is Side.BOTTOM:
            joint = rules.joint_um(die, None)
            expect = rules.ball_height_um - joint - p.thickness_um
            basis = (
                f"ball height {rules.ball_height_um} um - joint {joint} um - "
                f"thickness {p.thickness_um} um"
            )
            if expect < 0:
                yield Violation(
                    "z",
                    f"bottom-side die {p.die_id} needs {joint + p.thickness_um} um (joint "
                    f"{joint} um + die {p.thickness_um} um); the balls give "
                    f"{rules.ball_height_um} um",
                    (p.die_id,),
                    -expect,
                )
            limit = rules.bottom_side_max_height_um
            if limit > 0 and joint + p.thickness_um > limit:
                yield Violation(
                    "z",
                    f"bottom-side die {p.die_id} is {joint + p.thickness_um} um tall with its "
                    f"joint; rule allows <= {limit} um",
                    (p.die_id,),
                    joint + p.thickness_um - limit,
                )
        elif rules.fan_out.flipped:
            found = _flipped_z(ix, p)
            if found is None:
                continue  # stack_order reports the broken stack
            expect, basis = found
        elif p.tier == 0:
            joint = rules.joint_um(die, None)
            expect = rules.base_thickness_um + joint
            basis = f"base {rules.base_thickness_um} um + joint {joint} um"
        else:
            lo = ix.lower(p)
            if lo is None:
                continue  # stack_order reports the broken stack
            joint = rules.joint_um(die, ix.die(lo), film_over_wire=p.film_over_wire)
            expect = lo.z_top_um + joint
            kind = "film-over-wire joint" if p.film_over_wire else "joint"
            basis = f"top of {lo.die_id} at {lo.z_top_um} um + {kind} {joint} um"
        if p.z_bottom_um != expect and expect >= 0:
            yield Violation(
                "z",
                f"die {p.die_id} has z_bottom {p.z_bottom_um} um; rule gives {expect} um ({basis})",
                (p.die_id,),
                abs(p.z_bottom_um - expect),
            )


def _flipped_z(ix: _Index, p: Placement) -> tuple[int, str] | None:
    """Rule ``z`` in a vertical-wire fan-out: (expected z_bottom, its basis), or None when
    the stack is broken. The stack hangs face down from the RDL: its top tier nearest."""
    rules = ix.design.rules
    above = [q for q in ix.stacks[p.stack] if q.tier == p.tier + 1]
    if not above:
        standoff = rules.vertical_wire_standoff_um
        expect = rules.base_thickness_um + standoff
        return expect, f"base {rules.base_thickness_um} um + vertical-wire standoff {standoff} um"
    if len(above) > 1:
        return None
    (up,) = above
    joint = rules.joint_um(ix.die(up), ix.die(p))
    basis = f"top of {up.die_id} (tier {up.tier}, nearer the RDL) at {up.z_top_um} um + joint {joint} um"
    return up.z_top_um + joint, basis


def _die_thickness(ix: _Index) -> Iterator[Violation]:
    for p in ix.placed.values():
        die = ix.die(p)
        allowed = sorted({die.thickness_um, *die.allowed_thickness_um})
        if _top_die_fill(ix, p) and p.thickness_um > allowed[-1]:
            continue  # the fill to a target height (the thickness rule bounds it)
        if p.thickness_um not in allowed:
            text = ", ".join(map(str, allowed))
            yield Violation(
                "die_thickness",
                f"die {p.die_id} is {p.thickness_um} um thick; the design allows "
                + (f"{text} um" if len(allowed) == 1 else f"one of {text} um"),
                (p.die_id,),
                min(abs(p.thickness_um - t) for t in allowed),
            )


def _top_die_fill(ix: _Index, p: Placement) -> bool:
    """``p`` is a stack's top die that may take up the fill to a target height."""
    if not ix.design.rules.top_die_fill or ix.design.envelope.target_height_um is None:
        return False
    return p.side == "top" and not any(
        q.stack == p.stack and q.tier > p.tier for q in ix.placed.values()
    )


def _thickness(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    layout = ix.layout
    top = [p for p in ix.placed.values() if p.side is not Side.BOTTOM]
    if top:
        highest = max(top, key=lambda p: (p.z_top_um + rules.top_clearance_um(ix.die(p)), p.die_id))
        clearance = rules.top_clearance_um(ix.die(highest))
        expect = highest.z_top_um + clearance
        basis = f"top of die {highest.die_id} at {highest.z_top_um} um + clearance {clearance} um"
        ids: tuple[str, ...] = (highest.die_id,)
    else:
        expect = rules.base_thickness_um
        basis = "the base alone: no top-side die"
        ids = ()
    target = ix.design.envelope.target_height_um
    if target is not None:
        if expect > target:
            yield Violation(
                "thickness",
                f"the stack needs {expect} um ({basis}); the envelope fixes the height at "
                f"{target} um",
                ids,
                expect - target,
            )
        expect, basis = target, f"the envelope's target height; the stack needs {expect} um"
    if layout.thickness_um != expect:
        yield Violation(
            "thickness",
            f"layout thickness is {layout.thickness_um} um; the stack gives {expect} um ({basis})",
            ids,
            abs(layout.thickness_um - expect),
        )
    ceiling = ix.design.envelope.max_thickness_um
    if layout.thickness_um > ceiling:
        yield Violation(
            "thickness",
            f"package is {layout.thickness_um} um thick; envelope allows <= {ceiling} um",
            ids,
            layout.thickness_um - ceiling,
        )
    budget = sum(layer.thickness_um for layer in layout.stack_up)
    if budget != layout.thickness_um:
        yield Violation(
            "thickness",
            f"thickness budget layers sum to {budget} um; layout thickness is "
            f"{layout.thickness_um} um",
            (),
            abs(budget - layout.thickness_um),
        )


def _stack_height(ix: _Index) -> Iterator[Violation]:
    limit = ix.design.rules.max_stack_height_um
    if limit <= 0:
        return
    for k, members in ix.stacks.items():
        height = members[-1].z_top_um - members[0].z_bottom_um
        if height > limit:
            yield Violation(
                "stack_height",
                f"{ix.label(k)} is {height} um tall (tier 0 bottom to top of "
                f"{members[-1].die_id}); rule allows <= {limit} um",
                ix.ids(k),
                height - limit,
            )


def _pop_package(ix: _Index) -> Iterator[Violation]:
    """A PoP is two packages: wire-bonded dies only in the top package, its substrate
    clear of every bottom-package part, and the interface ring around the bottom mold."""
    if ix.design.family is not Family.POP:
        return
    yield from _pop_wires_on_top(ix)
    yield from _pop_floor(ix)
    yield from _pop_ring(ix)


def _pop_wires_on_top(ix: _Index) -> Iterator[Violation]:
    for k, members in ix.stacks.items():
        if members[0].side is not Side.TOP or _on_top_substrate(ix, k):
            continue
        for p in members:
            if ix.die(p).bond is BondType.WIRE_BOND:
                yield Violation(
                    "pop_package",
                    f"die {p.die_id} is wire-bonded in the bottom package ({ix.label(k)} on "
                    "the bottom substrate): in a pop its wires land on the top package's "
                    "substrate, so it must stand in the stack over a bottom flip-chip die",
                    (p.die_id,),
                )


def _pop_floor(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    clearance = rules.pop_mold_cap_um + rules.pop_air_gap_um
    bottom = [p for p in ix.placed.values() if p.side is Side.TOP and p.tier == 0]
    for k, members in ix.stacks.items():
        if not _on_top_substrate(ix, k) or len(members) < 2:
            continue
        floor = members[0].z_top_um + clearance  # the top substrate's underside
        for q in sorted(bottom, key=lambda q: q.die_id):
            if q.z_top_um + clearance > floor:
                yield Violation(
                    "pop_package",
                    f"bottom-package die {q.die_id} tops out at {q.z_top_um} um; the top "
                    f"package's substrate over {members[0].die_id} starts at {floor} um and "
                    f"needs {clearance} um (mold cap + air gap) above every bottom part",
                    (q.die_id, members[0].die_id),
                    q.z_top_um + clearance - floor,
                )


def _pop_ring(ix: _Index) -> Iterator[Violation]:
    """The outline holds the bottom mold and the whole interface ring around it: no site
    of the ring's pattern falls within the ball clearance of the mold."""
    mold = bottom_mold(ix.design, ix.placed.values())
    ring = None if ix.layout.ball_map is None else ix.layout.ball_map.array(BallRole.INTERFACE)
    if mold is None or ring is None:
        return
    c = ix.design.rules.ball_edge_clearance_um
    lost = sum(
        1 for site in ring.sites() if too_close(ring.centre_um(*site), ring.diameter_um, c, mold)
    )
    if lost:
        yield Violation(
            "pop_package",
            f"{lost} sites of the interface ring fall on the bottom mold "
            f"({_size_text(mold)}, within {c} um): the package must hold the bottom mold and "
            f"the ring of {ring.perimeter_rows} rows around it",
            (),
        )


def _phy_facing(ix: _Index) -> Iterator[Violation]:
    rules = ix.design.rules
    compute = _compute_die(ix.design)
    if rules.family is not Family.CMC or compute is None or compute.id not in ix.placed:
        return
    c = ix.placed[compute.id].rect
    limit = rules.max_die_to_die_um
    for die_id, p in ix.placed.items():
        if die_id == compute.id:
            continue
        for side in _edges_at(ix.dies[die_id].phy_edges, p.rotation_deg):
            gap = _gap_beyond(p.rect, c, side)
            ids = (die_id, compute.id)
            if gap < 0:
                yield Violation(
                    "phy_facing",
                    f"compute die {compute.id} is not entirely {side.value} of the "
                    f"{side.value} PHY edge of die {die_id} ({-gap} um short); rule needs it there",
                    ids,
                    -gap,
                )
                continue
            overlap = _overlap_along(p.rect, c, side)
            if overlap <= 0:
                yield Violation(
                    "phy_facing",
                    f"the {side.value} PHY edge of die {die_id} and compute die {compute.id} "
                    f"do not face each other (they miss by {-overlap} um along the edge); "
                    "rule needs a positive overlap",
                    ids,
                    1 - overlap,
                )
            if limit > 0 and gap > limit:
                yield Violation(
                    "phy_facing",
                    f"die {die_id} is {gap} um from compute die {compute.id} across its "
                    f"{side.value} PHY edge; rule allows <= {limit} um",
                    ids,
                    gap - limit,
                )


# --- bond fingers and wires (docs/rules.md finger_fit, wire_*; layoutopt.bonding) -------


_Profile = tuple[float, float, float, float, float]  # see _profile


def _mm_text(um: float) -> str:
    return f"{um / 1000:.3f} mm"


def _finger_fit(ix: _Index) -> Iterator[Violation]:
    for edge in ix.bonds:
        lo = lateral_um(edge.side, edge.box.x_um, edge.box.y_um)
        hi = lateral_um(edge.side, edge.box.x_max_um, edge.box.y_max_um)
        for die_id in edge.dies:
            laterals = [
                lateral_um(edge.side, f.x_um, f.y_um) for f in edge.fingers if f.die_id == die_id
            ]
            if not laterals:
                continue
            past = max(lo - min(laterals), max(laterals) - hi)
            if past > 0:
                yield Violation(
                    "finger_fit",
                    f"the {len(laterals)} {edge.side.value} fingers of die {die_id} reach "
                    f"{past} um past the {edge.side.value} side of {ix.label(edge.stack)} "
                    f"({_mm_text(max(laterals) - min(laterals))} of fingers, side "
                    f"{_mm_text(hi - lo)}); rule needs them within the side",
                    (die_id,),
                    int(past),
                )


def _worst_wires(ix: _Index, key: str) -> Iterator[tuple[EdgeBonds, str, Wire, int]]:
    """For each bonding die edge, its wire with the largest ``key`` and how many wires."""
    for edge in ix.bonds:
        for die_id in edge.dies:
            wires = [w for w in edge.wires if w.die_id == die_id]
            if wires:
                worst = max(wires, key=lambda w: (getattr(w, key), w.pad_um))
                yield edge, die_id, worst, len(wires)


def _wire_drop(ix: _Index) -> Iterator[Violation]:
    limit = ix.design.rules.max_drop_angle_deg
    if limit <= 0:
        return
    for edge, die_id, w, n in _worst_wires(ix, "drop_angle_deg"):
        if w.drop_angle_deg > limit + 1e-9:
            span = radial_um(edge.box, edge.side, *w.finger_um[:2]) - radial_um(
                edge.box, edge.side, *w.pad_um[:2]
            )
            yield Violation(
                "wire_drop",
                f"the {edge.side.value} wires of die {die_id} (tier {w.tier}) drop "
                f"{w.loop_top_um - w.finger_um[2]} um from their loop to the finger row "
                f"{span} um out: {w.drop_angle_deg:.1f} deg at the steepest of {n}; rule "
                f"allows <= {limit:g} deg",
                (die_id,),
                _ceil_um((w.loop_top_um - w.finger_um[2]) / math.tan(math.radians(limit)) - span),
            )


def _wire_length(ix: _Index) -> Iterator[Violation]:
    limit = ix.design.rules.max_wire_length_um
    if limit <= 0:
        return
    for edge, die_id, w, n in _worst_wires(ix, "length_um"):
        if w.length_um > limit:
            yield Violation(
                "wire_length",
                f"the longest of the {n} {edge.side.value} wires of die {die_id} (tier "
                f"{w.tier}, to finger row {w.row}) is {_mm_text(w.length_um)}; rule allows "
                f"<= {_mm_text(limit)}",
                (die_id,),
                _ceil_um(w.length_um - limit),
            )


def _profile(edge: EdgeBonds, w: Wire) -> _Profile:
    """A wire seen along its edge: (pad r, kink r, finger r, level height, finger height)."""
    r_p = radial_um(edge.box, edge.side, *w.pad_um[:2])
    r_f = radial_um(edge.box, edge.side, *w.finger_um[:2])
    return r_p, r_p + w.run_um, r_f, w.loop_top_um, w.finger_um[2]


def _height(prof: _Profile, r: float) -> float:
    _, r_k, r_f, top, low = prof
    if r <= r_k:
        return top
    return top - (r - r_k) * (top - low) / (r_f - r_k)


def _gap(upper: _Profile, lower: _Profile) -> float | None:
    """Least height of ``upper`` over ``lower`` where both run (breakpoints of both)."""
    a = max(upper[0], lower[0])
    b = min(upper[2], lower[2])
    if a > b:
        return None
    points = sorted({a, b, *(r for r in (upper[1], lower[1]) if a <= r <= b)})
    return min(_height(upper, r) - _height(lower, r) for r in points)


def _lateral_span(edge: EdgeBonds, wires: list[Wire]) -> tuple[float, float]:
    values = [lateral_um(edge.side, *w.pad_um[:2]) for w in wires] + [
        lateral_um(edge.side, *w.finger_um[:2]) for w in wires
    ]
    return min(values), max(values)


def _wire_pairs(ix: _Index) -> Iterator[tuple[EdgeBonds, str, str, list[Wire], list[Wire]]]:
    """(edge, upper die, lower die, upper wires, lower wires) for dies of different tiers."""
    for edge in ix.bonds:
        by_die = {d: [w for w in edge.wires if w.die_id == d] for d in edge.dies}
        for i, low in enumerate(edge.dies):
            for up in edge.dies[i + 1 :]:
                if by_die[up] and by_die[low]:
                    yield edge, up, low, by_die[up], by_die[low]


def _wire_clearance(ix: _Index) -> Iterator[Violation]:
    need = ix.design.rules.wire_clearance_um
    if need <= 0:
        return
    for edge, up, low, ups, lows in _wire_pairs(ix):
        (u0, u1), (l0, l1) = _lateral_span(edge, ups), _lateral_span(edge, lows)
        if u1 < l0 or l1 < u0:
            continue  # the two dies' wires lie side by side along the edge, not over
        profiles_up = {(w.row, w.loop_top_um): _profile(edge, w) for w in ups}
        profiles_low = {(w.row, w.loop_top_um): _profile(edge, w) for w in lows}
        gaps = [
            g
            for pu in profiles_up.values()
            for pl in profiles_low.values()
            if (g := _gap(pu, pl)) is not None
        ]
        if gaps and min(gaps) < need:
            least = min(gaps)
            yield Violation(
                "wire_clearance",
                f"the {edge.side.value} wires of die {up} pass {least:.1f} um over those of "
                f"die {low} below (seen along the edge); rule needs >= {need} um",
                (up, low),
                _ceil_um(need - least),
            )


def _wire_crossing(ix: _Index) -> Iterator[Violation]:
    for edge, up, low, ups, lows in _wire_pairs(ix):
        side = edge.side
        ua, va = (
            np.array([lateral_um(side, *w.pad_um[:2]) for w in ups]),
            np.array([lateral_um(side, *w.finger_um[:2]) for w in ups]),
        )
        ub, vb = (
            np.array([lateral_um(side, *w.pad_um[:2]) for w in lows]),
            np.array([lateral_um(side, *w.finger_um[:2]) for w in lows]),
        )
        if np.array_equal(ua, va) and np.array_equal(ub, vb):
            continue  # straight wires: parallel in plan, they cannot cross
        # integer laterals: the sign of the product is exact
        crossing = (ua[:, None] - ub[None, :]) * (va[:, None] - vb[None, :]) < 0
        crossings = int(crossing.sum())
        if crossings:
            i, j = (int(k) for k in np.argwhere(crossing)[0])
            a, b = ups[i], lows[j]
            yield Violation(
                "wire_crossing",
                f"{crossings} {side.value} wires of die {up} cross wires of die {low} in plan "
                f"(e.g. pad at {a.pad_um[:2]} to finger {a.finger_um[:2]} over pad at "
                f"{b.pad_um[:2]} to finger {b.finger_um[:2]}); rule needs no crossing between "
                "tiers on one edge",
                (up, low),
            )


# --- the ball map (docs/rules.md ball_*; layoutopt.ballmap) ----------------------------


def _ball_arrays(ix: _Index) -> Iterator[tuple[BallRequirement, BallArray | None]]:
    """(requirement, array or None) for each ball array the design needs."""
    found = ix.layout.ball_map
    for req in ball_requirements(ix.design):
        yield req, None if found is None else found.array(req.role)


def _ball_map(ix: _Index) -> Iterator[Violation]:
    needed = {req.role for req in ball_requirements(ix.design)}
    bm = ix.layout.ball_map
    if bm is not None:
        for a in bm.arrays:
            if a.role not in needed:
                yield Violation(
                    "ball_map",
                    f"the ball map has a {a.role.value} array; the design needs "
                    + (", ".join(sorted(r.value for r in needed)) or "no ball map"),
                )
        if needed and bm.a1 is not ix.design.balls.a1:
            yield Violation(
                "ball_map",
                f"ball A1 is at the {bm.a1.value} corner; the design puts it at "
                f"{ix.design.balls.a1.value}",
            )
    pkg = ix.layout.package
    for req, a in _ball_arrays(ix):
        if a is None:
            yield Violation(
                "ball_map",
                f"the layout has no {req.role.value} ball array; the design needs "
                f"{req.count} balls at {req.pitch_um} um pitch",
            )
            continue
        yield from _ball_pattern(req, a, pkg)


def _ball_pattern(req: BallRequirement, a: BallArray, pkg: Rect) -> Iterator[Violation]:
    name = f"the {a.role.value} ball array"
    for what, have, want in (
        ("pitch", a.pitch_um, req.pitch_um),
        ("ball diameter", a.diameter_um, req.diameter_um),
        ("perimeter rows (0: full array)", a.perimeter_rows, req.perimeter_rows),
    ):
        if have != want:
            yield Violation("ball_map", f"{name} has {what} {have}; the design needs {want}")
    if a.columns < 1 or a.rows < 1:
        yield Violation("ball_map", f"{name} has {a.columns} x {a.rows} sites")
        return
    for axis, first, count, origin, size in (
        ("x", a.x0_um, a.columns, pkg.x_um, pkg.width_um),
        ("y", a.y0_um, a.rows, pkg.y_um, pkg.length_um),
    ):
        off = 2 * first + (count - 1) * a.pitch_um - (2 * origin + size)
        if abs(off) > 1:
            yield Violation(
                "ball_map",
                f"{name} is {off / 2:g} um off the package centre in {axis}; rule centres "
                "it (within 1/2 um)",
                (),
                _ceil_um(abs(off) / 2),
            )
    bad = [s for s in a.depopulated if not a.in_pattern(*s)]
    if bad or len(set(a.depopulated)) != len(a.depopulated):
        yield Violation(
            "ball_map",
            f"{name} lists depopulated sites outside its pattern or twice (e.g. {bad[:3]})",
        )


def _ball_count(ix: _Index) -> Iterator[Violation]:
    pkg = ix.layout.package
    for req, a in _ball_arrays(ix):
        if a is None:
            continue
        have = a.ball_count
        if have < req.count:
            pattern = (
                "full array" if a.perimeter_rows <= 0 else f"{a.perimeter_rows} perimeter rows"
            )
            yield Violation(
                "ball_count",
                f"package {pkg.width_um / 1000:g} x {pkg.length_um / 1000:g} mm holds "
                f"{have} {a.role.value} balls ({a.columns} x {a.rows} sites at "
                f"{a.pitch_um} um pitch, {pattern}, {len(a.depopulated)} depopulated); "
                f"the design needs {req.count} ({req.basis})",
                (),
                req.count - have,
            )


def _ball_clearance(ix: _Index) -> Iterator[Violation]:
    pkg = ix.layout.package
    bottom = [(p.die_id, p.rect) for p in ix.placed.values() if p.side is Side.BOTTOM]
    keepouts = [("ball keep-out", r) for r in keepout_rects(ix.design, pkg)]
    mold = bottom_mold(ix.design, ix.placed.values())
    for req, a in _ball_arrays(ix):
        if a is None:
            continue
        c, d = req.edge_clearance_um, a.diameter_um
        if a.role is BallRole.INTERFACE:
            obstacles: list[tuple[str, Rect]] = [] if mold is None else [("the bottom mold", mold)]
        else:
            obstacles = [(f"bottom-side die {i}", r) for i, r in bottom] + keepouts
        worst_edge: tuple[int, tuple[int, int]] | None = None
        near: dict[str, int] = {}
        for site in a.balls():
            x, y = a.centre_um(*site)
            edge_gap = min(x - pkg.x_um, y - pkg.y_um, pkg.x_max_um - x, pkg.y_max_um - y)
            edge_gap = 2 * edge_gap - d  # twice the ball-edge-to-body-edge distance
            if edge_gap < 2 * c and (worst_edge is None or edge_gap < worst_edge[0]):
                worst_edge = (edge_gap, site)
            for label, r in obstacles:
                if too_close((x, y), d, c, r):
                    near[label] = near.get(label, 0) + 1
        if worst_edge is not None:
            gap2, site = worst_edge
            yield Violation(
                "ball_clearance",
                f"{a.role.value} ball at site {site} is {gap2 / 2:g} um from the package edge "
                f"(ball edge); rule needs >= {c} um",
                (),
                _ceil_um(c - gap2 / 2),
            )
        for label, n in sorted(near.items()):
            yield Violation(
                "ball_clearance",
                f"{n} {a.role.value} balls come within {c} um of {label}; rule needs them "
                "depopulated there",
                (label.removeprefix("bottom-side die "),) if label.startswith("bottom") else (),
            )


_CHECKS = (
    _placement,
    _package_grid,
    _outline,
    _keepout,
    _height_zone,
    _die_edge,
    _stack_order,
    _overhang,
    _pad_exposure,
    _pad_support,
    _film_over_wire,
    _finger_ring,
    _finger_fillet,
    _wire_reach,
    _spacing,
    _z,
    _die_thickness,
    _thickness,
    _stack_height,
    _pop_package,
    _phy_facing,
    _finger_fit,
    _wire_drop,
    _wire_length,
    _wire_clearance,
    _wire_crossing,
    _ball_map,
    _ball_count,
    _ball_clearance,
)


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def validate(design: Design, layout: Layout) -> tuple[Violation, ...]:
    """Every rule of ``docs/rules.md`` that ``layout`` breaks; empty when it is legal.

    Sorted by rule (in the order of the specification), then die ids, then message.
    """
    index = _Index.build(design, layout)
    found = [v for rule_check in _CHECKS for v in rule_check(index)]
    return tuple(sorted(found, key=lambda v: (RULES.index(v.rule), v.die_ids, v.message)))


def check(design: Design, layout: Layout) -> None:
    """Raise :class:`~layoutopt.errors.InternalError` if ``layout`` breaks any rule.

    Used after every solve: the solver and this validator implement the same
    specification independently, so a disagreement is a bug.
    """
    violations = validate(design, layout)
    if violations:
        lines = "\n".join(f"  - {v}" for v in violations)
        raise InternalError(
            f"the layout of design {design.name!r} breaks {len(violations)} layout rule(s) "
            f"of docs/rules.md:\n{lines}\n"
            "This is a bug in layoutopt (the solver and the validator disagree); please "
            "report it with the design file attached."
        )
