"""Geometry the drawings share: view transforms, stacks, finger rings, the thickness budget.

Pure functions of the core model (integer µm in, integer µm out). The finger ring and the
z levels follow ``docs/rules.md`` (rules ``finger_ring`` and ``z``); the drawings show them,
they do not check them (that is the validator's job).

Examples
--------
>>> t = ViewTransform(min_x_um=0, max_y_um=1000, px_per_mm=100.0, origin_x=10.0, origin_y=20.0)
>>> t.x(500), t.y(0)
(60.0, 120.0)
>>> t.x_um(60.0), t.y_um(120.0)
(500.0, 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from layoutopt.model import BondType, Design, Edge, Layer, Layout, Placement, Rect, Side
from layoutopt.stackup import JOINT_NAMES, stack_up
from layoutopt.validate import finger_rings as validator_finger_rings

__all__ = [
    "EDGES",
    "EdgeGeometry",
    "ViewTransform",
    "finger_rings",
    "is_bottom",
    "nice_floor",
    "nice_step",
    "ordered_placements",
    "stack_box",
    "stack_up_of",
    "tallest_stack",
]

PAD_BONDS = (BondType.WIRE_BOND, BondType.VERTICAL_WIRE)


@dataclass(frozen=True)
class ViewTransform:
    """Layout µm to sheet pixels for a top view (x east, y north; pixels y down)."""

    min_x_um: int
    max_y_um: int
    px_per_mm: float
    origin_x: float
    origin_y: float

    def x(self, x_um: float) -> float:
        return self.origin_x + (x_um - self.min_x_um) * self.px_per_mm / 1000.0

    def y(self, y_um: float) -> float:
        return self.origin_y + (self.max_y_um - y_um) * self.px_per_mm / 1000.0

    def length(self, um: float) -> float:
        return um * self.px_per_mm / 1000.0

    def x_um(self, x_px: float) -> float:
        return self.min_x_um + (x_px - self.origin_x) * 1000.0 / self.px_per_mm

    def y_um(self, y_px: float) -> float:
        return self.max_y_um - (y_px - self.origin_y) * 1000.0 / self.px_per_mm

    def data(self) -> tuple[tuple[str, str], ...]:
        """Attributes that let a reader map the view's pixels back to µm."""
        return (
            ("min-x-um", str(self.min_x_um)),
            ("max-y-um", str(self.max_y_um)),
            ("px-per-mm", repr(self.px_per_mm)),
            ("origin-x", repr(self.origin_x)),
            ("origin-y", repr(self.origin_y)),
        )


def nice_step(span: float, target_count: int = 5) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``target_count`` parts.

    >>> nice_step(9.5), nice_step(0.6), nice_step(130)
    (2.0, 0.2, 50.0)
    """
    raw = max(span, 1e-12) / target_count
    exponent = math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 5.0, 10.0):
        step = mult * 10.0**exponent
        if step >= raw:
            return round(step, 12)
    return round(10.0 ** (exponent + 1), 12)  # pragma: no cover - loop always returns


def nice_floor(value: float) -> float:
    """The largest 1-2-5 number not above ``value``.

    >>> nice_floor(7.3), nice_floor(0.25), nice_floor(1.0)
    (5.0, 0.2, 1.0)
    """
    exponent = math.floor(math.log10(max(value, 1e-12)))
    base = 10.0**exponent
    for mult in (5.0, 2.0, 1.0):
        if mult * base <= value * (1 + 1e-12):
            return round(mult * base, 12)
    return round(base, 12)  # pragma: no cover - mult 1 always fits


def ordered_placements(layout: Layout) -> tuple[Placement, ...]:
    """Placements in drawing order: bottom side, then by tier, stack and id (lower tiers first)."""
    return tuple(
        sorted(layout.placements, key=lambda p: (not is_bottom(p), p.tier, p.stack, p.die_id))
    )


def stack_box(stack: tuple[Placement, ...]) -> Rect:
    """Bounding box of a stack's dies."""
    x0 = min(p.x_um for p in stack)
    y0 = min(p.y_um for p in stack)
    x1 = max(p.x_um + p.width_um for p in stack)
    y1 = max(p.y_um + p.length_um for p in stack)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def finger_rings(design: Design, layout: Layout) -> tuple[tuple[int, Edge, Rect], ...]:
    """Every bond-finger ring as (stack, side, strip): the validator's rings, flattened."""
    rings = validator_finger_rings(design, layout)
    return tuple(
        (number, side, strip)
        for number in sorted(rings)
        for side, strip in sorted(rings[number], key=lambda item: item[0].value)
    )


def tallest_stack(layout: Layout) -> tuple[Placement, ...]:
    """The top-side stack whose top die is highest (ties: lowest stack number)."""
    stacks = [s for s in layout.stacks().values() if not any(is_bottom(p) for p in s)]
    if not stacks:
        return ()
    return max(stacks, key=lambda s: (max(p.z_top_um for p in s), -s[0].stack))


def stack_up_of(design: Design, layout: Layout) -> tuple[tuple[Layer, ...], bool]:
    """The layout's budget, or a derived one; the flag says whether it was derived."""
    if layout.stack_up:
        return layout.stack_up, False
    return stack_up(design, layout.placements), True


