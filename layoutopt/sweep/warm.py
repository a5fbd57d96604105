"""Warm starts: begin a point from the layout of its nearest solved neighbour.

A hint must place the same dies, so only points whose design-file ``dies`` are identical
are neighbours. Among those, distance is measured on the axes: numbers and lengths by
their difference over the axis's span, anything else 0 when equal and 1 when not. Ties go
to the earliest point in the space's order, so the choice never depends on timing when
points finish in order (``workers=1``).

Examples
--------
>>> from layoutopt.sweep.space import Axis, Point
>>> axes = (Axis("t", ("0.5 mm", "0.6 mm", "0.8 mm"), ((("e.t", "0.5 mm"),),) * 3),)
>>> warm = WarmStarts(axes)
>>> warm.add(Point(0, {"t": "0.5 mm"}, {"dies": [1]}), "k0", "p0")
>>> warm.add(Point(2, {"t": "0.8 mm"}, {"dies": [1]}), "k2", "p2")
>>> warm.nearest(Point(1, {"t": "0.6 mm"}, {"dies": [1]}))
('k0', 'p0')
>>> warm.nearest(Point(1, {"t": "0.6 mm"}, {"dies": [2]}))
(None, None)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from layoutopt.sweep.filters import comparable
from layoutopt.sweep.space import Axis, Point

__all__ = ["WarmStarts", "dies_signature"]


def dies_signature(design: dict[str, Any]) -> str:
    """The design's dies as canonical JSON: equal signatures, same dies."""
    return json.dumps(design.get("dies"), sort_keys=True, default=str)


class WarmStarts:
    """Solved points with a layout, grouped by their dies (grows as the sweep runs)."""

    def __init__(self, axes: Sequence[Axis]) -> None:
        self._spans: dict[str, float | None] = {}
        for axis in axes:
            numbers = [comparable(v) for v in axis.labels]
            kinds = {k for k, _ in numbers}
            if len(kinds) == 1 and kinds <= {"number", "length"}:
                values = [float(v) for _, v in numbers]
                self._spans[axis.name] = (max(values) - min(values)) or 1.0
            else:
                self._spans[axis.name] = None
        self._solved: dict[str, list[tuple[int, dict[str, Any], str, str]]] = {}

    def add(self, point: Point, key: str, layout_path: str) -> None:
        self._solved.setdefault(dies_signature(point.design), []).append(
            (point.index, point.values, key, layout_path)
        )

    def discard(self, key: str) -> None:
        """Forget the solved point ``key`` (its layout file turned out unreadable)."""
        for signature, solved in self._solved.items():
            self._solved[signature] = [entry for entry in solved if entry[2] != key]

    def _distance(self, a: dict[str, Any], b: dict[str, Any]) -> float:
        total = 0.0
        for name, span in self._spans.items():
            if span is None:
                total += 0.0 if comparable(a[name]) == comparable(b[name]) else 1.0
            else:
                total += abs(float(comparable(a[name])[1]) - float(comparable(b[name])[1])) / span
        return total

    def nearest(self, point: Point) -> tuple[str | None, str | None]:
        """(key, layout path) of the nearest solved neighbour with the same dies, or Nones."""
        candidates = self._solved.get(dies_signature(point.design), [])
        if not candidates:
            return None, None
        _, _, _, key, path = min(
            (self._distance(point.values, values), index, id_, key, path)
            for id_, (index, values, key, path) in enumerate(candidates)
        )
        return key, path
