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
