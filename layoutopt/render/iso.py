"""Isometric view of the package: balls, substrate layers, bottom-side parts, dies, wires
and the mold body (translucent), seen from the south-west and above.

Heights are exaggerated like every section of the sheet (``VERTICAL_EXAGGERATION``), so
layers a few tens of µm thick show. The projection is affine, so a wire's Bézier loop
projects to the Bézier of its projected control points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from layoutopt.model import Design, Layout
from layoutopt.render.canvas import (
    Drawing,
    Ellipse,
    Group,
    Item,
    Poly,
    Text,
    to_svg_document,
)
from layoutopt.render.geometry import (
    ball_sites_um,
    is_bottom,
    ordered_placements,
    wire_paths_um,
)
from layoutopt.render.style import KIND_FILL, LAYER_FILL, TEXT_PX, VERTICAL_EXAGGERATION

__all__ = ["build_iso_drawing", "to_svg_iso"]

_COS30 = math.cos(math.radians(30))
_SIN30 = 0.5
WIRES_PER_EDGE = 4  # the picture's wires per pad edge (the layout does not place pads)
MOLD_OPACITY = 0.18


def _shade(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(c * factor))) for c in (r, g, b)))


@dataclass(frozen=True)
class _Block:
    """A box in layout µm (z true, exaggerated at projection) with its paint."""

    x: float
    y: float
    z: float
    w: float
    length: float
    h: float
    fill: str
    ident: str
    label: str = ""
    opacity: float = 1.0


@dataclass(frozen=True)
class _Projection:
    x0: float
    y0: float
    scale: float  # px per µm
    ox: float
    oy: float

    def __call__(self, x: float, y: float, z: float) -> tuple[float, float]:
        # Viewer at the south-west, above: x to the lower right, y to the upper right.
        u = (x - self.x0) * _COS30 + (y - self.y0) * _COS30
        v = (x - self.x0) * _SIN30 - (y - self.y0) * _SIN30 - z * VERTICAL_EXAGGERATION
        return (self.ox + u * self.scale, self.oy + v * self.scale)


def _box_faces(b: _Block, P: _Projection) -> list[Item]:
    """West, south and top faces of a block (the three the viewer sees)."""
    x, y, z, w, ln, top = b.x, b.y, b.z, b.w, b.length, b.z + b.h
    top_face = (P(x, y, top), P(x + w, y, top), P(x + w, y + ln, top), P(x, y + ln, top))
    south = (P(x, y, z), P(x + w, y, z), P(x + w, y, top), P(x, y, top))
    west = (P(x, y, z), P(x, y + ln, z), P(x, y + ln, top), P(x, y, top))
    stroke = "#333333" if b.opacity >= 1 else "#555555"
    return [
        Poly(west, fill=_shade(b.fill, 0.65), stroke=stroke, stroke_width=0.5, opacity=b.opacity),
        Poly(south, fill=_shade(b.fill, 0.8), stroke=stroke, stroke_width=0.5, opacity=b.opacity),
        Poly(top_face, fill=b.fill, stroke=stroke, stroke_width=0.6, opacity=b.opacity),
    ]


def _blocks(design: Design, layout: Layout) -> tuple[list[_Block], list[_Block]]:
    """(below the substrate's top: layers and bottom-side parts, above it: dies)."""
    pkg, rules = layout.package, design.rules
    below: list[_Block] = []
    for p in ordered_placements(layout):
        if is_bottom(p):
            kind = design.die(p.die_id).kind
            below.append(
                _Block(
                    p.x_um,
                    p.y_um,
                    p.z_bottom_um,
                    p.width_um,
                    p.length_um,
                    p.thickness_um,
                    KIND_FILL[kind],
                    f"iso-die-{p.die_id}",
                    p.die_id,
                )
            )
    z = rules.ball_height_um
    layers = [("substrate", rules.substrate_thickness_um, LAYER_FILL["substrate"])]
    layers += [
        (f"rdl-{i}", rules.rdl_layer_thickness_um, LAYER_FILL["rdl"])
        for i in range(rules.rdl_layers if rules.rdl_layer_thickness_um else 0)
    ]
    for name, t, fill in layers:
        if t:
            below.append(
                _Block(pkg.x_um, pkg.y_um, z, pkg.width_um, pkg.length_um, t, fill, f"iso-{name}")
            )
            z += t
    above = [
        _Block(
            p.x_um,
            p.y_um,
            p.z_bottom_um,
            p.width_um,
            p.length_um,
            p.thickness_um,
            KIND_FILL[design.die(p.die_id).kind],
            f"iso-die-{p.die_id}",
            p.die_id,
        )
        for p in ordered_placements(layout)
        if not is_bottom(p)
    ]
    return below, above


def _balls(design: Design, layout: Layout, P: _Projection) -> list[Item]:
    """The board balls (the ball map, or the picture grid), far rows first."""
    h = design.rules.ball_height_um
    if not h:
        return []
    sites = sorted(ball_sites_um(layout), key=lambda s: (-s[1], s[0]))  # north (far) first
    items: list[Item] = []
    for cx, cy, d in sites:
        u, v = P(cx, cy, h / 2)
        items.append(
            Ellipse(
                u,
                v,
                d / 2 * P.scale,
                h / 2 * VERTICAL_EXAGGERATION * P.scale,
                fill=LAYER_FILL["balls"],
                stroke="#777777",
                stroke_width=0.3,
            )
        )
    return [Group(tuple(items), id="iso-balls", css_class="balls")]


def _wires(design: Design, layout: Layout, P: _Projection) -> list[Item]:
    """A few wires per bonded edge, on the bond plan's path (rise, level run, descent)."""
    out: list[Item] = [
        Poly(
            tuple(P(*point) for point in path),
            closed=False,
            stroke=LAYER_FILL["wire"],
            stroke_width=0.7,
            css_class="wire",
        )
        for _, _, _, path in wire_paths_um(design, layout, WIRES_PER_EDGE)
    ]
    return [Group(tuple(out), id="iso-wires", css_class="wires")] if out else []


def build_iso_drawing(design: Design, layout: Layout, width_px: float = 640.0) -> Drawing:
    """The isometric view as a drawing: balls, bottom-side parts, substrate layers, dies
    (lower and farther first), wires, and the mold body drawn translucent over them."""
    pkg, rules = layout.package, design.rules
    span = (pkg.width_um + pkg.length_um) * _COS30
    scale = (width_px - 80) / span
    corners = [
        (x, y, z)
        for x in (pkg.x_um, pkg.x_max_um)
        for y in (pkg.y_um, pkg.y_max_um)
        for z in (min(0, *(p.z_bottom_um for p in layout.placements)), layout.thickness_um)
    ]
    probe = _Projection(pkg.x_um, pkg.y_um, scale, 0.0, 0.0)
    us, vs = zip(*(probe(*c) for c in corners), strict=True)
    P = _Projection(pkg.x_um, pkg.y_um, scale, 40.0 - min(us), 50.0 - min(vs))
    below, above = _blocks(design, layout)
    items: list[Item] = []
    items += _balls(design, layout, P)
    for b in sorted(below, key=lambda b: (b.z, -(b.y + b.length) + b.x)):
        items.append(Group(tuple(_box_faces(b, P)), id=b.ident, css_class="iso-box"))
    for b in above:
        parts = _box_faces(b, P)
        if b.label:  # at the west corner of the top face: the part an upper tier never hides
            wx, wy = P(b.x, b.y, b.z + b.h)
            parts.append(Text(wx + 6, wy + 3, b.label, TEXT_PX["small"], weight="bold"))
        items.append(Group(tuple(parts), id=b.ident, css_class="iso-box"))
    items += _wires(design, layout, P)
    base = rules.base_thickness_um
    if layout.thickness_um > base:
        mold = _Block(
            pkg.x_um,
            pkg.y_um,
            base,
            pkg.width_um,
            pkg.length_um,
            layout.thickness_um - base,
            LAYER_FILL["mold"],
            "iso-mold",
            opacity=MOLD_OPACITY,
        )
        items.append(
            Group(
                tuple(_box_faces(mold, P)),
                id="iso-mold",
                css_class="iso-box mold",
                title=f"mold {rules.mold_material} (translucent)",
            )
        )
    height = 70.0 + (max(vs) - min(vs)) + 20
    note = (
        f"Isometric from the south-west; heights ×{VERTICAL_EXAGGERATION}; mold translucent; "
        "balls at the picture pitch"
    )
    return Drawing(
        width_px,
        height,
        (
            Poly(((0, 0), (width_px, 0), (width_px, height), (0, height)), fill="#ffffff"),
            Text(10, 18, f"ISOMETRIC — {design.name}", TEXT_PX["title"], weight="bold"),
            Text(10, 32, note, TEXT_PX["label"]),
            Group(tuple(items), id="iso-view", css_class="view iso-view"),
        ),
        title=f"{design.name} isometric",
        description=note,
    )


def to_svg_iso(design: Design, layout: Layout) -> str:
    """Isometric view of the package (balls, layers, parts, wires, translucent mold), SVG."""
    return to_svg_document(build_iso_drawing(design, layout))
