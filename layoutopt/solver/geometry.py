"""Conservative rectangle covers of envelope shapes, for the solver.

The solver sees only axis-aligned integer rectangles. The true shapes (outline, keep-outs,
height zones) are covered *from outside* by rectangles, so any package that avoids the covers
avoids the true shapes: a solver answer is always legal on the true geometry (which the
validator checks with shapely), at the price of a little lost room near slanted edges.

>>> from shapely.geometry import box
>>> cover_rects(box(0, 0, 10, 5), max_slab_um=100)
(Rect(x_um=0, y_um=0, width_um=10, length_um=5),)
"""

from __future__ import annotations

import itertools
import math

from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from layoutopt.model import Rect

__all__ = ["cover_rects", "outline_obstacles"]


def _pieces(geometry: BaseGeometry) -> list[Polygon]:
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]


def cover_rects(region: BaseGeometry, *, max_slab_um: int = 250) -> tuple[Rect, ...]:
    """Rectangles whose union covers ``region``: vertical slabs at every vertex x, split to
    at most ``max_slab_um`` wide, each piece replaced by its integer bounding box (rounded
    outward). Zero-area slivers are dropped.
    """
    rects: list[Rect] = []
    for polygon in _pieces(region):
        if polygon.area <= 0:
            continue
        min_x, min_y, max_x, max_y = polygon.bounds
        xs = sorted({float(x) for x, _ in polygon.exterior.coords} | {min_x, max_x})
        cuts: list[float] = []
        for a, b in itertools.pairwise(xs):
            steps = max(1, math.ceil((b - a) / max_slab_um))
            cuts.extend(a + (b - a) * k / steps for k in range(steps))
        cuts.append(max_x)
        for a, b in itertools.pairwise(cuts):
            if b - a <= 0:
                continue
            for piece in _pieces(polygon.intersection(box(a, min_y - 1, b, max_y + 1))):
                if piece.area <= 0:
                    continue
                x0, y0, x1, y1 = piece.bounds
                ix0, iy0 = math.floor(x0), math.floor(y0)
                ix1, iy1 = math.ceil(x1), math.ceil(y1)
                if ix1 > ix0 and iy1 > iy0:
                    rects.append(Rect(ix0, iy0, ix1 - ix0, iy1 - iy0))
    return tuple(_merge_columns(sorted(set(rects))))


def _merge_columns(rects: list[Rect]) -> list[Rect]:
    """Merge horizontally adjacent rectangles with the same y span (fewer constraints)."""
    merged: list[Rect] = []
    for r in sorted(rects, key=lambda r: (r.y_um, r.length_um, r.x_um)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.y_um == r.y_um
            and last.length_um == r.length_um
            and last.x_max_um >= r.x_um
        ):
            merged[-1] = Rect(
                last.x_um, last.y_um, max(last.x_max_um, r.x_max_um) - last.x_um, last.length_um
            )
        else:
            merged.append(r)
    return sorted(merged)


def outline_obstacles(outline: Polygon, *, max_slab_um: int = 250) -> tuple[Rect, tuple[Rect, ...]]:
    """The outline's integer bounding box (rounded inward) and covers of what lies outside it."""
    x0, y0, x1, y1 = outline.bounds
    bounds = Rect(
        math.ceil(x0), math.ceil(y0), math.floor(x1) - math.ceil(x0), math.floor(y1) - math.ceil(y0)
    )
    outside = bounds.to_polygon().difference(outline)
    return bounds, cover_rects(outside, max_slab_um=max_slab_um)