def joint_name(bond: BondType) -> str:
    """The people's name of the joint under a die of this bond."""
    return JOINT_NAMES[bond.value]


@dataclass(frozen=True)
class EdgeGeometry:
    """Where an edge of a rectangle lies: the axis it is perpendicular to and its side.

    One table for every per-edge question the drawings ask (which pad edges a section
    shows, where the pad line runs), instead of an if-west-elif-east chain in each view.
    """

    edge: Edge
    axis: str  # "x": the edge is a line of constant x (west, east); "y": south, north
    outward: int  # -1 for west and south, +1 for east and north

    def coordinate_um(self, r: Rect) -> int:
        """The edge's x (or y) in µm."""
        low, high = (r.x_um, r.x_max_um) if self.axis == "x" else (r.y_um, r.y_max_um)
        return low if self.outward < 0 else high

    def segment_px(self, t: ViewTransform, r: Rect, inset_px: float) -> tuple[float, ...]:
        """The edge as a sheet line (x1, y1, x2, y2), ``inset_px`` inside the rectangle."""
        x0, x1 = t.x(r.x_um) + inset_px, t.x(r.x_max_um) - inset_px
        y0, y1 = t.y(r.y_max_um) + inset_px, t.y(r.y_um) - inset_px  # y0: north on the sheet
        if self.axis == "x":
            x = x0 if self.outward < 0 else x1
            return (x, y0, x, y1)
        y = y1 if self.outward < 0 else y0
        return (x0, y, x1, y)


EDGES: dict[Edge, EdgeGeometry] = {
    Edge.WEST: EdgeGeometry(Edge.WEST, "x", -1),
    Edge.EAST: EdgeGeometry(Edge.EAST, "x", +1),
    Edge.SOUTH: EdgeGeometry(Edge.SOUTH, "y", -1),
    Edge.NORTH: EdgeGeometry(Edge.NORTH, "y", +1),
}


def is_bottom(p: Placement) -> bool:
    """True for a part on the bottom face of a double-sided package."""
    return p.side is Side.BOTTOM


# Balls are drawn at this pitch for a layout without a ball map: domain_data.md §6 "Ball
# standoff at 0.4 mm pitch" (E); their diameter is 0.6 of it (§1.5, E).
PICTURE_BALL_PITCH_UM = 400
PICTURE_BALL_DIAMETER_UM = 240


def ball_sites_um(layout: Layout) -> tuple[tuple[float, float, float], ...]:
    """Board balls as (x, y, diameter) µm: the layout's ball map, or a picture grid at
    ``PICTURE_BALL_PITCH_UM`` that leaves the bottom-side parts room."""
    from layoutopt.model import BallRole

    ball_map = getattr(layout, "ball_map", None)
    if ball_map is not None:
        return tuple(
            (*array.centre_um(*site), float(array.diameter_um))
            for array in ball_map.arrays
            if array.role is BallRole.BOARD
            for site in array.balls()
        )
    pkg, pitch, d = layout.package, PICTURE_BALL_PITCH_UM, PICTURE_BALL_DIAMETER_UM
    nx, ny = max(1, pkg.width_um // pitch), max(1, pkg.length_um // pitch)
    x0 = pkg.x_um + (pkg.width_um - (nx - 1) * pitch) / 2
    y0 = pkg.y_um + (pkg.length_um - (ny - 1) * pitch) / 2
    bottom = [p.rect for p in layout.placements if is_bottom(p)]
    return tuple(
        (x, y, float(d))
        for i in range(nx)
        for j in range(ny)
        for x, y in ((x0 + i * pitch, y0 + j * pitch),)
        if not any(
            b.x_um - d / 2 <= x <= b.x_max_um + d / 2 and b.y_um - d / 2 <= y <= b.y_max_um + d / 2
            for b in bottom
        )
    )


def wire_paths_um(
    design: Design, layout: Layout, per_edge: int
) -> tuple[tuple[str, Edge, int, tuple[tuple[float, float, float], ...]], ...]:
    """``per_edge`` wires of each bonded edge, evenly chosen, as (die id, side, index,
    path): the bond plan's pad, loop top, start of the descent and finger, in µm."""
    from layoutopt.bonding import bond_plan, radial_um

    out = []
    for edge in bond_plan(design, layout.placements):
        wires = edge.wires
        if not wires:
            continue
        picks = sorted(
            {round(k * (len(wires) - 1) / max(per_edge - 1, 1)) for k in range(per_edge)}
        )
        for k in picks:
            w = wires[k]
            (px, py, pz), (fx, fy, fz) = w.pad_um, w.finger_um
            span = radial_um(edge.box, edge.side, fx, fy) - radial_um(edge.box, edge.side, px, py)
            f = w.run_um / span if span > 0 else 0.0
            kx, ky = px + f * (fx - px), py + f * (fy - py)
            top = w.loop_top_um
            path = ((px, py, pz), (px, py, top), (kx, ky, top), (fx, fy, fz))
            out.append(
                (w.die_id, edge.side, k, tuple((float(a), float(b), float(c)) for a, b, c in path))
            )
    return tuple(out)
