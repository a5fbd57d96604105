"""Rectangles of model expressions, and their sides through the one edge table.

Rule modules speak of "the west side of the die below" or "how far the die stands inside
its stack box on the pad side"; :class:`Box` answers with a linear expression, using
:data:`layoutopt.model.EDGE_GEOMETRY` instead of an if-west-elif-east dispatch per rule.

>>> box = Box(0, 0, 10, 4)
>>> box.side(Edge.EAST), box.inset(Box(2, 1, 7, 4), Edge.NORTH), box.centre2(Axis.X)
(10, 0, 10)
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from layoutopt.model import EDGE_GEOMETRY, Axis, Edge

__all__ = ["Box", "Expr"]

# An integer linear expression (a constant where a quantity is fixed, e.g. a thickness).
Expr = cp_model.LinearExpr | int


@dataclass(frozen=True)
class Box:
    """``x0 <= x < x1``, ``y0 <= y < y1`` as integer expressions (µm)."""

    x0: Expr
    y0: Expr
    x1: Expr
    y1: Expr

    def low(self, axis: Axis) -> Expr:
        return self.x0 if axis is Axis.X else self.y0

    def high(self, axis: Axis) -> Expr:
        return self.x1 if axis is Axis.X else self.y1

    def side(self, edge: Edge) -> Expr:
        """The coordinate of side ``edge``."""
        geometry = EDGE_GEOMETRY[edge]
        return self.high(geometry.normal) if geometry.outward > 0 else self.low(geometry.normal)

    def inset(self, inner: Box, edge: Edge) -> Expr:
        """How far side ``edge`` of ``inner`` stands inside the same side of this box."""
        geometry = EDGE_GEOMETRY[edge]
        if geometry.outward > 0:
            return self.side(edge) - inner.side(edge)
        return inner.side(edge) - self.side(edge)

    def gap_beyond(self, other: Box, edge: Edge) -> Expr:
        """The gap from side ``edge`` of this box to ``other`` lying beyond it."""
        geometry = EDGE_GEOMETRY[edge]
        if geometry.outward > 0:
            return other.low(geometry.normal) - self.high(geometry.normal)
        return self.low(geometry.normal) - other.high(geometry.normal)

    def centre2(self, axis: Axis) -> Expr:
        """Twice the centre on ``axis`` (integral for integer sides)."""
        return self.low(axis) + self.high(axis)
