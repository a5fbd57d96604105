"""Exploded isometric view of the stacks: each tier lifted apart so every die shows."""

from __future__ import annotations

import math

from layoutopt.model import Design, Layout, Placement
from layoutopt.render.canvas import Drawing, Group, Item, Poly, Text, to_svg_document
from layoutopt.render.geometry import ordered_placements
from layoutopt.render.style import KIND_FILL, LAYER_FILL, TEXT_PX

__all__ = ["build_iso_drawing", "to_svg_iso"]

_COS30 = math.cos(math.radians(30))
_SIN30 = 0.5
Z_EXAGGERATION = 5.0  # dies are ~1/200 as thick as wide; true scale shows nothing
EXPLODE_MM = 1.2  # gap between exploded levels, in plan millimetres


def _shade(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(c * factor))) for c in (r, g, b)))


def build_iso_drawing(design: Design, layout: Layout, width_px: float = 640.0) -> Drawing:
    """The exploded isometric view as a drawing (base slab, then one level per tier)."""
    pkg = layout.package
    rules = design.rules
    top = [p for p in ordered_placements(layout) if p.side == "top"]
    levels = sorted({p.tier for p in top})
    explode_um = EXPLODE_MM * 1000

    def lift(p: Placement) -> float:
        return p.z_bottom_um * Z_EXAGGERATION + (levels.index(p.tier) + 1) * explode_um

    span = (pkg.width_um + pkg.length_um) * _COS30
    scale = (width_px - 80) / span  # px per µm
    boxes = [
        (
            pkg.x_um,
            pkg.y_um,
            0.0,
            pkg.width_um,
            pkg.length_um,
            rules.base_thickness_um * Z_EXAGGERATION,
            LAYER_FILL["substrate"],
            "package",
            "",
        )
    ]
    for p in top:
        boxes.append(
            (
                p.x_um,
                p.y_um,
                lift(p),
                p.width_um,
                p.length_um,
                p.thickness_um * Z_EXAGGERATION,
                KIND_FILL[design.die(p.die_id).kind],
                f"iso-die-{p.die_id}",
                p.die_id,
            )
        )

    def project(x: float, y: float, z: float) -> tuple[float, float]:
        # Viewer at the south-west, above: x to the lower right, y to the upper right.
        return (
            (x - pkg.x_um) * _COS30 + (y - pkg.y_um) * _COS30,
            (x - pkg.x_um) * _SIN30 - (y - pkg.y_um) * _SIN30 - z,
        )

    pts = [
        project(x, y, z)
        for bx in boxes
        for x in (bx[0], bx[0] + bx[3])
        for y in (bx[1], bx[1] + bx[4])
        for z in (bx[2], bx[2] + bx[5])
    ]
    min_u = min(p[0] for p in pts)
    min_v = min(p[1] for p in pts)
    max_v = max(p[1] for p in pts)
    ox, oy = 40.0 - min_u * scale, 40.0 - min_v * scale

    def sheet(x: float, y: float, z: float) -> tuple[float, float]:
        u, v = project(x, y, z)
        return (ox + u * scale, oy + v * scale)

    items: list[Item] = []
    # Lower levels first; within a level, far (north-east) boxes first.
    for x, y, z, w, ln, h, fill, ident, label in sorted(
        boxes, key=lambda b: (b[2], -(b[1] + b[4]) + b[0])
    ):
        ztop = z + h
        top_face = (
            sheet(x, y, ztop),
            sheet(x + w, y, ztop),
            sheet(x + w, y + ln, ztop),
            sheet(x, y + ln, ztop),
        )
        south = (sheet(x, y, z), sheet(x + w, y, z), sheet(x + w, y, ztop), sheet(x, y, ztop))
        west = (sheet(x, y, z), sheet(x, y + ln, z), sheet(x, y + ln, ztop), sheet(x, y, ztop))
        parts: list[Item] = [
            Poly(west, fill=_shade(fill, 0.65), stroke="#333333", stroke_width=0.5),
            Poly(south, fill=_shade(fill, 0.8), stroke="#333333", stroke_width=0.5),
            Poly(top_face, fill=fill, stroke="#333333", stroke_width=0.6),
        ]
        if label:
            # At the west corner of the top face: the part an upper tier never hides.
            wx, wy = top_face[0]
            parts.append(Text(wx + 6, wy + 3, label, TEXT_PX["small"], weight="bold"))
        items.append(Group(tuple(parts), id=ident, css_class="iso-box"))
    height = 80.0 + (max_v - min_v) * scale + 20
    note = (
        f"Exploded isometric, tiers lifted {EXPLODE_MM:g} mm apart, thickness ×{Z_EXAGGERATION:g}"
    )
    return Drawing(
        width_px,
        height,
        (
            Poly(((0, 0), (width_px, 0), (width_px, height), (0, height)), fill="#ffffff"),
            Text(10, 18, f"ISOMETRIC — {design.name}", TEXT_PX["title"], weight="bold"),
            Text(10, 32, note, TEXT_PX["label"]),
            Group(tuple(items), id="iso-view", css_class="view iso-view", dy=20.0),
        ),
        title=f"{design.name} isometric",
        description=note,
    )


def to_svg_iso(design: Design, layout: Layout) -> str:
    """Exploded isometric view of the layout (base slab and each tier lifted apart), SVG."""
    return to_svg_document(build_iso_drawing(design, layout))
